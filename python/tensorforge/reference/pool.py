"""Reference 2-D pooling (NumPy/CuPy): the fallback backend and the tests' oracle.

Layouts: x (N, H, W, C) NHWC, y (N, OH, OW, C). Windows are (KH, KW) with strides (sh, sw) and
explicit pads (pt, pl, pb, pr) resolved by ``tensorforge.kernels.pool`` (Keras 'same' = the TF
formula, see Note [same padding] in kernels/conv.py):
    OH = (H + pt + pb - KH) // sh + 1,  OW = (W + pl + pr - KW) // sw + 1   (>= 1)
Padded cells are never part of a window's statistics (Note [pool padding]): a padded cell never
wins a max, and an average divides by the number of *real* cells in its window.

Array-level kernels (``tensorforge._C`` / ``_C_cuda`` expose the same names and signatures; all
integer arguments are Python ints)::

    max_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr, with_argmax) -> (y, argmax)
        y[n, oh, ow, c] = max over the real cells of the window (NaN if any of them is NaN).
        argmax: int32 (N, OH, OW, C), the flat index ih * W + iw (within image n, channel c) of
        the FIRST maximal cell in row-major window order (of the first NaN when there is one);
        None when with_argmax is False.
    max_pool2d_backward(dy, argmax, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
        dx (N, H, W, C) = 0 everywhere, plus dy[n, oh, ow, c] added at (n, argmax // W,
        argmax % W, c) for every output cell (overlapping windows accumulate). The window
        geometry is that of the forward call (the native kernel gathers over the windows that
        hold each input pixel, so an argmax outside its window is ignored there).
    avg_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr) -> y
        y = sum of the real cells of the window / their count.
    avg_pool2d_backward(dy, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
        each real cell of window (oh, ow) receives dy[n, oh, ow, c] / count(oh, ow).
    global_avg_pool2d_forward(x) -> y (N, C)     mean over H and W
    global_avg_pool2d_backward(dy, H, W) -> dx (N, H, W, C) = dy[n, c] / (H * W)

Vectorized: loops run over the KH*KW window taps only.
"""
import numpy as np

from .._xp import array_module

__all__ = ["max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
           "avg_pool2d_backward", "global_avg_pool2d_forward", "global_avg_pool2d_backward"]


def pool_out_size(H, K, s, p0, p1):
    return (H + p0 + p1 - K) // s + 1


def _window_rows(xp, H, OH, kh, sh, pt):
    """For tap row kh: the input row of every output row (OH,) and whether it is real."""
    ih = xp.arange(OH) * sh + kh - pt
    return ih, (ih >= 0) & (ih < H)


def _real_counts(xp, H, K, OH, s, p0):
    """Number of real input positions in each of the OH windows along one axis."""
    start = xp.arange(OH) * s - p0
    return xp.minimum(start + K, H) - xp.maximum(start, 0)


def max_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr, with_argmax):
    xp = array_module(x)
    N, H, W, C = x.shape
    OH = pool_out_size(H, kh, sh, pt, pb)
    OW = pool_out_size(W, kw, sw, pl, pr)
    y = xp.zeros((N, OH, OW, C), dtype=x.dtype)
    am = xp.zeros((N, OH, OW, C), dtype=np.int32)
    have = xp.zeros((N, OH, OW, C), dtype=bool)
    for i in range(kh):
        ih, rv = _window_rows(xp, H, OH, i, sh, pt)
        ihc = xp.clip(ih, 0, H - 1)
        for j in range(kw):
            iw, cv = _window_rows(xp, W, OW, j, sw, pl)
            iwc = xp.clip(iw, 0, W - 1)
            v = x[:, ihc][:, :, iwc]                          # (N, OH, OW, C)
            real = (rv[:, None] & cv[None, :])[None, :, :, None]
            # Note [NaN in max]: a NaN wins over a number, the first NaN stays.
            take = real & (~have | (v > y) | (xp.isnan(v) & ~xp.isnan(y)))
            y = xp.where(take, v, y)
            if with_argmax:
                idx = (ihc[:, None] * W + iwc[None, :]).astype(np.int32)[None, :, :, None]
                am = xp.where(take, idx, am)
            have |= real
    return y, (am if with_argmax else None)


def max_pool2d_backward(dy, argmax, H, W, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(dy)
    N, OH, OW, C = dy.shape
    n = xp.arange(N, dtype=np.int64)[:, None, None, None]
    c = xp.arange(C, dtype=np.int64)[None, None, None, :]
    flat = ((n * (H * W) + argmax.astype(np.int64)) * C + c).reshape(-1)
    dx = xp.bincount(flat, weights=dy.reshape(-1).astype(np.float64), minlength=N * H * W * C)
    return dx.astype(dy.dtype).reshape(N, H, W, C)


def avg_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(x)
    N, H, W, C = x.shape
    OH = pool_out_size(H, kh, sh, pt, pb)
    OW = pool_out_size(W, kw, sw, pl, pr)
    xpad = xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0))) if (pt or pl or pb or pr) else x
    s = xp.zeros((N, OH, OW, C), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            s += xpad[:, i:i + (OH - 1) * sh + 1:sh, j:j + (OW - 1) * sw + 1:sw, :]
    cnt = (_real_counts(xp, H, kh, OH, sh, pt)[:, None] * _real_counts(xp, W, kw, OW, sw, pl)[None, :])
    return (s / cnt[None, :, :, None].astype(x.dtype)).astype(x.dtype, copy=False)


def avg_pool2d_backward(dy, H, W, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(dy)
    N, OH, OW, C = dy.shape
    cnt = (_real_counts(xp, H, kh, OH, sh, pt)[:, None] * _real_counts(xp, W, kw, OW, sw, pl)[None, :])
    g = dy / cnt[None, :, :, None].astype(dy.dtype)
    dxpad = xp.zeros((N, H + pt + pb, W + pl + pr, C), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            dxpad[:, i:i + (OH - 1) * sh + 1:sh, j:j + (OW - 1) * sw + 1:sw, :] += g
    return xp.ascontiguousarray(dxpad[:, pt:pt + H, pl:pl + W, :])


def global_avg_pool2d_forward(x):
    return x.mean(axis=(1, 2), dtype=x.dtype)


def global_avg_pool2d_backward(dy, H, W):
    xp = array_module(dy)
    N, C = dy.shape
    g = dy / dy.dtype.type(H * W)
    return xp.ascontiguousarray(xp.broadcast_to(g[:, None, None, :], (N, H, W, C)))
