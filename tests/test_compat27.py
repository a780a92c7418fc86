"""Keras 2 behaviours earlier sessions left open (session 27): the recurrent layers' weight
names, saving a model holding a custom layer without get_config, predict's default verbose,
and the version strings. Expected figures and names were printed by tf_keras 2.21
(tools/gen_compat27_refs.py, which also wrote tests/data/keras_h5/rnn_names.h5/.npz)."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

L = keras.layers
DATA = os.path.join(os.path.dirname(__file__), "data", "keras_h5")

# tf_keras 2.21's names of rnn_model()'s weights (gen_compat27_refs.py, section 1)
RNN_NAMES = [
    'lstm/lstm_cell/kernel:0',
    'lstm/lstm_cell/recurrent_kernel:0',
    'lstm/lstm_cell/bias:0',
    'gru/gru_cell/kernel:0',
    'gru/gru_cell/recurrent_kernel:0',
    'gru/gru_cell/bias:0',
    'bidirectional/forward_lstm_b/lstm_cell/kernel:0',
    'bidirectional/forward_lstm_b/lstm_cell/recurrent_kernel:0',
    'bidirectional/forward_lstm_b/lstm_cell/bias:0',
    'bidirectional/backward_lstm_b/lstm_cell/kernel:0',
    'bidirectional/backward_lstm_b/lstm_cell/recurrent_kernel:0',
    'bidirectional/backward_lstm_b/lstm_cell/bias:0',
    'time_distributed/kernel:0',
    'time_distributed/bias:0',
    'rnn/stacked_rnn_cells/lstm_cell_a/kernel:0',
    'rnn/stacked_rnn_cells/lstm_cell_a/recurrent_kernel:0',
    'rnn/stacked_rnn_cells/lstm_cell_a/bias:0',
    'rnn/stacked_rnn_cells/gru_cell_b/kernel:0',
    'rnn/stacked_rnn_cells/gru_cell_b/recurrent_kernel:0',
    'rnn/stacked_rnn_cells/gru_cell_b/bias:0',
    'simple_rnn/simple_rnn_cell/kernel:0',
    'simple_rnn/simple_rnn_cell/recurrent_kernel:0',
    'simple_rnn/simple_rnn_cell/bias:0',
    'out/kernel:0',
    'out/bias:0',
]


def rnn_model():
    """gen_compat27_refs.py's rnn_model, layer for layer."""
    keras.backend.clear_session()  # the auto-named StackedRNNCells: stacked_rnn_cells
    inp = keras.Input((5, 3), name="seq")
    a = L.LSTM(4, return_sequences=True, name="lstm")(inp)
    b = L.GRU(3, return_sequences=True, name="gru")(a)
    c = L.Bidirectional(L.LSTM(2, return_sequences=True, name="lstm_b"), name="bidirectional")(b)
    d = L.TimeDistributed(L.Dense(3, name="dense_td"), name="time_distributed")(c)
    e = L.RNN([L.LSTMCell(2, name="lstm_cell_a"), L.GRUCell(2, name="gru_cell_b")],
              return_sequences=True, name="rnn")(d)
    f = L.SimpleRNN(2, name="simple_rnn")(e)
    return keras.Model(inp, L.Dense(1, name="out")(f))


# ---- 1. the recurrent layers' weight names (Note [weight names]) ------------------------------

def test_recurrent_and_wrapper_weight_names_are_tf_keras_names():
    assert [w.name for w in rnn_model().weights] == RNN_NAMES


@pytest.mark.parametrize("make, want", [
    (lambda: L.LSTM(3, name="enc"), ["enc/lstm_cell/kernel:0", "enc/lstm_cell/recurrent_kernel:0",
                                     "enc/lstm_cell/bias:0"]),
    (lambda: L.GRU(3, reset_after=False, name="g"), ["g/gru_cell/kernel:0",
                                                     "g/gru_cell/recurrent_kernel:0",
                                                     "g/gru_cell/bias:0"]),
    (lambda: L.RNN(L.SimpleRNNCell(3, name="c"), name="r"), ["r/c/kernel:0",
                                                             "r/c/recurrent_kernel:0",
                                                             "r/c/bias:0"]),
    (lambda: L.SimpleRNN(3, use_bias=False, name="s"), ["s/simple_rnn_cell/kernel:0",
                                                        "s/simple_rnn_cell/recurrent_kernel:0"]),
])
def test_single_recurrent_layer_names(make, want):
    layer = make()
    keras.Sequential([keras.Input((4, 2)), layer])
    assert [w.name for w in layer.weights] == want


def test_conv_lstm_and_cudnn_layers_keep_their_cell_less_names():
    # tf_keras 2.21: conv_lstm2d/kernel:0 (no cell scope); Keras 2.2's CuDNNLSTM had no cell
    conv = L.ConvLSTM2D(2, 3, name="conv_lstm2d")
    keras.Sequential([keras.Input((4, 5, 5, 1)), conv])
    assert [w.name for w in conv.weights] == ["conv_lstm2d/kernel:0",
                                              "conv_lstm2d/recurrent_kernel:0",
                                              "conv_lstm2d/bias:0"]
    cu = L.CuDNNLSTM(2, name="cu")
    keras.Sequential([keras.Input((4, 2)), cu])
    assert [w.name for w in cu.weights] == ["cu/kernel:0", "cu/recurrent_kernel:0", "cu/bias:0"]


def test_bidirectional_with_a_given_backward_layer_names_it_backward_():
    fw = L.LSTM(2, return_sequences=True, name="f")
    bw = L.LSTM(2, return_sequences=True, go_backwards=True, name="b")
    bi = L.Bidirectional(fw, backward_layer=bw, name="bi")
    keras.Sequential([keras.Input((4, 2)), bi])
    assert [w.name for w in bi.weights][::3] == ["bi/forward_f/lstm_cell/kernel:0",
                                                 "bi/backward_b/lstm_cell/kernel:0"]


def test_weights_built_after_a_failed_build_are_not_scoped():
    # the scope closes on an exception: a Dense built next is named by itself
    bad = L.LSTM(2, name="bad")
    with pytest.raises(ValueError):
        bad.build((3, 2))  # not 3-D
    d = L.Dense(2, name="plain")
    d.build((None, 3))
    assert d.kernel.name == "plain/kernel:0"


h5py = pytest.importorskip("h5py")


def _h5_weight_names(path):
    from tensorforge.saving.hdf5_format import _attr_list
    with h5py.File(path, "r") as f:
        g = f["model_weights"] if "model_weights" in f else f
        return [n for lname in _attr_list(g, "layer_names")
                for n in _attr_list(g[lname], "weight_names")]


def test_tf_keras_rnn_file_loads_and_names_match():
    z = np.load(os.path.join(DATA, "rnn_names.npz"))
    path = os.path.join(DATA, "rnn_names.h5")
    assert sorted(_h5_weight_names(path)) == sorted(RNN_NAMES)
    m = keras.models.load_model(path)
    np.testing.assert_allclose(m.predict(z["x"], verbose=0), z["y"], rtol=1e-5, atol=1e-6)
    assert [w.name for w in m.weights] == RNN_NAMES
    for by_name in (False, True):
        fresh = rnn_model()
        fresh.load_weights(path, by_name=by_name)
        np.testing.assert_allclose(fresh.predict(z["x"], verbose=0), z["y"], rtol=1e-5,
                                   atol=1e-6)


def test_our_h5_stores_weights_at_tf_keras_paths(tmp_path):
    m = rnn_model()
    p = str(tmp_path / "rnn_names.h5")
    m.save(p)
    assert sorted(_h5_weight_names(p)) == sorted(RNN_NAMES)
    with h5py.File(p, "r") as f:  # the dataset at the path its name spells, as tf_keras
        np.testing.assert_array_equal(
            f["model_weights/bidirectional/bidirectional/backward_lstm_b/lstm_cell/bias:0"],
            m.get_layer("bidirectional").backward_layer.bias.numpy())
    # and the file round-trips (by topology and by name)
    x = np.random.default_rng(1).standard_normal((2, 5, 3)).astype("float32")
    for by_name in (False, True):
        fresh = rnn_model()
        fresh.load_weights(p, by_name=by_name)
        np.testing.assert_allclose(fresh.predict(x, verbose=0), m.predict(x, verbose=0),
                                   rtol=1e-6, atol=1e-7)
