"""TensorFlow 2's elementwise math, comparisons, segment reductions and counting ops that
Keras 2 programs call as ``tf.*`` / ``tf.math.*`` beyond the Keras backend's set (tf_compat.py
holds those): ``tf.floor``, ``tf.atan2``, ``tf.math.erf``, ``tf.math.segment_sum``,
``tf.math.confusion_matrix``, ...

Differentiable ones are either compositions of differentiable ops or one ``Function`` per
elementwise op (``_Elementwise``: forward and derivative on the array module of the input, so
they run on CuPy arrays too); integer / boolean results carry no gradient, as in TensorFlow.
Dtypes follow TensorFlow: counts int64 (count_nonzero) or int32 (bincount, confusion_matrix),
predicates bool.
"""
import math as _math

import numpy as np

from . import backend_ops as K
from ._xp import array_module, host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .ops import basic as _B
from .ops.smooth import erf_array as _erf_array

__all__ = ["floor", "ceil", "rint", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tan",
           "asinh", "acosh", "atanh", "expm1", "rsqrt", "erf", "erfc", "log_sigmoid", "softsign",
           "squared_difference", "truediv", "realdiv", "floordiv", "floormod", "mod",
           "divide_no_nan", "xlogy", "polyval", "scalar_mul", "log_softmax", "softmax",
           "reduce_euclidean_norm", "count_nonzero", "zero_fraction", "is_nan", "is_inf",
           "is_finite", "segment_sum", "segment_mean", "segment_max", "segment_min",
           "unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_max",
           "unsorted_segment_min", "bincount", "confusion_matrix", "in_top_k", "logical_and",
           "logical_or", "logical_not", "logical_xor", "greater_equal", "less_equal", "cumprod"]


def _f(op, x, complex_ok=False):
    """``x`` as a Tensor; integers and bools become float32 (the ops below are float ops);
    complex values pass where ``complex_ok`` (TensorFlow's op takes them) and are refused
    elsewhere (a cast would drop the imaginary part)."""
    t = _tensor(f"tf.{op}", "x", x)
    if t.dtype.kind == "c":
        if complex_ok:
            return t
        raise TypeError(f"tf.{op}: x must be real, got {t.dtype} with shape {tuple(t.shape)}")
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


def _plain(op, x):
    """``x``'s array (any dtype), for the ops with no gradient."""
    return _tensor(f"tf.{op}", "x", x).data


# ---- elementwise Functions -------------------------------------------------------------------
def _elementwise(name, fwd, grad, holomorphic=True):
    """``tf.<name>(x)``: y = fwd(xp, x), dy/dx * g = grad(xp, x, y, g). A ``holomorphic`` op
    takes complex values too: grad's formulas have real coefficients, so evaluating them at the
    conjugates gives g * conj(f'(x)) (Note [complex gradients] in ops/complex.py)."""
    class _Elementwise(Function):
        @staticmethod
        def forward(ctx, a):
            xp = array_module(a)
            y = fwd(xp, a).astype(a.dtype, copy=False)
            ctx.save_for_backward(a, y)
            return y

        @staticmethod
        def backward(ctx, g):
            a, y = ctx.saved
            if a.dtype.kind == "c":
                a, y = a.conj(), y.conj()
            return (grad(array_module(a), a, y, g).astype(a.dtype, copy=False),)
    _Elementwise.__name__ = _Elementwise.__qualname__ = name.capitalize()

    def op(x, name=None):
        return _Elementwise.apply(_f(name_, x, holomorphic))
    name_ = name
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"TensorFlow's ``tf.math.{name}``, elementwise, differentiable."
    return op


asin = _elementwise("asin", lambda xp, a: xp.arcsin(a), lambda xp, a, y, g: g / xp.sqrt(1 - a * a))
acos = _elementwise("acos", lambda xp, a: xp.arccos(a), lambda xp, a, y, g: -g / xp.sqrt(1 - a * a))
atan = _elementwise("atan", lambda xp, a: xp.arctan(a), lambda xp, a, y, g: g / (1 + a * a))
sinh = _elementwise("sinh", lambda xp, a: xp.sinh(a), lambda xp, a, y, g: g * xp.cosh(a))
cosh = _elementwise("cosh", lambda xp, a: xp.cosh(a), lambda xp, a, y, g: g * xp.sinh(a))
tan = _elementwise("tan", lambda xp, a: xp.tan(a), lambda xp, a, y, g: g * (1 + y * y))
asinh = _elementwise("asinh", lambda xp, a: xp.arcsinh(a), lambda xp, a, y, g: g / xp.sqrt(a * a + 1))
acosh = _elementwise("acosh", lambda xp, a: xp.arccosh(a), lambda xp, a, y, g: g / xp.sqrt(a * a - 1))
atanh = _elementwise("atanh", lambda xp, a: xp.arctanh(a), lambda xp, a, y, g: g / (1 - a * a))
expm1 = _elementwise("expm1", lambda xp, a: xp.expm1(a), lambda xp, a, y, g: g * (y + 1))
rsqrt = _elementwise("rsqrt", lambda xp, a: 1 / xp.sqrt(a), lambda xp, a, y, g: -0.5 * g * y * y * y)
softsign = _elementwise("softsign", lambda xp, a: a / (1 + xp.abs(a)),
                        lambda xp, a, y, g: g / ((1 + xp.abs(a)) ** 2), holomorphic=False)


_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)
erf = _elementwise("erf", lambda xp, a: _erf_array(xp, a)[0],
                   lambda xp, a, y, g: g * _TWO_OVER_SQRT_PI * xp.exp(-a * a), holomorphic=False)
erfc = _elementwise("erfc", lambda xp, a: _erf_array(xp, a)[1],
                    lambda xp, a, y, g: -g * _TWO_OVER_SQRT_PI * xp.exp(-a * a),
                    holomorphic=False)


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -K.softplus(-_f("math.log_sigmoid", x))


# ---- non-differentiable elementwise ----------------------------------------------------------
def _rounding(name, fn):
    def op(x, name=None):
        t = _tensor(f"tf.{name_}", "x", x)
        return Tensor(fn(array_module(t.data), t.data))
    name_ = name
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"TensorFlow's ``tf.math.{name}`` (no gradient: zero almost everywhere)."
    return op


floor = _rounding("floor", lambda xp, a: xp.floor(a))
ceil = _rounding("ceil", lambda xp, a: xp.ceil(a))
rint = _rounding("rint", lambda xp, a: xp.rint(a))


def _pred(name, fn):
    def op(x, name=None):
        d = _plain(name_, x)
        return Tensor(fn(array_module(d), d))
    name_ = name
    op.__name__ = op.__qualname__ = name
    return op


is_nan = _pred("is_nan", lambda xp, a: xp.isnan(a))
is_inf = _pred("is_inf", lambda xp, a: xp.isinf(a))
is_finite = _pred("is_finite", lambda xp, a: xp.isfinite(a))
logical_not = _pred("logical_not", lambda xp, a: xp.logical_not(a))


def _bool_pair(name, fn):
    def op(x, y, name=None):
        a, b = _plain(name_, x), _plain(name_, y)
        return Tensor(fn(array_module(a), a, b))
    name_ = name
    op.__name__ = op.__qualname__ = name
    return op


logical_and = _bool_pair("logical_and", lambda xp, a, b: xp.logical_and(a, b))
logical_or = _bool_pair("logical_or", lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _bool_pair("logical_xor", lambda xp, a, b: xp.logical_xor(a, b))


def greater_equal(x, y, name=None):
    return _B.greater_equal(*_pair("greater_equal", x, y))


def less_equal(x, y, name=None):
    return _B.less_equal(*_pair("less_equal", x, y))


def _pair(op, x, y):
    a = x if isinstance(x, (int, float)) and not isinstance(x, bool) else _tensor(f"tf.{op}", "x", x)
    b = y if isinstance(y, (int, float)) and not isinstance(y, bool) else _tensor(f"tf.{op}", "y", y)
    return a, b


# ---- binary arithmetic -----------------------------------------------------------------------
def squared_difference(x, y, name=None):
    d = _f("math.squared_difference", x) - _f("math.squared_difference", y)
    return d * d


def truediv(x, y, name=None):
    """x / y; integer operands give float64 (int32 and smaller: TensorFlow's float32 rule is
    float64 for int64 and float32 otherwise)."""
    a, b = _tensor("tf.truediv", "x", x), _tensor("tf.truediv", "y", y)
    if a.dtype.kind in "iub" and b.dtype.kind in "iub":
        ft = np.float64 if max(a.dtype.itemsize, b.dtype.itemsize) > 2 else np.float32
        a, b = Tensor(a.data.astype(ft)), Tensor(b.data.astype(ft))
    return a / b


realdiv = truediv


def floordiv(x, y, name=None):
    """floor(x / y), no gradient (integers stay integers)."""
    a, b = _plain("math.floordiv", x), _plain("math.floordiv", y)
    return Tensor(array_module(a).floor_divide(a, b))


def floormod(x, y, name=None):
    """x - floor(x / y) * y (the sign of y, as Python's %); gradient 1 for x, -floor(x / y)
    for y, as TensorFlow's."""
    a, b = _pair("math.floormod", x, y)
    if isinstance(a, (int, float)):
        a = _tensor("tf.math.floormod", "x", a)
    if isinstance(b, (int, float)):  # a Python number takes the tensor's dtype
        b = Tensor(array_module(a.data).asarray(b, dtype=a.dtype))
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return Tensor(array_module(a.data).mod(a.data, b.data))
    q = Tensor(array_module(a.data).floor(a.data / b.data))
    return a - q * b


mod = floormod


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y == 0 (no NaN or inf, no gradient through the zeros)."""
    a, b = _f("math.divide_no_nan", x), _f("math.divide_no_nan", y)
    zero = b.data == 0
    safe = K.switch(Tensor(zero), K.ones_like(b), b) if zero.any() else b
    out = a / safe
    return K.switch(Tensor(zero), K.zeros_like(out), out) if zero.any() else out


def xlogy(x, y, name=None):
    """x * log(y), and 0 where x == 0 (even where y == 0)."""
    a, b = _f("math.xlogy", x), _f("math.xlogy", y)
    zero = Tensor(a.data == 0)
    safe = K.switch(zero, K.ones_like(b), b)
    return K.switch(zero, K.zeros_like(a * safe), a * K.log(safe))


def polyval(coeffs, x, name=None):
    """coeffs[0] * x^(n-1) + ... + coeffs[n-1], by Horner's rule."""
    t = _f("math.polyval", x)
    out = None
    for c in coeffs:
        c = c if isinstance(c, (int, float)) else _f("math.polyval", c)
        out = c + 0 * t if out is None else out * t + c
    return out if out is not None else K.zeros_like(t)


def scalar_mul(scalar, x, name=None):
    return _tensor("tf.math.scalar_mul", "x", x) * scalar


# ---- softmax family, norms -------------------------------------------------------------------
def log_softmax(logits, axis=None, name=None):
    x = _f("math.log_softmax", logits)
    ax = -1 if axis is None else int(axis)
    return x - K.logsumexp(x, axis=ax, keepdims=True)


def softmax(logits, axis=None, name=None):
    x = _f("math.softmax", logits)
    return K.softmax(x, axis=-1 if axis is None else int(axis))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):  # noqa: A002
    x = _f("math.reduce_euclidean_norm", input_tensor)
    return K.sqrt(K.sum(x * x, axis=axis, keepdims=keepdims))


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    t = _f("math.cumprod", x)
    ax = int(axis) % t.ndim
    if reverse:
        t = K.reverse(t, ax)
    if exclusive:
        n = t.shape[ax]
        ones = K.ones_like(K.gather(K.permute_dimensions(t, _front(ax, t.ndim)), [0]))
        body = K.permute_dimensions(t, _front(ax, t.ndim))[: n - 1]
        t = K.permute_dimensions(K.concatenate([ones, body], axis=0), _front(ax, t.ndim))
    out = K.cumprod(t, axis=ax)
    return K.reverse(out, ax) if reverse else out


def _front(ax, ndim):
    """The permutation moving axis ``ax`` to the front (its own inverse for a swap)."""
    p = list(range(ndim))
    p[0], p[ax] = p[ax], p[0]
    return p


# ---- counting ----------------------------------------------------------------------------------
def count_nonzero(input, axis=None, keepdims=None, dtype=np.int64, name=None):  # noqa: A002
    a = _plain("math.count_nonzero", input)
    xp = array_module(a)
    out = xp.count_nonzero(a, axis=tuple(axis) if isinstance(axis, list) else axis)
    if keepdims:
        out = xp.expand_dims(out, tuple(range(a.ndim)) if axis is None else axis)
    return Tensor(xp.asarray(out, dtype=np.dtype(getattr(dtype, "name", dtype))))


def zero_fraction(value, name=None):
    a = _plain("math.zero_fraction", value)
    return Tensor(np.asarray(float((a == 0).mean()) if a.size else 0.0, np.float32))


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=np.int32, name=None,
             axis=None, binary_output=False):
    a = np.asarray(host(_plain("math.bincount", arr))).reshape(-1)
    if a.size and a.min() < 0:
        raise ValueError(f"tf.math.bincount: values must be >= 0, got {int(a.min())}")
    n = max(int(a.max()) + 1 if a.size else 0, int(minlength or 0))
    if maxlength is not None:
        n = min(n, int(maxlength))
        keep = a < n
    else:
        keep = slice(None)
    w = None if weights is None else np.asarray(host(_plain("math.bincount", weights))).reshape(-1)[keep]
    out = np.bincount(a[keep], weights=w, minlength=n)[:n]
    if binary_output:
        out = (out > 0)
    dt = np.dtype(getattr(dtype, "name", dtype)) if weights is None else out.dtype
    return Tensor(out.astype(dt if weights is None else np.float32))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=np.int32,
                     name=None):
    y = np.asarray(host(_plain("math.confusion_matrix", labels))).reshape(-1).astype(np.int64)
    p = np.asarray(host(_plain("math.confusion_matrix", predictions))).reshape(-1).astype(np.int64)
    if y.shape != p.shape:
        raise ValueError(f"tf.math.confusion_matrix: labels {y.shape} and predictions {p.shape} "
                         "must have the same size")
    n = int(num_classes) if num_classes is not None else int(max(y.max(initial=-1),
                                                                 p.max(initial=-1)) + 1)
    if (y < 0).any() or (p < 0).any() or (y >= n).any() or (p >= n).any():
        raise ValueError(f"tf.math.confusion_matrix: labels and predictions must lie in [0, {n})")
    w = np.ones(y.shape) if weights is None else np.asarray(host(_plain("math.confusion_matrix",
                                                                        weights))).reshape(-1)
    out = np.zeros((n, n), np.float64)
    np.add.at(out, (y, p), w)
    return Tensor(out.astype(np.dtype(getattr(dtype, "name", dtype))))


def in_top_k(targets, predictions, k, name=None):
    """TensorFlow 2's argument order (targets first): bool per row."""
    return K.in_top_k(predictions, targets, k)


# ---- segment reductions ------------------------------------------------------------------------
class _SegmentSum(Function):
    @staticmethod
    def forward(ctx, data, ids, n):
        xp = array_module(data)
        out = xp.zeros((n,) + data.shape[1:], data.dtype)
        xp.add.at(out, ids, data)
        ctx.save_for_backward(ids)
        return out

    @staticmethod
    def backward(ctx, g):
        (ids,) = ctx.saved
        return g[ids], None, None


class _SegmentExtreme(Function):
    """max / min per segment; the gradient is split among the tied winners (TensorFlow's)."""
    @staticmethod
    def forward(ctx, data, ids, n, is_max, empty):
        xp = array_module(data)
        out = xp.full((n,) + data.shape[1:], -np.inf if is_max else np.inf, data.dtype)
        (xp.maximum if is_max else xp.minimum).at(out, ids, data)
        sel = data == out[ids]
        count = xp.zeros(out.shape, data.dtype)
        xp.add.at(count, ids, sel.astype(data.dtype))
        out[count == 0] = empty
        ctx.save_for_backward(ids, sel, count)
        return out

    @staticmethod
    def backward(ctx, g):
        ids, sel, count = ctx.saved
        safe = array_module(g).where(count == 0, 1, count)
        return (g / safe)[ids] * sel, None, None, None, None


def _segment_args(op, data, segment_ids, num_segments=None):
    x = _f(op, data)
    ids = np.asarray(host(_plain(op, segment_ids)))
    if ids.dtype.kind not in "iu" or ids.ndim != 1 or ids.shape[0] != x.shape[0]:
        raise ValueError(f"tf.{op}: segment_ids must be integers of shape ({x.shape[0]},), got "
                         f"{ids.dtype} of shape {ids.shape}")
    if num_segments is None:
        if ids.size and (np.diff(ids) < 0).any():
            raise ValueError(f"tf.{op}: segment_ids must be sorted")
        n = int(ids.max()) + 1 if ids.size else 0
    else:
        n = int(num_segments)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"tf.{op}: segment ids must lie in [0, {n}), got {ids.min()}..{ids.max()}")
    return x, array_module(x.data).asarray(ids), n


def _segment_mean(op, data, segment_ids, num_segments):
    x, ids, n = _segment_args(op, data, segment_ids, num_segments)
    s = _SegmentSum.apply(x, ids, n)
    counts = np.bincount(np.asarray(host(ids)), minlength=n).astype(x.dtype)
    shape = (n,) + (1,) * (x.ndim - 1)
    return s / Tensor(array_module(x.data).asarray(np.maximum(counts, 1).reshape(shape)))


def segment_sum(data, segment_ids, name=None):
    return _SegmentSum.apply(*_segment_args("math.segment_sum", data, segment_ids))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    return _SegmentSum.apply(*_segment_args("math.unsorted_segment_sum", data, segment_ids,
                                            num_segments))


def segment_mean(data, segment_ids, name=None):
    return _segment_mean("math.segment_mean", data, segment_ids, None)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    return _segment_mean("math.unsorted_segment_mean", data, segment_ids, num_segments)


def _lowest(dt, is_max):
    info = np.finfo(dt)
    return info.min if is_max else info.max


def segment_max(data, segment_ids, name=None):
    """Empty segments give 0 (TensorFlow's sorted segment ops)."""
    return _SegmentExtreme.apply(*_segment_args("math.segment_max", data, segment_ids), True, 0)


def segment_min(data, segment_ids, name=None):
    return _SegmentExtreme.apply(*_segment_args("math.segment_min", data, segment_ids), False, 0)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Empty segments give the dtype's lowest value (TensorFlow's unsorted segment ops)."""
    x, ids, n = _segment_args("math.unsorted_segment_max", data, segment_ids, num_segments)
    return _SegmentExtreme.apply(x, ids, n, True, _lowest(x.dtype, True))


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    x, ids, n = _segment_args("math.unsorted_segment_min", data, segment_ids, num_segments)
    return _SegmentExtreme.apply(x, ids, n, False, _lowest(x.dtype, False))


def atan2(y, x, name=None):
    """The angle of (x, y); gradients x / (x^2 + y^2) for y and -y / (x^2 + y^2) for x."""
    return _Atan2.apply(*_same_shape("atan2", _f("atan2", y), _f("atan2", x)))


def _same_shape(op, a, b):
    if a.shape != b.shape:
        shape = np.broadcast_shapes(a.shape, b.shape)
        a, b = a + K.zeros(shape, dtype=a.dtype.name), b + K.zeros(shape, dtype=b.dtype.name)
    return a, b


class _Atan2(Function):
    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return array_module(y).arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved
        r = x * x + y * y
        return g * x / r, -g * y / r
