"""Printed tensors, variable names and tf.constant's dtypes as TensorFlow 2 / Keras 2 give them
(a Keras 2 program's custom loop prints its tensors; expected strings from
tools/gen_tensor_print_refs.py run under tf_keras 2.21: tests/data/tensor_print_refs.json)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

with open(os.path.join(os.path.dirname(__file__), "data", "tensor_print_refs.json")) as _f:
    REF = json.load(_f)

CASES = {
    "int_matrix": lambda: tf.constant([[5, 2], [1, 3]]),
    "float_scalar": lambda: tf.constant(0.1),
    "float_vector": lambda: tf.constant([1.5, -2.0]),
    "string_vector": lambda: tf.constant(["a", "bc"]),
    "bool_scalar": lambda: tf.constant(True),
    "long_vector": lambda: tf.constant(np.arange(2000, dtype=np.float32)),
    "variable": lambda: tf.Variable([1.0, 2.0]),
    "named_variable": lambda: tf.Variable(3.0, name="w"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_str_and_repr_match_tensorflow(case):
    t = CASES[case]()
    for form, want in REF[case].items():
        got = {"str": str, "repr": repr, "name": lambda x: x.name}[form](t)
        assert got == want, (case, form)


def test_keras_input_prints_as_keras_2():
    inp = keras.Input((3,), name="pixels")
    got = {"str": str(inp), "repr": repr(inp), "format": f"{inp}"}
    assert got == REF["keras_input"]


def test_operation_results_print_as_tensors_not_variables():
    v = tf.Variable([1.0, 2.0])
    assert str(v * 2) == "tf.Tensor([2. 4.], shape=(2,), dtype=float32)"
    assert repr(v + 0).startswith("<tf.Tensor: shape=(2,), dtype=float32, numpy=")


def test_variable_and_weight_names_end_in_output_index():
    K = keras.backend
    assert [K.variable(np.zeros(2)).name, K.variable(np.zeros(2), name="v").name] == \
        REF["k_variable_names"]
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="dense"),
                          keras.layers.LayerNormalization(name="ln")])
    assert [t.name for t in m.weights] == REF["sequential_weight_names"]


def test_weights_saved_before_the_output_index_still_load_by_name(tmp_path):
    """A native weights file written when names had no ":0" loads by name into today's layers."""
    from tensorforge.engine import saving
    want = [np.arange(6, dtype=np.float32).reshape(3, 2), np.array([7.0, 8.0], np.float32)]
    path = str(tmp_path / "old.weights")
    meta = {"format": saving.FORMAT, "version": saving.FORMAT_VERSION, "kind": "weights",
            "weights": [["other/kernel", [4, 4]], ["dense/bias", [2]], ["dense/kernel", [3, 2]]]}
    saving._atomic_savez(path, meta, {"w/0": np.zeros((4, 4), np.float32), "w/1": want[1],
                                      "w/2": want[0]})
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="dense")])
    m.load_weights(path, by_name=True)
    for got, w in zip(m.get_weights(), want):
        np.testing.assert_array_equal(got, w)


def test_h5_names_have_one_output_index(tmp_path):
    h5py = pytest.importorskip("h5py")
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="dense")])
    m.compile("adam", "mse")
    m.fit(np.ones((4, 3), np.float32), np.ones((4, 2), np.float32), verbose=0)
    path = str(tmp_path / "m.h5")
    m.save(path)
    with h5py.File(path, "r") as f:
        names = [getattr(n, "decode", lambda: n)() for n in
                 f["model_weights"]["dense"].attrs["weight_names"]]
        opt = [getattr(n, "decode", lambda: n)() for n in f["optimizer_weights"].attrs["weight_names"]]
    assert names == ["dense/kernel:0", "dense/bias:0"]  # Keras 2's layout
    # tf_keras.optimizers.legacy.Adam's weight names after one fit of this model
    assert opt == ["Adam/iter:0", "Adam/dense/kernel/m:0", "Adam/dense/bias/m:0",
                   "Adam/dense/kernel/v:0", "Adam/dense/bias/v:0"]
    again = keras.models.load_model(path)
    for a, b in zip(again.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("expr", sorted(REF["constant_dtypes"]))
def test_constant_dtype_follows_tensorflow(expr):
    value = eval(expr, {"np": np})  # noqa: S307 -- the reference's own literal expressions
    assert tf.constant(value).dtype.name == REF["constant_dtypes"][expr]


def test_constant_keeps_explicit_dtype_and_floatx_for_floats():
    assert tf.constant([1, 2], dtype=tf.float32).dtype == np.float32
    assert tf.constant([1.0, 2.0]).dtype == np.float32
    assert tf.constant([[1, 2], [3, 4]]).numpy().tolist() == [[1, 2], [3, 4]]


def test_functional_losses_and_metrics_give_tensors_on_arrays():
    """keras.losses.* / keras.metrics.* on NumPy arrays return tensors, as Keras 2's do
    (``loss_fn(y, p).numpy()`` in the TF quickstart)."""
    y = np.array([0, 1])
    p = np.array([[0.9, 0.1], [0.2, 0.8]], np.float32)
    for got in (keras.losses.sparse_categorical_crossentropy(y, p),
                keras.metrics.sparse_categorical_accuracy(y, p),
                keras.losses.mean_squared_error(np.zeros((2, 3)), np.ones((2, 3)))):
        assert isinstance(got, tf.Tensor)
    np.testing.assert_allclose(keras.losses.sparse_categorical_crossentropy(y, p).numpy(),
                               -np.log([0.9, 0.8]), rtol=1e-6)
    assert keras.metrics.sparse_categorical_accuracy(y, p).numpy().tolist() == [1.0, 1.0]
