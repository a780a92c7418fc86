"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus31.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus31_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
layers = keras.layers
K = keras.backend
X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)

# 1. a layer's tracked list attribute passed to a merge layer (keras-tcn's TCN adds
#    self.skip_connections, a list it fills in call)
class Skips(layers.Layer):
    def build(self, input_shape):
        self.d1 = layers.Dense(2, kernel_initializer="ones", name="d1")
        self.d2 = layers.Dense(2, kernel_initializer="ones", name="d2")
        self.skips = []

    def call(self, x):
        self.skips = []
        for d in (self.d1, self.d2):
            self.skips.append(d(x))
        return layers.add(self.skips)


m = keras.Model(i := keras.Input((3,)), Skips()(i))
print("1. Skips:", m.predict(X, verbose=0).tolist())

# 2. Model._is_compiled (keract checks it)
m = keras.Sequential([layers.Dense(1, input_shape=(3,))])
print("2. _is_compiled before / after compile:", m._is_compiled, end=" ")
m.compile("adam", "mse")
print(m._is_compiled)

# 3. K.stack / tf.stack of an empty list (n-beats' seasonality_model with one theta)
for f in (K.stack, tf.stack):
    s = f([])
    print("3.", f.__module__, tuple(s.shape), s.dtype.name)
try:
    tf.stack([], axis=1)
except Exception as e:  # noqa: BLE001
    print("3. tf.stack([], axis=1):", type(e).__name__)

# 4. tf.unstack along a length-1 axis on a functional graph (cond_rnn's initial state) and a
#    Lambda returning a list of one
i = keras.Input((3,))
u = tf.unstack(tf.expand_dims(layers.Dense(2, kernel_initializer="ones")(i), axis=0), axis=0)
print("4. unstack:", len(u), keras.Model(i, u[0]).predict(X, verbose=0).tolist())
o = layers.Lambda(lambda z: [z * 2.0])(i)
print("4. Lambda [z]:", type(o).__name__, keras.Model(i, o[0]).predict(X, verbose=0).tolist())
x = keras.Input((4, 2))
c = keras.Input((3,))
init = tf.unstack(tf.expand_dims(layers.Dense(5, kernel_initializer="ones")(c), 0), axis=0)
h = layers.GRU(5, kernel_initializer="zeros", recurrent_initializer="zeros",
               bias_initializer="zeros")(x, initial_state=init)
print("4. GRU from the condition:", keras.Model([x, c], h).predict(
    [np.ones((2, 4, 2), np.float32), X], verbose=0).tolist())


# 5. a Sequential given no input shape, fit on a list of arrays of different shapes, whose first
#    layer takes the list (cond_rnn's ConditionalRNN)
class Cond(layers.Layer):
    def call(self, inputs):
        x, c = inputs
        return tf.concat([tf.reduce_mean(x, axis=1), c], axis=-1)


xs = np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 10
cs = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
m = keras.Sequential([Cond(), layers.Dense(1, kernel_initializer="ones")])
m.compile("sgd", "mse")
h = m.fit([xs, cs], np.zeros((2, 1)), epochs=1, verbose=0, shuffle=False)
print("5. loss:", h.history["loss"], "predict:", m.predict([xs, cs], verbose=0).tolist())

# 6. max / min over no elements (keras-yolo3's yolo_loss: K.max of the IoUs with an image's zero
#    true boxes) and a while_loop carrying a TensorArray (its ignore mask)
e = np.zeros((2, 3, 0), np.float32)
print("6. K.max / K.min over an empty axis:", K.max(e, axis=-1).numpy().tolist(),
      K.min(e, axis=-1).numpy().tolist(), "keepdims:", tuple(K.max(e, axis=-1, keepdims=True).shape))
print("6. K.max of all / int32 max / min:", K.max(e).numpy(),
      K.max(np.zeros((2, 0), np.int32), axis=-1).numpy().tolist(),
      K.min(np.zeros((2, 0), np.int32), axis=-1).numpy().tolist())
ta = tf.TensorArray(tf.float32, size=1, dynamic_size=True)
_, ta = tf.while_loop(lambda b, *a: b < 3,
                      lambda b, ta: (b + 1, ta.write(b, tf.cast(b, tf.float32) * 2.0)), [0, ta])
print("6. while_loop with a TensorArray:", ta.stack().numpy().tolist())

# 7. the HDF5 weight names of a layer whose sub-layers build same-named layers under name scopes
#    (keras-tcn's ResidualBlock: K.name_scope(self.name), then Conv1D(name='conv1D_0').build)
class Block(layers.Layer):
    def build(self, input_shape):
        with K.name_scope(self.name):
            with K.name_scope("conv"):
                self.conv = layers.Dense(2, name="conv")
                self.conv.build(input_shape)
        super().build(input_shape)

    def call(self, x):
        return self.conv(x)


class Stack(layers.Layer):
    def build(self, input_shape):
        self.blocks = [Block(name=f"block_{i}") for i in range(2)]
        shape = input_shape
        for b in self.blocks:
            b.build(shape)
            shape = shape[:-1] + (2,)

    def call(self, x):
        for b in self.blocks:
            x = b(x)
        return x


import h5py  # noqa: E402
m = keras.Sequential([Stack(name="stack", input_shape=(3,))])
m.save_weights("/tmp/_c31_refs.h5")
with h5py.File("/tmp/_c31_refs.h5") as f:
    print("7. weight_names:", [getattr(n, "decode", lambda: n)() for n in f["stack"].attrs["weight_names"]])
