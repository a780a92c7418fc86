"""Keras 2's (tf_keras') and TensorFlow's figures the tests in tests/test_corpus13.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus13_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. tf.nn.moments: population variance, keepdims, a negative axis, an int axis
x = np.arange(24, dtype="float32").reshape(2, 3, 4) ** 1.5 / 10
m, v = tf.nn.moments(x, axes=[0, 1])
print("moments [0, 1]:", m.shape, v.shape, m.numpy(), v.numpy())
m, v = tf.nn.moments(x, axes=[-1], keepdims=True)
print("moments [-1] keepdims:", m.shape, v.shape)
xv = tf.Variable(x)
with tf.GradientTape() as t:
    _, v = tf.nn.moments(xv, axes=[0, 1, 2])
print("d var / dx [0, 0, :]:", t.gradient(v, xv).numpy()[0, 0])

# 2. tf.nn.conv2d argument forms
inp = np.arange(2 * 5 * 6 * 3, dtype="float32").reshape(2, 5, 6, 3) / 50
ker = np.linspace(-1, 1, 3 * 3 * 3 * 4, dtype="float32").reshape(3, 3, 3, 4)
for strides, padding in ((1, "VALID"), ([1, 1], "VALID"), ([2, 2], "SAME"), ([1, 2, 2, 1], "SAME")):
    y = tf.nn.conv2d(inp, ker, strides=strides, padding=padding)
    print("conv2d", strides, padding, y.shape, float(tf.reduce_sum(y)))
y = tf.nn.conv2d(np.transpose(inp, (0, 3, 1, 2)), ker, strides=1, padding="VALID",
                 data_format="NCHW") if tf.config.list_physical_devices("GPU") else None
print("conv2d NCHW on CPU:", "needs a GPU in TensorFlow" if y is None else y.shape)
for bad in ("valid", "FULL"):
    try:
        tf.nn.conv2d(inp, ker, strides=1, padding=bad)
        print("conv2d padding", bad, "accepted")
    except Exception as e:
        print("conv2d padding", bad, type(e).__name__)

# 3. Conv.convolution_op: the convolution alone; an override still gets bias + activation
class Override(keras.layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        return tf.nn.conv2d(inputs, kernel * 2.0, padding="VALID", strides=list(self.strides))

c = keras.layers.Conv2D(4, 3, activation="relu", bias_initializer="ones")
c.build((None, 5, 6, 3))
c.set_weights([ker, np.arange(4, dtype="float32") - 2])
op = c.convolution_op(tf.constant(inp), c.kernel)
print("convolution_op sum:", float(tf.reduce_sum(op)), "call sum:", float(tf.reduce_sum(c(inp))))
o = Override(4, 3, activation="relu")
o.build((None, 5, 6, 3))
o.set_weights([ker, np.arange(4, dtype="float32") - 2])
print("override call sum:", float(tf.reduce_sum(o(inp))))

# 4. tf.Module
class MyModel(tf.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(5.0)
        self.b = tf.Variable(0.0)

class Outer(tf.Module):
    def __init__(self):
        super().__init__()
        self.z_inner = MyModel(name="inner")
        self.a = [tf.Variable(1.0), {"k": tf.Variable(2.0, trainable=False)}]
        self.dense = keras.layers.Dense(2)
        self.dense.build((None, 3))

m = MyModel()
print("MyModel name:", m.name, "variables:", [float(v.numpy()) for v in m.variables])
o = Outer()
print("Outer name:", o.name, "variables:", [tuple(v.shape) for v in o.variables],
      "trainable:", [tuple(v.shape) for v in o.trainable_variables],
      "submodules:", [type(s).__name__ for s in o.submodules])
try:
    MyModel(name="1bad name")
except Exception as e:
    print("bad name:", type(e).__name__)
