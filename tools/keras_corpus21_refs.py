"""Keras 2's (tf_keras') figures the tests in tests/test_corpus21.py hold, printed by running the
same constructions under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's
oracle):

    /work/keras-venv/bin/python tools/keras_corpus21_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.keras is then tf_keras
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402

# 1. models_c.py's `from tensorflow.compat.v1.keras.initializers import glorot_uniform,
#    he_normal`: the v1 initializers' distributions (a 3x3x64 -> 128 kernel, as in the zoo's
#    convolutions): the sample std of he_normal and the bound of glorot_uniform
from tensorflow.compat.v1.keras.initializers import glorot_uniform, he_normal  # noqa: E402

k = he_normal(seed=1)((3, 3, 64, 128)).numpy()
print("v1 he_normal std", float(k.std()), "target sqrt(2/576)", float(np.sqrt(2 / 576)),
      "max |k| / std_target", float(np.abs(k).max() / np.sqrt(2 / 576)))
g = glorot_uniform(seed=1)((3, 3, 64, 128)).numpy()
print("v1 glorot_uniform max |k|", float(np.abs(g).max()),
      "limit sqrt(6/(576+1152))", float(np.sqrt(6 / (576 + 1152))))

# 2. Inception v3's auxiliary classifier and classifier size their windows from
#    x.shape[1:3].as_list(): a slice of a symbolic tensor's shape is a TensorShape
inputs = keras.Input((17, 17, 32))
s = inputs.shape[1:3]
print("shape[1:3]", type(s).__name__, s.as_list(), "shape[-1]", inputs.shape[-1])
x = layers.AveragePooling2D((5, 5), strides=(3, 3))(inputs)
x = layers.Conv2D(128, (1, 1), use_bias=False)(x)
x = layers.BatchNormalization()(x)
x = layers.ReLU()(x)
x = layers.Conv2D(768, x.shape[1:3].as_list(), use_bias=False)(x)
aux = layers.Dense(10, activation="softmax")(layers.Flatten()(x))
y = layers.AveragePooling2D(inputs.shape[1:3].as_list())(inputs)
main = layers.Dense(10, activation="softmax")(layers.Flatten()(y))
model = keras.Model(inputs, [main, aux])
print("aux kernel", model.layers[5].kernel.shape.as_list() if hasattr(model.layers[5], "kernel")
      else None, "outputs", [o.shape.as_list() for o in model.outputs],
      "params", model.count_params())
