"""Keras 2 names programs reach for that tensorforge lacked: the hinge / KL / log-cosh / Poisson
metric classes, regularizers.L1 / L2, keras.optimizers.legacy. Figures from Keras 2
(tools/gen_keras_names_refs.py, tf_keras 2.21: tests/data/keras_names_refs.json)."""
import json
import os

import numpy as np
import pytest

from tensorforge import keras

with open(os.path.join(os.path.dirname(__file__), "data", "keras_names_refs.json")) as _f:
    REF = json.load(_f)
Y_TRUE = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
Y_PRED = np.array([[0.2, 0.7, 0.4], [0.9, 0.3, 0.05]], np.float32)


@pytest.mark.parametrize("name", sorted(REF["metrics"]))
def test_metric_class_matches_keras(name):
    m = getattr(keras.metrics, name)()
    m.update_state(Y_TRUE, Y_PRED, sample_weight=np.array([1.0, 0.5], np.float32))
    m.update_state(Y_TRUE[:1], Y_PRED[1:])
    assert m.name == REF["metrics"][name]["name"]
    assert float(m.result()) == pytest.approx(REF["metrics"][name]["result"], rel=1e-5)


@pytest.mark.parametrize("name", sorted(REF["metrics"]))
def test_metric_class_by_name_in_compile(name):
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile("sgd", "mse", metrics=[name])
    hist = model.fit(np.ones((4, 2), np.float32), np.tile(Y_TRUE[:1], (4, 1)), verbose=0)
    assert REF["metrics"][name]["name"] in hist.history


@pytest.mark.parametrize("expr", sorted(REF["regularizers"]))
def test_regularizer_classes_match_keras(expr):
    r = eval(expr, {"keras": keras})  # noqa: S307 -- the reference's expressions
    want = REF["regularizers"][expr]
    assert type(r).__name__ == want["class"]
    assert r.get_config() == pytest.approx(want["config"], rel=1e-6)
    w = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.0
    assert float(r(keras.Tensor(w)).numpy()) == pytest.approx(want["penalty"], rel=1e-6)


def test_regularizer_class_survives_a_save(tmp_path):
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,),
                                                 kernel_regularizer=keras.regularizers.L2(0.003))])
    path = str(tmp_path / "m.h5")
    model.save(path)
    again = keras.models.load_model(path)
    r = again.layers[0].kernel_regularizer
    assert type(r).__name__ == "L2" and r.get_config() == pytest.approx({"l2": 0.003})


def test_legacy_optimizers_namespace():
    missing = [n for n in REF["legacy_optimizers"] if not hasattr(keras.optimizers.legacy, n)]
    assert missing == []  # Ftrl, the last one, came with keras13
    assert keras.optimizers.legacy.Adam is keras.optimizers.Adam
