"""Session 28's Keras 2 compat gaps, each against tf_keras 2.21 (the figures and text printed by
tools/compat28_refs.py under the oracle, hard-coded here): a Lambda's function runs on
KerasTensors whatever output_shape says; a program's ProgbarLogger is fit's / evaluate's /
predict's one bar; a top-level subclassed model's get_config; tf_keras' .keras archives; the
lambdas a model file is matched against are held weakly."""
import re

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K

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
}


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
        assert Table({"k": np.ones(2)}).get_config() == {}
    assert Own(2).get_config() == {"units": 2, "base": []}  # Model.get_config of an override: {}
    r = Args.from_config(Args(6, act="tanh", name="again").get_config())
    assert (type(r).__name__, r.name, r.d.units) == ("Args", "again", 6)


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
