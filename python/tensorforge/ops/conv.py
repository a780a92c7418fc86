"""Public conv2d, conv2d_transpose and depthwise_conv2d: arrays in -> array out; Tensors in ->
Tensor out, recorded for autograd.

Forward runs the fused kernel (bias + relu in the epilogue); backward calls one kernel for dx,
dw and db together (only the ones that are needed), which also applies the relu mask dy * (y > 0).
"""
from .. import kernels
from ..autograd import Function, Tensor

__all__ = ["conv2d", "conv2d_transpose", "depthwise_conv2d"]


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
        out = ctx.grad_out  # w's and b's gradient buckets, when armed (See Note [gradient outputs])
        dx, dw, db = kernels.conv2d_backward(g, x, w, *ctx.geom, need_dx=need[0], need_dw=need[1],
                                             need_db=len(need) > 2 and need[2], y=y,
                                             dw_out=None if out is None else out[1],
                                             db_out=None if out is None else out[2])
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


class _Conv2dTranspose(Function):
    """Forward: conv2d's backward-data kernel. Backward: conv2d forward (dx) and conv2d's
    weight-gradient kernel with input and output swapped (dw)."""

    @staticmethod
    def forward(ctx, x, w, b, output_size, strides, padding, dilation):
        ctx.save_for_backward(x, w)
        ctx.geom = (strides, padding, dilation)
        return kernels.conv2d_transpose(x, w, b, output_size, strides, padding, dilation)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        need = ctx.needs_input_grad
        dx, dw, db = kernels.conv2d_transpose_backward(
            g, x, w, *ctx.geom, need_dx=need[0], need_dw=need[1], need_db=len(need) > 2 and need[2])
        return dx, dw, db, None, None, None, None


def conv2d_transpose(x, w, b=None, output_size=None, strides=1, padding="valid", dilation=1):
    """Transposed 2-D convolution, NHWC: x (N, H, W, C_out), w (KH, KW, C_in, C_out) (Keras
    Conv2DTranspose kernel layout, C_in = filters), b (C_in,) or None, output_size (OH, OW): the
    conv2d input size that maps to (H, W). Returns (N, OH, OW, C_in)."""
    if any(isinstance(t, Tensor) for t in (x, w, b)):
        return _Conv2dTranspose.apply(x, w, b, output_size, strides, padding, dilation)
    return kernels.conv2d_transpose(x, w, b, output_size, strides, padding, dilation)


class _DepthwiseConv2d(Function):
    @staticmethod
    def forward(ctx, x, w, b, strides, padding, dilation):
        ctx.save_for_backward(x, w)
        ctx.geom = (strides, padding, dilation)
        return kernels.depthwise_conv2d(x, w, strides, padding, dilation, b)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        need = ctx.needs_input_grad
        dx, dw, db = kernels.depthwise_conv2d_backward(
            g, x, w, *ctx.geom, need_dx=need[0], need_dw=need[1], need_db=len(need) > 2 and need[2])
        return dx, dw, db, None, None, None


def depthwise_conv2d(x, w, strides=1, padding="valid", dilation=1, b=None):
    """Depthwise 2-D convolution, NHWC: x (N, H, W, C), w (KH, KW, C, M), b (C * M,) or None
    (fused) -> (N, OH, OW, C * M)."""
    if any(isinstance(t, Tensor) for t in (x, w, b)):
        return _DepthwiseConv2d.apply(x, w, b, strides, padding, dilation)
    return kernels.depthwise_conv2d(x, w, strides, padding, dilation, b)
