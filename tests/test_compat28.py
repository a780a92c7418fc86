"""Session 28's Keras 2 compat gaps, each against tf_keras 2.21 (the figures and text printed by
tools/compat28_refs.py under the oracle, hard-coded here): a Lambda's function runs on
KerasTensors whatever output_shape says; a program's ProgbarLogger is fit's / evaluate's /
predict's one bar; a top-level subclassed model's get_config; tf_keras' .keras archives; the
lambdas a model file is matched against are held weakly."""
import json
import os
import re
import zipfile

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K
from test_compat27 import Holder  # a subclassed model given an argument no config holds

L = keras.layers


# ---- 1. Lambda on KerasTensors (Note [Lambda on symbolic inputs]) -------------------------------

def test_lambda_runs_on_keras_tensors_whatever_output_shape_says():
    x = L.Input((4,))
    seen = []

    def first_two(t):
        seen.append(1)
        return t[:, :2] * 2.0
    layer = L.Lambda(first_two, output_shape=(7,))
    y = layer(x)
    # tf_keras: traced output shape (None, 2); compute_output_shape (None, 7)
    assert seen and tuple(y.shape) == (None, 2)
    assert tuple(layer.compute_output_shape((None, 4))) == (None, 7)
    assert keras.Model(x, y).output_shape == (None, 2)
    assert tuple(L.Lambda(lambda t: tf.reduce_sum(t), output_shape=(1,))(x).shape) == ()


def test_an_error_in_a_lambda_is_raised_at_the_call_with_its_type():
    x = L.Input((4,))

    def broken(t):
        return K.control_flow_ops  # keras-yolo3's yolo_loss under TensorFlow 2
    # tf_keras: AttributeError at the call, "... has no attribute 'control_flow_ops'"
    with pytest.raises(AttributeError, match="yolo_loss.*has no attribute 'control_flow_ops'"):
        L.Lambda(broken, output_shape=(1,), name="yolo_loss")(x)


def test_a_value_error_on_stand_ins_leaves_the_shape_to_output_shape():
    # a function that fails on the stand-ins (zeros, then ones), where a symbolic trace would
    # not, still builds with output_shape given; without it, the call reports the error
    def needs_nonzero(t):
        if float(np.asarray(K.max(K.abs(t)))) <= 1.0:
            raise ValueError("all zeros")
        return t * 2.0
    x = L.Input((3,))
    assert tuple(L.Lambda(needs_nonzero, output_shape=(3,))(x).shape) == (None, 3)
    with pytest.raises(ValueError, match="all zeros"):
        L.Lambda(needs_nonzero)(x)


def test_a_lambda_function_taking_mask_and_training_gets_them():
    seen = []

    def fn(t, mask=None, training=None):
        seen.append((mask, training))
        return t
    x = L.Input((4,))
    m = keras.Model(x, L.Lambda(fn)(x))
    m(np.ones((1, 4), "float32"), training=True)
    assert seen[-1] == (None, True)  # tf_keras: ('mask', None, 'training', True)


def test_a_loss_computed_in_a_lambda_trains_as_tf_keras():
    # keras-yolo3's train.py: Lambda(yolo_loss, output_shape=(1,), arguments=...) as the
    # model's output and compile(loss={'yolo_loss': lambda y_true, y_pred: y_pred})
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
    assert model.output_shape == ()
    model.compile(keras.optimizers.SGD(0.1), loss={"sq_loss": lambda y_true, y_pred: y_pred})
    h = model.fit([xs, t], np.zeros(len(xs)), batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [1.451342, 0.054464, 0.002045], rtol=1e-4,
                               atol=1e-6)  # (6 decimals printed)
    assert float(model.train_on_batch([xs, t], np.zeros(8))) == pytest.approx(8.6e-05, rel=2e-2)
    assert float(model.evaluate([xs, t], np.zeros(8), batch_size=4, verbose=0)) == \
        pytest.approx(2.8e-05, rel=2e-2)


# ---- 3. a program's ProgbarLogger (Note [a program's ProgbarLogger]) ---------------------------

def _final_lines(text):
    out = []
    for line in text.replace("\b", "").split("\n"):
        line = line.split("\r")[-1]
        out.append(re.sub(r"\d+(\.\d+)?(ms|us|s)\b", "T", line))
    return [ln for ln in out if ln]


_X = np.linspace(0, 1, 30, dtype="float32").reshape(10, 3)
_Y = 2.0 * _X.sum(1, keepdims=True)
_BAR = "3/3 [==============================] - T T/"

PROGBAR_CASES = {  # tools/compat28_refs.py progbar
    "fit samples v1 2 epochs": (lambda m, cb: m.fit(_X, _Y, batch_size=4, epochs=2, verbose=1,
                                                    shuffle=False, callbacks=[cb]),
                                ["Epoch 1/2", _BAR + "sample - loss: 3.0446", "Epoch 2/2",
                                 _BAR + "sample - loss: 3.0446"]),
    "fit steps v1": (lambda m, cb: m.fit(_X, _Y, batch_size=4, epochs=1, verbose=1,
                                         shuffle=False, callbacks=[cb]),
                     [_BAR + "step - loss: 3.0446"]),
    "fit samples v2": (lambda m, cb: m.fit(_X, _Y, batch_size=4, epochs=1, verbose=2,
                                           shuffle=False, callbacks=[cb]),
                       ["3/3 - T - loss: 3.0446 - T/epoch - T/sample"]),
    "fit samples v0": (lambda m, cb: m.fit(_X, _Y, batch_size=4, epochs=1, verbose=0,
                                           shuffle=False, callbacks=[cb]), []),
    "fit samples validation": (lambda m, cb: m.fit(_X, _Y, batch_size=4, epochs=1, verbose=1,
                                                   shuffle=False, validation_data=(_X, _Y),
                                                   callbacks=[cb]),
                               [_BAR + "sample - loss: 3.0446 - val_loss: 3.0446"]),
    "evaluate samples v1": (lambda m, cb: m.evaluate(_X, _Y, batch_size=4, verbose=1,
                                                     callbacks=[cb]),
                            [_BAR + "sample - loss: 3.0446"]),
    "evaluate samples v2": (lambda m, cb: m.evaluate(_X, _Y, batch_size=4, verbose=2,
                                                     callbacks=[cb]),
                            ["3/3 - T - loss: 3.0446 - T/epoch - T/sample"]),
    "predict samples v1": (lambda m, cb: m.predict(_X, batch_size=4, verbose=1,
                                                   callbacks=[cb]),
                           [_BAR + "sample"]),
    "evaluate generator samples v1": (lambda m, cb: m.evaluate(
        ((_X[i:i + 4], _Y[i:i + 4]) for _ in range(9) for i in (0, 4)), steps=2, verbose=1,
        callbacks=[cb]), ["2/2 [==============================] - T T/sample - loss: 1.9209"]),
    "predict generator samples v1": (lambda m, cb: m.predict(
        (_X[i:i + 4] for _ in range(9) for i in (0, 4)), steps=2, verbose=1, callbacks=[cb]),
        ["2/2 [==============================] - T T/sample"]),
}


class _StepOverride(keras.Model):  # a model with its own train_step / test_step (custom_step.py)
    def __init__(self):
        super().__init__()
        self.d = L.Dense(1, kernel_initializer="ones")

    def call(self, x):
        return self.d(x)

    def train_step(self, data):
        return super().train_step(data)

    def test_step(self, data):
        return super().test_step(data)


def test_a_programs_progbar_logger_with_train_step_overrides(capsys):
    m = _StepOverride()
    m.compile(keras.optimizers.SGD(0.0), "mse")
    capsys.readouterr()
    m.fit(_X, _Y, batch_size=4, verbose=1, shuffle=False,
          callbacks=[keras.callbacks.ProgbarLogger()])
    m.evaluate(_X, _Y, batch_size=4, verbose=1, callbacks=[keras.callbacks.ProgbarLogger()])
    assert _final_lines(capsys.readouterr().out) == [_BAR + "sample - loss: 3.0446"] * 2


@pytest.mark.parametrize("case", sorted(PROGBAR_CASES))
def test_a_programs_progbar_logger_is_the_one_bar(case, capsys):
    run, want = PROGBAR_CASES[case]
    m = keras.Sequential([L.Dense(1, input_shape=(3,), kernel_initializer="ones")])
    m.compile(keras.optimizers.SGD(0.0), "mse")
    capsys.readouterr()
    run(m, keras.callbacks.ProgbarLogger(count_mode="steps" if "steps" in case else "samples"))
    assert _final_lines(capsys.readouterr().out) == want


# ---- 4. a top-level subclassed model's get_config (Note [automatic config]) --------------------

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


def test_a_subclassed_models_get_config_is_tf_keras():
    assert Plain(name="plain").get_config() == {}  # **kw, not **kwargs: the base keys go
    assert Plain(5).get_config() == {"units": 5}
    p = Plain(4)
    p(np.zeros((2, 3), "float32"))
    assert p.get_config() == {"units": 4}
    assert Args(3, name="args").get_config() == {"name": "args", "trainable": True,
                                                 "dtype": "float32", "units": 3}
    cfg = Args(3, act="tanh").get_config()
    assert {k: v for k, v in cfg.items() if k != "name"} == {
        "trainable": True, "dtype": "float32", "act": "tanh", "units": 3}
    with pytest.warns(UserWarning, match="non-serializable objects"):
        assert Holder({"k": np.ones(2)}).get_config() == {}
    assert Own(2).get_config() == {"units": 2, "base": []}  # Model.get_config of an override: {}
    r = Args.from_config(Args(6, act="tanh", name="again").get_config())
    assert (type(r).__name__, r.name, r.d.units) == ("Args", "again", 6)


# ---- 2. tf_keras' .keras archives (Note [.keras archives]) -------------------------------------
# tests/data/compat28_*.keras: written by tf_keras 2.21 (tools/compat28_refs.py archives), which
# printed the predictions below for these inputs

DATA = os.path.join(os.path.dirname(__file__), "data")


class Scaled(L.Layer):
    """The program's layer of compat28_custom.keras (tools/compat28_refs.py's)."""

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


class Holds(L.Layer):  # a layer given an argument no config holds
    def __init__(self, table):
        super().__init__()
        self.table = table

    def call(self, x):
        return x


def _archive_inputs():
    steps = np.linspace(-1, 1, 40, dtype="float32").reshape(2, 5, 4)
    ids = np.array([[1, 2, 3, 4, 5], [9, 8, 7, 6, 0]], "int32")
    return {"seq": np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3),
            "functional": [steps, ids],
            "custom": np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3),
            "attention": np.cos(np.arange(48, dtype="float32")).reshape(2, 4, 6)}


ARCHIVE_PREDICTIONS = {  # tf_keras 2.21's predict of each model it saved
    "seq": [[-0.401877, 0.452396], [0.01, 0.01]],
    "functional": [[-0.608974], [1.335385]],
    "custom": [[-0.800007, 1.58338], [0.555924, 1.383299]],
    "attention": [[-0.159715, -0.021868, -0.471846, -0.790407, 0.035701, 0.126966, 0.485388,
                   0.077407, 0.0, 0.706586, 0.0, 0.498059, 0.063184, 0.260408, 0.411004,
                   0.013918],
                  [0.455681, -0.336184, 0.753391, -0.833234, -0.082339, -0.447658, 0.885955,
                   0.013319, 0.89739, 0.0, 1.131542, 0.0, 1.299841, 0.0, 1.398048, 0.0]],
}


def _load(name, path=None):
    return keras.models.load_model(path or os.path.join(DATA, f"compat28_{name}.keras"),
                                   custom_objects={"Scaled": Scaled})


def _weight_paths(path):
    import h5py
    with zipfile.ZipFile(path) as z, z.open("model.weights.h5") as fh, h5py.File(fh, "r") as f:
        out = []
        f.visititems(lambda n, o: out.append((n, o.shape)) if isinstance(o, h5py.Dataset) and
                     n.startswith("layers/") else None)
    return sorted(out)


@pytest.mark.parametrize("name", sorted(ARCHIVE_PREDICTIONS))
def test_load_model_reads_a_tf_keras_archive(name):
    m = _load(name)
    np.testing.assert_allclose(m.predict(_archive_inputs()[name], verbose=0),
                               ARCHIVE_PREDICTIONS[name], atol=2e-6)


def test_a_tf_keras_archive_comes_back_compiled():
    seq = _load("seq")
    assert type(seq.optimizer).__name__ == "Adam"
    assert seq.optimizer.learning_rate == pytest.approx(0.01)
    assert seq.metrics_names == ["loss", "mae"]
    assert type(_load("functional").optimizer).__name__ == "SGD"
    assert _load("custom").optimizer is None  # (saved uncompiled)
    assert keras.models.load_model(os.path.join(DATA, "compat28_seq.keras"),
                                   compile=False).optimizer is None


@pytest.mark.parametrize("name", sorted(ARCHIVE_PREDICTIONS))
def test_save_writes_the_archive_tf_keras_writes(name, tmp_path):
    # what tf_keras needs to load it (tools/compat28_refs.py check: tf_keras 2.21 loads these
    # and predicts the same): its three members, each weight at the path tf_keras' file has it
    theirs = os.path.join(DATA, f"compat28_{name}.keras")
    p = str(tmp_path / f"{name}.keras")
    _load(name).save(p)
    with zipfile.ZipFile(p) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        cfg = json.loads(z.read("config.json"))
        assert json.loads(z.read("metadata.json"))["keras_version"] == "2.21.0"
    with zipfile.ZipFile(theirs) as z:
        want = json.loads(z.read("config.json"))
    assert cfg["class_name"] == want["class_name"]
    assert (cfg["module"], cfg["registered_name"]) == (want["module"], want["registered_name"])
    assert [(l["class_name"], l["module"], l["registered_name"])
            for l in cfg["config"]["layers"]] == \
        [(l["class_name"], l["module"], l["registered_name"]) for l in want["config"]["layers"]]
    assert _weight_paths(p) == _weight_paths(theirs)
    np.testing.assert_allclose(_load(name, p).predict(_archive_inputs()[name], verbose=0),
                               ARCHIVE_PREDICTIONS[name], atol=2e-6)


def test_an_archive_keeps_the_optimizer_state_and_load_weights_reads_it(tmp_path):
    m = _load("seq")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    m.fit(x, y, verbose=0, epochs=2)
    p = str(tmp_path / "s.keras")
    m.save(p)
    r = keras.models.load_model(p)
    # the archive's optimizer took one step (tools/compat28_refs.py), read with it, two here
    assert r.optimizer.iterations == m.optimizer.iterations == 3
    np.testing.assert_allclose(r.train_on_batch(x, y), m.train_on_batch(x, y), rtol=1e-6)
    fresh = _load("seq")
    fresh.load_weights(p)  # (tf_keras' load_weights of a .keras file)
    for a, b in zip(fresh.get_weights(), keras.models.load_model(p).get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_failed_archive_save_leaves_the_old_file(tmp_path):
    p = str(tmp_path / "m.keras")
    _load("seq").save(p)
    before = open(p, "rb").read()
    inp = keras.Input((3,))
    bad = keras.Model(inp, L.Dense(2)(Holds({"k": np.ones(2)})(inp)))
    with pytest.raises(NotImplementedError, match="Holds"):  # (no config: tf_keras refuses too)
        bad.save(p)
    assert open(p, "rb").read() == before


def test_a_keras_file_in_tensorforges_earlier_container_still_loads(tmp_path):
    import shutil
    m = _load("seq")
    m.save(str(tmp_path / "m"))  # (no suffix: tensorforge's container, what .keras held before)
    shutil.copy(str(tmp_path / "m"), str(tmp_path / "old.keras"))
    r = keras.models.load_model(str(tmp_path / "old.keras"))
    np.testing.assert_allclose(r.predict(_archive_inputs()["seq"], verbose=0),
                               ARCHIVE_PREDICTIONS["seq"], atol=2e-6)


def test_a_subclassed_model_round_trips_through_an_archive(tmp_path):
    m = Args(3, act="tanh")
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
    want = m.predict(x, verbose=0)
    p = str(tmp_path / "sub.keras")
    m.save(p)
    r = keras.models.load_model(p, custom_objects={"Args": Args})
    assert type(r) is Args and r.d.units == 3
    np.testing.assert_allclose(r.predict(x, verbose=0), want, rtol=1e-6)


# ---- 5. the lambdas a model file is matched against are held weakly (_lambda_code.py) ----------

def test_a_lambda_is_found_while_its_model_lives_and_then_released(tmp_path):
    import gc
    import weakref

    def build():
        m = keras.Sequential([L.Lambda(lambda x: x * 3.0, input_shape=(2,)),
                              L.Dense(1, kernel_initializer="ones")])
        m.compile("sgd", "mse")
        return m
    m = build()
    fn = weakref.ref(m.layers[0].function)
    p = str(tmp_path / "m.h5")
    m.save(p)
    r = keras.models.load_model(p)  # corpus32's path: the live lambda found again
    assert r.layers[0].function is fn()
    np.testing.assert_allclose(r.predict(np.ones((1, 2), "float32"), verbose=0), [[6.0]])
    del m, r
    gc.collect()
    assert fn() is None  # no longer kept for the process
    with pytest.raises(ValueError, match="Lambda layer.*custom_objects"):
        keras.models.load_model(p)  # (tf_keras would run the file's bytecode; we do not)
