"""TensorFlow 2's / Keras 2's (tf_keras') figures the tests in tests/test_corpus28.py hold,
printed by running the same calls under TensorFlow 2.21 + tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus28_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

# 1. tf.squeeze with a tuple / list of axes (Raschka ch. 13 part 1)
t = tf.zeros((1, 2, 1, 4, 1))
print("squeeze (2, 4):", tf.squeeze(t, axis=(2, 4)).shape, " [-1, 0]:",
      tf.squeeze(t, axis=[-1, 0]).shape, " []:", tf.squeeze(t, axis=[]).shape)
for ax in ([1], [5]):
    try:
        tf.squeeze(t, axis=ax)
    except Exception as e:  # noqa: BLE001
        print("squeeze", ax, "->", type(e).__name__)

# 2. TF 1 graphs and sessions (Raschka ch. 14 part 1): Tensor.eval() in the session entered,
# scalar placeholders fed Python numbers, sess.run's scalars
g = tf.Graph()
with g.as_default():
    a, b, c = tf.constant(1), tf.constant(2), tf.constant(3)
    z = 2 * (a - b) + c
with tf.compat.v1.Session(graph=g) as sess:
    r = sess.run(z)
    print("sess.run(z):", repr(r), " z.eval():", repr(z.eval()))
g = tf.Graph()
with g.as_default():
    pa = tf.compat.v1.placeholder(shape=None, dtype=tf.int32)
    pb = tf.compat.v1.placeholder(shape=None, dtype=tf.int32)
    pc = tf.compat.v1.placeholder(shape=None, dtype=tf.int32)
    z = 2 * (pa - pb) + pc
    with tf.compat.v1.Session(graph=g) as sess:
        print("fed 1, 2, 3:", repr(sess.run(z, feed_dict={pa: 1, pb: 2, pc: 3})))
    try:
        z.eval()
    except Exception as e:  # noqa: BLE001
        print("eval outside a session ->", type(e).__name__, str(e)[:60])

# 3. Variable.assign / assign_add / assign_sub with read_value, value()
w = tf.Variable([1, 2, 3], trainable=False)
r = w.assign([3, 1, 4], read_value=True)
print("assign(read_value=True):", r.numpy(), " assign_add(read_value=False):",
      w.assign_add([2, -1, 2], read_value=False), " assign_sub(read_value=False):",
      w.assign_sub([1, 1, 1], read_value=False))
v = w.value()
w.assign([0, 0, 0])
print("value() before the last assign:", v.numpy(), " after:", w.value().numpy())

# 4. Optimizer.apply_gradients(grads_and_vars=...) (Raschka ch. 17)
x = tf.Variable([1.0, 2.0])
opt = keras.optimizers.SGD(0.5)
opt.apply_gradients(grads_and_vars=zip([tf.constant([1.0, -2.0])], [x]))
print("SGD(0.5) by keyword:", x.numpy())

# 5. Sequential.build on a model whose graph exists (an Input layer) keeps its graph
m = keras.Sequential([keras.layers.Input(shape=(28, 28, 1)), keras.layers.Conv2D(4, 3),
                      keras.layers.Flatten(), keras.layers.Dense(1)])
m.build(input_shape=(None, 784))
print("Input((28, 28, 1)) then build((None, 784)):", m.input_shape, m.output_shape,
      len(m.weights))
m2 = keras.Sequential([keras.layers.Dense(3)])
m2.build((None, 5))
m2.build((None, 7))
print("Dense(3) built (None, 5) then (None, 7):", m2.input_shape, m2.layers[0].kernel.shape)
