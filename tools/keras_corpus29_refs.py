"""Keras 2's (tf_keras') figures the tests in tests/test_corpus29.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus29_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
losses, metrics = keras.losses, keras.metrics

# 1. a loss function called directly broadcasts (N,) targets against an (N, 1) output (the
#    book's auto-MPG loop, dragen1860 ch. 6: `tf.reduce_mean(losses.MSE(y, out))`); the loss
#    and metric classes squeeze them first
yt, yp = tf.constant([1.0, 2.0]), tf.constant([[1.5], [2.5]])
print("MSE fn:", losses.MSE(yt, yp).numpy())
print("MAE fn:", losses.MAE(yt, yp).numpy())
print("mse fn, (N, 1) targets for (N,):", losses.mean_squared_error(
    tf.constant([[1.0], [2.0]]), tf.constant([1.5, 2.5])).numpy())
print("huber fn:", losses.huber(yt, tf.constant([[1.5], [3.5]])).numpy())
print("log_cosh fn:", losses.log_cosh(yt, tf.constant([[1.5], [3.5]])).numpy())
print("hinge fn:", losses.hinge(tf.constant([0.0, 1.0]), tf.constant([[0.3], [0.6]])).numpy())
print("binary_crossentropy fn:", losses.binary_crossentropy(
    tf.constant([0.0, 1.0]), tf.constant([[0.3], [0.6]])).numpy())
try:
    losses.binary_crossentropy(tf.constant([0.0, 1.0]), tf.constant([[0.3], [0.6]]),
                               from_logits=True)
except Exception as e:  # noqa: BLE001
    print("binary_crossentropy from_logits:", type(e).__name__)
print("metrics.mean_squared_error fn:", metrics.mean_squared_error(np.array([1.0, 2.0]), yp).numpy())
print("MeanSquaredError()(tensors):", losses.MeanSquaredError()(yt, yp).numpy())
print("MeanSquaredError()(ndarray, tensor):",
      losses.MeanSquaredError()(np.array([1.0, 2.0]), yp).numpy())
m = metrics.MeanSquaredError()
m.update_state(np.array([1.0, 2.0]), yp)
print("metrics.MeanSquaredError:", m.result().numpy())
m = metrics.MeanAbsoluteError()
m.update_state(yt, yp)
print("metrics.MeanAbsoluteError:", m.result().numpy())

# 2. compiled: fit / evaluate squeeze (N,) targets for an (N, 1) output
x = np.array([[0.0], [1.0], [2.0], [3.0]], np.float32)
y = np.array([1.0, 2.0, 4.0, 3.0], np.float32)
model = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones",
                                             bias_initializer="zeros", input_shape=(1,))])
model.compile(loss="mse", metrics=["mae"])
print("evaluate mse / mae:", model.evaluate(x, y, verbose=0))
