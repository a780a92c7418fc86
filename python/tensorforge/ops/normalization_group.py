"""Public group normalization op: arrays in -> arrays out; Tensors in -> Tensor out.

group_norm normalizes each sample's channel groups by their own statistics (Keras 2's
GroupNormalization); forward and backward are kernels (kernels/norm_group.py), the backward's
own gradient is in Tensor ops (double_backward.py).
"""
from .. import kernels
from ..autograd import Function, Tensor

__all__ = ["group_norm"]


class _GroupNorm(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, groups, axis, epsilon):
        y, mean, inv_std = kernels.group_norm_forward(x, gamma, beta, groups, axis, epsilon)
        ctx.save_for_backward(x, mean, inv_std, gamma)
        ctx.groups, ctx.axis = groups, axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, mean, inv_std, gamma = ctx.saved
        dx, dgamma, dbeta = kernels.group_norm_backward(g, x, mean, inv_std, gamma, ctx.groups,
                                                        ctx.axis)
        need = ctx.needs_input_grad
        return (dx if need[0] else None, dgamma if need[1] else None,
                dbeta if need[2] else None, None, None, None)


def group_norm(x, gamma, beta, groups, axis=-1, epsilon=1e-3):
    """The C channels on ``axis`` split into ``groups`` groups; each sample's group normalized by
    its mean and biased variance over its channels and every other non-batch axis, then
    * gamma + beta ((C,) or None): Keras 2's GroupNormalization."""
    if any(isinstance(a, Tensor) for a in (x, gamma, beta)):
        return _GroupNorm.apply(x, gamma, beta, groups, axis, epsilon)
    return kernels.group_norm_forward(x, gamma, beta, groups, axis, epsilon)[0]
