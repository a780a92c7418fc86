"""What the convolution-family layers (and pooling, ConvLSTM2D) share, none of it a layer: the
Keras 2 argument forms (data_format, an int or 1- / 3-tuple, padding, (before, after) pairs), the
output lengths of a convolution and of a transposed one (Keras 2's conv_utils), the transposes
between channels_first and channels_last, and an activation applied unless linear."""
from .. import activations as _act
from .. import backend as _backend
from ..ops import basic as B
from .._conv_utils import deconv_output_length


def _conv_len(n, k, s, padding, d=1):
    if n is None:
        return None
    dk = (k - 1) * d + 1
    if padding == "same":
        return -(-n // s)
    return (n - dk) // s + 1 if n >= dk else 0


def _deconv_len(n, k, padding, output_padding, stride, dilation):
    """Keras 2's conv_utils.deconv_output_length (tensorforge/_conv_utils.py)."""
    return deconv_output_length(n, k, padding, output_padding, stride, dilation)


def _data_format(layer, data_format, default=None):
    df = data_format or default or _backend.image_data_format()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"got {data_format!r}")
    return df


def _single(v, what, minimum=1):
    """Keras' normalize_tuple(v, 1): an int or a 1-tuple -> int >= minimum."""
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError(f"{what} must be an int or a tuple of 1 int, got {v!r}")
        v = v[0]
    v = int(v)
    if v < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {v}")
    return v


def _padding(layer, padding, allowed=("valid", "same")):
    p = str(padding).lower()
    if p not in allowed:
        raise ValueError(f"{layer}: padding must be one of {allowed}, got {padding!r}")
    return p


def _to_last(x, cf):
    """channels_first (N, C, ...) -> channels_last (N, ..., C) when cf."""
    return B.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,)) if cf else x


def _to_first(y, cf):
    return B.transpose(y, (0, y.ndim - 1) + tuple(range(1, y.ndim - 1))) if cf else y


def _apply_activation(act, y):
    return y if act is _act.linear else act(y)


def _triple(v, what):
    if isinstance(v, int):
        v = (v, v, v)
    v = tuple(int(e) for e in v)
    if len(v) != 3 or min(v) < 1:
        raise ValueError(f"{what} must be an int or a tuple of 3 ints >= 1, got {v!r}")
    return v


def _pad_pairs(v, what, n):
    """Keras' ZeroPadding/Cropping argument -> n (before, after) pairs of ints >= 0."""
    if isinstance(v, int):
        out = ((v, v),) * n
    else:
        v = tuple(v)
        if len(v) != n:
            raise ValueError(f"{what} must be an int, a tuple of {n} ints or of {n} pairs, got {v!r}")
        out = tuple((e, e) if isinstance(e, int) else tuple(e) for e in v)
    if any(len(p) != 2 or int(p[0]) < 0 or int(p[1]) < 0 for p in out):
        raise ValueError(f"{what} must hold ints >= 0, got {v!r}")
    return tuple((int(a), int(b)) for a, b in out)


def _groups(layer, groups, filters):
    """Keras 2's ``groups`` check at construction: an int >= 1 dividing ``filters``; 0 or None
    mean 1, as in Keras 2 (``groups or 1``: RegNetX080's first stage asks for 80 // 120)."""
    groups = groups or 1
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{layer}: groups must be an int >= 1, got {groups!r}")
    if filters % groups:
        raise ValueError(f"{layer}: the number of filters must be evenly divisible by the number "
                         f"of groups. Received: groups={groups}, filters={filters}")
    return groups


def _check_group_channels(name, groups, cin, input_shape):
    """Keras 2's ``groups`` check at build: the input channels a multiple of ``groups``."""
    if cin % groups:
        raise ValueError(f"{name}: the number of input channels must be evenly divisible by the "
                         f"number of groups. Received groups={groups}, but the input has {cin} "
                         f"channels (full input shape is {tuple(input_shape)})")


def fold_pays(kernel_size, x_shape, strides, out_channels):
    """Whether folding an inference BatchNormalization into a kernel of ``kernel_size`` elements
    costs less than the pass over the output it saves (See Note [inference fusion] in
    engine/inference_fusion.py): the output of an NHWC input ``x_shape`` has about
    N * ceil(H / sh) * ceil(W / sw) * out_channels elements."""
    n, h, w = x_shape[0], x_shape[1], x_shape[2]
    return kernel_size <= n * -(-h // strides[0]) * -(-w // strides[1]) * out_channels
