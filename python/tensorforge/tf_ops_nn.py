"""TensorFlow 2's ``tf.nn.*`` and ``tf.linalg.*`` functions that Keras 2 programs call beyond
tf_compat.py's set: activations (leaky_relu, relu6, selu, gelu, silu / swish, softsign,
log_softmax), l2_loss, moments, top_k, embedding_lookup, conv2d and the 2-D poolings on NHWC
tensors, batch_normalization, compute_average_loss, weighted cross-entropy; det, inv, trace,
diag, diag_part, band_part, matrix_transpose.

Each is built on the differentiable ops (ops/ and the Keras backend) or, for det / inv, a
``Function`` with the closed-form gradient; conv2d and the poolings call the same kernels as
the Conv2D / pooling layers.
"""
import collections
import math as _math

import numpy as np

from . import backend_ops as K
from . import ops as _ops
from ._xp import array_module, host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .tf_ops_math import erf, log_softmax as _log_softmax, softsign as _softsign

__all__ = ["leaky_relu", "relu6", "selu", "gelu", "silu", "swish", "softsign", "log_softmax",
           "l2_loss", "moments", "top_k", "embedding_lookup", "conv2d", "max_pool2d",
           "avg_pool2d", "max_pool", "avg_pool", "batch_normalization", "compute_average_loss",
           "in_top_k", "weighted_cross_entropy_with_logits",
           "det", "inv", "trace", "diag", "diag_part", "band_part", "matrix_transpose"]


def _f(op, x, name="features"):
    t = _tensor(f"tf.nn.{op}", name, x)
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


# ---- activations ---------------------------------------------------------------------------------
def leaky_relu(features, alpha=0.2, name=None):
    return _ops.leaky_relu(_f("leaky_relu", features), alpha=float(alpha))


def relu6(features, name=None):
    return K.clip(_f("relu6", features), 0.0, 6.0)


def selu(features, name=None):
    return _ops.selu(_f("selu", features))


def gelu(features, approximate=False, name=None):
    x = _f("gelu", features)
    if approximate:
        c = np.float32(_math.sqrt(2.0 / _math.pi))
        return 0.5 * x * (1.0 + K.tanh(c * (x + np.float32(0.044715) * x * x * x)))
    return 0.5 * x * (1.0 + erf(x * np.float32(1.0 / _math.sqrt(2.0))))


def silu(features, beta=1.0, name=None):
    x = _f("silu", features)
    return x * K.sigmoid(x * beta if beta != 1.0 else x)


swish = silu


def softsign(features, name=None):
    return _softsign(features)


def log_softmax(logits, axis=None, name=None):
    return _log_softmax(logits, axis=axis)


# ---- losses and statistics -----------------------------------------------------------------------
def l2_loss(t, name=None):
    x = _f("l2_loss", t, "t")
    return K.sum(x * x) / 2.0


Moments = collections.namedtuple("Moments", ["mean", "variance"])


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over ``axes``; the variance's gradient does not flow through the mean
    (TensorFlow's: it subtracts stop_gradient(mean))."""
    t = _f("moments", x, "x")
    ax = [int(a) for a in np.atleast_1d(axes)]
    mean = K.mean(t, axis=ax, keepdims=True)
    d = t - K.stop_gradient(mean)
    var = K.mean(d * d, axis=ax, keepdims=True)
    if not keepdims:
        mean, var = _squeeze(mean, ax), _squeeze(var, ax)
    return Moments(mean, var)


def _squeeze(t, axes):
    axes = sorted(a % t.ndim for a in axes)
    shape = tuple(s for i, s in enumerate(t.shape) if i not in axes)
    return K.reshape(t, shape)


TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """``tf.math.top_k``: the ``k`` largest entries of the last axis and their indices (int32),
    largest first; ties keep the lower index first, as TensorFlow. The values carry the
    gradient (to the selected entries, as TensorFlow's TopKV2 gradient) when ``input`` needs one."""
    x = _tensor("math.top_k", "input", input)
    a = host(x.data)
    k = int(k)
    if a.ndim < 1 or not 0 <= k <= a.shape[-1]:
        raise ValueError(f"math.top_k: k must be in [0, {a.shape[-1] if a.ndim else 0}] for "
                         f"input of shape {a.shape}, got {k}")
    idx = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    if x.requires_grad and isinstance(x.data, np.ndarray):
        nd = idx.ndim
        grids = tuple(np.arange(n).reshape([n if j == i else 1 for j in range(nd)])
                      for i, n in enumerate(idx.shape[:-1]))
        values = x[grids + (idx,)]  # a recorded getitem: its backward scatters to the winners
    else:
        values = Tensor(np.take_along_axis(a, idx, -1))
    return TopKV2(values, Tensor(idx.astype(np.int32)))


def embedding_lookup(params, ids, max_norm=None, name=None):
    if max_norm is not None:
        raise NotImplementedError("tf.nn.embedding_lookup: max_norm is not supported")
    from .tf_ops_array import gather
    return gather(params, ids)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    t = _f("batch_normalization", x, "x")
    inv = K.pow(variance + variance_epsilon, -0.5) if isinstance(variance, Tensor) else \
        Tensor(np.asarray(1.0 / np.sqrt(np.asarray(variance) + variance_epsilon), np.float32))
    if scale is not None:
        inv = inv * scale
    y = (t - mean) * inv
    return y + offset if offset is not None else y


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    loss = _f("compute_average_loss", per_example_loss, "per_example_loss")
    if sample_weight is not None:
        loss = loss * sample_weight
    n = loss.shape[0] if global_batch_size is None and loss.ndim else (global_batch_size or 1)
    return K.sum(loss) / float(n)


def in_top_k(targets, predictions, k, name=None):
    return K.in_top_k(predictions, targets, k)


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    z = _f("weighted_cross_entropy_with_logits", labels, "labels")
    x = _f("weighted_cross_entropy_with_logits", logits, "logits")
    log_weight = 1.0 + (pos_weight - 1.0) * z
    return (1.0 - z) * x + log_weight * (K.log(1.0 + K.exp(-K.abs(x))) + K.relu(-x))


# ---- convolution and pooling (NHWC) --------------------------------------------------------------
def _hw(op, v, n_spatial=2):
    """TensorFlow's strides / ksize / dilations: an int, a pair, or the 4-vector [1, h, w, 1]."""
    a = [int(s) for s in np.atleast_1d(host(getattr(v, "data", v)))]
    if len(a) == 1:
        return (a[0],) * n_spatial
    if len(a) == n_spatial:
        return tuple(a)
    if len(a) == n_spatial + 2 and a[0] == 1 and a[-1] == 1:
        return tuple(a[1:-1])
    raise ValueError(f"tf.nn.{op}: expected an int, {n_spatial} values or [1, h, w, 1], got {a}")


def _padding(op, padding):
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"tf.nn.{op}: padding must be 'SAME' or 'VALID' (explicit paddings are "
                         f"not supported), got {padding!r}")
    return padding.lower()


def _nhwc(op, data_format):
    if data_format not in (None, "NHWC"):
        raise ValueError(f"tf.nn.{op}: only data_format='NHWC' is supported, got {data_format!r}")


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    _nhwc("conv2d", data_format)
    return _ops.conv2d(_f("conv2d", input, "input"), _f("conv2d", filters, "filters"),
                       strides=_hw("conv2d", strides), padding=_padding("conv2d", padding),
                       dilation=_hw("conv2d", 1 if dilations is None else dilations))


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    _nhwc("max_pool2d", data_format)
    return _ops.max_pool2d(_f("max_pool2d", input, "input"), _hw("max_pool2d", ksize),
                           _hw("max_pool2d", strides), _padding("max_pool2d", padding))


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    _nhwc("avg_pool2d", data_format)
    return _ops.avg_pool2d(_f("avg_pool2d", input, "input"), _hw("avg_pool2d", ksize),
                           _hw("avg_pool2d", strides), _padding("avg_pool2d", padding))


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    if np.asarray(input.shape if hasattr(input, "shape") else np.shape(input)).size != 4:
        raise ValueError("tf.nn.max_pool: only 4-D NHWC inputs are supported")
    return max_pool2d(input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    if np.asarray(input.shape if hasattr(input, "shape") else np.shape(input)).size != 4:
        raise ValueError("tf.nn.avg_pool: only 4-D NHWC inputs are supported")
    return avg_pool2d(input, ksize, strides, padding, data_format)


# ---- linalg ----------------------------------------------------------------------------------------
class _Det(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        d = xp.linalg.det(a.astype(np.float64))
        ctx.save_for_backward(a, d)
        return d.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved
        xp = array_module(a)
        inv_t = xp.swapaxes(xp.linalg.inv(a.astype(np.float64)), -1, -2)
        return ((g.astype(np.float64) * d)[..., None, None] * inv_t).astype(a.dtype),


class _Inv(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        y = xp.linalg.inv(a.astype(np.float64))
        ctx.save_for_backward(y)
        return y.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        xp = array_module(y)
        yt = xp.swapaxes(y, -1, -2)
        return (-(yt @ g.astype(np.float64) @ yt)).astype(g.dtype),


def _square(op, x):
    t = _f(op, x, "input")
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"tf.linalg.{op}: expected square matrices (..., n, n), got {t.shape}")
    return t


def det(input, name=None):  # noqa: A002
    return _Det.apply(_square("det", input))


def inv(input, adjoint=False, name=None):  # noqa: A002
    t = _square("inv", input)
    return _Inv.apply(matrix_transpose(t) if adjoint else t)


def matrix_transpose(a, name=None, conjugate=False):
    t = _tensor("tf.linalg.matrix_transpose", "a", a)
    perm = list(range(t.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return K.permute_dimensions(t, perm)


def _diag_mask(shape, dtype):
    return np.eye(shape[-2], shape[-1], dtype=dtype)


def trace(x, name=None):
    t = _f("trace", x, "x")
    return K.sum(t * Tensor(array_module(t.data).asarray(_diag_mask(t.shape, t.dtype))), axis=[-2, -1])


def diag(diagonal, name=None, k=0):
    if k != 0:
        raise NotImplementedError("tf.linalg.diag: only k=0 is supported")
    v = _tensor("tf.linalg.diag", "diagonal", diagonal)
    n = v.shape[-1]
    return K.expand_dims(v, -1) * Tensor(array_module(v.data).asarray(np.eye(n, dtype=v.dtype)))


def diag_part(input, name=None, k=0):  # noqa: A002
    if k != 0:
        raise NotImplementedError("tf.linalg.diag_part: only k=0 is supported")
    t = _tensor("tf.linalg.diag_part", "input", input)
    n = min(t.shape[-2], t.shape[-1])
    r = np.arange(n)
    return t[(Ellipsis, r, r)]


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    t = _tensor("tf.linalg.band_part", "input", input)
    m, n = t.shape[-2], t.shape[-1]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = ((num_lower < 0) | (i - j <= num_lower)) & ((num_upper < 0) | (j - i <= num_upper))
    return t * Tensor(array_module(t.data).asarray(keep.astype(t.dtype)))
