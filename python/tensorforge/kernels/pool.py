"""Pooling entry points: validate, resolve Keras padding to explicit pads, call the kernel.

Keras semantics: pool_size and strides are an int or a pair, strides None means pool_size,
padding 'valid' or 'same' (TF formula, Note [same padding] in kernels/conv.py). See
reference/pool.py for the array-level kernels and Note [pool padding].
"""
import numpy as np

import functools

from .. import _dispatch as backend
from ._common import check_array, check_output_size, contiguous, is_native, kernel_for, shape_str
from .conv import cached_geometry, pair, resolve_padding

_POOL_PADDINGS = ("valid", "same")


def _x_shape(op, x_shape):
    if (not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4 or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in x_shape)):
        raise ValueError(f"{op}: x_shape must be 4 positive ints (N, H, W, C), got {x_shape!r}")
    return tuple(int(s) for s in x_shape)


def _size(op, name, v):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {type(v).__name__} {v!r}")
    if v < 1:
        raise ValueError(f"{op}: {name} must be >= 1, got {v}")
    return int(v)


def pool_geometry(op, x_shape, pool_size, strides, padding):
    """(kh, kw, sh, sw, pt, pl, pb, pr, OH, OW) for an NHWC input shape."""
    N, H, W, C = _x_shape(op, x_shape)
    kh, kw = pair(op, "pool_size", pool_size)
    sh, sw = (kh, kw) if strides is None else pair(op, "strides", strides)
    if not isinstance(padding, str) or padding.lower() not in _POOL_PADDINGS:
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    pt, pl, pb, pr = resolve_padding(op, padding, H, W, kh, kw, sh, sw)
    OH, OW = (H + pt + pb - kh) // sh + 1, (W + pl + pr - kw) // sw + 1
    if H + pt + pb < kh or W + pl + pr < kw:
        raise ValueError(f"{op}: pool_size {(kh, kw)} is larger than the padded input "
                         f"({H + pt + pb}x{W + pl + pr}): x {shape_str(x_shape)}, padding {padding!r}")
    check_output_size(op, "the output", (N, OH, OW, C))
    return kh, kw, sh, sw, pt, pl, pb, pr, OH, OW


_pool_geometry_cached = functools.lru_cache(maxsize=512)(pool_geometry)


def max_pool2d(x, pool_size=2, strides=None, padding="valid", with_argmax=False):
    """y (and the int32 argmax for the backward when with_argmax) of a max pool over NHWC x."""
    op = "max_pool2d"
    fn = backend.lookup("max_pool2d_forward")
    if is_native(fn) and type(x) is np.ndarray and x.ndim == 4:
        try:  # Note [native fast path] (kernels/pointwise.py)
            kh, kw, sh, sw, pt, pl, pb, pr, _, _ = cached_geometry(
                _pool_geometry_cached, op, x.shape, pool_size, strides, padding)
            y, am = fn(x, kh, kw, sh, sw, pt, pl, pb, pr, bool(with_argmax))
            return (y, am) if with_argmax else y
        except (TypeError, ValueError):
            pass
    check_array(op, "x", x, 4, "(N, H, W, C)")
    kh, kw, sh, sw, pt, pl, pb, pr, _, _ = pool_geometry(op, x.shape, pool_size, strides, padding)
    y, am = kernel_for(op, "max_pool2d_forward", x.dtype)(contiguous(x), kh, kw, sh, sw, pt, pl, pb, pr, bool(with_argmax))
    return (y, am) if with_argmax else y


def max_pool2d_backward(dy, argmax, x_shape, pool_size=2, strides=None, padding="valid"):
    """dx (x_shape) of max_pool2d from dy and the argmax its forward returned."""
    op = "max_pool2d_backward"
    fn = backend.lookup(op)
    if is_native(fn) and type(x_shape) is tuple:
        try:  # Note [native fast path]: the binding checks dy, argmax and their shapes
            kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = cached_geometry(
                _pool_geometry_cached, op, x_shape, pool_size, strides, padding)
            if tuple(dy.shape) == (x_shape[0], OH, OW, x_shape[3]):
                return fn(dy, argmax, int(x_shape[1]), int(x_shape[2]), kh, kw, sh, sw, pt, pl,
                          pb, pr)
        except (TypeError, ValueError, AttributeError):
            pass
    check_array(op, "dy", dy, 4, "(N, OH, OW, C)")
    kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = pool_geometry(op, x_shape, pool_size, strides, padding)
    want = (x_shape[0], OH, OW, x_shape[3])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy must have shape {shape_str(want)}, got {shape_str(dy.shape)}")
    check_array(op, "argmax", argmax, 4, "(N, OH, OW, C)", dtypes=("int32",))
    if argmax.shape != dy.shape:
        raise ValueError(f"{op}: argmax must have the shape of dy {shape_str(dy.shape)}, got "
                         f"{shape_str(argmax.shape)}")
    return kernel_for(op, op, dy.dtype)(contiguous(dy), contiguous(argmax), int(x_shape[1]),
                                        int(x_shape[2]), kh, kw, sh, sw, pt, pl, pb, pr)


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    op = "avg_pool2d"
    check_array(op, "x", x, 4, "(N, H, W, C)")
    kh, kw, sh, sw, pt, pl, pb, pr, _, _ = pool_geometry(op, x.shape, pool_size, strides, padding)
    return kernel_for(op, "avg_pool2d_forward", x.dtype)(contiguous(x), kh, kw, sh, sw, pt, pl, pb, pr)


def avg_pool2d_backward(dy, x_shape, pool_size=2, strides=None, padding="valid"):
    op = "avg_pool2d_backward"
    check_array(op, "dy", dy, 4, "(N, OH, OW, C)")
    kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = pool_geometry(op, x_shape, pool_size, strides, padding)
    want = (x_shape[0], OH, OW, x_shape[3])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy must have shape {shape_str(want)}, got {shape_str(dy.shape)}")
    return kernel_for(op, op, dy.dtype)(contiguous(dy), int(x_shape[1]), int(x_shape[2]),
                                        kh, kw, sh, sw, pt, pl, pb, pr)


def global_avg_pool2d(x):
    op = "global_avg_pool2d"
    check_array(op, "x", x, 4, "(N, H, W, C)")
    return kernel_for(op, "global_avg_pool2d_forward", x.dtype)(contiguous(x))


def global_avg_pool2d_backward(dy, H, W):
    op = "global_avg_pool2d_backward"
    check_array(op, "dy", dy, 2, "(N, C)")
    return kernel_for(op, op, dy.dtype)(contiguous(dy), _size(op, "H", H), _size(op, "W", W))


def upsample_nearest2d(x, sh, sw):
    """(N, H, W, C) -> (N, H * sh, W * sw, C), each pixel repeated (Keras UpSampling2D
    'nearest'); float32 or float64; sh, sw ints >= 1."""
    op = "upsample_nearest2d"
    check_array(op, "x", x, 4, "(N, H, W, C)")
    sh, sw = _size(op, "sh", sh), _size(op, "sw", sw)
    N, H, W, C = x.shape
    check_output_size(op, "the output", (N, H * sh, W * sw, C), x.itemsize)
    return kernel_for(op, "upsample_nearest2d_forward", x.dtype)(contiguous(x), sh, sw)


def upsample_nearest2d_backward(dy, sh, sw):
    """dx (N, OH / sh, OW / sw, C) of upsample_nearest2d: each pixel's sh x sw block of dy summed."""
    op = "upsample_nearest2d_backward"
    check_array(op, "dy", dy, 4, "(N, H * sh, W * sw, C)")
    sh, sw = _size(op, "sh", sh), _size(op, "sw", sw)
    if dy.shape[1] % sh or dy.shape[2] % sw:
        raise ValueError(f"{op}: dy's height and width must be multiples of size {(sh, sw)}, got "
                         f"{shape_str(dy.shape)}")
    return kernel_for(op, op, dy.dtype)(contiguous(dy), sh, sw)
