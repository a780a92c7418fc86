"""Pooling layers (Keras 2's keras/layers/pooling.py) on ops.max_pool2d / avg_pool2d / global_avg_pool2d."""
from .. import backend as _backend
from .. import ops as _ops
from ..engine.base_layer import Layer
from . import _args
from ..ops import basic as B
from .convolutional import _conv_len


class _Pool2D(Layer):
    _op = None  # the pooling op, set by each subclass

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.pool_size = _args.int_pair(name, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else _args.int_pair(name, "strides", strides)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"{type(self).__name__}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = data_format or _backend.image_data_format()
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
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or _backend.image_data_format()
        self._record(data_format=self.data_format)

    def compute_output_shape(self, s):
        return (s[0], s[3] if self.data_format == "channels_last" else s[1])

    def call(self, x, training=False, mask=None):
        if self.data_format == "channels_first":
            x = B.transpose(x, (0, 2, 3, 1))
        return _ops.global_avg_pool2d(x)


GlobalAvgPool2D = GlobalAveragePooling2D
