"""conv3d entry points: validate, resolve padding to explicit pads, call the backend's kernel.

``conv3d(x, w, b, strides, padding, dilation)`` and ``conv3d_backward(dy, x, w, strides,
padding, dilation, need_dx, need_dw, need_db)`` take Keras-style arguments (strides / dilation:
an int or a triple; padding 'valid' or 'same', TensorFlow's per axis: Note [same padding] in
kernels/conv.py); the array-level kernels they call (``conv3d_forward`` / ``conv3d_backward`` in
reference/conv3d.py, the same names in ``_C``: Note [depth fold] in csrc/include/tf/conv3d.h)
take explicit integers. float64 runs the reference (Note [float64 kernels] in _common.py).
"""
import functools

import numpy as np

from .. import _dispatch as backend
from ._common import (check_array, check_output_size, contiguous, is_native, kernel_for,
                      same_dtype, shape_str)
from .conv import cached_geometry, out_size, same_pads

_LAYOUT_X, _LAYOUT_W = "(N, D, H, W, C_in)", "(KD, KH, KW, C_in, C_out)"


def _triple(op, name, v):
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (int(v),) * 3
    elif isinstance(v, (tuple, list)) and len(v) == 3 and all(
            isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in v):
        v = tuple(int(e) for e in v)
    else:
        raise ValueError(f"{op}: {name} must be an int or a tuple of 3 ints, got {v!r}")
    if min(v) < 1:
        raise ValueError(f"{op}: {name} must be >= 1, got {v}")
    return v


def conv3d_geometry(op, x_shape, w_shape, strides, padding, dilation):
    """Check the x / w shapes; (sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw) and the
    output size (OD, OH, OW)."""
    if w_shape[3] != x_shape[4]:
        raise ValueError(f"{op}: w has C_in = {w_shape[3]} but x has {x_shape[4]} channels: x "
                         f"{shape_str(x_shape)}, w {shape_str(w_shape)} {_LAYOUT_W}")
    s, d = _triple(op, "strides", strides), _triple(op, "dilation", dilation)
    p = str(padding).lower() if isinstance(padding, str) else None
    if p not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    pads = [same_pads(x_shape[1 + a], w_shape[a], s[a], d[a]) if p == "same" else (0, 0)
            for a in range(3)]
    o = []
    for a in range(3):
        E, n = (w_shape[a] - 1) * d[a] + 1, x_shape[1 + a] + sum(pads[a])
        if n < E:
            raise ValueError(f"{op}: the kernel (extent {E} along axis {a + 1}, dilation {d[a]}) is "
                             f"larger than the padded input ({n}): x {shape_str(x_shape)}, w "
                             f"{shape_str(w_shape)}, padding {padding!r}")
        o.append(out_size(x_shape[1 + a], w_shape[a], s[a], *pads[a], d[a]))
    check_output_size(op, "the output", (x_shape[0], *o, w_shape[4]), 4)
    return s + tuple(q[0] for q in pads) + tuple(q[1] for q in pads) + d, tuple(o)


_geometry_cached = functools.lru_cache(maxsize=256)(conv3d_geometry)


def _check_xw(op, x, w):
    check_array(op, "x", x, 5, _LAYOUT_X)
    check_array(op, "w", w, 5, _LAYOUT_W)


def conv3d(x, w, b=None, strides=1, padding="valid", dilation=1):
    """y = conv3d(x, w) + b: x (N, D, H, W, C_in), w (KD, KH, KW, C_in, C_out), b (C_out,) or
    None -> (N, OD, OH, OW, C_out)."""
    op = "conv3d"
    fn = backend.lookup("conv3d_forward")
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 5 == w.ndim:
        try:  # Note [native fast path] (kernels/pointwise.py): the binding checks the arrays
            g, _ = cached_geometry(_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            return fn(x, w, b, *g)
        except (TypeError, ValueError):
            pass  # the checks below convert what they may, or raise their own message
    _check_xw(op, x, w)
    if b is not None:
        check_array(op, "b", b, 1, "(C_out,)")
        if b.shape[0] != w.shape[4]:
            raise ValueError(f"{op}: b must have shape ({w.shape[4]},) for C_out = {w.shape[4]}, "
                             f"got {shape_str(b.shape)}")
    same_dtype(op, x=x, w=w, b=b)
    g, _ = conv3d_geometry(op, x.shape, w.shape, strides, padding, dilation)
    return kernel_for(op, "conv3d_forward", x.dtype)(
        contiguous(x), contiguous(w), None if b is None else contiguous(b), *g)


def conv3d_backward(dy, x, w, strides=1, padding="valid", dilation=1, need_dx=True, need_dw=True,
                    need_db=True):
    """(dx, dw, db) of conv3d from dy (N, OD, OH, OW, C_out); each None when not needed."""
    op = "conv3d_backward"
    fn = backend.lookup(op)
    flags = (bool(need_dx), bool(need_dw), bool(need_db))
    if is_native(fn) and type(x) is np.ndarray and type(w) is np.ndarray and x.ndim == 5 == w.ndim:
        try:  # Note [native fast path]
            g, _ = cached_geometry(_geometry_cached, op, x.shape, w.shape, strides, padding, dilation)
            return fn(dy, x, w, *g, *flags)
        except (TypeError, ValueError):
            pass
    _check_xw(op, x, w)
    check_array(op, "dy", dy, 5, "(N, OD, OH, OW, C_out)")
    same_dtype(op, dy=dy, x=x, w=w)
    g, o = conv3d_geometry(op, x.shape, w.shape, strides, padding, dilation)
    want = (x.shape[0], *o, w.shape[4])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy must have shape {shape_str(want)} for x {shape_str(x.shape)} and "
                         f"w {shape_str(w.shape)}, got {shape_str(dy.shape)}")
    return kernel_for(op, op, x.dtype)(contiguous(dy), contiguous(x), contiguous(w), *g, *flags)
