"""Differentiable complex-number ops: complex(real, imag), real, imag, conj, angle (tf.complex,
tf.math.real / imag / conj / angle). Arrays or Tensors in; see Note [complex gradients]."""
import numpy as np

from .._xp import array_module
from ..autograd import Function

__all__ = ["complex_", "real", "imag", "conj", "angle", "holomorphic"]


# Note [complex gradients]
# A complex tensor's gradient follows TensorFlow (and PyTorch): for a real loss L of z = x + iy
# it is dL/dx + i dL/dy. Then a holomorphic op w = f(z) sends g * conj(f'(z)) back (ops.basic's
# Mul, Div, Exp, Log, Sqrt, Power, MatMul, Einsum, ... conjugate the other factor, a no-op on
# real arrays), a linear map A sends A^H g back (the FFTs, ops/fft.py), and a real input that met
# complex values gets the real part of its gradient (autograd.as_input_dtype; cast from real to
# complex alike). complex(x, y) sends real(g) to x and imag(g) to y; |z| sends g * z / |z|;
# angle(z) sends g * (-y + ix) / |z|^2.


class Complex(Function):
    @staticmethod
    def forward(ctx, a, b):
        ct = np.complex64 if a.dtype.itemsize <= 4 else np.complex128
        out = array_module(a, b).empty(np.broadcast_shapes(a.shape, b.shape), dtype=ct)
        out.real, out.imag = a, b
        ctx.meta = (a.shape, b.shape, a.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        from .basic import unbroadcast
        sa, sb, dt = ctx.meta
        ga = unbroadcast(g.real, sa).astype(dt) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g.imag, sb).astype(dt) if ctx.needs_input_grad[1] else None
        return ga, gb


class Real(Function):
    @staticmethod
    def forward(ctx, z):
        ctx.dtype = z.dtype
        return z.real.copy()

    @staticmethod
    def backward(ctx, g):
        return (g.astype(ctx.dtype),)


class Imag(Function):
    @staticmethod
    def forward(ctx, z):
        ctx.dtype = z.dtype
        return z.imag.copy()

    @staticmethod
    def backward(ctx, g):
        out = array_module(g).zeros(g.shape, dtype=ctx.dtype)
        out.imag = g
        return (out,)


class Conj(Function):
    @staticmethod
    def forward(ctx, z):
        return z.conj()

    @staticmethod
    def backward(ctx, g):
        return (g.conj(),)


class Angle(Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return array_module(z).angle(z).astype(z.real.dtype)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved
        xp = array_module(z)
        m2 = z.real * z.real + z.imag * z.imag
        with np.errstate(divide="ignore", invalid="ignore"):
            d = xp.where(m2 > 0, (-z.imag + 1j * z.real) / xp.where(m2 > 0, m2, 1), 0)
        return ((g * d).astype(z.dtype),)


class Holomorphic(Function):
    """tanh or sigmoid of complex values (TensorFlow's take them; the fused kernels are real)."""

    @staticmethod
    def forward(ctx, z, kind):
        xp = array_module(z)
        y = xp.tanh(z) if kind == "tanh" else 1 / (1 + xp.exp(-z))
        ctx.save_for_backward(y)
        ctx.kind = kind
        return y.astype(z.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        d = 1 - y * y if ctx.kind == "tanh" else y * (1 - y)
        return g * d.conj(), None


def holomorphic(z, kind):
    return Holomorphic.apply(z, kind)


def complex_(a, b):
    return Complex.apply(a, b)


def real(z):
    return Real.apply(z)


def imag(z):
    return Imag.apply(z)


def conj(z):
    return Conj.apply(z)


def angle(z):
    return Angle.apply(z)
