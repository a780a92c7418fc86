"""_ConvBase: the arguments, weights and input checks that the kernel-and-bias convolution layers
share (Conv1D, Conv3D, the transposed and the depthwise / separable ones)."""
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ..engine.base_layer import Layer
from ._conv_utils import _check_group_channels


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
                     dilation_rate=self.dilation_rate, groups=getattr(self, "groups", 1),
                     activation=self.activation,
                     use_bias=self.use_bias, kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def _build_kernel(self, input_shape, rank, layout):
        """kernel (*kernel_size, C_in / groups, filters) and bias (filters,), Keras 2's order."""
        self._check_rank(input_shape, rank, layout)
        cin = self._channels(input_shape)
        groups = getattr(self, "groups", 1)
        _check_group_channels(self.name, groups, cin, input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (cin // groups, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer)
        self._build_bias(self.filters)

    def _build_bias(self, n):
        """bias (n,), or None without use_bias."""
        self.bias = (self.add_weight("bias", (n,), self.bias_initializer, self.bias_regularizer)
                     if self.use_bias else None)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def _check_rank(self, shape, rank, layout):
        if len(shape) != rank:
            raise ValueError(f"{self.name}: expected {rank}-D input {layout} ({self.data_format}), "
                             f"got {tuple(shape)}")
        if self._channels(shape) is None:
            raise ValueError(f"{self.name}: the channel dimension of the input must be known, got "
                             f"{tuple(shape)}")
