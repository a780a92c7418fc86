"""TensorFlow 2's complex-number helpers for the complex64 / complex128 Tensors that tf.signal's
FFTs return: ``tf.complex``, ``tf.math.real`` / ``imag`` / ``angle`` / ``conj``. Tensors hold
complex arrays but autograd does not run through them, so these carry no gradient (real /
imag of a real tensor give the tensor / zeros, as TensorFlow's)."""
import numpy as np

from ._xp import host
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor

__all__ = ["complex", "real", "imag", "angle", "conj"]


def _arr(op, x, name):
    return np.asarray(host(_tensor(f"tf.{op}", name, x).data))


def complex(real, imag, name=None):  # noqa: A001
    """real + 1j * imag: complex64 from float32, complex128 from float64."""
    a, b = _arr("complex", real, "real"), _arr("complex", imag, "imag")
    if a.dtype != b.dtype or a.dtype.kind != "f":
        raise TypeError(f"tf.complex: real and imag must be of one float dtype, got {a.dtype} "
                        f"and {b.dtype}")
    ct = np.complex64 if a.dtype.itemsize <= 4 else np.complex128
    return Tensor((a + 1j * b.astype(np.float64)).astype(ct))


def _part(op, x, fn):
    a = _arr(f"math.{op}", x, "input")
    if a.dtype.kind != "c":
        return fn(a, True)
    rt = np.float32 if a.dtype == np.complex64 else np.float64
    return Tensor(fn(a, False).astype(rt))


def real(input, name=None):  # noqa: A002
    return _part("real", input, lambda a, r: Tensor(a) if r else a.real)


def imag(input, name=None):  # noqa: A002
    return _part("imag", input, lambda a, r: Tensor(np.zeros_like(a)) if r else a.imag)


def angle(input, name=None):  # noqa: A002
    return _part("angle", input, lambda a, r: Tensor(np.where(a < 0, np.pi, 0.0).astype(a.dtype))
                 if r else np.angle(a))


def conj(x, name=None):
    a = _arr("math.conj", x, "x")
    return Tensor(np.conj(a)) if a.dtype.kind == "c" else _tensor("tf.math.conj", "x", x)
