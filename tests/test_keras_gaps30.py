"""Keras 2 details closed in session 30: the ``training`` a call receives when nobody gives one,
Dense(0), the names of Bidirectional's layers. The figures were printed by
tools/keras_gaps30_refs.py under tf_keras 2.21."""
import os

import numpy as np
import pytest

from tensorforge import keras

L = keras.layers
ONES = np.ones((2, 3), "float32")
DATA = os.path.join(os.path.dirname(__file__), "data")


SEEN = []  # what the layers below received


class Rec(L.Layer):
    def call(self, x, training=None):
        SEEN.append(("rec", training))
        return x


class RecFalse(L.Layer):
    def call(self, x, training=False):
        SEEN.append(("rec_false", training))
        return x


def test_an_eager_call_nobody_gave_training_passes_the_calls_own_default():
    seen = []

    def f(x, training=None):
        seen.append(training)
        return x * 2

    L.Lambda(f)(ONES)
    L.Lambda(f)(ONES, training=True)
    assert seen == [None, True]  # tf_keras: None, True
    SEEN.clear()
    Rec()(ONES)
    RecFalse()(ONES)
    assert SEEN == [("rec", None), ("rec_false", False)]  # tf_keras


def test_model_call_nobody_gave_training_passes_each_layers_default():
    inp = keras.Input((3,))
    m = keras.Model(inp, RecFalse()(Rec()(inp)))
    SEEN.clear()
    m(ONES)
    assert SEEN == [("rec", None), ("rec_false", False)]  # tf_keras
    SEEN.clear()
    m(ONES, training=False)
    assert SEEN == [("rec", False), ("rec_false", False)]
    SEEN.clear()
    m(ONES, training=True)
    assert SEEN == [("rec", True), ("rec_false", True)]
    s = keras.Sequential([Rec()])
    s(ONES)
    SEEN.clear()
    s(ONES)
    assert SEEN == [("rec", None)]

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.r = Rec()

        def call(self, x, training=None):
            SEEN.append(("sub", training))
            return self.r(x)

    SEEN.clear()
    Sub()(ONES)
    assert SEEN == [("sub", None), ("rec", None)]  # tf_keras
    SEEN.clear()
    m.predict(ONES, verbose=0)  # fit / predict give it
    assert SEEN == [("rec", False), ("rec_false", False)]


def test_a_functional_models_lambda_sees_none_on_model_call():
    seen = []

    def f(x, training=None):
        seen.append(training)
        return x * 2

    inp = keras.Input((3,))
    m = keras.Model(inp, L.Lambda(f)(inp))
    seen.clear()
    np.testing.assert_array_equal(m(ONES).numpy(), 2 * ONES)
    assert seen == [None]  # tf_keras: [None]
    # layers that branch on training take None as inference, as in tf_keras
    d = keras.Sequential([keras.Input((3,)), L.Dropout(0.5), L.BatchNormalization()])
    np.testing.assert_allclose(d(ONES).numpy(), ONES / np.sqrt(1 + 1e-3), rtol=1e-6)


def test_dense_of_zero_units_is_a_zero_unit_layer():
    d = L.Dense(0)
    y = d(ONES)
    assert tuple(y.shape) == (2, 0)  # tf_keras: (2, 0), weights (3, 0) and (0,)
    assert [tuple(w.shape) for w in d.weights] == [(3, 0), (0,)]
    assert d.get_config()["units"] == 0
    inp = keras.Input((3,))
    m = keras.Model(inp, L.Dense(0)(inp))
    assert m.output_shape == (None, 0)
    assert m.predict(ONES, verbose=0).shape == (2, 0) and m.count_params() == 0
    assert tuple(L.Dense(0)(np.ones((2, 4, 3), "float32")).shape) == (2, 4, 0)
    assert L.Dense(0.4).units == 0  # tf_keras: int(0.4) units
    with pytest.raises(ValueError, match="Dense: units must be an integer >= 0, got -1"):
        L.Dense(-1)  # tf_keras: ValueError


def test_bidirectional_names_its_copies_forward_and_backward():
    seq = keras.Input((4, 3))
    lstm = L.LSTM(2, name="mylstm")
    b = L.Bidirectional(lstm)
    b(seq)
    # tf_keras: forward_mylstm backward_mylstm; the given layer untouched: mylstm, not built
    assert (b.forward_layer.name, b.backward_layer.name) == ("forward_mylstm", "backward_mylstm")
    assert lstm.name == "mylstm" and not lstm.built and b.forward_layer is not lstm
    assert b.get_config()["layer"]["config"]["name"] == "mylstm"
    assert [w.name for w in b.weights][::3] == [f"{b.name}/forward_mylstm/lstm_cell/kernel:0",
                                                f"{b.name}/backward_mylstm/lstm_cell/kernel:0"]
    fw, bw = L.LSTM(2, name="fw"), L.LSTM(2, go_backwards=True, name="bw")
    b3 = L.Bidirectional(fw, backward_layer=bw)
    b3(seq)
    # tf_keras: forward_fw backward_bw (the given backward layer itself renamed); config fw, bw
    assert (b3.forward_layer.name, b3.backward_layer.name) == ("forward_fw", "backward_bw")
    assert b3.backward_layer is bw
    cfg = b3.get_config()
    assert (cfg["layer"]["config"]["name"], cfg["backward_layer"]["config"]["name"]) == ("fw", "bw")
    b4 = L.Bidirectional.from_config(cfg)
    b4(seq)
    assert (b4.forward_layer.name, b4.backward_layer.name) == ("forward_fw", "backward_bw")


@pytest.mark.parametrize("ext", ["h5", "keras"])
def test_bidirectional_files_keep_the_given_names_and_reload(tmp_path, ext):
    inp = keras.Input((4, 3))
    fw, bw = L.LSTM(2, name="fw"), L.LSTM(2, go_backwards=True, name="bw")
    m = keras.Model(inp, L.Bidirectional(fw, backward_layer=bw, name="bi")(inp))
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(2, 4, 3)
    path = str(tmp_path / f"m.{ext}")
    m.save(path)
    r = keras.models.load_model(path)
    bi = r.get_layer("bi")
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_fw", "backward_bw")
    assert [w.name for w in r.weights] == [w.name for w in m.weights]
    np.testing.assert_array_equal(r.predict(x, verbose=0), m.predict(x, verbose=0))
