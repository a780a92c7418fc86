"""The TensorFlow 2 names Keras 2 programs call on ``tf`` (``import tensorforge as tf``):
``tf.GradientTape``, ``tf.data.Dataset``, ``tf.function`` and the tensor ops of the Keras guides
(``tf.shape``, ``tf.concat``, ``tf.reduce_mean``, ``tf.random.normal``, ``tf.nn.relu``, ...).

They are reached lazily as ``tensorforge.<name>`` (the package's ``__getattr__``), so they do not
clutter the package namespace. Each is the Keras backend function with TensorFlow's name and
arguments (``backend_ops``: the same differentiable ops), never a second implementation. The
tensor ops and the tf.math / tf.nn / tf.linalg namespaces are tf_ops.py's (below the engine, which
resolves saved TFOpLambda names there); this module stands above everything and serves them.
"""
import builtins
import types

import numpy as np

from ._xp import host
from . import backend_ops as K
from .backend_ops._args import device_xp, shape_arg
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
from . import tf_train
from . import tf_array, tf_checkpoint, tf_control, tf_debugging, tf_example, tf_record
from . import tf_candidate_sampling, tf_numeric
from . import compat  # noqa: F401  (tf.compat: compat/)
from .compat.v1 import executing_eagerly  # noqa: F401
from .layers import rnn_cell_wrappers
from . import tf_lookup, tf_misc_ops, tf_queue, tf_sets, tf_specs, tf_strings_extra
from .tf_specs import (  # noqa: F401  (tf.TypeSpec, ...)
    TypeSpec, RaggedTensorSpec, SparseTensorSpec, type_spec_from_value)
from .tf_module import Module  # noqa: F401  (tf.Module)
from ._version import __version__ as _version

from .tf_dtypes import (  # noqa: F401  (tf.float32, tf.as_dtype, ...)
    DType, as_dtype, bool_, float16, float32, float64, int8, int16, int32, int64, python_dtype,
    string, uint8, uint16, uint32, uint64, half, double, complex64, complex128)


# ---- the tensor ops and tf.math / tf.nn / tf.linalg (tf_ops.py, below the engine) ------------
# as the engine serves them: the functions tf_keras records as TFOpLambda layers record theirs
from .engine import tf_op_symbols as _tf_op_symbols  # noqa: E402
tf_ops = _tf_op_symbols.ops()
from .tf_tensors import (  # noqa: F401,E402  (tf.Variable ... tf.device)
    Variable, random_normal_initializer, random_uniform_initializer, zeros_initializer,
    ones_initializer, constant_initializer, device, newaxis)
from .tf_ops import (  # noqa: F401,E402  (tf.constant, tf.reduce_mean, tf.add ...)
    constant, convert_to_tensor, shape, rank, size, cast, reshape, concat, stack, expand_dims,
    tensordot, squeeze, transpose, ones, zeros, ones_like, zeros_like, fill, range, one_hot,
    where, split, repeat, linspace, identity, stop_gradient, matmul, einsum, unstack, tile,
    gather, gather_nd, tensor_scatter_nd_add, reduce_mean, reduce_sum, reduce_max, reduce_min,
    reduce_prod, reduce_std, reduce_variance, reduce_logsumexp, reduce_any, reduce_all, square,
    sqrt, exp, log, abs, sign, round, sin, cos, tanh, sigmoid, softplus, add, subtract, multiply,
    divide, pow, negative, reciprocal, maximum, minimum, clip_by_value, argmax, argmin, equal,
    not_equal, greater, less, add_n, math, linalg, signal, bitwise)
# tf.nn also holds TensorFlow's RNN cell wrappers, which are layers
nn = types.SimpleNamespace(**vars(tf_ops.nn),
                           **{n: getattr(rnn_cell_wrappers, n) for n in rnn_cell_wrappers.__all__})


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


random = types.SimpleNamespace(normal=_normal, uniform=_uniform, set_seed=tf_random.set_seed,
                               gamma=_gamma,
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
_ADDED = dict(tf_ops.ADDED)  # tf.slice, tf.sort ... (and TF 1's names, below)
__getattr__ = tf_ops.served_from(_ADDED, __name__)


dtypes = types.SimpleNamespace(
    float16=float16, float32=float32, float64=float64, int8=int8, int16=int16, int32=int32,
    int64=int64, uint8=uint8, bool=bool_, string=string, DType=DType, as_dtype=as_dtype, cast=cast,
    uint16=uint16, uint32=uint32, uint64=uint64, half=half, double=double, complex64=complex64,
    complex128=complex128, saturate_cast=tf_numeric.saturate_cast)
__all__ += tf_ops.TOP_NUMERIC + tf_ops.TOP_MATH + tf_array.__all__ + tf_control.__all__ + \
    tf_debugging.__all__ + tf_structure.__all__ + tf_misc_ops.__all__ + ["as_string"]

# TensorFlow 1's session names around Keras 2.2 programs (Note [TF1 session boilerplate]) and
# its tf.logging / tf.gfile / tf.enable_eager_execution (tf_v1_names.py)
from . import tf_session as _tf_session, tf_v1_names as _tf_v1  # noqa: E402
_ADDED.update({n: getattr(_tf_session, n) for n in _tf_session.__all__},
              set_random_seed=tf_random.set_seed, **{n: getattr(_tf_v1, n) for n in _tf_v1.__all__})
__all__ += _tf_session.__all__ + ["set_random_seed"] + _tf_v1.__all__
