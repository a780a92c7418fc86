"""Argument handling shared by the metric functions and classes: arrays out of Tensors (NumPy or
CuPy kept as they are), y_true conformed to y_pred, sparse labels, top-k membership, and sample
weights broadcast to the values."""
import numpy as np

from .._xp import array_module, host
from ..autograd import Tensor


def _np(x):
    if type(x) is np.ndarray:
        return x
    return np.asarray(host(x))  # (a CuPy array's own .data is its memory pointer)


def match_rank(y_true, y_pred):
    """1-D targets of a 2-D output gain a trailing axis before a compiled metric sees them, as
    tf_keras 2's compile_utils.match_dtype_and_rank does in fit / evaluate (metrics=['mae'] on
    (N,) labels of an (N, k) output compares each label with every column)."""
    if getattr(y_true, "ndim", None) == 1 and getattr(y_pred, "ndim", None) == 2:
        return y_true.reshape(-1, 1)
    return y_true


def _arrays(op, y_true, y_pred):
    """(y_true, y_pred, was_tensor): the data of Tensors, arrays as they are (NumPy or CuPy),
    anything else through np.asarray; a non-numeric y_pred is a TypeError naming ``op``."""
    was = isinstance(y_pred, Tensor)
    p = y_pred.data if was else y_pred
    t = y_true.data if isinstance(y_true, Tensor) else y_true
    if not hasattr(p, "dtype"):
        p = np.asarray(p)
    if not hasattr(t, "dtype"):
        t = array_module(p).asarray(t)
    elif type(t) is not type(p) and array_module(t, p) is not np:
        # Note [mixed host and device operands] (_xp.py): host labels against device predictions
        xp = array_module(t, p)
        t, p = xp.asarray(t), xp.asarray(p)
    if p.dtype.kind not in "biuf" or t.dtype.kind not in "biuf":
        raise TypeError(f"{op}: y_true and y_pred must be real numeric arrays or Tensors, got "
                        f"dtypes {t.dtype} and {p.dtype}")
    return t, p, was


def _conform(op, t, p):
    """y_true of y_pred's shape: one lacking only y_pred's trailing unit axis gains it (and one
    with an extra trailing unit axis loses it); other mismatches are a ValueError."""
    if t.shape != p.shape:
        if t.ndim == p.ndim - 1 and p.shape[-1] == 1 and t.shape == p.shape[:-1] or \
                t.ndim == p.ndim + 1 and t.shape[-1] == 1 and t.shape[:-1] == p.shape:
            return t.reshape(p.shape)
        raise ValueError(f"{op}: y_true and y_pred must have the same shape, got "
                         f"{tuple(t.shape)} and {tuple(p.shape)}")
    return t


def _labels(op, t, p):
    """Sparse labels for y_pred (..., C): shape p.shape[:-1] (a trailing unit axis dropped)."""
    if p.ndim == 0:
        raise ValueError(f"{op}: y_pred must have a class axis (..., C), got a scalar")
    lead = p.shape[:-1]
    if t.shape != lead:
        if t.shape == lead + (1,):
            return t.reshape(lead)
        raise ValueError(f"{op}: integer labels must have shape {lead} (or {lead + (1,)}) for "
                         f"y_pred {tuple(p.shape)}, got {tuple(t.shape)}")
    return t


def _out(values, was_tensor):
    return Tensor(values) if was_tensor else values


def _fraction(hits):
    """The mean of a bool array as a float (np.mean's Python layer costs more than the work on
    a batch of 32: the batch means run every training step)."""
    return np.count_nonzero(hits) / hits.size if hits.size else float("nan")


def _in_top_k(y_pred, labels, k):
    """tf.math.in_top_k: the target's score has fewer than k scores strictly above it; shape
    y_pred.shape[:-1]."""
    xp = array_module(y_pred)
    flat = y_pred.reshape(-1, y_pred.shape[-1])
    target = flat[xp.arange(flat.shape[0]), labels.reshape(-1).astype(np.int64)]
    return ((flat > target[:, None]).sum(-1) < k).reshape(y_pred.shape[:-1])


def _check_labels(op, labels, classes):
    xp = array_module(labels)
    if labels.size and xp is np and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{op}: labels must lie in [0, {classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")


def _weights(sample_weight, values):
    if sample_weight is None:
        return np.ones_like(values, dtype=np.float64)
    w = np.asarray(_np(sample_weight), dtype=np.float64)
    if w.ndim > values.ndim and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    while w.ndim < values.ndim:
        w = w[..., None]
    return np.broadcast_to(w, values.shape)
