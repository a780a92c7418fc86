"""Batch and layer normalization entry points: validate, then call the current backend's kernel.

x (float32 or float64, any rank >= 1) is normalized per channel of ``axis`` (an int, negative
from the end); every per-channel array is of x's dtype and shape (C,), gamma and beta may be
None; float64 runs the reference (Note [float64 kernels] in kernels/_common.py). See
reference/norm.py for the formulas (the native kernels: csrc/cpu/norm.cpp).

batch_norm_train and batch_norm_backward run on every BatchNormalization layer of every
training step (52 in MobileNetV2, 120 in DenseNet121): on the cpu backend they call the binding
first, which checks every argument itself (Note [native fast path] in kernels/pointwise.py), when
axis, momentum and epsilon are plain int / float (the binding would take a bool for them, which
the Python path refuses; bessel must be a bool); where the binding refuses, the Python path
converts or explains.
"""
import numpy as np

from .. import _dispatch as backend
from ._common import NATIVE_MODULE, check_array, contiguous, kernel_for, num, same_dtype, shape_str

_current = backend._current.get  # lookup's fast path: the current backend's cached kernels


def _axis(op, x, axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {type(axis).__name__} {axis!r}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for x of shape {shape_str(x.shape)}")
    return int(axis) % x.ndim


def _finite(op, name, v):
    v = num(op, name, v)
    if not np.isfinite(v):
        raise ValueError(f"{op}: {name} must be finite, got {v}")
    return v


def _epsilon(op, v):
    v = _finite(op, "epsilon", v)
    if v < 0:
        raise ValueError(f"{op}: epsilon must be >= 0, got {v}")
    return v


def _per_channel(op, name, v, x, axis, optional=False):
    if v is None and optional:
        return None
    check_array(op, name, v, 1, "(C,)")
    if v.shape[0] != x.shape[axis]:
        raise ValueError(f"{op}: {name} must have shape ({x.shape[axis]},) (one value per channel "
                         f"of axis {axis} of x {shape_str(x.shape)}), got {shape_str(v.shape)}")
    return contiguous(v)


def _dy_like_x(op, dy, x):
    check_array(op, "x", x)
    check_array(op, "dy", dy)
    if dy.shape != x.shape:
        raise ValueError(f"{op}: dy must have the shape of x {shape_str(x.shape)}, got "
                         f"{shape_str(dy.shape)}")


def _overlaps(a, b):
    """Whether two arrays' memory ranges intersect (NumPy's bounds check; CuPy arrays: never,
    its kernels check for themselves)."""
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.may_share_memory(a, b)


def batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis=-1, momentum=0.99,
                     epsilon=1e-3, bessel=True):
    """(y, mean, inv_std) normalized with the batch statistics; moving_mean and moving_variance
    ((C,) of x's dtype, contiguous, writable) are updated in place (Keras 2 semantics), the
    variance with Bessel's correction n/(n-1) when ``bessel`` (a bool), the biased one otherwise."""
    op = "batch_norm_train"
    fn = _current("batch_norm_forward_train")
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(axis) is int and \
            type(momentum) is float and type(epsilon) is float and type(bessel) is bool:
        try:  # See the module docstring
            return fn(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon, bessel)
        except (TypeError, ValueError):
            pass
    if not isinstance(bessel, (bool, np.bool_)):
        raise TypeError(f"{op}: bessel must be a bool, got {type(bessel).__name__} {bessel!r}")
    check_array(op, "x", x)
    ax = _axis(op, x, axis)
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    beta = _per_channel(op, "beta", beta, x, ax, True)
    for name, v in (("moving_mean", moving_mean), ("moving_variance", moving_variance)):
        _per_channel(op, name, v, x, ax)
        flags = getattr(v, "flags", None)
        if flags is not None and not (flags.c_contiguous and getattr(flags, "writeable", True)
                                      and getattr(flags, "aligned", True)):
            raise ValueError(f"{op}: {name} is updated in place and must be a writable, aligned, "
                             f"contiguous array, got shape {shape_str(v.shape)}")
    for name, v in (("moving_mean", moving_mean), ("moving_variance", moving_variance)):
        for other_name, other in (("x", x), ("gamma", gamma), ("beta", beta),
                                  ("moving_mean", moving_mean), ("moving_variance", moving_variance)):
            if other_name != name and other is not None and _overlaps(v, other):
                raise ValueError(f"{op}: {name} is updated in place and must not share memory "
                                 f"with {other_name} (shapes {shape_str(v.shape)} and "
                                 f"{shape_str(other.shape)})")
    momentum, epsilon = _finite(op, "momentum", momentum), _epsilon(op, epsilon)
    same_dtype(op, x=x, gamma=gamma, beta=beta, moving_mean=moving_mean,
               moving_variance=moving_variance)
    return kernel_for(op, "batch_norm_forward_train", x.dtype)(
        contiguous(x), gamma, beta, moving_mean, moving_variance, ax, momentum, epsilon, bool(bessel))


def batch_norm_infer(x, gamma, beta, moving_mean, moving_variance, axis=-1, epsilon=1e-3):
    """y normalized with the moving statistics."""
    op = "batch_norm_infer"
    check_array(op, "x", x, allow_empty=True)
    ax = _axis(op, x, axis)
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    beta = _per_channel(op, "beta", beta, x, ax, True)
    mm = _per_channel(op, "moving_mean", moving_mean, x, ax)
    mv = _per_channel(op, "moving_variance", moving_variance, x, ax)
    epsilon = _epsilon(op, epsilon)
    same_dtype(op, x=x, gamma=gamma, beta=beta, moving_mean=mm, moving_variance=mv)
    return kernel_for(op, "batch_norm_forward_infer", x.dtype)(contiguous(x), gamma, beta, mm, mv, ax, epsilon)


def batch_norm_backward(dy, x, mean, inv_std, gamma, axis=-1):
    """(dx, dgamma, dbeta) of batch_norm_train from the mean and inv_std it returned."""
    op = "batch_norm_backward"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(axis) is int:  # module docstring
        try:
            return fn(dy, x, mean, inv_std, gamma, axis)
        except (TypeError, ValueError):
            pass
    _dy_like_x(op, dy, x)
    ax = _axis(op, x, axis)
    mean = _per_channel(op, "mean", mean, x, ax)
    inv_std = _per_channel(op, "inv_std", inv_std, x, ax)
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    same_dtype(op, dy=dy, x=x, mean=mean, inv_std=inv_std, gamma=gamma)
    return kernel_for(op, op, x.dtype)(contiguous(dy), contiguous(x), mean, inv_std,
                                                  gamma, ax)


def _rows_like(op, name, v, x):
    check_array(op, name, v, x.ndim - 1, "x.shape[:-1]")
    if v.shape != x.shape[:-1]:
        raise ValueError(f"{op}: {name} must have x's shape without its last axis "
                         f"{shape_str(x.shape[:-1])} (one value per row of x {shape_str(x.shape)}),"
                         f" got {shape_str(v.shape)}")
    return contiguous(v).reshape(v.shape)  # (ascontiguousarray makes a 0-D array 1-D)


def _ln_kernel(name, dtype):
    """float32: the current backend's kernel; float64: the reference, which runs on NumPy and
    CuPy arrays alike (layer norm has no float64 kernel on any backend to refuse)."""
    return backend.lookup(name) if dtype != np.float64 else backend.lookup(name, "numpy")


def layer_norm_forward(x, gamma, beta, epsilon=1e-3):
    """(y, mean, inv_std): each row of x's last axis normalized by its own mean and variance,
    then * gamma + beta ((C,) or None); mean / inv_std have x.shape[:-1]."""
    op = "layer_norm_forward"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(epsilon) is float:
        try:  # the binding checks everything (module docstring)
            return fn(x, gamma, beta, epsilon)
        except (TypeError, ValueError):
            pass
    check_array(op, "x", x)
    ax = x.ndim - 1
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    beta = _per_channel(op, "beta", beta, x, ax, True)
    epsilon = _epsilon(op, epsilon)
    same_dtype(op, x=x, gamma=gamma, beta=beta)
    return _ln_kernel(op, x.dtype)(contiguous(x), gamma, beta, epsilon)


def layer_norm_backward(dy, x, mean, inv_std, gamma):
    """(dx, dgamma, dbeta) of layer_norm_forward from the mean and inv_std it returned."""
    op = "layer_norm_backward"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE:  # module docstring
        try:
            return fn(dy, x, mean, inv_std, gamma)
        except (TypeError, ValueError):
            pass
    _dy_like_x(op, dy, x)
    mean = _rows_like(op, "mean", mean, x)
    inv_std = _rows_like(op, "inv_std", inv_std, x)
    gamma = _per_channel(op, "gamma", gamma, x, x.ndim - 1, True)
    same_dtype(op, dy=dy, x=x, mean=mean, inv_std=inv_std, gamma=gamma)
    return _ln_kernel(op, x.dtype)(contiguous(dy), contiguous(x), mean, inv_std, gamma)
