"""Keras 2.0-2.2's legacy layers (layers/legacy.py): Merge / merge (Note [Keras 2.0 Merge]),
MaxoutDense, Highway, the Recurrent base class and _time_distributed_dense. tf_keras has none of
them, so the expected values are worked out here with NumPy from the layers' Keras 2 formulas."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K
from tensorforge.keras.layers import Dense, Input, SimpleRNN

pytestmark = pytest.mark.filterwarnings(
    "ignore:The `(Merge|merge|MaxoutDense|Highway)`:UserWarning")

rng = np.random.default_rng(7)
A = rng.standard_normal((4, 5)).astype(np.float32)
B = rng.standard_normal((4, 5)).astype(np.float32)


def _merged(mode, a=A, b=B, **kw):
    from tensorforge.keras.layers import merge
    ia, ib = Input(shape=a.shape[1:]), Input(shape=b.shape[1:])
    m = keras.Model([ia, ib], merge([ia, ib], mode=mode, **kw))
    return m, m.predict([a, b], verbose=0)


@pytest.mark.parametrize("mode,expect", [
    ("sum", A + B), ("mul", A * B), ("ave", (A + B) / 2), ("max", np.maximum(A, B)),
    ("concat", np.concatenate([A, B], axis=-1)),
    ("dot", np.sum(A * B, axis=1, keepdims=True)),
    ("cos", np.sum(A * B, axis=1, keepdims=True)
     / np.sqrt(np.sum(A * A, axis=1, keepdims=True) * np.sum(B * B, axis=1, keepdims=True))),
])
def test_merge_modes_on_tensors(mode, expect):
    m, got = _merged(mode)
    assert m.output_shape == (None,) + expect.shape[1:]
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-6)


def test_merge_concat_axis_and_3d_dot():
    a3 = rng.standard_normal((3, 4, 5)).astype(np.float32)
    b3 = rng.standard_normal((3, 6, 5)).astype(np.float32)
    m, got = _merged("concat", a3, b3, concat_axis=1)
    assert m.output_shape == (None, 10, 5)
    np.testing.assert_allclose(got, np.concatenate([a3, b3], axis=1), rtol=1e-6)
    m, got = _merged("dot", a3, b3, dot_axes=[2, 2])
    assert m.output_shape == (None, 4, 6)
    np.testing.assert_allclose(got, np.einsum("bik,bjk->bij", a3, b3), rtol=1e-5, atol=1e-5)


def test_merge_function_mode_with_output_shape():
    m, got = _merged(lambda xs: xs[0] - xs[1], output_shape=(5,))
    assert m.output_shape == (None, 5)
    np.testing.assert_allclose(got, A - B, rtol=1e-6)


def test_merge_dot_axes_0_sums_over_the_batch_as_keras_2_0():
    # Gulli & Pal's skipgram: Keras 2.0's TensorFlow batch_dot of two 2-D tensors over axis 0
    from tensorforge.keras.layers.legacy import Merge
    layer = Merge(mode="dot", dot_axes=0)
    assert layer.compute_output_shape([(None, 5), (None, 5)]) == (5, 1)
    got = layer([keras.backend.constant(A), keras.backend.constant(B)])
    np.testing.assert_allclose(np.asarray(got), np.sum(A * B, axis=0)[:, None], rtol=1e-5)


def test_merge_errors():
    from tensorforge.keras.layers import Merge
    with pytest.raises(ValueError, match="Invalid merge mode: avg"):
        Merge(mode="avg")
    a, b = Input(shape=(5,)), Input(shape=(6,))
    with pytest.raises(ValueError, match="same output shape can be merged using sum"):
        Merge(mode="sum")([a, b])
    with pytest.raises(ValueError, match="Dimension incompatibility using dot mode: 5 != 6"):
        Merge(mode="dot", dot_axes=1)([a, b])
    with pytest.raises(ValueError, match="Merge must be called on a list of tensors"):
        Merge(mode="sum")([a])
    with pytest.raises(TypeError, match="at least 2 elements"):
        Merge([Dense(2)], mode="sum")


def _branch(units, seed):
    m = keras.Sequential()
    m.add(Dense(units, input_dim=3, activation="tanh",
                kernel_initializer=keras.initializers.glorot_uniform(seed=seed)))
    return m


def test_sequential_opening_with_merge_of_models_trains():
    from tensorforge.keras.layers import Merge
    left, right = _branch(4, 1), _branch(6, 2)
    model = keras.Sequential()
    model.add(Merge([left, right], mode="concat"))
    model.add(Dense(1, activation="sigmoid"))
    assert len(model.inputs) == 2 and model.input_shape == [(None, 3), (None, 3)]
    assert model.output_shape == (None, 1)
    assert model.layers[0].layers == [left, right]
    assert len(model.trainable_weights) == 6  # both branches' kernels and biases, then Dense's
    xl = rng.standard_normal((64, 3)).astype(np.float32)
    xr = rng.standard_normal((64, 3)).astype(np.float32)
    y = (xl[:, :1] + xr[:, 1:2] > 0).astype(np.float32)
    # the prediction is the merge of the branches' own predictions through the last Dense
    w, b = model.layers[1].get_weights()
    h = np.concatenate([left.predict(xl, verbose=0), right.predict(xr, verbose=0)], axis=1)
    np.testing.assert_allclose(model.predict([xl, xr], verbose=0),
                               1 / (1 + np.exp(-(h @ w + b))), rtol=1e-5, atol=1e-6)
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(0.5))
    before = left.get_weights()[0].copy()
    hist = model.fit([xl, xr], y, epochs=15, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert not np.allclose(left.get_weights()[0], before)  # the branch trains with the model
    with pytest.raises(NotImplementedError, match="save the weights"):
        model.get_config()


def test_layers_merge_is_the_module_and_keras_1_function():
    from tensorforge.keras.layers import merge
    from tensorforge.keras.layers.merge import Concatenate
    assert merge.Concatenate is Concatenate
    a, b = Input(shape=(2,)), Input(shape=(3,))
    out = merge([a, b], mode="concat", concat_axis=-1)
    assert tuple(out.shape) == (None, 5)
    from tensorforge.keras.layers.core import Merge
    from tensorforge.keras.layers import Merge as M2
    assert Merge is M2


def test_maxout_dense():
    from tensorforge.keras.layers import MaxoutDense
    layer = MaxoutDense(3, nb_feature=4, input_dim=5)
    out = layer(K.constant(A))
    W, b = layer.get_weights()
    assert W.shape == (4, 5, 3) and b.shape == (4, 3)
    np.testing.assert_allclose(np.asarray(out), (np.einsum("nd,kdo->nko", A, W) + b).max(axis=1),
                               rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 5)) == (None, 3)


def test_highway():
    from tensorforge.keras.layers import Highway
    layer = Highway(activation="relu")
    out = np.asarray(layer(K.constant(A)))
    W, W_carry, b, b_carry = (layer.W.numpy(), layer.W_carry.numpy(), layer.b.numpy(),
                              layer.b_carry.numpy())
    np.testing.assert_array_equal(b_carry, np.ones(5, np.float32))
    t = 1 / (1 + np.exp(-(A @ W_carry + b_carry)))
    np.testing.assert_allclose(out, np.maximum(A @ W + b, 0) * t + (1 - t) * A, rtol=1e-5,
                               atol=1e-6)


# ---- Recurrent --------------------------------------------------------------------------------
class ElmanRNN(keras.layers.recurrent.Recurrent):
    """A Keras 2.0-style recurrent layer: h_t = tanh(x_t W + h_{t-1} U + b)."""

    def __init__(self, units, **kwargs):
        self.units = units
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.states = [None]
        self.W = self.add_weight(shape=(input_shape[-1], self.units), name="W",
                                 initializer="glorot_uniform")
        self.U = self.add_weight(shape=(self.units, self.units), name="U",
                                 initializer="orthogonal")
        self.b = self.add_weight(shape=(self.units,), name="b", initializer="zeros")
        self.built = True

    def step(self, x, states):
        h = K.tanh(K.dot(x, self.W) + K.dot(states[0], self.U) + self.b)
        return h, [h]


def _elman_and_simple(**kw):
    x = Input(shape=(6, 3))
    ours = ElmanRNN(4, **kw)
    ref = SimpleRNN(4, **kw)
    m1, m2 = keras.Model(x, ours(x)), keras.Model(x, ref(x))
    ref.set_weights([w.numpy() for w in (ours.W, ours.U, ours.b)])
    return m1, m2


@pytest.mark.parametrize("kw", [{}, {"return_sequences": True}, {"go_backwards": True}])
def test_recurrent_subclass_matches_simple_rnn(kw):
    m1, m2 = _elman_and_simple(**kw)
    x = rng.standard_normal((5, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(m1.predict(x, verbose=0), m2.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)
    # and so do the gradients of a loss through it
    y = rng.standard_normal(m1.output_shape[1:]).astype(np.float32)[None].repeat(5, 0)
    grads = []
    for m in (m1, m2):
        with tf.GradientTape() as tape:
            loss = K.mean(keras.losses.mean_squared_error(y, m(x)))
        grads.append([np.asarray(g) for g in tape.gradient(loss, m.trainable_weights)])
    for g1, g2 in zip(*grads):
        np.testing.assert_allclose(g1, g2, rtol=1e-4, atol=1e-6)


def test_recurrent_return_state_mask_and_keras_2_0_initial_states():
    calls = []

    class WithInit(ElmanRNN):
        def get_initial_states(self, inputs):  # Keras 2.0's name
            calls.append(tuple(inputs.shape))
            return [K.ones_like(K.sum(inputs, axis=1)[:, :1]) * K.ones((1, self.units))]

    x = rng.standard_normal((2, 3, 3)).astype(np.float32)
    layer = WithInit(4, return_state=True)
    out, h = layer(K.constant(x))
    assert calls == [(2, 3, 3)]
    np.testing.assert_array_equal(np.asarray(out), np.asarray(h))
    # the same steps by hand from h0 = 1
    W, U, b = (layer.W.numpy(), layer.U.numpy(), layer.b.numpy())
    hh = np.ones((2, 4), np.float32)
    for t in range(3):
        hh = np.tanh(x[:, t] @ W + hh @ U + b)
    np.testing.assert_allclose(np.asarray(out), hh, rtol=1e-5, atol=1e-6)
    # a masked step carries the state (Keras 2 semantics)
    inp = Input(shape=(None, 3))
    masked = keras.layers.Masking(0.0)(inp)
    m = keras.Model(inp, ElmanRNN(4)(masked))
    xm = x.copy()
    xm[:, 2] = 0.0
    np.testing.assert_allclose(m.predict(xm, verbose=0), m.predict(xm[:, :2], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_recurrent_errors():
    with pytest.raises(NotImplementedError, match="stateful=True"):
        ElmanRNN(4, stateful=True)
    layer = keras.layers.Recurrent()
    layer.units, layer.states = 2, [None]
    with pytest.raises(NotImplementedError, match="step"):
        layer(K.constant(np.zeros((1, 2, 3), np.float32)))


def test_time_distributed_dense():
    from tensorforge.keras.layers.recurrent import _time_distributed_dense
    x = rng.standard_normal((2, 3, 5)).astype(np.float32)
    w = rng.standard_normal((5, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    got = _time_distributed_dense(K.constant(x), K.constant(w), b=K.constant(b), input_dim=5,
                                  timesteps=3, output_dim=4)
    np.testing.assert_allclose(np.asarray(got), x @ w + b, rtol=1e-5, atol=1e-6)


def test_peephole_lstm_cell_steps_as_written():
    # tf.keras 2.0-2.10's keras.experimental.PeepholeLSTMCell (gone from tf_keras 2.21): the
    # steps worked out with NumPy from its equations
    import tensorforge as tf
    cell = tf.keras.experimental.PeepholeLSTMCell(4)
    layer = keras.layers.RNN(cell, return_sequences=True)
    x = rng.standard_normal((2, 3, 5)).astype(np.float32)
    out = np.asarray(layer(x))
    k, rk, b, wi, wf, wo = [w.numpy() for w in layer.weights]
    assert wi.shape == wf.shape == wo.shape == (4,)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h, c = np.zeros((2, 4)), np.zeros((2, 4))
    for t in range(3):
        z = x[:, t] @ k + h @ rk + b
        i, f = sig(z[:, :4] + wi * c), sig(z[:, 4:8] + wf * c)
        c = f * c + i * np.tanh(z[:, 8:12])
        h = sig(z[:, 12:] + wo * c) * np.tanh(c)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-5, atol=1e-6)
