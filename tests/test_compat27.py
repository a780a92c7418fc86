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


# ---- 2. a custom layer / subclassed model without get_config (Note [automatic config]) --------

class Scale(L.Layer):  # gen_compat27_refs.py's classes
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor


class Times(L.Layer):
    def __init__(self, n, **kw):
        super().__init__(**kw)
        self.n = n

    def call(self, x):
        return x * self.n


class Table(L.Layer):
    def __init__(self, table):
        super().__init__()
        self.table = table

    def call(self, x):
        return x


class Prep(keras.Model):  # corpus30's FeaturePreprocessor(Model): *args, **kwargs
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.d = L.Dense(2, name="inner")

    def call(self, inputs):
        return self.d(inputs)


class Holder(keras.Model):  # a subclassed model given an argument no config holds
    def __init__(self, table):
        super().__init__()
        self.table = table
        self.d = L.Dense(2)

    def call(self, x):
        return self.d(x)


def test_automatic_config_of_a_custom_layer_is_tf_keras():
    # tf_keras 2.21: {'name': 'scale', 'trainable': True, 'dtype': 'float32', 'factor': 2.0};
    # with **kw (not **kwargs) the base keys go: {'n': 3}
    s = Scale(2.0, name="scale_c27")
    assert s.get_config() == {"name": "scale_c27", "trainable": True, "dtype": "float32",
                              "factor": 2.0}
    assert Times(3).get_config() == {"n": 3}
    with pytest.raises(NotImplementedError, match="Layer Table was created by passing\n"
                                                  "non-serializable argument values"):
        Table({"k": np.ones(2)}).get_config()


def _custom_model():
    inp = keras.Input((3,))
    return keras.Model(inp, L.Dense(1)(Times(3)(Scale(2.0)(Prep()(inp)))))


@pytest.mark.parametrize("fn", ["m.h5", "m.keras", "saved_dir"])
def test_functional_model_holding_a_subclassed_model_saves_and_loads(tmp_path, fn):
    m = _custom_model()
    x = np.arange(6, dtype="float32").reshape(2, 3)
    y = m.predict(x, verbose=0)
    p = str(tmp_path / fn)
    m.save(p)
    r = keras.models.load_model(p, custom_objects={"Scale": Scale, "Times": Times, "Prep": Prep})
    np.testing.assert_allclose(r.predict(x, verbose=0), y, rtol=1e-6)
    for w in m.weights:
        w.assign(np.zeros(w.shape, "float32"))
    m.load_weights(p)
    np.testing.assert_allclose(m.predict(x, verbose=0), y, rtol=1e-6)


def test_a_layer_without_a_config_refuses_save_but_save_weights_works(tmp_path):
    inp = keras.Input((3,))
    m = keras.Model(inp, L.Dense(2)(Table({"k": np.ones(2)})(inp)))
    for fn in ("t.h5", "t.keras"):
        with pytest.raises(NotImplementedError,
                           match="(?s)Layer Table .*override `get_config\\(\\)`"):
            m.save(str(tmp_path / fn))
        assert not (tmp_path / fn).exists()
    want = [w.numpy().copy() for w in m.weights]
    m.save_weights(str(tmp_path / "t_weights.h5"))
    for w in m.weights:
        w.assign(np.zeros(w.shape, "float32"))
    m.load_weights(str(tmp_path / "t_weights.h5"))
    for w, v in zip(m.weights, want):
        np.testing.assert_array_equal(w.numpy(), v)


def test_a_nested_subclassed_model_without_a_config_is_written_empty_with_a_warning(tmp_path):
    inp = keras.Input((3,))
    m = keras.Model(inp, L.Dense(1)(Holder({"k": np.ones(2)})(inp)))
    with pytest.warns(UserWarning, match="non-serializable objects"):
        cfg = m.get_config()
    assert [e["config"] for e in cfg["layers"] if e["class_name"] == "Holder"] == [{}]
    with pytest.warns(UserWarning, match="non-serializable objects"):
        m.save(str(tmp_path / "h.h5"))
    x = np.ones((2, 3), "float32")
    y = m.predict(x, verbose=0)
    for w in m.weights:
        w.assign(np.zeros(w.shape, "float32"))
    m.load_weights(str(tmp_path / "h.h5"))
    np.testing.assert_allclose(m.predict(x, verbose=0), y, rtol=1e-6)


# ---- 3. fit / evaluate / predict's default verbose ----------------------------------------------

def test_verbose_defaults_are_tf_keras():
    import inspect

    def default(name):
        p = inspect.signature(getattr(keras.Model, name)).parameters
        return p["verbose"].default if "verbose" in p else None
    # tf_keras 2.21 (gen_compat27_refs.py, section 3)
    assert [default(n) for n in ("fit", "evaluate", "predict", "predict_on_batch",
                                 "fit_generator", "evaluate_generator", "predict_generator")] \
        == ["auto", "auto", "auto", None, 1, 0, 0]


def test_predict_prints_a_bar_by_default(capsys):
    m = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    x = np.ones((70, 2), "float32")
    for kw, want in (({}, "3/3 [==============================]"),
                     ({"verbose": "auto"}, "3/3 [==============================]"),
                     ({"verbose": 2}, "3/3 - ")):
        m.predict(x, **kw)
        out = capsys.readouterr().out
        assert want in out and out.count("\n") == 1, (kw, out)
    m.predict(x, verbose=0)
    m.predict_on_batch(x)
    assert capsys.readouterr().out == ""


def test_fit_and_evaluate_auto_is_a_bar(capsys):
    m = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    m.compile("sgd", "mse")
    x, y = np.ones((40, 2), "float32"), np.zeros((40, 1), "float32")
    m.fit(x, y, epochs=1)
    assert "2/2 [==============================]" in capsys.readouterr().out
    m.evaluate(x, y, verbose="auto")
    assert "2/2 [==============================]" in capsys.readouterr().out


# ---- 4. the version strings (Note [version strings]) --------------------------------------------

def test_one_module_one_version_the_packages():
    import re
    root = os.path.join(os.path.dirname(__file__), "..", "pyproject.toml")
    want = re.search(r'^version = "([^"]+)"', open(root).read(), re.M).group(1)
    assert keras is tf and tf.keras is tf
    assert tf.__version__ == want and tf.version.VERSION == want
