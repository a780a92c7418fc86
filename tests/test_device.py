"""Where Model.fit / evaluate / predict keep their arrays (tensorforge/_device.py, Note [data on
the device]), tested without a GPU:
- on the host backends the helpers are the identity (the CPU path is unchanged);
- the device twins of the metrics compute the same values as the host metrics (run here with
  NumPy as their array module: the twins are written on the array-module API only);
- with the device array module replaced by a counting stand-in (NumPy underneath, so every number
  is the real CPU computation), fit copies the dataset once per call and one permutation per
  epoch, never per batch, predict copies its input once, and the results are bit-identical to
  an ordinary CPU fit. What this cannot show (needs a GPU): that CuPy arrays flow through every
  layer without an implicit copy. The GPU test at the end checks that on a GPU.
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _device
from tensorforge import layers as L
from tensorforge import metrics as _metrics
from tensorforge import models as M
from tensorforge.utils import set_random_seed


def test_host_backends_leave_arrays_where_they_are():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert _device.device_module("cpu") is np and _device.device_module("numpy") is np
    assert _device.to_device(x, np) is x
    assert _device.to_host(x) is x
    assert not _device.is_device_array(x)
    assert _device.to_device(None, np) is None


def test_device_metric_twins_match_the_host_metrics(rng):
    N, C = 37, 5
    logits = rng.standard_normal((N, C)).astype(np.float32)
    labels = rng.integers(0, C, N)
    onehot = np.eye(C, dtype=np.float32)[labels]
    p1 = rng.random((N, 1)).astype(np.float32)
    t1 = (rng.random((N, 1)) > 0.5).astype(np.float32)
    reg_t, reg_p = rng.standard_normal((N, 3)).astype(np.float32), rng.standard_normal((N, 3)).astype(np.float32)
    cases = {
        _metrics.binary_accuracy: (t1, p1),
        _metrics.categorical_accuracy: (onehot, logits),
        _metrics.sparse_categorical_accuracy: (labels.astype(np.int64), logits),
        _metrics.mean_squared_error: (reg_t, reg_p),
        _metrics.mean_absolute_error: (reg_t, reg_p),
    }
    assert set(cases) == set(_device.DEVICE_METRICS), "every device twin is tested"
    for fn, (yt, yp) in cases.items():
        twin = _device.DEVICE_METRICS[fn]
        want = _metrics.batch_mean(fn)(yt, yp)
        assert want == pytest.approx(float(np.mean(fn(yt, yp))), rel=1e-6, abs=1e-7)
        got = float(twin(np, yt, yp))
        assert got == pytest.approx(want, rel=1e-6, abs=1e-7), fn.__name__
    # accuracy values are not all trivially 0 or 1 on this data
    assert 0 < _metrics.batch_mean(_metrics.categorical_accuracy)(onehot, logits) < 1


class CountingModule:
    """A stand-in device array module: NumPy underneath (real computations), counting every
    host->device copy (asarray of a host array). Arrays it returns stay NumPy arrays, so the
    counts cover copies made by fit/evaluate/predict's own placement logic."""

    def __init__(self):
        self.copies = []

    def asarray(self, a, *args, **kw):
        self.copies.append(tuple(np.shape(a)))
        return np.array(a, copy=True)

    def ascontiguousarray(self, a, *args, **kw):
        return np.ascontiguousarray(a, *args, **kw)

    def __getattr__(self, name):
        return getattr(np, name)


def _model(seed):
    set_random_seed(seed)
    m = M.Sequential([L.Dense(8, activation="relu", input_shape=(4,)), L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _data():
    r = np.random.default_rng(7)
    x = r.standard_normal((120, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5).astype(np.int64)
    return x, y


@pytest.fixture
def host_reference():
    """The reference fit runs on a host backend, as the stand-in's kernels do (bit-equal
    results), also where the default backend is cuda (a GPU is visible)."""
    from tensorforge._dispatch import get_backend, set_backend
    was = get_backend()
    if was == "cuda":
        set_backend("cpu")
    yield
    set_backend(was)


@pytest.mark.parametrize("batch_size", [10, 40])
def test_fit_copies_the_dataset_once_and_one_permutation_per_epoch(monkeypatch, batch_size,
                                                                    host_reference):
    x, y = _data()
    epochs = 3
    ref = _model(3)
    set_random_seed(5)
    ref_hist = ref.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0).history
    ref_pred = ref.predict(x[:50], batch_size=7)

    xp = CountingModule()
    monkeypatch.setattr(_device, "device_module", lambda backend=None: xp)
    m = _model(3)
    set_random_seed(5)
    hist = m.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0).history
    n_weights = len(m.weights)
    # the weights (once, at the first fit; they are NumPy arrays here, so placement copies them
    # again at the next call, which a real device array would not need), x and y, one
    # permutation per epoch; nothing that grows with the number of batches
    data = [c for c in xp.copies if c not in [tuple(w.shape) for w in m.weights]]
    assert data == [(120, 4), (120,)] + [(120,)] * epochs, xp.copies
    assert len(xp.copies) - len(data) == n_weights
    for k in ref_hist:  # placement changes nothing in the arithmetic
        np.testing.assert_array_equal(np.asarray(hist[k]), np.asarray(ref_hist[k]), err_msg=k)
    assert set(hist) == set(ref_hist) == {"loss", "accuracy"}

    xp.copies.clear()
    pred = m.predict(x[:50], batch_size=7)
    assert [c for c in xp.copies if c == (50, 4)] == [(50, 4)], xp.copies
    assert isinstance(pred, np.ndarray)
    np.testing.assert_array_equal(pred, ref_pred)

    xp.copies.clear()
    res = m.evaluate(x, y, batch_size=batch_size, verbose=0)
    assert [c for c in xp.copies if c in ((120, 4), (120,))] == [(120, 4), (120,)], xp.copies
    assert len(res) == 2 and all(isinstance(v, float) for v in res)


def test_batch_logs_hold_every_metric_when_a_callback_reads_them(monkeypatch, host_reference):
    """Keras 2 hands on_train_batch_end the loss and every metric; on the device path too
    (fetched in one copy per step, only because a callback reads them)."""
    class Record(tf.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = []

        def on_train_batch_end(self, batch, logs=None):
            self.logs.append(dict(logs))

    x, y = _data()
    ref, rec_ref = _model(3), Record()
    set_random_seed(5)
    ref.fit(x, y, batch_size=40, epochs=2, verbose=0, callbacks=[rec_ref])
    xp = CountingModule()
    monkeypatch.setattr(_device, "device_module", lambda backend=None: xp)
    m, rec = _model(3), Record()
    set_random_seed(5)
    m.fit(x, y, batch_size=40, epochs=2, verbose=0, callbacks=[rec])
    assert len(rec.logs) == len(rec_ref.logs) == 6
    for got, want in zip(rec.logs, rec_ref.logs):
        assert set(got) == set(want) == {"loss", "accuracy"}  # tf_keras 2.21's keys
        for k in want:
            assert float(got[k]) == float(want[k]), (k, got, want)
    data = [c for c in xp.copies if c not in [tuple(w.shape) for w in m.weights]]
    assert data == [(120, 4), (120,)] + [(120,)] * 2, xp.copies  # nothing per batch


def test_values_to_host_fetches_the_scalars_in_one_copy(monkeypatch):
    gets = []

    class Dev(np.ndarray):
        def get(self):
            gets.append(self.shape)
            return np.array(self).view(np.ndarray)
    Dev.__module__ = "cupy"

    def dev(v):
        return np.asarray(v, np.float32).view(Dev)

    class Module:
        @staticmethod
        def stack(arrays):
            return np.stack([np.asarray(a) for a in arrays]).view(Dev)
    monkeypatch.setattr(_device, "array_module", lambda *a: Module)
    out = _device.values_to_host({"loss": 0.5, "acc": dev(0.25), "mae": dev(2.0),
                                  "auc": dev([0.1, 0.2])})
    assert list(out) == ["loss", "acc", "mae", "auc"]
    assert out["loss"] == 0.5 and out["acc"] == 0.25 and out["mae"] == 2.0
    assert type(out["acc"]) is float and type(out["auc"]) is np.ndarray
    np.testing.assert_allclose(out["auc"], [0.1, 0.2])
    assert sorted(gets) == [(2,), (2,)]  # one stacked copy for both scalars, one for the array


def test_fit_keeps_data_on_the_gpu_when_one_is_visible():
    if not tf.backend.cuda_available():
        pytest.skip("cuda: no GPU visible")
    cupy = pytest.importorskip("cupy")
    x, y = _data()
    prev = tf.get_backend()
    tf.set_backend("cuda")
    try:
        m = _model(3)
        m.fit(x, y, batch_size=16, epochs=2, verbose=0)
        assert all(type(w.data).__module__.startswith("cupy") for w in m.weights)
        pred = m.predict(x, batch_size=32)
        assert isinstance(pred, np.ndarray) and pred.shape == (120, 3)
        np.testing.assert_allclose(pred.sum(1), 1.0, rtol=1e-5)
        ev = m.evaluate(cupy.asarray(x), cupy.asarray(y), verbose=0)
        assert isinstance(ev[0], float) and np.isfinite(ev[0])
    finally:
        tf.set_backend(prev)
