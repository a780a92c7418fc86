"""conv2d entry points: validate, resolve padding to explicit pads, call the backend's kernel.

``conv2d(x, w, b, strides, padding, dilation, activation)`` and
``conv2d_backward(dy, x, w, strides, padding, dilation, need_dx, need_dw, need_db)`` take
Keras-style arguments; the array-level kernels they call (``conv2d_forward`` /
``conv2d_backward`` in reference/conv.py, the same names in ``_C``) take explicit integers.

Note [same padding]
~~~~~~~~~~~~~~~~~~~
'same' follows TensorFlow exactly, per axis, with the dilated kernel extent E = (K - 1) * d + 1:
    O = ceil(H / s);  total = max((O - 1) * s + E - H, 0);  before = total // 2;  after = total - before
so an odd total puts the extra row/column at the bottom/right, stride > 1 and even kernels
included, and an input smaller than the kernel still yields ceil(H / s) outputs. Pooling uses the
same formula with d = 1 (kernels/pool.py imports ``resolve_padding`` from here).

Note [Winograd] (native CPU kernels, csrc/cpu/conv.cpp)
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
Stride-1, dilation-1 layers with 3..5 kernels, >= 16 channels each way and pads within the kernel
run forward, dx and dw as Winograd convolutions on 6x6 tiles (2.25-4x fewer multiplies). Their
rounding error is ~5-60 eps times the direct sum's magnitude on random data, relative to a whole
tile rather than one window, and an Inf or NaN input reaches every output of the tiles that read
it. Strided layers whose kernel is 2..4 times the stride (DCGAN's kernel 4, stride 2, and so its
Conv2DTranspose layers) run the same way, split by input phase into stride-1 convolutions (Note
[strided layers by phases] in csrc/cpu/conv_phases.cpp), where Winograd pays for the output grid;
kernel = 2 x stride on 6..7 or 11..14-pixel grids (DCGAN 7->14) on 8x8 tiles, F(7, 2), whose
rounding is 2-3x that of the 6x6 tiles (Note [Winograd 8x8 tiles] in
csrc/cpu/conv_winograd_tiles.h).
``tensorforge._native._C._conv_winograd(False)`` switches both off for the process, and
``_C._conv_winograd_tile8(False)`` the 8x8 tiles alone (benchmarks and tests compare both).
"""
import functools

import numpy as np

from .. import _dispatch as backend
from .._xp import array_module
from . import conv_transpose_taps as taps
from ._common import (check_activation, check_array, check_output, check_output_size, contiguous,
                      into_output, is_native, kernel_for, same_dtype, shape_str, takes_outputs)


def pair(op, name, v, minimum=1):
    """An int or a pair of ints -> (a, b), each >= minimum."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (int(v), int(v))
    elif isinstance(v, (tuple, list)) and len(v) == 2 and all(
            isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in v):
        v = (int(v[0]), int(v[1]))
    else:
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {v!r}")
    if v[0] < minimum or v[1] < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v}")
    return v


def same_pads(H, K, s, d=1):
    """(before, after) for TF 'same' along one axis. See Note [same padding]."""
    E = (K - 1) * d + 1
    O = -(-H // s)
    total = max((O - 1) * s + E - H, 0)
    return total // 2, total - total // 2


def resolve_padding(op, padding, H, W, KH, KW, sh, sw, dh=1, dw=1):
    """Keras padding ('valid', 'same', int, pair of ints, or ((top, bottom), (left, right)))
    -> (pt, pl, pb, pr)."""
    if isinstance(padding, str):
        p = padding.lower()
        if p == "valid":
            return 0, 0, 0, 0
        if p == "same":
            pt, pb = same_pads(H, KH, sh, dh)
            pl, pr = same_pads(W, KW, sw, dw)
            return pt, pl, pb, pr
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a pair, got {padding!r}")
    if (isinstance(padding, (tuple, list)) and len(padding) == 2
            and all(isinstance(p, (tuple, list)) for p in padding)):
        # ((top, bottom), (left, right)): explicit, possibly asymmetric (Conv1D 'causal')
        (pt, pb), (pl, pr) = (pair(op, "padding", p, minimum=0) for p in padding)
        return pt, pl, pb, pr
    try:
        ph, pw = pair(op, "padding", padding, minimum=0)
    except ValueError:
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int >= 0 or a pair of ints >= 0, "
                         f"got {padding!r}") from None
    return ph, pw, ph, pw


def out_size(H, K, s, p0, p1, d=1):
    return (H + p0 + p1 - ((K - 1) * d + 1)) // s + 1


def conv_geometry(op, x_shape, w_shape, strides, padding, dilation):
    """Check x/w shapes and return (sh, sw, pt, pl, pb, pr, dh, dw, OH, OW)."""
    N, H, W, C = x_shape
    KH, KW, CI, CO = w_shape
    if CI != C:
        raise ValueError(f"{op}: w has C_in = {CI} but x has {C} channels: x {shape_str(x_shape)}, "
                         f"w {shape_str(w_shape)} (KH, KW, C_in, C_out)")
    sh, sw = pair(op, "strides", strides)
    dh, dw = pair(op, "dilation", dilation)
    pt, pl, pb, pr = resolve_padding(op, padding, H, W, KH, KW, sh, sw, dh, dw)
    OH, OW = out_size(H, KH, sh, pt, pb, dh), out_size(W, KW, sw, pl, pr, dw)
    if OH < 1 or OW < 1 or H + pt + pb < (KH - 1) * dh + 1 or W + pl + pr < (KW - 1) * dw + 1:
        raise ValueError(f"{op}: the kernel (extent {(KH - 1) * dh + 1}x{(KW - 1) * dw + 1} with dilation "
                         f"{(dh, dw)}) is larger than the padded input ({H + pt + pb}x{W + pl + pr}): "
                         f"x {shape_str(x_shape)}, w {shape_str(w_shape)}, padding {padding!r}")
    check_output_size(op, "the output", (N, OH, OW, CO), 4)  # (float32's; float64 models are small)
    return sh, sw, pt, pl, pb, pr, dh, dw, OH, OW


_conv_geometry_cached = functools.lru_cache(maxsize=512)(conv_geometry)


def cached_geometry(geometry, *args):
    """``geometry(*args)`` remembered for hashable arguments (a training step asks for the same
    few layer geometries every step: See Note [native fast path] in kernels/pointwise.py)."""
    try:
        return geometry(*args)
    except TypeError:  # an unhashable argument (strides as a list): computed, not remembered
        return geometry.__wrapped__(*args)


def _check_xw(op, x, w, b):
    check_array(op, "x", x, 4, "(N, H, W, C_in)")
    check_array(op, "w", w, 4, "(KH, KW, C_in, C_out)")
    if b is not None:
        check_array(op, "b", b, 1, "(C_out,)")
        if b.shape[0] != w.shape[3]:
            raise ValueError(f"{op}: b must have shape ({w.shape[3]},) for C_out = {w.shape[3]}, got "
                             f"{shape_str(b.shape)}")


def conv2d(x, w, b=None, strides=1, padding="valid", dilation=1, activation=None):
    """y = act(conv(x, w) + b): x (N, H, W, C_in), w (KH, KW, C_in, C_out) -> (N, OH, OW, C_out)."""
    op = "conv2d"
    fn = backend.lookup("conv2d_forward")
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 4 == w.ndim:
        try:  # Note [native fast path]: the binding checks the arrays and the geometry
            sh, sw, pt, pl, pb, pr, dh, dw, _, _ = cached_geometry(
                _conv_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            return fn(x, w, b, sh, sw, pt, pl, pb, pr, dh, dw, activation)
        except (TypeError, ValueError):
            pass  # the checks below convert what they may, or raise their own message
    _check_xw(op, x, w, b)
    same_dtype(op, x=x, w=w, b=b)
    activation = check_activation(op, activation)
    sh, sw, pt, pl, pb, pr, dh, dw, _, _ = conv_geometry(op, x.shape, w.shape, strides, padding, dilation)
    return kernel_for(op, "conv2d_forward", x.dtype)(
        contiguous(x), contiguous(w), None if b is None else contiguous(b),
        sh, sw, pt, pl, pb, pr, dh, dw, activation)


def conv2d_backward(dy, x, w, strides=1, padding="valid", dilation=1, need_dx=True, need_dw=True,
                    need_db=True, y=None, dw_out=None, db_out=None):
    """(dx, dw, db) from dy, the gradient of the pre-activation output (N, OH, OW, C_out); or of
    the relu output when y (that output) is given: the relu backward dy * (y > 0) is fused.
    ``dw_out`` / ``db_out``: arrays of dw's / db's shape and dtype to write the result into (a
    parameter's gradient buffer, See Note [gradient outputs] in kernels/_common.py); they are
    what is returned. The native CPU kernel writes there directly, other backends copy."""
    op = "conv2d_backward"
    fn = backend.lookup(op)
    outs = dw_out is not None or db_out is not None
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 4 == w.ndim:
        try:  # Note [native fast path]
            sh, sw, pt, pl, pb, pr, dh, dw, _, _ = cached_geometry(
                _conv_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            if not outs:
                return fn(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, bool(need_dx), bool(need_dw),
                          bool(need_db), y)
            if takes_outputs(fn):
                return fn(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, bool(need_dx), bool(need_dw),
                          bool(need_db), y, dw_out if need_dw else None,
                          db_out if need_db else None)
        except (TypeError, ValueError):
            pass
    _check_xw(op, x, w, None)
    check_array(op, "dy", dy, 4, "(N, OH, OW, C_out)")
    same_dtype(op, dy=dy, x=x, w=w)
    sh, sw, pt, pl, pb, pr, dh, dw, OH, OW = conv_geometry(op, x.shape, w.shape, strides, padding, dilation)
    want = (x.shape[0], OH, OW, w.shape[3])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy must have shape {shape_str(want)} for x {shape_str(x.shape)} and "
                         f"w {shape_str(w.shape)}, got {shape_str(dy.shape)}")
    if y is not None:
        check_array(op, "y", y, 4, "(N, OH, OW, C_out)")
        if tuple(y.shape) != want:
            raise ValueError(f"{op}: y must have the shape of dy {shape_str(want)}, got {shape_str(y.shape)}")
        same_dtype(op, dy=dy, y=y)
        y = contiguous(y)
    if need_dw:
        check_output(op, "dw_out", dw_out, w.shape, w.dtype)
    if need_db:
        check_output(op, "db_out", db_out, (w.shape[3],), w.dtype)
    dx, gw, gb = kernel_for(op, op, x.dtype)(
        contiguous(dy), contiguous(x), contiguous(w), sh, sw, pt, pl, pb, pr, dh, dw,
        bool(need_dx), bool(need_dw), bool(need_db), y)
    return dx, into_output(gw, dw_out), into_output(gb, db_out)


# ---- conv2d_transpose: conv2d's backward-data pass as a forward op ---------------------------
def _dummy_input(x, shape):
    """An uninitialized array of ``shape``: conv2d_backward's x when only dx is asked for (its
    values are never read; its shape gives the geometry)."""
    return array_module(x).empty(shape, dtype=x.dtype)


def conv2d_transpose(x, w, b=None, output_size=None, strides=1, padding="valid", dilation=1):
    """y = conv2d_transpose(x, w) + b: the gradient of conv2d with respect to its input.

    x (N, H, W, C_out), w (KH, KW, C_in, C_out) (Keras Conv2DTranspose's kernel
    (KH, KW, filters, in_channels) is this layout with C_in = filters), output_size (OH, OW):
    the size of the conv2d input whose conv2d(padding, strides, dilation) output is (H, W).
    Returns (N, OH, OW, C_in). Runs the backend's conv2d_backward (data pass only).
    """
    op = "conv2d_transpose"
    check_array(op, "x", x, 4, "(N, H, W, C_out)")
    check_array(op, "w", w, 4, "(KH, KW, C_in, C_out)")
    if w.shape[3] != x.shape[3]:
        raise ValueError(f"{op}: w has C_out = {w.shape[3]} but x has {x.shape[3]} channels: x "
                         f"{shape_str(x.shape)}, w {shape_str(w.shape)} (KH, KW, C_in, C_out)")
    if b is not None:
        check_array(op, "b", b, 1, "(C_in,)")
        if b.shape[0] != w.shape[2]:
            raise ValueError(f"{op}: b must have shape ({w.shape[2]},) for C_in = {w.shape[2]}, "
                             f"got {shape_str(b.shape)}")
    same_dtype(op, x=x, w=w, b=b)
    OH, OW = pair(op, "output_size", output_size)
    out_shape = (x.shape[0], OH, OW, w.shape[2])
    check_output_size(op, "the output", out_shape, x.itemsize)
    geometry = conv_geometry(op, out_shape, w.shape, strides, padding, dilation)
    H, W = geometry[8:]
    if (H, W) != tuple(x.shape[1:3]):
        raise ValueError(f"{op}: output_size {(OH, OW)} does not map back to the input's "
                         f"{tuple(x.shape[1:3])} under strides {strides!r}, padding {padding!r}, "
                         f"dilation {dilation!r} (it gives {(H, W)}): x {shape_str(x.shape)}, "
                         f"w {shape_str(w.shape)}")
    if taps.applies(geometry, x, w, (OH, OW), b):  # Note [kernel == stride transposed conv]
        return taps.forward(x, w, b)
    try:  # the errors of the pass it runs name this op too
        y = conv2d_backward(x, _dummy_input(x, out_shape), w, strides, padding, dilation,
                            need_dx=True, need_dw=False, need_db=False)[0]
    except (TypeError, ValueError) as e:
        raise type(e)(f"{op}: {e}") from None
    if b is not None:
        y += b
    return y


def conv2d_transpose_backward(dy, x, w, strides=1, padding="valid", dilation=1, need_dx=True,
                              need_dw=True, need_db=True):
    """(dx, dw, db) of conv2d_transpose from dy (N, OH, OW, C_in): dx is conv2d(dy, w), dw is
    conv2d's weight gradient with the roles of input and output swapped, db sums dy."""
    op = "conv2d_transpose_backward"
    check_array(op, "dy", dy, 4, "(N, OH, OW, C_in)")
    try:  # the errors of the passes it runs name this op too
        gx = conv2d(dy, w, None, strides, padding, dilation) if need_dx else None
        gw = (conv2d_backward(x, dy, w, strides, padding, dilation, need_dx=False, need_dw=True,
                              need_db=False)[1] if need_dw else None)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{op}: {e}") from None
    gb = bias_grad_nhwc(dy) if need_db else None
    return gx, gw, gb


def bias_grad_nhwc(dy):
    """dy (N, H, W, C) summed over N, H, W: the gradient of a per-channel bias. Runs the
    depthwise backward's fused bias pass (Note [fused bias] in tf/conv_depthwise.h: parallel,
    the same bits at every thread count) with a 1x1 kernel and no other output, whose x is never
    read (an uninitialized array that only gives the geometry)."""
    if dy.dtype != np.float32:
        return dy.sum(axis=(0, 1, 2))
    w = array_module(dy).empty((1, 1, dy.shape[3], 1), dtype=dy.dtype)
    return backend.lookup("depthwise_conv2d_backward")(
        contiguous(dy), _dummy_input(dy, dy.shape), w, 1, 1, 0, 0, 0, 0, 1, 1, False, False,
        True)[2]


# ---- depthwise_conv2d: one filter bank per input channel (groups = C_in) ---------------------
def _depthwise_geometry(op, x, w, strides, padding, dilation):
    """Check x (N, H, W, C) and w (KH, KW, C, M); (sh, sw, pt, pl, pb, pr, dh, dw, OH, OW) with the
    output (N, OH, OW, C * M) size-checked."""
    check_array(op, "x", x, 4, "(N, H, W, C)")
    check_array(op, "w", w, 4, "(KH, KW, C, depth_multiplier)")
    same_dtype(op, x=x, w=w)
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"{op}: w has C = {w.shape[2]} but x has {x.shape[3]} channels: x "
                         f"{shape_str(x.shape)}, w {shape_str(w.shape)} (KH, KW, C, depth_multiplier)")
    # conv_geometry's C_out is M here; the real output has C * M channels
    g = conv_geometry(op, x.shape, w.shape, strides, padding, dilation)
    check_output_size(op, "the output", (x.shape[0], g[8], g[9], w.shape[2] * w.shape[3]),
                      np.dtype(x.dtype).itemsize)
    return g


def depthwise_conv2d(x, w, strides=1, padding="valid", dilation=1, b=None):
    """x (N, H, W, C), w (KH, KW, C, M) (Keras depthwise_kernel), b (C * M,) or None -> y
    (N, OH, OW, C * M) with y[..., c * M + m] = sum over taps of xpad[..., c] * w[kh, kw, c, m]
    (+ b[c * M + m], fused). Native on the cpu backend (csrc/cpu/conv_depthwise.cpp) and the cuda
    backend (csrc/cuda/conv_depthwise.cu)."""
    op = "depthwise_conv2d"
    fn = backend.lookup("depthwise_conv2d_forward")
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 4 == w.ndim:
        try:  # Note [native fast path]: the binding checks the arrays, the geometry, the sizes
            sh, sw, pt, pl, pb, pr, dh, dw, _, _ = cached_geometry(
                _conv_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            return fn(x, w, sh, sw, pt, pl, pb, pr, dh, dw, b)
        except (TypeError, ValueError):
            pass  # the checks below convert what they may, or raise their own message
    sh, sw, pt, pl, pb, pr, dh, dw, _, _ = _depthwise_geometry(op, x, w, strides, padding, dilation)
    if b is not None:
        check_array(op, "b", b, 1, "(C * depth_multiplier,)")
        same_dtype(op, x=x, w=w, b=b)
        if b.shape[0] != w.shape[2] * w.shape[3]:
            raise ValueError(f"{op}: b must have shape ({w.shape[2] * w.shape[3]},) for w "
                             f"{shape_str(w.shape)} (C * depth_multiplier), got {shape_str(b.shape)}")
        b = contiguous(b)
    return kernel_for(op, "depthwise_conv2d_forward", x.dtype)(contiguous(x), contiguous(w), sh, sw,
                                                               pt, pl, pb, pr, dh, dw, b)


def depthwise_conv2d_backward(dy, x, w, strides=1, padding="valid", dilation=1, need_dx=True,
                              need_dw=True, need_db=False):
    """(dx | None, dw | None, db | None) of depthwise_conv2d from dy (N, OH, OW, C * M)."""
    op = "depthwise_conv2d_backward"
    fn = backend.lookup(op)
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 4 == w.ndim:
        try:  # Note [native fast path]
            sh, sw, pt, pl, pb, pr, dh, dw, _, _ = cached_geometry(
                _conv_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            return fn(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, bool(need_dx), bool(need_dw),
                      bool(need_db))
        except (TypeError, ValueError):
            pass
    check_array(op, "dy", dy, 4, "(N, OH, OW, C * M)")
    sh, sw, pt, pl, pb, pr, dh, dw, OH, OW = _depthwise_geometry(op, x, w, strides, padding,
                                                                 dilation)
    same_dtype(op, dy=dy, x=x, w=w)
    want = (x.shape[0], OH, OW, w.shape[2] * w.shape[3])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy must have shape {shape_str(want)} for x {shape_str(x.shape)} and "
                         f"w {shape_str(w.shape)}, got {shape_str(dy.shape)}")
    return kernel_for(op, op, x.dtype)(
        contiguous(dy), contiguous(x), contiguous(w), sh, sw, pt, pl, pb, pr, dh, dw,
        bool(need_dx), bool(need_dw), bool(need_db))
