"""The gaps the thirty-third corpus's programs revealed (tools/keras_corpus.md "Thirty-third
corpus"). Figures marked Keras 2's were printed by tools/keras_corpus33_refs.py under tf_keras
2.21; the others are worked out in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


class Steps(keras.layers.Layer):
    """Not a recurrent layer, but with go_backwards / return_sequences in its config, as
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


X = (np.arange(24, dtype="float32").reshape(2, 3, 4) - 10) / 10


# ---- keras-tcn's bidirect_tcn.py: `Bidirectional(TCN(64))`. Keras 2 wraps any layer whose
#      config has go_backwards (its backward copy is from_config with the flag flipped);
#      tensorforge took recurrent layers only and raised ValueError ----

def test_bidirectional_of_a_go_backwards_layer_last_step():
    b = keras.layers.Bidirectional(Steps(2))
    # Keras 2's
    np.testing.assert_allclose(b(X).numpy(), [[-1.32, -1.86, -1.32, -1.86],
                                              [3.0, 3.9, 3.0, 3.9]], rtol=1e-5, atol=1e-6)
    assert b.backward_layer.go_backwards is True and b.forward_layer.go_backwards is False
    assert isinstance(b.backward_layer, Steps)
    names = [w.name.split("/", 1)[1] for w in b.weights]
    assert names[0].startswith("forward_steps") and names[1].startswith("backward_steps")


def test_bidirectional_of_a_go_backwards_layer_sequences_reversed_back():
    y = keras.layers.Bidirectional(Steps(2, return_sequences=True))(X).numpy()
    # Keras 2's: the backward half is put back in time order
    np.testing.assert_allclose(y, [[[-0.92, -1.26, -1.32, -1.86], [-1.36, -1.88, -0.4, -0.6],
                                    [-1.32, -1.86, 0.04, 0.02]],
                                   [[0.52, 0.66, 3.0, 3.9], [1.52, 1.96, 2.48, 3.24],
                                    [3.0, 3.9, 1.48, 1.94]]], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode,expected", [
    ("sum", [-2.24, -3.12, -1.76, -2.48, -1.28, -1.84, 3.52, 4.56, 4.0, 5.2, 4.48, 5.84]),
    ("ave", [-1.12, -1.56, -0.88, -1.24, -0.64, -0.92, 1.76, 2.28, 2.0, 2.6, 2.24, 2.92]),
    ("mul", [1.2144, 2.3436, 0.544, 1.128, -0.0528, -0.0372, 1.56, 2.574, 3.7696, 6.3504,
             4.44, 7.566]),
])
def test_bidirectional_of_a_go_backwards_layer_merge_modes(mode, expected):
    y = keras.layers.Bidirectional(Steps(2, return_sequences=True), merge_mode=mode)(X)
    np.testing.assert_allclose(y.numpy().ravel(), expected, rtol=1e-5, atol=1e-6)  # Keras 2's


def test_bidirectional_of_a_go_backwards_layer_in_a_model_gradients():
    i = keras.Input((None, 4))
    m = keras.Model(i, keras.layers.Bidirectional(Steps(3))(i))
    assert m.output_shape == (None, 6)
    with tf.GradientTape() as t:
        loss = tf.reduce_sum(m(X) ** 2)
    g = t.gradient(loss, m.trainable_weights)
    # Keras 2's loss and gradients (the two directions' last steps both sum all steps)
    assert float(loss) == pytest.approx(217.46878, rel=1e-5)
    ref = [[23.328, 28.512, 33.696], [24.84, 30.24, 35.64], [26.352, 31.968, 37.584],
           [27.864, 33.696, 39.528]]
    np.testing.assert_allclose(g[0].numpy(), ref, rtol=1e-5)
    np.testing.assert_allclose(g[1].numpy(), ref, rtol=1e-5)


def test_bidirectional_passes_mask_only_to_a_call_that_takes_it():
    # TCN.call(inputs, training=None, **kwargs) gets no mask; an Embedding(mask_zero=True)
    # before it must not fail the call
    i = keras.Input((3,), dtype="int32")
    e = keras.layers.Embedding(10, 4, mask_zero=True)(i)
    m = keras.Model(i, keras.layers.Bidirectional(Steps(2))(e))
    assert m.predict(np.array([[1, 2, 0]]), verbose=0).shape == (1, 4)


def test_bidirectional_config_round_trip_of_a_go_backwards_layer():
    b = keras.layers.Bidirectional(Steps(2, return_sequences=True))
    with keras.utils.custom_object_scope({"Steps": Steps}):
        b2 = keras.layers.Bidirectional.from_config(b.get_config())
    assert type(b2.forward_layer).__name__ == "Steps" and b2.backward_layer.go_backwards
    assert b2(X).shape == (2, 3, 4)  # Keras 2's


def test_bidirectional_of_a_layer_that_cannot_run_backwards():
    # Keras 2: KeyError('go_backwards') (its config has none)
    with pytest.raises(KeyError, match="go_backwards"):
        keras.layers.Bidirectional(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="Bidirectional"):
        keras.layers.Bidirectional("lstm")
