"""Differentiable elementwise ops beyond ops.basic: square, minimum,
where (Keras' switch), cast, and the activations / softmax for dtypes the fused float32 kernels
do not take (float64), on the reference formulas (``reference.pointwise``).

Arrays or Tensors in; a Tensor requiring grad gives a Tensor recorded for autograd. Written on
the array module, so NumPy and CuPy both run them.
"""
import numpy as np

from .._xp import array_module
from ..autograd import Function, Tensor
from ..reference import pointwise as _ref
from .basic import _binary, _operands, _select_grads, _shape, unbroadcast

__all__ = ["square", "sin", "cos", "minimum", "where", "cast", "generic_act", "generic_softmax"]


class Square(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (g * (a + a),)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (g * array_module(a).cos(a),)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (-g * array_module(a).sin(a),)


class Minimum(Function):
    """Elementwise min; ties send the gradient to ``a`` (as tf.minimum)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a, b).minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _select_grads(ctx, g, a <= b, a, b)


class Where(Function):
    """where(cond, a, b) broadcasting all three; each side gets the gradient where it was taken."""

    @staticmethod
    def forward(ctx, cond, a, b):
        xp = array_module(cond, a, b)
        ctx.save_for_backward(cond)
        ctx.shapes = (_shape(a), _shape(b))
        return xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved
        sa, sb = ctx.shapes
        zero = g.dtype.type(0)
        xp = array_module(g)
        ga = unbroadcast(xp.where(cond, g, zero), sa) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(xp.where(cond, zero, g), sb) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Cast(Function):
    """astype; the gradient flows back (cast to the input dtype) between float dtypes only."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtypes = (a.dtype, np.dtype(dtype))
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        src, dst = ctx.dtypes
        if src.kind != "f" or dst.kind != "f":
            return None, None
        return g.astype(src), None


class GenericAct(Function):
    """An activation on the reference formulas, for any float dtype."""

    @staticmethod
    def forward(ctx, x, kind, alpha):
        y = _ref.act_forward(x, kind, alpha)
        ctx.save_for_backward(x, y)
        ctx.meta = (kind, alpha)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved
        kind, alpha = ctx.meta
        return _ref.act_backward(g, x, y, kind, alpha), None, None


class GenericSoftmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


def square(a): return Square.apply(a)
def sin(a): return Sin.apply(a)
def cos(a): return Cos.apply(a)
def minimum(a, b): return _binary(Minimum, a, b)
def cast(a, dtype): return Cast.apply(a, dtype)
def generic_act(x, kind, alpha=0.0): return GenericAct.apply(x, kind, float(alpha))
def generic_softmax(x, axis=-1): return GenericSoftmax.apply(x, axis)


def where(cond, a, b):
    c = cond.data if isinstance(cond, Tensor) else cond
    ad, bd = _operands(a, b)
    return Where.apply(array_module(c).asarray(c).astype(bool), a if isinstance(a, Tensor) else ad,
                       b if isinstance(b, Tensor) else bd)
