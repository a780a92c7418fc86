"""tf_keras 2.21's behaviour that tests/test_compat27.py holds, printed by the oracle, and the
small fixture it writes. Run with the Keras 2 venv:

    /work/keras-venv/bin/python tools/gen_compat27_refs.py            # print, write the fixture
    /work/keras-venv/bin/python tools/gen_compat27_refs.py check DIR  # load tensorforge's files

1. The recurrent layers' and wrappers' weight names (Note [weight names], engine/weight_scope.py).
   The fixture tests/data/keras_h5/rnn_names.h5 (+ .npz: x and tf_keras's predictions) is a
   small functional model of LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed and a stacked
   RNN, saved with model.save by tf_keras, so each weight is stored at tf_keras's path.
   `check DIR` loads DIR/rnn_names.h5 (the same model saved by tensorforge, with DIR/rnn_names.npz
   holding tensorforge's predictions: tests/test_compat27.py's writer, or by hand) into tf_keras
   -- load_model, and load_weights by topology and by name into a fresh copy -- and prints the
   largest difference from tensorforge's predictions.
2. A custom layer / subclassed model without get_config inside a functional model, saved.
3. fit / evaluate / predict's default verbose and what predict prints.
4. The version strings.
"""
import contextlib
import io
import os
import sys
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import inspect  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras_h5")


def rnn_model():
    keras.backend.clear_session()  # the auto-named StackedRNNCells: stacked_rnn_cells
    keras.utils.set_random_seed(0)
    inp = keras.Input((5, 3), name="seq")
    a = L.LSTM(4, return_sequences=True, name="lstm")(inp)
    b = L.GRU(3, return_sequences=True, name="gru")(a)
    c = L.Bidirectional(L.LSTM(2, return_sequences=True, name="lstm_b"), name="bidirectional")(b)
    d = L.TimeDistributed(L.Dense(3, name="dense_td"), name="time_distributed")(c)
    e = L.RNN([L.LSTMCell(2, name="lstm_cell_a"), L.GRUCell(2, name="gru_cell_b")],
              return_sequences=True, name="rnn")(d)
    f = L.SimpleRNN(2, name="simple_rnn")(e)
    return keras.Model(inp, L.Dense(1, name="out")(f))


def names():
    m = rnn_model()
    for w in m.weights:
        print(f"    {w.name!r},")


def write_fixture():
    m = rnn_model()
    m.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((6, 5, 3)).astype("float32")
    m.fit(x, np.ones((6, 1), "float32"), epochs=1, verbose=0)
    m.save(os.path.join(FIXTURE, "rnn_names.h5"), save_format="h5", include_optimizer=False)
    np.savez(os.path.join(FIXTURE, "rnn_names.npz"), x=x, y=m.predict(x, verbose=0))
    print("wrote rnn_names.h5:", os.path.getsize(os.path.join(FIXTURE, "rnn_names.h5")), "bytes")


def check(d):
    ref = np.load(os.path.join(d, "rnn_names.npz"))
    path = os.path.join(d, "rnn_names.h5")
    m = keras.models.load_model(path)
    print("load_model: max |diff|", np.abs(m.predict(ref["x"], verbose=0) - ref["y"]).max())
    for by_name in (False, True):
        fresh = rnn_model()
        fresh.load_weights(path, by_name=by_name)
        print(f"load_weights(by_name={by_name}): max |diff|",
              np.abs(fresh.predict(ref["x"], verbose=0) - ref["y"]).max())


class Scale(L.Layer):  # serializable constructor arguments: tf_keras's automatic config
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor


class Times(L.Layer):  # the same with **kw: tf_keras then drops name / trainable / dtype
    def __init__(self, n, **kw):
        super().__init__(**kw)
        self.n = n

    def call(self, x):
        return x * self.n


class Table(L.Layer):  # a constructor argument no config can hold
    def __init__(self, table):
        super().__init__()
        self.table = table

    def call(self, x):
        return x


class Prep(keras.Model):  # corpus30's FeaturePreprocessor(Model): *args, **kwargs, no get_config
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.d = L.Dense(2, name="inner")

    def call(self, inputs):
        return self.d(inputs)


def custom_saving():
    print("Scale(2.0).get_config():", Scale(2.0).get_config())
    print("Times(3).get_config():", Times(3).get_config())
    print("Prep().get_config():", Prep().get_config())
    inp = keras.Input((3,))
    m = keras.Model(inp, L.Dense(1)(Scale(2.0)(Prep()(inp))))
    x = np.arange(6, dtype="float32").reshape(2, 3)
    y = m.predict(x, verbose=0)
    with tempfile.TemporaryDirectory() as d:
        for fn in ("m.h5", "m.keras"):
            p = os.path.join(d, fn)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.save(p)
            try:
                keras.models.load_model(p)
            except Exception as e:  # noqa: BLE001
                print(fn, "load_model:", type(e).__name__, str(e)[:70])
            r = keras.models.load_model(p, custom_objects={"Scale": Scale, "Prep": Prep})
            print(fn, "load_model(custom_objects): max |diff|",
                  np.abs(r.predict(x, verbose=0) - y).max())
        t = keras.Model(inp, Table({"k": np.ones(2)})(inp))
        for fn in ("t.h5", "t.keras"):
            try:
                t.save(os.path.join(d, fn))
            except Exception as e:  # noqa: BLE001
                print(fn, "save:", type(e).__name__, repr(str(e)[:200]))
        t.save_weights(os.path.join(d, "t_weights.h5"))
        print("t_weights.h5 save_weights: OK")


def verbose():
    for k in ("fit", "evaluate", "predict", "predict_on_batch", "fit_generator",
              "evaluate_generator", "predict_generator"):
        p = inspect.signature(getattr(keras.Model, k)).parameters
        print(k, "verbose default:", repr(p["verbose"].default) if "verbose" in p else None)
    m = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    x = np.ones((70, 2), "float32")
    for kw in ({}, {"verbose": "auto"}, {"verbose": 1}, {"verbose": 2}, {"verbose": 0}):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            m.predict(x, **kw)
        out = buf.getvalue()
        print("predict", kw, "prints", repr(out[-60:]) if out else "nothing",
              "lines", out.count("\n"))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        m.predict_on_batch(x)
    print("predict_on_batch prints", repr(buf.getvalue()) or "nothing")
    try:
        m.predict(x, verbose="loud")
    except Exception as e:  # noqa: BLE001
        print("predict(verbose='loud'):", type(e).__name__, str(e)[:80])


def versions():
    print("tf_keras.__version__", keras.__version__, "tf.__version__", tf.__version__,
          "tf.version.VERSION", tf.version.VERSION,
          "tf_keras.backend has image_dim_ordering:", hasattr(keras.backend, "image_dim_ordering"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        check(sys.argv[2])
        sys.exit()
    print("1. weight names:")
    names()
    write_fixture()
    print("2. a custom layer / subclassed model without get_config, saved:")
    custom_saving()
    print("3. verbose:")
    verbose()
    print("4. versions:")
    versions()
