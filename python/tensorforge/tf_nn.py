"""``tf.nn`` functions beyond the activations and losses of tf_compat.py: ``tf.nn.moments``,
``tf.nn.conv2d`` and ``tf.nn.convolution`` (the ops a Keras 2.7+ ``Conv.convolution_op``
override calls, keras-io subclassing_conv_layers.py). Each is the Keras backend op with
TensorFlow's argument names and conventions (upper-case paddings, NHWC / NCHW data formats,
strides of 1, 2 or 4 entries)."""
import numpy as np

from . import backend_ops as K
from .backend_ops._args import tensor as _tensor

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


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """``tf.nn.conv2d``: input (batch, h, w, in) (NHWC) or (batch, in, h, w) (NCHW), filters
    (kh, kw, in, out); padding 'VALID' or 'SAME'. Differentiable in both."""
    if data_format not in _FORMATS:
        raise ValueError(f"tf.nn.conv2d: data_format must be 'NHWC' or 'NCHW', got "
                         f"{data_format!r}")
    if not isinstance(padding, str) or padding not in ("VALID", "SAME"):
        raise ValueError(f"tf.nn.conv2d: padding must be 'VALID' or 'SAME', got {padding!r}")
    x = _tensor("nn.conv2d", "input", input)
    w = _tensor("nn.conv2d", "filters", filters)
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


__all__ = ["moments", "conv2d", "convolution"]
