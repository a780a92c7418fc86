"""Where Model.fit / evaluate / predict keep their arrays.

Note [data on the device]
On the 'cuda' backend a training step must not copy between host and device except for the loss
scalar the progress bar shows (a host<->device copy costs a synchronisation, ~10-50 us, more
than a small model's whole step on an H100). So, on that backend:
- the weights and the optimizer's state arrays are moved to the GPU once (``place_model``);
- the dataset is copied to the GPU once per fit/evaluate/predict call (``to_device``), and each
  epoch's shuffle is one permutation index array copied once per epoch; batches are device
  slices or device gathers;
- metrics are computed on the device (``batch_metrics``) and their weighted sums stay there
  until the epoch ends (one copy per metric per epoch); the per-batch logs hold every metric,
  as Keras 2's do, when a callback reads them (the progress bar, a user's on_train_batch_end):
  then one stacked copy per step (``values_to_host``), after the loss copy has synchronised;
- predict gathers its batches on the device and copies the result to the host once.
On the 'numpy' and 'cpu' backends every function here returns its input unchanged, so the CPU
path is exactly what it was.
"""
import numpy as np

from . import metrics as _metrics
from ._dispatch import get_backend
from .metrics._utils import match_rank
from ._xp import array_module


def device_module(backend=None):
    """cupy on the 'cuda' backend, else numpy."""
    if (backend or get_backend()) == "cuda":
        import cupy
        return cupy
    return np


def is_device_array(a):
    return type(a).__module__.split(".")[0] == "cupy"


def to_device(a, xp):
    """``a`` as an array of module ``xp`` (one host->device copy when xp is cupy and ``a`` is
    on the host; no copy when it already lives there)."""
    if a is None or xp is np or array_module(a) is xp:
        return a
    if getattr(a, "dtype", None) is not None and a.dtype.kind in "OUSV":
        return a  # strings (TextVectorization, StringLookup, Hashing inputs) are read on the host
    return xp.asarray(a)


def to_host(a):
    """A NumPy array (one device->host copy for a CuPy array)."""
    return a.get() if is_device_array(a) else a


def values_to_host(values):
    """{name: value} with every device value on the host: a 0-d one as a float (all of them
    in one stacked copy), a larger one as a NumPy array; host values unchanged."""
    out = dict(values)
    scalars = [k for k, v in values.items() if is_device_array(v) and v.ndim == 0]
    if scalars:
        xp = array_module(values[scalars[0]])
        host = xp.stack([values[k].astype(np.float64) for k in scalars]).get()
        out.update(zip(scalars, (float(h) for h in host)))
    for k, v in values.items():
        if is_device_array(v) and v.ndim:
            out[k] = v.get()
    return out


def place_model(model, xp):
    """Move every weight of ``model`` and its optimizer's state arrays to module ``xp`` (in
    place: the Tensors keep their identity, so the optimizer's per-parameter state stays
    attached). A no-op when they already live there."""
    if xp is np:
        return
    for t in model.weights:
        if array_module(t.data) is not xp:
            a = xp.asarray(t.data)  # (ascontiguousarray would make a 0-d weight 1-d)
            t.data = a if a.flags.c_contiguous else xp.ascontiguousarray(a)
            if t.grad is not None:
                t.grad = xp.asarray(t.grad)
    opt = getattr(model, "optimizer", None)
    state = getattr(opt, "_state", None)
    if state:
        for key, st in list(state.items()):
            state[key] = (st[0],) + tuple(None if s is None else to_device(s, xp) for s in st[1:])


# Device twins of the metrics module's functions: each returns a 0-d device array (the batch
# mean), with the same definition as the host batch mean (metrics.batch_mean) it stands for.
def _binary_accuracy(xp, y_true, y_pred):
    return ((y_pred > 0.5).reshape(y_true.shape) == y_true).mean()


def _categorical_accuracy(xp, y_true, y_pred):
    return (xp.argmax(y_true, -1) == xp.argmax(y_pred, -1)).mean()


def _sparse_categorical_accuracy(xp, y_true, y_pred):
    return (y_true.reshape(y_pred.shape[:-1]).astype(np.int64) == xp.argmax(y_pred, -1)).mean()


def _mse(xp, y_true, y_pred):
    return ((y_pred - y_true) ** 2).mean()


def _mae(xp, y_true, y_pred):
    return xp.abs(y_pred - y_true).mean()


DEVICE_METRICS = {
    _metrics.binary_accuracy: _binary_accuracy,
    _metrics.categorical_accuracy: _categorical_accuracy,
    _metrics.sparse_categorical_accuracy: _sparse_categorical_accuracy,
    _metrics.mean_squared_error: _mse,
    _metrics.mean_absolute_error: _mae,
}


def batch_metrics(metric_fns, y_true, y_pred):
    """{name: batch mean} of built-in metric functions on one batch. Host arrays: the metrics
    module's batch means (floats). Device arrays: their device twins (0-d device arrays, no
    synchronisation); a metric without a twin (top-k) runs on host copies (documented cost: two
    copies). (User metric functions take training_utils.metric_batch instead.)"""
    y_true = match_rank(y_true, y_pred)  # as tf_keras's compile_utils
    xp = array_module(y_pred)
    if xp is np:
        return {name: _metrics.batch_mean(fn)(y_true, y_pred) for name, fn in metric_fns}
    out = {}
    y_true = to_device(y_true, xp)  # (labels a caller kept on the host)
    for name, fn in metric_fns:
        dev = DEVICE_METRICS.get(fn)
        out[name] = dev(xp, y_true, y_pred) if dev is not None else \
            _metrics.batch_mean(fn)(to_host(y_true), to_host(y_pred))
    return out
