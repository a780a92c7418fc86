"""The gaps the thirty-first corpus's programs revealed (Keras 2 libraries and their examples:
philipperemy's keras-tcn, cond_rnn, n-beats, keract, keras-frn, keras-attention, qqwweee's
keras-yolo3; tools/keras_corpus.md "Thirty-first corpus"). Figures marked Keras 2's /
TensorFlow's were printed by tools/keras_corpus31_refs.py under tf_keras 2.21 / TensorFlow 2.21;
the others are worked out in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers

K = keras.backend
X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)


# ---- a layer's tracked list attribute given to a merge layer (keras-tcn's TCN.call fills
#      self.skip_connections and adds them: the inputs were rebuilt as a TrackingList) ----

class _Skips(layers.Layer):
    def build(self, input_shape):
        self.d1 = layers.Dense(2, kernel_initializer="ones", name="d1")
        self.d2 = layers.Dense(2, kernel_initializer="ones", name="d2")
        self.skips = []

    def call(self, x):
        self.skips = []
        for d in (self.d1, self.d2):
            self.skips.append(d(x))
        return layers.add(self.skips)


def test_tracked_list_as_merge_inputs():
    i = keras.Input((3,))
    m = keras.Model(i, _Skips()(i))
    # Keras 2's: [[4, 4], [-1, -1]] (two all-ones Dense(2) of rows summing to 2 and -0.5)
    np.testing.assert_allclose(m.predict(X, verbose=0), [[4.0, 4.0], [-1.0, -1.0]])
    assert len(m.trainable_weights) == 4


# ---- Model._is_compiled, which keract reads before it evaluates activations ----

def test_is_compiled_flag():
    m = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    assert m._is_compiled is False  # Keras 2's: False, then True
    m.compile("adam", "mse")
    assert m._is_compiled is True


# ---- stack of an empty list along axis 0 is an empty float32 vector (TensorFlow's
#      convert_to_tensor([]); n-beats' seasonality_model stacks no cosines for one theta) ----

@pytest.mark.parametrize("stack", [K.stack, tf.stack])
def test_stack_of_empty_list(stack):
    s = stack([])
    assert tuple(s.shape) == (0,) and np.dtype(s.dtype) == np.float32  # TensorFlow's


def test_stack_of_empty_list_along_another_axis_still_raises():
    with pytest.raises(TypeError, match="stack: x must be a non-empty list"):
        tf.stack([], axis=1)  # (TensorFlow fails there with an IndexError of its own indexing)


# ---- a layer returning a list of one tensor: its one output KerasTensor is the element when the
#      model runs (cond_rnn unstacks its initial state along a length-1 axis) ----

def test_unstack_of_length_one_axis_on_a_graph():
    i = keras.Input((3,))
    u = tf.unstack(tf.expand_dims(layers.Dense(2, kernel_initializer="ones")(i), axis=0), axis=0)
    assert len(u) == 1
    y = keras.Model(i, u[0]).predict(X, verbose=0)
    np.testing.assert_allclose(y, [[2.0, 2.0], [-0.5, -0.5]])  # Keras 2's


def test_lambda_returning_a_list_of_one():
    i = keras.Input((3,))
    o = layers.Lambda(lambda z: [z * 2.0])(i)
    np.testing.assert_allclose(keras.Model(i, o[0]).predict(X, verbose=0), 2.0 * X)


def test_rnn_initial_state_from_an_unstacked_condition():
    x, c = keras.Input((4, 2)), keras.Input((3,))
    init = tf.unstack(tf.expand_dims(layers.Dense(5, kernel_initializer="ones")(c), 0), axis=0)
    h = layers.GRU(5, kernel_initializer="zeros", recurrent_initializer="zeros",
                   bias_initializer="zeros")(x, initial_state=init)
    y = keras.Model([x, c], h).predict([np.ones((2, 4, 2), np.float32), X], verbose=0)
    # zero weights: z = r = sigmoid(0) = 1/2 and the candidate is 0, so each step halves the
    # state; h0 = the condition's row sum (2, -0.5) -> h4 = h0 / 16 (Keras 2's 0.125, -0.03125)
    np.testing.assert_allclose(y, np.repeat([[2.0 / 16], [-0.5 / 16]], 5, axis=1), rtol=1e-6)


# ---- a Sequential with no input shape fit on a list of arrays of different shapes: the first
#      layer takes the list, as tf_keras calls a deferred Sequential on nested inputs
#      (cond_rnn's examples: Sequential([ConditionalRNN(...), Dense(...)]).fit([x, c], y)) ----

class _Cond(layers.Layer):
    def call(self, inputs):
        x, c = inputs
        return tf.concat([tf.reduce_mean(x, axis=1), c], axis=-1)


def test_sequential_fit_on_a_list_of_inputs():
    xs = np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 10
    cs = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    m = keras.Sequential([_Cond(), layers.Dense(1, kernel_initializer="ones")])
    m.compile("sgd", "mse")
    h = m.fit([xs, cs], np.zeros((2, 1)), epochs=1, verbose=0, shuffle=False)
    feats = np.concatenate([xs.mean(axis=1), cs], axis=1)  # (2, 5)
    pred = feats.sum(axis=1)  # all-ones kernel, zero bias: 2.65 and 6.25
    np.testing.assert_allclose(h.history["loss"], [np.mean(pred ** 2)], rtol=1e-6)  # 23.0425
    # one SGD step (lr 0.01) on mse: kernel and bias move by -0.01 * 2/N * sum(pred * feats)
    w = 1.0 - 0.01 * (pred[:, None] * feats).sum(axis=0)
    b = -0.01 * pred.sum()
    np.testing.assert_allclose(m.predict([xs, cs], verbose=0).ravel(), feats @ w + b, rtol=1e-5)
    # Keras 2's: [2.328202486, 5.445981979]
    np.testing.assert_allclose(feats @ w + b, [2.328202486, 5.445981979], rtol=1e-6)


def test_sequential_fit_on_a_ragged_list_still_raises():
    m = keras.Sequential([layers.Dense(1)])
    m.compile("sgd", "mse")
    with pytest.raises(ValueError, match="rectangular"):
        m.fit([[1.0, 2.0], [3.0]], np.zeros((2, 1)), verbose=0)


# ---- max / min over no elements are TensorFlow's -inf / +inf (the integer dtype's extremes),
#      of the reduced shape; a while_loop carries a TensorArray (keras-yolo3's yolo_loss takes
#      K.max of the IoUs with an image's zero true boxes in a tf.while_loop over the batch) ----

def test_max_min_over_an_empty_axis():
    e = np.zeros((2, 3, 0), np.float32)
    np.testing.assert_array_equal(K.max(e, axis=-1).numpy(), np.full((2, 3), -np.inf))
    np.testing.assert_array_equal(K.min(e, axis=-1).numpy(), np.full((2, 3), np.inf))
    assert tuple(K.max(e, axis=-1, keepdims=True).shape) == (2, 3, 1)  # TensorFlow's
    assert float(K.max(e).numpy()) == -np.inf
    assert float(tf.reduce_max(e).numpy()) == -np.inf
    np.testing.assert_array_equal(K.max(np.zeros((2, 0), np.int32), axis=-1).numpy(),
                                  [-2147483648, -2147483648])  # TensorFlow's
    np.testing.assert_array_equal(K.min(np.zeros((2, 0), np.int32), axis=-1).numpy(),
                                  [2147483647, 2147483647])
    assert tuple(K.max(np.zeros((2, 0, 3), np.float32), axis=1).shape) == (2, 3)


def test_while_loop_with_a_tensor_array():
    ta = tf.TensorArray(tf.float32, size=1, dynamic_size=True)
    _, ta = tf.while_loop(lambda b, *a: b < 3,
                          lambda b, ta: (b + 1, ta.write(b, tf.cast(b, tf.float32) * 2.0)),
                          [0, ta])
    np.testing.assert_array_equal(ta.stack().numpy(), [0.0, 2.0, 4.0])  # TensorFlow's


# ---- HDF5 weight names that would collide (keras-tcn's residual blocks each build a
#      `conv1D_0` under K.name_scope) are the path of layers down to the owner, as TensorFlow's
#      scopes name them; save_weights failed on the duplicate dataset ----

class _Block(layers.Layer):
    def build(self, input_shape):
        with K.name_scope(self.name):
            with K.name_scope("conv"):
                self.conv = layers.Dense(2, name="conv")
                self.conv.build(input_shape)
        super().build(input_shape)

    def call(self, x):
        return self.conv(x)


class _Stack(layers.Layer):
    def build(self, input_shape):
        self.blocks = [_Block(name=f"block_{i}") for i in range(2)]
        shape = tuple(input_shape)
        for b in self.blocks:
            b.build(shape)
            shape = shape[:-1] + (2,)

    def call(self, x):
        for b in self.blocks:
            x = b(x)
        return x


def test_h5_names_of_same_named_nested_layers(tmp_path):
    import h5py
    m = keras.Sequential([_Stack(name="stack", input_shape=(3,))])
    m.save_weights(str(tmp_path / "w.h5"))
    with h5py.File(tmp_path / "w.h5") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["stack"].attrs["weight_names"]]
    assert names == ["stack/block_0/conv/kernel:0", "stack/block_0/conv/bias:0",
                     "stack/block_1/conv/kernel:0", "stack/block_1/conv/bias:0"]  # Keras 2's
    m2 = keras.Sequential([_Stack(name="stack", input_shape=(3,))])
    m2.load_weights(str(tmp_path / "w.h5"))
    np.testing.assert_array_equal(m2.predict(X, verbose=0), m.predict(X, verbose=0))
