"""TF ops recorded on symbolic tensors (tf_keras 2's TFOpLambda / SlicingOpLambda layers): models
saved by tf_keras load here, ours are named, printed and saved as tf_keras's.

tests/data/tfop_*.h5 and tfop_refs.json were written by tf_keras 2.21 (tools/gen_tfop_h5.py gen)
from the models of tests/tfop_models.py: predictions on the fixed inputs, layer names / classes,
summary text and each op layer's config function and inbound node. That tf_keras loads the files
tensorforge saves and predicts the same is checked by ``tools/gen_tfop_h5.py write`` / ``check``
(bench/RESULTS.md "tfop24").
"""
import json
import os

import h5py
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.engine.tf_op_lambda import SlicingOpLambda, TFOpLambda

from tfop_models import INPUTS, MODELS, build

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
with open(os.path.join(DATA, "tfop_refs.json")) as _f:
    REFS = json.load(_f)


def _predict(m, name):
    x = INPUTS[name]
    p = m.predict(x if len(x) > 1 else x[0], verbose=0)
    return p if isinstance(p, list) else [p]


def _assert_keras_preds(m, name):
    want = REFS[name]["preds"]
    got = _predict(m, name)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.array(w, dtype="float32"), rtol=1e-5, atol=1e-5)


def _layers(m):  # [name, class, output shape]; tf_keras gives an InputLayer's shape in a list
    return [[l.name, type(l).__name__, [list(l.output_shape)] if type(l).__name__ == "InputLayer"
             else list(l.output_shape)] for l in m.layers]


def _plain(v):
    return json.loads(json.dumps(v))


def _without_defaults(v):
    """An inbound node without the arguments tf_keras writes at their no-op values (the op's
    ``name=None``, compat.v1.transpose's ``conjugate=False``), which ours leave out."""
    if isinstance(v, dict):
        return {k: _without_defaults(e) for k, e in v.items()
                if not (k == "name" or k == "conjugate" and e is False)}
    if isinstance(v, list):
        return [_without_defaults(e) for e in v]
    return v


def _op_layers(cfg):
    return sorted([l["name"], l["class_name"], l["config"]["function"],
                   _without_defaults(l["inbound_nodes"])]
                  for l in cfg["layers"] if l["class_name"] in ("TFOpLambda", "SlicingOpLambda"))


# ---- (A) tf_keras' files load and predict as tf_keras does --------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_file_loads_and_predicts_as_keras(name):
    keras.backend.clear_session()
    m = keras.models.load_model(os.path.join(DATA, f"tfop_{name}.h5"))
    _assert_keras_preds(m, name)
    assert _plain(_layers(m)) == REFS[name]["layers"]
    lines = []
    m.summary(print_fn=lines.append)
    assert "\n".join(lines) == REFS[name]["summary"]


def test_loaded_op_layers_are_keras_classes():
    keras.backend.clear_session()
    m = keras.models.load_model(os.path.join(DATA, "tfop_basic.h5"))
    kinds = {l.name: type(l) for l in m.layers}
    assert kinds["tf.__operators__.getitem"] is SlicingOpLambda
    assert kinds["tf.compat.v1.transpose"] is TFOpLambda
    assert m.get_layer("tf.math.reduce_mean").get_config()["function"] == "math.reduce_mean"


# ---- (C) our op layers are named and printed as tf_keras's ------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_summary_is_keras_summary(name):
    keras.backend.clear_session()
    m = build(name, keras, tf)
    lines = []
    m.summary(print_fn=lines.append)
    assert "\n".join(lines) == REFS[name]["summary"]
    assert _plain(_layers(m)) == REFS[name]["layers"]
    _assert_keras_preds(m, name)


def test_operators_and_functions_name_the_tf_op():
    keras.backend.clear_session()
    x = keras.Input((3,))
    outs = [2.0 * x, x - 1.0, abs(x), -x, x ** 2, x // 2.0, x % 2.0, x > 0.0, tf.math.exp(x),
            keras.backend.mean(x, axis=1), keras.backend.permute_dimensions(x, (1, 0)),
            tf.math.softmax(x), tf.nn.sigmoid(x)]
    names = [o._keras_history[0].name for o in outs]
    assert names == ["tf.math.multiply", "tf.math.subtract", "tf.math.abs", "tf.math.negative",
                     "tf.math.pow", "tf.compat.v1.floor_div", "tf.math.floormod",
                     "tf.math.greater", "tf.math.exp", "tf.math.reduce_mean",
                     "tf.compat.v1.transpose", "tf.nn.softmax", "tf.math.sigmoid"]


# ---- (B) our files are in tf_keras' format -----------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_saved_h5_holds_keras_op_layers_and_reloads(name, tmp_path):
    keras.backend.clear_session()
    m = build(name, keras, tf)
    p = str(tmp_path / "m.h5")
    m.save(p)
    with h5py.File(p, "r") as f:
        cfg = json.loads(f.attrs["model_config"])["config"]
    assert _op_layers(cfg) == _op_layers(m.get_config())  # (compared with tf_keras' below)
    assert len(_op_layers(cfg)) == len(REFS[name]["ops"])
    keras.backend.clear_session()
    _assert_keras_preds(keras.models.load_model(p), name)
    n = keras.Model.from_config(m.get_config())
    n.set_weights(m.get_weights())
    _assert_keras_preds(n, name)


# tf.norm / tf.pad call their compat.v1 op, which tf_keras records with the defaults passed on;
# ours records the call as made
_V1_DEFAULTS = [
    (["tf.compat.v1.norm", "TFOpLambda", "compat.v1.norm",
      [["tf.__operators__.add_10", 0, 0, {"axis": 1}]]],
     ["tf.compat.v1.norm", "TFOpLambda", "compat.v1.norm",
      [["tf.__operators__.add_10", 0, 0, {"ord": "euclidean", "axis": 1, "keepdims": None}]]]),
    (["tf.compat.v1.pad", "TFOpLambda", "compat.v1.pad",
      [["tf.reverse", 0, 0, {"paddings": [[0, 0], [1, 0], [0, 0]]}]]],
     ["tf.compat.v1.pad", "TFOpLambda", "compat.v1.pad",
      [["tf.reverse", 0, 0, {"paddings": [[0, 0], [1, 0], [0, 0]], "mode": "CONSTANT",
                             "constant_values": 0}]]])]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_op_layer_configs_and_nodes_are_keras(name):
    keras.backend.clear_session()
    ours = _op_layers(build(name, keras, tf).get_config())
    theirs = _op_layers({"layers": [
        {"name": n, "class_name": c, "config": {"function": fn}, "inbound_nodes": nodes}
        for n, c, fn, nodes in REFS[name]["ops"]]})
    assert len(ours) == len(theirs) == {"basic": 9, "math": 45, "int": 6, "more": 55}[name]
    diff = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert diff == {"more": _V1_DEFAULTS}.get(name, [])


def test_a_constant_first_argument_is_saved_as_keras_writes_it():
    keras.backend.clear_session()
    x = keras.Input((3,))
    m = keras.Model(x, 1.0 - x)
    layer = m.get_config()["layers"][1]
    assert layer["inbound_nodes"] == [["_CONSTANT_VALUE", -1, 1.0, {"y": ["input_1", 0, 0]}]]
    n = keras.Model.from_config(m.get_config())
    np.testing.assert_allclose(n.predict(np.array([[1.0, 2.0, -3.0]]), verbose=0), [[0.0, -1.0, 4.0]])


def test_k_clip_bounds_are_saved_as_keras_writes_them():
    # tf_keras 2.21 (printed by its get_config): max raised to min, None as -inf
    keras.backend.clear_session()
    x = keras.Input((3,))
    m = keras.Model(x, [keras.backend.clip(x, 1.0, 0.0), keras.backend.clip(x, None, 0.5)])
    assert [l["inbound_nodes"] for l in m.get_config()["layers"][1:]] == [
        [["input_1", 0, 0, {"clip_value_min": 1.0, "clip_value_max": 1.0}]],
        [["input_1", 0, 0, {"clip_value_min": -np.inf, "clip_value_max": 0.5}]]]
    n = keras.Model.from_config(m.get_config())
    got = n.predict(np.array([[-2.0, 0.7, 3.0]]), verbose=0)
    np.testing.assert_array_equal(got[0], [[1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(got[1], [[-2.0, 0.5, 0.5]])


def test_a_nested_model_in_an_op_keyword_argument_is_numbered_as_keras_does(tmp_path):
    # tf_keras numbers a nested model's calls from 1 (its node 0 is its inner graph): the
    # reference in ``y=`` too, or neither tf_keras nor our loader finds the tensor
    keras.backend.clear_session()
    i = keras.Input((3,))
    inner = keras.Model(i, keras.layers.Dense(3, kernel_initializer="ones")(i), name="inner")
    x = keras.Input((3,))
    m = keras.Model(x, x * inner(x))
    p = str(tmp_path / "m.h5")
    m.save(p)
    with h5py.File(p, "r") as f:
        layers = json.loads(f.attrs["model_config"])["config"]["layers"]
    assert layers[-1]["inbound_nodes"] == [[x._keras_history[0].name, 0, 0, {"y": ["inner", 1, 0]}]]
    np.testing.assert_array_equal(keras.models.load_model(p).predict(
        np.array([[1.0, 2.0, 3.0]]), verbose=0), [[6.0, 12.0, 18.0]])


def test_an_integer_or_bool_op_output_keeps_its_dtype(tmp_path):
    # tf.one_hot of a cast slice raised ("indices must be integers, got float32"): every op
    # layer's symbolic output was float32
    keras.backend.clear_session()
    x = keras.Input((4,))
    ids = tf.cast(x[:, 0], "int32")
    positive = x > 0.0
    assert (ids.dtype, positive.dtype, (x * 2.0).dtype) == ("int32", "bool", "float32")
    m = keras.Model(x, [tf.one_hot(ids, 3), tf.cast(positive, "float32")])
    p = str(tmp_path / "m.h5")
    m.save(p)
    for model in (m, keras.models.load_model(p)):
        a, b = model.predict(np.array([[2.0, -1.0, 0.0, 3.0]]), verbose=0)
        np.testing.assert_array_equal(a, [[0.0, 0.0, 1.0]])
        np.testing.assert_array_equal(b, [[1.0, 0.0, 0.0, 1.0]])


def test_an_ellipsis_slice_runs_but_cannot_be_saved(tmp_path):
    keras.backend.clear_session()
    x = keras.Input((2, 3))
    m = keras.Model(x, x[..., 1])
    np.testing.assert_array_equal(m.predict(np.arange(6.0).reshape(1, 2, 3), verbose=0), [[1.0, 4.0]])
    with pytest.raises(ValueError, match="tf.__operators__.getitem.*cannot be saved.*ellipsis"):
        m.save(str(tmp_path / "m.h5"))


def test_fancy_indexing_keeps_the_anonymous_op_layer():
    keras.backend.clear_session()
    x = keras.Input((4,))
    y = x[:, [0, 2]]
    assert type(y._keras_history[0]).__name__ == "OpLayer"
    m = keras.Model(x, y)
    np.testing.assert_array_equal(m.predict(np.arange(4.0)[None], verbose=0), [[0.0, 2.0]])


# ---- configs from outside -----------------------------------------------------------------------

_OLD_CONFIG = {  # Model.get_config() of main 4c2afcd (before TFOpLambda): tensorforge's OpLayer
    "name": "model", "trainable": True, "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "input_1"},
         "name": "input_1", "inbound_nodes": []},
        {"class_name": "OpLayer", "config": {
            "name": "tf_op_layer_mul", "trainable": True, "function": "tensorforge.ops.basic:mul",
            "arguments": [[{"__keras_tensor__": 0}, 2.0], {"__dict__": {}}]},
         "name": "tf_op_layer_mul", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "OpLayer", "config": {
            "name": "tf_op_layer_apply", "trainable": True,
            "function": "tensorforge.ops.basic:Concatenate.apply",
            "arguments": [[{"__keras_tensor__": 0}, {"__keras_tensor__": 1}],
                          {"__dict__": {"axis": 1}}]},
         "name": "tf_op_layer_apply",
         "inbound_nodes": [[["input_1", 0, 0, {}], ["tf_op_layer_mul", 0, 0, {}]]]},
        {"class_name": "OpLayer", "config": {
            "name": "tf_op_layer_add", "trainable": True, "function": "tensorforge.ops.basic:add",
            "arguments": [[{"__keras_tensor__": 0}, 1.0], {"__dict__": {}}]},
         "name": "tf_op_layer_add", "inbound_nodes": [[["tf_op_layer_apply", 0, 0, {}]]]},
        {"class_name": "OpLayer", "config": {
            "name": "tf_op_layer_apply_1", "trainable": True,
            "function": "tensorforge.ops.basic:Sum.apply",
            "arguments": [[{"__keras_tensor__": 0}, {"__tuple__": [1]}, True], {"__dict__": {}}]},
         "name": "tf_op_layer_apply_1", "inbound_nodes": [[["tf_op_layer_add", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["tf_op_layer_apply_1", 0, 0]]}


def test_older_op_layer_configs_still_load():
    keras.backend.clear_session()
    m = keras.Model.from_config(_OLD_CONFIG)
    # sum over [x, 2x] + 1 of x = (1, 2, 3): 3 * 6 + 6
    np.testing.assert_allclose(m.predict(np.array([[1.0, 2.0, 3.0]]), verbose=0), [[24.0]])


def _one_op_config(function, node):
    return {"name": "model", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "name": "in"},
         "name": "in", "inbound_nodes": []},
        {"class_name": "TFOpLambda", "config": {"name": "op", "function": function},
         "name": "op", "inbound_nodes": [node]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["op", 0, 0]]}


@pytest.mark.parametrize("function", ["os.system", "compat.v1.os", "__operators__.__class__",
                                      "math._private", "math.reduce_sum.__globals__", "keras",
                                      "no_such_op", 3, "io.write_file", "print", "py_function",
                                      "io.gfile.rmtree", "math.special", "numpy_function"])
def test_op_config_names_only_tensorforge_tf_functions(function):
    with pytest.raises(ValueError, match="does not name a TensorFlow op tensorforge implements"):
        keras.Model.from_config(_one_op_config(function, ["in", 0, 0, {}]))


def test_an_argument_the_op_does_not_take_names_op_and_argument():
    with pytest.raises(ValueError, match=r"tf.math.reduce_sum got the argument bogus=1.*input_tensor"):
        keras.Model.from_config(_one_op_config("math.reduce_sum", ["in", 0, 0, {"bogus": 1}]))


@pytest.mark.parametrize("node", [["_CONSTANT_VALUE", 0, 1.0, {}], ["_CONSTANT_VALUE", -1],
                                  ["in", 0, 0, {}, 5], [["in", 0]]])
def test_malformed_op_nodes_are_value_errors(node):
    with pytest.raises(ValueError, match="inbound_nodes"):
        keras.Model.from_config(_one_op_config("math.abs", node))
