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
    upsample_nearest2d_forward(x, sh, sw) -> y (N, H * sh, W * sw, C)
        y[n, oh, ow, c] = x[n, oh // sh, ow // sw, c] (Keras UpSampling2D, 'nearest').
    upsample_nearest2d_backward(dy, sh, sw) -> dx (N, H, W, C), H = dy's height // sh
        dx[n, ih, iw, c] = the sum of dy over rows ih*sh .. ih*sh + sh - 1 and the matching
        columns, added in row-major block order starting from the block's first cell.

Vectorized: loops run over the window taps that read real cells only (Note [huge windows]).
"""
import numpy as np

from .._xp import array_module

__all__ = ["max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
           "avg_pool2d_backward", "global_avg_pool2d_forward", "global_avg_pool2d_backward",
           "upsample_nearest2d_forward", "upsample_nearest2d_backward"]


def pool_out_size(H, K, s, p0, p1):
    return (H + p0 + p1 - K) // s + 1


def _tap_range(H, OH, s, p, i):
    """Tap i of a window along one axis: the output range [o0, o1) whose tap i reads a real
    input cell, and that cell's index for o0 (ih = o * s + i - p, contiguous in o)."""
    o0 = max(0, -((i - p) // s))           # ceil((p - i) / s)
    o1 = min(OH, (H - 1 + p - i) // s + 1)
    return (o0, o1, o0 * s + i - p) if o0 < o1 else None


def _real_taps(H, K, OH, s, p):
    """The taps i in [0, K) that read at least one real cell for some output, in order.

    Note [huge windows]: a window may be far larger than the input (pool_size=2**31 with 'same'
    padding is legal and gives one output per axis); only the taps that touch a real cell
    matter, at most min(K, OH * H) of them, so the loops never run over the whole window.
    """
    if K <= 4096:
        return [i for i in range(K) if _tap_range(H, OH, s, p, i) is not None]
    # union of the intervals [p - o*s, p - o*s + H) over the outputs o, clipped to [0, K)
    out = set()
    for o in range(OH):
        out.update(range(max(0, p - o * s), min(K, p - o * s + H)))
    return sorted(out)


def _taps2(H, W, kh, kw, OH, OW, sh, sw, pt, pl):
    """(row range, column range) pairs of every tap that reads real cells (see _tap_range)."""
    rows = [_tap_range(H, OH, sh, pt, i) for i in _real_taps(H, kh, OH, sh, pt)]
    cols = [_tap_range(W, OW, sw, pl, j) for j in _real_taps(W, kw, OW, sw, pl)]
    return [(r, c) for r in rows for c in cols]


def _real_counts(xp, H, K, OH, s, p0):
    """Number of real input positions in each of the OH windows along one axis."""
    start = xp.arange(OH, dtype=np.int64) * s - p0
    return xp.minimum(start + K, H) - xp.maximum(start, 0)


def max_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr, with_argmax):
    xp = array_module(x)
    N, H, W, C = x.shape
    OH = pool_out_size(H, kh, sh, pt, pb)
    OW = pool_out_size(W, kw, sw, pl, pr)
    y = xp.zeros((N, OH, OW, C), dtype=x.dtype)
    am = xp.zeros((N, OH, OW, C), dtype=np.int32)
    have = xp.zeros((N, OH, OW, C), dtype=bool)
    for (o0, o1, ih0), (q0, q1, iw0) in _taps2(H, W, kh, kw, OH, OW, sh, sw, pt, pl):
        v = x[:, ih0:ih0 + (o1 - o0 - 1) * sh + 1:sh, iw0:iw0 + (q1 - q0 - 1) * sw + 1:sw]
        yr, hr = y[:, o0:o1, q0:q1], have[:, o0:o1, q0:q1]
        # Note [NaN in max]: a NaN wins over a number, the first NaN stays.
        take = ~hr | (v > yr) | (xp.isnan(v) & ~xp.isnan(yr))
        y[:, o0:o1, q0:q1] = xp.where(take, v, yr)
        if with_argmax:
            ih = xp.arange(o1 - o0, dtype=np.int64) * sh + ih0
            iw = xp.arange(q1 - q0, dtype=np.int64) * sw + iw0
            idx = (ih[:, None] * W + iw[None, :]).astype(np.int32)[None, :, :, None]
            am[:, o0:o1, q0:q1] = xp.where(take, idx, am[:, o0:o1, q0:q1])
        have[:, o0:o1, q0:q1] = True
    return y, (am if with_argmax else None)


def max_pool2d_backward(dy, argmax, H, W, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(dy)
    N, OH, OW, C = dy.shape
    n = xp.arange(N, dtype=np.int64)[:, None, None, None]
    c = xp.arange(C, dtype=np.int64)[None, None, None, :]
    am = argmax.astype(np.int64)
    inside = (am >= 0) & (am < H * W)  # an entry outside the image is dropped, never scattered
    am = xp.where(inside, am, 0)       # into another sample (Note in the module docstring)
    flat = ((n * (H * W) + am) * C + c).reshape(-1)
    g = xp.where(inside, dy, 0).reshape(-1).astype(np.float64)
    dx = xp.bincount(flat, weights=g, minlength=N * H * W * C)
    return dx.astype(dy.dtype).reshape(N, H, W, C)


def avg_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(x)
    N, H, W, C = x.shape
    OH = pool_out_size(H, kh, sh, pt, pb)
    OW = pool_out_size(W, kw, sw, pl, pr)
    s = xp.zeros((N, OH, OW, C), dtype=x.dtype)
    for (o0, o1, ih0), (q0, q1, iw0) in _taps2(H, W, kh, kw, OH, OW, sh, sw, pt, pl):
        s[:, o0:o1, q0:q1] += x[:, ih0:ih0 + (o1 - o0 - 1) * sh + 1:sh,
                                iw0:iw0 + (q1 - q0 - 1) * sw + 1:sw]
    cnt = (_real_counts(xp, H, kh, OH, sh, pt)[:, None] * _real_counts(xp, W, kw, OW, sw, pl)[None, :])
    return (s / cnt[None, :, :, None].astype(x.dtype)).astype(x.dtype, copy=False)


def avg_pool2d_backward(dy, H, W, kh, kw, sh, sw, pt, pl, pb, pr):
    xp = array_module(dy)
    N, OH, OW, C = dy.shape
    cnt = (_real_counts(xp, H, kh, OH, sh, pt)[:, None] * _real_counts(xp, W, kw, OW, sw, pl)[None, :])
    g = dy / cnt[None, :, :, None].astype(dy.dtype)
    dx = xp.zeros((N, H, W, C), dtype=dy.dtype)
    for (o0, o1, ih0), (q0, q1, iw0) in _taps2(H, W, kh, kw, OH, OW, sh, sw, pt, pl):
        dx[:, ih0:ih0 + (o1 - o0 - 1) * sh + 1:sh, iw0:iw0 + (q1 - q0 - 1) * sw + 1:sw] += \
            g[:, o0:o1, q0:q1]
    return dx


def global_avg_pool2d_forward(x):
    return x.mean(axis=(1, 2), dtype=x.dtype)


def global_avg_pool2d_backward(dy, H, W):
    xp = array_module(dy)
    N, C = dy.shape
    g = dy / dy.dtype.type(H * W)
    return xp.ascontiguousarray(xp.broadcast_to(g[:, None, None, :], (N, H, W, C)))


def upsample_nearest2d_forward(x, sh, sw):
    xp = array_module(x)
    N, H, W, C = x.shape
    y = xp.broadcast_to(x[:, :, None, :, None, :], (N, H, sh, W, sw, C))
    return xp.ascontiguousarray(y).reshape(N, H * sh, W * sw, C)


def upsample_nearest2d_backward(dy, sh, sw):
    xp = array_module(dy)
    dx = xp.array(dy[:, 0::sh, 0::sw])  # the first cell of every block, then the rest in order
    for i in range(sh):
        for j in range(sw):
            if i or j:
                dx += dy[:, i::sh, j::sw]
    return dx
