"""TensorFlow 2's complex-number helpers for complex64 / complex128 Tensors (tf.signal's FFTs
return them): ``tf.complex``, ``tf.math.real`` / ``imag`` / ``angle`` / ``conj``. Gradients
flow through them as TensorFlow's (Note [complex gradients] in ops/complex.py); real / imag /
angle of a real tensor give the tensor / zeros / pi where negative, as TensorFlow's."""
import numpy as np

from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .ops import complex as _C

__all__ = ["complex", "real", "imag", "angle", "conj"]


def complex(real, imag, name=None):  # noqa: A001
    """real + 1j * imag: complex64 from float32, complex128 from float64."""
    a, b = _tensor("tf.complex", "real", real), _tensor("tf.complex", "imag", imag)
    if a.dtype != b.dtype or a.dtype.kind != "f":
        raise TypeError(f"tf.complex: real and imag must be of one float dtype, got {a.dtype} "
                        f"and {b.dtype}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"tf.complex: real {a.shape} and imag {b.shape} do not "
                         f"broadcast") from None
    return _C.complex_(a, b)


def _t(op, x):
    return _tensor(f"tf.math.{op}", "input", x)


def real(input, name=None):  # noqa: A002
    t = _t("real", input)
    return _C.real(t) if t.dtype.kind == "c" else t


def imag(input, name=None):  # noqa: A002
    t = _t("imag", input)
    return _C.imag(t) if t.dtype.kind == "c" else Tensor(np.zeros_like(t.numpy()))


def angle(input, name=None):  # noqa: A002
    t = _t("angle", input)
    if t.dtype.kind == "c":
        return _C.angle(t)
    a = t.numpy()
    return Tensor(np.where(a < 0, np.pi, 0.0).astype(a.dtype))


def conj(x, name=None):
    t = _tensor("tf.math.conj", "x", x)
    return _C.conj(t) if t.dtype.kind == "c" else t
