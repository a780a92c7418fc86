"""TensorFlow 2's ``tf.linalg`` beyond matmul / norm / l2_normalize / eye (tf_compat.py maps
those): det and inv (a ``Function`` each, with the closed-form gradients), trace, diag,
diag_part, band_part, matrix_transpose, all differentiable."""
import numpy as np

from . import backend_ops as K
from ._xp import array_module
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor

__all__ = ["det", "inv", "trace", "diag", "diag_part", "band_part", "matrix_transpose", "solve",
           "slogdet", "logdet", "matvec", "set_diag", "cross", "normalize"]


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


# ---- solve, log-determinants, products -------------------------------------------------------------
class _Solve(Function):
    """x = A^-1 b; dA = -A^-T g x^T, db = A^-T g."""
    @staticmethod
    def forward(ctx, a, b):
        xp = array_module(a)
        x = xp.linalg.solve(a.astype(np.float64), b.astype(np.float64))
        ctx.save_for_backward(a, x)
        return x.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved
        xp = array_module(a)
        gb = xp.linalg.solve(xp.swapaxes(a.astype(np.float64), -1, -2), g.astype(np.float64))
        return (-(gb @ xp.swapaxes(x, -1, -2))).astype(a.dtype), gb.astype(g.dtype)


def solve(matrix, rhs, adjoint=False, name=None):
    a = _square("solve", matrix)
    b = _f("solve", rhs, "rhs")
    if adjoint:
        a = matrix_transpose(a)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"tf.linalg.solve: rhs {tuple(b.shape)} does not fit matrix "
                         f"{tuple(a.shape)} (rhs must be (..., n, k))")
    return _Solve.apply(a, b)


class _Slogdet(Function):
    """log|det A|; gradient A^-T."""
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        sign, logabs = xp.linalg.slogdet(a.astype(np.float64))
        ctx.save_for_backward(a)
        ctx.sign = sign
        return logabs.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        xp = array_module(a)
        inv_t = xp.swapaxes(xp.linalg.inv(a.astype(np.float64)), -1, -2)
        return ((g.astype(np.float64))[..., None, None] * inv_t).astype(a.dtype),


def slogdet(input, name=None):  # noqa: A002
    """(sign, log|det|): the sign has no gradient."""
    t = _square("slogdet", input)
    sign = np.linalg.slogdet(np.asarray(t.numpy(), np.float64))[0].astype(t.dtype)
    return Tensor(sign), _Slogdet.apply(t)


def logdet(matrix, name=None):
    """log det of a Hermitian positive definite matrix."""
    return _Slogdet.apply(_square("logdet", matrix))


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None):
    m = _f("matvec", a, "a")
    if transpose_a or adjoint_a:
        m = matrix_transpose(m)
    v = K.expand_dims(_f("matvec", b, "b"), -1)
    return K.squeeze(K.batch_dot(m, v) if m.ndim > 2 else K.dot(m, v), -1)


def set_diag(input, diagonal, name=None, k=0):  # noqa: A002
    if k != 0:
        raise NotImplementedError("tf.linalg.set_diag: only k=0 is supported")
    t = _f("set_diag", input)
    d = _f("set_diag", diagonal, "diagonal")
    mask = Tensor(array_module(t.data).asarray(_diag_mask(t.shape, t.dtype)))
    n = min(t.shape[-2], t.shape[-1])
    full = diag(d)
    if full.shape[-2:] != t.shape[-2:]:  # a rectangular matrix: place the n x n block
        from .tf_array import pad
        pads = [[0, 0]] * (t.ndim - 2) + [[0, t.shape[-2] - n], [0, t.shape[-1] - n]]
        full = pad(full, pads)
    return t * (1 - mask) + full


def cross(a, b, name=None):
    x, y = _f("cross", a, "a"), _f("cross", b, "b")
    if x.shape[-1] != 3 or y.shape != x.shape:
        raise ValueError(f"tf.linalg.cross: a and b must be (..., 3) of the same shape, got "
                         f"{tuple(x.shape)} and {tuple(y.shape)}")

    def c(t, i):
        return t[..., i]
    return K.stack([c(x, 1) * c(y, 2) - c(x, 2) * c(y, 1), c(x, 2) * c(y, 0) - c(x, 0) * c(y, 2),
                    c(x, 0) * c(y, 1) - c(x, 1) * c(y, 0)], axis=-1)


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """(tensor / norm, norm), TensorFlow's tf.linalg.normalize."""
    from .tf_array import norm
    n = norm(tensor, ord=ord, axis=axis, keepdims=True)
    return _f("normalize", tensor, "tensor") / n, n
