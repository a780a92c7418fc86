"""Core layers (Keras 2's keras/layers/core.py): Dense, Activation, Dropout, Flatten, Reshape.
Dense runs ops.gemm with bias and relu fused into the GEMM epilogue; Dropout runs ops.dropout
(counter-based RNG seeded from tensorforge._random)."""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from ..engine.base_layer import Layer
from ..ops import basic as B
from . import _args


class Dense(Layer):
    """y = activation(x @ kernel + bias); kernel (in, units). On (B, T, F) input acts per step."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.units = _args.positive_int("Dense", "units", units)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(units=self.units, activation=self.activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"{self.name}: the last input dimension must be known, got {input_shape}")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def call(self, x, training=False, mask=None, logits=False):
        if x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input with last dimension "
                             f"{self.kernel.shape[0]}, got shape {x.shape}")
        act = self.activation
        fuse_relu = act is _act.relu and not logits
        if x.ndim == 2:
            y = _ops.gemm(x, self.kernel, bias=self.bias, activation="relu" if fuse_relu else None)
        else:
            lead = x.shape[:-1]
            y = _ops.gemm(B.reshape(x, (-1, x.shape[-1])), self.kernel, bias=self.bias,
                          activation="relu" if fuse_relu else None)
            y = B.reshape(y, lead + (self.units,))
        if fuse_relu or logits or act is _act.linear:
            return y
        return act(y)

    def compute_mask(self, inputs, mask=None):
        return mask


class Activation(Layer):
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _act.get(activation)
        self._record(activation=self.activation)

    def call(self, x, training=False, mask=None, logits=False):
        return x if logits else self.activation(x)


class Dropout(Layer):
    """Inverted dropout during fit(); identity in predict/evaluate."""
    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        rate = _args.rate("Dropout", "rate", rate)
        if noise_shape is not None:
            raise NotImplementedError("Dropout: noise_shape is not supported")
        self.rate, self.seed = float(rate), seed
        self._record(rate=self.rate, seed=seed)

    def call(self, x, training=False, mask=None):
        if not training or self.rate == 0:
            return x
        return _ops.dropout(x, self.rate, training=True, seed=_random.next_seed())


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._record(data_format=data_format)

    def compute_output_shape(self, input_shape):
        n = 1
        for s in input_shape[1:]:
            n *= s
        return (input_shape[0], n)

    def call(self, x, training=False, mask=None):
        return B.reshape(x, (x.shape[0], -1))


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(s) for s in target_shape)
        self._record(target_shape=list(self.target_shape))

    def _resolve(self, in_shape):
        n = int(np.prod(in_shape))
        tgt = list(self.target_shape)
        if tgt.count(-1) > 1:
            raise ValueError(f"{self.name}: at most one -1 in target_shape, got {self.target_shape}")
        known = int(np.prod([s for s in tgt if s != -1]))
        if -1 in tgt:
            if known == 0 or n % known:
                raise ValueError(f"{self.name}: cannot reshape {tuple(in_shape)} to {self.target_shape}")
            tgt[tgt.index(-1)] = n // known
        elif known != n:
            raise ValueError(f"{self.name}: total size of new shape {self.target_shape} must equal "
                             f"that of the input {tuple(in_shape)}")
        return tuple(tgt)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def call(self, x, training=False, mask=None):
        return B.reshape(x, (x.shape[0],) + self._resolve(x.shape[1:]))
