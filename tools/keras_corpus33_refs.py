"""Keras 2's (tf_keras') figures the tests in tests/test_corpus33.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus33_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)


class Steps(keras.layers.Layer):
    """A layer that is not recurrent but has go_backwards / return_sequences in its config, as
    keras-tcn's TCN has: running sums over time of x @ w, reversed in time when go_backwards."""

    def __init__(self, units=2, return_sequences=False, go_backwards=False, **kw):
        super().__init__(**kw)
        self.units, self.return_sequences, self.go_backwards = units, return_sequences, go_backwards
        self.return_state = False

    def build(self, s):
        self.w = self.add_weight(name="w", shape=(s[-1], self.units),
                                 initializer=keras.initializers.Constant(
                                     np.arange(s[-1] * self.units).reshape(s[-1], self.units)
                                     / 10.0))

    def call(self, x, training=None):
        if self.go_backwards:
            x = tf.reverse(x, axis=[1])
        y = tf.cumsum(tf.matmul(x, self.w), axis=1)
        return y if self.return_sequences else y[:, -1]

    def get_config(self):
        return dict(super().get_config(), units=self.units,
                    return_sequences=self.return_sequences, go_backwards=self.go_backwards)


x = (np.arange(24, dtype="float32").reshape(2, 3, 4) - 10) / 10

# 1. keras-tcn's bidirect_tcn.py: Bidirectional of a non-recurrent layer with go_backwards
for rs in (False, True):
    b = keras.layers.Bidirectional(Steps(2, return_sequences=rs))
    print("return_sequences", rs, "concat:\n", b(x).numpy())
    print("weights:", [w.name.split("/", 1)[1] for w in b.weights],
          "backward go_backwards:", b.backward_layer.go_backwards,
          "forward:", b.forward_layer.go_backwards)
for mode in ("sum", "ave", "mul"):
    print(mode, keras.layers.Bidirectional(Steps(2, return_sequences=True),
                                           merge_mode=mode)(x).numpy().ravel())

# 2. in a model with an unknown time length, trained: the gradient of the summed outputs
i = keras.Input((None, 4))
o = keras.layers.Bidirectional(Steps(3))(i)
m = keras.Model(i, o)
print("output_shape:", m.output_shape)
with tf.GradientTape() as t:
    loss = tf.reduce_sum(m(x) ** 2)
g = t.gradient(loss, m.trainable_weights)
print("loss:", float(loss))
print("grad forward:\n", g[0].numpy(), "\ngrad backward:\n", g[1].numpy())

# 3. a layer that cannot run backwards
try:
    keras.layers.Bidirectional(keras.layers.Dense(3))
except Exception as e:
    print("Dense:", type(e).__name__, e)

# 4. config round trip (custom_objects)
b = keras.layers.Bidirectional(Steps(2, return_sequences=True))
cfg = b.get_config()
b2 = keras.layers.Bidirectional.from_config(cfg, custom_objects={"Steps": Steps}) \
    if "custom_objects" in keras.layers.Bidirectional.from_config.__code__.co_varnames else None
with keras.utils.custom_object_scope({"Steps": Steps}):
    b2 = keras.layers.Bidirectional.from_config(cfg)
print("round trip:", type(b2.forward_layer).__name__, b2.backward_layer.go_backwards,
      b2(x).numpy().shape)
