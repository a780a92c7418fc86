"""TensorFlow 2's tensor-making and shape names on ``tf`` (``tf.constant``, ``tf.Variable``,
``tf.convert_to_tensor``, the initializer objects, ``tf.shape`` ... ``tf.tile``, ``tf.device``),
re-exported by tf_compat.py: each is the Keras backend function with TensorFlow's name,
arguments and dtype rules."""
import builtins

import numpy as np

from ._xp import array_module, host
from . import backend_ops as K
from .backend_ops._args import device_xp, host_float as _host_float, shape_arg, tensor as _tensor
from . import _variables, tf_complex
from . import tf_ragged
from . import initializers as _inits
from .autograd import Tensor
from .ops.gemm import gemm as _ops_gemm, matmul as _ops_matmul
from ._text import as_bytes_array, is_text, text_values
from .tf_debugging import InvalidArgumentError
from .tf_example import SparseTensor
from .tf_dtypes import as_dtype, float32, python_dtype

__all__ = ["constant", "convert_to_tensor", "Variable", "random_normal_initializer",
           "random_uniform_initializer", "zeros_initializer", "ones_initializer",
           "constant_initializer", "shape", "rank", "size", "cast", "reshape", "concat", "stack",
           "expand_dims", "tensordot", "squeeze", "transpose", "ones", "zeros", "ones_like",
           "zeros_like", "fill", "range", "one_hot", "where", "split", "repeat", "linspace",
           "identity", "stop_gradient", "matmul", "einsum", "unstack", "tile", "device", "newaxis"]


def constant(value, dtype=None, shape=None, name=None):
    if not isinstance(value, (Tensor, np.ndarray, np.generic)) and hasattr(value, "__array__"):
        value = np.asarray(value)  # a pandas Series / DataFrame: TensorFlow reads __array__
    if type(value) is np.ndarray and dtype is None and shape is None and value.dtype.kind != "c":
        t = _host_float(value)  # Note [array fast path] in backend_ops/_args.py
        if type(t) is Tensor:  # a float32 / float64 array keeps its dtype, as TensorFlow's
            t.name = name
            return t
    if dtype is None and isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "f":
        dtype = value.dtype  # NumPy floats keep their dtype (Python floats: floatx)
    arr = np.asarray(value) if not isinstance(value, Tensor) else \
        (value.data if value.data.dtype == object else None)  # a string Tensor stays strings
    if arr is not None and is_text(arr):
        return Tensor(as_bytes_array(value, "constant"))
    if arr is not None and dtype is None and arr.dtype.kind == "c":  # TensorFlow keeps complex
        return Tensor(arr if shape is None else np.broadcast_to(arr, tuple(shape)).copy())
    if dtype is None:  # a Tensor keeps its dtype (TensorFlow's tf.constant(int32 tensor))
        dtype = value.dtype if isinstance(value, Tensor) else python_dtype(value)
    return K.constant(value, dtype=dtype, shape=shape, name=name)


def _read(variable):
    """A variable's value as a Tensor, as TensorFlow reads it (``convert_to_tensor(v)``,
    ``tf.identity(v)``: a ``tf.Tensor``, printed as one, differentiable to the variable)."""
    return K.reshape(variable, variable.shape)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    if isinstance(value, Tensor):
        if dtype is None:
            return _read(value) if value._is_variable() else value
        return K.cast(value, dtype)
    if dtype is None and type(value) is np.ndarray and value.dtype.kind != "c":
        t = _host_float(value)  # Note [array fast path] in backend_ops/_args.py
        if type(t) is Tensor:
            return t
    try:
        arr = np.asarray(host(value))
    except ValueError:  # NumPy reads a string Tensor in a list as a sequence (of bytes)
        packed = _packed_text(value) if isinstance(value, (list, tuple)) else None
        if packed is None:
            raise
        return packed
    if is_text(arr):
        return Tensor(as_bytes_array(arr, "convert_to_tensor"))
    if dtype is None and arr.dtype.kind == "c":  # TensorFlow keeps complex values complex
        return Tensor(arr)
    if dtype is None and dtype_hint is None and not isinstance(value, np.ndarray):
        dtype = python_dtype(value)  # Python ints int32, NumPy float scalars their own, as TensorFlow's
    if dtype is None and arr.dtype == np.float64 and not isinstance(value, np.ndarray):
        dtype = dtype_hint or "float32"  # Python floats / lists: float32, as TensorFlow
    return Tensor(arr if dtype is None else arr.astype(as_dtype(dtype)))


def _packed_text(value):
    """``convert_to_tensor`` of a (nested) list of string Tensors and strings, as TensorFlow
    packs them: a string Tensor; a number among them is TensorFlow's InvalidArgumentError.
    None when the list holds no strings."""
    def leaves(x):
        return [v for e in x for v in leaves(e)] if isinstance(x, (list, tuple)) else [x]
    kinds = [isinstance(v, (str, bytes)) or (isinstance(v, Tensor) and is_text(v.data))
             for v in leaves(value)]
    if not any(kinds):
        return None
    if not all(kinds):
        i = kinds.index(False)
        raise InvalidArgumentError(f"convert_to_tensor: cannot pack a list of strings and string "
                                   f"tensors with a non-string item (item #{i} of the "
                                   f"flattened list)")
    text = text_values(value)
    if text is None:
        raise ValueError("convert_to_tensor: the string tensors and strings of the list do not "
                         "make an array (ragged nesting, or tensors of different shapes)")
    return Tensor(text)


_VARIABLE_INERT = ("validate_shape", "caching_device", "variable_def", "import_scope",
                   "synchronization", "aggregation", "shape", "experimental_enable_variable_lifting")


def Variable(initial_value, trainable=True, name=None, dtype=None, constraint=None,  # noqa: N802
             **kwargs):
    """``tf.Variable``: a Tensor holding ``initial_value`` (a value or a callable), assignable
    (``assign``, ``assign_add``, ``assign_sub``) and watched by GradientTape when trainable.
    ``constraint``: applied by the Keras optimizers after each update, as TensorFlow's. Its
    graph / distribution arguments (``validate_shape``, ``synchronization``, ...) change
    nothing in eager execution and are accepted."""
    unknown = set(kwargs) - set(_VARIABLE_INERT)
    if unknown:
        raise TypeError(f"Variable: unexpected keyword arguments {sorted(unknown)}")
    v = initial_value() if callable(initial_value) else initial_value
    t = convert_to_tensor(v, dtype=dtype)
    data = array_module(t.data).array(t.data)  # a copy, on the value's device
    t = Tensor(data, requires_grad=bool(trainable) and t.dtype.kind == "f",
               name=_variables.variable_name(name))
    _variables.VARIABLES[t] = bool(trainable)
    if constraint is not None:
        if not callable(constraint):
            raise ValueError(f"Variable: the constraint must be callable, got {constraint!r}")
        t._constraint = constraint
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
    """x as ``dtype``; a SparseTensor casts its values (keras-io's handwriting_recognition.py
    casts ``tf.sparse.from_dense(labels)`` to int64 for tf.edit_distance)."""
    if isinstance(x, SparseTensor):
        return SparseTensor(x.indices, K.cast(x.values, as_dtype(dtype).name), x.dense_shape)
    return K.cast(x, as_dtype(dtype).name)


def reshape(tensor, shape, name=None):
    return K.reshape(tensor, shape)


_TF_TYPE_NAME = {"float32": "float", "float64": "double"}  # TensorFlow's DataTypeString


def concat(values, axis, name=None):
    """TensorFlow's ``tf.concat``: the tensors must share one dtype (an int32 and a float32
    tensor are its InvalidArgumentError, not a float64 result); arrays, lists and numbers take
    the first tensor's dtype."""
    values = list(values)
    if any(isinstance(v, tf_ragged.RaggedTensor) for v in values):
        return tf_ragged.concat(values, axis)
    eager = [(i, v) for i, v in enumerate(values) if isinstance(v, Tensor) and not K.array_ops._symbolic(v)]
    if eager:
        want = np.dtype(eager[0][1].dtype)
        for i, v in eager[1:]:
            if np.dtype(v.dtype) != want:
                raise InvalidArgumentError(
                    f"cannot compute ConcatV2 as input #{i}(zero-based) was expected to be a "
                    f"{_TF_TYPE_NAME.get(want.name, want.name)} tensor but is a "
                    f"{_TF_TYPE_NAME.get(np.dtype(v.dtype).name, np.dtype(v.dtype).name)} tensor "
                    f"[Op:ConcatV2] name: concat")
        if want.kind in "fiub":
            values = [v if isinstance(v, Tensor) or is_text(v) else convert_to_tensor(v, dtype=want.name)
                      for v in values]
    return K.concatenate(values, axis=axis)


def stack(values, axis=0, name=None):
    values = list(values)
    texts = [text_values(v) for v in values]
    if any(t is not None for t in texts):  # strings: stacked as they are (TensorFlow's)
        return Tensor(np.stack([t if t is not None else np.asarray(v) for t, v in
                                zip(texts, values)], axis=axis))
    return K.stack(values, axis=axis)


def expand_dims(input, axis, name=None):  # noqa: A002
    if K.array_ops._symbolic(input):  # a functional-API tensor: an op layer (symbolic/node.py)
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
    """TensorFlow's squeeze: `axis` one int or a list / tuple of them (Raschka ch. 13's
    ``tf.squeeze(t, axis=(2, 4))``); an empty list is the default, every size-1 axis."""
    if isinstance(axis, (list, tuple)) and len(axis) == 0:
        axis = None
    if axis is None:
        dims = [i for i, d in enumerate(_static_shape(input)) if d == 1]
    elif isinstance(axis, (list, tuple)):
        shape = _static_shape(input)
        bad = [a for a in axis if not -len(shape) <= int(a) < len(shape)]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} is out of range for input with shape "
                             f"{tuple(shape)}")
        dims = sorted({int(a) % len(shape) for a in axis})
    else:
        return K.squeeze(input, axis)
    out = input
    for a in reversed(dims):  # the last axis first: the earlier ones keep their index
        out = K.squeeze(out, a)
    return out


def transpose(a, perm=None, name=None):
    t = text_values(a)
    if t is not None:  # strings: moved as they are
        return Tensor(np.ascontiguousarray(np.transpose(t, None if perm is None else tuple(perm))))
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
    """TensorFlow's fill: the value's own dtype (a Python int gives int32, a float float32:
    Hands-On ML 2 ch. 16 fills start-of-sequence ids and concatenates them with int32 ids)."""
    return K.constant(value, dtype=convert_to_tensor(value).dtype.name, shape=dims)


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
    return convert_to_tensor(input)


def stop_gradient(input, name=None):  # noqa: A002
    return K.stop_gradient(input)


def _check_contraction(sa, sb, transpose_a, transpose_b):
    """TensorFlow's error for known, unequal contraction sizes: an InvalidArgumentError (a
    ValueError here), which programs catch by that name (the TF guide "Introduction to
    modules" calls a built layer on too wide an input inside ``except
    tf.errors.InvalidArgumentError``)."""
    if len(sa) < 2 or len(sb) < 2:
        return
    k_a, k_b = sa[-2 if transpose_a else -1], sb[-1 if transpose_b else -2]
    if isinstance(k_a, int) and isinstance(k_b, int) and k_a != k_b:
        dims = lambda s: "[" + ",".join(str(d) for d in s) + "]"  # noqa: E731
        raise InvalidArgumentError(f"matmul: Matrix size-incompatible: In[0]: {dims(sa)}, "
                                   f"In[1]: {dims(sb)} [Op:MatMul]")


def _integer_matmul(a, b, transpose_a, transpose_b):
    """TensorFlow's integer ``tf.matmul`` (``tf.matmul([[1]], [[2, 3]])``: int32, the TF
    customization tutorial's first tensors): one integer dtype on both sides, computed exactly,
    no gradient (TensorFlow has none for integer products either)."""
    a = a if isinstance(a, Tensor) else convert_to_tensor(a)
    b = b if isinstance(b, Tensor) else convert_to_tensor(b)
    if a.dtype != b.dtype:
        na, nb = (_TF_TYPE_NAME.get(np.dtype(d).name, np.dtype(d).name) for d in (a.dtype, b.dtype))
        raise InvalidArgumentError(f"matmul: cannot compute MatMul as input #1(zero-based) was "
                                   f"expected to be a {na} tensor but is a {nb} tensor "
                                   f"[Op:MatMul]")
    if a.dtype.kind not in "iu" or a.ndim < 2 or b.ndim < 2:
        raise TypeError(f"matmul: a and b must be float or integer tensors of rank >= 2, got "
                        f"{a.dtype} {tuple(a.shape)} and {b.dtype} {tuple(b.shape)}")
    x, y = np.asarray(host(a.data)), np.asarray(host(b.data))
    x = np.swapaxes(x, -1, -2) if transpose_a else x
    y = np.swapaxes(y, -1, -2) if transpose_b else y
    return Tensor(np.matmul(x, y).astype(a.dtype))


def _hinted_by(a, b):
    """TensorFlow converts a non-tensor ``b`` with ``dtype_hint=a.dtype``: a float64 or integer
    NumPy array (or nested list) beside a float32 tensor is taken as float32 (the neural
    decision forest example's ``tf.matmul(features, one_hot[idx], transpose_b=True)``). A
    tensor ``b`` is left alone: mismatched tensors stay an error, as in TensorFlow."""
    if isinstance(a, (np.ndarray, list, tuple)) or not (type(b) is np.ndarray
                                                         or isinstance(b, (list, tuple))):
        return b
    try:
        dt = np.dtype(getattr(a, "dtype", None))
    except TypeError:
        return b
    arr = np.asarray(b) if dt.kind == "f" else None
    if arr is None or arr.dtype.kind not in "iuf" or arr.dtype == dt:
        return b
    return np.ascontiguousarray(arr, dtype=dt)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.matmul``: op(a) @ op(b), op a transpose of the last two axes where asked; rank 2 is
    Keras' dot, rank >= 3 TensorFlow's batched product over the broadcast leading axes.
    ``adjoint_*`` is ``transpose_*`` of the conjugate (of a real operand: its transpose); the
    sparsity hints change nothing. Plain float Tensors of matching shapes go straight to the GEMM op (Note [backend
    fast paths] in backend_ops/math_ops.py)."""
    conj_a, conj_b = bool(adjoint_a), bool(adjoint_b)
    if adjoint_a or adjoint_b:
        if (adjoint_a and transpose_a) or (adjoint_b and transpose_b):
            raise ValueError("matmul: only one of transpose_a and adjoint_a (transpose_b and "
                             "adjoint_b) may be True")
        transpose_a, transpose_b = transpose_a or adjoint_a, transpose_b or adjoint_b
    b = _hinted_by(a, b)
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
    # nested lists as TensorFlow converts them (Python ints: int32), then arrays: converted once
    a = convert_to_tensor(a) if isinstance(a, (list, tuple)) else a
    b = convert_to_tensor(b) if isinstance(b, (list, tuple)) else b
    a, b = _tensor("matmul", "a", a), _tensor("matmul", "b", b)
    _check_contraction(a.shape, b.shape, transpose_a, transpose_b)
    if a.dtype.kind == "f" and b.dtype.kind == "f" and a.dtype != b.dtype:
        na, nb = (_TF_TYPE_NAME.get(np.dtype(d).name, np.dtype(d).name) for d in (a.dtype, b.dtype))
        raise InvalidArgumentError(f"matmul: cannot compute MatMul as input #1(zero-based) was "
                                   f"expected to be a {na} tensor but is a {nb} tensor "
                                   f"[Op:MatMul]")
    if a.dtype.kind == "c" or b.dtype.kind == "c":  # adjoint_* conjugates complex operands
        if conj_a and a.dtype.kind == "c":
            a = tf_complex.conj(a)
        if conj_b and b.dtype.kind == "c":
            b = tf_complex.conj(b)
    elif a.dtype.kind != "f" or b.dtype.kind != "f":
        return _integer_matmul(a, b, transpose_a, transpose_b)
    if transpose_a:
        a = K.permute_dimensions(a, tuple(builtins.range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2))
    if transpose_b:
        b = K.permute_dimensions(b, tuple(builtins.range(b.ndim - 2)) + (b.ndim - 1, b.ndim - 2))
    if a.ndim == 2 and b.ndim == 2 and a.dtype.kind != "c" and b.dtype.kind != "c":
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
    t = text_values(input)
    if t is not None:  # strings: repeated as they are
        if len(m) != t.ndim:
            raise ValueError(f"tile: multiples has {len(m)} entries for an input of rank "
                             f"{t.ndim} (shape {t.shape})")
        return Tensor(np.tile(t, [int(v) for v in m]))
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
