"""Public conv2d, conv2d_transpose, depthwise_conv2d and grouped_conv2d: arrays in -> array out;
Tensors in -> Tensor out, recorded for autograd.

Forward runs the fused kernel (bias + relu in the epilogue); backward calls one kernel for dx,
dw and db together (only the ones that are needed), which also applies the relu mask dy * (y > 0).
"""
import numpy as np

from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor

__all__ = ["conv2d", "conv2d_transpose", "depthwise_conv2d", "grouped_conv2d"]


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


# Note [grouped convolution]: Keras 2's ``groups=`` (Conv1D / 2D / 3D) splits the C input
# channels into G groups of C / G and the F filters into G groups of F / G; group g convolves its
# own channel slice with kernel[..., g * F/G:(g + 1) * F/G] (kernel (KH, KW, C / G, F)). With one
# input channel a group (G == C: ConvNeXt's depthwise Conv2D) that is the depthwise kernel with
# depth multiplier F / C, the kernel reshaped to (KH, KW, C, F / C) -- output channel c * M + m
# is group c's m-th filter in both layouts. Otherwise one conv2d call a group on its channel
# slice, the outputs concatenated; backward calls conv2d's backward a group and writes each
# group's dx / dw / db slice. One autograd node either way (slicing through getitem instead
# would build a full-size zero gradient a group).
class _GroupedConv2d(Function):
    @staticmethod
    def forward(ctx, x, w, b, strides, padding, dilation, groups):
        ctx.save_for_backward(x, w)
        ctx.geom = (strides, padding, dilation)
        ctx.groups = groups
        return _grouped_forward(x, w, b, strides, padding, dilation, groups)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        need = ctx.needs_input_grad
        need_db = len(need) > 2 and need[2]
        dx, dw, db = _grouped_backward(g, x, w, *ctx.geom, ctx.groups, need[0], need[1], need_db)
        return dx, dw, db, None, None, None, None


def _slices(n, groups):
    step = n // groups
    return [slice(k * step, (k + 1) * step) for k in range(groups)]


def _depthwise_kernel(w, groups):
    """(KH, KW, 1, F) -> the depthwise kernel (KH, KW, G, F / G) (See Note [grouped convolution])."""
    return w.reshape(w.shape[0], w.shape[1], groups, w.shape[3] // groups)


def _grouped_forward(x, w, b, strides, padding, dilation, groups):
    if w.shape[2] == 1:
        return kernels.depthwise_conv2d(x, _depthwise_kernel(w, groups), strides, padding, dilation, b)
    xp = array_module(x)
    ys = [kernels.conv2d(xp.ascontiguousarray(x[..., cs]), xp.ascontiguousarray(w[..., fs]),
                         None if b is None else xp.ascontiguousarray(b[fs]), strides, padding,
                         dilation, None)
          for cs, fs in zip(_slices(x.shape[3], groups), _slices(w.shape[3], groups))]
    return xp.concatenate(ys, axis=3)


def _grouped_backward(g, x, w, strides, padding, dilation, groups, need_dx, need_dw, need_db):
    if w.shape[2] == 1:
        dx, dw, db = kernels.depthwise_conv2d_backward(
            g, x, _depthwise_kernel(w, groups), strides, padding, dilation, need_dx=need_dx,
            need_dw=need_dw, need_db=need_db)
        return dx, None if dw is None else dw.reshape(w.shape), db
    xp = array_module(x)
    dx = xp.empty_like(x) if need_dx else None
    dw = xp.empty_like(w) if need_dw else None
    db = xp.empty((w.shape[3],), dtype=w.dtype) if need_db else None
    for cs, fs in zip(_slices(x.shape[3], groups), _slices(w.shape[3], groups)):
        dxg, dwg, dbg = kernels.conv2d_backward(
            xp.ascontiguousarray(g[..., fs]), xp.ascontiguousarray(x[..., cs]),
            xp.ascontiguousarray(w[..., fs]), strides, padding, dilation, need_dx=need_dx,
            need_dw=need_dw, need_db=need_db)
        if need_dx:
            dx[..., cs] = dxg
        if need_dw:
            dw[..., fs] = dwg
        if need_db:
            db[fs] = dbg
    return dx, dw, db


def grouped_conv2d(x, w, b=None, strides=1, padding="valid", dilation=1, groups=1):
    """Grouped 2-D convolution, NHWC (Keras 2's Conv2D ``groups=``; See Note [grouped
    convolution]): x (N, H, W, C), w (KH, KW, C / groups, F), b (F,) or None -> (N, OH, OW, F).
    C and F must both be multiples of ``groups``. groups=1 is conv2d."""
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"grouped_conv2d: groups must be an int, got {groups!r}")
    groups = int(groups)
    xs, ws = tuple(getattr(x, "shape", ())), tuple(getattr(w, "shape", ()))
    if len(xs) != 4 or len(ws) != 4:
        raise ValueError(f"grouped_conv2d: x must be 4-D (N, H, W, C) and w 4-D (KH, KW, C / groups, "
                         f"F), got x {xs}, w {ws}")
    if groups < 1 or xs[3] % groups or ws[3] % groups or ws[2] * groups != xs[3]:
        raise ValueError(f"grouped_conv2d: groups={groups} must divide the input channels and the "
                         f"filters, with w (KH, KW, C / groups, F): got x {xs}, w {ws}")
    try:  # the kernels' errors (strides, padding, dtypes, ...) name this op too
        if groups == 1:
            return conv2d(x, w, b, strides, padding, dilation)
        if any(isinstance(t, Tensor) for t in (x, w, b)):
            return _GroupedConv2d.apply(x, w, b, strides, padding, dilation, groups)
        return _grouped_forward(x, w, b, strides, padding, dilation, groups)
    except (TypeError, ValueError) as e:
        raise type(e)(f"grouped_conv2d: {e}") from None
