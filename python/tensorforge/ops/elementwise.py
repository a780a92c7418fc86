"""Differentiable elementwise ops beyond ops.basic: square, minimum,
where (Keras' switch), cast, and the activations / softmax for dtypes the fused float32 kernels
do not take (float64), on the reference formulas (``reference.pointwise``).

Arrays or Tensors in (each op checks its arguments at its boundary); a Tensor requiring grad gives a Tensor recorded for autograd. Written on
the array module, so NumPy and CuPy both run them.
"""
import numpy as np

from .._xp import array_module
from ..autograd import Function, Tensor
from ..reference import pointwise as _ref
from ..kernels._common import num
from ._args import array_arg, shape_str
from .basic import _binary, _operands, _select_grads, _shape, conj, unbroadcast
from .reduce import normalize_axis

__all__ = ["square", "sin", "cos", "minimum", "where", "cast", "generic_act", "generic_softmax"]


class Square(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (g * conj(a + a),)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (g * conj(array_module(a).cos(a)),)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (-g * conj(array_module(a).sin(a)),)


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
    """astype; the gradient flows back (cast to the input dtype) between float and complex
    dtypes (complex to real keeps the real part, as TensorFlow's cast)."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtypes = (a.dtype, np.dtype(dtype))
        if a.dtype.kind == "c" and np.dtype(dtype).kind != "c":
            a = a.real  # TensorFlow keeps the real part (NumPy would warn that it does)
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        src, dst = ctx.dtypes
        if src.kind not in "fc" or dst.kind not in "fc":
            return None, None
        return (g.real if src.kind == "f" and g.dtype.kind == "c" else g).astype(src), None


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
        if x.size == 0:  # the softmax of nothing is nothing
            ctx.save_for_backward(x)
            ctx.axis = axis
            return x.copy()
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


def square(a): return Square.apply(array_arg("square", "x", a, "iufc")[0])
def sin(a): return Sin.apply(array_arg("sin", "x", a, "iufc")[0])
def cos(a): return Cos.apply(array_arg("cos", "x", a, "iufc")[0])
def minimum(a, b): return _binary(Minimum, a, b)


def cast(a, dtype):
    a, _ = array_arg("cast", "x", a, "biufc")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"cast: dtype must be a numeric dtype, got {dtype!r}") from None
    if dt.kind not in "biufc":
        raise TypeError(f"cast: dtype must be a numeric dtype, got {dt}")
    return Cast.apply(a, dt)


def generic_act(x, kind, alpha=0.0):
    x, _ = array_arg("generic_act", "x", x, "f")
    if kind not in _ref.ACT_KINDS:
        raise ValueError(f"generic_act: kind must be one of {', '.join(_ref.ACT_KINDS)}, got {kind!r}")
    return GenericAct.apply(x, kind, num("generic_act", "alpha", alpha))


def generic_softmax(x, axis=-1):
    x, d = array_arg("generic_softmax", "x", x, "f")
    return GenericSoftmax.apply(x, normalize_axis("generic_softmax", axis, d.ndim, d.shape))


def where(cond, a, b):
    _, c = array_arg("where", "condition", cond, "biuf")
    ad, bd = _operands(a, b, "where")
    shapes = [getattr(v, "shape", ()) for v in (c, ad, bd)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError("where: condition, a and b must broadcast together, got shapes "
                         + ", ".join(shape_str(s) for s in shapes)) from None
    return Where.apply(array_module(c).asarray(c).astype(bool), a if isinstance(a, Tensor) else ad,
                       b if isinstance(b, Tensor) else bd)
