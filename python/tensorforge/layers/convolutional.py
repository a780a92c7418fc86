"""Convolution layers (Keras 2's keras/layers/convolutional.py): Conv1D, Conv2D, Conv3D. Conv2D
runs ops.conv2d with bias and relu fused; channels_first input is transposed to NHWC around the
kernel call. The rest of Keras 2's convolutional.py lives beside this file, one family a module:
the transposed convolutions (convolutional_transpose.py), the depthwise and separable ones
(convolutional_depthwise.py), up-sampling, zero-padding and cropping (reshaping.py); their names
stay importable from here, as ``keras.layers.convolutional.X``. So do the pooling layers, which
Keras 2.0-2.2's convolutional.py re-exported "for backwards namespace compatibility" (Keras 2
tutorials write ``from keras.layers.convolutional import MaxPooling1D``)."""
import numpy as np

from .. import activations as _act
from .. import backend as _backend
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from ..engine.base_layer import InputSpec, Layer
from . import _args
from ..ops import basic as B
from ._conv_base import _ConvBase
from ._conv_utils import (_apply_activation, _check_group_channels, _conv_len, _data_format,
                          _groups, _padding, _single, _to_first, _to_last, _triple, fold_pays)
from .convolutional_depthwise import (DepthwiseConv1D, DepthwiseConv2D,  # noqa: F401
                                      SeparableConv1D, SeparableConv2D, SeparableConvolution1D,
                                      SeparableConvolution2D)
from .convolutional_transpose import (Conv1DTranspose, Conv2DTranspose,  # noqa: F401
                                      Conv3DTranspose, Convolution1DTranspose,
                                      Convolution2DTranspose, Convolution3DTranspose)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,  # noqa: F401
                      MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D,  # noqa: F401
                        UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D,
                        ZeroPadding3D)


class Conv2D(Layer):
    """2-D convolution, kernel (KH, KW, C_in / groups, filters). data_format 'channels_last'
    (default); 'channels_first' input (N, C, H, W) is transposed to NHWC around the kernel call.
    groups > 1: ops.grouped_conv2d (See Note [grouped convolution] in ops/conv.py)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(min_ndim=4)
        self.filters = _args.positive_int("Conv2D", "filters", _args.int_filters(filters))
        self.kernel_size = _args.int_pair("Conv2D", "kernel_size", kernel_size)
        self.strides = _args.int_pair("Conv2D", "strides", strides)
        self.dilation_rate = _args.int_pair("Conv2D", "dilation_rate", dilation_rate)
        self.groups = _groups("Conv2D", groups, self.filters)
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
                     bias_regularizer=self.bias_regularizer, groups=self.groups,
                     activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got {input_shape}")
        cin = self._channels(input_shape)
        _check_group_channels(self.name, self.groups, cin, input_shape)
        self.input_spec = InputSpec(ndim=4, axes={-1 if self.data_format == "channels_last" else 1: cin})
        self.kernel = self.add_weight("kernel", self.kernel_size + (cin // self.groups, self.filters),
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

    def convolution_op(self, inputs, kernel):
        """Keras 2.7+ ``Conv.convolution_op``: the convolution alone (no bias, no activation)
        of ``inputs`` with ``kernel``, in the layer's strides, padding, dilation and data
        format. A subclass may override it (its ``call`` then still adds the bias and the
        activation) or call it from its own ``call``."""
        if self.groups > 1:
            cf = self.data_format == "channels_first"
            return _to_first(_ops.grouped_conv2d(_to_last(inputs, cf), kernel, None, self.strides,
                                                 self.padding, self.dilation_rate, self.groups), cf)
        return _backend.conv2d(inputs, kernel, strides=self.strides, padding=self.padding,
                               data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[2] * self.groups
        if x.ndim != 4 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, H, W, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        if type(self).convolution_op is not Conv2D.convolution_op or self.groups > 1:
            y = self.convolution_op(x, self.kernel)
            if self.use_bias:
                y = _backend.bias_add(y, self.bias, data_format=self.data_format)
            return self.activation(y)
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

    def _inference_fold_bn(self, x, scale, shift, relu):
        """This layer's output with an inference BatchNormalization (per-channel ``scale``,
        ``shift``) folded into the kernel and bias and ``relu`` in the epilogue; None where
        the plain steps must run (See Note [inference fusion] in engine/inference_fusion.py)."""
        k = self.kernel.data
        if (type(self).call is not Conv2D.call or self.groups > 1
                or type(self).convolution_op is not Conv2D.convolution_op
                or self.data_format != "channels_last" or self.activation is not _act.linear
                or x.ndim != 4 or x.shape[-1] != k.shape[2] or type(k) is not np.ndarray
                or not fold_pays(k.size, x.shape, self.strides, self.filters)):
            return None
        b = shift if self.bias is None else self.bias.data * scale + shift
        return _ops.conv2d(x, k * scale, b, strides=self.strides, padding=self.padding,
                           dilation=self.dilation_rate, activation="relu" if relu else None)


Convolution2D = Conv2D


class Conv1D(_ConvBase):
    """1-D convolution, kernel (kernel_size, C_in, filters); padding 'valid', 'same' or 'causal'
    (left zero padding of (kernel_size - 1) * dilation_rate). Runs ops.conv2d on (N, 1, W, C)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.filters = _args.positive_int("Conv1D", "filters", _args.int_filters(filters))
        self.groups = _groups("Conv1D", groups, self.filters)
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

    def convolution_op(self, inputs, kernel):
        """Keras 2.7+ ``Conv.convolution_op`` (See Conv2D's); 'causal' convolves 'valid', as
        Keras 2 does: its ``call`` pads the input on the left first."""
        if self.groups > 1:
            cf = self.data_format == "channels_first"
            x = _to_last(inputs, cf)
            y = _ops.grouped_conv2d(B.reshape(x, (x.shape[0], 1) + x.shape[1:]),
                                    B.reshape(kernel, (1,) + kernel.shape), None,
                                    (1, self.strides[0]),
                                    "valid" if self.padding == "causal" else self.padding,
                                    (1, self.dilation_rate[0]), self.groups)
            return _to_first(B.reshape(y, (y.shape[0],) + y.shape[2:]), cf)
        return _backend.conv1d(inputs, kernel, strides=self.strides[0],
                               padding="valid" if self.padding == "causal" else self.padding,
                               data_format=self.data_format, dilation_rate=self.dilation_rate[0])

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[1] * self.groups
        if x.ndim != 3 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, steps, {cin}) ({self.data_format}), "
                             f"got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if type(self).convolution_op is not Conv1D.convolution_op or self.groups > 1:
            if self.padding == "causal":
                left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
                x = _to_first(_backend.temporal_padding(_to_last(x, cf), (left, 0)), cf)
            y = self.convolution_op(x, self.kernel)
            if self.use_bias:
                y = _backend.bias_add(y, self.bias, data_format=self.data_format)
            return self.activation(y)
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


Convolution1D = Conv1D  # Keras 2's alias (keras-team 2.x examples/cnn_seq2seq.py)


class Conv3D(_ConvBase):
    """3-D convolution, kernel (KD, KH, KW, C_in / groups, filters): ops.conv3d (groups = 1: one
    2-D convolution of the depth-folded input, Note [depth fold] in csrc/include/tf/conv3d.h;
    groups > 1: one grouped conv2d per depth tap, summed; See ops/volumetric.py)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.filters = _args.positive_int("Conv3D", "filters", _args.int_filters(filters))
        self.groups = _groups("Conv3D", groups, self.filters)
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
        cin = self.kernel.shape[3] * self.groups
        if x.ndim != 5 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, D, H, W, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        y = _ops.conv3d(_to_last(x, cf), self.kernel, self.bias, self.strides, self.padding,
                        self.dilation_rate, self.groups)
        return _to_first(_apply_activation(self.activation, y), cf)


Convolution3D = Conv3D
