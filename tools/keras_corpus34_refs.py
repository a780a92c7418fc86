"""Keras 2's (tf_keras') figures the tests in tests/test_corpus34.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus34_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

X = (np.arange(24, dtype="float32").reshape(6, 4) / 5.0)
GAMMA = np.array([1.0, 2.0, 0.5, -1.0], "float32")
BETA = np.array([0.0, 0.1, -0.2, 0.3], "float32")
MM = np.array([0.5, 1.0, 1.5, 2.0], "float32")
MV = np.array([1.0, 4.0, 0.25, 2.0], "float32")


def bn_layer():
    bn = keras.layers.BatchNormalization()
    bn.build((None, 4))
    bn.set_weights([GAMMA, BETA, MM, MV])
    return bn


# 1. a BatchNormalization set non-trainable runs in inference mode even when called with
#    training=True (the transfer-learning notebook freezes InceptionV3, BatchNormalization
#    layers and all)
bn = bn_layer()
bn.trainable = False
print("frozen, training=True, row 1:", np.asarray(bn(X, training=True))[1])
bn.trainable = True
print("trainable, training=True, row 1:", np.asarray(bn(X, training=True))[1])
print("moving_mean after that trainable call:", bn.get_weights()[2])

# 2. a frozen base (`for layer in base.layers: layer.trainable = False`) under a trainable head,
#    one SGD epoch of one batch: the moving statistics stay, the loss is the inference-mode one
inp = keras.Input((4,))
base = keras.Model(inp, bn_layer()(inp))
for layer in base.layers:
    layer.trainable = False
head = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.25),
                          bias_initializer="zeros")
model = keras.Model(base.input, head(base.output))
model.compile(keras.optimizers.SGD(0.1), "mse")
h = model.fit(X, np.ones((6, 1), "float32"), batch_size=6, epochs=2, verbose=0, shuffle=False)
print("frozen base, fit losses:", np.array(h.history["loss"]))
print("frozen base, moving_mean / moving_variance:", base.layers[1].get_weights()[2],
      base.layers[1].get_weights()[3])
print("frozen base, predict row 0:", model.predict(X[:1], verbose=0)[0])
