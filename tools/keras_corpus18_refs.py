"""Keras 2's (tf_keras') figures the tests in tests/test_corpus18.py hold, printed by running
the same calls under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus18_refs.py

It writes nothing; the printed values were copied into the tests. tf_keras 2.21 dropped
Keras 2.2's `maxnorm` alias and its `keras.layers.convolutional` module, so the figures are
printed for the names they stood for (MaxNorm; keras.layers.MaxPooling1D), which is what
Keras 2.2 meant by them.
"""
import numpy as np
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. keras.constraints.maxnorm(3) (Keras 2.2's alias of MaxNorm) on a kernel whose columns have
#    norms 5, 1 and 13, and the other two legacy aliases, nonneg and unitnorm
w = np.array([[3.0, 0.6, -5.0], [4.0, -0.8, 12.0]], "float32")
print("maxnorm(3):", keras.constraints.MaxNorm(3)(w).numpy().tolist())
print("nonneg:", keras.constraints.NonNeg()(w).numpy().tolist())
print("unitnorm:", keras.constraints.UnitNorm()(w).numpy().tolist())
print("MaxNorm(3) config:", keras.constraints.MaxNorm(3).get_config())

# 2. the univariate CNN of "How to Develop Convolutional Neural Network Models for Time Series
#    Forecasting" (keras.layers.convolutional's Conv1D + MaxPooling1D): output shapes and
#    parameter counts, and MaxPooling1D(2) on a known input
model = keras.Sequential()
model.add(keras.layers.Conv1D(filters=64, kernel_size=2, activation="relu", input_shape=(3, 1)))
model.add(keras.layers.MaxPooling1D(pool_size=2))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(50, activation="relu"))
model.add(keras.layers.Dense(1))
print("cnn shapes:", [tuple(l.output_shape) for l in model.layers])
print("cnn params:", [l.count_params() for l in model.layers])
x = np.arange(10, dtype="float32").reshape(1, 5, 2) * np.array([1, -1], "float32")
print("MaxPooling1D(2):", keras.layers.MaxPooling1D(2)(x).numpy().tolist())
print("AveragePooling1D(2):", keras.layers.AveragePooling1D(2)(x).numpy().tolist())
