"""Public pooling ops (NHWC, Keras semantics): arrays in -> array out; Tensors in -> Tensor out.

max_pool2d keeps the int32 argmax of each window only when a gradient will be needed; its
backward routes each gradient to the first maximal cell of the window.
"""
from .. import kernels
from ..autograd import Function, Tensor, is_grad_enabled

__all__ = ["max_pool2d", "avg_pool2d", "global_avg_pool2d"]


class _MaxPool2d(Function):
    @staticmethod
    def forward(ctx, x, pool_size, strides, padding):
        y, am = kernels.max_pool2d(x, pool_size, strides, padding, with_argmax=True)
        ctx.save_for_backward(am)
        ctx.meta = (x.shape, pool_size, strides, padding)
        return y

    @staticmethod
    def backward(ctx, g):
        (am,) = ctx.saved
        return kernels.max_pool2d_backward(g, am, *ctx.meta), None, None, None


class _AvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, pool_size, strides, padding):
        ctx.meta = (x.shape, pool_size, strides, padding)
        return kernels.avg_pool2d(x, pool_size, strides, padding)

    @staticmethod
    def backward(ctx, g):
        return kernels.avg_pool2d_backward(g, *ctx.meta), None, None, None


class _GlobalAvgPool2d(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.hw = x.shape[1:3]
        return kernels.global_avg_pool2d(x)

    @staticmethod
    def backward(ctx, g):
        return (kernels.global_avg_pool2d_backward(g, *ctx.hw),)


def _records(x):
    return isinstance(x, Tensor) and x.requires_grad and is_grad_enabled()


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Max pool over NHWC x. pool_size/strides int or pair (strides None -> pool_size);
    padding 'valid' or 'same' (padded cells never win)."""
    if _records(x):
        return _MaxPool2d.apply(x, pool_size, strides, padding)
    if isinstance(x, Tensor):
        return Tensor(kernels.max_pool2d(x.data, pool_size, strides, padding))
    return kernels.max_pool2d(x, pool_size, strides, padding)


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Average pool over NHWC x; 'same' windows divide by their count of real cells."""
    if isinstance(x, Tensor):
        return _AvgPool2d.apply(x, pool_size, strides, padding)
    return kernels.avg_pool2d(x, pool_size, strides, padding)


def global_avg_pool2d(x):
    """Mean over H and W: (N, H, W, C) -> (N, C)."""
    if isinstance(x, Tensor):
        return _GlobalAvgPool2d.apply(x)
    return kernels.global_avg_pool2d(x)
