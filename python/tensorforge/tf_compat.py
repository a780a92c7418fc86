"""The TensorFlow 2 names Keras 2 programs call on ``tf`` (``import tensorforge as tf``):
``tf.GradientTape``, ``tf.data.Dataset``, ``tf.function`` and the tensor ops of the Keras guides
(``tf.shape``, ``tf.concat``, ``tf.reduce_mean``, ``tf.random.normal``, ``tf.nn.relu``, ...).

They are reached lazily as ``tensorforge.<name>`` (the package's ``__getattr__``), so they do not
clutter the package namespace. Each is the Keras backend function with TensorFlow's name and
arguments (``backend_ops``: the same differentiable ops), never a second implementation.
"""
import builtins
import collections
import types

import numpy as np

from ._xp import array_module, host
from . import _random
from . import backend_ops as K
from .backend_config import floatx as _floatx
from .backend_ops._args import device_xp, host_float as _host_float, shape_arg, tensor as _tensor
from . import _variables
from . import initializers as _inits
from .autograd import Tensor
from ._tensor_shape import TensorShape  # noqa: F401  (tf.TensorShape)
from .ops.gemm import gemm as _ops_gemm, matmul as _ops_matmul
from ._text import as_bytes_array, is_text
from .gradient_tape import GradientTape, UnconnectedGradients  # noqa: F401
from . import tf_data, tf_data_csv, tf_data_ops, tf_image, tf_image_ops, tf_io, tf_ragged
from . import tf_strings, tf_strings_convert
from . import tf_summary as summary  # noqa: F401
from . import tf_config as config  # noqa: F401
from . import tf_distribute as distribute  # noqa: F401
from . import tf_test as test  # noqa: F401
from . import tf_random
from .tf_nd import gather_nd, tensor_scatter_nd_add  # noqa: F401
from . import tf_train
from . import tf_array, tf_checkpoint, tf_control, tf_debugging, tf_example, tf_linalg, tf_math, tf_nn, tf_record
from .tf_array import gather  # noqa: F401  (tf.gather with axis and batch_dims)
from .tf_module import Module  # noqa: F401  (tf.Module)
from ._version import __version__ as _version

from .tf_dtypes import (  # noqa: F401  (tf.float32, tf.as_dtype, ...)
    DType, as_dtype, bool_, float16, float32, float64, int8, int16, int32, int64, python_dtype,
    string, uint8)


# ---- tensors ---------------------------------------------------------------------------------
def constant(value, dtype=None, shape=None, name=None):
    if not isinstance(value, (Tensor, np.ndarray, np.generic)) and hasattr(value, "__array__"):
        value = np.asarray(value)  # a pandas Series / DataFrame: TensorFlow reads __array__
    if type(value) is np.ndarray and dtype is None and shape is None:
        t = _host_float(value)  # Note [array fast path] in backend_ops/_args.py
        if type(t) is Tensor and t.data.dtype == _floatx():  # K.constant would keep it as is
            t.name = name
            return t
    if is_text(np.asarray(value)):
        return Tensor(as_bytes_array(value, "constant"))
    if dtype is None:
        dtype = python_dtype(value)
    return K.constant(value, dtype=dtype, shape=shape, name=name)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    if isinstance(value, Tensor):
        return value if dtype is None else K.cast(value, dtype)
    if dtype is None and type(value) is np.ndarray:
        t = _host_float(value)  # Note [array fast path] in backend_ops/_args.py
        if type(t) is Tensor:
            return t
    arr = np.asarray(host(value))
    if is_text(arr):
        return Tensor(as_bytes_array(arr, "convert_to_tensor"))
    if dtype is None and dtype_hint is None and not isinstance(value, (np.ndarray, np.generic)):
        dtype = python_dtype(value)  # Python ints int32, as TensorFlow's
    if dtype is None and arr.dtype == np.float64 and not isinstance(value, np.ndarray):
        dtype = dtype_hint or "float32"  # Python floats / lists: float32, as TensorFlow
    return Tensor(arr if dtype is None else arr.astype(as_dtype(dtype)))


def Variable(initial_value, trainable=True, name=None, dtype=None):  # noqa: N802
    """``tf.Variable``: a Tensor holding ``initial_value`` (a value or a callable), assignable
    (``assign``, ``assign_add``, ``assign_sub``) and watched by GradientTape when trainable."""
    v = initial_value() if callable(initial_value) else initial_value
    t = convert_to_tensor(v, dtype=dtype)
    data = array_module(t.data).array(t.data)  # a copy, on the value's device
    t = Tensor(data, requires_grad=bool(trainable) and t.dtype.kind == "f",
               name=_variables.variable_name(name))
    _variables.VARIABLES[t] = bool(trainable)
    return t


class _Initializer:
    """TensorFlow 2's initializer objects (``tf.random_normal_initializer()``): called with
    ``(shape, dtype=tf.float32)``, they give a Tensor; Keras' initializers draw the values."""

    def __init__(self, init):
        self._init = init

    def __call__(self, shape, dtype=float32, **kwargs):
        shp = shape_arg("initializer", "shape", shape)
        return Tensor(np.asarray(self._init(shp, as_dtype(dtype))))


def random_normal_initializer(mean=0.0, stddev=0.05, seed=None):
    return _Initializer(_inits.RandomNormal(mean, stddev, seed))


def random_uniform_initializer(minval=-0.05, maxval=0.05, seed=None):
    return _Initializer(_inits.RandomUniform(minval, maxval, seed))


def zeros_initializer():
    return _Initializer(_inits.Zeros())


def ones_initializer():
    return _Initializer(_inits.Ones())


def constant_initializer(value=0):
    return _Initializer(_inits.Constant(value))


def shape(input, out_type=None, name=None):  # noqa: A002
    return K.shape(input)


def rank(input, name=None):  # noqa: A002
    return Tensor(np.int32(K.ndim(input)))


def _static_shape(x):
    # backend_ops (K) has no int_shape (that is tensorforge.backend's); lists are arrays here
    return tuple(int(d) for d in (x.shape if hasattr(x, "shape") else np.shape(x)))


def size(input, name=None):  # noqa: A002
    return Tensor(np.int32(int(np.prod(_static_shape(input), dtype=np.int64))))


def cast(x, dtype, name=None):
    return K.cast(x, as_dtype(dtype).name)


def reshape(tensor, shape, name=None):
    return K.reshape(tensor, shape)


def concat(values, axis, name=None):
    return K.concatenate(list(values), axis=axis)


def stack(values, axis=0, name=None):
    return K.stack(list(values), axis=axis)


def expand_dims(input, axis, name=None):  # noqa: A002
    if K.array_ops._symbolic(input):  # a functional-API tensor: an op layer (engine/node.py)
        from . import autograd
        return autograd._record_symbolic[0](expand_dims, input, axis)
    if is_text(input):  # strings: no gradient, only the shape changes
        return Tensor(np.expand_dims(as_bytes_array(input, "expand_dims"), axis))
    return K.expand_dims(input, axis)


def tensordot(a, b, axes, name=None):
    """``tf.tensordot``: an int ``axes`` contracts the last ``axes`` axes of ``a`` with the first
    ``axes`` of ``b``; a pair of lists names the axes of each. Differentiable (a reshape, a
    transpose and one matrix product)."""
    a, b = _tensor("tensordot", "a", a), _tensor("tensordot", "b", b)
    if isinstance(axes, (int, np.integer)):
        if axes < 0 or axes > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes={axes} must be in [0, {min(a.ndim, b.ndim)}] for "
                             f"shapes {a.shape} and {b.shape}")
        ax_a, ax_b = list(builtins.range(a.ndim - axes, a.ndim)), list(builtins.range(axes))
    else:
        try:
            ax_a, ax_b = ([int(i) for i in np.atleast_1d(x)] for x in axes)
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: axes must be an int or a pair of axis lists, got "
                            f"{axes!r}") from None
        ax_a = [i % a.ndim for i in ax_a]
        ax_b = [i % b.ndim for i in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ValueError(f"tensordot: contracted dimensions differ: {a.shape} axes {ax_a} vs "
                         f"{b.shape} axes {ax_b}")
    free_a = [i for i in builtins.range(a.ndim) if i not in ax_a]
    free_b = [i for i in builtins.range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a], dtype=np.int64))
    order_a, order_b = free_a + ax_a, ax_b + free_b
    at = a if order_a == sorted(order_a) else K.permute_dimensions(a, order_a)
    bt = b if order_b == sorted(order_b) else K.permute_dimensions(b, order_b)
    out_a, out_b = [a.shape[i] for i in free_a], [b.shape[i] for i in free_b]
    m = int(np.prod(out_a, dtype=np.int64))
    y = K.dot(K.reshape(at, (m, k)), K.reshape(bt, (k, int(np.prod(out_b, dtype=np.int64)))))
    return K.reshape(y, tuple(out_a + out_b))


def squeeze(input, axis=None, name=None):  # noqa: A002
    if axis is None:
        dims = [i for i, d in enumerate(_static_shape(input)) if d == 1]
        out = input
        for a in reversed(dims):
            out = K.squeeze(out, a)
        return out
    return K.squeeze(input, axis)


def transpose(a, perm=None, name=None):
    return K.transpose(a) if perm is None else K.permute_dimensions(a, tuple(perm))


def ones(shape, dtype=None, name=None):
    return K.ones(shape, dtype=None if dtype is None else as_dtype(dtype).name)


def zeros(shape, dtype=None, name=None):
    return K.zeros(shape, dtype=None if dtype is None else as_dtype(dtype).name)


def ones_like(input, dtype=None, name=None):  # noqa: A002
    return K.ones_like(input, dtype=dtype)


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    return K.zeros_like(input, dtype=dtype)


def fill(dims, value, name=None):
    return K.constant(value, shape=dims)


def _scalar(v):
    """A scalar Tensor (``tf.shape(x)[-1]``) as its Python number; anything else unchanged."""
    if isinstance(v, Tensor) and v.ndim == 0:
        return v.item()
    return v


def range(start, limit=None, delta=1, dtype=None, name=None):  # noqa: A001
    start, limit, delta = _scalar(start), _scalar(limit), _scalar(delta)
    return K.arange(start, limit, delta, dtype=dtype or ("int32" if all(
        isinstance(v, (int, np.integer)) for v in (start, 0 if limit is None else limit, delta))
        else "float32"))


def one_hot(indices, depth, name=None, **kwargs):
    return K.one_hot(indices, depth)


def where(condition, x=None, y=None, name=None):
    if x is None and y is None:
        return Tensor(np.argwhere(np.asarray(host(condition))))
    return K.switch(condition, x, y)


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """``tf.split``: a list of pieces along ``axis``, ``num_or_size_splits`` equal ones or the
    given sizes (one of them may be -1). Differentiable (slices)."""
    x = _tensor("split", "value", value)
    ax = int(axis) % x.ndim
    n = x.shape[ax]
    if isinstance(num_or_size_splits, (int, np.integer)):
        k = int(num_or_size_splits)
        if k < 1 or n % k:
            raise ValueError(f"split: axis {axis} of size {n} cannot be split into {k} equal "
                             "pieces")
        sizes = [n // k] * k
    else:
        sizes = [int(v) for v in host(getattr(num_or_size_splits, "data", num_or_size_splits))]
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or min(sizes) < 0:
            raise ValueError(f"split: sizes {sizes} do not add up to axis {axis}'s size {n}")
    out, start = [], 0
    for k in sizes:
        idx = [slice(None)] * x.ndim
        idx[ax] = slice(start, start + k)
        out.append(x[tuple(idx)])
        start += k
    return out


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """``tf.repeat``: each element (axis None: of the flattened input) or each slice along
    ``axis`` repeated ``repeats`` times (a number, or one count per slice). Differentiable (a
    gather)."""
    x = _tensor("repeat", "input", input)
    if axis is None:
        x, ax = K.reshape(x, (-1,)), 0
    else:
        ax = int(axis) % x.ndim
    n = x.shape[ax]
    r = np.asarray(host(getattr(repeats, "data", repeats))).reshape(-1).astype(np.int64)
    if r.size == 1:
        r = np.repeat(r, n)
    if r.size != n or np.any(r < 0):
        raise ValueError(f"repeat: repeats must be one non-negative count or {n} of them (the "
                         f"size of axis {ax}), got {r.tolist()}")
    return K.gather(x, np.repeat(np.arange(n), r)) if ax == 0 else \
        K.permute_dimensions(K.gather(K.permute_dimensions(x, _front(ax, x.ndim)),
                                      np.repeat(np.arange(n), r)), _front(ax, x.ndim))


def _front(ax, ndim):
    """The permutation swapping axis ``ax`` with axis 0 (its own inverse)."""
    p = list(builtins.range(ndim))
    p[0], p[ax] = ax, 0
    return tuple(p)


def linspace(start, stop, num, name=None, axis=0):
    """``tf.linspace``: ``num`` evenly spaced values (float64 for integer ends, as
    TensorFlow; else the ends' float type)."""
    a = np.asarray(host(getattr(start, "data", start)))
    dt = a.dtype if a.dtype.kind == "f" else np.dtype("float64")
    if a.dtype == np.float64 and isinstance(start, float):
        dt = np.dtype("float32")  # a Python float: float32, as tf.constant makes it
    out = np.linspace(a, np.asarray(host(getattr(stop, "data", stop))), int(num), axis=axis)
    return Tensor(device_xp().asarray(out.astype(dt)))


def identity(input, name=None):  # noqa: A002
    return input if isinstance(input, Tensor) else convert_to_tensor(input)


def stop_gradient(input, name=None):  # noqa: A002
    return K.stop_gradient(input)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.matmul``: op(a) @ op(b), op a transpose of the last two axes where asked; rank 2 is
    Keras' dot, rank >= 3 TensorFlow's batched product over the broadcast leading axes. The
    dtypes are real floats, so ``adjoint_*`` is ``transpose_*``; the sparsity hints change
    nothing. Plain float Tensors of matching shapes go straight to the GEMM op (Note [backend
    fast paths] in backend_ops/math_ops.py)."""
    if adjoint_a or adjoint_b:
        if (adjoint_a and transpose_a) or (adjoint_b and transpose_b):
            raise ValueError("matmul: only one of transpose_a and adjoint_a (transpose_b and "
                             "adjoint_b) may be True")
        transpose_a, transpose_b = transpose_a or adjoint_a, transpose_b or adjoint_b
    if type(a) is np.ndarray or type(b) is np.ndarray:
        a, b = _host_float(a), _host_float(b)  # Note [array fast path] in backend_ops/_args.py
    if type(a) is Tensor and type(b) is Tensor and a.dtype == b.dtype and a.dtype.kind == "f":
        sa, sb = a.shape, b.shape
        if len(sa) == 2 and len(sb) == 2 and sa[0 if transpose_a else 1] == \
                sb[1 if transpose_b else 0]:
            if transpose_a or transpose_b:
                return _ops_gemm(a, b, trans_a=bool(transpose_a), trans_b=bool(transpose_b))
            return _ops_matmul(a, b)
        if len(sa) >= 3 and len(sb) >= 3 and not (transpose_a or transpose_b):
            return _ops_matmul(a, b)  # (the batched kernel checks the shapes)
    a, b = _tensor("matmul", "a", a), _tensor("matmul", "b", b)  # arrays, lists: converted once
    if transpose_a:
        a = K.permute_dimensions(a, tuple(builtins.range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2))
    if transpose_b:
        b = K.permute_dimensions(b, tuple(builtins.range(b.ndim - 2)) + (b.ndim - 1, b.ndim - 2))
    if a.ndim == 2 and b.ndim == 2:
        return K.dot(a, b)
    # rank >= 3: TensorFlow's batched product over the leading axes (broadcast), not Keras'
    # batch_dot, which contracts a 4-D pair into a 5-D result
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(f"matmul: a and b must have rank >= 2, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    return a @ b


def einsum(equation, *inputs, name=None, **kwargs):
    """``tf.einsum``: a differentiable contraction in subscripts (ops/einsum.py); a symbolic
    operand records an op layer."""
    if any(K.array_ops._symbolic(t) for t in inputs):
        from . import autograd
        return autograd._record_symbolic[0](einsum, equation, *inputs)
    from .ops.einsum import einsum as _einsum
    y = _einsum(equation, *[_tensor("einsum", "inputs", t) for t in inputs])
    return y if isinstance(y, Tensor) else Tensor(y)


def unstack(value, num=None, axis=0, name=None):
    """``tf.unstack``: the slices of ``value`` along ``axis``, as a list (differentiable)."""
    x = _tensor("unstack", "value", value)
    ax = int(axis) % x.ndim if x.ndim else None
    if ax is None:
        raise ValueError("unstack: value must have rank >= 1, got a scalar")
    n = x.shape[ax]
    if num is not None and int(num) != n:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of shape "
                         f"{tuple(x.shape)}")
    idx = (slice(None),) * ax
    return [x[idx + (i,)] for i in builtins.range(n)]


newaxis = None  # tf.newaxis: x[:, tf.newaxis, :]


def tile(input, multiples, name=None):  # noqa: A002
    """``tf.tile``: ``input`` repeated ``multiples[i]`` times along axis i (a list or an int
    Tensor, as ``tf.concat([tf.expand_dims(batch, -1), [1, 1]], 0)``). Differentiable."""
    if K.array_ops._symbolic(input) or K.array_ops._symbolic(multiples):
        from . import autograd
        return autograd._record_symbolic[0](tile, input, multiples)
    m = multiples.numpy() if isinstance(multiples, Tensor) else multiples
    m = np.ravel(np.asarray(m))
    if m.dtype.kind not in "iu" and not (m.dtype.kind == "f" and np.all(m == np.round(m))):
        raise TypeError(f"tile: multiples must be integers, got {m.dtype} {m.tolist()}")
    return K.tile(input, [int(v) for v in m])


class device:  # noqa: N801  (tf.device is used as a context manager)
    """``with tf.device("/CPU:0"):`` -- accepted and ignored: placement follows the tensors
    (tensorforge.device / .to() move them), as TensorFlow's soft placement would."""

    def __init__(self, device_name):
        if not isinstance(device_name, str) and device_name is not None:
            raise TypeError(f"device: device_name must be a string, got "
                            f"{type(device_name).__name__}")
        self.name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---- math ------------------------------------------------------------------------------------
def _reduction(kfn):
    def fn(input_tensor, axis=None, keepdims=False, name=None):
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        return kfn(input_tensor, axis=axis, keepdims=keepdims)
    fn.__name__ = "reduce_" + kfn.__name__
    return fn


reduce_mean = _reduction(K.mean)
reduce_sum = _reduction(K.sum)
reduce_max = _reduction(K.max)
reduce_min = _reduction(K.min)
reduce_prod = _reduction(K.prod)
reduce_std = _reduction(K.std)
reduce_variance = _reduction(K.var)
reduce_logsumexp = _reduction(K.logsumexp)
reduce_any = _reduction(K.any)
reduce_all = _reduction(K.all)


def _unary(kfn, name):
    def fn(x, name=None):
        return kfn(x)
    fn.__name__ = name
    return fn


square = _unary(K.square, "square")
sqrt = _unary(K.sqrt, "sqrt")
exp = _unary(K.exp, "exp")
log = _unary(K.log, "log")
abs = _unary(K.abs, "abs")  # noqa: A001
sign = _unary(K.sign, "sign")
round = _unary(K.round, "round")  # noqa: A001
sin, cos = _unary(K.sin, "sin"), _unary(K.cos, "cos")
tanh, sigmoid = _unary(K.tanh, "tanh"), _unary(K.sigmoid, "sigmoid")
softplus = _unary(K.softplus, "softplus")


def add(x, y, name=None):
    return _tensor("add", "x", x) + y


def subtract(x, y, name=None):
    return _tensor("subtract", "x", x) - y


def multiply(x, y, name=None):
    return _tensor("multiply", "x", x) * y


def divide(x, y, name=None):
    return _tensor("divide", "x", x) / y


def pow(x, y, name=None):  # noqa: A001
    return K.pow(x, y)


def negative(x, name=None):
    return -_tensor("negative", "x", x)


def reciprocal(x, name=None):
    return 1.0 / _tensor("reciprocal", "x", x)


def maximum(x, y, name=None):
    return K.maximum(x, y)


def minimum(x, y, name=None):
    return K.minimum(x, y)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    return K.clip(t, clip_value_min, clip_value_max)


def argmax(input, axis=None, output_type=int64, name=None):  # noqa: A002
    return K.cast(K.argmax(input, axis=0 if axis is None else axis), as_dtype(output_type).name)


def argmin(input, axis=None, output_type=int64, name=None):  # noqa: A002
    return K.cast(K.argmin(input, axis=0 if axis is None else axis), as_dtype(output_type).name)


def equal(x, y, name=None):
    return K.equal(x, y)


def not_equal(x, y, name=None):
    return K.not_equal(x, y)


def greater(x, y, name=None):
    return K.greater(x, y)


def less(x, y, name=None):
    return K.less(x, y)


def add_n(inputs, name=None):
    out = inputs[0]
    for t in inputs[1:]:
        out = out + t
    return out


def _log1p(x, name=None):
    return K.log(1.0 + _tensor("log1p", "x", x))


def _l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``tf.math.l2_normalize`` (also ``tf.nn.``): x / sqrt(max(sum(x ** 2, axis), epsilon)),
    the sum over ``axis`` (all axes when None; ``dim`` is its TF 1 name)."""
    x = _tensor("l2_normalize", "x", x)
    ax = dim if axis is None else axis
    return x * K.pow(K.maximum(reduce_sum(K.square(x), ax, keepdims=True), float(epsilon)), -0.5)


math = types.SimpleNamespace(
    l2_normalize=_l2_normalize, reduce_mean=reduce_mean, reduce_sum=reduce_sum,
    reduce_max=reduce_max,
    reduce_min=reduce_min, reduce_prod=reduce_prod, reduce_std=reduce_std,
    reduce_variance=reduce_variance, reduce_logsumexp=reduce_logsumexp,
    square=square, sqrt=sqrt, exp=exp, log=log, abs=abs, sign=sign, round=round, sin=sin,
    cos=cos, tanh=tanh, sigmoid=sigmoid, softplus=softplus, add=add, subtract=subtract,
    multiply=multiply, divide=divide, pow=pow, negative=negative, reciprocal=reciprocal,
    maximum=maximum, minimum=minimum, argmax=argmax, argmin=argmin, equal=equal,
    not_equal=not_equal, greater=greater, less=less, add_n=add_n, log1p=_log1p, top_k=tf_nn.top_k,
    cumsum=tf_array.cumsum, reduce_any=reduce_any, reduce_all=reduce_all,
    **{n: getattr(tf_math, n) for n in tf_math.__all__})


# ---- nn (the functions are in tf_nn.py) -------------------------------------------------------
nn = types.SimpleNamespace(
    sigmoid=sigmoid, tanh=tanh, softplus=softplus,
    elu=lambda features, name=None: K.elu(features),
    l2_normalize=_l2_normalize,
    dropout=lambda x, rate, noise_shape=None, seed=None, name=None: K.dropout(
        x, rate, noise_shape=noise_shape, seed=seed),
    bias_add=lambda value, bias, data_format=None, name=None: K.bias_add(value, bias),
    **{n: getattr(tf_nn, n) for n in tf_nn.__all__})
linalg = types.SimpleNamespace(
    matmul=matmul, norm=tf_array.norm, l2_normalize=_l2_normalize, eye=tf_array.eye,
    adjoint=tf_linalg.matrix_transpose, einsum=einsum, tensordot=tensordot,
    global_norm=tf_array.global_norm, **{n: getattr(tf_linalg, n) for n in tf_linalg.__all__})


# ---- random ----------------------------------------------------------------------------------
def _normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    return K.random_normal(shape, mean=mean, stddev=stddev, dtype=as_dtype(dtype).name, seed=seed)


def _uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    return K.random_uniform(shape, minval=minval, maxval=1.0 if maxval is None else maxval,
                            dtype=as_dtype(dtype).name, seed=seed)


def _gamma(shape, alpha, beta=None, dtype=float32, seed=None, name=None):
    """Samples of Gamma(alpha, rate beta), shape ``shape + broadcast(alpha, beta).shape``."""
    from .backend_ops.variables import _gen
    shp = shape_arg("tf.random.gamma", "shape", shape)
    a = np.asarray(host(alpha.data if isinstance(alpha, Tensor) else alpha), dtype=np.float64)
    b = np.asarray(1.0 if beta is None else host(beta.data if isinstance(beta, Tensor) else beta),
                   dtype=np.float64)
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError("tf.random.gamma: alpha and beta must be positive")
    ab = np.broadcast_shapes(a.shape, b.shape)
    draws = _gen("tf.random.gamma", seed).standard_gamma(np.broadcast_to(a, tuple(shp) + ab))
    return Tensor(device_xp().asarray((draws / b).astype(as_dtype(dtype))))


def _set_seed(seed):
    _random.set_seed(seed)
    np.random.seed(None if seed is None else int(seed) % (2 ** 32))


random = types.SimpleNamespace(normal=_normal, uniform=_uniform, set_seed=_set_seed, gamma=_gamma,
                               categorical=tf_random.categorical,
                               **{n: getattr(tf_random, n) for n in (
                                   "shuffle", "poisson", "stateless_uniform", "stateless_normal",
                                   "stateless_truncated_normal", "stateless_categorical",
                                   "Generator")},
                               truncated_normal=lambda shape, mean=0.0, stddev=1.0, dtype=float32,
                               seed=None, name=None: K.truncated_normal(
                                   shape, mean, stddev, as_dtype(dtype).name, seed))

strings = types.SimpleNamespace(**{n: getattr(tf_strings, n) for n in tf_strings.__all__},
                                **{n: getattr(tf_strings_convert, n)
                                   for n in tf_strings_convert.__all__})
io = types.SimpleNamespace(
    TFRecordWriter=tf_record.TFRecordWriter, TFRecordOptions=tf_record.TFRecordOptions,
    parse_single_example=tf_example.parse_single_example, parse_example=tf_example.parse_example,
    FixedLenFeature=tf_example.FixedLenFeature, VarLenFeature=tf_example.VarLenFeature,
    **{n: getattr(tf_io, n) for n in tf_io.__all__})
sparse = types.SimpleNamespace(SparseTensor=tf_example.SparseTensor,
                               to_dense=tf_example.sparse_to_dense)
SparseTensor = tf_example.SparseTensor
image = types.SimpleNamespace(**{n: getattr(tf_image, n) for n in tf_image.__all__},
                              **{n: getattr(tf_image_ops, n) for n in tf_image_ops.__all__})
ragged = types.SimpleNamespace(constant=tf_ragged.constant, RaggedTensor=tf_ragged.RaggedTensor)
RaggedTensor = tf_ragged.RaggedTensor

# ---- data, function --------------------------------------------------------------------------
data = types.SimpleNamespace(Dataset=tf_data.Dataset, AUTOTUNE=tf_data.AUTOTUNE,
                             TextLineDataset=tf_data.TextLineDataset,
                             TFRecordDataset=tf_record.TFRecordDataset,
                             Options=tf_data_ops.Options,
                             experimental=types.SimpleNamespace(
                                 AUTOTUNE=tf_data.AUTOTUNE,
                                 AutoShardPolicy=tf_data_ops.AutoShardPolicy,
                                 sample_from_datasets=tf_data.Dataset.sample_from_datasets,
                                 choose_from_datasets=tf_data.Dataset.choose_from_datasets,
                                 make_csv_dataset=tf_data_csv.make_csv_dataset,
                                 cardinality=tf_data.Dataset.cardinality,
                                 INFINITE_CARDINALITY=tf_data.INFINITE_CARDINALITY,
                                 UNKNOWN_CARDINALITY=tf_data.UNKNOWN_CARDINALITY),
                             INFINITE_CARDINALITY=tf_data.INFINITE_CARDINALITY,
                             UNKNOWN_CARDINALITY=tf_data.UNKNOWN_CARDINALITY)
TensorSpec = tf_data.TensorSpec
train = types.SimpleNamespace(latest_checkpoint=tf_train.latest_checkpoint,
                              get_checkpoint_state=tf_train.get_checkpoint_state,
                              Checkpoint=tf_checkpoint.Checkpoint,
                              CheckpointManager=tf_checkpoint.CheckpointManager,
                              **{n: getattr(tf_example, n) for n in (
                                  "Example", "Features", "Feature", "BytesList", "FloatList",
                                  "Int64List")})
# tf.version.VERSION is tf.__version__ (TensorFlow's are the same string): tensorforge's own
version = types.SimpleNamespace(VERSION=_version)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_relax_shapes=None, **kwargs):
    """``@tf.function``: tensorforge runs eagerly; the function is returned unchanged."""
    if func is None:
        return lambda f: f
    return func


def executing_eagerly():
    return True


def _as_bytes(bytes_or_text, encoding="utf-8"):
    """tf.compat.as_bytes: str -> bytes (encoded), bytes-like -> bytes."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"compat.as_bytes: expected bytes or str, got {bytes_or_text!r}")


def _as_text(bytes_or_text, encoding="utf-8"):
    """tf.compat.as_text / as_str: bytes -> str (decoded), str -> str."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"compat.as_text: expected bytes or str, got {bytes_or_text!r}")


def _set_eager(enabled=True, *args, **kwargs):
    """``tf.compat.v1.disable_eager_execution()`` / ``enable_eager_execution()``: accepted and
    ignored. tensorforge always runs eagerly; a Keras 2 program that switches TensorFlow to graph
    mode (Deep Learning with Python 8.4's VAE) builds, fits and predicts the same models, and
    ``executing_eagerly()`` stays True, since no graph-mode API (placeholders, sessions) exists
    here for a program to branch to."""


compat = types.SimpleNamespace(
    as_bytes=_as_bytes, as_text=_as_text, as_str=_as_text,
    v1=types.SimpleNamespace(disable_eager_execution=lambda: _set_eager(False),
                             enable_eager_execution=_set_eager,
                             executing_eagerly=executing_eagerly))


def print(*inputs, **kwargs):  # noqa: A001
    builtins.print(*[getattr(t, "numpy", lambda t=t: t)() for t in inputs],
                   **{k: v for k, v in kwargs.items() if k in ("sep", "end")})


__all__ = [
    "linalg", "dtypes", "UnconnectedGradients", "Module", "sparse", "SparseTensor",
    "GradientTape", "Variable", "random_normal_initializer", "random_uniform_initializer",
    "zeros_initializer", "ones_initializer", "constant_initializer", "function",
    "executing_eagerly", "compat", "config", "distribute", "data", "math", "nn", "random",
    "strings", "io", "image",
    "summary", "train", "version", "test",
    "TensorSpec", "TensorShape",
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
    "string", "DType", "as_dtype", "constant", "convert_to_tensor", "shape", "rank", "size", "cast",
    "reshape", "concat", "split", "repeat", "linspace", "stack", "expand_dims", "tensordot",
    "squeeze", "transpose", "ones", "zeros", "ones_like", "zeros_like", "fill", "range", "one_hot", "gather", "where", "identity",
    "stop_gradient", "matmul", "reduce_mean", "reduce_sum", "reduce_max", "reduce_min",
    "reduce_prod", "reduce_std", "reduce_variance", "reduce_logsumexp", "reduce_any",
    "reduce_all", "square", "sqrt", "exp", "log", "abs", "sign", "round", "sin", "cos", "tanh",
    "sigmoid", "softplus", "add", "subtract", "multiply", "divide", "pow", "negative",
    "reciprocal", "maximum", "minimum", "clip_by_value", "argmax", "argmin", "equal",
    "not_equal", "greater", "less", "add_n", "print", "newaxis", "tile", "device", "ragged",
    "einsum", "unstack", "RaggedTensor", "gather_nd", "tensor_scatter_nd_add"]
# the ops of tf_array.py / tf_math.py / tf_control.py that TensorFlow has on ``tf``
_TOP_MATH = ["floor", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tan", "asinh", "acosh",
             "atanh", "truediv", "realdiv", "logical_and", "logical_or", "logical_not",
             "greater_equal", "less_equal"]
_ADDED = dict({n: getattr(tf_math, n) for n in _TOP_MATH},
              **{n: getattr(tf_array, n) for n in tf_array.__all__},
              **{n: getattr(tf_control, n) for n in tf_control.__all__},
              **{n: getattr(tf_debugging, n) for n in tf_debugging.__all__})


def __getattr__(name):
    """The added ops by their TensorFlow names (``tf_compat.slice``), kept out of this module's
    globals, where ``slice`` / ``sort`` would shadow the builtins its functions call."""
    try:
        return _ADDED[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


dtypes = types.SimpleNamespace(
    float16=float16, float32=float32, float64=float64, int8=int8, int16=int16, int32=int32,
    int64=int64, uint8=uint8, bool=bool_, string=string, DType=DType, as_dtype=as_dtype, cast=cast)
__all__ += _TOP_MATH + tf_array.__all__ + tf_control.__all__ + tf_debugging.__all__
