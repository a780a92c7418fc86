"""LocallyConnected1D / LocallyConnected2D (tf_keras 2's keras/layers/locally_connected/),
implementation 1: a convolution whose weights are not shared, one kernel per output position.

Weights in tf_keras' implementation-1 layouts, so get_weights / set_weights exchange them with
Keras 2 models: kernel (positions, prod(kernel_size) * C_in, filters), each position's patch
flattened as Keras' K.local_conv does ((k..., C) for channels_last, (C, k...) for
channels_first); bias (output_length, filters) / (output_row, output_col, filters). The
convolution is the backend's local_conv (backend_ops/conv_ops.py).
"""
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ..backend_config import image_data_format
from ..engine.base_layer import InputSpec, Layer
from ..backend_ops.conv_ops import local_conv
from ..ops import basic as B
from . import _args


def _tuple(layer, name, v, n, minimum=1):
    v = (v,) * n if _args.is_int(v) else v
    if not isinstance(v, (tuple, list)) or len(v) != n or not all(_args.is_int(e) for e in v):
        raise ValueError(f"{layer}: {name} must be an int or a tuple of {n} integers, got {v!r}")
    if any(e < minimum for e in v):
        raise ValueError(f"{layer}: {name} must be >= {minimum}, got {tuple(v)}")
    return tuple(int(e) for e in v)


class _LocallyConnected(Layer):
    _rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls, n = type(self).__name__, self._rank
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.filters = _args.positive_int(cls, "filters", filters)
        self.kernel_size = _tuple(cls, "kernel_size", kernel_size, n)
        self.strides = _tuple(cls, "strides", strides, n)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding != "valid":
            raise ValueError(f"{cls}: only padding 'valid' is supported with implementation 1, "
                             f"got {padding!r}")
        if implementation != 1:
            raise NotImplementedError(f"{cls}: only implementation=1 is supported, got "
                                      f"{implementation!r}")
        df = image_data_format() if data_format is None else data_format
        if df not in ("channels_last", "channels_first"):
            raise ValueError(f"{cls}: data_format must be 'channels_last' or 'channels_first', "
                             f"got {data_format!r}")
        self.padding, self.data_format, self.implementation = padding, df, 1
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                     padding=padding, data_format=df, activation=self.activation,
                     use_bias=self.use_bias, kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, implementation=1)

    def _spatial(self, input_shape):
        cf = self.data_format == "channels_first"
        dims = tuple(input_shape[2:] if cf else input_shape[1:-1])
        channels = input_shape[1] if cf else input_shape[-1]
        return dims, channels

    def _out_dims(self, dims):
        out = []
        for d, k, s in zip(dims, self.kernel_size, self.strides):
            if d is None:
                raise ValueError(f"{self.name}: the spatial input sizes must be known, got "
                                 f"{dims}")
            if d < k:
                raise ValueError(f"{self.name}: kernel_size {self.kernel_size} is larger than "
                                 f"the input's spatial size {dims}")
            out.append((d - k) // s + 1)
        return tuple(out)

    def build(self, input_shape):
        n = self._rank
        if len(input_shape) != n + 2:
            raise ValueError(f"{self.name}: expected a {n + 2}-D input, got shape "
                             f"{tuple(input_shape)}")
        dims, C = self._spatial(input_shape)
        if C is None:
            raise ValueError(f"{self.name}: the channel axis must be known, got "
                             f"{tuple(input_shape)}")
        self._out = self._out_dims(dims)
        positions = 1
        for o in self._out:
            positions *= o
        k = 1
        for e in self.kernel_size:
            k *= e
        ch_axis = 1 if self.data_format == "channels_first" else n + 1
        self.input_spec = InputSpec(ndim=n + 2, axes={ch_axis: C})
        self.kernel = self.add_weight("kernel", (positions, k * C, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", self._out + (self.filters,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, input_shape):
        dims, _ = self._spatial(input_shape)
        out = self._out_dims(dims)
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters) + out
        return (input_shape[0],) + out + (self.filters,)

    def call(self, x, training=False, mask=None):
        y = local_conv(x, self.kernel, self.kernel_size, self.strides, self._out,
                       self.data_format)
        if self.bias is not None:
            if self.data_format == "channels_first":
                # tf_keras' bias_add reshapes (not transposes) the (out..., filters) bias to
                # (filters, out...) for channels_first: kept, so its weights load unchanged
                y = y + B.reshape(self.bias, (self.filters,) + self._out)
            else:
                y = y + self.bias
        return self.activation(y)


class LocallyConnected1D(_LocallyConnected):
    """Keras 2 LocallyConnected1D(filters, kernel_size, strides=1, ...): (N, steps, C) ->
    (N, new_steps, filters), one kernel per output step."""
    _rank = 1


class LocallyConnected2D(_LocallyConnected):
    """Keras 2 LocallyConnected2D(filters, kernel_size, strides=(1, 1), ...): (N, H, W, C) ->
    (N, OH, OW, filters), one kernel per output position."""
    _rank = 2
