"""tensorforge layers against figures recorded once from real Keras 2 (tf_keras) by
tools/keras_layer_shapes.py (tests/data/keras_layer_shapes.json and keras_layer_values.npz):
output shapes, count_params(), get_weights() shapes in order, and the output of each layer on
a fixed input after loading the Keras layer's own weights with set_weights()."""
import json
import os

import numpy as np
import pytest

from tensorforge import layers as L

DATA = os.path.join(os.path.dirname(__file__), "data")
with open(os.path.join(DATA, "keras_layer_shapes.json")) as _f:
    CASES = json.load(_f)["cases"]
VALUES = np.load(os.path.join(DATA, "keras_layer_values.npz"))


def _make(case):
    kw = dict(case["kwargs"])
    if "layer" in kw:
        inner_cls, inner_kw = kw["layer"]
        kw["layer"] = getattr(L, inner_cls)(**inner_kw)
    return getattr(L, case["class_name"])(**kw)


def _shape(s):
    return tuple(None if d is None else int(d) for d in s)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_layer_matches_keras(case, backend):
    name = case["name"]
    layer = _make(case)
    x = VALUES[f"{name}/x"]
    layer(x)  # builds
    assert [list(w.shape) for w in layer.get_weights()] == case["weight_shapes"]
    assert layer.count_params() == case["count_params"]
    want = [_shape(s) for s in case["output_shapes"]]
    got = layer.compute_output_shape((None,) + tuple(case["input_shape"]))
    got = [_shape(s) for s in (got if isinstance(got, list) else [got])]
    assert got == want
    n_w = len(case["weight_shapes"])
    layer.set_weights([VALUES[f"{name}/w{i}"] for i in range(n_w)])
    ys = layer(x)
    ys = ys if isinstance(ys, list) else [ys]
    assert len(ys) == len(want)
    for i, y in enumerate(ys):
        ref = VALUES[f"{name}/y{i}"]
        y = np.asarray(y.numpy())
        assert y.shape == ref.shape
        tol = 2e-5 * max(1.0, float(np.abs(ref).max()))
        np.testing.assert_allclose(y, ref, atol=tol, rtol=1e-4, err_msg=f"{name} output {i}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_layer_config_round_trip(case):
    """get_config() -> from_config() rebuilds the same layer (model saving relies on it)."""
    name = case["name"]
    layer = _make(case)
    x = VALUES[f"{name}/x"]
    layer(x)
    layer.set_weights([VALUES[f"{name}/w{i}"] for i in range(len(case["weight_shapes"]))])
    cfg = layer.get_config()
    json.dumps(cfg)  # JSON-able, as model files store it
    cfg.pop("name")
    twin = type(layer).from_config(cfg)
    twin(x)
    twin.set_weights(layer.get_weights())
    a, b = layer(x), twin(x)
    for u, v in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
