"""Public batch normalization ops: arrays in -> arrays out; Tensors in -> Tensor out.

batch_norm_train normalizes with the batch statistics (computed once, by the kernel) and
updates the moving statistics in place; its backward is the fused kernel (dx, dgamma, dbeta in
two passes). batch_norm_infer normalizes with the moving statistics; its gradient (used when a
frozen-statistics layer sits in a trained model) is elementwise and written on the array module.
layer_norm normalizes each row of x's last axis by its own statistics (LayerNormalization over
trailing axes flattens them into one); forward and backward are kernels.
"""
from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor
from ..reference.norm import _view

__all__ = ["batch_norm_train", "batch_norm_infer", "layer_norm"]


class _BatchNormTrain(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon, bessel):
        y, mean, inv_std = kernels.batch_norm_train(x, gamma, beta, moving_mean, moving_variance,
                                                    axis, momentum, epsilon, bessel)
        ctx.save_for_backward(x, mean, inv_std, gamma)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, mean, inv_std, gamma = ctx.saved
        dx, dgamma, dbeta = kernels.batch_norm_backward(g, x, mean, inv_std, gamma, ctx.axis)
        need = ctx.needs_input_grad
        return (dx if need[0] else None, dgamma if need[1] else None, dbeta if need[2] else None,
                None, None, None, None, None, None)


class _BatchNormInfer(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_variance, axis, epsilon):
        ctx.save_for_backward(x, gamma, moving_mean, moving_variance)
        ctx.meta = (axis, epsilon)
        return kernels.batch_norm_infer(x, gamma, beta, moving_mean, moving_variance, axis, epsilon)

    @staticmethod
    def backward(ctx, g):
        x, gamma, mm, mv = ctx.saved
        axis, eps = ctx.meta
        xp = array_module(g)
        dt = x.dtype
        inv = (1.0 / xp.sqrt(mv.astype(xp.float64) + eps)).astype(dt)
        scale = inv * gamma if gamma is not None else inv
        g3 = _view(g, axis)
        need = ctx.needs_input_grad
        dx = (g3 * scale.reshape(1, -1, 1)).reshape(g.shape) if need[0] else None
        dgamma = dbeta = None
        if gamma is not None and need[1]:
            xhat = (_view(x, axis) - mm.reshape(1, -1, 1)) * inv.reshape(1, -1, 1)
            dgamma = (g3 * xhat).sum(axis=(0, 2), dtype=xp.float64).astype(dt)
        if need[2]:
            dbeta = g3.sum(axis=(0, 2), dtype=xp.float64).astype(dt)
        return dx, dgamma, dbeta, None, None, None, None


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis=-1, momentum=0.99,
                     epsilon=1e-3, bessel=True):
    """y = (x - mean) * gamma / sqrt(var + epsilon) + beta with the batch's per-channel mean and
    biased variance over every axis but ``axis``; moving_mean/moving_variance (arrays or
    Tensors, updated in place): m*old + (1-m)*batch, the variance with Bessel's correction
    n/(n-1) when ``bessel`` (Keras 2's fused kernel), the biased one otherwise (its plain ops)."""
    mm, mv = _data(moving_mean), _data(moving_variance)
    if any(isinstance(v, Tensor) for v in (x, gamma, beta)):
        return _BatchNormTrain.apply(x, gamma, beta, mm, mv, axis, momentum, epsilon, bessel)
    return kernels.batch_norm_train(x, gamma, beta, mm, mv, axis, momentum, epsilon, bessel)[0]


def batch_norm_infer(x, gamma, beta, moving_mean, moving_variance, axis=-1, epsilon=1e-3):
    """y = (x - moving_mean) * gamma / sqrt(moving_variance + epsilon) + beta per channel."""
    mm, mv = _data(moving_mean), _data(moving_variance)
    if any(isinstance(v, Tensor) for v in (x, gamma, beta)):
        return _BatchNormInfer.apply(x, gamma, beta, mm, mv, axis, epsilon)
    return kernels.batch_norm_infer(x, gamma, beta, mm, mv, axis, epsilon)


class _LayerNorm(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, epsilon):
        y, mean, inv_std = kernels.layer_norm_forward(x, gamma, beta, epsilon)
        ctx.save_for_backward(x, mean, inv_std, gamma)
        return y

    @staticmethod
    def backward(ctx, g):
        x, mean, inv_std, gamma = ctx.saved
        dx, dgamma, dbeta = kernels.layer_norm_backward(g, x, mean, inv_std, gamma)
        need = ctx.needs_input_grad
        return (dx if need[0] else None, dgamma if need[1] else None, dbeta if need[2] else None,
                None)


def layer_norm(x, gamma, beta, epsilon=1e-3):
    """Each row of x's last axis normalized by its own mean and (biased) variance, times gamma
    plus beta ((C,) or None): Keras 2's LayerNormalization(axis=-1)."""
    if any(isinstance(a, Tensor) for a in (x, gamma, beta)):
        return _LayerNorm.apply(x, gamma, beta, epsilon)
    return kernels.layer_norm_forward(x, gamma, beta, epsilon)[0]
