"""Public conv2d: arrays in -> array out; Tensors in -> Tensor out, recorded for autograd.

Forward runs the fused kernel (bias + relu in the epilogue); backward calls one kernel for dx,
dw and db together (only the ones that are needed), which also applies the relu mask dy * (y > 0).
"""
from .. import kernels
from ..autograd import Function, Tensor

__all__ = ["conv2d"]


class _Conv2d(Function):
    @staticmethod
    def forward(ctx, x, w, b, strides, padding, dilation, activation):
        y = kernels.conv2d(x, w, b, strides, padding, dilation, activation)
        ctx.save_for_backward(x, w, y if activation == "relu" else None)
        ctx.geom = (strides, padding, dilation)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, y = ctx.saved
        need = ctx.needs_input_grad
        # y given (relu): the kernel applies the relu backward g * (y > 0) itself
        dx, dw, db = kernels.conv2d_backward(g, x, w, *ctx.geom, need_dx=need[0], need_dw=need[1],
                                             need_db=len(need) > 2 and need[2], y=y)
        return dx, dw, db, None, None, None, None


def conv2d(x, w, b=None, strides=1, padding="valid", dilation=1, activation=None):
    """2-D convolution, NHWC.

    x (N, H, W, C_in), w (KH, KW, C_in, C_out) (Keras layout), b (C_out,) or None.
    strides, dilation: int or pair. padding: 'valid', 'same' (TensorFlow/Keras exact: the extra
    row/column goes bottom/right), an int or a pair (symmetric zero padding).
    activation: None or 'relu' (fused). Returns (N, OH, OW, C_out).
    """
    if any(isinstance(t, Tensor) for t in (x, w, b)):
        return _Conv2d.apply(x, w, b, strides, padding, dilation, activation)
    return kernels.conv2d(x, w, b, strides, padding, dilation, activation)
