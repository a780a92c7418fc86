"""TensorFlow 2's ``tf.nn`` functions beyond the activations and losses of tf_compat.py:
``moments``, ``conv2d`` / ``convolution`` (the ops a Keras 2.7+ ``Conv.convolution_op`` override
calls, keras-io subclassing_conv_layers.py), the 2-D poolings, the activations (leaky_relu,
relu6, selu, gelu, silu / swish, softsign, log_softmax), l2_loss, top_k, embedding_lookup,
batch_normalization, compute_average_loss, in_top_k and the weighted cross-entropy. Each is the
Keras backend op (or a composition of differentiable ops) with TensorFlow's argument names and
conventions (upper-case paddings, NHWC / NCHW data formats, strides of 1, 2 or 4 entries)."""
import collections
import math as _math

import numpy as np

from . import backend_ops as K
from . import ops as _ops
from ._xp import host
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_math import erf, log_softmax as _log_softmax, softsign as _softsign

__all__ = ["moments", "conv2d", "convolution", "leaky_relu", "relu6", "selu", "gelu", "silu",
           "swish", "softsign", "log_softmax", "l2_loss", "top_k", "embedding_lookup",
           "max_pool2d", "avg_pool2d", "max_pool", "avg_pool", "batch_normalization",
           "compute_average_loss", "in_top_k", "weighted_cross_entropy_with_logits", "relu",
           "softmax", "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits", "depth_to_space", "space_to_depth"]

_FORMATS = {"NHWC": "channels_last", "NCHW": "channels_first"}


def moments(x, axes, shift=None, keepdims=False, name=None):
    """``tf.nn.moments``: (mean, variance) of ``x`` over ``axes``, the variance the population
    one (divided by the count), as TensorFlow computes it: the mean of the squared deviations
    from the mean, whose gradient stops at the mean (the same gradient, since the deviations sum
    to zero). ``shift`` is unused, as in TensorFlow 2."""
    x = _tensor("nn.moments", "x", x)
    if isinstance(axes, (int, np.integer)):
        axes = [axes]
    axes = [int(a) for a in axes]
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"tf.nn.moments: axis {a} is out of range for x of rank {x.ndim} "
                             f"(shape {tuple(x.shape)})")
    axes = sorted({a % x.ndim for a in axes})
    mean = K.mean(x, axis=axes, keepdims=True)
    variance = K.mean(K.square(x - K.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        keep = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        mean, variance = K.reshape(mean, keep), K.reshape(variance, keep)
    return mean, variance


def _spatial(op, name, value, data_format):
    """TensorFlow's strides / dilations: an int, or 1, 2 or 4 entries (the 4-entry form with 1
    on the batch and channel axes)."""
    if value is None:
        return (1, 1)
    if isinstance(value, (int, np.integer)):
        return (int(value),) * 2
    v = [int(a) for a in value]
    if len(v) == 1:
        return (v[0],) * 2
    if len(v) == 2:
        return tuple(v)
    if len(v) == 4:
        outer = (v[0], v[3]) if data_format == "NHWC" else (v[0], v[1])
        if outer != (1, 1):
            raise ValueError(f"tf.nn.{op}: {name} {value} must be 1 on the batch and channel "
                             f"axes ({data_format})")
        return (v[1], v[2]) if data_format == "NHWC" else (v[2], v[3])
    raise ValueError(f"tf.nn.{op}: {name} must be an int or a list of 1, 2 or 4 ints, got "
                     f"{value!r}")


def _one_dtype(raw_a, raw_b, a, b):
    """TensorFlow's conversion of an op's arguments that share a dtype: a NumPy array or Python
    value takes the dtype of the Tensor among them, or, with no Tensor, of the first argument
    (Hands-On ML 2 ch. 14 convolves float64 images with float32 filters, both NumPy: the
    result is float64). Two Tensors of different dtypes stay as they are (the kernel refuses
    them, naming both)."""
    if a.dtype == b.dtype or (isinstance(raw_a, Tensor) and isinstance(raw_b, Tensor)):
        return a, b
    if isinstance(raw_b, Tensor):
        return Tensor(np.asarray(host(a.data), dtype=b.dtype)), b
    return a, Tensor(np.asarray(host(b.data), dtype=a.dtype))


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """``tf.nn.conv2d``: input (batch, h, w, in) (NHWC) or (batch, in, h, w) (NCHW), filters
    (kh, kw, in, out); padding 'VALID' or 'SAME'. Differentiable in both."""
    if data_format not in _FORMATS:
        raise ValueError(f"tf.nn.conv2d: data_format must be 'NHWC' or 'NCHW', got "
                         f"{data_format!r}")
    if not isinstance(padding, str) or padding not in ("VALID", "SAME"):
        raise ValueError(f"tf.nn.conv2d: padding must be 'VALID' or 'SAME', got {padding!r}")
    x, w = _one_dtype(input, filters, _tensor("nn.conv2d", "input", input),
                      _tensor("nn.conv2d", "filters", filters))
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"tf.nn.conv2d: input and filters must be 4-D, got shapes "
                         f"{tuple(x.shape)} and {tuple(w.shape)}")
    s = _spatial("conv2d", "strides", strides, data_format)
    d = _spatial("conv2d", "dilations", dilations, data_format)
    if max(s) > 1 and max(d) > 1:
        raise ValueError(f"tf.nn.conv2d: strides {s} > 1 together with dilations {d} > 1 is "
                         f"not supported (as in TensorFlow on CPU)")
    return K.conv2d(x, w, strides=s, padding=padding.lower(), data_format=_FORMATS[data_format],
                    dilation_rate=d)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """``tf.nn.convolution`` for 2-D convolutions (4-D input), as ``tf.nn.conv2d``."""
    x = _tensor("nn.convolution", "input", input)
    if x.ndim != 4:
        raise NotImplementedError(f"tf.nn.convolution: only 2-D convolutions (4-D input) are "
                                  f"supported, got input of shape {tuple(x.shape)}")
    return conv2d(x, filters, 1 if strides is None else strides, padding,
                  data_format or "NHWC", dilations)

def _f(op, x, name="features"):
    t = _tensor(f"tf.nn.{op}", name, x)
    if t.dtype.kind == "c":  # a cast would drop the imaginary part
        raise TypeError(f"tf.nn.{op}: {name} must be real, got {t.dtype} with shape "
                        f"{tuple(t.shape)}")
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
    from .tf_array import gather
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
def _padding(op, padding):
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"tf.nn.{op}: padding must be 'SAME' or 'VALID' (explicit paddings are "
                         f"not supported), got {padding!r}")
    return padding.lower()


def _nhwc(op, data_format):
    if data_format not in (None, "NHWC"):
        raise ValueError(f"tf.nn.{op}: only data_format='NHWC' is supported, got {data_format!r}")


def _depth_pool(op, x, ksize, strides, padding):
    """TensorFlow's depth-wise max pooling (CPU): ksize and strides (1, 1, 1, k), the channels
    split into groups of k, each group's maximum (Hands-On ML 2 ch. 14's DepthMaxPool). None
    when ``ksize`` pools no depth."""
    k = list(np.ravel(ksize)) if np.ndim(ksize) else [ksize]
    if len(k) != 4 or k[3] == 1:
        return None
    st = list(np.ravel(strides)) if np.ndim(strides) else [strides]
    if k[0] != 1 or k[1:3] != [1, 1]:
        raise ValueError(f"tf.nn.{op}: ksize {tuple(k)} pools across depth and space at once; "
                         "MaxPooling supports exactly one of pooling across depth or across "
                         "width/height")
    if st != k:
        raise ValueError(f"tf.nn.{op}: depth-wise max pooling requires strides equal to ksize, "
                         f"got ksize {tuple(k)} and strides {tuple(st)}")
    if _padding(op, padding) != "valid":
        raise ValueError(f"tf.nn.{op}: depth-wise max pooling supports padding='VALID' only, "
                         f"got {padding!r}")
    c = x.shape[-1]
    if x.ndim != 4 or c % k[3]:
        raise ValueError(f"tf.nn.{op}: the depth window {k[3]} must evenly divide the input "
                         f"depth, got input shape {tuple(x.shape)}")
    return K.max(K.reshape(x, tuple(x.shape[:3]) + (c // k[3], k[3])), axis=-1)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    _nhwc("max_pool2d", data_format)
    depth = _depth_pool("max_pool2d", _f("max_pool2d", input, "input"), ksize, strides, padding)
    if depth is not None:
        return depth
    return _ops.max_pool2d(_f("max_pool2d", input, "input"), _spatial("max_pool2d", "ksize", ksize, "NHWC"),
                           _spatial("max_pool2d", "strides", strides, "NHWC"), _padding("max_pool2d", padding))


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    _nhwc("avg_pool2d", data_format)
    return _ops.avg_pool2d(_f("avg_pool2d", input, "input"), _spatial("avg_pool2d", "ksize", ksize, "NHWC"),
                           _spatial("avg_pool2d", "strides", strides, "NHWC"), _padding("avg_pool2d", padding))


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    if np.asarray(input.shape if hasattr(input, "shape") else np.shape(input)).size != 4:
        raise ValueError("tf.nn.max_pool: only 4-D NHWC inputs are supported")
    return max_pool2d(input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    if np.asarray(input.shape if hasattr(input, "shape") else np.shape(input)).size != 4:
        raise ValueError("tf.nn.avg_pool: only 4-D NHWC inputs are supported")
    return avg_pool2d(input, ksize, strides, padding, data_format)


# ---- relu, softmax, the cross-entropies with logits, depth_to_space (from tf_compat.py) ----
def relu(features, name=None):
    return K.relu(features)


def softmax(logits, axis=None, name=None):
    """tf.nn.softmax: any rank >= 1 (Keras' backend softmax wants 2-D; a vector of logits, as
    ``tf.nn.softmax(model.predict(x)[0])``, is one row)."""
    x = _tensor("nn.softmax", "logits", logits)
    if x.ndim == 1 and axis in (None, -1, 0):
        return K.reshape(K.softmax(K.reshape(x, (1, -1))), (-1,))
    return K.softmax(x, axis=-1 if axis is None else axis)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)) elementwise (TensorFlow's stable form)."""
    if labels is None or logits is None:
        raise ValueError("nn.sigmoid_cross_entropy_with_logits: labels and logits are required")
    x = _tensor("sigmoid_cross_entropy_with_logits", "logits", logits)
    z = _tensor("sigmoid_cross_entropy_with_logits", "labels", labels)
    if z.shape != x.shape:
        raise ValueError(f"nn.sigmoid_cross_entropy_with_logits: labels {z.shape} and logits "
                         f"{x.shape} must have the same shape")
    return K.relu(x) - x * z + K.log(1.0 + K.exp(-K.abs(x)))


def softmax_cross_entropy_with_logits(labels=None, logits=None, axis=-1, name=None):
    return K.categorical_crossentropy(labels, logits, from_logits=True, axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    return K.sparse_categorical_crossentropy(labels, logits, from_logits=True)


def _check_block(op, x, block_size, data_format):
    if data_format != "NHWC":
        raise ValueError(f"tf.nn.{op}: only data_format='NHWC' is supported, got {data_format!r}")
    b = int(block_size)
    if b < 2:
        raise ValueError(f"tf.nn.{op}: block_size must be >= 2, got {block_size}")
    if x.ndim != 4:
        raise ValueError(f"tf.nn.{op}: input must be 4-D (batch, height, width, channels), got "
                         f"shape {tuple(x.shape)}")
    return b


def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """``tf.nn.depth_to_space`` (NHWC, TensorFlow's DCR order): (n, h, w, b*b*c) ->
    (n, h*b, w*b, c), out[:, i*b + di, j*b + dj, k] = in[:, i, j, (di*b + dj)*c + k].
    Differentiable (a reshape, a transpose and a reshape)."""
    if K.array_ops._symbolic(input):
        from . import autograd
        return autograd._record_symbolic[0](depth_to_space, input, block_size, data_format)
    x = _tensor("depth_to_space", "input", input)
    b = _check_block("depth_to_space", x, block_size, data_format)
    n, h, w, c = x.shape
    if c % (b * b):
        raise ValueError(f"tf.nn.depth_to_space: channels {c} must be divisible by "
                         f"block_size**2 = {b * b}")
    c2 = c // (b * b)
    y = K.permute_dimensions(K.reshape(x, (n, h, w, b, b, c2)), (0, 1, 3, 2, 4, 5))
    return K.reshape(y, (n, h * b, w * b, c2))


def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """``tf.nn.space_to_depth``: the inverse of depth_to_space."""
    if K.array_ops._symbolic(input):
        from . import autograd
        return autograd._record_symbolic[0](space_to_depth, input, block_size, data_format)
    x = _tensor("space_to_depth", "input", input)
    b = _check_block("space_to_depth", x, block_size, data_format)
    n, h, w, c = x.shape
    if h % b or w % b:
        raise ValueError(f"tf.nn.space_to_depth: height {h} and width {w} must be divisible "
                         f"by block_size {b}")
    y = K.permute_dimensions(K.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
    return K.reshape(y, (n, h // b, w // b, b * b * c))
