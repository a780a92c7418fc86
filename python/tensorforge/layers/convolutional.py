"""Convolution layers (Keras 2's keras/layers/convolutional.py). Conv2D runs ops.conv2d with bias
and relu fused; channels_first input is transposed to NHWC around the kernel call."""
from .. import activations as _act
from .. import backend as _backend
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from ..engine.base_layer import Layer
from . import _args
from ..ops import basic as B


def _conv_len(n, k, s, padding, d=1):
    if n is None:
        return None
    dk = (k - 1) * d + 1
    if padding == "same":
        return -(-n // s)
    return (n - dk) // s + 1 if n >= dk else 0


class Conv2D(Layer):
    """2-D convolution, kernel (KH, KW, C_in, filters). data_format 'channels_last' (default);
    'channels_first' input (N, C, H, W) is transposed to NHWC around the kernel call."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = _args.positive_int("Conv2D", "filters", filters)
        self.kernel_size = _args.int_pair("Conv2D", "kernel_size", kernel_size)
        self.strides = _args.int_pair("Conv2D", "strides", strides)
        self.dilation_rate = _args.int_pair("Conv2D", "dilation_rate", dilation_rate)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"Conv2D: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = data_format or _backend.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"Conv2D: data_format must be 'channels_last' or 'channels_first', "
                             f"got {data_format!r}")
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                     padding=self.padding, data_format=self.data_format,
                     dilation_rate=self.dilation_rate, activation=self.activation,
                     use_bias=self.use_bias, kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got {input_shape}")
        cin = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (cin, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, s):
        hw = (s[1], s[2]) if self.data_format == "channels_last" else (s[2], s[3])
        oh, ow = (_conv_len(n, k, st, self.padding, d) for n, k, st, d in
                  zip(hw, self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return (s[0], oh, ow, self.filters)
        return (s[0], self.filters, oh, ow)

    def call(self, x, training=False, mask=None):
        if x.ndim != 4 or self._channels(x.shape) != self.kernel.shape[2]:
            raise ValueError(f"{self.name}: expected input (batch, H, W, {self.kernel.shape[2]}) "
                             f"({self.data_format}), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 2, 3, 1))
        fuse = self.activation is _act.relu
        y = _ops.conv2d(x, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                          dilation=self.dilation_rate, activation="relu" if fuse else None)
        if not fuse and self.activation is not _act.linear:
            y = self.activation(y)
        if cf:
            y = B.transpose(y, (0, 3, 1, 2))
        return y


Convolution2D = Conv2D
