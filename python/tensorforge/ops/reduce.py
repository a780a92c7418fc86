"""Differentiable reductions beyond sum/mean (those live in ops.basic): max, min, prod, var,
logsumexp, cumsum, cumprod; and the non-differentiable argmax, argmin, any, all.

Each takes an array or Tensor and an ``axis`` (None, an int or a list of ints; normalised by
``normalize_axis``) and checks them at its boundary: a float axis, an axis out of range, a
non-numeric dtype or the max / argmax of an empty tensor is a TypeError / ValueError naming the
op. Written on the array module (NumPy or CuPy), so every backend runs
them.
"""
import numpy as np

from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels._common import shape_str
from ._args import array_arg, axis_arg, bool_arg, int_arg

__all__ = ["normalize_axis", "reduce_max", "reduce_min", "reduce_prod", "reduce_var",
           "logsumexp", "cumsum", "cumprod", "argmax", "argmin", "reduce_any", "reduce_all"]


def normalize_axis(op, axis, ndim, shape=()):
    """None, or a sorted tuple of distinct non-negative axes; ValueError naming ``op`` when an
    axis is out of range or repeated, TypeError when it is not an int."""
    if not isinstance(op, str):
        raise TypeError(f"normalize_axis: op must be the op's name (a str), got {type(op).__name__}")
    ndim = int_arg("normalize_axis", "ndim", ndim, 0)
    if axis is None:
        return None
    if isinstance(axis, np.ndarray) and axis.ndim <= 1 and axis.dtype.kind in "iu":
        items = axis.reshape(-1).tolist()  # an array of axes, as TensorFlow's reductions take
    else:  # (GDL's gradient penalty sums over axis=np.arange(1, ndim))
        items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in items:
        if isinstance(a, Tensor):
            a = a.item()
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a list of ints, got {axis!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of shape {shape_str(shape)}")
        a %= ndim
        if a in out:
            raise ValueError(f"{op}: axis {a} is repeated in {axis!r}")
        out.append(a)
    return tuple(sorted(out))


def _count(shape, axis):
    n = 1
    for ax in (range(len(shape)) if axis is None else axis):
        n *= shape[ax]
    return n


def _expand(g, axis, keepdims, ndim):
    """g reshaped so it broadcasts against the reduced input."""
    if keepdims or axis is None and g.ndim == ndim:
        return g
    if axis is None:
        return g.reshape((1,) * ndim)
    return array_module(g).expand_dims(g, axis)


class _Extreme(Function):
    """max/min; the gradient is shared equally between tied extremes (as TensorFlow does)."""

    @staticmethod
    def forward(ctx, a, axis, keepdims, is_max):
        y = a.max(axis=axis, keepdims=True) if is_max else a.min(axis=axis, keepdims=True)
        ctx.save_for_backward(a, y)
        ctx.meta = (axis, keepdims)
        if keepdims:
            return y
        return y.reshape(()) if axis is None else array_module(y).squeeze(y, axis=axis)

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved
        axis, keepdims = ctx.meta
        hit = (a == y).astype(g.dtype)
        hit /= hit.sum(axis=axis, keepdims=True)
        return hit * _expand(g, axis, keepdims, a.ndim), None, None, None


class _Prod(Function):
    """prod; d/dx_i = product of the others (exclusive prefix x suffix products: exact with
    zeros, unlike y / x_i)."""

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.save_for_backward(a)
        ctx.meta = (axis, keepdims)
        return a.prod(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        axis, keepdims = ctx.meta
        return prod_others(a, axis) * _expand(g, axis, keepdims, a.ndim), None, None


def _groups(a, axis):
    """``a`` with the reduced axes moved last and flattened: (lead..., n), and the function that
    puts an array of that layout back in ``a``'s."""
    xp = array_module(a)
    axes = tuple(range(a.ndim)) if axis is None else axis
    rest = tuple(i for i in range(a.ndim) if i not in axes)
    moved = xp.transpose(a, rest + axes)
    back = np.argsort(rest + axes).tolist()
    return (moved.reshape(moved.shape[:len(rest)] + (-1,)),
            lambda f: xp.transpose(f.reshape(moved.shape), back))


def _exclusive_products(flat):
    """For each position i of the last axis, the product of the other entries (exclusive prefix
    times suffix products)."""
    xp = array_module(flat)
    if flat.shape[-1] == 0:  # an empty group: nothing to multiply
        return xp.zeros_like(flat)
    one = xp.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = xp.cumprod(xp.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    right = xp.cumprod(xp.concatenate([one, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right


def prod_others(a, axis):
    """d prod(a, axis) / d a_i: the product of the other entries of a_i's group (exact with
    zeros, unlike prod / a_i)."""
    flat, back = _groups(a, axis)
    return back(_exclusive_products(flat))


class _Var(Function):
    """Population variance (ddof 0, as tf.math.reduce_variance)."""

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        d = a - a.mean(axis=axis, keepdims=True)
        ctx.save_for_backward(d)
        ctx.meta = (axis, keepdims, _count(a.shape, axis))
        return (d * d).mean(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved
        axis, keepdims, n = ctx.meta
        return d * (_expand(g, axis, keepdims, d.ndim) * d.dtype.type(2.0 / max(n, 1))), None, None


class _LogSumExp(Function):
    @staticmethod
    def forward(ctx, a, axis, keepdims):
        xp = array_module(a)
        if a.size == 0:  # the log of an empty sum: -inf (max has no identity to shift by)
            with np.errstate(divide="ignore"):
                y = xp.log(xp.exp(a).sum(axis=axis, keepdims=True))
        else:
            m = a.max(axis=axis, keepdims=True)
            m = xp.where(xp.isfinite(m), m, a.dtype.type(0))
            y = xp.log(xp.exp(a - m).sum(axis=axis, keepdims=True)) + m
        ctx.save_for_backward(a, y)
        ctx.meta = (axis, keepdims)
        if keepdims:
            return y
        return y.reshape(()) if axis is None else xp.squeeze(y, axis=axis)

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved
        axis, keepdims = ctx.meta
        return array_module(a).exp(a - y) * _expand(g, axis, keepdims, a.ndim), None, None


def _flip(x, axis):
    idx = [slice(None)] * x.ndim
    idx[axis] = slice(None, None, -1)
    return x[tuple(idx)]


class _CumSum(Function):
    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return array_module(a).cumsum(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        return _flip(xp.cumsum(_flip(g, ctx.axis), axis=ctx.axis), ctx.axis), None


class _CumProd(Function):
    """cumprod; backward is reverse-cumsum(g * y) / x (as TensorFlow: undefined where x == 0)."""

    @staticmethod
    def forward(ctx, a, axis):
        y = array_module(a).cumprod(a, axis=axis)
        ctx.save_for_backward(a, y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved
        xp = array_module(g)
        return _flip(xp.cumsum(_flip(g * y, ctx.axis), axis=ctx.axis), ctx.axis) / a, None


def _reduce(op, a, axis, keepdims, kinds, need_items=False):
    """The checked (a, axis, keepdims) of a reduction (see the module docstring)."""
    a, x = array_arg(op, "x", a, kinds)
    axis = normalize_axis(op, axis, x.ndim, x.shape)
    keepdims = bool_arg(op, "keepdims", keepdims)
    if need_items and x.size == 0:  # max/min/argmax of nothing has no value
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {shape_str(x.shape)}")
    return a, axis, keepdims


def _scan(op, a, axis):
    a, x = array_arg(op, "x", a, "iuf")
    return a, axis_arg(op, "axis", axis, x.ndim, x.shape)


def reduce_max(a, axis=None, keepdims=False):
    return _Extreme.apply(*_reduce("reduce_max", a, axis, keepdims, "biuf", True), True)


def reduce_min(a, axis=None, keepdims=False):
    return _Extreme.apply(*_reduce("reduce_min", a, axis, keepdims, "biuf", True), False)


def reduce_prod(a, axis=None, keepdims=False): return _Prod.apply(*_reduce("reduce_prod", a, axis, keepdims, "iuf"))
def reduce_var(a, axis=None, keepdims=False): return _Var.apply(*_reduce("reduce_var", a, axis, keepdims, "iuf"))
def logsumexp(a, axis=None, keepdims=False): return _LogSumExp.apply(*_reduce("logsumexp", a, axis, keepdims, "iuf"))
def cumsum(a, axis): return _CumSum.apply(*_scan("cumsum", a, axis))
def cumprod(a, axis): return _CumProd.apply(*_scan("cumprod", a, axis))


def _arg_extreme(op, a, axis):
    _, x = array_arg(op, "x", a, "biuf")
    if axis is not None:
        axis = axis_arg(op, "axis", axis, x.ndim, x.shape)
    if x.size == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {shape_str(x.shape)}")
    return x, axis


def argmax(a, axis):
    """Index of the largest value along ``axis`` (None: of the flattened tensor; int64, no
    gradient)."""
    x, axis = _arg_extreme("argmax", a, axis)
    return Tensor(array_module(x).argmax(x, axis=axis).astype(np.int64))


def argmin(a, axis):
    x, axis = _arg_extreme("argmin", a, axis)
    return Tensor(array_module(x).argmin(x, axis=axis).astype(np.int64))


def reduce_any(a, axis=None, keepdims=False):
    a, axis, keepdims = _reduce("reduce_any", a, axis, keepdims, "biufc")
    x = _data(a)
    return Tensor(array_module(x).any(x.astype(bool), axis=axis, keepdims=keepdims))


def reduce_all(a, axis=None, keepdims=False):
    a, axis, keepdims = _reduce("reduce_all", a, axis, keepdims, "biufc")
    x = _data(a)
    return Tensor(array_module(x).all(x.astype(bool), axis=axis, keepdims=keepdims))


def _data(a):
    return a.data if isinstance(a, Tensor) else a
