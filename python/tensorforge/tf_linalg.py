"""TensorFlow 2's ``tf.linalg`` beyond matmul / norm / l2_normalize / eye (tf_compat.py maps
those): det and inv (a ``Function`` each, with the closed-form gradients), trace, diag,
diag_part, band_part, matrix_transpose, all differentiable."""
import numpy as np

from . import backend_ops as K
from ._xp import array_module
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor

__all__ = ["det", "inv", "trace", "diag", "diag_part", "band_part", "matrix_transpose"]


def _f(op, x, name="input"):
    t = _tensor(f"tf.linalg.{op}", name, x)
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


class _Det(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        d = xp.linalg.det(a.astype(np.float64))
        ctx.save_for_backward(a, d)
        return d.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved
        xp = array_module(a)
        inv_t = xp.swapaxes(xp.linalg.inv(a.astype(np.float64)), -1, -2)
        return ((g.astype(np.float64) * d)[..., None, None] * inv_t).astype(a.dtype),


class _Inv(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        y = xp.linalg.inv(a.astype(np.float64))
        ctx.save_for_backward(y)
        return y.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        xp = array_module(y)
        yt = xp.swapaxes(y, -1, -2)
        return (-(yt @ g.astype(np.float64) @ yt)).astype(g.dtype),


def _square(op, x):
    t = _f(op, x, "input")
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"tf.linalg.{op}: expected square matrices (..., n, n), got {t.shape}")
    return t


def det(input, name=None):  # noqa: A002
    return _Det.apply(_square("det", input))


def inv(input, adjoint=False, name=None):  # noqa: A002
    t = _square("inv", input)
    return _Inv.apply(matrix_transpose(t) if adjoint else t)


def matrix_transpose(a, name=None, conjugate=False):
    t = _tensor("tf.linalg.matrix_transpose", "a", a)
    perm = list(range(t.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return K.permute_dimensions(t, perm)


def _diag_mask(shape, dtype):
    return np.eye(shape[-2], shape[-1], dtype=dtype)


def trace(x, name=None):
    t = _f("trace", x, "x")
    return K.sum(t * Tensor(array_module(t.data).asarray(_diag_mask(t.shape, t.dtype))), axis=[-2, -1])


def diag(diagonal, name=None, k=0):
    if k != 0:
        raise NotImplementedError("tf.linalg.diag: only k=0 is supported")
    v = _tensor("tf.linalg.diag", "diagonal", diagonal)
    n = v.shape[-1]
    return K.expand_dims(v, -1) * Tensor(array_module(v.data).asarray(np.eye(n, dtype=v.dtype)))


def diag_part(input, name=None, k=0):  # noqa: A002
    if k != 0:
        raise NotImplementedError("tf.linalg.diag_part: only k=0 is supported")
    t = _tensor("tf.linalg.diag_part", "input", input)
    n = min(t.shape[-2], t.shape[-1])
    r = np.arange(n)
    return t[(Ellipsis, r, r)]


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    t = _tensor("tf.linalg.band_part", "input", input)
    m, n = t.shape[-2], t.shape[-1]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = ((num_lower < 0) | (i - j <= num_lower)) & ((num_upper < 0) | (j - i <= num_upper))
    return t * Tensor(array_module(t.data).asarray(keep.astype(t.dtype)))
