"""More of TensorFlow 2's ``tf.math``: the NaN-safe products and quotients (xdivy, xlog1py,
multiply_no_nan, reciprocal_no_nan), cumulative_logsumexp, the product and sqrt-n segment
reductions, and the small integer / predicate utilities (invert_permutation,
is_non_decreasing, is_strictly_increasing, nextafter, accumulate_n).

The differentiable ones are ``Function``s with TensorFlow's gradients: those of xdivy / xlog1py
are zero where x == 0, multiply_no_nan's are TensorFlow's mul_no_nan pair, segment_prod's
gradient is the product of the other entries of the segment (zeros handled as TensorFlow's:
one zero passes the product of the rest to itself only, two or more give zeros).
"""
import numpy as np

from ._xp import host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .tf_math import _SegmentSum, _segment_args
from .ops.basic import unbroadcast as _unbroadcast

__all__ = ["xdivy", "xlog1py", "multiply_no_nan", "reciprocal_no_nan", "cumulative_logsumexp",
           "segment_prod", "unsorted_segment_prod", "unsorted_segment_sqrt_n",
           "invert_permutation", "is_non_decreasing", "is_strictly_increasing", "nextafter",
           "accumulate_n"]


def _floats(op, names, values):
    ts = [_tensor(f"tf.math.{op}", n, v) for n, v in zip(names, values)]
    ts = [t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32)) for t in ts]
    if ts[0].dtype != ts[1].dtype:
        raise TypeError(f"tf.math.{op}: x is {ts[0].dtype} and y is {ts[1].dtype} (one dtype "
                        "needed)")
    try:
        np.broadcast_shapes(ts[0].shape, ts[1].shape)
    except ValueError:
        raise ValueError(f"tf.math.{op}: incompatible shapes x {tuple(ts[0].shape)} and y "
                         f"{tuple(ts[1].shape)}") from None
    return ts



def _binary(name, fwd, dx, dy):
    """``tf.math.<name>(x, y)`` with d/dx * g = dx(x, y, g), d/dy * g = dy(x, y, g)."""
    class _Op(Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            with np.errstate(all="ignore"):
                return np.asarray(fwd(x, y)).astype(x.dtype)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved
            with np.errstate(all="ignore"):
                gx = np.broadcast_to(dx(x, y, g), g.shape)
                gy = np.broadcast_to(dy(x, y, g), g.shape)
            return (_unbroadcast(gx, x.shape).astype(x.dtype),
                    _unbroadcast(gy, y.shape).astype(y.dtype))
    _Op.__name__ = _Op.__qualname__ = "".join(p.capitalize() for p in name.split("_"))

    def op(x, y, name=None):
        return _Op.apply(*_floats(name_, ("x", "y"), (x, y)))
    name_ = name
    op.__name__ = op.__qualname__ = name
    return op


def _nz(v):
    return v != 0


xdivy = _binary("xdivy", lambda x, y: np.where(_nz(x), x / y, 0.0),
                lambda x, y, g: np.where(_nz(x), g / y, 0.0),
                lambda x, y, g: np.where(_nz(x), -x / (y * y), 0.0) * g)
xdivy.__doc__ = "x / y, and 0 where x == 0 (even where y == 0)."
xlog1py = _binary("xlog1py", lambda x, y: np.where(_nz(x), x * np.log1p(y), 0.0),
                  lambda x, y, g: np.where(_nz(x), np.log1p(y), 0.0) * g,
                  lambda x, y, g: np.where(_nz(x), x / (y + 1.0), 0.0) * g)
xlog1py.__doc__ = "x * log1p(y), and 0 where x == 0."
multiply_no_nan = _binary("multiply_no_nan", lambda x, y: np.where(_nz(y), x * y, 0.0),
                          lambda x, y, g: np.where(_nz(y), g * y, 0.0),
                          lambda x, y, g: np.where(_nz(g), x * g, 0.0))
multiply_no_nan.__doc__ = "x * y, and 0 where y == 0 (even where x is NaN or inf)."


class _ReciprocalNoNan(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.where(x != 0, 1.0 / np.where(x != 0, x, 1), 0.0).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        safe = np.where(x != 0, x, 1)
        return np.where(x != 0, -g / (safe * safe), 0.0).astype(x.dtype),


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x == 0."""
    t = _tensor("tf.math.reciprocal_no_nan", "x", x)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.math.reciprocal_no_nan: x must be a float tensor, got {t.dtype}")
    return _ReciprocalNoNan.apply(t)


# ---- cumulative log-sum-exp ---------------------------------------------------------------------
def _cumsum(a, axis, exclusive, reverse):
    if reverse:
        a = np.flip(a, axis)
    c = np.cumsum(a, axis)
    if exclusive:
        c = np.concatenate([np.zeros_like(np.take(c, [0], axis)),
                            np.take(c, np.arange(c.shape[axis] - 1), axis)], axis)
    return np.flip(c, axis) if reverse else c


class _CumLogSumExp(Function):
    @staticmethod
    def forward(ctx, x, axis, exclusive, reverse):
        x64 = np.asarray(x, np.float64)
        with np.errstate(all="ignore"):
            m = np.max(x64, axis=axis, keepdims=True) if x64.shape[axis] else 0.0
            m = np.where(np.isfinite(m), m, 0.0)
            out = np.log(_cumsum(np.exp(x64 - m), axis, exclusive, reverse)) + m
        ctx.save_for_backward(x64, out)
        ctx.info = (axis, exclusive, reverse)
        return out.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved
        axis, exclusive, reverse = ctx.info
        with np.errstate(all="ignore"):
            c = np.max(x, axis=axis, keepdims=True) if x.shape[axis] else 0.0
            c = np.where(np.isfinite(c), c, 0.0)
            w = np.where(np.isfinite(out), g * np.exp(c - out), 0.0)
            # element i feeds the outputs j of its window: the transposed cumulative sum
            back = _cumsum(w, axis, exclusive, not reverse)
            return (np.exp(x - c) * back).astype(g.dtype), None, None, None


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along ``axis``, stably (exclusive: the first is -inf)."""
    t = _tensor("tf.math.cumulative_logsumexp", "x", x)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.math.cumulative_logsumexp: x must be a float tensor, got {t.dtype}")
    if t.ndim == 0 or not -t.ndim <= int(axis) < t.ndim:
        raise ValueError(f"tf.math.cumulative_logsumexp: axis {axis} is out of range for x of "
                         f"shape {tuple(t.shape)}")
    return _CumLogSumExp.apply(t, int(axis) % t.ndim, bool(exclusive), bool(reverse))


# ---- segment reductions -------------------------------------------------------------------------
class _SegmentProd(Function):
    @staticmethod
    def forward(ctx, data, ids, n):
        d = np.asarray(host(data))
        ids = np.asarray(host(ids))
        out = np.ones((n,) + d.shape[1:], d.dtype)
        np.multiply.at(out, ids, d)
        zero = d == 0
        zeros = np.zeros(out.shape, np.int64)
        np.add.at(zeros, ids, zero.astype(np.int64))
        rest = np.ones((n,) + d.shape[1:], np.float64)  # the product of the nonzero entries
        np.multiply.at(rest, ids, np.where(zero, 1.0, d))
        ctx.save_for_backward(d, ids, out, zeros, rest)
        return out

    @staticmethod
    def backward(ctx, g):
        d, ids, out, zeros, rest = ctx.saved
        with np.errstate(all="ignore"):
            others = np.where(d != 0, out[ids] / np.where(d != 0, d, 1),
                              np.where(zeros[ids] == 1, rest[ids], 0.0))
        return (np.asarray(g)[ids] * others).astype(d.dtype), None, None


def segment_prod(data, segment_ids, name=None):
    """The product of each segment of sorted ``segment_ids`` (empty segments: 1)."""
    return _SegmentProd.apply(*_segment_args("math.segment_prod", data, segment_ids))


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    return _SegmentProd.apply(*_segment_args("math.unsorted_segment_prod", data, segment_ids,
                                             num_segments))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """The sum of each segment divided by sqrt(its size) (empty segments: 0)."""
    x, ids, n = _segment_args("math.unsorted_segment_sqrt_n", data, segment_ids, num_segments)
    s = _SegmentSum.apply(x, ids, n)
    counts = np.bincount(np.asarray(host(ids)), minlength=n).astype(np.float64)
    scale = (1.0 / np.sqrt(np.maximum(counts, 1))).reshape((n,) + (1,) * (x.ndim - 1))
    return s * Tensor(scale.astype(x.dtype))


# ---- integer and predicate utilities ------------------------------------------------------------
def invert_permutation(x, name=None):
    """y with y[x[i]] = i for the permutation ``x`` (int32 / int64, rank 1)."""
    a = np.asarray(host(_tensor("tf.math.invert_permutation", "x", x).data))
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise ValueError(f"tf.math.invert_permutation: x must be a 1-D integer tensor, got "
                         f"{a.dtype} of shape {a.shape}")
    if not np.array_equal(np.sort(a), np.arange(a.size)):
        from .tf_debugging import InvalidArgumentError
        raise InvalidArgumentError(f"tf.math.invert_permutation: x is not a permutation of "
                                   f"0..{a.size - 1}: {a.tolist()}")
    out = np.empty_like(a)
    out[a] = np.arange(a.size, dtype=a.dtype)
    return Tensor(out)


def _sequence_pred(op, x, strict):
    a = np.asarray(host(_tensor(f"tf.math.{op}", "x", x).data)).reshape(-1)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"tf.math.{op}: x must be numeric, got {a.dtype}")
    d = np.diff(a.astype(np.float64) if a.dtype.kind == "f" else a)
    return Tensor(np.asarray(bool(np.all(d > 0) if strict else np.all(d >= 0))))


def is_non_decreasing(x, name=None):
    """True where x (flattened) never decreases (a bool scalar; True for fewer than 2)."""
    return _sequence_pred("is_non_decreasing", x, False)


def is_strictly_increasing(x, name=None):
    return _sequence_pred("is_strictly_increasing", x, True)


def nextafter(x1, x2, name=None):
    """The next representable value after x1 towards x2, in x1's float dtype (no gradient)."""
    a = _tensor("tf.math.nextafter", "x1", x1)
    b = _tensor("tf.math.nextafter", "x2", x2)
    if a.dtype.kind != "f" or a.dtype != b.dtype:
        raise TypeError(f"tf.math.nextafter: x1 and x2 must be of one float dtype, got "
                        f"{a.dtype} and {b.dtype}")
    return Tensor(np.nextafter(np.asarray(host(a.data)), np.asarray(host(b.data))))


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """The elementwise sum of the tensors of ``inputs`` (all of one shape and dtype)."""
    ts = [_tensor("tf.math.accumulate_n", "inputs", t) for t in inputs]
    if not ts:
        raise ValueError("tf.math.accumulate_n: inputs must be a non-empty list of tensors")
    if len({tuple(t.shape) for t in ts}) != 1 or len({t.dtype for t in ts}) != 1:
        raise ValueError("tf.math.accumulate_n: inputs must have one shape and dtype, got " +
                         ", ".join(f"{t.dtype}{tuple(t.shape)}" for t in ts))
    if shape is not None and tuple(int(v) for v in shape) != tuple(ts[0].shape):
        raise ValueError(f"tf.math.accumulate_n: shape {tuple(shape)} does not match the "
                         f"inputs' {tuple(ts[0].shape)}")
    out = ts[0]
    for t in ts[1:]:
        out = out + t
    return out
