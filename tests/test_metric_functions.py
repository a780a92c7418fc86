"""Keras 2's metric functions and how fit / evaluate / train_on_batch average them (issue 12).

Expected figures: tests/data/metric_fn_refs.{npz,json}, written by tf_keras 2 with
tools/gen_metric_fn_refs.py (see its docstring for what Keras gives): each metric function's
per-sample values, shape and dtype; fit / evaluate over a scalar and a per-sample custom metric,
unweighted and as weighted_metrics; metrics_names and the train_on_batch / test_on_batch values
of a model with Layer.add_metric.
"""
import json
import os

import numpy as np
import pytest

import tensorforge as keras
from tensorforge import backend as K
from tensorforge import layers as L
from tensorforge import metrics as Me
from tensorforge.autograd import Tensor

_HERE = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(_HERE, "metric_fn_refs.npz"))
META = json.load(open(os.path.join(_HERE, "metric_fn_refs.json")))
FN_CASES = sorted(META["fn"])


def _fn(name):
    return getattr(Me, name) if hasattr(Me, name) else Me.get(name)


@pytest.mark.parametrize("case", FN_CASES)
def test_metric_function_matches_keras_per_sample(case):
    meta = META["fn"][case]
    y, p = REF[f"fn/{case}/y"], REF[f"fn/{case}/p"]
    fn = _fn(meta["metric"])
    got = fn(y, p, **meta["kwargs"])
    assert isinstance(got, Tensor)  # Keras 2 gives a tensor for NumPy arrays too
    assert list(np.shape(got)) == meta["shape"]
    assert np.asarray(got).dtype == np.dtype(meta["dtype"])
    np.testing.assert_allclose(got, REF[f"fn/{case}/value"], rtol=2e-6, atol=2e-7, err_msg=case)


@pytest.mark.parametrize("case", FN_CASES)
def test_metric_function_on_tensors_gives_a_tensor_of_the_same_values(case):
    meta = META["fn"][case]
    y, p = REF[f"fn/{case}/y"], REF[f"fn/{case}/p"]
    got = _fn(meta["metric"])(Tensor(y), Tensor(p), **meta["kwargs"])
    assert isinstance(got, Tensor) and list(got.shape) == meta["shape"]
    np.testing.assert_allclose(got.numpy(), REF[f"fn/{case}/value"], rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("case", [c for c in FN_CASES if not META["fn"][c]["kwargs"]])
def test_batch_mean_is_the_mean_of_the_per_sample_values(case):
    """The fused form fit runs for a built-in equals the mean of what the public function
    returns (for a (N, 1) sparse top-k target, of its (N, 1) values)."""
    meta = META["fn"][case]
    y, p = REF[f"fn/{case}/y"], REF[f"fn/{case}/p"]
    fn = _fn(meta["metric"])
    mean = Me.batch_mean(fn)
    assert mean is not None
    got = mean(y, p)
    assert isinstance(got, float)
    assert got == pytest.approx(float(np.mean(REF[f"fn/{case}/value"])), rel=2e-6, abs=1e-7)


def test_metric_classes_average_the_functions_values():
    y, p = REF["fn/sparse_top_k_categorical_accuracy_n1_k3/y"], \
        REF["fn/sparse_top_k_categorical_accuracy_n1_k3/p"]
    m = Me.SparseTopKCategoricalAccuracy(k=3)
    w = np.linspace(0.5, 2.0, len(y)).astype(np.float32)
    m.update_state(y, p, sample_weight=w)
    want = REF["fn/sparse_top_k_categorical_accuracy_n1_k3/value"].reshape(-1)
    assert m.result() == pytest.approx(float((want * w).sum() / w.sum()), rel=1e-6)
    # a Mean fed a scalar under (N,) weights counts it once per weight (tf_keras's Reduce)
    mean = Me.Mean()
    mean.update_state(2.0, sample_weight=np.array([1.0, 3.0]))
    mean.update_state(np.array([4.0]), sample_weight=np.array([4.0]))
    assert mean.result() == pytest.approx((2.0 * 4 + 4.0 * 4) / 8)


def test_bad_inputs_name_the_metric_and_the_shapes():
    with pytest.raises(ValueError, match=r"binary_accuracy: y_true and y_pred must have the same "
                                         r"shape, got \(4, 2\) and \(4, 3\)"):
        Me.binary_accuracy(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: integer labels must have "
                                         r"shape \(4,\)"):
        Me.sparse_categorical_accuracy(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"sparse_top_k_categorical_accuracy: labels must lie in "
                                         r"\[0, 3\)"):
        Me.sparse_top_k_categorical_accuracy(np.array([0, 5]), np.zeros((2, 3)), k=1)
    with pytest.raises(TypeError, match="categorical_accuracy: y_true and y_pred must be real"):
        Me.categorical_accuracy(np.array(["a", "b"]), np.zeros((2,)))
    # a target lacking only the output's unit axis is compared sample by sample (Keras 2 would
    # broadcast (N,) against (N, 1) to (N, N))
    assert Me.binary_accuracy(np.array([1.0, 0.0]), np.array([[0.9], [0.8]])).numpy().tolist() == [1, 0]


# ---- fit / evaluate average metric functions as Keras 2 does ----------------------------------

def scalar_mae(y_true, y_pred):
    return K.mean(K.abs(y_true - y_pred))


def per_sample_mae(y_true, y_pred):
    return K.mean(K.abs(y_true - y_pred), axis=-1)


def y_true_rank(y_true, y_pred):
    return np.float32(np.ndim(y_true) * 10 + np.shape(y_true)[-1])


def _fit_model(weighted):
    inp = keras.Input((4,))
    model = keras.Model(inp, L.Dense(1, activation="sigmoid")(inp))
    model.layers[-1].set_weights([REF["fit/kernel"], np.zeros(1, np.float32)])
    fns = [scalar_mae, per_sample_mae, "binary_accuracy", y_true_rank]
    kw = {"weighted_metrics": fns} if weighted else {"metrics": fns}
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", **kw)
    return model


@pytest.mark.parametrize("weighted", [False, True])
def test_fit_and_evaluate_average_scalar_and_per_sample_metrics_as_keras(weighted):
    """Batches of 4, 4, 2: Keras 2 averages a scalar metric's batch values equally (once per
    weight sum when weighted), per-sample values once per sample; a custom metric sees y_true
    (N, 1) for 1-D targets."""
    want = META["fit"]["weighted" if weighted else "unweighted"]
    model = _fit_model(weighted)
    sw = REF["fit/sw"] if weighted else None
    h = model.fit(REF["fit/x"], REF["fit/y"], batch_size=4, epochs=1, verbose=0, shuffle=False,
                  sample_weight=sw)
    got = {k: v[0] for k, v in h.history.items()}
    assert sorted(got) == sorted(want["history"])
    for k, v in want["history"].items():
        assert got[k] == pytest.approx(v, rel=2e-6, abs=1e-7), k
    ev = model.evaluate(REF["fit/x"], REF["fit/y"], batch_size=4, verbose=0, sample_weight=sw,
                        return_dict=True)
    for k, v in want["evaluate"].items():
        assert ev[k] == pytest.approx(v, rel=2e-6, abs=1e-7), k
    # the scalar and the per-sample forms differ here only by how batches are averaged
    assert abs(got["scalar_mae"] - got["per_sample_mae"]) > 1e-3


def test_metric_class_with_arguments_averages_per_sample_under_weights():
    x, y, sw = REF["fit/x"], REF["fit/y"], REF["fit/sw"]
    model = _fit_model(False)
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy",
                  weighted_metrics=[Me.BinaryAccuracy(threshold=0.6, name="acc6")])
    ev = model.evaluate(x, y, batch_size=4, sample_weight=sw, verbose=0, return_dict=True)
    p = model.predict(x).reshape(-1)
    hits = ((p > 0.6) == y).astype(np.float64)
    assert ev["acc6"] == pytest.approx(float((hits * sw).sum() / sw.sum()), rel=1e-6)


# ---- metrics_names and train_on_batch / test_on_batch with Layer.add_metric ------------------

class AddMetrics(L.Layer):
    def call(self, t):
        self.add_metric(K.mean(t), name="act_mean")
        self.add_metric(K.max(t), name="act_max")
        return t


def _names_model(with_added):
    inp = keras.Input((4,))
    h = L.Dense(3)(inp)
    if with_added:
        h = AddMetrics()(h)
    model = keras.Model(inp, L.Dense(1, activation="sigmoid")(h))
    model.layers[1].set_weights([REF["names/k0"], np.zeros(3, np.float32)])
    model.layers[-1].set_weights([REF["names/k1"], np.zeros(1, np.float32)])
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=["accuracy"])
    return model


def _close(got, want):
    np.testing.assert_allclose(np.atleast_1d(got), want, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("key", ["plain", "add_metric"])
def test_metrics_names_and_batch_calls_match_keras(key):
    want = META["names"][key]
    x, y = REF["fit/x"], REF["fit/y"]
    m = _names_model(key == "add_metric")
    assert m.metrics_names == want["after_compile"]
    m.predict(x)
    assert m.metrics_names == want["after_predict"]
    _close(m.train_on_batch(x, y), want["train_on_batch"])
    assert m.metrics_names == want["after_train_on_batch"]
    _close(m.test_on_batch(x, y), want["test_on_batch"])
    d = m.test_on_batch(x, y, return_dict=True)
    assert list(d) == want["after_train_on_batch"]
    _close(list(d.values()), [want["test_on_batch_dict"][k] for k in d])
    _close(m.test_on_batch(x[:4], y[:4], reset_metrics=False), want["test_on_batch_continued"])
    _close(_names_model(key == "add_metric").test_on_batch(x, y), want["fresh_test_on_batch"])
    m = _names_model(key == "add_metric")
    _close(m.evaluate(x, y, verbose=0), want["evaluate"])
    assert m.metrics_names == want["after_evaluate"]


def test_sequential_metrics_names_empty_until_used_and_after_fit():
    seq = keras.Sequential([L.Dense(1, input_shape=(4,))])
    seq.compile("sgd", "mse", metrics=["mae"])
    assert seq.metrics_names == META["names"]["sequential_after_compile"] == []
    seq.fit(REF["fit/x"], REF["fit/y"], verbose=0)
    assert seq.metrics_names == ["loss", "mae"]
    seq.compile("sgd", "mse", metrics=["mae"])  # compile starts afresh, as tf_keras's
    assert seq.metrics_names == []


def test_fit_logs_add_metric_values_and_names():
    m = _names_model(True)
    h = m.fit(REF["fit/x"], REF["fit/y"], batch_size=4, epochs=1, verbose=0, shuffle=False,
              validation_data=(REF["fit/x"], REF["fit/y"]))
    assert m.metrics_names == ["loss", "accuracy", "act_mean", "act_max"]
    assert {"act_mean", "act_max", "val_act_mean", "val_act_max"} <= set(h.history)
    # SGD(0): the validation pass over the same data is evaluate's (batches 4, 4, 2: the
    # scalar add_metric values average once per batch, as Keras 2's Mean)
    ev = META["names"]["add_metric"]["evaluate"]
    assert h.history["val_loss"][0] == pytest.approx(ev[0], rel=2e-6)


def test_accuracy_functions_on_a_functional_graph():
    """As the loss-type metrics (losses' functions) do, the accuracies take symbolic tensors
    and record an op: per-sample values of shape (None,)."""
    a, b = keras.Input((3,)), keras.Input((3,))
    acc = Me.categorical_accuracy(a, b)
    assert tuple(acc.shape) == (None,)
    got = keras.Model([a, b], acc).predict([np.eye(3, dtype=np.float32),
                                            np.eye(3, dtype=np.float32)[[0, 2, 1]]])
    assert got.tolist() == [1.0, 0.0, 0.0]
