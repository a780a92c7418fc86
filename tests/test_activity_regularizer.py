"""Layers' ``activity_regularizer=`` (See Note [activity regularizer], engine/base_layer.py):
the layer losses of a call, a train_on_batch and an evaluate against Keras 2's (tf_keras 2.21)
figures recorded by tools/gen_activity_reg_refs.py, plus config / save round trips."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge import layers, regularizers

import activity_reg_models as M

REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "activity_reg_refs.npz"))


CASES = M.CASES


def _model(name):
    build, loss = CASES[name]
    model = build(keras, layers, regularizers)
    n = len(model.get_weights())
    model.set_weights([REFS[f"{name}/w{i}"] for i in range(n)])
    return model, loss, REFS[f"{name}/x"], REFS[f"{name}/y"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_call_losses_match_keras(name):
    model, _, x, _ = _model(name)
    model(x)
    got = [float(np.asarray(v.data if hasattr(v, "data") else v)) for v in model.losses]
    np.testing.assert_allclose(got, REFS[f"{name}/call_losses"], rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_step_matches_keras(name):
    model, loss, x, y = _model(name)
    model.compile(tf.optimizers.SGD(learning_rate=0.1), loss)
    got = model.train_on_batch(x, y)
    np.testing.assert_allclose(got, REFS[f"{name}/train_loss"], rtol=2e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, REFS[f"{name}/after{i}"], rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), REFS[f"{name}/eval_loss"],
                               rtol=2e-5)


def test_fit_loss_includes_the_penalty_and_it_trains_the_activations_down():
    rng = np.random.RandomState(0)
    x = rng.randn(64, 8).astype("float32")
    y = rng.randn(64, 1).astype("float32")

    def run(reg):
        tf.utils.set_random_seed(1)
        hidden = layers.Dense(16, activation="relu", activity_regularizer=reg)
        model = keras.Sequential([keras.Input((8,)), hidden, layers.Dense(1)])
        model.compile(tf.optimizers.SGD(learning_rate=0.05), "mse")
        h = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
        act = keras.Model(model.inputs, hidden.output).predict(x, verbose=0)
        return h.history["loss"], float(np.abs(act).mean())

    loss0, act0 = run(None)
    loss1, act1 = run(regularizers.l1(0.5))
    assert loss1[0] > loss0[0]  # the same first batch's forward, plus a positive penalty
    assert act1 < 0.5 * act0  # a strong L1 penalty on the outputs shrinks them


def test_wrapped_layers_keep_theirs():
    x = REFS["wrappers/x"]
    td, bi = M.wrapped(layers, regularizers)
    td(x)
    bi(x)
    for got, key in ((td, "time_distributed"), (bi, "bidirectional")):
        np.testing.assert_allclose([float(v.numpy()) for v in got.losses],
                                   REFS[f"wrappers/{key}"], rtol=1e-5)


def test_penalty_is_per_output_over_its_batch():
    d = layers.Dense(3, activity_regularizer=regularizers.l2(0.5))
    x = np.random.RandomState(3).randn(7, 4).astype("float32")
    y = d(x).numpy()
    (loss,) = d.losses
    np.testing.assert_allclose(float(loss.numpy()), 0.5 * np.square(y).sum() / 7, rtol=1e-6)
    d(x[:2])  # a new call replaces the term
    assert len(d.losses) == 1


def test_custom_layer_takes_it_through_kwargs_and_as_attribute():
    class Double(layers.Layer):
        def call(self, x):
            return 2.0 * x

    class OldStyle(layers.Layer):  # Keras 2.2-era layers set the attribute themselves
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.activity_regularizer = regularizers.get("l1")

        def call(self, x):
            return x + 1.0

    x = np.arange(6, dtype="float32").reshape(2, 3)
    a = Double(activity_regularizer="l2")
    a(x)
    np.testing.assert_allclose(float(a.losses[0].numpy()), 0.01 * np.square(2 * x).sum() / 2,
                               rtol=1e-6)
    b = OldStyle()
    b(x)
    np.testing.assert_allclose(float(b.losses[0].numpy()), 0.01 * np.abs(x + 1).sum() / 2,
                               rtol=1e-6)


def test_no_regularizer_no_loss_and_empty_batch():
    d = layers.Dense(2)
    d(np.ones((3, 4), "float32"))
    assert d.losses == []
    r = layers.Dense(2, activity_regularizer="l1")
    r(np.ones((0, 4), "float32"))
    assert r.losses == []


def test_config_and_save_round_trip(tmp_path):
    model = M.dense_softmax(keras, layers, regularizers)
    cfg = model.layers[0].get_config()
    assert cfg["activity_regularizer"]["class_name"] == "L1"
    np.testing.assert_allclose(cfg["activity_regularizer"]["config"]["l1"], 0.01)
    clone = layers.Dense.from_config(cfg)
    assert isinstance(clone.activity_regularizer, regularizers.L1)
    x = REFS["dense_softmax/x"]
    for path in (str(tmp_path / "m.keras"), str(tmp_path / "m.h5")):
        if path.endswith(".h5"):
            pytest.importorskip("h5py")
        model.save(path)
        back = keras.models.load_model(path)
        back(x)
        model(x)
        np.testing.assert_allclose([float(v.numpy()) for v in back.losses],
                                   [float(v.numpy()) for v in model.losses], rtol=1e-6)


def test_keras_written_json_keeps_the_regularizers():
    model = keras.models.model_from_json(str(REFS["json/dense_softmax"]))
    regs = [type(l.activity_regularizer).__name__ for l in model.layers]
    assert regs == ["L1", "L2"]
    assert json.loads(model.to_json())["config"]["layers"][-1]["config"][
        "activity_regularizer"]["class_name"] == "L2"


def test_setting_it_later_rebuilds_the_training_step():
    rng = np.random.RandomState(5)
    x = rng.randn(32, 6).astype("float32")
    y = np.eye(3, dtype="float32")[rng.randint(0, 3, 32)]
    tf.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(tf.optimizers.SGD(learning_rate=0.01), "categorical_crossentropy")
    model.train_on_batch(x, y)  # (the compiled softmax step: See engine/compiled_step.py)
    plain = model.evaluate(x, y, verbose=0)
    model.layers[0].activity_regularizer = regularizers.l1(1.0)
    model(x)
    penalty = float(model.losses[0].numpy())
    assert penalty > 0.1
    with_penalty = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(with_penalty - plain, penalty, rtol=1e-4)
    got = model.train_on_batch(x, y)  # the step sees the penalty now (its loss before the update)
    np.testing.assert_allclose(got, with_penalty, rtol=1e-5)
