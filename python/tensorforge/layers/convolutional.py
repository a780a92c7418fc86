"""Convolution layers (Keras 2's keras/layers/convolutional.py). Conv2D runs ops.conv2d with bias
and relu fused; channels_first input is transposed to NHWC around the kernel call."""
from .. import activations as _act
from .. import backend as _backend
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from ..engine.base_layer import InputSpec, Layer
from ..kernels.conv import same_pads
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
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(min_ndim=4)
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
                     bias_regularizer=self.bias_regularizer, groups=1, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got {input_shape}")
        cin = self._channels(input_shape)
        self.input_spec = InputSpec(ndim=4, axes={-1 if self.data_format == "channels_last" else 1: cin})
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


# ---- Keras 2 convolution family beyond Conv2D ----------------------------------------------
def _data_format(layer, data_format, default=None):
    df = data_format or default or _backend.image_data_format()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"got {data_format!r}")
    return df


def _single(v, what):
    """Keras' normalize_tuple(v, 1): an int or a 1-tuple -> int."""
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError(f"{what} must be an int or a tuple of 1 int, got {v!r}")
        v = v[0]
    v = int(v)
    if v < 1:
        raise ValueError(f"{what} must be >= 1, got {v}")
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


class _ConvBase(Layer):
    """Shared bias / activation / initializer arguments of the convolution layers."""
    _spec_from_build = True

    def _common(self, activation, use_bias, bias_initializer, bias_regularizer):
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = _init.get(bias_initializer)
        self.bias_regularizer = _reg.get(bias_regularizer)

    def _kernel_conv(self, activation, use_bias, kernel_initializer, bias_initializer,
                     kernel_regularizer, bias_regularizer):
        """A kernel-and-bias convolution's remaining arguments (Conv1D, Conv3D), recorded for
        get_config with the ones the layer set (filters, kernel_size, strides, ...)."""
        self._common(activation, use_bias, bias_initializer, bias_regularizer)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self._record(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                     padding=self.padding, data_format=self.data_format,
                     dilation_rate=self.dilation_rate, groups=1, activation=self.activation,
                     use_bias=self.use_bias, kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def _build_kernel(self, input_shape, rank, layout):
        """kernel (*kernel_size, C_in, filters) and bias (filters,), Keras 2's order."""
        self._check_rank(input_shape, rank, layout)
        cin = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (cin, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def _check_rank(self, shape, rank, layout):
        if len(shape) != rank:
            raise ValueError(f"{self.name}: expected {rank}-D input {layout} ({self.data_format}), "
                             f"got {tuple(shape)}")
        if self._channels(shape) is None:
            raise ValueError(f"{self.name}: the channel dimension of the input must be known, got "
                             f"{tuple(shape)}")


class Conv1D(_ConvBase):
    """1-D convolution, kernel (kernel_size, C_in, filters); padding 'valid', 'same' or 'causal'
    (left zero padding of (kernel_size - 1) * dilation_rate). Runs ops.conv2d on (N, 1, W, C)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.filters = _args.positive_int("Conv1D", "filters", filters)
        if int(groups) != 1:
            raise NotImplementedError("Conv1D: groups > 1 is not supported")
        self.kernel_size = (_single(kernel_size, "Conv1D: kernel_size"),)
        self.strides = (_single(strides, "Conv1D: strides"),)
        self.dilation_rate = (_single(dilation_rate, "Conv1D: dilation_rate"),)
        if self.strides[0] > 1 and self.dilation_rate[0] > 1:
            raise ValueError("Conv1D: strides > 1 is incompatible with dilation_rate > 1")
        self.padding = _padding("Conv1D", padding, ("valid", "same", "causal"))
        self.data_format = _data_format("Conv1D", data_format, "channels_last")
        self._kernel_conv(activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer)

    def build(self, input_shape):
        self._build_kernel(input_shape, 3, "(batch, steps, channels)")

    def compute_output_shape(self, s):
        n = s[1] if self.data_format == "channels_last" else s[2]
        k, st, d = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        o = _conv_len(n, k, st, "same" if self.padding == "causal" else self.padding, d)
        return (s[0], o, self.filters) if self.data_format == "channels_last" else (s[0], self.filters, o)

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[1]
        if x.ndim != 3 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, steps, {cin}) ({self.data_format}), "
                             f"got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        k, d = self.kernel_size[0], self.dilation_rate[0]
        pad = (((0, 0), ((k - 1) * d, 0)) if self.padding == "causal" else self.padding)
        fuse = self.activation is _act.relu
        y = _ops.conv2d(B.reshape(x, (x.shape[0], 1) + x.shape[1:]),
                        B.reshape(self.kernel, (1,) + self.kernel.shape), self.bias,
                        strides=(1, self.strides[0]), padding=pad, dilation=(1, d),
                        activation="relu" if fuse else None)
        y = B.reshape(y, (y.shape[0],) + y.shape[2:])
        if not fuse:
            y = _apply_activation(self.activation, y)
        return _to_first(y, cf)


def _deconv_len(n, k, padding, output_padding, stride, dilation):
    """Keras 2's conv_utils.deconv_output_length."""
    if n is None:
        return None
    k = k + (k - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return n * stride + max(k - stride, 0)
        return n * stride
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * stride + k - 2 * pad + output_padding


class Conv2DTranspose(_ConvBase):
    """Transposed 2-D convolution ("deconvolution"), kernel (KH, KW, filters, C_in), bias
    (filters,). Its forward is conv2d's backward-data kernel (ops.conv2d_transpose)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        nm = type(self).__name__
        self.filters = _args.positive_int(nm, "filters", filters)
        self.kernel_size = _args.int_pair(nm, "kernel_size", kernel_size)
        self.strides = _args.int_pair(nm, "strides", strides)
        self.dilation_rate = _args.int_pair(nm, "dilation_rate", dilation_rate)
        self.padding = _padding(nm, padding)
        self.output_padding = (None if output_padding is None
                               else _args.int_pair(nm, "output_padding", output_padding, minimum=0))
        if self.output_padding is not None:
            for op_, st in zip(self.output_padding, self.strides):
                if op_ >= st:
                    raise ValueError(f"{nm}: output_padding {self.output_padding} must "
                                     f"be smaller than strides {self.strides}")
        self.data_format = _data_format(nm, data_format)
        self._common(activation, use_bias, bias_initializer, bias_regularizer)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self._record(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                     padding=self.padding, output_padding=self.output_padding,
                     data_format=self.data_format, dilation_rate=self.dilation_rate,
                     activation=self.activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def build(self, input_shape):
        self._check_rank(input_shape, 4, "(batch, H, W, C)")
        cin = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, cin),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def _out_hw(self, hw):
        op = self.output_padding or (None, None)
        return tuple(_deconv_len(n, k, self.padding, p, s, d) for n, k, p, s, d in
                     zip(hw, self.kernel_size, op, self.strides, self.dilation_rate))

    def compute_output_shape(self, s):
        if self.data_format == "channels_last":
            return (s[0],) + self._out_hw(s[1:3]) + (self.filters,)
        return (s[0], self.filters) + self._out_hw(s[2:4])

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[3]
        if x.ndim != 4 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, H, W, {cin}) ({self.data_format}), "
                             f"got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        y = _ops.conv2d_transpose(x, self.kernel, self.bias, output_size=self._out_hw(x.shape[1:3]),
                                  strides=self.strides, padding=self.padding,
                                  dilation=self.dilation_rate)
        return _to_first(_apply_activation(self.activation, y), cf)


Convolution2DTranspose = Conv2DTranspose


class DepthwiseConv2D(_ConvBase):
    """Depthwise 2-D convolution: depthwise_kernel (KH, KW, C_in, depth_multiplier), bias
    (C_in * depth_multiplier,). Runs ops.depthwise_conv2d (native kernels on the cpu and cuda
    backends; channels_first is transposed around the NHWC kernel)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
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
        self.bias = (self.add_weight("bias", (cin * self.depth_multiplier,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

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
                         bias_regularizer=bias_regularizer, **kwargs)
        self._set_constraints(depthwise_constraint=depthwise_constraint,
                              pointwise_constraint=pointwise_constraint,
                              bias_constraint=bias_constraint)
        self.filters = _args.positive_int(type(self).__name__, "filters", filters)
        self.pointwise_initializer = _init.get(pointwise_initializer)
        self.pointwise_regularizer = _reg.get(pointwise_regularizer)
        self._record(filters=self.filters, pointwise_initializer=self.pointwise_initializer,
                     pointwise_regularizer=self.pointwise_regularizer)

    def build(self, input_shape):
        cin = self._build_depthwise(input_shape)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, cin * self.depth_multiplier, self.filters),
            self.pointwise_initializer, self.pointwise_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def _out_channels(self, cin):
        return self.filters

    def call(self, x, training=False, mask=None):
        fuse = self.activation is _act.relu
        y = _ops.conv2d(self._depthwise(x), self.pointwise_kernel, self.bias,
                        activation="relu" if fuse else None)
        if not fuse:
            y = _apply_activation(self.activation, y)
        return _to_first(y, self.data_format == "channels_first")


SeparableConvolution2D = SeparableConv2D


class UpSampling1D(Layer):
    """Repeats each step ``size`` times: (batch, steps, C) -> (batch, steps * size, C)."""
    _input_ndim = 3
    supports_masking = False

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = _single(size, "UpSampling1D: size")
        self._record(size=self.size)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] * self.size, s[2])

    def call(self, x, training=False, mask=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C), got shape {x.shape}")
        y = _ops.upsample2d(B.reshape(x, (x.shape[0], 1) + x.shape[1:]), (1, self.size))
        return B.reshape(y, (y.shape[0],) + y.shape[2:])


class UpSampling2D(Layer):
    """Repeats rows and columns (interpolation 'nearest') or resizes bilinearly (TF2's
    tf.image.resize, as Keras 2): (N, H, W, C) -> (N, H * size[0], W * size[1], C)."""
    _input_ndim = 4

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _args.int_pair("UpSampling2D", "size", size)
        self.data_format = _data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', got "
                             f"{interpolation!r}")
        self.interpolation = interpolation
        self._record(size=self.size, data_format=self.data_format, interpolation=interpolation)

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        hw = s[1:3] if cl else s[2:4]
        ohw = tuple(None if n is None else n * f for n, f in zip(hw, self.size))
        return (s[0],) + ohw + (s[3],) if cl else (s[0], s[1]) + ohw

    def call(self, x, training=False, mask=None):
        if x.ndim != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        y = _ops.upsample2d(_to_last(x, cf), self.size, self.interpolation)
        return _to_first(y, cf)


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


class ZeroPadding1D(Layer):
    """Zeros before and after the steps axis: padding int or (before, after)."""
    _input_ndim = 3

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = (_pad_pairs(padding, "ZeroPadding1D: padding", 1)[0]
                        if isinstance(padding, int) else
                        _pad_pairs((tuple(padding),), "ZeroPadding1D: padding", 1)[0])
        self._record(padding=self.padding)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] + sum(self.padding), s[2])

    def call(self, x, training=False, mask=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C), got shape {x.shape}")
        return _ops.pad(x, ((0, 0), self.padding, (0, 0)))


class ZeroPadding2D(Layer):
    """Zero rows and columns around the image: padding int, (h, w) symmetric, or
    ((top, bottom), (left, right))."""
    _input_ndim = 4

    _n = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        nm = type(self).__name__
        self.padding = _pad_pairs(padding, f"{nm}: padding", self._n)
        self.data_format = _data_format(nm, data_format)
        self._record(padding=self.padding, data_format=self.data_format)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._n))

    def compute_output_shape(self, s):
        s = list(s)
        for ax, (a, b) in zip(self._axes(), self.padding):
            s[ax] = None if s[ax] is None else s[ax] + a + b
        return tuple(s)

    def call(self, x, training=False, mask=None):
        if x.ndim != self._n + 2:
            raise ValueError(f"{self.name}: expected {self._n + 2}-D input, got shape {x.shape}")
        pads = [(0, 0)] * x.ndim
        for ax, p in zip(self._axes(), self.padding):
            pads[ax] = p
        return _ops.pad(x, pads)


class Cropping1D(Layer):
    """Drops steps from the start and end: cropping int or (start, end)."""
    _input_ndim = 3

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pad_pairs((cropping,) if isinstance(cropping, int) else (tuple(cropping),),
                                   "Cropping1D: cropping", 1)[0]
        self._record(cropping=self.cropping)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] - sum(self.cropping), s[2])

    def call(self, x, training=False, mask=None):
        a, b = self.cropping
        if x.ndim != 3 or x.shape[1] <= a + b:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C) with more than "
                             f"{a + b} steps to crop {self.cropping}, got shape {x.shape}")
        return B.getitem(x, (slice(None), slice(a, x.shape[1] - b)))


class Cropping2D(Layer):
    """Drops rows and columns: cropping int, (h, w) symmetric, or ((top, bottom), (left, right))."""
    _input_ndim = 4

    _n = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        nm = type(self).__name__
        self.cropping = _pad_pairs(cropping, f"{nm}: cropping", self._n)
        self.data_format = _data_format(nm, data_format)
        self._record(cropping=self.cropping, data_format=self.data_format)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._n))

    def compute_output_shape(self, s):
        s = list(s)
        for ax, (a, b) in zip(self._axes(), self.cropping):
            s[ax] = None if s[ax] is None else s[ax] - a - b
        return tuple(s)

    def call(self, x, training=False, mask=None):
        if x.ndim != self._n + 2 or any(x.shape[ax] <= a + b for ax, (a, b) in
                                        zip(self._axes(), self.cropping)):
            raise ValueError(f"{self.name}: expected {self._n + 2}-D input ({self.data_format}) "
                             f"larger than the cropping {self.cropping}, got shape {x.shape}")
        idx = [slice(None)] * x.ndim
        for ax, (a, b) in zip(self._axes(), self.cropping):
            idx[ax] = slice(a, x.shape[ax] - b)
        return B.getitem(x, tuple(idx))


def _triple(v, what):
    if isinstance(v, int):
        v = (v, v, v)
    v = tuple(int(e) for e in v)
    if len(v) != 3 or min(v) < 1:
        raise ValueError(f"{what} must be an int or a tuple of 3 ints >= 1, got {v!r}")
    return v


class Conv3D(_ConvBase):
    """3-D convolution, kernel (KD, KH, KW, C_in, filters): one ops.conv2d over (H, W) per
    depth tap of the kernel, summed (the depth axis is folded into the batch)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.filters = _args.positive_int("Conv3D", "filters", filters)
        if int(groups) != 1:
            raise NotImplementedError("Conv3D: groups > 1 is not supported")
        self.kernel_size = _triple(kernel_size, "Conv3D: kernel_size")
        self.strides = _triple(strides, "Conv3D: strides")
        self.dilation_rate = _triple(dilation_rate, "Conv3D: dilation_rate")
        self.padding = _padding("Conv3D", padding)
        self.data_format = _data_format("Conv3D", data_format)
        self._kernel_conv(activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer)

    def build(self, input_shape):
        self._build_kernel(input_shape, 5, "(batch, D, H, W, C)")

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        dhw = s[1:4] if cl else s[2:5]
        o = tuple(_conv_len(n, k, st, self.padding, d) for n, k, st, d in
                  zip(dhw, self.kernel_size, self.strides, self.dilation_rate))
        return (s[0],) + o + (self.filters,) if cl else (s[0], self.filters) + o

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[3]
        if x.ndim != 5 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, D, H, W, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        N, D, H, W, C = x.shape
        kd, sd, dd = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        if self.padding == "same":
            pd = same_pads(D, kd, sd, dd)
            if pd != (0, 0):
                x = _ops.pad(x, ((0, 0), pd, (0, 0), (0, 0), (0, 0)))
        Dp = x.shape[1]
        OD = _conv_len(Dp, kd, sd, "valid", dd)
        if OD < 1:
            raise ValueError(f"{self.name}: the kernel depth {kd} (dilation {dd}) exceeds the "
                             f"input depth {D}: input shape {x.shape}")
        y = None
        for t in range(kd):  # depth tap t reads input depths t*dd, t*dd + sd, ...
            xs = B.getitem(x, (slice(None), slice(t * dd, t * dd + (OD - 1) * sd + 1, sd)))
            yt = _ops.conv2d(B.reshape(xs, (N * OD, H, W, C)), B.getitem(self.kernel, t), None,
                             strides=self.strides[1:], padding=self.padding,
                             dilation=self.dilation_rate[1:])
            y = yt if y is None else y + yt
        if self.bias is not None:
            y = y + self.bias
        y = B.reshape(y, (N, OD) + y.shape[1:])
        return _to_first(_apply_activation(self.activation, y), cf)


Convolution3D = Conv3D


class ZeroPadding3D(ZeroPadding2D):
    """Zeros around a volume: padding int, (d, h, w) symmetric, or three (before, after) pairs."""
    _input_ndim = 5
    _n = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class Cropping3D(Cropping2D):
    _input_ndim = 5
    _n = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class UpSampling3D(Layer):
    """Repeats each voxel size[0] x size[1] x size[2] times (nearest): the depth axis through
    ops.upsample2d on (N, D, H * W, C), then rows and columns on (N * D', H, W, C)."""
    _input_ndim = 5

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = _triple(size, "UpSampling3D: size")
        self.data_format = _data_format("UpSampling3D", data_format)
        self._record(size=self.size, data_format=self.data_format)

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        dhw = s[1:4] if cl else s[2:5]
        o = tuple(None if n is None else n * f for n, f in zip(dhw, self.size))
        return (s[0],) + o + (s[4],) if cl else (s[0], s[1]) + o

    def call(self, x, training=False, mask=None):
        if x.ndim != 5:
            raise ValueError(f"{self.name}: expected 5-D input (batch, D, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        N, D, H, W, C = x.shape
        sd, sh, sw = self.size
        y = _ops.upsample2d(B.reshape(x, (N, D, H * W, C)), (sd, 1))
        y = _ops.upsample2d(B.reshape(y, (N * D * sd, H, W, C)), (sh, sw))
        return _to_first(B.reshape(y, (N, D * sd, H * sh, W * sw, C)), cf)


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
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def _pointwise(self, y):
        fuse = self.activation is _act.relu
        w = B.reshape(self.pointwise_kernel, (1,) + self.pointwise_kernel.shape)
        y = _ops.conv2d(y, w, self.bias, activation="relu" if fuse else None)
        return y if fuse else _apply_activation(self.activation, y)


SeparableConvolution1D = SeparableConv1D


def _output_padding1(v):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError(f"Conv1DTranspose: output_padding must be an int or a tuple of 1 "
                             f"int, got {v!r}")
        v = v[0]
    v = int(v)
    if v < 0:
        raise ValueError(f"Conv1DTranspose: output_padding must be >= 0, got {v}")
    return v


class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution, kernel (kernel_size, filters, C_in), bias (filters,): a
    Conv2DTranspose on (N, 1, W, C) views, as Conv1D runs conv2d."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        k = _single(kernel_size, "Conv1DTranspose: kernel_size")
        st = _single(strides, "Conv1DTranspose: strides")
        d = _single(dilation_rate, "Conv1DTranspose: dilation_rate")
        op = None if output_padding is None else (0, _output_padding1(output_padding))
        super().__init__(filters, (1, k), strides=(1, st), padding=padding, output_padding=op,
                         data_format=data_format, dilation_rate=(1, d), **kwargs)
        self._record(kernel_size=(k,), strides=(st,), dilation_rate=(d,),
                     output_padding=None if op is None else (op[1],))

    def build(self, input_shape):
        self._check_rank(input_shape, 3, "(batch, steps, C)")
        cin = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size[1:] + (self.filters, cin),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, s):
        w = self._out_hw((1, s[1] if self.data_format == "channels_last" else s[2]))[1]
        return (s[0], w, self.filters) if self.data_format == "channels_last" else (s[0], self.filters, w)

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[2]
        if x.ndim != 3 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, steps, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        x = _to_last(x, self.data_format == "channels_first")
        x4 = B.reshape(x, (x.shape[0], 1) + x.shape[1:])
        k4 = B.reshape(self.kernel, (1,) + tuple(self.kernel.shape))
        y = _ops.conv2d_transpose(x4, k4, self.bias, output_size=self._out_hw(x4.shape[1:3]),
                                  strides=self.strides, padding=self.padding,
                                  dilation=self.dilation_rate)
        y = B.reshape(y, (y.shape[0],) + y.shape[2:])
        return _to_first(_apply_activation(self.activation, y), self.data_format == "channels_first")


Convolution1DTranspose = Conv1DTranspose
