"""Depthwise and separable convolution layers (Keras 2's DepthwiseConv1D/2D, SeparableConv1D/2D):
ops.depthwise_conv2d (native NHWC kernels on cpu and cuda), then for the separable ones a 1x1
ops.conv2d with the bias (and relu) fused. The 1-D layers run the 2-D ones on (N, 1, W, C)
views."""
import numpy as np

from .. import activations as _act
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from . import _args
from ..ops import basic as B
from ._conv_base import _ConvBase
from ._conv_utils import (_apply_activation, _conv_len, _data_format, _padding, _single,
                          _to_first, _to_last, fold_pays)


_UNUSED_KERNEL_ARGS = ("kernel_initializer", "kernel_regularizer", "kernel_constraint")


class DepthwiseConv2D(_ConvBase):
    """Depthwise 2-D convolution: depthwise_kernel (KH, KW, C_in, depth_multiplier), bias
    (C_in * depth_multiplier,). Runs ops.depthwise_conv2d (native kernels on the cpu and cuda
    backends; channels_first is transposed around the NHWC kernel)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        for k in _UNUSED_KERNEL_ARGS:  # Keras 2 takes them (its base is Conv) and never reads
            kwargs.pop(k, None)  # them: the kernels here are depthwise_* / pointwise_*
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(depthwise_constraint=depthwise_constraint,
                              bias_constraint=bias_constraint)
        nm = type(self).__name__
        self.kernel_size = _args.int_pair(nm, "kernel_size", kernel_size)
        self.strides = _args.int_pair(nm, "strides", strides)
        self.dilation_rate = _args.int_pair(nm, "dilation_rate", dilation_rate)
        self.padding = _padding(nm, padding)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier < 1:
            raise ValueError(f"{nm}: depth_multiplier must be >= 1, got {depth_multiplier}")
        self.data_format = _data_format(nm, data_format)
        self._common(activation, use_bias, bias_initializer, bias_regularizer)
        self.depthwise_initializer = _init.get(depthwise_initializer)
        self.depthwise_regularizer = _reg.get(depthwise_regularizer)
        self._record(kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                     depth_multiplier=self.depth_multiplier, data_format=self.data_format,
                     dilation_rate=self.dilation_rate, activation=self.activation,
                     use_bias=self.use_bias, depthwise_initializer=self.depthwise_initializer,
                     bias_initializer=self.bias_initializer,
                     depthwise_regularizer=self.depthwise_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def _build_depthwise(self, input_shape):
        self._check_rank(input_shape, 4, "(batch, H, W, C)")
        cin = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (cin, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer)
        return cin

    def build(self, input_shape):
        cin = self._build_depthwise(input_shape)
        self._build_bias(cin * self.depth_multiplier)

    def _out_channels(self, cin):
        return cin * self.depth_multiplier

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        hw = s[1:3] if cl else s[2:4]
        ohw = tuple(_conv_len(n, k, st, self.padding, d) for n, k, st, d in
                    zip(hw, self.kernel_size, self.strides, self.dilation_rate))
        co = self._out_channels(self._channels(s))
        return (s[0],) + ohw + (co,) if cl else (s[0], co) + ohw

    def _depthwise(self, x, bias=None):
        cin = self.depthwise_kernel.shape[2]
        if x.ndim != 4 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, H, W, {cin}) ({self.data_format}), "
                             f"got shape {x.shape}")
        return _ops.depthwise_conv2d(_to_last(x, self.data_format == "channels_first"),
                                     self.depthwise_kernel, strides=self.strides,
                                     padding=self.padding, dilation=self.dilation_rate, b=bias)

    def call(self, x, training=False, mask=None):
        y = self._depthwise(x, self.bias)  # the bias fused into the kernels
        return _to_first(_apply_activation(self.activation, y), self.data_format == "channels_first")

    def _inference_fold_bn(self, x, scale, shift, relu):
        """This layer's output with an inference BatchNormalization (per-channel ``scale``,
        ``shift``; channel c * depth_multiplier + m) folded into the kernel and bias; None
        where the plain steps must run (See Note [inference fusion] in
        engine/inference_fusion.py)."""
        k = self.depthwise_kernel.data
        if not self._foldable(DepthwiseConv2D, x, k, k.size, k.shape[2] * k.shape[3]):
            return None
        b = shift if self.bias is None else self.bias.data * scale + shift
        y = _ops.depthwise_conv2d(x, k * scale.reshape(k.shape[2:]), strides=self.strides,
                                  padding=self.padding, dilation=self.dilation_rate, b=b)
        return _ops.relu(y) if relu else y

    def _foldable(self, cls, x, k, weights, cout):
        return (type(self).call is cls.call and self.data_format == "channels_last"
                and self.activation is _act.linear and x.ndim == 4 and x.shape[-1] == k.shape[2]
                and type(k) is np.ndarray and fold_pays(weights, x.shape, self.strides, cout))


class SeparableConv2D(DepthwiseConv2D):
    """Depthwise then pointwise (1x1) convolution: depthwise_kernel (KH, KW, C_in, M),
    pointwise_kernel (1, 1, C_in * M, filters), bias (filters,). The pointwise step runs
    ops.conv2d with the bias (and relu) fused."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(depthwise_constraint=depthwise_constraint,
                              pointwise_constraint=pointwise_constraint,
                              bias_constraint=bias_constraint)
        self.filters = _args.positive_int(type(self).__name__, "filters",
                                          _args.int_filters(filters))
        self.pointwise_initializer = _init.get(pointwise_initializer)
        self.pointwise_regularizer = _reg.get(pointwise_regularizer)
        self._record(filters=self.filters, pointwise_initializer=self.pointwise_initializer,
                     pointwise_regularizer=self.pointwise_regularizer)

    def build(self, input_shape):
        cin = self._build_depthwise(input_shape)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, cin * self.depth_multiplier, self.filters),
            self.pointwise_initializer, self.pointwise_regularizer)
        self._build_bias(self.filters)

    def _out_channels(self, cin):
        return self.filters

    def call(self, x, training=False, mask=None):
        fuse = self.activation is _act.relu
        y = _ops.conv2d(self._depthwise(x), self.pointwise_kernel, self.bias,
                        activation="relu" if fuse else None)
        if not fuse:
            y = _apply_activation(self.activation, y)
        return _to_first(y, self.data_format == "channels_first")

    def _inference_fold_bn(self, x, scale, shift, relu):
        """As DepthwiseConv2D's, the BatchNormalization folded into the pointwise kernel."""
        k, pk = self.depthwise_kernel.data, self.pointwise_kernel.data
        if type(pk) is not np.ndarray or not self._foldable(SeparableConv2D, x, k, pk.size,
                                                            self.filters):
            return None
        b = shift if self.bias is None else self.bias.data * scale + shift
        return _ops.conv2d(self._depthwise(x), pk * scale, b, activation="relu" if relu else None)


SeparableConvolution2D = SeparableConv2D


class _Conv1DView:
    """Mixin: a 2-D depthwise/separable layer run on (N, 1, W, C) views of 1-D input, with Keras
    2's 1-D argument forms and weight shapes (KH = 1 dropped); 'causal' pads on the left."""

    def _init_1d(self, kernel_size, strides, dilation_rate, padding):
        nm = type(self).__name__
        k = _single(kernel_size, f"{nm}: kernel_size")
        s = _single(strides, f"{nm}: strides")
        d = _single(dilation_rate, f"{nm}: dilation_rate")
        self._padding_1d = _padding(nm, padding, ("valid", "same", "causal"))
        return (1, k), (1, s), (1, d), "valid" if self._padding_1d == "causal" else self._padding_1d

    def _record_1d(self):
        self.padding = self._padding_1d
        self._record(kernel_size=self.kernel_size[1:], strides=self.strides[1:],
                     dilation_rate=self.dilation_rate[1:], padding=self.padding)

    def _build_depthwise(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C) "
                             f"({self.data_format}), got {tuple(input_shape)}")
        cin = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", (self.kernel_size[1], cin, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer)
        return cin

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        n = s[1] if cl else s[2]
        pad = "same" if self.padding == "causal" else self.padding
        o = _conv_len(n, self.kernel_size[1], self.strides[1], pad, self.dilation_rate[1])
        co = self._out_channels(self._channels(s))
        return (s[0], o, co) if cl else (s[0], co, o)

    def _depthwise(self, x):
        cin = self.depthwise_kernel.shape[1]
        if x.ndim != 3 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, steps, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        x = _to_last(x, self.data_format == "channels_first")
        if self.padding == "causal":
            x = _ops.pad(x, ((0, 0), ((self.kernel_size[1] - 1) * self.dilation_rate[1], 0),
                             (0, 0)))
        w = B.reshape(self.depthwise_kernel, (1,) + self.depthwise_kernel.shape)
        y = _ops.depthwise_conv2d(B.reshape(x, (x.shape[0], 1) + x.shape[1:]), w,
                                  strides=self.strides,
                                  padding="valid" if self.padding == "causal" else self.padding,
                                  dilation=self.dilation_rate)
        return y  # (N, 1, W', C * M)

    def call(self, x, training=False, mask=None):
        y = self._pointwise(self._depthwise(x))
        y = B.reshape(y, (y.shape[0],) + y.shape[2:])
        return _to_first(y, self.data_format == "channels_first")


class DepthwiseConv1D(_Conv1DView, DepthwiseConv2D):
    """Depthwise 1-D convolution: depthwise_kernel (K, C_in, depth_multiplier), bias
    (C_in * depth_multiplier,)."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, **kwargs):
        k, s, d, p = self._init_1d(kernel_size, strides, dilation_rate, padding)
        super().__init__(k, strides=s, padding=p, depth_multiplier=depth_multiplier,
                         data_format=data_format or "channels_last", dilation_rate=d, **kwargs)
        self._record_1d()

    def _pointwise(self, y):
        if self.bias is not None:
            y = y + self.bias
        return _apply_activation(self.activation, y)


class SeparableConv1D(_Conv1DView, SeparableConv2D):
    """Depthwise then pointwise 1-D convolution: depthwise_kernel (K, C_in, M), pointwise_kernel
    (1, C_in * M, filters), bias (filters,)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, **kwargs):
        k, s, d, p = self._init_1d(kernel_size, strides, dilation_rate, padding)
        super().__init__(filters, k, strides=s, padding=p, data_format=data_format or "channels_last",
                         dilation_rate=d, depth_multiplier=depth_multiplier, **kwargs)
        self._record_1d()

    def build(self, input_shape):
        cin = self._build_depthwise(input_shape)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, cin * self.depth_multiplier, self.filters),
            self.pointwise_initializer, self.pointwise_regularizer)
        self._build_bias(self.filters)

    def _pointwise(self, y):
        fuse = self.activation is _act.relu
        w = B.reshape(self.pointwise_kernel, (1,) + self.pointwise_kernel.shape)
        y = _ops.conv2d(y, w, self.bias, activation="relu" if fuse else None)
        return y if fuse else _apply_activation(self.activation, y)


SeparableConvolution1D = SeparableConv1D
