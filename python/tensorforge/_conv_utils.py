"""Keras 2's ``keras.utils.conv_utils`` (utils/conv_utils.py serves them there): the helpers
custom convolution layers call for their output shapes and argument forms (Keras 2's formulas, so
a layer's compute_output_shape gives what it gave under Keras), and Keras 2.2's convert_kernel.
Kept out of utils/ so the convolution layers can import them: utils/ imports the layers
(FeatureSpace)."""
import numpy as np

from . import backend as _backend


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """The length of a convolution's output along one axis ('same', 'valid', 'full' or
    'causal' padding), as Keras 2 computes it (a window longer than a 'valid' input gives a
    length below 1, as there)."""
    if input_length is None:
        return None
    _check_padding("conv_output_length", padding, ("same", "valid", "full", "causal"))
    dilated = (filter_size - 1) * dilation + 1
    length = {"same": input_length, "causal": input_length,
              "valid": input_length - dilated + 1,
              "full": input_length + dilated - 1}[padding]
    return (length + stride - 1) // stride


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length a convolution maps to ``output_length`` (Keras 2)."""
    if output_length is None:
        return None
    _check_padding("conv_input_length", padding, ("same", "valid", "full"))
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_output_length(input_length, filter_size, padding, output_padding=None, stride=0,
                         dilation=1):
    """The length of a transposed convolution's output along one axis (Keras 2)."""
    _check_padding("deconv_output_length", padding, ("same", "valid", "full"))
    if input_length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(filter_size - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + filter_size - 2)
        return input_length * stride
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (input_length - 1) * stride + filter_size - 2 * pad + output_padding


def normalize_tuple(value, n, name, allow_zero=False):
    """An int or an n-sequence of ints as an n-tuple of ints, each > 0 (>= 0 with allow_zero);
    anything else is Keras 2's ValueError naming the argument."""
    msg = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(msg) from None
        if len(out) != n:
            raise ValueError(msg)
        for v in out:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"{msg} including element {v} of type {type(v)}")
        out = tuple(int(v) for v in out)
    bad = {v for v in out if v < 0 or (v == 0 and not allow_zero)}
    if bad:
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{msg} including {bad} that does not satisfy the requirement "
                         f"`{need}`.")
    return out


def normalize_padding(value):
    """'valid', 'same' or 'causal' (any case); a list / tuple passes as it is."""
    if isinstance(value, (list, tuple)):
        return value
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same", "causal"):
        raise ValueError('The `padding` argument must be a list/tuple or one of "valid", "same" '
                         f'(or "causal", only for `Conv1D). Received: {padding}')
    return padding


def normalize_data_format(value):
    """'channels_first' or 'channels_last' (any case); None is the backend's image_data_format."""
    if value is None:
        value = _backend.image_data_format()
    data_format = value.lower() if isinstance(value, str) else value
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         f'"channels_last". Received: {value}')
    return data_format


def convert_kernel(kernel):
    """Keras 2.2's convert_kernel: a convolution kernel (spatial axes first, then input and
    output channels) with its spatial axes reversed, the Theano <-> TensorFlow flip."""
    kernel = np.asarray(kernel)
    if kernel.ndim < 3:
        raise ValueError(f"convert_kernel: expected a kernel of at least 3 axes (spatial ..., "
                         f"in, out), got shape {kernel.shape}")
    flip = (slice(None, None, -1),) * (kernel.ndim - 2) + (slice(None), slice(None))
    return np.copy(kernel[flip])


def _check_padding(fn, padding, allowed):
    if padding not in allowed:
        raise ValueError(f"{fn}: padding must be one of {', '.join(map(repr, allowed))}, got "
                         f"{padding!r}")
