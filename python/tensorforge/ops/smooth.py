"""Smooth elementwise activations Keras 2 names (gelu, swish, mish, softsign, exponential) and
the error function under gelu, each one autograd Function with its derivative beside it.

Computed on the input's array module (NumPy or CuPy) in float64 and returned in the input's
dtype; the derivative is recomputed from the saved input. Formulas are tf_keras 2's:
gelu(x) = x / 2 * (1 + erf(x / sqrt(2))), approximate: x / 2 * (1 + tanh(sqrt(2 / pi) *
(x + 0.044715 x^3))); swish(x) = x * sigmoid(x); mish(x) = x * tanh(softplus(x));
softsign(x) = x / (1 + |x|); exponential(x) = exp(x).
"""
import math

import numpy as np

from .._xp import array_module
from ..autograd import Function, Tensor
from ..reference.pointwise import one_plus_erf_fast
from .activations import _act
from .basic import _checked

__all__ = ["erf_array", "gelu", "swish", "mish", "softsign", "exponential"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def erf_array(xp, a):
    """(erf, erfc) in float64: a Taylor series below |x| = 2.5, a continued fraction for erfc
    beyond (error < 1e-12 over float32 inputs; NumPy has no erf)."""
    x = xp.asarray(a, dtype=np.float64)
    ax = xp.abs(x)
    small = ax < 2.5
    # Taylor series for |x| < 2.5 (60 terms reach 1e-16 at 2.5)
    xs = xp.where(small, x, 0.0)
    term = xs.copy()
    total = xs.copy()
    x2 = xs * xs
    for n in range(1, 60):
        term = term * (-x2) / n
        total = total + term / (2 * n + 1)
    series = total * (2.0 / math.sqrt(math.pi))
    # continued fraction for erfc(|x|) past 2.5 (Lentz, 60 steps)
    xl = xp.where(small, 3.0, ax)
    f = xp.zeros_like(xl)
    for k in range(60, 0, -1):
        f = (k / 2.0) / (xl + f)
    cf = xp.exp(-xl * xl) / math.sqrt(math.pi) / (xl + f)
    large = xp.sign(x) * (1.0 - cf)
    return xp.where(small, series, large), xp.where(small, 1.0 - series, xp.where(x > 0, cf, 2.0 - cf))


def _one_plus_erf(xp, x, low):
    """1 + erf(x), as erfc(-x): no cancellation where erf(x) is near -1."""
    return one_plus_erf_fast(xp, x) if low else erf_array(xp, -x)[1]


def _sigmoid(xp, x):
    e = xp.exp(-xp.abs(x))  # stable for either sign
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(xp, x):
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


# each entry: (forward f(xp, x, opt), derivative f'(xp, x, opt)), x float64, opt
# (approximate, low): gelu's approximate=, and whether the input is float32 or narrower (gelu's
# erf then takes one_plus_erf_fast)
def _gelu(xp, x, opt):
    approx, low = opt
    if approx:
        return 0.5 * x * (1.0 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
    return 0.5 * x * _one_plus_erf(xp, x / math.sqrt(2.0), low)


def _gelu_grad(xp, x, opt):
    approx, low = opt
    if approx:
        u = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        t = xp.tanh(u)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_OVER_PI * (
            1.0 + 3 * 0.044715 * x * x)
    return 0.5 * _one_plus_erf(xp, x / math.sqrt(2.0), low) + x * _INV_SQRT_2PI * xp.exp(
        -0.5 * x * x)


def _swish_grad(xp, x, _):
    s = _sigmoid(xp, x)
    return s * (1.0 + x * (1.0 - s))


def _mish_grad(xp, x, _):
    t = xp.tanh(_softplus(xp, x))
    return t + x * (1.0 - t * t) * _sigmoid(xp, x)


_FORMULAS = {
    "gelu": (_gelu, _gelu_grad),
    "swish": (lambda xp, x, _: x * _sigmoid(xp, x), _swish_grad),
    "mish": (lambda xp, x, _: x * xp.tanh(_softplus(xp, x)), _mish_grad),
    "softsign": (lambda xp, x, _: x / (1.0 + xp.abs(x)),
                 lambda xp, x, _: 1.0 / (1.0 + xp.abs(x)) ** 2),
    "exponential": (lambda xp, x, _: xp.exp(x), lambda xp, x, _: xp.exp(x)),
}


class _Smooth(Function):
    @staticmethod
    def forward(ctx, a, kind, approx):
        xp = array_module(a)
        ctx.save_for_backward(a)
        ctx.how = (kind, (approx, np.dtype(a.dtype).itemsize <= 4))
        return _FORMULAS[kind][0](xp, a.astype(np.float64), ctx.how[1]).astype(a.dtype,
                                                                                copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        kind, opt = ctx.how
        xp = array_module(a)
        d = _FORMULAS[kind][1](xp, a.astype(np.float64), opt)
        return (g * d.astype(a.dtype, copy=False), None, None)


def _apply(kind, x, approx=False):
    t = _checked(kind, x)
    dt = t.dtype if isinstance(t, Tensor) else getattr(t, "dtype", None)
    if dt is None or np.dtype(dt).kind != "f":
        raise TypeError(f"{kind}: x must be a float Tensor or array, got dtype {dt}")
    if isinstance(t, Tensor):
        return _Smooth.apply(t, kind, bool(approx))
    opt = (bool(approx), np.dtype(t.dtype).itemsize <= 4)
    return _FORMULAS[kind][0](array_module(t), t.astype(np.float64), opt).astype(t.dtype)


def gelu(x, approximate=False):
    """float32 runs the activation kernels' one pass (ConvNeXt's, the transformers'), other
    dtypes the float64 formulas here."""
    if getattr(x, "dtype", None) == np.float32:
        return _act(x, "gelu_tanh" if approximate else "gelu")
    return _apply("gelu", x, approximate)
def swish(x):
    """x * sigmoid(x); float32 runs the activation kernels' one pass (EfficientNet's
    activation), other dtypes the float64 formula here."""
    if getattr(x, "dtype", None) == np.float32:
        return _act(x, "swish")
    return _apply("swish", x)
def mish(x): return _apply("mish", x)
def softsign(x): return _apply("softsign", x)
def exponential(x): return _apply("exponential", x)
