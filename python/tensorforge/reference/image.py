"""Reference projective image transform (NumPy/CuPy): the fallback backend and the tests'
oracle (native kernel: csrc/cpu/image_transform.cpp, contract csrc/include/tf/image_transform.h)::

    image_transform(images, transforms, fill_mode, fill_value, interpolation, out_h, out_w) -> y
        tf.raw_ops.ImageProjectiveTransformV3 on (N, H, W, C) float32 images with one (8,) row
        [a0, a1, a2, b0, b1, b2, c0, c1] per image: the output pixel (x, y) reads the input point
        ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, in float32 (k == 0:
        fill_value). The point is mapped back by ``fill_mode`` (Note [fill modes]) and read
        with 'nearest' (std::round) or 'bilinear' interpolation; reads outside the image give
        fill_value. y: (N, out_h, out_w, C) float32.
"""
import numpy as np

from .._xp import array_module

__all__ = ["image_transform"]


# Note [fill modes]: TensorFlow's MapCoordinate (core/kernels/image/image_ops.h), one float
# coordinate c on an axis of length n at a time; the result is clamped to [0, n - 1] except for
# 'constant', whose out-of-range reads give fill_value.
#   reflect  (d c b a | a b c d | d c b a): the edge pixel is repeated
#   wrap     (a b c d | a b c d | a b c d), with TensorFlow's period arithmetic on n - 1
#   nearest  (a a a a | a b c d | d d d d)
def _map_reflect(xp, c, n):
    if n <= 1:
        return xp.zeros_like(c)
    sz2 = xp.float32(2 * n)
    neg = sz2 * xp.trunc(-c / sz2) + c
    neg = xp.where(neg < -n, neg + sz2, -neg - 1)
    pos = c - sz2 * xp.trunc(c / sz2)
    pos = xp.where(pos >= n, sz2 - pos - 1, pos)
    out = xp.where(c < 0, neg, xp.where(c > n - 1, pos, c))
    return xp.clip(out, 0, n - 1)


def _map_wrap(xp, c, n):
    if n <= 1:
        return xp.zeros_like(c)
    sz = xp.float32(n - 1)
    neg = c + n * (xp.trunc(-c / sz) + 1)
    pos = c - n * xp.trunc(c / sz)
    out = xp.where(c < 0, neg, xp.where(c > n - 1, pos, c))
    return xp.clip(out, 0, n - 1)


def _map_coord(xp, c, n, fill_mode):
    if fill_mode == "reflect":
        return _map_reflect(xp, c, n)
    if fill_mode == "wrap":
        return _map_wrap(xp, c, n)
    if fill_mode == "nearest":
        return xp.clip(c, 0, n - 1)
    return c  # constant


def image_transform(images, transforms, fill_mode, fill_value, interpolation, out_h, out_w):
    xp = array_module(images)
    x, t = images, transforms
    N, H, W, C = x.shape
    Ho, Wo = int(out_h), int(out_w)
    fill = np.float32(fill_value)
    ys = xp.arange(Ho, dtype=xp.float32)[None, :, None]
    xs = xp.arange(Wo, dtype=xp.float32)[None, None, :]
    r = [t[:, k, None, None] for k in range(8)]
    proj = r[6] * xs + r[7] * ys + np.float32(1)
    infinite = proj == 0
    proj = xp.where(infinite, np.float32(1), proj)
    in_x = _map_coord(xp, (r[0] * xs + r[1] * ys + r[2]) / proj, W, fill_mode)
    in_y = _map_coord(xp, (r[3] * xs + r[4] * ys + r[5]) / proj, H, fill_mode)
    n = xp.arange(N)[:, None, None]

    def read(yi, xi):  # (N, Ho, Wo) integer coordinates -> (N, Ho, Wo, C), fill outside
        ok = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
        if H == 0 or W == 0:
            return xp.full(ok.shape + (C,), fill, xp.float32)
        v = x[n, xp.clip(yi, 0, H - 1), xp.clip(xi, 0, W - 1)]
        return xp.where(ok[..., None], v, fill)

    with np.errstate(invalid="ignore"):  # NaN / huge points: int64 garbage, then fill
        if interpolation == "nearest":  # std::round: halves away from zero
            out = read(xp.trunc(in_y + xp.copysign(np.float32(0.5), in_y)).astype(xp.int64),
                       xp.trunc(in_x + xp.copysign(np.float32(0.5), in_x)).astype(xp.int64))
        else:
            y0, x0 = xp.floor(in_y), xp.floor(in_x)
            y1, x1 = y0 + 1, x0 + 1
            iy0, ix0, iy1, ix1 = (v.astype(xp.int64) for v in (y0, x0, y1, x1))
            wx0, wx1 = (x1 - in_x)[..., None], (in_x - x0)[..., None]
            top = wx0 * read(iy0, ix0) + wx1 * read(iy0, ix1)
            bottom = wx0 * read(iy1, ix0) + wx1 * read(iy1, ix1)
            out = (y1 - in_y)[..., None] * top + (in_y - y0)[..., None] * bottom
    return xp.where(infinite[..., None], fill, out).astype(xp.float32, copy=False)
