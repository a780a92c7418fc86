"""TensorFlow's tensor ops as ``tf.*`` names them: the top-level ops (``tf.reduce_mean``,
``tf.concat``, ``tf.add``, ``tf.slice`` ...) and the ``tf.math`` / ``tf.nn`` / ``tf.linalg``
namespaces. Each is the Keras backend function with TensorFlow's name and arguments
(``backend_ops``: the same differentiable ops), never a second implementation.

This module stands below the engine (it imports no layer, model or saving module):
engine/tf_op_symbols.py resolves a saved TFOpLambda's ``function`` name here, and its ``ops()``,
on first use, replaces the functions tf_keras records as TFOpLambda layers
(tf_op_symbols.RECORDED) by recording wrappers, here, under every name that holds them (as
tf_op_lambda.py does for keras.backend's in backend_ops). tf_compat.py serves the names of
``ops()`` as ``tf.*`` (adding ``tf.nn``'s RNN cell wrappers, which are layers); take them from
there, or from ``ops()``, not by importing them from here.
"""
import types

import numpy as np

from . import backend_ops as K
from .backend_ops._args import tensor as _tensor
from .autograd import Tensor
from .tf_dtypes import as_dtype, int64
from .tf_tensors import (  # noqa: F401  (tf.constant ... tf.unstack)
    constant, convert_to_tensor, shape, rank, size, cast, reshape, concat, stack, expand_dims,
    tensordot, squeeze, transpose, ones, zeros, ones_like, zeros_like, fill, range, one_hot,
    where, split, repeat, linspace, identity, stop_gradient, matmul, einsum, unstack, tile)
from .tf_nd import gather_nd, tensor_scatter_nd_add  # noqa: F401
from .tf_array import gather  # noqa: F401  (tf.gather with axis and batch_dims)
from . import tf_array, tf_control, tf_debugging, tf_linalg, tf_math, tf_nn
from . import tf_candidate_sampling, tf_complex, tf_linalg_decomp, tf_math_extra, tf_nn_conv
from . import tf_nn_extra, tf_numeric, tf_signal, tf_special, tf_linear_operator, tf_special_more
from . import tf_misc_ops, tf_strings_convert, tf_structure

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
    space_to_batch=tf_numeric.space_to_batch)
signal = types.SimpleNamespace(**{n: getattr(tf_signal, n) for n in tf_signal.__all__})
bitwise = tf_numeric.bitwise
linalg = types.SimpleNamespace(
    matmul=matmul, norm=tf_array.norm, l2_normalize=_l2_normalize, eye=tf_array.eye,
    adjoint=tf_linalg.matrix_transpose, einsum=einsum, tensordot=tensordot,
    global_norm=tf_array.global_norm, **{n: getattr(tf_linalg, n) for n in tf_linalg.__all__},
    **{n: getattr(m, n) for m in (tf_linalg_decomp, tf_linear_operator) for n in m.__all__},
    experimental=types.SimpleNamespace(conjugate_gradient=tf_linear_operator.conjugate_gradient))


# the ops of tf_array.py / tf_math.py / tf_control.py ... that TensorFlow has on ``tf``, served by
# __getattr__ (TOP_NUMERIC, TOP_MATH: tf_compat lists them in its __all__)
TOP_MATH = ["floor", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tan", "asinh", "acosh",
            "atanh", "truediv", "realdiv", "logical_and", "logical_or", "logical_not",
            "greater_equal", "less_equal", "scalar_mul"]
TOP_NUMERIC = [n for n in tf_numeric.__all__ if n != "bitwise"] + [
    "complex", "eig", "eigvals", "matrix_square_root"]
ADDED = dict({n: getattr(tf_math, n) for n in TOP_MATH},
             **{n: getattr(tf_numeric, n) for n in TOP_NUMERIC[:-4]}, complex=tf_complex.complex,
             eig=tf_linalg_decomp.eig, eigvals=tf_linalg_decomp.eigvals,
             matrix_square_root=tf_linalg_decomp.sqrtm,
             **{n: getattr(tf_array, n) for n in tf_array.__all__},
             **{n: getattr(tf_control, n) for n in tf_control.__all__},
             **{n: getattr(tf_debugging, n) for n in tf_debugging.__all__},
             **{n: getattr(tf_structure, n) for n in tf_structure.__all__},
             **{n: getattr(tf_misc_ops, n) for n in tf_misc_ops.__all__},
             as_string=tf_strings_convert.as_string)


def served_from(table, module):
    """A module ``__getattr__`` that serves ``table``'s names: the added ops by their TensorFlow
    names (``tf.slice``), kept out of the module's globals, where ``slice`` / ``sort`` would
    shadow the builtins its functions call."""
    def __getattr__(name):
        try:
            return table[name]
        except KeyError:
            raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    return __getattr__


__getattr__ = served_from(ADDED, __name__)


__all__ = [
    "constant", "convert_to_tensor", "shape", "rank", "size", "cast", "reshape", "concat",
    "stack", "expand_dims", "tensordot", "squeeze", "transpose", "ones", "zeros", "ones_like",
    "zeros_like", "fill", "range", "one_hot", "where", "split", "repeat", "linspace", "identity",
    "stop_gradient", "matmul", "einsum", "unstack", "tile", "gather", "gather_nd",
    "tensor_scatter_nd_add", "reduce_mean", "reduce_sum", "reduce_max", "reduce_min",
    "reduce_prod", "reduce_std", "reduce_variance", "reduce_logsumexp", "reduce_any",
    "reduce_all", "square", "sqrt", "exp", "log", "abs", "sign", "round", "sin", "cos", "tanh",
    "sigmoid", "softplus", "add", "subtract", "multiply", "divide", "pow", "negative",
    "reciprocal", "maximum", "minimum", "clip_by_value", "argmax", "argmin", "equal",
    "not_equal", "greater", "less", "add_n", "math", "nn", "linalg", "signal", "bitwise"]
