"""Reference batch and layer normalization (NumPy/CuPy): the fallback backend and the tests'
oracle.

x of any rank is normalized per channel of ``axis``; every statistic is over the other axes. The
native kernels (csrc/cpu/norm.cpp, contract in csrc/include/tf/norm.h) view x as (A, C, B), as
``_view`` does here. Statistics are accumulated in float64 (a mean of 1e4 must not wreck the
variance); the arrays in and out are float32 (or all float64: Note [float64 kernels]).

Array-level ops (``tensorforge._C`` / ``_C_cuda`` expose the same names and signatures)::

    batch_norm_forward_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum,
                             epsilon, bessel=True) -> (y, mean, inv_std)
        mean, var = the batch mean and biased variance per channel; inv_std = 1/sqrt(var + eps);
        y = (x - mean) * gamma * inv_std + beta (gamma/beta None: 1 / 0). Updates IN PLACE, as
        Keras 2 (float32; float64: Note [float64 moving statistics]): moving_mean =
        moving_mean*m + (1-m)*mean and moving_variance = moving_variance*m + (1-m)*v, v =
        var*n/max(n-1, 1) when ``bessel`` (Bessel's correction, n values per channel: Keras 2's
        fused kernel), v = var otherwise (its plain ops: Note [moving variance] in
        layers/normalization.py).
    batch_norm_forward_infer(x, gamma, beta, moving_mean, moving_variance, axis, epsilon) -> y
        y = (x - moving_mean) * gamma / sqrt(moving_variance + eps) + beta.
    batch_norm_backward(dy, x, mean, inv_std, gamma, axis) -> (dx, dgamma, dbeta)
        xhat = (x - mean)*inv_std; dbeta = sum(dy); dgamma = sum(dy*xhat);
        dx = gamma*inv_std*(dy - dbeta/n - xhat*dgamma/n).

Layer normalization (Keras 2's LayerNormalization over the trailing axes: the caller flattens
them into the last one): x (..., C) normalized per row of its last axis, statistics over the
C values of the row, gamma / beta (C,) (or None)::

    layer_norm_forward(x, gamma, beta, epsilon) -> (y, mean, inv_std)
        mean, var = each row's mean and biased variance, shaped x.shape[:-1];
        inv_std = 1/sqrt(var + eps); y = (x - mean) * inv_std * gamma + beta.
    layer_norm_backward(dy, x, mean, inv_std, gamma) -> (dx, dgamma, dbeta)
        xhat = (x - mean)*inv_std, g = dy*gamma; dbeta = sum over rows of dy, dgamma = sum
        over rows of dy*xhat; dx = inv_std*(g - mean_C(g) - xhat*mean_C(g*xhat)).
"""
import numpy as np

from .._xp import array_module

__all__ = ["batch_norm_forward_train", "batch_norm_forward_infer", "batch_norm_backward",
           "layer_norm_forward", "layer_norm_backward"]


def _view(x, axis):
    """x as (A, C, B) around ``axis``: A the product of the axes before it, B of those after."""
    axis = axis % x.ndim
    A = int(np.prod(x.shape[:axis], dtype=np.int64))
    B = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    return x.reshape(A, x.shape[axis], B)


def _col(v):
    return v.reshape(1, -1, 1)


def batch_norm_forward_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon,
                             bessel=True):
    xp = array_module(x)
    x3 = _view(x, axis)
    n = x3.shape[0] * x3.shape[2]
    dt = x.dtype
    mean = x3.mean(axis=(0, 2), dtype=xp.float64).astype(dt)
    xc = x3 - _col(mean)
    var = (xc * xc).mean(axis=(0, 2), dtype=xp.float64)
    var_update = var * (n / max(n - 1.0, 1.0)) if bessel else var
    inv = 1.0 / xp.sqrt(var + float(epsilon))
    scale = (inv * gamma if gamma is not None else inv).astype(dt)
    y = xc * _col(scale)
    if beta is not None:
        y += _col(beta)
    if dt == np.float64:  # See Note [float64 moving statistics]
        decay = float(np.float32(1.0 - momentum))
        moving_mean -= (moving_mean - mean) * decay
        moving_variance -= (moving_variance - var_update) * decay
        return y.reshape(x.shape), mean, inv.astype(dt)
    m = dt.type(momentum)
    moving_mean *= m
    moving_mean += (1 - m) * mean
    moving_variance *= m
    moving_variance += (1 - m) * var_update.astype(dt)
    return y.reshape(x.shape), mean, inv.astype(dt)


# Note [float64 moving statistics]
# A float64 BatchNormalization in Keras 2 never runs TensorFlow's fused kernel (it has no
# float64 version), so its moving averages follow the layer's own update: moving -= (moving -
# batch value) * decay, decay = 1 - momentum made a float32 tensor first, and the variance is
# the batch's biased one (no Bessel's correction: that comes from the fused kernel, which
# float32 4-D layers run; the layer passes bessel=False for float64). The float64 path here
# makes that update, to tf_keras's last bits (with bessel=True it corrects the variance too).


def batch_norm_forward_infer(x, gamma, beta, moving_mean, moving_variance, axis, epsilon):
    xp = array_module(x)
    x3 = _view(x, axis)
    inv = 1.0 / xp.sqrt(moving_variance.astype(xp.float64) + float(epsilon))
    scale = (inv * gamma if gamma is not None else inv).astype(x.dtype)
    y = (x3 - _col(moving_mean)) * _col(scale)
    if beta is not None:
        y += _col(beta)
    return y.reshape(x.shape)


def batch_norm_backward(dy, x, mean, inv_std, gamma, axis):
    xp = array_module(x)
    x3, dy3 = _view(x, axis), _view(dy, axis)
    n = x3.shape[0] * x3.shape[2]
    xc = x3 - _col(mean)
    sdy = dy3.sum(axis=(0, 2), dtype=xp.float64)
    dgamma = inv_std * (dy3 * xc).sum(axis=(0, 2), dtype=xp.float64)
    g = gamma.astype(xp.float64) if gamma is not None else 1.0
    dt = x.dtype
    a = (g * inv_std).astype(dt)
    b = (-g * inv_std * inv_std * dgamma / n).astype(dt)
    c = (-g * inv_std * sdy / n).astype(dt)
    dx = dy3 * _col(a) + xc * _col(b) + _col(c)
    return dx.reshape(x.shape), dgamma.astype(dt), sdy.astype(dt)


def layer_norm_forward(x, gamma, beta, epsilon):
    xp = array_module(x)
    x64 = x.astype(xp.float64)
    mean = x64.mean(axis=-1, keepdims=True)
    xc = x64 - mean
    inv_std = 1.0 / xp.sqrt((xc * xc).mean(axis=-1, keepdims=True) + float(epsilon))
    y = xc * inv_std
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    dt = x.dtype
    return y.astype(dt), mean[..., 0].astype(dt), inv_std[..., 0].astype(dt)


def layer_norm_backward(dy, x, mean, inv_std, gamma):
    xp = array_module(x)
    C = x.shape[-1]
    inv = inv_std.astype(xp.float64)[..., None]
    xhat = (x.astype(xp.float64) - mean.astype(xp.float64)[..., None]) * inv
    dy64 = dy.astype(xp.float64)
    g = dy64 * gamma if gamma is not None else dy64
    dx = inv * (g - g.sum(axis=-1, keepdims=True) / C
                - xhat * (g * xhat).sum(axis=-1, keepdims=True) / C)
    rows = dy64.reshape(-1, C)
    dt = x.dtype
    return (dx.astype(dt), (rows * xhat.reshape(-1, C)).sum(axis=0).astype(dt),
            rows.sum(axis=0).astype(dt))
