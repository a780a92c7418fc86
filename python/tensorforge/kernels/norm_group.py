"""Group normalization entry points: validate, then call the current backend's kernel.

x (float32 or float64, rank >= 2) holds C channels on ``axis`` (an int, negative from the end,
never the batch axis 0) split into ``groups`` groups; gamma / beta are (C,) of x's dtype or None;
the statistics mean / inv_std are (N, groups). float64 runs the reference on every backend (no
float64 kernel to refuse; Note [float64 kernels] in kernels/_common.py). Formulas:
reference/norm_group.py; the native kernels: csrc/cpu/norm_group.cpp. As batch normalization's
entry points (kernels/norm.py), the cpu backend calls the binding first, which checks every
argument itself; where it refuses, the Python path converts or explains.
"""
import numpy as np

from .. import _dispatch as backend
from ._common import NATIVE_MODULE, check_array, contiguous, same_dtype, shape_str
from .norm import _axis, _dy_like_x, _epsilon, _per_channel

_current = backend._current.get


def _groups(op, x, groups, axis):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{op}: groups must be an int, got {type(groups).__name__} {groups!r}")
    if x.ndim < 2:
        raise ValueError(f"{op}: x must have a batch axis and a channel axis, got shape "
                         f"{shape_str(x.shape)}")
    ax = _axis(op, x, axis)
    if ax == 0:
        raise ValueError(f"{op}: axis {axis} is the batch axis of x {shape_str(x.shape)}")
    C = x.shape[ax]
    if not 1 <= groups <= C or C % groups:
        raise ValueError(f"{op}: groups must divide the {C} channels of axis {ax} of x "
                         f"{shape_str(x.shape)}, got {groups}")
    return int(groups), ax


def _stat(op, name, v, x, groups):
    check_array(op, name, v, 2, "(N, groups)")
    if v.shape != (x.shape[0], groups):
        raise ValueError(f"{op}: {name} must have shape ({x.shape[0]}, {groups}) (one value per "
                         f"sample and group of x {shape_str(x.shape)}), got {shape_str(v.shape)}")
    return contiguous(v)


def _kernel(name, dtype):
    return backend.lookup(name) if dtype != np.float64 else backend.lookup(name, "numpy")


def group_norm_forward(x, gamma, beta, groups, axis=-1, epsilon=1e-3):
    """(y, mean, inv_std): each sample's channel groups normalized by their own mean and
    variance, then * gamma + beta; mean / inv_std have shape (N, groups)."""
    op = "group_norm_forward"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(groups) is int and \
            type(axis) is int and type(epsilon) is float:
        try:
            return fn(x, gamma, beta, groups, axis, epsilon)
        except (TypeError, ValueError):
            pass
    check_array(op, "x", x)
    groups, ax = _groups(op, x, groups, axis)
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    beta = _per_channel(op, "beta", beta, x, ax, True)
    epsilon = _epsilon(op, epsilon)
    same_dtype(op, x=x, gamma=gamma, beta=beta)
    return _kernel(op, x.dtype)(contiguous(x), gamma, beta, groups, ax, epsilon)


def group_norm_backward(dy, x, mean, inv_std, gamma, groups, axis=-1):
    """(dx, dgamma, dbeta) of group_norm_forward from the mean and inv_std it returned."""
    op = "group_norm_backward"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(groups) is int and \
            type(axis) is int:
        try:
            return fn(dy, x, mean, inv_std, gamma, groups, axis)
        except (TypeError, ValueError):
            pass
    _dy_like_x(op, dy, x)
    groups, ax = _groups(op, x, groups, axis)
    mean = _stat(op, "mean", mean, x, groups)
    inv_std = _stat(op, "inv_std", inv_std, x, groups)
    gamma = _per_channel(op, "gamma", gamma, x, ax, True)
    same_dtype(op, dy=dy, x=x, mean=mean, inv_std=inv_std, gamma=gamma)
    return _kernel(op, x.dtype)(contiguous(dy), contiguous(x), mean, inv_std, gamma, groups, ax)
