"""Public resampling ops (NHWC, Keras semantics): arrays in -> array out; Tensors in
-> Tensor out, recorded for autograd.

    upsample2d(x, size, interpolation)   'nearest' (Keras UpSampling2D) or 'bilinear'
                                         (tf.image.resize, half-pixel centers, as Keras 2 on TF2)
(Zero padding is ops.pad, in ops/manip.py.)

Nearest upsampling repeats each pixel sh x sw times: its forward and its backward (the sum over
each sh x sw block) are the upsample_nearest2d kernels (native on the cpu and cuda backends).
Bilinear resizing is separable: y = A_h x A_w^T per channel, with A the (out, in) interpolation
matrix of each axis; its backward applies the transposed matrices.
"""
import numpy as np

from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels._common import check_array, check_output_size, shape_str

__all__ = ["upsample2d"]


def bilinear_matrix(n_in, n_out, dtype=np.float32):
    """(n_out, n_in) weights of TensorFlow's half-pixel-center bilinear resize along one axis."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    lo_f = np.floor(src)
    lerp = src - lo_f
    lo = np.clip(lo_f.astype(np.int64), 0, n_in - 1)
    hi = np.clip(np.ceil(src).astype(np.int64), 0, n_in - 1)
    A = np.zeros((n_out, n_in), dtype=np.float64)
    np.add.at(A, (np.arange(n_out), lo), 1.0 - lerp)
    np.add.at(A, (np.arange(n_out), hi), lerp)
    return A.astype(dtype)


def _bilinear(x, Ah, Aw):
    xp = array_module(x)
    y = xp.einsum("oh,nhwc->nowc", Ah, x, optimize=True)
    return xp.einsum("pw,nowc->nopc", Aw, y, optimize=True)


class _Upsample2d(Function):
    @staticmethod
    def forward(ctx, x, sh, sw, interpolation):
        ctx.meta = (x.shape, sh, sw, interpolation)
        if interpolation == "nearest":
            return kernels.upsample_nearest2d(x, sh, sw)
        xp = array_module(x)
        H, W = x.shape[1:3]
        ctx.mats = (xp.asarray(bilinear_matrix(H, H * sh, x.dtype)),
                    xp.asarray(bilinear_matrix(W, W * sw, x.dtype)))
        return _bilinear(x, *ctx.mats)

    @staticmethod
    def backward(ctx, g):
        shape, sh, sw, interpolation = ctx.meta
        if interpolation == "nearest":
            dx = kernels.upsample_nearest2d_backward(g, sh, sw)
        else:
            Ah, Aw = ctx.mats
            dx = _bilinear(g, Ah.T, Aw.T)
        return dx, None, None, None


def upsample2d(x, size=2, interpolation="nearest"):
    """(N, H, W, C) -> (N, H * sh, W * sw, C); size an int or a pair of ints >= 1."""
    op = "upsample2d"
    sh, sw = kernels.conv.pair(op, "size", size)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"{op}: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
    xd = check_array(op, "x", x.data if isinstance(x, Tensor) else x, 4, "(N, H, W, C)",
                     dtypes=(np.float32, np.float64))
    N, H, W, C = xd.shape
    check_output_size(op, "the output", (N, H * sh, W * sw, C), xd.itemsize)
    if isinstance(x, Tensor):
        return _Upsample2d.apply(x, sh, sw, interpolation)
    return _Upsample2d.forward(_Ctx(), x, sh, sw, interpolation)


class _Ctx:
    """A throwaway context for calling a Function's forward on plain arrays."""
