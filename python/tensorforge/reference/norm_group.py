"""Reference group normalization (NumPy/CuPy): the fallback backend and the tests' oracle.

Keras 2's GroupNormalization: the C channels on ``axis`` (not the batch axis 0) split into
``groups`` groups of C / groups consecutive channels; each sample's group is normalized by its
own mean and (biased) variance over its channels and every other non-batch axis, then scaled
and shifted per channel. The native kernels (csrc/cpu/norm_group.cpp, contract in
csrc/include/tf/norm_group.h) view x as (N, A, G, Cg, B), as ``_view`` does here; statistics in
float64, arrays in and out float32 (or all float64)::

    group_norm_forward(x, gamma, beta, groups, axis, epsilon) -> (y, mean, inv_std)
        mean, var = each (sample, group)'s mean and biased variance, shaped (N, G);
        inv_std = 1/sqrt(var + eps); y = (x - mean) * inv_std * gamma + beta (gamma / beta
        (C,) or None).
    group_norm_backward(dy, x, mean, inv_std, gamma, groups, axis) -> (dx, dgamma, dbeta)
        xhat = (x - mean)*inv_std, g = dy*gamma; dx = inv_std*(g - mean_grp(g) -
        xhat*mean_grp(g*xhat)); dgamma = sum of dy*xhat, dbeta = sum of dy per channel.
"""
from .._xp import array_module

__all__ = ["group_norm_forward", "group_norm_backward"]

_GROUP_AXES = (1, 3, 4)  # of the (N, A, G, Cg, B) view: the statistics' axes


def _view(x, groups, axis):
    axis %= x.ndim
    A = 1
    for d in x.shape[1:axis]:
        A *= d
    B = 1
    for d in x.shape[axis + 1:]:
        B *= d
    return x.reshape(x.shape[0], A, groups, x.shape[axis] // groups, B)


def _per_channel(v, groups):  # (C,) -> broadcastable against the view
    return v.reshape(1, 1, groups, -1, 1)


def group_norm_forward(x, gamma, beta, groups, axis, epsilon):
    xp = array_module(x)
    x5 = _view(x, groups, axis).astype(xp.float64)
    mean = x5.mean(axis=_GROUP_AXES, keepdims=True)
    xc = x5 - mean
    inv_std = 1.0 / xp.sqrt((xc * xc).mean(axis=_GROUP_AXES, keepdims=True) + float(epsilon))
    y = xc * inv_std
    if gamma is not None:
        y = y * _per_channel(gamma.astype(xp.float64), groups)
    if beta is not None:
        y = y + _per_channel(beta.astype(xp.float64), groups)
    dt = x.dtype
    stat = (x.shape[0], groups)
    return (y.reshape(x.shape).astype(dt), mean.reshape(stat).astype(dt),
            inv_std.reshape(stat).astype(dt))


def group_norm_backward(dy, x, mean, inv_std, gamma, groups, axis):
    xp = array_module(x)
    x5 = _view(x, groups, axis).astype(xp.float64)
    dy5 = _view(dy, groups, axis).astype(xp.float64)
    stat = (x.shape[0], 1, groups, 1, 1)
    inv = inv_std.astype(xp.float64).reshape(stat)
    xhat = (x5 - mean.astype(xp.float64).reshape(stat)) * inv
    g = dy5 * _per_channel(gamma.astype(xp.float64), groups) if gamma is not None else dy5
    n = x5.shape[1] * x5.shape[3] * x5.shape[4]
    dx = inv * (g - g.sum(axis=_GROUP_AXES, keepdims=True) / n
                - xhat * (g * xhat).sum(axis=_GROUP_AXES, keepdims=True) / n)
    dt = x.dtype
    return (dx.reshape(x.shape).astype(dt), (dy5 * xhat).sum(axis=(0, 1, 4)).reshape(-1).astype(dt),
            dy5.sum(axis=(0, 1, 4)).reshape(-1).astype(dt))
