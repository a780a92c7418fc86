"""What the second corpus of Keras 2 programs needed (issue 12), against figures generated once
from real Keras 2 (tf_keras) by tools/keras_corpus2_refs.py (tests/data/keras_corpus2_refs.*):
the generic RNN layer and the cells, RandomFourierFeatures, MultiHeadAttention's automatic
padding masks, the mask metadata (``_keras_mask``) and train_on_batch / test_on_batch with
reset_metrics=False."""
import json
import os

import numpy as np
import pytest

import tensorforge as keras
from tensorforge import backend as K
from tensorforge import layers
from tensorforge.autograd import Tensor
from tfhelpers import to_numpy

DATA = os.path.join(os.path.dirname(__file__), "data")
with open(os.path.join(DATA, "keras_corpus2_refs.json")) as _f:
    META = json.load(_f)
REF = np.load(os.path.join(DATA, "keras_corpus2_refs.npz"))


def _close(got, ref, what):
    tol = 5e-5 * max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(to_numpy(got), ref, atol=tol, rtol=2e-4, err_msg=what)


class MinimalRNNCell(keras.layers.Layer):
    """Keras 2's RNN docstring example cell, as the generating tool defines it."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super(MinimalRNNCell, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer='uniform', name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = K.dot(inputs, self.kernel)
        output = h + K.dot(prev_output, self.recurrent_kernel)
        return output, [output]


_CELLS = {
    "rnn_lstm": lambda: layers.LSTMCell(4),
    "rnn_lstm_seq_mask": lambda: layers.LSTMCell(3),
    "rnn_gru_state": lambda: layers.GRUCell(3),
    "rnn_gru_v1_back": lambda: layers.GRUCell(2, reset_after=False),
    "rnn_simple_relu": lambda: layers.SimpleRNNCell(5, activation="relu"),
    "rnn_stacked": lambda: [layers.LSTMCell(3), layers.GRUCell(2)],
    "rnn_minimal": lambda: MinimalRNNCell(4),
}


@pytest.mark.parametrize("name", sorted(k for k in META if k.startswith("rnn_")))
def test_rnn_over_cells_matches_keras(name):
    meta = META[name]
    layer = layers.RNN(_CELLS[name](), **meta["rnn_kwargs"])
    x = Tensor(REF[f"{name}/x"], requires_grad=True)
    mask = REF[f"{name}/mask"] if meta["masked"] else None
    layer(Tensor(REF[f"{name}/x"]))  # builds
    assert [list(w.shape) for w in layer.get_weights()] == meta["weight_shapes"]
    assert layer.count_params() == meta["count_params"]
    layer.set_weights([REF[f"{name}/w{i}"] for i in range(len(meta["weight_shapes"]))])
    out = layer(x, mask=mask)
    outs = out if isinstance(out, list) else [out]
    assert [list(o.shape) for o in outs] == meta["output_shapes"]
    for i, o in enumerate(outs):
        _close(o.numpy(), REF[f"{name}/y{i}"], f"{name} output {i}")
    (outs[0] * Tensor(REF[f"{name}/r"])).sum().backward()
    _close(x.grad, REF[f"{name}/gx"], f"{name} d/dx")
    for i, w in enumerate(layer.trainable_weights):
        _close(w.grad, REF[f"{name}/gw{i}"], f"{name} d/dw{i}")


def test_rnn_of_a_builtin_cell_exchanges_weights_with_the_layer():
    """The Keras 2 RNN guide copies LSTM(u)'s weights into RNN(LSTMCell(u)): same shapes and
    order, same function (the fused op and the cell's step loop agree)."""
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32)
    for fused, cell in ((layers.LSTM(5), layers.LSTMCell(5)), (layers.GRU(4), layers.GRUCell(4)),
                        (layers.SimpleRNN(3), layers.SimpleRNNCell(3))):
        a = keras.Sequential([layers.Input(shape=(None, 3)), fused])
        b = keras.Sequential([layers.Input(shape=(None, 3)), layers.RNN(cell)])
        b.set_weights(a.get_weights())
        _close(b.predict(x, verbose=0), a.predict(x, verbose=0), type(cell).__name__)
        # the generic step loop (a dropout cell in training takes it) gives the same function
        c = layers.RNN(type(cell).from_config(cell.get_config()))
        c(x)
        c.set_weights(a.get_weights())
        _close(c._loop(Tensor(x), None, None, False)[1].numpy(), a.predict(x, verbose=0),
               type(cell).__name__ + " step loop")


def test_rnn_functional_return_state_stateful_and_config():
    inp = layers.Input(shape=(None, 3))
    y, h, c = layers.RNN(layers.LSTMCell(4), return_state=True)(inp)
    assert (y.shape, h.shape, c.shape) == ((None, 4), (None, 4), (None, 4))
    out = layers.RNN(layers.GRUCell(2))(inp, initial_state=None)
    assert out.shape == (None, 2)
    model = keras.Model(inp, [y, out])
    x = np.ones((2, 5, 3), np.float32)
    assert [o.shape for o in model.predict(x, verbose=0)] == [(2, 4), (2, 2)]
    st = layers.RNN(layers.SimpleRNNCell(3), stateful=True)
    a = st(x).numpy()
    b = st(x).numpy()  # starts from the carried state
    assert not np.allclose(a, b)
    st.reset_states()
    np.testing.assert_allclose(st(x).numpy(), a, rtol=1e-6)
    cfg = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_sequences=True).get_config()
    again = layers.RNN.from_config(cfg)
    assert [type(c).__name__ for c in again.cell.cells] == ["LSTMCell", "GRUCell"]
    assert again.return_sequences


def test_rnn_bad_input_names_the_layer():
    with pytest.raises(ValueError, match="cell must have a call method"):
        layers.RNN(object())
    layer = layers.RNN(layers.LSTMCell(2), name="myrnn")
    with pytest.raises(ValueError, match="myrnn"):
        layer(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="initial_state"):
        layer(np.ones((2, 3, 4), np.float32), initial_state=[np.zeros((2, 2), np.float32)])


@pytest.mark.parametrize("name", ["rff_gaussian", "rff_laplacian_scale"])
def test_random_fourier_features_matches_keras(name):
    from tensorforge.layers.experimental import RandomFourierFeatures
    meta = META[name]
    layer = RandomFourierFeatures(**{k: v for k, v in meta["config"].items() if k != "trainable"})
    x = REF[f"{name}/x"]
    layer(x)
    assert [list(w.shape) for w in layer.get_weights()] == meta["weight_shapes"]
    assert layer.trainable == meta["layer_trainable"]
    # Keras 2's names end in ":0", which the reference script strips
    assert [w.name.split("/")[-1] for w in layer.weights] == [n + ":0" for n in meta["weight_names"]]
    ks = meta["weight_names"].index("kernel_scale")
    assert layer.get_weights()[ks][0] == pytest.approx(meta["kernel_scale"], rel=1e-6)
    assert [w.requires_grad for w in layer.weights] == meta["trainable"]
    cfg = layer.get_config()
    assert {k: cfg[k] for k in meta["config"]} == pytest.approx(meta["config"]) or \
        {k: cfg[k] for k in meta["config"]} == meta["config"]
    layer.set_weights([REF[f"{name}/w{i}"] for i in range(3)])
    _close(layer(x).numpy(), REF[f"{name}/y"], name)


def test_random_fourier_features_parameter_counts_and_errors():
    from tensorforge.layers.experimental import RandomFourierFeatures
    model = keras.Sequential([keras.Input(shape=(784,)),
                              RandomFourierFeatures(output_dim=4096, scale=10.0,
                                                    kernel_initializer="gaussian"),
                              layers.Dense(units=10)])
    meta = META["rff_quasi_svm"]
    assert model.count_params() == meta["count_params"]
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == meta["trainable"]
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == \
        meta["non_trainable"]
    with pytest.raises(ValueError, match="output_dim"):
        RandomFourierFeatures(0)
    with pytest.raises(ValueError, match="kernel_initializer"):
        RandomFourierFeatures(4, kernel_initializer="cosine")
    with pytest.raises(ValueError, match="scale"):
        RandomFourierFeatures(4, scale=-1.0)


@pytest.mark.parametrize("name", ["mha_auto_self", "mha_auto_cross"])
def test_multi_head_attention_uses_the_inputs_padding_masks(name):
    meta = META[name]
    q_in = keras.Input(shape=(None,), dtype="int32")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    q = layers.Embedding(10, 6, mask_zero=True)(q_in)
    if meta["cross"]:
        v_in = keras.Input(shape=(None,), dtype="int32")
        v = layers.Embedding(10, 6, mask_zero=True)(v_in)
        model = keras.Model([q_in, v_in], mha(q, v))
        feeds = [REF[f"{name}/ids0"], REF[f"{name}/ids1"]]
    else:
        model = keras.Model(q_in, mha(q, q))
        feeds = [REF[f"{name}/ids0"]]
    model.predict(feeds, verbose=0)
    assert [list(w.shape) for w in model.get_weights()] == meta["weight_shapes"]
    model.set_weights([REF[f"{name}/w{i}"] for i in range(len(meta["weight_shapes"]))])
    _close(model.predict(feeds, verbose=0), REF[f"{name}/y"], name)
    assert mha.supports_masking == meta["supports_masking"]


def test_mask_metadata_eager_and_symbolic():
    """Keras 2's ``_keras_mask``: on a mask-making layer's eager output, passed on implicitly
    to the next layer called without mask=, and present on symbolic outputs."""
    ids = np.array([[3, 1, 0], [2, 0, 0]])
    emb = layers.Embedding(5, 4, mask_zero=True)
    y = emb(ids)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), ids != 0)
    lstm = layers.LSTM(2, return_sequences=True)
    explicit = lstm(y, mask=ids != 0).numpy()
    np.testing.assert_allclose(lstm(y).numpy(), explicit, rtol=1e-6)  # the implicit mask
    assert not np.allclose(lstm(Tensor(y.numpy())).numpy(), explicit)  # a bare tensor: none
    inp = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(5, 4, mask_zero=True)(inp)
    assert x._keras_mask.shape == (None, None) and x._keras_mask.dtype == np.dtype(bool)
    assert getattr(layers.Dense(3)(keras.Input(shape=(4,))), "_keras_mask", None) is None
    assert getattr(layers.LSTM(2)(x), "_keras_mask", None) is None  # no sequence: no mask
    assert layers.LSTM(2, return_sequences=True)(x)._keras_mask.shape == (None, None)


def _batch_model(two):
    inp = keras.Input(shape=(4,))
    h = layers.Dense(5, activation="tanh")(inp)
    out1 = layers.Dense(3, activation="softmax", name="cls")(h)
    out2 = layers.Dense(1, name="reg")(h)
    model = keras.Model(inp, [out1, out2] if two else out1)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0),
                  loss=(["sparse_categorical_crossentropy", "mse"] if two
                        else "sparse_categorical_crossentropy"),
                  metrics=(["accuracy"] if not two else {"cls": ["accuracy"]}),
                  weighted_metrics=(["accuracy"] if not two else None))
    model.set_weights([REF[f"batch/w{i}"] for i in range(len(model.get_weights()))])
    return model


@pytest.mark.parametrize("name", ["batch_one", "batch_two"])
def test_train_and_test_on_batch_reset_metrics(name):
    two = name == "batch_two"
    model = _batch_model(two)
    meta = META[name]
    assert model.metrics_names == []  # tf_keras 2: none before the first train / test call
    for c in meta["calls"]:
        if c["batch"] == 0:
            model.reset_metrics()
        i = c["batch"]
        y = REF[f"batch/y{i}"]
        y = [y, y.astype(np.float32)[:, None]] if two else y
        sw = None if two else REF[f"batch/sw{i}"]
        fn = model.train_on_batch if c["call"] == "train" else model.test_on_batch
        got = fn(REF[f"batch/x{i}"], y, sample_weight=sw, reset_metrics=c["reset_metrics"])
        got = got if isinstance(got, list) else [got]
        np.testing.assert_allclose(got, c["values"], rtol=2e-5, atol=1e-6,
                                   err_msg=f"{name} {c}")
    assert model.metrics_names == meta["metrics_names"]  # (recorded after the calls)


@pytest.mark.parametrize("name", sorted(k for k in META if k.startswith("kconv")))
def test_backend_conv1d_conv2d_match_keras(name):
    meta = META[name]
    y = getattr(K, meta["fn"])(REF[f"{name}/x"], REF[f"{name}/k"], **meta["kwargs"])
    _close(y.numpy(), REF[f"{name}/y"], name)


def test_backend_conv_bad_arguments_name_the_function():
    x = np.ones((2, 5, 3), np.float32)
    with pytest.raises(ValueError, match="conv1d: x has 3 channels"):
        K.conv1d(x, np.ones((3, 4, 2), np.float32))
    with pytest.raises(ValueError, match="conv1d: padding"):
        K.conv1d(x, np.ones((3, 3, 2), np.float32), padding="full")
    with pytest.raises(ValueError, match="conv2d: x and kernel must be 4-D"):
        K.conv2d(x, np.ones((3, 3, 3, 2), np.float32))


def test_backend_name():
    assert K.backend() == "tensorforge"  # Keras 2 programs test it against 'theano' / 'tensorflow'


def test_training_given_an_array_runs_in_inference_mode_with_a_warning():
    """Keras 2's masking guide calls ``model(ids, array)``: the array binds to ``training``,
    which Keras 2 hands on unused by those layers; here it is inference mode, said aloud."""
    inp = keras.Input(shape=(None,), dtype="int32")
    model = keras.Model(inp, layers.Dense(1)(layers.Embedding(10, 4, mask_zero=True)(inp)))
    ids = np.random.default_rng(0).integers(0, 10, (3, 5))
    with pytest.warns(UserWarning, match="not a boolean"):
        y = model(ids, np.ones((3, 5, 1)))
    np.testing.assert_allclose(y.numpy(), model.predict(ids, verbose=0), rtol=1e-6)
