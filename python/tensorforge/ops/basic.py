"""Differentiable elementwise arithmetic, reductions and shape ops (Tensor operators use these).

Binary ops broadcast like NumPy; their backward sums the gradient over broadcast axes
(``unbroadcast``). Python scalars adopt the other operand's dtype, so float32 stays float32.
"""
import numpy as np

from .. import kernels
from .._xp import array_module, to_one_device
from ..autograd.function import Context, Function
from ..autograd.grad_mode import _grad_state
from ..autograd.tensor import Tensor, _wrap
from ..interop import convert, reads_foreign

__all__ = ["add", "sub", "mul", "div", "neg", "power", "rpower", "matmul", "less", "less_equal",
           "greater", "greater_equal", "equal", "not_equal", "logical", "floordiv", "getitem", "sum", "mean",
           "reshape", "transpose", "exp", "log", "abs", "sqrt", "clip", "maximum", "concatenate",
           "unbroadcast"]


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (the inverse of NumPy broadcasting)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def conj(x):
    """The complex conjugate of a complex array, anything else as it is: the backward of a
    holomorphic op sends ``g * conj(f'(z))`` back (TensorFlow's convention, See Note [complex
    gradients] in ops/complex.py), which is ``g * f'(x)`` for real values."""
    if isinstance(x, complex) or getattr(getattr(x, "dtype", None), "kind", None) == "c":
        return x.conjugate()
    return x


def _checked(op, a, name="x"):
    """A Tensor, or an array (Python numbers and nested lists become arrays, floats float32 as
    Tensor does); anything else, or a non-numeric dtype, is a TypeError naming the op."""
    if isinstance(a, Tensor):
        d = a.data
    elif hasattr(a, "dtype") and hasattr(a, "shape") and not isinstance(a, np.generic):
        d = a
    elif isinstance(a, (bool, int, float, np.generic, list, tuple)) and not isinstance(a, str):
        try:
            d = Tensor(a).data
        except (TypeError, ValueError) as e:
            raise TypeError(f"{op}: {name} must be an array, a Tensor or a number, got "
                            f"{type(a).__name__} ({e})") from None
        a = d
    else:
        raise TypeError(f"{op}: {name} must be an array, a Tensor or a number, got {type(a).__name__}")
    if d.dtype.kind not in "biufc":
        raise TypeError(f"{op}: {name} must be numeric, got dtype {d.dtype}")
    return a


def _operands(a, b, op="op"):
    """Arrays for a binary op; a Python scalar takes the other side's dtype, except a float
    beside integers: See Note [integer and float operands]."""
    if not isinstance(a, (int, float)) or isinstance(a, bool):
        a = _checked(op, a, "a")
    if not isinstance(b, (int, float)) or isinstance(b, bool):
        b = _checked(op, b, "b")
    ad = a.data if isinstance(a, Tensor) else a
    bd = b.data if isinstance(b, Tensor) else b
    if isinstance(ad, (int, float)) and hasattr(bd, "dtype"):
        bd, ad = _with_scalar(bd, ad)
    if isinstance(bd, (int, float)) and hasattr(ad, "dtype"):
        ad, bd = _with_scalar(ad, bd)
    return ad, bd


# Note [integer and float operands]
# A Python number beside an array takes the array's dtype (x * 0.5 stays float32, as in Keras 2,
# where TensorFlow converts the number to the tensor's dtype). A float beside integer or bool
# values cannot: int64(0.5) is 0, so `ids * 0.5` would be zeros and `ids > 0.5` would be
# `ids > 0`. TensorFlow refuses that pair (a TypeError); here the integers become float32 and the
# result is float32, as NumPy would promote them (to float32, the engine's float). Integer Inputs
# reach Lambda and custom layers as integers (Note [integer inputs] in engine/base_layer.py).
def _with_scalar(arr, s):
    """(arr, s) for a binary op of array ``arr`` and Python number ``s``: s in arr's dtype, or
    both float32 when s is a float and arr holds integers or bools."""
    if type(s) is float and arr.dtype.kind in "iub":
        return arr.astype(np.float32), np.float32(s)
    return arr, arr.dtype.type(s)


def _shape(x):
    return getattr(x, "shape", ())


def _any_shape(x):
    """x's shape for an error message: a list's or scalar's as NumPy sees it."""
    if hasattr(x, "shape"):
        return x.shape
    try:
        return np.shape(x)
    except ValueError:  # a ragged list
        return ()


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(-g, sb)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g * conj(b), _shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * conj(a), _shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g / conj(b), _shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(-g * conj(a / (b * b)), _shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class Power(Function):
    @staticmethod
    def forward(ctx, a, p):
        if a.dtype.kind not in "fc":  # integers and bools: computed in float32
            a = a.astype(np.float32)
        ctx.save_for_backward(a)
        ctx.p = p
        return a ** a.dtype.type(p)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        if ctx.p == 0:  # a ** -1 would put inf * 0 = NaN where a == 0
            return g * 0, None
        p = a.dtype.type(ctx.p)
        return g * conj(p * a ** (p - 1)), None


class PowTensor(Function):
    """a ** b with both sides arrays; d/db = a**b * log(a) (0 where a <= 0 and a**b is 0)."""

    @staticmethod
    def forward(ctx, a, b):
        y = a ** b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved
        xp = array_module(g)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            bb = b if hasattr(b, "dtype") else xp.asarray(b, dtype=g.dtype)
            with np.errstate(divide="ignore", invalid="ignore"):
                d = xp.where(bb == 0, bb * 0, bb * a ** (bb - 1))
            ga = unbroadcast(g * conj(d), _shape(a))
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                if y.dtype.kind == "c":  # the principal log; 0 ** b sends nothing back
                    d = xp.where(a != 0, y * xp.log(xp.where(a != 0, a, 1)), 0 * y)
                else:
                    d = xp.where(a > 0, y * xp.log(xp.where(a > 0, a, 1)), 0 * y)
            gb = unbroadcast(g * conj(d), _shape(b))
        return ga, gb


class MatMul(Function):
    """``a @ b`` with np.matmul's batch broadcasting (kernels.matmul). Both input gradients are
    batched GEMMs over transposed views (no copies): da = g @ b^T, db = a^T @ g, each summed over
    the batch dimensions its input was broadcast along."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.dtype.kind == "c" or b.dtype.kind == "c":  # complex: no GEMM kernel of ours
            return _complex_matmul(a, b)
        return kernels.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = gb = None
        if g.dtype.kind == "c":  # See Note [complex gradients] in ops/complex.py
            xp = array_module(g)
            if ctx.needs_input_grad[0]:
                ga = unbroadcast(xp.matmul(g, conj(xp.swapaxes(b, -1, -2))), a.shape)
            if ctx.needs_input_grad[1]:
                gb = unbroadcast(xp.matmul(conj(xp.swapaxes(a, -1, -2)), g), b.shape)
            return ga, gb
        if a.ndim == 2 and b.ndim == 2:
            if ctx.needs_input_grad[0]:
                ga = kernels.gemm(g, b, trans_b=True)
            if ctx.needs_input_grad[1]:
                gb = kernels.gemm(a, g, trans_a=True)
            return ga, gb
        xp = array_module(g)
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(kernels.matmul(g, xp.swapaxes(b, -1, -2)), a.shape)
        if ctx.needs_input_grad[1]:
            if b.ndim == 2:  # b shared by every row of the batch: one GEMM over all of them
                gb = kernels.gemm(a.reshape(-1, a.shape[-1]), g.reshape(-1, g.shape[-1]), trans_a=True)
            else:
                gb = unbroadcast(kernels.matmul(xp.swapaxes(a, -1, -2), g), b.shape)
        return ga, gb


def _complex_matmul(a, b):
    """np.matmul of complex operands, with matmul's checks and messages."""
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: a and b must be (..., M, K) and (..., K, N), got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    return array_module(a, b).matmul(a, b)


def scatter_add(out, idx, g):
    """out[idx] += g with repeated indices accumulating (np.add.at / cupyx.scatter_add)."""
    if array_module(out) is np:
        np.add.at(out, idx, g)
    else:
        import cupyx
        cupyx.scatter_add(out, idx, g)
    return out


def _basic_index(idx):
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, slice)
               or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
               for i in items)


class GetItem(Function):
    @staticmethod
    def forward(ctx, a, idx):
        ctx.meta = (a.shape, a.dtype, idx)
        return a[idx]

    @staticmethod
    def backward(ctx, g):
        shape, dtype, idx = ctx.meta
        xp = array_module(g)
        out = xp.zeros(shape, dtype=dtype)
        if _basic_index(idx):  # basic indexing never repeats an element: plain assignment
            out[idx] = g
        else:
            scatter_add(out, idx, g)  # repeated fancy indices accumulate
        return out, None


class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.meta = (a.shape, axis, keepdims)
        return a.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdims = ctx.meta
        xp = array_module(g)
        if axis is not None and not keepdims:
            g = xp.expand_dims(g, axis)
        return xp.broadcast_to(g, shape).copy(), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.meta = (a.shape, axis, keepdims)
        return a.mean(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdims = ctx.meta
        xp = array_module(g)
        if axis is None:
            n = 1
            for s in shape:
                n *= s
        else:
            axes = axis if isinstance(axis, tuple) else (axis,)
            n = 1
            for ax in axes:
                n *= shape[ax]
        if axis is not None and not keepdims:
            g = xp.expand_dims(g, axis)
        return xp.broadcast_to(g / g.dtype.type(n), shape).copy(), None, None


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Transpose(Function):
    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return a.transpose(axes) if axes is not None else a.T

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        if ctx.axes is None:
            return g.T, None
        return g.transpose(xp.argsort(xp.asarray(ctx.axes)).tolist()), None


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        y = array_module(a).exp(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        return (g * conj(y),)


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return (g / conj(a),)


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        xp = array_module(a)
        if a.dtype.kind == "c":  # |z|' sends g * z / |z| back (0 at z = 0), as TensorFlow
            m = xp.abs(a)
            return (g * xp.where(m > 0, a / xp.where(m > 0, m, 1), 0),)
        return (g * xp.sign(a).astype(g.dtype),)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        y = array_module(a).sqrt(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        with np.errstate(divide="ignore"):  # sqrt'(0) = inf, as in TensorFlow
            return (g / conj(y + y),)


class Clip(Function):
    """clip(a, lo, hi); the gradient passes where lo <= a <= hi (Keras/TF convention)."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        return array_module(a).clip(a, a.dtype.type(lo), a.dtype.type(hi))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        lo, hi = ctx.bounds
        return array_module(g).where((a >= lo) & (a <= hi), g, g.dtype.type(0)), None, None


def _select_grads(ctx, g, take_a, a, b):
    """Gradients of an elementwise choice between a and b: g where each side was taken, else 0
    (a select, not g * mask: an inf/NaN gradient on the side not taken must not leak in)."""
    xp = array_module(g)
    zero = g.dtype.type(0)
    ga = unbroadcast(xp.where(take_a, g, zero), _shape(a)) if ctx.needs_input_grad[0] else None
    gb = unbroadcast(xp.where(take_a, zero, g), _shape(b)) if ctx.needs_input_grad[1] else None
    return ga, gb


class Maximum(Function):
    """Elementwise max; ties send the gradient to ``a``."""

    @staticmethod
    def forward(ctx, a, b):
        xp = array_module(a, b)
        ctx.save_for_backward(a, b)
        return xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _select_grads(ctx, g, a >= b, a, b)


class Concatenate(Function):
    """concatenate(*tensors, axis=-1); backward splits the gradient back."""

    @staticmethod
    def forward(ctx, *arrays, axis=-1):
        xp = array_module(*arrays)
        ax = axis % arrays[0].ndim
        ctx.meta = (ax, [a.shape[ax] for a in arrays])
        return xp.concatenate(arrays, axis=ax)

    @staticmethod
    def backward(ctx, g):
        ax, sizes = ctx.meta
        out, start = [], 0
        for n in sizes:
            idx = [slice(None)] * g.ndim
            idx[ax] = slice(start, start + n)
            out.append(g[tuple(idx)])
            start += n
        return tuple(out)


def _compare(ufunc, a, b):
    """Elementwise comparison (no gradient): a bool Tensor."""
    ad, bd = _operands(a, b, ufunc)
    return Tensor(getattr(array_module(ad, bd), ufunc)(ad, bd))


def less(a, b): return _compare("less", a, b)
def less_equal(a, b): return _compare("less_equal", a, b)
def greater(a, b): return _compare("greater", a, b)
def greater_equal(a, b): return _compare("greater_equal", a, b)
def equal(a, b): return _compare("equal", a, b)
def not_equal(a, b): return _compare("not_equal", a, b)


def logical(ufunc, a, b=None):
    """Elementwise bitwise/logical and, or, xor, invert (bool masks; no gradient)."""
    if b is None:
        ad = a.data if isinstance(a, Tensor) else a
        return Tensor(getattr(array_module(ad), ufunc)(ad))
    return _compare(ufunc, a, b)


def floordiv(a, b):
    """a // b (no gradient, as TensorFlow's floordiv)."""
    ad, bd = _operands(a, b, "floordiv")
    return Tensor(ad // bd)


def floormod(a, b):
    """a % b as TensorFlow's Tensor % (tf.math.floormod, the sign of b): integers exactly,
    floats a - floor(a / b) * b with the gradient through both; a Python number takes the
    other operand's dtype."""
    like = a if isinstance(a, Tensor) else b
    xp = array_module(like.data)
    a, b = (v if isinstance(v, Tensor) else Tensor(xp.asarray(v, dtype=like.data.dtype))
            for v in (a, b))
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return Tensor(xp.mod(a.data, b.data))
    return sub(a, mul(Tensor(xp.floor(a.data / b.data)), b))


_NUMERIC = frozenset("biufc")


def _binary(fn, a, b):
    try:
        return _binary_apply(fn, a, b)
    except ValueError:  # (checked only on failure: no cost on the hot path)
        _raise_broadcast(fn, a, b)
        raise


def _raise_broadcast(fn, a, b):
    """The ValueError naming the op and the shapes when a and b do not broadcast together."""
    sa, sb = _any_shape(a), _any_shape(b)
    try:
        np.broadcast_shapes(sa, sb)
    except (ValueError, TypeError):
        raise ValueError(f"{fn.__name__.lower()}: a and b must broadcast together, "
                         f"got shapes {sa} and {sb}") from None


def _binary_apply(fn, a, b):
    ta, tb = type(a), type(b)
    if (ta is Tensor or ta is np.ndarray) and (tb is Tensor or tb is np.ndarray or tb is float):
        # the common cases (array or Tensor with array, Tensor with a Python float): checked
        # here in a few type tests; everything else goes through _operands
        ad = a.data if ta is Tensor else a
        if ad.dtype.kind in _NUMERIC:
            if tb is float:
                ad, bd = _with_scalar(ad, b)  # as _operands
                return fn.apply(a if ad.dtype == a.dtype else ad, bd)
            if (b.data if tb is Tensor else b).dtype.kind in _NUMERIC:
                if ta is tb is np.ndarray:  # nothing to record: the op without the tape
                    uf = _ARRAY_UFUNCS.get(fn)  # (what forward computes, without its ctx)
                    return _wrap(uf(a, b) if uf is not None else
                                 fn.forward(Context((False, False)), a, b))
                return fn.apply(a, b)
    ad, bd = _operands(a, b, fn.__name__.lower())
    a = a if isinstance(a, Tensor) and a.data is ad else ad  # (not when made float32)
    b = b if isinstance(b, Tensor) and b.data is bd else bd
    return fn.apply(a, b)


_ARRAY_UFUNCS = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.true_divide}


# Note [op fast path]: a small op's Python overhead is a handful of calls on top of its kernel
# (issue 15 bounds it at 2 us), so the arithmetic operators run their common cases in one frame:
# arrays or Tensors of numeric dtypes (the other side may be a Python float, which takes the
# array's dtype); when nothing needs a gradient (no input requires grad, or grad mode is off)
# the ufunc runs without Function.apply's context and node, as apply itself would then. Every
# other case (a subclass such as a symbolic KerasTensor, lists, numbers on the left, another
# library's arrays: interop.convert) takes _binary as before, with its checks and messages.
def _binary_op(fn, name):
    uf = _ARRAY_UFUNCS[fn]

    def op(a, b):
        ta, tb = type(a), type(b)
        if ta is Tensor or ta is np.ndarray:
            ad = a.data if ta is Tensor else a
            if ad.dtype.kind in _NUMERIC:
                if tb is Tensor or tb is np.ndarray:
                    bd = b.data if tb is Tensor else b
                    numeric = bd.dtype.kind in _NUMERIC
                elif tb is float and ad.dtype.kind in "fc":  # (beside integers: _binary)
                    bd = b = ad.dtype.type(b)
                    numeric = True
                else:
                    numeric = False
                if numeric:
                    try:
                        if ((ta is np.ndarray or not a.requires_grad)
                                and (tb is not Tensor or not b.requires_grad)) \
                                or not _grad_state.enabled:
                            return _wrap(uf(ad, bd))
                        return fn.apply(a, b)
                    except ValueError:
                        _raise_broadcast(fn, a, b)
                        raise
                    except TypeError:  # Note [mixed host and device operands] in _xp.py
                        pair = [ad, bd]
                        if not to_one_device(pair):
                            raise
                        return fn.apply(a if ta is Tensor else pair[0], b if tb is Tensor else pair[1])
        return _binary(fn, convert(a), convert(b))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} with NumPy broadcasting (arrays or Tensors; Note [op fast path])."
    return reads_foreign(op)


add = _binary_op(Add, "add")
sub = _binary_op(Sub, "sub")
mul = _binary_op(Mul, "mul")
div = _binary_op(Div, "div")
def neg(a): return Neg.apply(_checked("neg", a))
def power(a, p):
    """a ** p: a Python/NumPy scalar exponent keeps a's dtype; a Tensor or array exponent is a
    second differentiable input."""
    if isinstance(p, (int, float, np.integer, np.floating)) and not isinstance(p, (bool, np.bool_)):
        a = _checked("power", a)
        if getattr(a, "dtype", None) is not None and a.dtype.kind in "fc":
            return Power.apply(a, _exponent(p))
    return _binary(PowTensor, a, p)


def rpower(a, b):
    """b ** a for a Tensor ``a`` (Tensor.__rpow__)."""
    return _binary(PowTensor, b, a)
def matmul(a, b):
    ta, tb = type(a), type(b)
    if (ta is Tensor or ta is np.ndarray) and (tb is Tensor or tb is np.ndarray) and \
            a.dtype.kind != "c" and b.dtype.kind != "c":
        # Note [op fast path]: nothing records -> the kernel (which checks the arrays) alone
        if ((ta is np.ndarray or not a.requires_grad) and (tb is np.ndarray or not b.requires_grad)) \
                or not _grad_state.enabled:
            return _wrap(kernels.matmul(a.data if ta is Tensor else a,
                                        b.data if tb is Tensor else b))
        return MatMul.apply(a, b)  # MatMul.forward's kernel checks the arrays
    return MatMul.apply(_checked("matmul", a, "a"), _checked("matmul", b, "b"))
def getitem(a, idx):
    if isinstance(idx, Tensor):
        idx = idx.data
    elif isinstance(idx, tuple):
        idx = tuple(i.data if isinstance(i, Tensor) else i for i in idx)
    return GetItem.apply(_checked("getitem", a), idx)
def sum(a, axis=None, keepdims=False): return Sum.apply(_checked("sum", a), _axis("sum", axis), bool(keepdims))  # noqa: A001
def mean(a, axis=None, keepdims=False): return Mean.apply(_checked("mean", a), _axis("mean", axis), bool(keepdims))
def reshape(a, shape): return Reshape.apply(_checked("reshape", a), _shape_arg("reshape", shape))
def transpose(a, axes=None): return Transpose.apply(_checked("transpose", a), None if axes is None else _shape_arg("transpose", axes))
def exp(a): return Exp.apply(_checked("exp", a))
def log(a): return Log.apply(_checked("log", a))
def abs(a): return Abs.apply(_checked("abs", a))  # noqa: A001
def sqrt(a): return Sqrt.apply(_checked("sqrt", a))
def clip(a, lo, hi): return Clip.apply(_checked("clip", a), _number("clip", "lo", lo), _number("clip", "hi", hi))
def maximum(a, b): return _binary(Maximum, a, b)
def concatenate(tensors, axis=-1):
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"concatenate: tensors must be a non-empty list, got {type(tensors).__name__}")
    return Concatenate.apply(*[_checked("concatenate", t, "tensors[i]") for t in tensors],
                             axis=_axis("concatenate", axis))


def _number(op, name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")
    return v


def _exponent(p):
    p = _number("power", "p", p)
    if not np.isfinite(p):
        raise ValueError(f"power: p must be finite, got {p}")
    return p


def _axis(op, axis):
    """None, an int or a tuple of ints (Keras/NumPy); a float such as 1.5 is a TypeError."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(_axis(op, a) for a in axis)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, got "
                        f"{type(axis).__name__} {axis!r}")
    return int(axis)


def _shape_arg(op, shape):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        return (int(shape),)
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
        raise TypeError(f"{op}: expected a tuple of ints, got {shape!r}")
    return tuple(int(s) for s in shape)
