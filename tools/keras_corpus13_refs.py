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

# 5. what a GradientTape watches (tensorflow/docs guide/autodiff)
x0 = tf.Variable(3.0, name="x0")
x1 = tf.Variable(3.0, name="x1", trainable=False)
x2 = tf.Variable(2.0, name="x2") + 1.0
x3 = tf.constant(3.0, name="x3")
with tf.GradientTape() as tape:
    y = (x0 ** 2) + (x1 ** 2) + (x2 ** 2)
print("grads [x0, x1, x2, x3]:", [None if g is None else float(g) for g in
                                  tape.gradient(y, [x0, x1, x2, x3])],
      "watched:", [v.name for v in tape.watched_variables()])
a0, a1 = tf.Variable(0.0), tf.Variable(10.0)
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(a1)
    ys = tf.reduce_sum(tf.math.sin(a0) + tf.nn.softplus(a1))
g = tape.gradient(ys, {"x0": a0, "x1": a1})
print("watch_accessed_variables=False:", g["x0"], float(g["x1"]),
      "watched:", len(tape.watched_variables()))
x = tf.Variable(2.0)
out = []
for epoch in range(2):
    with tf.GradientTape() as tape:
        y = x + 1
    out.append(tape.gradient(y, x))
    x = x + 1
print("x = x + 1 loop:", [None if g is None else float(g) for g in out])
with tf.GradientTape() as tape:
    xi = tf.constant(10)
    tape.watch(xi)
    yi = xi * xi
print("int watched:", tape.gradient(yi, xi))
v = tf.Variable(2.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = v * v
    w2 = tf.Variable(1.0)
    z = w2 * 3.0
print("nested watched:", len(inner.watched_variables()), len(outer.watched_variables()))
t = tf.constant([1.0, 2.0])
with tf.GradientTape() as tape:
    tape.watch(t)
    h = t * t
    z = tf.reduce_sum(h * 3.0)
print("intermediate:", tape.gradient(z, h).numpy())
print("UnconnectedGradients:", tf.UnconnectedGradients.ZERO.value, tf.UnconnectedGradients.NONE.value)

# 6. tf.image.adjust_contrast: values, integer images, no gradient
img = np.arange(2 * 2 * 3, dtype="float32").reshape(2, 2, 3) / 10
print("adjust_contrast:", tf.image.adjust_contrast(img, 2.0).numpy().ravel().tolist())
u8 = (np.arange(2 * 2 * 3).reshape(2, 2, 3) * 20).astype("uint8")
print("adjust_contrast uint8:", tf.image.adjust_contrast(u8, 3.0).numpy().ravel().tolist())
image = tf.Variable([[[0.5, 0.0, 0.0]]])
with tf.GradientTape() as tape:
    new_image = tf.image.adjust_contrast(image, 0.1)
try:
    tape.gradient(new_image, image)
except LookupError as e:
    print("adjust_contrast gradient:", type(e).__name__, str(e))

# 7. the walk passes only through the block's ops
v = tf.Variable(2.0)
u = v * 3.0  # before the block
with tf.GradientTape(persistent=True) as tape:
    y = u * v
print("path through an op before the block:", float(tape.gradient(y, v)))
z = y * 2.0  # after the block
print("target computed after the block:", tape.gradient(z, v))

# 8. Conv1D.convolution_op (causal: Keras 2's call pads on the left, the op convolves 'valid')
seq = np.arange(2 * 7 * 3, dtype="float32").reshape(2, 7, 3) / 20
k1 = np.linspace(-1, 1, 3 * 3 * 2, dtype="float32").reshape(3, 3, 2)

class Override1D(keras.layers.Conv1D):
    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * 2.0)

for pad in ("valid", "same", "causal"):
    c1 = keras.layers.Conv1D(2, 3, padding=pad, dilation_rate=2 if pad == "causal" else 1)
    c1.build((None, 7, 3))
    c1.set_weights([k1, np.array([0.5, -0.5], "float32")])
    o1 = Override1D(2, 3, padding=pad, activation="relu",
                    dilation_rate=2 if pad == "causal" else 1)
    o1.build((None, 7, 3))
    o1.set_weights([k1, np.array([0.5, -0.5], "float32")])
    op = c1.convolution_op(tf.constant(seq), c1.kernel)
    print("conv1d", pad, "op", op.shape, float(tf.reduce_sum(op)), "call",
          float(tf.reduce_sum(c1(seq))), "override", o1(seq).shape, float(tf.reduce_sum(o1(seq))))
