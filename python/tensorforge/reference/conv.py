"""Reference 2-D convolution (NumPy/CuPy): the fallback backend and the tests' oracle.

Layouts (Keras channels_last):
    x  (N, H, W, C_in)            activations, NHWC
    w  (KH, KW, C_in, C_out)      weights
    b  (C_out,) or None           bias
    y  (N, OH, OW, C_out)

Array-level kernels (the native ``tensorforge._C`` and ``_C_cuda`` expose the same names and
signatures; padding has already been resolved to explicit non-negative amounts by
``tensorforge.kernels.conv``, see Note [same padding] there)::

    conv2d_forward(x, w, b, sh, sw, pt, pl, pb, pr, dh, dw, activation) -> y
        y[n, oh, ow, co] = act(b[co] + sum_{kh, kw, ci} xpad[n, oh*sh + kh*dh, ow*sw + kw*dw, ci]
                                                       * w[kh, kw, ci, co])
        where xpad is x with pt zero rows on top, pb at the bottom, pl zero columns on the left,
        pr on the right, and
            OH = (H + pt + pb - ((KH - 1) * dh + 1)) // sh + 1   (>= 1)
            OW = (W + pl + pr - ((KW - 1) * dw + 1)) // sw + 1   (>= 1)
        b may be None; activation is None or 'relu' (relu keeps NaN).

    conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db, y=None)
        -> (dx, dw, db)
        dy (N, OH, OW, C_out) is the gradient of the loss with respect to the pre-activation
        output; or, when y (the forward's relu output, same shape) is given, with respect to
        the relu output, and the relu backward dy * (y > 0) is applied first (fused).
        Returns newly allocated dx (N, H, W, C_in), dw (KH, KW, C_in, C_out), db (C_out,);
        each is None when its need_* flag is False.

    depthwise_conv2d_forward(x, w, sh, sw, pt, pl, pb, pr, dh, dw, b=None) -> y
        w (KH, KW, C, M) (Keras depthwise_kernel, M = depth_multiplier), y (N, OH, OW, C * M):
        y[n, oh, ow, c * M + m] = sum_{kh, kw} xpad[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * w[kh, kw, c, m]
    depthwise_conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw,
                              need_db=False) -> (dx, dw, db)
        (native: csrc/cpu/conv_depthwise.cpp, csrc/cuda/conv_depthwise.cu)
        b (C * M,) or None is added to y; db = dy summed over N, OH, OW (None unless need_db).

All integer arguments are Python ints: sh, sw >= 1 (strides), dh, dw >= 1 (dilations),
pt, pl, pb, pr >= 0 (pads top, left, bottom, right). The functions work in the dtype of their
inputs (float64 in, float64 out: that is how the tests use them as an oracle).
Vectorized: loops run over the KH*KW kernel taps only, each tap one matrix product over the
outputs whose tap reads real cells (Note [padding without copies]).
"""
import numpy as np

from .._xp import array_module

__all__ = ["conv2d_forward", "conv2d_backward", "depthwise_conv2d_forward",
           "depthwise_conv2d_backward", "conv2d_transpose_taps_forward"]


def conv_out_size(H, K, s, p0, p1, d):
    """Output length along one axis for input H, kernel K, stride s, pads p0/p1, dilation d."""
    return (H + p0 + p1 - ((K - 1) * d + 1)) // s + 1


def _tap_range(H, OH, s, p, i):
    """Outputs [o0, o1) whose tap at offset i (= k * d) reads a real cell, and that cell's
    index for o0 (ih = o * s + i - p, contiguous in o); None when no output does."""
    o0 = max(0, -((i - p) // s))
    o1 = min(OH, (H - 1 + p - i) // s + 1)
    return (o0, o1, o0 * s + i - p) if o0 < o1 else None


def _relu(xp, y):
    return xp.where(y > 0, y, xp.where(xp.isnan(y), y, 0)).astype(y.dtype, copy=False)


def _taps(x_shape, w_shape, OH, OW, sh, sw, pt, pl, dh, dw):
    """For each kernel tap (kh, kw): (kh, kw, real, pad) where real is None or the slices
    (out_rows, out_cols, in_rows, in_cols) of the outputs whose tap reads real cells and of those
    cells, and pad is a boolean (OH, OW) mask of the outputs whose tap reads padding (or None).

    Note [padding without copies]: the zero padding is never materialized (a huge pad or
    dilation is legal geometry and would need a huge array); the padded cells' contribution is
    added explicitly, so 0 * NaN and 0 * Inf still give NaN there, as multiplying real zeros would.
    """
    N, H, W, C = x_shape
    KH, KW = w_shape[:2]
    out = []
    for kh in range(KH):
        r = _tap_range(H, OH, sh, pt, kh * dh)
        for kw in range(KW):
            c = _tap_range(W, OW, sw, pl, kw * dw)
            real = None
            if r is not None and c is not None:
                (o0, o1, i0), (q0, q1, j0) = r, c
                real = (slice(o0, o1), slice(q0, q1),
                        slice(i0, i0 + (o1 - o0 - 1) * sh + 1, sh),
                        slice(j0, j0 + (q1 - q0 - 1) * sw + 1, sw))
            full = real is not None and real[0] == slice(0, OH) and real[1] == slice(0, OW)
            pad = None
            if not full:
                pad = np.ones((OH, OW), dtype=bool)
                if real is not None:
                    pad[real[0], real[1]] = False
            out.append((kh, kw, real, pad))
    return out


def conv2d_forward(x, w, b, sh, sw, pt, pl, pb, pr, dh, dw, activation):
    xp = array_module(x, w)
    N, H, W, C = x.shape
    KH, KW, _, CO = w.shape
    OH = conv_out_size(H, KH, sh, pt, pb, dh)
    OW = conv_out_size(W, KW, sw, pl, pr, dw)
    dtype = xp.result_type(x.dtype, w.dtype)
    y = xp.zeros((N, OH, OW, CO), dtype=dtype)
    for kh, kw, real, pad in _taps(x.shape, w.shape, OH, OW, sh, sw, pt, pl, dh, dw):
        if real is not None:
            ro, co, ri, ci = real
            a = x[:, ri, ci, :]
            y[:, ro, co, :] += (a.reshape(-1, C) @ w[kh, kw]).reshape(a.shape[:3] + (CO,))
        if pad is not None:
            z = xp.zeros((1, C), dtype=dtype) @ w[kh, kw]      # 0 * w: NaN where w is not finite
            if not bool(xp.all(z == 0)):
                y[:, xp.asarray(pad), :] += z[0]
    if b is not None:
        y += b
    if activation == "relu":
        y = _relu(xp, y)
    return y


def conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db, y=None):
    xp = array_module(dy, x, w)
    if y is not None:
        dy = dy * (y > 0)
    N, H, W, C = x.shape
    KH, KW, _, CO = w.shape
    _, OH, OW, _ = dy.shape
    g = dy.reshape(-1, CO)
    gx = gw = gb = None
    taps = _taps(x.shape, w.shape, OH, OW, sh, sw, pt, pl, dh, dw) if (need_dw or need_dx) else []
    if need_db:
        gb = g.sum(axis=0)
    if need_dw:
        gw = xp.zeros(w.shape, dtype=xp.result_type(x.dtype, dy.dtype))
        for kh, kw, real, pad in taps:
            if real is not None:
                ro, co, ri, ci = real
                gr = dy[:, ro, co, :]
                gw[kh, kw] += x[:, ri, ci, :].reshape(-1, C).T @ gr.reshape(-1, CO)
            if pad is not None:
                gp = dy[:, xp.asarray(pad), :].reshape(-1, CO)  # times the padded zeros:
                if not bool(xp.isfinite(gp).all()):               # 0 unless dy is not finite
                    gw[kh, kw] += xp.zeros((C, gp.shape[0]), dtype=gw.dtype) @ gp
    if need_dx:
        gx = xp.zeros((N, H, W, C), dtype=xp.result_type(dy.dtype, w.dtype))
        for kh, kw, real, _ in taps:
            if real is not None:
                ro, co, ri, ci = real
                gr = dy[:, ro, co, :]
                gx[:, ri, ci, :] += (gr.reshape(-1, CO) @ w[kh, kw].T).reshape(gr.shape[:3] + (C,))
    return gx, gw, gb


def depthwise_conv2d_forward(x, w, sh, sw, pt, pl, pb, pr, dh, dw, b=None):
    """Per kernel tap, the outputs whose tap reads real cells multiply them (broadcast over M);
    the others add 0 * w (Note [padding without copies]: no padded array, so a huge pad or
    dilation costs nothing; 0 * NaN is still NaN)."""
    xp = array_module(x, w)
    N, H, W, C = x.shape
    KH, KW, _, M = w.shape
    OH = conv_out_size(H, KH, sh, pt, pb, dh)
    OW = conv_out_size(W, KW, sw, pl, pr, dw)
    y = xp.zeros((N, OH, OW, C, M), dtype=xp.result_type(x.dtype, w.dtype))
    for kh, kw, real, pad in _taps(x.shape, w.shape, OH, OW, sh, sw, pt, pl, dh, dw):
        if real is not None:
            ro, co, ri, ci = real
            y[:, ro, co] += x[:, ri, ci, :, None] * w[kh, kw]
        if pad is not None:
            z = xp.zeros((C, M), dtype=y.dtype) * w[kh, kw]  # 0 * w: NaN where w is not finite
            if not bool(xp.all(z == 0)):
                y[:, xp.asarray(pad)] += z
    y = y.reshape(N, OH, OW, C * M)
    if b is not None:
        y += b
    return y


def depthwise_conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw,
                              need_db=False):
    xp = array_module(dy, x, w)
    N, H, W, C = x.shape
    KH, KW, _, M = w.shape
    _, OH, OW, _ = dy.shape
    g = dy.reshape(N, OH, OW, C, M)
    gx = gw = None
    taps = _taps(x.shape, w.shape, OH, OW, sh, sw, pt, pl, dh, dw) if (need_dw or need_dx) else []
    if need_dw:  # einsum over the strided tap views: no gathered copies
        gw = xp.zeros(w.shape, dtype=xp.result_type(x.dtype, dy.dtype))
        for kh, kw, real, pad in taps:
            if real is not None:
                ro, co, ri, ci = real
                gw[kh, kw] += xp.einsum("nhwc,nhwcm->cm", x[:, ri, ci], g[:, ro, co])
            if pad is not None:
                gp = g[:, xp.asarray(pad)]                  # (N, P, C, M) times the padded zeros:
                if not bool(xp.isfinite(gp).all()):         # 0 unless dy is not finite
                    gw[kh, kw] += (xp.zeros((), dtype=gw.dtype) * gp).sum(axis=(0, 1))
    if need_dx:
        gx = xp.zeros((N, H, W, C), dtype=xp.result_type(dy.dtype, w.dtype))
        for kh, kw, real, _ in taps:
            if real is not None:
                ro, co, ri, ci = real
                gx[:, ri, ci] += xp.einsum("nhwcm,cm->nhwc", g[:, ro, co], w[kh, kw])
    gb = dy.sum(axis=(0, 1, 2)) if need_db else None
    return gx, gw, gb


def conv2d_transpose_taps_forward(x, w, b=None):
    """Conv2DTranspose with kernel == stride, no padding, dilation 1 (Note [kernel == stride
    transposed conv] in kernels/conv_transpose_taps.py): x (N, H, W, C_out), w (KH, KW, C_in,
    C_out), b (C_in,) or None -> y (N, H*KH, W*KW, C_in) with
    y[n, i*KH + a, j*KW + c, :] = w[a, c] @ x[n, i, j, :] + b."""
    xp = array_module(x)
    N, H, W, Co = x.shape
    KH, KW, Ci, _ = w.shape
    t = xp.einsum("nhwo,abio->nhawbi", x, w)  # (N, H, KH, W, KW, C_in): the output's layout
    y = t.reshape(N, H * KH, W * KW, Ci)
    return y if b is None else y + b

