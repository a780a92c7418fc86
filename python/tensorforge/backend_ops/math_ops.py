"""Keras backend math: elementwise functions, reductions, comparisons, switch, dot and
batch_dot. Every function takes Tensors, arrays or numbers and returns a Tensor (differentiable
where Keras' is); names, arguments and defaults are Keras 2's (tf_keras.backend)."""
import builtins

import numpy as np

from .. import backend_config as _backend
from .._xp import array_module
from ..autograd import Tensor, _grad_state, _wrap
from ..ops import basic as B
from ..ops.gemm import matmul as _matmul
from ..ops import elementwise as E
from ..ops import reduce as R
from ._args import axis_arg, host_float, shape_str, tensor

floatx = _backend.floatx

__all__ = ["abs", "square", "sqrt", "exp", "log", "pow", "sign", "round", "clip", "maximum",
           "minimum", "sin", "cos", "sum", "mean", "max", "min", "prod", "var", "std",
           "logsumexp", "cumsum", "cumprod", "any", "all", "argmax", "argmin", "equal",
           "not_equal", "greater", "greater_equal", "less", "less_equal", "switch",
           "stop_gradient", "dot", "batch_dot", "transpose", "in_top_k"]


# ---- elementwise -----------------------------------------------------------------------------
def abs(x):  # noqa: A001
    return B.abs(tensor("abs", "x", x))


def square(x):
    return E.square(tensor("square", "x", x))


def sqrt(x):
    """sqrt(max(x, 0)), as Keras (negative inputs give 0 and no gradient)."""
    if type(x) is np.ndarray:
        x = host_float(x)  # Note [array fast path] in _args.py
    if type(x) is Tensor and (not x.requires_grad or not _grad_state.enabled):
        d = x.data  # Note [backend fast paths]: nothing records, so the two ufuncs alone
        if d.dtype.kind == "f":
            xp = array_module(d)
            return _wrap(xp.sqrt(xp.maximum(d, d.dtype.type(0))))
    x = tensor("sqrt", "x", x)
    # (a Python float bound takes the float fast case of the binary op: same dtype, same values)
    return B.sqrt(B.maximum(x, 0.0 if x.dtype.kind == "f" else 0))


def exp(x):
    return B.exp(tensor("exp", "x", x))


def log(x):
    return B.log(tensor("log", "x", x))


def pow(x, a):  # noqa: A001
    """x ** a; ``a`` may be a number or a tensor (then a is differentiable too)."""
    x = tensor("pow", "x", x)
    return B.power(x, _operand("pow", "a", a, x))


def sign(x):
    """-1, 0 or 1 elementwise (no gradient)."""
    x = tensor("sign", "x", x)
    return Tensor(array_module(x.data).sign(x.data))


def round(x):  # noqa: A001
    """Round half to even (tf.round); no gradient."""
    x = tensor("round", "x", x)
    return Tensor(array_module(x.data).round(x.data))


def _number(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _operand(fn, name, v, like):
    """The second operand of a binary function whose first is the Tensor ``like``: a number stays
    a number (it takes like's dtype); a plain array or list becomes a Tensor of like's float
    dtype, as TensorFlow converts it; a Tensor is used as it is."""
    if _number(v):
        return v
    if not isinstance(v, Tensor) and like.dtype.kind == "f":
        return tensor(fn, name, v, dtype=like.dtype)
    return tensor(fn, name, v)


def _pair(fn, x, y):
    x = tensor(fn, "x", x)
    return x, _operand(fn, "y", y, x)


def clip(x, min_value, max_value):
    """Clip to [min_value, max_value]; None means unbounded; max < min clips to min (Keras).
    The gradient passes where min_value <= x <= max_value."""
    x = tensor("clip", "x", x)
    if _number(min_value) and _number(max_value) and max_value < min_value:
        max_value = min_value
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    if _number(lo) and _number(hi):
        return B.clip(x, lo, hi)
    return E.minimum(B.maximum(x, _operand("clip", "min_value", lo, x)),
                     _operand("clip", "max_value", hi, x))


def maximum(x, y):
    """Elementwise max (ties: the gradient goes to x)."""
    return B.maximum(*_pair("maximum", x, y))


def minimum(x, y):
    """Elementwise min (ties: the gradient goes to x)."""
    return E.minimum(*_pair("minimum", x, y))


def sin(x):
    return E.sin(tensor("sin", "x", x))


def cos(x):
    return E.cos(tensor("cos", "x", x))


# ---- reductions ------------------------------------------------------------------------------
def _reduce(fn, op, x, axis, keepdims, as_float=False, nonempty=False):
    x = tensor(fn, "x", x)
    ax = axis_arg(fn, axis, x)
    if as_float and x.dtype.kind not in "fc":
        x = E.cast(x, floatx())
    if nonempty and x.size == 0:
        return _empty_extremum(fn, x, ax, bool(keepdims))
    return op(x, ax, bool(keepdims))


def _empty_extremum(fn, x, ax, keepdims):
    """max / min over no elements: TensorFlow's identity of the reduction, -inf / +inf for floats
    (the dtype's lowest / highest integer, False / True for bools), of the reduced shape
    (keras-yolo3's yolo_loss takes K.max of the IoUs with an image's zero true boxes)."""
    dt = np.dtype(x.dtype)
    big = (True if fn == "min" else False) if dt.kind == "b" else \
        (np.iinfo(dt).max if fn == "min" else np.iinfo(dt).min) if dt.kind in "iu" else \
        (np.inf if fn == "min" else -np.inf)
    shape = np.amax(np.zeros(x.shape, np.int8), axis=ax, keepdims=keepdims, initial=0).shape
    return Tensor(array_module(x.data).full(shape, big, dtype=dt))


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("sum", B.sum, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None); bool and int inputs are averaged as floatx."""
    return _reduce("mean", B.mean, x, axis, keepdims, as_float=True)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Largest value; tied maxima share the gradient equally (as TensorFlow)."""
    return _reduce("max", R.reduce_max, x, axis, keepdims, nonempty=True)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("min", R.reduce_min, x, axis, keepdims, nonempty=True)


def prod(x, axis=None, keepdims=False):
    return _reduce("prod", R.reduce_prod, x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance (divides by n)."""
    return _reduce("var", R.reduce_var, x, axis, keepdims, as_float=True)


def std(x, axis=None, keepdims=False):
    """sqrt(var(x)) (population standard deviation)."""
    return B.sqrt(_reduce("std", R.reduce_var, x, axis, keepdims, as_float=True))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))), computed stably (the max is subtracted first)."""
    return _reduce("logsumexp", R.logsumexp, x, axis, keepdims, as_float=True)


def _scan(fn, op, x, axis):
    x = tensor(fn, "x", x)
    if x.ndim == 0:
        raise ValueError(f"{fn}: x must be at least 1-D, got a scalar")
    (ax,) = axis_arg(fn, axis, x)
    return op(x, ax)


def cumsum(x, axis=0):
    return _scan("cumsum", R.cumsum, x, axis)


def cumprod(x, axis=0):
    return _scan("cumprod", R.cumprod, x, axis)


def any(x, axis=None, keepdims=False):  # noqa: A001
    """Logical or over ``axis`` (a bool Tensor)."""
    return _reduce("any", R.reduce_any, x, axis, keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("all", R.reduce_all, x, axis, keepdims)


def _arg(fn, op, x, axis):
    x = tensor(fn, "x", x)
    if x.ndim == 0:
        raise ValueError(f"{fn}: x must be at least 1-D, got a scalar")
    (ax,) = axis_arg(fn, axis, x)
    if x.shape[ax] == 0:
        raise ValueError(f"{fn}: axis {axis} of x with shape {shape_str(x.shape)} is empty")
    return op(x, ax)


def argmax(x, axis=-1):
    """Index of the largest value along ``axis`` (int64, the first one on ties)."""
    return _arg("argmax", R.argmax, x, axis)


def argmin(x, axis=-1):
    return _arg("argmin", R.argmin, x, axis)


# ---- comparisons (bool Tensors, no gradient) --------------------------------------------------
def equal(x, y): return B.equal(*_pair("equal", x, y))
def not_equal(x, y): return B.not_equal(*_pair("not_equal", x, y))
def greater(x, y): return B.greater(*_pair("greater", x, y))
def less(x, y): return B.less(*_pair("less", x, y))


def greater_equal(x, y):
    return B.greater_equal(*_pair("greater_equal", x, y))


def less_equal(x, y):
    return B.less_equal(*_pair("less_equal", x, y))


def switch(condition, then_expression, else_expression):
    """then_expression where condition else else_expression. A scalar condition picks one
    expression (callables are called only then); a condition of rank r > 1 selects along the
    first r axes of the expressions; rank 1 broadcasts like NumPy (as tf_keras' tf.where)."""
    c = tensor("switch", "condition", condition)
    if c.ndim == 0:
        chosen = then_expression if bool(c.data) else else_expression
        return tensor("switch", "then_expression" if bool(c.data) else "else_expression",
                      chosen() if callable(chosen) else chosen)
    t = then_expression() if callable(then_expression) else then_expression
    e = else_expression() if callable(else_expression) else else_expression
    t = tensor("switch", "then_expression", t)
    e = _operand("switch", "else_expression", e, t)
    if c.ndim > t.ndim:
        raise ValueError(f"switch: the rank of condition ({c.ndim}, shape {shape_str(c.shape)}) must "
                         f"not exceed that of then_expression ({t.ndim}, shape {shape_str(t.shape)})")
    cond = c.data.astype(bool)
    if c.ndim > 1:
        cond = cond.reshape(cond.shape + (1,) * (t.ndim - c.ndim))
    try:
        return E.where(cond, t, e)
    except ValueError as err:
        raise ValueError(f"switch: condition {shape_str(c.shape)}, then_expression "
                         f"{shape_str(t.shape)} and else_expression {shape_str(getattr(e, 'shape', ()))} "
                         f"do not broadcast ({err})") from None


def stop_gradient(variables):
    """The value(s) cut from the graph: a Tensor, or a list for a list/tuple."""
    if isinstance(variables, (list, tuple)):
        return [tensor("stop_gradient", "variables", v).detach() for v in variables]
    return tensor("stop_gradient", "variables", variables).detach()


# ---- products --------------------------------------------------------------------------------
# Note [backend fast paths]: custom layers and losses call K.* (and tf.*, which wraps them) on
# every step, so the common case -- Tensors (not a subclass: a symbolic KerasTensor records an op
# layer), of one float dtype, of shapes that fit -- is recognised in a few type and shape tests
# and goes straight to the op; every other case takes the general path below, with its
# conversions and error messages. Both compute the same op (tests/test_backend_fast_paths.py).
def _same_float(x, y):
    """x and y are plain Tensors of one float dtype (the fast paths' precondition)."""
    return type(x) is Tensor and type(y) is Tensor and x.dtype == y.dtype and x.dtype.kind == "f"


def _float_pair(fn, x, y):
    x, y = tensor(fn, "x", x), tensor(fn, "y", y)
    if x.dtype.kind != "f" or x.dtype != y.dtype:
        raise TypeError(f"{fn}: x and y must share one float dtype, got x {x.dtype} "
                        f"{shape_str(x.shape)} and y {y.dtype} {shape_str(y.shape)}")
    return x, y


def dot(x, y):
    """Keras dot: (..., K) . (..., K, N) contracts x's last axis with y's second-to-last; the
    result has shape x.shape[:-1] + y.shape[:-2] + y.shape[-1:]. Runs the GEMM kernel."""
    if type(x) is np.ndarray or type(y) is np.ndarray:
        x, y = host_float(x), host_float(y)  # Note [array fast path] in _args.py
    if _same_float(x, y) and x.ndim == 2 and y.ndim == 2 and x.shape[1] == y.shape[0]:
        return _matmul(x, y)  # Note [backend fast paths]
    x, y = _float_pair("dot", x, y)
    if x.ndim > 2 or y.ndim > 2:
        if x.ndim < 1 or y.ndim < 2 or x.shape[-1] != y.shape[-2]:
            raise ValueError(f"dot: cannot contract x {shape_str(x.shape)} with y "
                             f"{shape_str(y.shape)} (x.shape[-1] must equal y.shape[-2])")
        perm = [y.ndim - 2] + [i for i in range(y.ndim) if i != y.ndim - 2]
        xt = B.reshape(x, (-1, x.shape[-1]))
        yt = B.reshape(B.transpose(y, perm), (y.shape[-2], -1))
        return B.reshape(B.matmul(xt, yt), x.shape[:-1] + y.shape[:-2] + y.shape[-1:])
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise ValueError(f"dot: x and y must be (M, K) and (K, N), got {shape_str(x.shape)} and "
                         f"{shape_str(y.shape)}")
    return B.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Keras batch_dot: per sample, x's axis ``axes[0]`` contracted with y's ``axes[1]``.

    axes None: (x.ndim - 1, y.ndim - 2), or (x.ndim - 1, 1) when y is 2-D; an int means the
    same axis in both. The result keeps x's remaining axes then y's; 2-D inputs give (batch, 1).
    """
    fn = "batch_dot"
    if type(x) is np.ndarray or type(y) is np.ndarray:
        x, y = host_float(x), host_float(y)  # Note [array fast path] in _args.py
    if (_same_float(x, y) and x.ndim == 3 and y.ndim == 3 and x.shape[0] == y.shape[0]
            and x.shape[2] == y.shape[1] and (axes is None or (
                type(axes) in (list, tuple) and len(axes) == 2 and axes[0] in (2, -1)
                and axes[1] in (1, -2)))):
        return _matmul(x, y)  # (B, M, K) . (B, K, N): one batched product (Note [backend fast paths])
    x, y = _float_pair(fn, x, y)
    xs, ys = x.shape, y.shape
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"{fn}: x and y must be at least 2-D, got {shape_str(xs)} and {shape_str(ys)}")
    if xs[0] != ys[0]:
        raise ValueError(f"{fn}: x and y must have the same batch size, got {shape_str(xs)} and "
                         f"{shape_str(ys)}")
    if isinstance(axes, (int, np.integer)):
        axes = [axes, axes]
    if axes is None:
        axes = [x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2]
    if (not isinstance(axes, (list, tuple)) or len(axes) != 2
            or builtins.any(not isinstance(a, (int, np.integer)) for a in axes)):
        raise ValueError(f"{fn}: axes must be None, an int or a pair of ints, got {axes!r}")
    a0, a1 = int(axes[0]), int(axes[1])
    a0 += x.ndim if a0 < 0 else 0
    a1 += y.ndim if a1 < 0 else 0
    if not (0 <= a0 < x.ndim and 0 <= a1 < y.ndim):
        raise ValueError(f"{fn}: axes {axes!r} out of range for x {shape_str(xs)} and y {shape_str(ys)}")
    if a0 == 0 or a1 == 0:
        raise ValueError(f"{fn}: cannot contract over the batch axis 0 (axes={axes!r})")
    if xs[a0] != ys[a1]:
        raise ValueError(f"{fn}: x.shape[{a0}] != y.shape[{a1}] ({xs[a0]} != {ys[a1]}) for x "
                         f"{shape_str(xs)} and y {shape_str(ys)}")
    # x -> (batch, rest_x, K), y -> (batch, K, rest_y), one batched GEMM, then unsquash.
    xperm = [0] + [i for i in range(1, x.ndim) if i != a0] + [a0]
    yperm = [0, a1] + [i for i in range(1, y.ndim) if i != a1]
    x_rest = tuple(xs[i] for i in xperm[1:-1])
    y_rest = tuple(ys[i] for i in yperm[2:])
    x3 = B.reshape(B.transpose(x, xperm), (xs[0], -1, xs[a0]) if x_rest else (xs[0], 1, xs[a0]))
    y3 = B.reshape(B.transpose(y, yperm), (ys[0], ys[a1], -1) if y_rest else (ys[0], ys[a1], 1))
    out = B.matmul(x3, y3)
    shape = (xs[0],) + x_rest + y_rest
    return B.reshape(out, shape if len(shape) > 1 else (xs[0], 1))


def transpose(x):
    """All axes reversed (the op's default order: no permutation to check)."""
    return B.transpose(tensor("transpose", "x", x))


def in_top_k(predictions, targets, k):
    """Whether each row's target class is among its k largest predictions (ties count as in,
    as tf.math.in_top_k). predictions (batch, classes), targets (batch,) -> bool (batch,)."""
    p = tensor("in_top_k", "predictions", predictions).data
    t = tensor("in_top_k", "targets", targets).data
    if p.ndim != 2 or t.shape != p.shape[:1]:
        raise ValueError(f"in_top_k: predictions must be (batch, classes) and targets (batch,), "
                         f"got {shape_str(p.shape)} and {shape_str(t.shape)}")
    if t.dtype.kind not in "iu":
        raise TypeError(f"in_top_k: targets must be integers, got {t.dtype}")
    xp = array_module(p)
    target_score = p[xp.arange(p.shape[0]), t][:, None]
    return Tensor((p > target_score).sum(axis=1) < int(k))
