"""Keras 2 backend image functions beyond conv1d / conv2d (nn_ops.py): conv2d_transpose,
depthwise_conv2d, separable_conv2d, pool2d, resize_images, local_conv1d / local_conv2d
(unshared-weight convolutions, LocallyConnected1D / 2D's), and the volumetric ones conv3d,
pool3d, resize_volumes (ops/volumetric.py; NDHWC, channels_first transposed).

Names, argument order and defaults are tf_keras 2's (``K.pool2d``'s strides default to (1, 1),
not to pool_size). Each one runs the differentiable op of ``tensorforge.ops`` in NHWC; a
``channels_first`` input is transposed to NHWC and back. Kernels keep Keras' layouts:
conv2d_transpose (KH, KW, C_out, C_in) (TensorFlow's filter of conv2d_transpose),
depthwise (KH, KW, C, M), pointwise (1, 1, C * M, F).
"""
import itertools

from .. import kernels
from ..ops import basic as B
from ..ops import conv as _conv
from ..ops import manip as _manip
from ..ops import pool as _pool
from ..ops import spatial as _spatial
from ..ops import volumetric as _vol
from ._args import shape_str
from .nn_ops import _conv_format, _float

__all__ = ["conv2d_transpose", "depthwise_conv2d", "separable_conv2d", "pool2d", "resize_images",
           "local_conv", "local_conv1d", "local_conv2d", "conv3d", "pool3d", "resize_volumes"]


def _nhwc(fn, x, data_format, what="x"):
    """(x as NHWC, channels_first?) after checking x is 4-D."""
    if x.ndim != 4:
        raise ValueError(f"{fn}: {what} must be 4-D (batch, rows, cols, channels), got shape "
                         f"{shape_str(x.shape)}")
    cf = _conv_format(fn, data_format)
    return (B.transpose(x, (0, 2, 3, 1)) if cf else x), cf


def _back(y, cf):
    return B.transpose(y, (0, 3, 1, 2)) if cf else y


def _padding(fn, padding):
    if padding not in ("valid", "same"):
        raise ValueError(f"{fn}: padding must be 'valid' or 'same', got {padding!r}")
    return padding


def _kernel(fn, name, k, ndim, layout):
    k = _float(fn, k)
    if k.ndim != ndim:
        raise ValueError(f"{fn}: {name} must be {ndim}-D {layout}, got shape {shape_str(k.shape)}")
    return k


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Keras 2 K.conv2d_transpose: x (N, H, W, C_in), kernel (KH, KW, C_out, C_in),
    output_shape (N, OH, OW, C_out) (or (N, C_out, OH, OW) for channels_first)."""
    fn = "conv2d_transpose"
    x, cf = _nhwc(fn, _float(fn, x), data_format)
    kernel = _kernel(fn, "kernel", kernel, 4, "(KH, KW, C_out, C_in)")
    padding = _padding(fn, padding)
    shape = tuple(output_shape)
    if len(shape) != 4:
        raise ValueError(f"{fn}: output_shape must have 4 entries (batch, rows, cols, channels), "
                         f"got {shape}")
    if cf:
        shape = (shape[0], shape[2], shape[3], shape[1])
    if x.shape[-1] != kernel.shape[3]:
        raise ValueError(f"{fn}: x has {x.shape[-1]} channels, the kernel "
                         f"{shape_str(kernel.shape)} expects {kernel.shape[3]}")
    if shape[3] != kernel.shape[2]:
        raise ValueError(f"{fn}: output_shape {tuple(output_shape)} has {shape[3]} channels, the "
                         f"kernel {shape_str(kernel.shape)} makes {kernel.shape[2]}")
    strides = kernels.conv.pair(fn, "strides", strides)
    dilation = kernels.conv.pair(fn, "dilation_rate", dilation_rate)
    y = _conv.conv2d_transpose(x, kernel, None, output_size=(int(shape[1]), int(shape[2])),
                               strides=strides, padding=padding, dilation=dilation)
    return _back(y, cf)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Keras 2 K.depthwise_conv2d: x (N, H, W, C), depthwise_kernel (KH, KW, C, M) ->
    (N, OH, OW, C * M)."""
    fn = "depthwise_conv2d"
    x, cf = _nhwc(fn, _float(fn, x), data_format)
    w = _kernel(fn, "depthwise_kernel", depthwise_kernel, 4, "(KH, KW, C, M)")
    if x.shape[-1] != w.shape[2]:
        raise ValueError(f"{fn}: x has {x.shape[-1]} channels, the depthwise_kernel "
                         f"{shape_str(w.shape)} expects {w.shape[2]}")
    y = _conv.depthwise_conv2d(x, w, strides=kernels.conv.pair(fn, "strides", strides),
                               padding=_padding(fn, padding),
                               dilation=kernels.conv.pair(fn, "dilation_rate", dilation_rate))
    return _back(y, cf)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Keras 2 K.separable_conv2d: the depthwise convolution, then a 1x1 convolution with
    pointwise_kernel (1, 1, C * M, F)."""
    fn = "separable_conv2d"
    x, cf = _nhwc(fn, _float(fn, x), data_format)
    w = _kernel(fn, "depthwise_kernel", depthwise_kernel, 4, "(KH, KW, C, M)")
    p = _kernel(fn, "pointwise_kernel", pointwise_kernel, 4, "(1, 1, C * M, F)")
    if x.shape[-1] != w.shape[2]:
        raise ValueError(f"{fn}: x has {x.shape[-1]} channels, the depthwise_kernel "
                         f"{shape_str(w.shape)} expects {w.shape[2]}")
    if p.shape[:3] != (1, 1, w.shape[2] * w.shape[3]):
        raise ValueError(f"{fn}: pointwise_kernel must be (1, 1, {w.shape[2] * w.shape[3]}, F) "
                         f"for the depthwise_kernel {shape_str(w.shape)}, got "
                         f"{shape_str(p.shape)}")
    d = _conv.depthwise_conv2d(x, w, strides=kernels.conv.pair(fn, "strides", strides),
                               padding=_padding(fn, padding),
                               dilation=kernels.conv.pair(fn, "dilation_rate", dilation_rate))
    return _back(_conv.conv2d(d, p, None), cf)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """Keras 2 K.pool2d: max or average pooling ('same' averages count only the real cells)."""
    fn = "pool2d"
    x, cf = _nhwc(fn, _float(fn, x), data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"{fn}: pool_mode must be 'max' or 'avg', got {pool_mode!r}")
    size = kernels.conv.pair(fn, "pool_size", pool_size)
    strides = kernels.conv.pair(fn, "strides", strides)
    op = _pool.max_pool2d if pool_mode == "max" else _pool.avg_pool2d
    return _back(op(x, size, strides, _padding(fn, padding)), cf)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Keras 2 K.resize_images: (N, H, W, C) -> (N, H * height_factor, W * width_factor, C),
    'nearest' or 'bilinear' (UpSampling2D's)."""
    fn = "resize_images"
    x, cf = _nhwc(fn, _float(fn, x), data_format)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"{fn}: interpolation must be 'nearest' or 'bilinear', got "
                         f"{interpolation!r}")
    size = kernels.conv.pair(fn, "height_factor / width_factor", (height_factor, width_factor))
    return _back(_spatial.upsample2d(x, size, interpolation), cf)


def local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Keras 2 K.local_conv: a convolution with one kernel per output position. kernel
    (positions, prod(kernel_size) * C, filters); each position's patch is flattened as
    (k..., C) for channels_last, (C, k...) for channels_first; the patches are multiplied by
    their kernels in one batched matmul (P, N, F) @ (P, F, filters). Returns (N, out...,
    filters) (channels_first: (N, filters, out...))."""
    fn = "local_conv"
    x = _float(fn, inputs)
    kernel = _kernel(fn, "kernel", kernel, 3, "(positions, patch features, filters)")
    out = tuple(int(o) for o in output_shape)
    n = len(out)
    cf = _conv_format(fn, data_format)
    if x.ndim != n + 2:
        raise ValueError(f"{fn}: inputs must be {n + 2}-D for an output_shape of {n} sizes, got "
                         f"shape {shape_str(x.shape)}")
    positions = 1
    for o in out:
        positions *= o
    if kernel.shape[0] != positions:
        raise ValueError(f"{fn}: kernel {shape_str(kernel.shape)} has {kernel.shape[0]} "
                         f"positions, output_shape {out} has {positions}")
    N = x.shape[0]
    patches = []
    for pos in itertools.product(*[range(o) for o in out]):
        sl = [slice(None)] + ([slice(None)] if cf else [])
        sl += [slice(p * s, p * s + k) for p, s, k in zip(pos, strides, kernel_size)]
        if not cf:
            sl.append(slice(None))
        patches.append(B.reshape(B.getitem(x, tuple(sl)), (N, -1)))
    if patches[0].shape[1] != kernel.shape[1]:
        raise ValueError(f"{fn}: a patch of kernel_size {tuple(kernel_size)} has "
                         f"{patches[0].shape[1]} features, the kernel {shape_str(kernel.shape)} "
                         f"expects {kernel.shape[1]}")
    y = B.reshape(B.matmul(_manip.stack(patches, axis=0), kernel), out + (N, kernel.shape[2]))
    if cf:
        return B.transpose(y, (n, n + 1) + tuple(range(n)))
    return B.transpose(y, (n,) + tuple(range(n)) + (n + 1,))


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Keras 2 K.local_conv1d: inputs (N, steps, C), kernel (output_length, k * C, filters)."""
    kernel = _float("local_conv1d", kernel)
    return local_conv(inputs, kernel, kernel_size, strides, (kernel.shape[0],), data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Keras 2 K.local_conv2d: inputs (N, H, W, C), kernel (OH * OW, KH * KW * C, filters),
    output_shape (OH, OW)."""
    return local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format)


# ---- volumetric (5-D) ---------------------------------------------------------------------------
def _ndhwc(fn, x, data_format, what="x"):
    """(x as NDHWC, channels_first?) after checking x is 5-D."""
    if x.ndim != 5:
        raise ValueError(f"{fn}: {what} must be 5-D (batch, depth, rows, cols, channels), got "
                         f"shape {shape_str(x.shape)}")
    cf = _conv_format(fn, data_format)
    return (B.transpose(x, (0, 2, 3, 4, 1)) if cf else x), cf


def _back5(y, cf):
    return B.transpose(y, (0, 4, 1, 2, 3)) if cf else y


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """Keras 2 K.conv3d: x (N, D, H, W, C) (or channels_first), kernel (KD, KH, KW, C, F)."""
    fn = "conv3d"
    x, cf = _ndhwc(fn, _float(fn, x), data_format)
    kernel = _kernel(fn, "kernel", kernel, 5, "(KD, KH, KW, C_in, C_out)")
    if x.shape[-1] != kernel.shape[3]:
        raise ValueError(f"{fn}: x has {x.shape[-1]} channels, the kernel "
                         f"{shape_str(kernel.shape)} expects {kernel.shape[3]}")
    return _back5(_vol.conv3d(x, kernel, None, strides, _padding(fn, padding), dilation_rate), cf)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """Keras 2 K.pool3d: max or average pooling over (D, H, W) ('same' averages count only the
    real cells); strides default to (1, 1, 1), as Keras 2's."""
    fn = "pool3d"
    x, cf = _ndhwc(fn, _float(fn, x), data_format)
    return _back5(_vol.pool3d(x, pool_size, strides, _padding(fn, padding), pool_mode), cf)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Keras 2 K.resize_volumes: each of D, H, W repeated by its factor (nearest neighbour,
    UpSampling3D's)."""
    fn = "resize_volumes"
    x, cf = _ndhwc(fn, _float(fn, x), data_format)
    for axis, (name, f) in enumerate((("depth_factor", depth_factor),
                                      ("height_factor", height_factor),
                                      ("width_factor", width_factor)), start=1):
        if isinstance(f, bool) or int(f) != f or int(f) < 1:
            raise ValueError(f"{fn}: {name} must be an int >= 1, got {f!r}")
        if int(f) > 1:
            x = _manip.repeat(x, int(f), axis)
    return _back5(x, cf)
