"""The TensorFlow 2 names Keras 2 programs call on ``tf`` (``import tensorforge as tf``):
``tf.GradientTape``, ``tf.data.Dataset``, ``tf.function`` and the tensor ops of the Keras guides
(``tf.shape``, ``tf.concat``, ``tf.reduce_mean``, ``tf.random.normal``, ``tf.nn.relu``, ...).

They are reached lazily as ``tensorforge.<name>`` (the package's ``__getattr__``), so they do not
clutter the package namespace. Each is the Keras backend function with TensorFlow's name and
arguments (``backend_ops``: the same differentiable ops), never a second implementation.
"""
import builtins
import sys
import types

import numpy as np

from ._xp import host
from . import _random
from . import backend_ops as K
from .backend_ops._args import device_xp, shape_arg, tensor as _tensor
from .autograd import Tensor
from ._tensor_shape import TensorShape  # noqa: F401  (tf.TensorShape)
from .gradient_tape import GradientTape, UnconnectedGradients  # noqa: F401
from . import tf_data, tf_data_csv, tf_data_ops, tf_image, tf_image_ops, tf_io, tf_ragged
from . import tf_codecs, tf_gfile, tf_io_ops, tf_sparse, tf_sparse_math, tf_structure
from . import tf_checkpoint_reader, tf_data_iter, tf_moving_average, tf_sequence_example
from . import tf_boxes, tf_coordinator, tf_image_extra, tf_tensor_proto
from . import tf_strings, tf_strings_convert
from . import tf_summary as summary  # noqa: F401
from . import tf_feature_column as feature_column  # noqa: F401
from . import tf_saved_model as saved_model  # noqa: F401
from . import tf_autograph as autograph  # noqa: F401
from . import tf_audio as audio  # noqa: F401
from . import tf_profiler as profiler  # noqa: F401
from . import tf_config as config  # noqa: F401
from . import tf_distribute as distribute  # noqa: F401
from . import tf_test as test  # noqa: F401
from . import tf_random
from .tf_nd import gather_nd, tensor_scatter_nd_add  # noqa: F401
from . import tf_train
from . import tf_array, tf_checkpoint, tf_control, tf_debugging, tf_example, tf_linalg, tf_math, tf_nn, tf_record
from . import tf_candidate_sampling, tf_complex, tf_linalg_decomp, tf_math_extra, tf_nn_conv, tf_nn_extra, tf_numeric, tf_signal, tf_special
from . import tf_linear_operator, tf_special_more
from . import compat  # noqa: F401  (tf.compat: compat/)
from .compat.v1 import executing_eagerly  # noqa: F401
from .layers import rnn_cell_wrappers
from . import tf_lookup, tf_misc_ops, tf_queue, tf_sets, tf_specs, tf_strings_extra
from .tf_specs import (  # noqa: F401  (tf.TypeSpec, ...)
    TypeSpec, RaggedTensorSpec, SparseTensorSpec, type_spec_from_value)
from .tf_array import gather  # noqa: F401  (tf.gather with axis and batch_dims)
from .tf_module import Module  # noqa: F401  (tf.Module)
from ._version import __version__ as _version

from .tf_dtypes import (  # noqa: F401  (tf.float32, tf.as_dtype, ...)
    DType, as_dtype, bool_, float16, float32, float64, int8, int16, int32, int64, python_dtype,
    string, uint8, uint16, uint32, uint64, half, double, complex64, complex128)


# ---- tensors ---------------------------------------------------------------------------------
from .tf_tensors import (  # noqa: F401,E402  (tf.constant ... tf.device)
    constant, convert_to_tensor, Variable, random_normal_initializer, random_uniform_initializer,
    zeros_initializer, ones_initializer, constant_initializer, shape, rank, size, cast, reshape,
    concat, stack, expand_dims, tensordot, squeeze, transpose, ones, zeros, ones_like, zeros_like,
    fill, range, one_hot, where, split, repeat, linspace, identity, stop_gradient, matmul, einsum,
    unstack, tile, device, newaxis)


def _reduction(kfn):
    def fn(input_tensor, axis=None, keepdims=False, name=None):
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        x = _tf_value(input_tensor)
        out = kfn(x, axis=axis, keepdims=keepdims)
        kind = np.dtype(getattr(x, "dtype", np.float32)).kind
        if kind in "iu" and isinstance(out, Tensor) and out.dtype != x.dtype and \
                fn.__name__ in ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min"):
            out = K.cast(out, np.dtype(x.dtype).name)  # TensorFlow keeps an integer dtype
        return out
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


def _python_value(v):
    return isinstance(v, (int, float, list, tuple)) and not isinstance(v, Tensor)


def _tf_value(v):
    """A Python number or nested list as TensorFlow converts it (ints to int32, floats to
    float32: ``tf.square(5)`` is an int32 tensor); anything else as it is."""
    return convert_to_tensor(v) if _python_value(v) else v


def _tf_operands(x, y, op):
    """TensorFlow's conversion of a binary op's operands: a Python value next to a tensor (or
    array) takes that one's dtype, two Python values are converted alone (``tf.add([1, 2],
    [3, 4])``: int32)."""
    if _python_value(x) and _python_value(y):
        return convert_to_tensor(x), convert_to_tensor(y)
    if _python_value(x) and getattr(y, "dtype", None) is not None:
        return _like(x, y.dtype, op, first=True), y
    if _python_value(y) and getattr(x, "dtype", None) is not None:
        return x, _like(y, x.dtype, op, first=False)
    return x, y


def _like(value, dtype, op, first):
    """A Python value converted to the other operand's dtype; a Python float next to an
    integer tensor is TensorFlow's InvalidArgumentError (no silent truncation)."""
    dt = np.dtype(dtype)
    if dt.kind in "iu" and np.asarray(value).dtype.kind == "f":
        want, got = ("float", dt.name) if first else (dt.name, "float")
        raise tf_debugging.InvalidArgumentError(
            f"cannot compute {op} as input #1(zero-based) was expected to be a {want} tensor "
            f"but is a {got} tensor [Op:{op}]")
    return convert_to_tensor(value, dtype=dt.name)


def _unary(kfn, name):
    def fn(x, name=None):
        return kfn(_tf_value(x))
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
    x, y = _tf_operands(x, y, "AddV2")
    return _tensor("add", "x", x) + y


def subtract(x, y, name=None):
    x, y = _tf_operands(x, y, "Sub")
    return _tensor("subtract", "x", x) - y


def multiply(x, y, name=None):
    x, y = _tf_operands(x, y, "Mul")
    return _tensor("multiply", "x", x) * y


def divide(x, y, name=None):
    x, y = _tf_operands(x, y, "RealDiv")
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
    **{n: getattr(tf_math, n) for n in tf_math.__all__},
    **{n: getattr(m, n) for m in (tf_math_extra, tf_special, tf_complex) for n in m.__all__},
    approx_max_k=tf_nn_extra.approx_max_k, approx_min_k=tf_nn_extra.approx_min_k,
    special=types.SimpleNamespace(**{n: getattr(tf_special, n) for n in tf_special.__all__
                                     if n.startswith("bessel_")},
                                  **{n: getattr(tf_special_more, n) for n in tf_special_more.__all__}))


# ---- nn (the functions are in tf_nn.py) -------------------------------------------------------
nn = types.SimpleNamespace(
    sigmoid=sigmoid, tanh=tanh, softplus=softplus,
    elu=lambda features, name=None: K.elu(features),
    l2_normalize=_l2_normalize,
    dropout=lambda x, rate, noise_shape=None, seed=None, name=None: K.dropout(
        x, rate, noise_shape=noise_shape, seed=seed),
    bias_add=lambda value, bias, data_format=None, name=None: K.bias_add(value, bias),
    **{n: getattr(tf_nn, n) for n in tf_nn.__all__},
    **{n: getattr(m, n) for m in (tf_nn_conv, tf_nn_extra) for n in m.__all__},
    all_candidate_sampler=tf_candidate_sampling.all_candidate_sampler,
    fixed_unigram_candidate_sampler=tf_candidate_sampling.fixed_unigram_candidate_sampler,
    space_to_batch=tf_numeric.space_to_batch,
    **{n: getattr(rnn_cell_wrappers, n) for n in rnn_cell_wrappers.__all__})
signal = types.SimpleNamespace(**{n: getattr(tf_signal, n) for n in tf_signal.__all__})
bitwise = tf_numeric.bitwise
linalg = types.SimpleNamespace(
    matmul=matmul, norm=tf_array.norm, l2_normalize=_l2_normalize, eye=tf_array.eye,
    adjoint=tf_linalg.matrix_transpose, einsum=einsum, tensordot=tensordot,
    global_norm=tf_array.global_norm, **{n: getattr(tf_linalg, n) for n in tf_linalg.__all__},
    **{n: getattr(m, n) for m in (tf_linalg_decomp, tf_linear_operator) for n in m.__all__},
    experimental=types.SimpleNamespace(conjugate_gradient=tf_linear_operator.conjugate_gradient))


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
    """tf.random.set_seed: the framework's random state only (weights, dropout, tf.random ops,
    Dataset shuffles), as TensorFlow's; NumPy's and Python's are the program's own
    (keras.utils.set_random_seed seeds all three)."""
    _random.set_seed(seed)


random = types.SimpleNamespace(normal=_normal, uniform=_uniform, set_seed=_set_seed, gamma=_gamma,
                               categorical=tf_random.categorical,
                               **{n: getattr(tf_candidate_sampling, n)
                                  for n in tf_candidate_sampling.__all__ if n.endswith("sampler")},
                               **{n: getattr(tf_random, n) for n in (
                                   "shuffle", "poisson", "stateless_uniform", "stateless_normal",
                                   "stateless_truncated_normal", "stateless_categorical",
                                   "Generator", "Algorithm", "fold_in", "split",
                                   "create_rng_state", "get_global_generator",
                                   "set_global_generator", "stateless_poisson",
                                   "stateless_gamma", "stateless_binomial")},
                               truncated_normal=lambda shape, mean=0.0, stddev=1.0, dtype=float32,
                               seed=None, name=None: K.truncated_normal(
                                   shape, mean, stddev, as_dtype(dtype).name, seed),
                               experimental=types.SimpleNamespace(
                                   stateless_fold_in=tf_random.fold_in,
                                   stateless_split=tf_random.split,
                                   index_shuffle=tf_random.index_shuffle,
                                   stateless_shuffle=tf_random.stateless_shuffle,
                                   **{n: getattr(tf_random, n) for n in (
                                       "Algorithm", "Generator", "create_rng_state",
                                       "get_global_generator", "set_global_generator")}))

strings = types.SimpleNamespace(**{n: getattr(tf_strings, n) for n in tf_strings.__all__},
                                **{n: getattr(m, n) for m in (tf_strings_convert, tf_strings_extra)
                                   for n in m.__all__})
io = types.SimpleNamespace(
    TFRecordWriter=tf_record.TFRecordWriter, TFRecordOptions=tf_record.TFRecordOptions,
    parse_single_example=tf_example.parse_single_example, parse_example=tf_example.parse_example,
    FixedLenFeature=tf_example.FixedLenFeature, VarLenFeature=tf_example.VarLenFeature,
    SparseFeature=tf_example.SparseFeature, RaggedFeature=tf_example.RaggedFeature,
    **{n: getattr(tf_io, n) for n in tf_io.__all__},
    gfile=types.SimpleNamespace(**{n: getattr(tf_gfile, n) for n in tf_gfile.__all__}),
    **{n: getattr(m, n) for m in (tf_codecs, tf_io_ops, tf_tensor_proto, tf_sequence_example)
       for n in m.__all__ if n not in ("TensorProto", "make_tensor_proto", "make_ndarray",
                                       "FeatureList", "FeatureLists", "SequenceExample")})
sparse = types.SimpleNamespace(**{n: getattr(m, n) for m in (tf_sparse, tf_sparse_math)
                                  for n in m.__all__})
SparseTensor = tf_example.SparseTensor
image = types.SimpleNamespace(**{n: getattr(tf_image, n) for n in tf_image.__all__},
                              **{n: getattr(m, n) for m in (tf_codecs, tf_boxes, tf_image_extra)
                                 for n in m.__all__},
                              **{n: getattr(tf_image_ops, n) for n in tf_image_ops.__all__})
lookup = types.SimpleNamespace(**{n: getattr(tf_lookup, n) for n in tf_lookup.__all__
                                 if n not in ("MutableHashTable", "DenseHashTable")})
sets = types.SimpleNamespace(**{n: getattr(tf_sets, n) for n in tf_sets.__all__})
queue = types.SimpleNamespace(FIFOQueue=tf_queue.FIFOQueue)
ragged = types.SimpleNamespace(constant=tf_ragged.constant, RaggedTensor=tf_ragged.RaggedTensor)
RaggedTensor = tf_ragged.RaggedTensor

# ---- data, function --------------------------------------------------------------------------
data = types.SimpleNamespace(Dataset=tf_data.Dataset, AUTOTUNE=tf_data.AUTOTUNE,
                             TextLineDataset=tf_data.TextLineDataset,
                             TFRecordDataset=tf_record.TFRecordDataset,
                             FixedLengthRecordDataset=tf_record.FixedLengthRecordDataset,
                             Iterator=tf_data_iter.Iterator,
                             NumpyIterator=tf_data_iter.NumpyIterator,
                             Options=tf_data_ops.Options, DatasetSpec=tf_specs.DatasetSpec,
                             experimental=types.SimpleNamespace(
                                 AUTOTUNE=tf_data.AUTOTUNE,
                                 AutoShardPolicy=tf_data_ops.AutoShardPolicy,
                                 sample_from_datasets=tf_data.Dataset.sample_from_datasets,
                                 choose_from_datasets=tf_data.Dataset.choose_from_datasets,
                                 make_csv_dataset=tf_data_csv.make_csv_dataset,
                                 unbatch=tf_data_ops.unbatch,
                                 cardinality=tf_data.Dataset.cardinality,
                                 INFINITE_CARDINALITY=tf_data.INFINITE_CARDINALITY,
                                 UNKNOWN_CARDINALITY=tf_data.UNKNOWN_CARDINALITY),
                             INFINITE_CARDINALITY=tf_data.INFINITE_CARDINALITY,
                             UNKNOWN_CARDINALITY=tf_data.UNKNOWN_CARDINALITY)
TensorSpec = tf_specs.TensorSpec
train = types.SimpleNamespace(latest_checkpoint=tf_train.latest_checkpoint,
                              get_checkpoint_state=tf_train.get_checkpoint_state,
                              Checkpoint=tf_checkpoint.Checkpoint,
                              CheckpointManager=tf_checkpoint.CheckpointManager,
                              **{n: getattr(tf_example, n) for n in (
                                  "Example", "Features", "Feature", "BytesList", "FloatList",
                                  "Int64List")},
                              **{n: getattr(tf_sequence_example, n) for n in (
                                  "FeatureList", "FeatureLists", "SequenceExample")},
                              **{n: getattr(tf_checkpoint_reader, n) for n in (
                                  "list_variables", "load_checkpoint", "load_variable",
                                  "checkpoints_iterator", "CheckpointOptions")},
                              ExponentialMovingAverage=tf_moving_average.ExponentialMovingAverage,
                              Coordinator=tf_coordinator.Coordinator)
# tf.version.VERSION is tf.__version__ (TensorFlow's are the same string): tensorforge's own
version = types.SimpleNamespace(VERSION=_version)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_relax_shapes=None, **kwargs):
    """``@tf.function``: tensorforge runs eagerly; the function is returned unchanged, or with
    an ``input_signature`` wrapped to convert and check its arguments (tf_specs.py); either
    carries TensorFlow's ``python_function`` attribute naming the Python function
    (``tf.autograph.to_code(f.python_function)``, Hands-On ML 2 ch. 12) where the object takes
    attributes."""
    if func is None:
        return lambda f: function(f, input_signature=input_signature)
    out = func if input_signature is None else tf_specs.signed_function(func, input_signature)
    try:
        out.python_function = func
    except (AttributeError, TypeError):  # a builtin or a bound method: nothing to mark
        pass
    return out


# tf.experimental / keras.experimental (the cosine schedules, PeepholeLSTMCell,
# tf.experimental.numpy): one package
from . import experimental  # noqa: E402


def print(*inputs, **kwargs):  # noqa: A001
    builtins.print(*[getattr(t, "numpy", lambda t=t: t)() for t in inputs],
                   **{k: v for k, v in kwargs.items() if k in ("sep", "end")})


__all__ = [
    "linalg", "dtypes", "UnconnectedGradients", "Module", "sparse", "SparseTensor", "sets",
    "GradientTape", "Variable", "random_normal_initializer", "random_uniform_initializer",
    "zeros_initializer", "ones_initializer", "constant_initializer", "function",
    "executing_eagerly", "compat", "config", "distribute", "data", "math", "nn", "random",
    "strings", "io", "image", "lookup", "sets", "queue",
    "summary", "train", "version", "test", "feature_column", "saved_model",
    "autograph", "audio", "profiler", "experimental",
    "TensorSpec", "TensorShape", "TypeSpec", "RaggedTensorSpec", "SparseTensorSpec",
    "type_spec_from_value",
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
    "uint16", "uint32", "uint64", "half", "double", "complex64", "complex128", "signal", "bitwise",
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
             "greater_equal", "less_equal", "scalar_mul"]
_TOP_NUMERIC = [n for n in tf_numeric.__all__ if n != "bitwise"] + [
    "complex", "eig", "eigvals", "matrix_square_root"]
_ADDED = dict({n: getattr(tf_math, n) for n in _TOP_MATH},
              **{n: getattr(tf_numeric, n) for n in _TOP_NUMERIC[:-4]}, complex=tf_complex.complex,
              eig=tf_linalg_decomp.eig, eigvals=tf_linalg_decomp.eigvals,
              matrix_square_root=tf_linalg_decomp.sqrtm,
              **{n: getattr(tf_array, n) for n in tf_array.__all__},
              **{n: getattr(tf_control, n) for n in tf_control.__all__},
              **{n: getattr(tf_debugging, n) for n in tf_debugging.__all__},
              **{n: getattr(tf_structure, n) for n in tf_structure.__all__},
              **{n: getattr(tf_misc_ops, n) for n in tf_misc_ops.__all__},
              as_string=tf_strings_convert.as_string)


def __getattr__(name):
    """The added ops by their TensorFlow names (``tf_compat.slice``), kept out of this module's
    globals, where ``slice`` / ``sort`` would shadow the builtins its functions call."""
    try:
        return _ADDED[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


dtypes = types.SimpleNamespace(
    float16=float16, float32=float32, float64=float64, int8=int8, int16=int16, int32=int32,
    int64=int64, uint8=uint8, bool=bool_, string=string, DType=DType, as_dtype=as_dtype, cast=cast,
    uint16=uint16, uint32=uint32, uint64=uint64, half=half, double=double, complex64=complex64,
    complex128=complex128, saturate_cast=tf_numeric.saturate_cast)
__all__ += _TOP_NUMERIC + _TOP_MATH + tf_array.__all__ + tf_control.__all__ + \
    tf_debugging.__all__ + tf_structure.__all__ + tf_misc_ops.__all__ + ["as_string"]

# tf ops called on KerasTensors record tf_keras' TFOpLambda layers (engine/tf_op_symbols.py)
from .engine import tf_op_symbols as _tf_op_symbols  # noqa: E402
_tf_op_symbols.install(sys.modules[__name__], _ADDED)

# TensorFlow 1's session names around Keras 2.2 programs (Note [TF1 session boilerplate]) and
# its tf.logging / tf.gfile / tf.enable_eager_execution (tf_v1_names.py)
from . import tf_session as _tf_session, tf_v1_names as _tf_v1  # noqa: E402
_ADDED.update({n: getattr(_tf_session, n) for n in _tf_session.__all__}, set_random_seed=_set_seed,
              **{n: getattr(_tf_v1, n) for n in _tf_v1.__all__})
__all__ += _tf_session.__all__ + ["set_random_seed"] + _tf_v1.__all__
