"""Pooling layers (Keras 2's keras/layers/pooling.py) on ops.max_pool2d / avg_pool2d / global_avg_pool2d."""
import numpy as np

from .. import ops as _ops
from .._xp import array_module
from ..autograd import Tensor
from ..engine.base_layer import InputSpec, Layer
from . import _args
from ..ops import basic as B
from ._conv_utils import _conv_len, _data_format, _single, _triple


class _Pool2D(Layer):
    _op = None  # the pooling op, set by each subclass

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.input_spec = InputSpec(ndim=4)
        self.pool_size = _args.int_pair(name, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else _args.int_pair(name, "strides", strides)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"{type(self).__name__}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = _data_format(name, data_format)
        self._record(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                     data_format=self.data_format)

    def compute_output_shape(self, s):
        if self.data_format == "channels_first":
            return (s[0], s[1]) + tuple(_conv_len(n, k, st, self.padding) for n, k, st in
                                        zip(s[2:], self.pool_size, self.strides))
        return (s[0],) + tuple(_conv_len(n, k, st, self.padding) for n, k, st in
                               zip(s[1:3], self.pool_size, self.strides)) + (s[3],)

    def call(self, x, training=False, mask=None):
        if x.ndim != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 2, 3, 1))
        y = self._op(x, pool_size=self.pool_size, strides=self.strides,
                               padding=self.padding)
        return B.transpose(y, (0, 3, 1, 2)) if cf else y


class MaxPooling2D(_Pool2D):
    _op = staticmethod(_ops.max_pool2d)


class AveragePooling2D(_Pool2D):
    _op = staticmethod(_ops.avg_pool2d)


MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D


class GlobalAveragePooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=4)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self._record(data_format=self.data_format, keepdims=self.keepdims)

    def compute_output_shape(self, s):
        c = s[3] if self.data_format == "channels_last" else s[1]
        if self.keepdims:
            return (s[0], 1, 1, c) if self.data_format == "channels_last" else (s[0], c, 1, 1)
        return (s[0], c)

    def call(self, x, training=False, mask=None):
        if self.data_format == "channels_first":
            x = B.transpose(x, (0, 2, 3, 1))
        y = _ops.global_avg_pool2d(x)
        if self.keepdims:
            y = B.reshape(y, (y.shape[0], 1, 1, y.shape[1]) if self.data_format == "channels_last"
                          else (y.shape[0], y.shape[1], 1, 1))
        return y


GlobalAvgPool2D = GlobalAveragePooling2D


# ---- 1-D pooling and global max pooling (Keras 2), on the 2-D pool kernels ------------------
class _Pool1D(Layer):
    """(batch, steps, C) pooled along steps by the 2-D op on (batch, 1, steps, C)."""
    _input_ndim = 3
    _op = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(**kwargs)
        nm = type(self).__name__
        self.pool_size = (_single(pool_size, f"{nm}: pool_size"),)
        self.strides = self.pool_size if strides is None else (_single(strides, f"{nm}: strides"),)
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"{nm}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = _data_format(nm, data_format, "channels_last")
        self._record(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                     data_format=self.data_format)

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        o = _conv_len(s[1] if cl else s[2], self.pool_size[0], self.strides[0], self.padding)
        return (s[0], o, s[2]) if cl else (s[0], s[1], o)

    def call(self, x, training=False, mask=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 2, 1))
        y = self._op(B.reshape(x, (x.shape[0], 1) + x.shape[1:]), pool_size=(1, self.pool_size[0]),
                     strides=(1, self.strides[0]), padding=self.padding)
        y = B.reshape(y, (y.shape[0],) + y.shape[2:])
        return B.transpose(y, (0, 2, 1)) if cf else y


class MaxPooling1D(_Pool1D):
    _op = staticmethod(_ops.max_pool2d)


class AveragePooling1D(_Pool1D):
    _op = staticmethod(_ops.avg_pool2d)


MaxPool1D, AvgPool1D = MaxPooling1D, AveragePooling1D


class _GlobalPool(Layer):
    """Reduce every spatial axis: (N, *spatial, C) -> (N, C), or (N, 1.., C) with keepdims."""
    _rank = 3
    _default_format = "channels_last"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(type(self).__name__, data_format, self._default_format)
        self.keepdims = bool(keepdims)
        self._record(data_format=self.data_format, keepdims=self.keepdims)
        self.input_spec = InputSpec(ndim=self._rank)

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        c = s[-1] if cl else s[1]
        if not self.keepdims:
            return (s[0], c)
        ones = (1,) * (len(s) - 2)
        return (s[0],) + ones + (c,) if cl else (s[0], c) + ones

    def compute_mask(self, inputs, mask=None):
        return None

    def _reduce(self, x4):
        """(N, H, W, C) -> (N, C)."""
        raise NotImplementedError

    def call(self, x, training=False, mask=None):
        if x.ndim != self._rank:
            raise ValueError(f"{self.name}: expected {self._rank}-D input, got shape {x.shape}")
        if self.data_format == "channels_first":
            x = B.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))
        x4 = B.reshape(x, (x.shape[0], 1, -1, x.shape[-1])) if x.ndim != 4 else x  # (N, 1, positions, C)
        y = self._reduce(x4, mask)
        if self.keepdims:
            ones = (1,) * (self._rank - 2)
            shape = ((y.shape[0],) + ones + (y.shape[1],) if self.data_format == "channels_last"
                     else (y.shape[0], y.shape[1]) + ones)
            y = B.reshape(y, shape)
        return y


class GlobalMaxPooling1D(_GlobalPool):
    def _reduce(self, x4, mask=None):
        y = _ops.max_pool2d(x4, pool_size=x4.shape[1:3], strides=x4.shape[1:3])
        return B.reshape(y, (y.shape[0], y.shape[3]))


class GlobalMaxPooling2D(GlobalMaxPooling1D):
    _rank = 4
    _default_format = None


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over the steps; with a mask (Keras 2) the mean over the unmasked steps only."""
    supports_masking = True

    def _reduce(self, x4, mask=None):
        if mask is None:
            return _ops.global_avg_pool2d(x4)
        m = mask.data if isinstance(mask, Tensor) else mask
        xp = array_module(x4.data if isinstance(x4, Tensor) else x4)
        m = xp.asarray(m).astype(np.float32)[:, None, :, None]  # (N, 1, T, 1)
        # Keras 2: sum over the kept steps / their count (a fully masked row gives NaN there too)
        return B.sum(x4 * m, axis=(1, 2)) / m.sum(axis=(1, 2))

GlobalMaxPool1D, GlobalMaxPool2D, GlobalAvgPool1D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalAveragePooling1D)


class _Pool3D(Layer):
    """(N, D, H, W, C) pooled by ops.pool3d (the 2-D op twice: max and average pools are
    separable)."""
    _input_ndim = 5
    _mode = None

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        nm = type(self).__name__
        self.pool_size = _triple(pool_size, f"{nm}: pool_size")
        self.strides = self.pool_size if strides is None else _triple(strides, f"{nm}: strides")
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"{nm}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = _data_format(nm, data_format)
        self._record(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                     data_format=self.data_format)

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        o = tuple(_conv_len(n, k, st, self.padding) for n, k, st in
                  zip(s[1:4] if cl else s[2:5], self.pool_size, self.strides))
        return (s[0],) + o + (s[4],) if cl else (s[0], s[1]) + o

    def call(self, x, training=False, mask=None):
        if x.ndim != 5:
            raise ValueError(f"{self.name}: expected 5-D input (batch, D, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 2, 3, 4, 1))
        y = _ops.pool3d(x, self.pool_size, self.strides, self.padding, self._mode)
        return B.transpose(y, (0, 4, 1, 2, 3)) if cf else y


class MaxPooling3D(_Pool3D):
    _mode = "max"


class AveragePooling3D(_Pool3D):
    _mode = "avg"


class GlobalMaxPooling3D(GlobalMaxPooling1D):
    _rank = 5
    _default_format = None


class GlobalAveragePooling3D(_GlobalPool):
    _rank = 5
    _default_format = None

    def _reduce(self, x4, mask=None):
        return _ops.global_avg_pool2d(x4)


MaxPool3D, AvgPool3D, GlobalMaxPool3D, GlobalAvgPool3D = (MaxPooling3D, AveragePooling3D,
                                                          GlobalMaxPooling3D, GlobalAveragePooling3D)
