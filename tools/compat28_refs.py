"""tf_keras 2.21's figures and text for tests/test_compat28.py (session 28's compat gaps).
Run under the oracle: /work/keras-venv/bin/python tools/compat28_refs.py [section ...]
(sections: lambda progbar config archives; archives writes tests/data/compat28_*.keras)."""
import contextlib
import io
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import backend as K  # noqa: E402

L = keras.layers


def lambda_refs():
    print("== 1. Lambda on KerasTensors")
    x = L.Input((4,))
    seen = []

    def first_two(t):
        seen.append(type(t).__name__)
        return t[:, :2] * 2.0
    layer = L.Lambda(first_two, output_shape=(7,))
    y = layer(x)
    print("traced output shape", tuple(y.shape), "ran on", seen)
    print("compute_output_shape", tuple(layer.compute_output_shape((None, 4))))
    print("scalar", tuple(L.Lambda(lambda t: tf.reduce_sum(t), output_shape=(1,))(x).shape))

    def broken(t):
        return K.control_flow_ops  # keras-yolo3's yolo_loss under TF 2

    try:
        L.Lambda(broken, output_shape=(1,), name="yolo_loss")(x)
    except Exception as e:  # noqa: BLE001
        print("error at the call:", type(e).__name__, "|", str(e).splitlines()[2])

    def with_mask_training(t, mask=None, training=None):
        seen.append(("mask", mask, "training", training))
        return t
    m = keras.Model(x, L.Lambda(with_mask_training)(x))
    m(np.ones((1, 4), "float32"), training=True)
    print("eager call gets", seen[-1])
    # the keras-yolo3 pattern: the loss computed in a Lambda, the model's output
    xs = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    t = (xs.sum(1, keepdims=True) * 0.5).astype("float32")
    inp, yt = keras.Input((3,)), keras.Input((1,))
    out = L.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(inp)

    def sq_loss(args, scale):
        p, y = args
        return K.mean(K.square(p - y)) * scale
    loss = L.Lambda(sq_loss, output_shape=(1,), name="sq_loss", arguments={"scale": 2.0})(
        [out, yt])
    model = keras.Model([inp, yt], loss)
    print("loss model output_shape", model.output_shape)
    model.compile(keras.optimizers.SGD(0.1), loss={"sq_loss": lambda y_true, y_pred: y_pred})
    h = model.fit([xs, t], np.zeros(len(xs)), batch_size=4, epochs=3, shuffle=False, verbose=0)
    print("history", [round(v, 6) for v in h.history["loss"]])
    print("train_on_batch", round(float(model.train_on_batch([xs, t], np.zeros(8))), 6))
    print("evaluate", round(float(model.evaluate([xs, t], np.zeros(8), batch_size=4,
                                                 verbose=0)), 6))


def _final_lines(text):
    """Each printed line as a file shows it (the text after its last carriage return, without
    backspaces), the times replaced by T."""
    out = []
    for line in text.replace("\b", "").split("\n"):
        line = line.split("\r")[-1]
        out.append(re.sub(r"\d+(\.\d+)?(ms|us|s)\b", "T", line))
    return [ln for ln in out if ln]


def progbar_refs():
    print("== 3. ProgbarLogger in callbacks")
    x = np.linspace(0, 1, 30, dtype="float32").reshape(10, 3)
    y = 2.0 * x.sum(1, keepdims=True)  # (loss > 0: the weights stay, SGD(0))

    def model():
        m = keras.Sequential([L.Dense(1, input_shape=(3,), kernel_initializer="ones")])
        m.compile(keras.optimizers.SGD(0.0), "mse")
        return m

    cases = {
        "fit samples v1 2 epochs": lambda m, cb: m.fit(x, y, batch_size=4, epochs=2, verbose=1,
                                                        shuffle=False, callbacks=[cb]),
        "fit steps v1": lambda m, cb: m.fit(x, y, batch_size=4, epochs=1, verbose=1,
                                            shuffle=False, callbacks=[cb]),
        "fit samples v2": lambda m, cb: m.fit(x, y, batch_size=4, epochs=1, verbose=2,
                                              shuffle=False, callbacks=[cb]),
        "fit samples v0": lambda m, cb: m.fit(x, y, batch_size=4, epochs=1, verbose=0,
                                              shuffle=False, callbacks=[cb]),
        "fit samples validation": lambda m, cb: m.fit(x, y, batch_size=4, epochs=1, verbose=1,
                                                      shuffle=False, validation_data=(x, y),
                                                      callbacks=[cb]),
        "evaluate samples v1": lambda m, cb: m.evaluate(x, y, batch_size=4, verbose=1,
                                                        callbacks=[cb]),
        "evaluate samples v2": lambda m, cb: m.evaluate(x, y, batch_size=4, verbose=2,
                                                        callbacks=[cb]),
        "predict samples v1": lambda m, cb: m.predict(x, batch_size=4, verbose=1,
                                                      callbacks=[cb]),
        "evaluate generator samples v1": lambda m, cb: m.evaluate(
            ((x[i:i + 4], y[i:i + 4]) for _ in range(9) for i in (0, 4)), steps=2, verbose=1,
            callbacks=[cb]),
        "predict generator samples v1": lambda m, cb: m.predict(
            (x[i:i + 4] for _ in range(9) for i in (0, 4)), steps=2, verbose=1, callbacks=[cb]),
    }
    for name, run in cases.items():
        mode = "steps" if "steps" in name else "samples"
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            run(model(), keras.callbacks.ProgbarLogger(count_mode=mode))
        print(name, _final_lines(buf.getvalue()))


class Plain(keras.Model):
    def __init__(self, units=3, **kw):
        super().__init__(**kw)
        self.d = L.Dense(units)

    def call(self, x):
        return self.d(x)


class Args(keras.Model):
    def __init__(self, units, act="relu", **kwargs):
        super().__init__(**kwargs)
        self.d = L.Dense(units, activation=act)

    def call(self, x):
        return self.d(x)


class Table(keras.Model):
    def __init__(self, table):
        super().__init__()
        self.table = table
        self.d = L.Dense(2)

    def call(self, x):
        return self.d(x)


class Own(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.units = units
        self.d = L.Dense(units)

    def call(self, x):
        return self.d(x)

    def get_config(self):
        base = super().get_config()
        return dict(base, units=self.units, base=sorted(base))


def config_refs():
    print("== 4. a top-level subclassed model's get_config")
    print("Plain(name=...)", Plain(name="plain").get_config())
    print("Plain(5)", Plain(5).get_config())
    p = Plain(4)
    p(np.zeros((2, 3), "float32"))
    print("Plain(4) called", p.get_config())
    print("Args(3, name=...)", Args(3, name="args").get_config())
    cfg = Args(3, act="tanh").get_config()
    print("Args(3, act='tanh') without its name", {k: v for k, v in cfg.items() if k != "name"})
    print("Table({'k': array})", Table({"k": np.ones(2)}).get_config())
    print("Own(2) (super().get_config())", Own(2).get_config())
    r = Args.from_config(Args(6, act="tanh", name="again").get_config())
    print("from_config", type(r).__name__, r.name, r.d.units)


class Scaled(L.Layer):
    """A program's layer: its own weight and a Dense it holds (custom_objects on load)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.proj = L.Dense(units, name="proj")

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones")

    def call(self, x):
        return self.proj(x) * self.scale

    def get_config(self):
        return dict(super().get_config(), units=self.units)


def _archive_models():
    keras.utils.set_random_seed(28)
    seq = keras.Sequential([L.Dense(4, activation="relu", input_shape=(3,)), L.Dropout(0.1),
                            L.Dense(2)], name="seq")
    seq.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    seq.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)

    inp = keras.Input((5, 4), name="steps")
    a = L.BatchNormalization(name="bn")(L.Conv1D(3, 2, name="conv")(inp))
    b = L.LSTM(3, return_sequences=True, name="lstm")(inp)
    b = L.Bidirectional(L.GRU(2, return_sequences=True), name="bidi")(b)
    c = L.TimeDistributed(L.Dense(2), name="td")(b)
    inner = keras.Sequential([L.Dense(3, input_shape=(4,), name="in_d"),
                              L.LayerNormalization(name="in_ln")], name="inner")
    d = L.TimeDistributed(inner, name="td_inner")(inp)
    ids = keras.Input((5,), dtype="int32", name="ids")
    e = L.Embedding(10, 2, name="emb")(ids)
    sub_in = keras.Input((5, 2))
    sub = keras.Model(sub_in, L.Dense(2, activation="tanh", name="sub_d")(sub_in), name="sub")
    out = L.Concatenate(name="cat")([L.Flatten()(a), L.Flatten()(c), L.Flatten()(d),
                                     L.Flatten()(sub(e))])
    fn = keras.Model([inp, ids], [L.Dense(1, name="head")(out)], name="fn")
    fn.compile("sgd", "mse")

    x = keras.Input((3,), name="x")
    cm = keras.Model(x, Scaled(2, name="scaled")(x), name="custom")
    cm.layers[-1].scale.assign([0.5, 2.0])
    q = keras.Input((4, 6), name="q")
    a = L.MultiHeadAttention(2, 3, name="mha")(q, q)
    a = L.Conv1D(2, 1, name="c1")(L.LayerNormalization(name="ln")(a + q))
    rnns = [L.GRU(2, reset_after=False, name="gru")(a), L.SimpleRNN(2, name="srnn")(a),
            L.RNN(L.LSTMCell(2), name="rnn_cell")(a),
            L.RNN([L.GRUCell(2), L.SimpleRNNCell(2)], name="stacked")(a),
            L.Flatten()(L.PReLU(name="prelu")(a))]
    att = keras.Model(q, L.Concatenate()(rnns), name="attention")
    return {"seq": seq, "functional": fn, "custom": cm, "attention": att}


def archive_inputs():
    """The inputs whose predictions the test compares (the same in test_compat28.py)."""
    steps = np.linspace(-1, 1, 40, dtype="float32").reshape(2, 5, 4)
    ids = np.array([[1, 2, 3, 4, 5], [9, 8, 7, 6, 0]], "int32")
    return {"seq": np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3),
            "functional": [steps, ids],
            "custom": np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3),
            "attention": np.cos(np.arange(48, dtype="float32")).reshape(2, 4, 6)}


def archive_refs():
    """Writes tests/data/compat28_<name>.keras (tf_keras 2.21's model.save) and prints each
    model's predictions and its weight paths in the archive."""
    import h5py
    import zipfile
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    print("== 2. tf_keras .keras archives")
    xs = archive_inputs()
    for name, m in _archive_models().items():
        path = os.path.join(out_dir, f"compat28_{name}.keras")
        m.save(path)
        np.set_printoptions(precision=6, suppress=True)
        print(name, os.path.getsize(path), "bytes; predict", repr(m.predict(xs[name], verbose=0)))
        with zipfile.ZipFile(path) as z, z.open("model.weights.h5") as fh, \
                h5py.File(fh, "r") as f:
            paths = []
            f.visititems(lambda n, o: paths.append((n, o.shape)) if isinstance(
                o, h5py.Dataset) and not n.startswith(("optimizer", "metrics")) else None)
            print(name, "paths", paths)


def check_archives(paths):
    """tf_keras loads each archive tensorforge wrote (``check DIR/NAME.keras ...``: NAME one of
    the archive models) and prints its predictions, for comparison with tensorforge's."""
    xs = archive_inputs()
    for path in paths:
        name = os.path.basename(path).split(".")[0].replace("ours_", "")
        m = keras.models.load_model(path, custom_objects={"Scaled": Scaled})
        np.set_printoptions(precision=6, suppress=True)
        print(path, type(m).__name__, "compiled" if m.optimizer is not None else "not compiled",
              repr(m.predict(xs[name], verbose=0)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        check_archives(sys.argv[2:])
        sys.exit(0)
    wanted = sys.argv[1:] or ["lambda", "progbar", "config", "archives"]
    for sec in wanted:
        {"lambda": lambda_refs, "progbar": progbar_refs, "config": config_refs,
         "archives": archive_refs}[sec]()
