"""``tf.experimental.numpy`` (TensorFlow NumPy): NumPy-named functions over tensorforge Tensors,
differentiable where the tf ops they call are (keras-io's tensorflow_numpy_models.py writes
Keras layers and losses with ``tnp.matmul`` / ``tnp.maximum`` / ``tnp.mean``). Results are
Tensors (TensorFlow's ``tnp.ndarray`` is ``tf.Tensor``). Only NumPy's semantics are kept where
they differ from the tf op's: ``matmul`` / ``dot`` of 1-D operands, ``sum(axis=None)``,
``transpose(axes=None)``, ``concatenate``'s axis default, ``clip``'s argument names."""
import numpy as _np

from ..engine.tf_op_symbols import ops as _ops
from ..autograd import Tensor as ndarray  # noqa: F401 -- tnp.ndarray is tf.Tensor

_tf = _ops()  # tf.add, tf.math.log ...: the tf ops (tf_ops.py), as tf.* serves them

bool_, float16, float32, float64 = _np.bool_, _np.float16, _np.float32, _np.float64
int8, int16, int32, int64, uint8 = _np.int8, _np.int16, _np.int32, _np.int64, _np.uint8
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None

__all__ = ["experimental_enable_numpy_behavior", "ndarray", "array", "asarray", "zeros", "ones",
           "zeros_like", "ones_like", "full", "arange", "add", "subtract", "multiply",
           "divide", "true_divide", "power", "negative", "maximum", "minimum", "square", "sqrt",
           "exp", "log", "abs", "absolute", "tanh", "sign", "matmul", "dot", "sum", "mean",
           "max", "amax", "min", "amin", "prod", "argmax", "argmin", "reshape", "transpose",
           "concatenate", "stack", "expand_dims", "squeeze", "clip", "where"]


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy"):
    """TensorFlow turns on NumPy-style type promotion and ndarray methods on tf.Tensor here;
    tensorforge's Tensors already promote the NumPy way and carry those methods."""
    return None


def asarray(a, dtype=None):
    return _tf.convert_to_tensor(a, dtype=dtype) if not isinstance(a, ndarray) or dtype \
        is not None and _np.dtype(a.dtype) != _np.dtype(dtype) else a


def array(val, dtype=None, copy=True, ndmin=0):
    t = asarray(val, dtype)
    while t.ndim < ndmin:
        t = _tf.expand_dims(t, 0)
    return t


def zeros(shape, dtype=float):
    return _tf.zeros(shape, dtype=_np.dtype(dtype))


def ones(shape, dtype=float):
    return _tf.ones(shape, dtype=_np.dtype(dtype))


def zeros_like(a, dtype=None):
    return _tf.zeros_like(a, dtype=dtype)


def ones_like(a, dtype=None):
    return _tf.ones_like(a, dtype=dtype)


def full(shape, fill_value, dtype=None):
    return asarray(_np.full(shape, fill_value, dtype=dtype))


def arange(start, stop=None, step=1, dtype=None):
    return asarray(_np.arange(start, stop, step, dtype=dtype))


def add(x1, x2):
    return _tf.add(x1, x2)


def subtract(x1, x2):
    return _tf.subtract(x1, x2)


def multiply(x1, x2):
    return _tf.multiply(x1, x2)


def true_divide(x1, x2):
    return _tf.divide(x1, x2)


divide = true_divide


def power(x1, x2):
    return _tf.pow(x1, x2)


def negative(x):
    return _tf.negative(x)


def maximum(x1, x2):
    return _tf.maximum(x1, x2)


def minimum(x1, x2):
    return _tf.minimum(x1, x2)


def square(x):
    return _tf.square(x)


def sqrt(x):
    return _tf.sqrt(x)


def exp(x):
    return _tf.exp(x)


def log(x):
    return _tf.math.log(x)


def absolute(x):
    return _tf.abs(x)


abs = absolute  # noqa: A001 -- NumPy's name


def tanh(x):
    return _tf.tanh(x)


def sign(x):
    return _tf.sign(x)


def matmul(x1, x2):
    """NumPy's matmul: a 1-D operand is a vector (its axis added, then dropped)."""
    a, b = asarray(x1), asarray(x2)
    if a.ndim >= 2 and b.ndim >= 2:
        return _tf.matmul(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"tnp.matmul: operands must be at least 1-D, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    r = _tf.matmul(a if a.ndim > 1 else _tf.expand_dims(a, 0),
                   b if b.ndim > 1 else _tf.expand_dims(b, -1))
    if a.ndim == 1:
        r = _tf.squeeze(r, -2)
    return _tf.squeeze(r, -1) if b.ndim == 1 else r


def dot(a, b):
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return _tf.multiply(a, b)
    if b.ndim <= 2:
        return matmul(a, b)
    return _tf.tensordot(a, b, axes=[[a.ndim - 1], [b.ndim - 2]])


def _reduce(fn, a, axis, keepdims):
    return fn(asarray(a), axis=axis, keepdims=bool(keepdims))


def sum(a, axis=None, dtype=None, keepdims=None):  # noqa: A001 -- NumPy's name
    a = asarray(a, dtype)
    return _reduce(_tf.reduce_sum, a, axis, keepdims)


def mean(a, axis=None, dtype=None, keepdims=None):
    return _reduce(_tf.reduce_mean, asarray(a, dtype), axis, keepdims)


def amax(a, axis=None, keepdims=None):
    return _reduce(_tf.reduce_max, a, axis, keepdims)


def amin(a, axis=None, keepdims=None):
    return _reduce(_tf.reduce_min, a, axis, keepdims)


max, min = amax, amin  # noqa: A001 -- NumPy's names


def prod(a, axis=None, dtype=None, keepdims=None):
    return _reduce(_tf.reduce_prod, asarray(a, dtype), axis, keepdims)


def argmax(a, axis=None):
    a = asarray(a)
    return _tf.argmax(_tf.reshape(a, [-1]) if axis is None else a, axis=0 if axis is None else axis)


def argmin(a, axis=None):
    a = asarray(a)
    return _tf.argmin(_tf.reshape(a, [-1]) if axis is None else a, axis=0 if axis is None else axis)


def reshape(a, newshape, order="C"):
    if order != "C":
        raise ValueError(f"tnp.reshape: only order='C' is supported, got {order!r}")
    return _tf.reshape(a, newshape)


def transpose(a, axes=None):
    return _tf.transpose(a, perm=axes)


def concatenate(arys, axis=0):
    return _tf.concat([asarray(x) for x in arys], axis=axis)


def stack(arrays, axis=0):
    return _tf.stack([asarray(x) for x in arrays], axis=axis)


def expand_dims(a, axis):
    return _tf.expand_dims(a, axis)


def squeeze(a, axis=None):
    return _tf.squeeze(a, axis=axis)


def clip(a, a_min, a_max):
    return _tf.clip_by_value(a, a_min, a_max)


def where(condition, x=None, y=None):
    if x is None and y is None:
        return tuple(asarray(i) for i in _np.nonzero(_np.asarray(asarray(condition).numpy())))
    return _tf.where(condition, x, y)
