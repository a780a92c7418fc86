"""Reference 3-D convolution (NumPy/CuPy), NDHWC: the fallback backend and the tests' oracle.

    conv3d_forward(x, w, b, sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw) -> y
        x (N, D, H, W, C_in), w (KD, KH, KW, C_in, C_out) (Keras Conv3D's kernel), b (C_out,)
        or None, y (N, OD, OH, OW, C_out):
        y[n, od, oh, ow, co] = b[co] + sum_{kd, kh, kw, ci} xpad[n, od*sd + kd*dd, oh*sh + kh*dh,
                                                                 ow*sw + kw*dw, ci] * w[kd, kh, kw, ci, co]
        xpad: x with pd0 / pd1 zero planes before / after along D, ph0 / ph1 along H, pw0 / pw1
        along W; O = (size + p0 + p1 - ((K - 1) * d + 1)) // s + 1 per axis (>= 1).
    conv3d_backward(dy, x, w, <the same 12 ints>, need_dx, need_dw, need_db) -> (dx, dw, db)
        newly allocated, each None when its need_* flag is False.

The native ``tensorforge._C`` has the same names and signatures (Note [depth fold] in
csrc/include/tf/conv3d.h). The padding is materialized (real zeros, so 0 * NaN is NaN); loops
run over the KD*KH*KW taps only, each one matrix product over every output.
"""
from .._xp import array_module
from .conv import conv_out_size

__all__ = ["conv3d_forward", "conv3d_backward"]


def _geometry(x_shape, w_shape, s, p0, p1, d):
    """(out sizes, per-tap slices of the padded input)."""
    o = tuple(conv_out_size(x_shape[1 + a], w_shape[a], s[a], p0[a], p1[a], d[a]) for a in range(3))
    taps = []
    for kd in range(w_shape[0]):
        for kh in range(w_shape[1]):
            for kw in range(w_shape[2]):
                k = (kd, kh, kw)
                taps.append((k, (slice(None),) + tuple(
                    slice(k[a] * d[a], k[a] * d[a] + (o[a] - 1) * s[a] + 1, s[a]) for a in range(3))))
    return o, taps


def _pad(xp, x, p0, p1):
    return xp.pad(x, ((0, 0),) + tuple((p0[a], p1[a]) for a in range(3)) + ((0, 0),))


def conv3d_forward(x, w, b, sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw):
    xp = array_module(x, w)
    s, p0, p1, d = (sd, sh, sw), (pd0, ph0, pw0), (pd1, ph1, pw1), (dd, dh, dw)
    o, taps = _geometry(x.shape, w.shape, s, p0, p1, d)
    xpad = _pad(xp, x, p0, p1)
    y = xp.zeros((x.shape[0],) + o + (w.shape[4],), dtype=xp.result_type(x.dtype, w.dtype))
    for k, sl in taps:
        y += xpad[sl] @ w[k]
    if b is not None:
        y += b
    return y


def conv3d_backward(dy, x, w, sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw, need_dx,
                    need_dw, need_db):
    xp = array_module(dy, x, w)
    s, p0, p1, d = (sd, sh, sw), (pd0, ph0, pw0), (pd1, ph1, pw1), (dd, dh, dw)
    _, taps = _geometry(x.shape, w.shape, s, p0, p1, d)
    C, CO = w.shape[3], w.shape[4]
    g = dy.reshape(-1, CO)
    gx = gw = gb = None
    if need_db:
        gb = g.sum(axis=0)
    if need_dw:
        xpad = _pad(xp, x, p0, p1)
        gw = xp.zeros(w.shape, dtype=xp.result_type(x.dtype, dy.dtype))
        for k, sl in taps:
            gw[k] = xpad[sl].reshape(-1, C).T @ g
    if need_dx:
        gpad = xp.zeros((x.shape[0],) + tuple(x.shape[1 + a] + p0[a] + p1[a] for a in range(3))
                        + (C,), dtype=xp.result_type(dy.dtype, w.dtype))
        for k, sl in taps:
            gpad[sl] += dy @ w[k].T
        gx = gpad[(slice(None),) + tuple(slice(p0[a], p0[a] + x.shape[1 + a]) for a in range(3))]
        gx = xp.ascontiguousarray(gx)
    return gx, gw, gb
