"""Pointwise entry points: activations, softmax, fused softmax + cross-entropy, dropout.

Array-level (no autograd; ``tensorforge.ops.activations`` / ``ops.losses_ops`` add it). Each
function validates its arguments with messages naming the op, the argument and the shapes, makes
inputs C-contiguous, then calls the current backend's kernel (same names as
``tensorforge.reference.pointwise``, whose docstring defines the formulas).

Sparse labels may be any integer dtype (int32 and int64 go to the kernel as they are, others are
widened to int64); a label outside [0, C) is a ValueError on every backend.

Note [native fast path]: these run on every training step, often on tiny arrays (a (32, 10)
softmax, a bias of 10), where a few microseconds of Python checks cost more than the kernel. The
native bindings check everything themselves (dtype, rank, shape, contiguity, label range) before
touching memory, so on the cpu backend an entry point calls the binding first and only when the
binding refuses (TypeError/ValueError) runs the Python path, which converts what it may (a strided
view, uint8 labels) and otherwise raises its own message. Other backends take the Python path.
"""
import numpy as np

from .. import _dispatch as backend
from .._xp import array_module
from ..reference.pointwise import ACT_KINDS
from ._common import FLOAT_DTYPES, NATIVE_MODULE as _NATIVE, check_array, is_native as _is_native, \
    is_array, kernel_for, num, same_dtype, shape_str

__all__ = ["act_forward", "act_backward", "softmax_forward", "softmax_backward",
           "softmax_xent_forward", "softmax_xent_backward", "dropout_forward", "dropout_backward",
           "ACT_KINDS"]



_current = backend._current.get  # lookup's fast path: the current backend's cached kernels

def _f32(op, name, x, ndim=None, layout=""):
    """float32 or float64, non-empty, C-contiguous (copied when it is a strided view)."""
    check_array(op, name, x, ndim, layout, FLOAT_DTYPES)
    if not x.flags.c_contiguous:
        x = array_module(x).ascontiguousarray(x)
    return x


def _same_shape(op, an, a, bn, b):
    if a.shape != b.shape:
        raise ValueError(f"{op}: {an} and {bn} must have the same shape, got "
                         f"{shape_str(a.shape)} and {shape_str(b.shape)}")


def _kind(op, kind):
    if kind not in ACT_KINDS:
        raise ValueError(f"{op}: kind must be one of {', '.join(repr(k) for k in ACT_KINDS)}, "
                         f"got {kind!r}")
    return kind


def act_forward(x, kind, alpha=0.0):
    """y = activation(x) elementwise, any shape. See reference.pointwise for the kinds."""
    op = "act_forward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE:  # Note [native fast path] (is_native, inlined:
        # a call is a tenth of a small op's overhead budget, Note [op fast path] in ops/basic.py)
        try:
            return fn(x, kind, alpha)
        except (TypeError, ValueError):
            pass
    kind = _kind(op, kind)
    x = _f32(op, "x", x)
    return kernel_for(op, op, x.dtype)(x, kind, num(op, "alpha", alpha))


def act_backward(dy, x, y, kind, alpha=0.0):
    """dx = dy * activation'(x), given x and y = activation(x)."""
    op = "act_backward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE:  # Note [native fast path] (is_native, inlined)
        try:
            return fn(dy, x, y, kind, alpha)
        except (TypeError, ValueError):
            pass
    kind = _kind(op, kind)
    dy = _f32(op, "dy", dy)
    x = _f32(op, "x", x)
    y = _f32(op, "y", y)
    _same_shape(op, "dy", dy, "x", x)
    _same_shape(op, "dy", dy, "y", y)
    same_dtype(op, dy=dy, x=x, y=y)
    return kernel_for(op, op, x.dtype)(dy, x, y, kind, num(op, "alpha", alpha))


def softmax_forward(x):
    """Softmax over the last axis of a 2-D (N, C) float32 array (stable: subtracts the row max)."""
    op = "softmax_forward"
    fn = backend.lookup(op)
    if _is_native(fn):  # Note [native fast path]
        try:
            return fn(x)
        except (TypeError, ValueError):
            pass
    x = _f32(op, "x", x, 2, "(N, C)")
    return kernel_for(op, op, x.dtype)(x)


def softmax_backward(dy, y):
    """dx = y * (dy - sum(dy * y, axis=-1)) for (N, C) arrays."""
    op = "softmax_backward"
    fn = backend.lookup(op)
    if _is_native(fn):  # Note [native fast path]
        try:
            return fn(dy, y)
        except (TypeError, ValueError):
            pass
    y = _f32(op, "y", y, 2, "(N, C)")
    dy = _f32(op, "dy", dy, 2, "(N, C)")
    _same_shape(op, "dy", dy, "y", y)
    same_dtype(op, dy=dy, y=y)
    return kernel_for(op, op, y.dtype)(dy, y)


def _targets(op, targets, sparse, N, C, fn):
    if not is_array(targets):
        raise TypeError(f"{op}: targets must be an array, got {type(targets).__name__}")
    if sparse:
        if targets.dtype.kind not in "iu":
            raise TypeError(f"{op}: sparse targets must be integer class labels (int32 or int64), "
                            f"got {targets.dtype} with shape {shape_str(targets.shape)}")
        if targets.shape != (N,):
            raise ValueError(f"{op}: sparse targets must have shape {shape_str((N,))} for logits "
                             f"{shape_str((N, C))}, got {shape_str(targets.shape)}")
        xp = array_module(targets)
        if targets.dtype not in (np.int32, np.int64):
            targets = targets.astype(np.int64)
        if not targets.flags.c_contiguous:
            targets = xp.ascontiguousarray(targets)
        # The native CPU binding checks the range itself; the CUDA kernel never reads out of
        # bounds (an out-of-range label gives a NaN loss) and a host-side check would cost two
        # device->host copies per training step (Note [data on the device] in _device.py;
        # Model.fit checks the labels once, up front).
        if not _is_native(fn) and getattr(fn, "__module__", None) != "tensorforge._C_cuda":
            lo, hi = int(targets.min()), int(targets.max())
            if lo < 0 or hi >= C:
                bad = lo if lo < 0 else hi
                i = int(xp.argmax(targets == bad))
                raise ValueError(f"{op}: targets must be class indices in [0, {C}) for C = {C}, "
                                 f"got targets[{i}] = {bad}")
        return targets
    check_array(op, "targets", targets, 2, "(N, C)", FLOAT_DTYPES)
    if targets.shape != (N, C):
        raise ValueError(f"{op}: dense targets must have shape {shape_str((N, C))} like logits, "
                         f"got {shape_str(targets.shape)}")
    if not targets.flags.c_contiguous:
        targets = array_module(targets).ascontiguousarray(targets)
    return targets


def softmax_xent_forward(logits, targets, sparse=False):
    """(loss (N,), probs (N, C)): per-row softmax cross-entropy of (N, C) logits, fused and stable.

    ``targets``: float32 (N, C) (one-hot or soft, rows summing to 1), or integer labels (N,) when
    ``sparse``.
    """
    op = "softmax_xent_forward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE:  # Note [native fast path] (is_native, inlined)
        try:
            return fn(logits, targets, sparse)
        except (TypeError, ValueError):
            pass
    logits = _f32(op, "logits", logits, 2, "(N, C)")
    N, C = logits.shape
    fn = kernel_for(op, op, logits.dtype)
    targets = _targets(op, targets, bool(sparse), N, C, fn)
    if not sparse:
        same_dtype(op, logits=logits, targets=targets)
    return fn(logits, targets, bool(sparse))


def softmax_xent_backward(probs, targets, sparse=False, scale=1.0):
    """dlogits = (probs - onehot(targets)) * scale, for probs from softmax_xent_forward."""
    op = "softmax_xent_backward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE:  # Note [native fast path] (is_native, inlined)
        try:
            return fn(probs, targets, sparse, scale)
        except (TypeError, ValueError):
            pass
    probs = _f32(op, "probs", probs, 2, "(N, C)")
    N, C = probs.shape
    fn = kernel_for(op, op, probs.dtype)
    targets = _targets(op, targets, bool(sparse), N, C, fn)
    if not sparse:
        same_dtype(op, probs=probs, targets=targets)
    return fn(probs, targets, bool(sparse), num(op, "scale", scale))


def _rate(op, rate):
    rate = num(op, "rate", rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"{op}: rate must be in [0, 1), got {rate}")
    return rate


def dropout_forward(x, rate, seed):
    """(y, mask): inverted dropout with the counter-based mask of Note [dropout RNG] (mask uint8,
    1 = kept; y = x * mask / (1 - rate)). The same seed gives the same mask on every backend."""
    op = "dropout_forward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE and type(seed) is int:  # Note [native fast path]
        try:
            return fn(x, rate, seed)
        except (TypeError, ValueError):
            pass
    x = _f32(op, "x", x)
    rate = _rate(op, rate)
    if isinstance(seed, (bool, float)) or not hasattr(seed, "__index__"):
        raise TypeError(f"{op}: seed must be an integer, got {type(seed).__name__}")
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return kernel_for(op, op, x.dtype)(x, rate, seed)


def dropout_backward(dy, mask, rate):
    """dx = dy * mask / (1 - rate)."""
    op = "dropout_backward"
    fn = _current(op) or backend.lookup(op)  # (lookup's fast path, without its frame)
    if getattr(fn, "__module__", None) == _NATIVE:  # Note [native fast path] (is_native, inlined)
        try:
            return fn(dy, mask, rate)
        except (TypeError, ValueError):
            pass
    dy = _f32(op, "dy", dy)
    check_array(op, "mask", mask, None, "", (np.uint8,))
    if not mask.flags.c_contiguous:
        mask = array_module(mask).ascontiguousarray(mask)
    _same_shape(op, "dy", dy, "mask", mask)
    return kernel_for(op, op, dy.dtype)(dy, mask, _rate(op, rate))
