"""Transposed convolution layers (Keras 2's Conv2DTranspose, Conv1DTranspose, Conv3DTranspose):
the forward is conv2d's backward-data kernel (ops.conv2d_transpose); Conv1DTranspose runs it on
(N, 1, W, C) views, Conv3DTranspose once a depth tap (ops.conv3d_transpose)."""
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from . import _args
from ..ops import basic as B
from ._conv_base import _ConvBase
from ._conv_utils import (_apply_activation, _data_format, _deconv_len, _padding, _single,
                          _to_first, _to_last, _triple)



def _kernel_and_config(layer, kernel_initializer, kernel_regularizer, **extra):
    """A transposed convolution's kernel arguments and its Keras 2 config (``extra``: the
    entries one rank writes besides the common ones)."""
    layer.kernel_initializer = _init.get(kernel_initializer)
    layer.kernel_regularizer = _reg.get(kernel_regularizer)
    layer._record(filters=layer.filters, kernel_size=layer.kernel_size, strides=layer.strides,
                  padding=layer.padding, output_padding=layer.output_padding,
                  data_format=layer.data_format, dilation_rate=layer.dilation_rate, **extra,
                  activation=layer.activation, use_bias=layer.use_bias,
                  kernel_initializer=layer.kernel_initializer,
                  bias_initializer=layer.bias_initializer,
                  kernel_regularizer=layer.kernel_regularizer,
                  bias_regularizer=layer.bias_regularizer)


def _build_kernel(layer, input_shape, rank, layout):
    """kernel (*kernel_size, filters, C_in) and bias (filters,) for an input of ``rank``."""
    layer._check_rank(input_shape, rank, layout)
    cin = layer._channels(input_shape)
    layer.kernel = layer.add_weight("kernel", layer.kernel_size + (layer.filters, cin),
                                    layer.kernel_initializer, layer.kernel_regularizer)
    layer._build_bias(layer.filters)

class Conv2DTranspose(_ConvBase):
    """Transposed 2-D convolution ("deconvolution"), kernel (KH, KW, filters, C_in), bias
    (filters,). Its forward is conv2d's backward-data kernel (ops.conv2d_transpose)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        nm = type(self).__name__
        self.filters = _args.positive_int(nm, "filters", _args.int_filters(filters))
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
        _kernel_and_config(self, kernel_initializer, kernel_regularizer)

    def build(self, input_shape):
        _build_kernel(self, input_shape, 4, "(batch, H, W, C)")

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


class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution, kernel (kernel_size, filters, C_in), bias (filters,): a
    Conv2DTranspose on (N, 1, W, C) views, as Conv1D runs conv2d."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        k = _single(kernel_size, "Conv1DTranspose: kernel_size")
        st = _single(strides, "Conv1DTranspose: strides")
        d = _single(dilation_rate, "Conv1DTranspose: dilation_rate")
        op = (None if output_padding is None else
              (0, _single(output_padding, "Conv1DTranspose: output_padding", minimum=0)))
        super().__init__(filters, (1, k), strides=(1, st), padding=padding, output_padding=op,
                         data_format=data_format, dilation_rate=(1, d), **kwargs)
        self._record(kernel_size=(k,), strides=(st,), dilation_rate=(d,),
                     output_padding=None if op is None else (op[1],))

    def build(self, input_shape):
        self._check_rank(input_shape, 3, "(batch, steps, C)")
        cin = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size[1:] + (self.filters, cin),
                                      self.kernel_initializer, self.kernel_regularizer)
        self._build_bias(self.filters)

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


class Conv3DTranspose(_ConvBase):
    """Transposed 3-D convolution, kernel (KD, KH, KW, filters, C_in), bias (filters,);
    ops.conv3d_transpose (See Note [depth taps of a transposed convolution]). Keras 2's layer
    takes dilation_rate but never applies it: only 1 is accepted here."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        nm = "Conv3DTranspose"
        self.filters = _args.positive_int(nm, "filters", _args.int_filters(filters))
        self.kernel_size = _triple(kernel_size, f"{nm}: kernel_size")
        self.strides = _triple(strides, f"{nm}: strides")
        self.dilation_rate = _triple(dilation_rate, f"{nm}: dilation_rate")
        if self.dilation_rate != (1, 1, 1):
            raise ValueError(f"{nm}: dilation_rate {self.dilation_rate} is not supported (Keras "
                             f"2's Conv3DTranspose ignores it); use (1, 1, 1)")
        self.padding = _padding(nm, padding)
        if output_padding is None:
            self.output_padding = None
        else:
            op = (output_padding,) * 3 if isinstance(output_padding, int) else tuple(output_padding)
            if len(op) != 3 or any(int(v) < 0 for v in op):
                raise ValueError(f"{nm}: output_padding must be an int or a tuple of 3 ints >= 0, "
                                 f"got {output_padding!r}")
            self.output_padding = tuple(int(v) for v in op)
            if any(p >= st for p, st in zip(self.output_padding, self.strides)):
                raise ValueError(f"{nm}: output_padding {self.output_padding} must be smaller "
                                 f"than strides {self.strides}")
        self.data_format = _data_format(nm, data_format)
        self._common(activation, use_bias, bias_initializer, bias_regularizer)
        _kernel_and_config(self, kernel_initializer, kernel_regularizer, groups=1)

    def build(self, input_shape):
        _build_kernel(self, input_shape, 5, "(batch, D, H, W, C)")

    def _out_dhw(self, dhw):
        op = self.output_padding or (None, None, None)
        return tuple(_deconv_len(n, k, self.padding, p, s, 1) for n, k, p, s in
                     zip(dhw, self.kernel_size, op, self.strides))

    def compute_output_shape(self, s):
        if self.data_format == "channels_last":
            return (s[0],) + self._out_dhw(s[1:4]) + (self.filters,)
        return (s[0], self.filters) + self._out_dhw(s[2:5])

    def call(self, x, training=False, mask=None):
        cin = self.kernel.shape[4]
        if x.ndim != 5 or self._channels(x.shape) != cin:
            raise ValueError(f"{self.name}: expected input (batch, D, H, W, {cin}) "
                             f"({self.data_format}), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        y = _ops.conv3d_transpose(x, self.kernel, self.bias, self._out_dhw(x.shape[1:4]),
                                  self.strides, self.padding)
        return _to_first(_apply_activation(self.activation, y), cf)


Convolution3DTranspose = Conv3DTranspose
