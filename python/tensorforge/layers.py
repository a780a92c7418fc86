"""Keras 2 layers on tensorforge ops.

A layer is callable on arrays or Tensors; it builds its weights on the first call (or when the
model knows the input shape: ``input_shape=`` / ``input_dim=`` / an ``InputLayer``). Shapes follow
Keras: ``input_shape`` excludes the batch axis, ``compute_output_shape`` takes and returns full
shapes with ``None`` for the batch. Weights are Tensors in Keras' layouts, so ``get_weights()`` /
``set_weights()`` exchange arrays with Keras models unchanged.

Which kernel each layer runs (on the cpu backend):
  Dense                  ops.gemm (bias and relu fused into the GEMM epilogue)
  Conv2D                 ops.conv2d (bias and relu fused)
  Max/AveragePooling2D   ops.max_pool2d / ops.avg_pool2d;  GlobalAveragePooling2D: ops.global_avg_pool2d
  Activation, activation= ops.<activation> (pointwise kernels)
  Dropout                ops.dropout (counter-based RNG, seeded from tensorforge._random)
  SimpleRNN / LSTM / GRU ops.simple_rnn / ops.lstm / ops.gru (fused whole-sequence kernels)
  BatchNormalization, Embedding: NumPy Functions in this file (vectorized; not hot in our models)
Masks: Embedding(mask_zero=True) emits mask = (ids != 0); layers with ``supports_masking`` pass it
on; recurrent layers consume it (Keras semantics: a masked step carries the previous state).
"""
import re

import numpy as np

from . import _random
from . import backend as _backend
from . import activations as _act
from . import initializers as _init
from . import ops as _ops
from . import regularizers as _reg
from ._xp import array_module
from .autograd import Function, Tensor
from .ops import basic as B

__all__ = ["Layer", "InputLayer", "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Conv2D",
           "Convolution2D", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "BatchNormalization", "SimpleRNN", "LSTM",
           "GRU", "Embedding", "Bidirectional", "LeakyReLU", "get_layer_class"]

_name_counts = {}


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _unique_name(base):
    """Keras 2 (tf.keras) naming: dense, dense_1, dense_2, ..."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _pair(v, what):
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {v!r}")
    return v


def _op(name):
    """The pinned op ``tensorforge.ops.<name>``; a clear error when its family is not built."""
    fn = getattr(_ops, name, None)
    if fn is None:
        raise NotImplementedError(f"tensorforge.ops.{name} is not available in this build")
    return fn


def _ser(v):
    """A JSON-able form of a constructor argument (activations, initializers, regularizers)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [_ser(x) for x in v]
    if isinstance(v, Layer):
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _init.Initializer):
        return {"__initializer__": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _reg.L1L2):
        return {"__regularizer__": "L1L2", "config": v.get_config()}
    if callable(v):
        return _act.serialize(v)
    if isinstance(v, np.generic):
        return v.item()
    raise ValueError(f"cannot serialize layer argument {v!r}")


def _deser(v):
    if isinstance(v, dict):
        if "__initializer__" in v:
            return _init._BY_NAME[v["__initializer__"]](**v["config"])
        if "__regularizer__" in v:
            return _reg.L1L2(**v["config"])
        if "class_name" in v:
            return get_layer_class(v["class_name"]).from_config(v["config"])
    return v


class Layer:
    """Base layer: weights, build-on-first-call, Keras config, masks."""

    supports_masking = False

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, dtype=None, weights=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword arguments {sorted(kwargs)}")
        self.name = name or _unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._weights = []  # [(name, Tensor, trainable)]
        self._initial_weights = weights
        self.losses_fns = []  # regularization penalties: callables returning a Tensor
        self.batch_input_shape = None
        if batch_input_shape is not None:
            self.batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self.batch_input_shape = (batch_size, int(input_dim))
        self.input_shape_ = None
        self.output_shape_ = None
        self._config = {"name": self.name, "trainable": self._trainable}
        if self.batch_input_shape is not None:
            self._config["batch_input_shape"] = list(self.batch_input_shape)

    def _record(self, **kw):
        """Remember constructor arguments for get_config()."""
        self._config.update({k: _ser(v) for k, v in kw.items()})

    # ---- weights ----------------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", regularizer=None,
                   trainable=True):
        value = _init.get(initializer)(tuple(int(s) for s in shape), np.float32)
        t = Tensor(np.ascontiguousarray(value, dtype=np.float32),
                   requires_grad=trainable and self._trainable, name=f"{self.name}/{name}")
        self._weights.append((name, t, trainable))
        if regularizer is not None:
            self.losses_fns.append(lambda t=t, r=regularizer: r(t))
        return t

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, v):
        self._trainable = bool(v)
        for _, t, tr in self._weights:
            t.requires_grad = tr and self._trainable
        for sub in self._sublayers():
            sub.trainable = v

    def _sublayers(self):
        return []

    @property
    def weights(self):
        return [t for _, t, _ in self._all_weights()]

    def _all_weights(self):
        out = list(self._weights)
        for sub in self._sublayers():
            out.extend(sub._all_weights())
        return out

    @property
    def trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if tr and self._trainable]

    @property
    def non_trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if not (tr and self._trainable)]

    def get_weights(self):
        return [t.numpy().copy() for t in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"{self.name}.set_weights: expected {len(mine)} arrays "
                             f"({[t.shape for t in mine]}), got {len(weights)}")
        for t, w in zip(mine, weights):
            w = np.asarray(w)
            if tuple(w.shape) != t.shape:
                raise ValueError(f"{self.name}.set_weights: weight {t.name} has shape {t.shape}, "
                                 f"got an array of shape {tuple(w.shape)}")
            t.data[...] = array_module(t.data).asarray(w.astype(np.float32))  # weights may be on a GPU

    def count_params(self):
        return int(sum(t.size for t in self.weights))

    @property
    def losses(self):
        out = [f() for f in self.losses_fns]
        for sub in self._sublayers():
            out.extend(sub.losses)
        return [l for l in out if l is not None]

    # ---- shapes and calls -------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            input_shape = tuple(input_shape)
            self.build(input_shape)
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
        if self.input_shape_ is None:
            self.input_shape_ = tuple(input_shape)
            self.output_shape_ = self.compute_output_shape(self.input_shape_)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def call(self, x, training=False, mask=None):
        raise NotImplementedError

    def __call__(self, x, training=False, mask=None):
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=np.float32) if getattr(x, "dtype", None) != np.float32
                       else x)
        elif x.dtype != np.float32 and not x.requires_grad:
            x = Tensor(x.data.astype(np.float32))  # Keras' floatx, at the boundary
        self._maybe_build((None,) + x.shape[1:])
        return self.call(x, training=training, mask=mask)

    @property
    def input_shape(self):
        if self.input_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no input shape)")
        return self.input_shape_

    @property
    def output_shape(self):
        if self.output_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no output shape)")
        return self.output_shape_

    def get_config(self):
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        return cls(**{k: _deser(v) for k, v in config.items()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class InputLayer(Layer):
    """Declares the input shape of a Sequential model (shown nowhere in its summary, as Keras)."""

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(name=name, input_shape=input_shape, batch_size=batch_size,
                         batch_input_shape=batch_input_shape, **kwargs)

    def call(self, x, training=False, mask=None):
        return x


class Dense(Layer):
    """y = activation(x @ kernel + bias); kernel (in, units). On (B, T, F) input acts per step."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units}")
        self.units = int(units)
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


class LeakyReLU(Layer):
    supports_masking = True

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self._record(alpha=self.alpha)

    def call(self, x, training=False, mask=None):
        return _act.leaky_relu(x, alpha=self.alpha)


class Dropout(Layer):
    """Inverted dropout during fit(); identity in predict/evaluate."""
    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        if noise_shape is not None:
            raise NotImplementedError("Dropout: noise_shape is not supported")
        self.rate, self.seed = float(rate), seed
        self._record(rate=self.rate, seed=seed)

    def call(self, x, training=False, mask=None):
        if not training or self.rate == 0:
            return x
        return _op("dropout")(x, self.rate, training=True, seed=_random.next_seed())


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
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError(f"Conv2D: filters must be positive, got {filters}")
        self.kernel_size = _pair(kernel_size, "Conv2D: kernel_size")
        self.strides = _pair(strides, "Conv2D: strides")
        self.dilation_rate = _pair(dilation_rate, "Conv2D: dilation_rate")
        padding = padding.lower()
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
        y = _op("conv2d")(x, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                          dilation=self.dilation_rate, activation="relu" if fuse else None)
        if not fuse and self.activation is not _act.linear:
            y = self.activation(y)
        if cf:
            y = B.transpose(y, (0, 3, 1, 2))
        return y


Convolution2D = Conv2D


class _Pool2D(Layer):
    _op_name = None

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, f"{type(self).__name__}: pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, f"{type(self).__name__}: strides")
        padding = padding.lower()
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
        y = _op(self._op_name)(x, pool_size=self.pool_size, strides=self.strides,
                               padding=self.padding)
        return B.transpose(y, (0, 3, 1, 2)) if cf else y


class MaxPooling2D(_Pool2D):
    _op_name = "max_pool2d"


class AveragePooling2D(_Pool2D):
    _op_name = "avg_pool2d"


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
        return _op("global_avg_pool2d")(x)


GlobalAvgPool2D = GlobalAveragePooling2D


class _BatchNormTrain(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta over every axis but the last (channels).

    Saves xhat and 1/std; backward is the usual closed form
    dx = inv_std / n * (n * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        xp = array_module(x)
        C = x.shape[-1]
        x2 = x.reshape(-1, C)
        mean = x2.mean(axis=0)
        xc = x2 - mean
        var = (xc * xc).mean(axis=0)
        inv_std = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
        xhat = xc * inv_std
        y = xhat * gamma if gamma is not None else xhat
        if beta is not None:
            y = y + beta
        ctx.save_for_backward(xhat, inv_std, gamma)
        ctx.stats = (mean, var)
        return y.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, inv_std, gamma = ctx.saved
        shape = g.shape
        g2 = g.reshape(xhat.shape)
        n = xhat.shape[0]
        dbeta = g2.sum(axis=0)
        dgamma = (g2 * xhat).sum(axis=0)
        dxhat = g2 * gamma if gamma is not None else g2
        dx = (inv_std / n) * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
        return (dx.reshape(shape).astype(g.dtype, copy=False),
                dgamma if gamma is not None else None, dbeta if ctx.needs_input_grad[2] else None,
                None)


class BatchNormalization(Layer):
    """Keras BatchNormalization over the last axis: batch statistics in training (moving
    averages updated with ``momentum``, variance with Bessel's correction as Keras 2 does), moving
    statistics in inference. Weights: gamma, beta (trainable), moving_mean, moving_variance."""
    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if axis not in (-1,):
            if not isinstance(axis, int):
                raise ValueError(f"BatchNormalization: axis must be an int, got {axis!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._inits = (beta_initializer, gamma_initializer, moving_mean_initializer,
                       moving_variance_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self._record(axis=axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
                     scale=self.scale, beta_regularizer=self.beta_regularizer,
                     gamma_regularizer=self.gamma_regularizer)

    def build(self, input_shape):
        ax = self.axis % len(input_shape)
        if ax != len(input_shape) - 1:
            raise NotImplementedError(f"{self.name}: only the last axis (channels_last) is "
                                      f"supported, got axis={self.axis} for input {input_shape}")
        C = input_shape[-1]
        bi, gi, mmi, mvi = self._inits
        self.gamma = self.add_weight("gamma", (C,), gi, self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", (C,), bi, self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", (C,), mmi, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (C,), mvi, trainable=False)

    def call(self, x, training=False, mask=None):
        if x.shape[-1] != self.moving_mean.shape[0]:
            raise ValueError(f"{self.name}: expected {self.moving_mean.shape[0]} channels on the "
                             f"last axis, got shape {x.shape}")
        if training:
            node_out = _BatchNormTrain.apply(x, self.gamma, self.beta, self.epsilon)
            # the Function stashed the batch statistics on its context; recompute cheaply instead
            xd = x.data.reshape(-1, x.shape[-1])
            n = xd.shape[0]
            mean = xd.mean(axis=0)
            var = xd.var(axis=0) * (n / max(n - 1.0, 1.0))
            m = np.float32(self.momentum)
            mm, mv = self.moving_mean.data, self.moving_variance.data
            mm *= m
            mm += (1 - m) * mean.astype(np.float32)
            mv *= m
            mv += (1 - m) * var.astype(np.float32)
            return node_out
        inv = 1.0 / np.sqrt(self.moving_variance.data + np.float32(self.epsilon))
        scale = self.gamma * inv if self.gamma is not None else inv
        shift = -self.moving_mean.data * inv
        if self.gamma is not None:
            shift = shift * self.gamma
        if self.beta is not None:
            shift = shift + self.beta
        return x * scale + shift


class _EmbeddingLookup(Function):
    @staticmethod
    def forward(ctx, table, ids):
        ctx.ids = ids
        ctx.shape = table.shape
        return table[ids]

    @staticmethod
    def backward(ctx, g):
        # Rows for repeated ids must add up: sort the ids, sum each run with one reduceat.
        V, D = ctx.shape
        ids = ctx.ids.reshape(-1)
        g2 = g.reshape(-1, D)
        xp = array_module(g2)
        if xp is not np:  # CuPy: one scatter-add on the device (no reduceat there)
            import cupyx
            gt = xp.zeros((V, D), dtype=g.dtype)
            cupyx.scatter_add(gt, xp.asarray(ids), g2)
            return gt, None
        order = np.argsort(ids, kind="stable")
        sid = ids[order]
        starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
        gt = np.zeros((V, D), dtype=g.dtype)
        gt[sid[starts]] = np.add.reduceat(g2[order], starts, axis=0)
        return gt, None


class Embedding(Layer):
    """Integer ids (B, T) -> vectors (B, T, output_dim). mask_zero=True: id 0 is padding and the
    mask (ids != 0) flows to the next layer (a recurrent layer skips those steps)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if np.isscalar(input_length) else tuple(input_length)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        if self.input_dim <= 0 or self.output_dim <= 0:
            raise ValueError(f"Embedding: input_dim and output_dim must be positive, got "
                             f"{input_dim}, {output_dim}")
        if embeddings_initializer == "uniform":
            embeddings_initializer = _init.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.embeddings_regularizer = _reg.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length
        self._record(input_dim=self.input_dim, output_dim=self.output_dim,
                     embeddings_initializer=self.embeddings_initializer,
                     embeddings_regularizer=self.embeddings_regularizer,
                     mask_zero=self.mask_zero, input_length=input_length)

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer, self.embeddings_regularizer)

    def compute_output_shape(self, s):
        return tuple(s) + (self.output_dim,)

    def _ids(self, x):
        d = x.data if isinstance(x, Tensor) else x
        xp = array_module(d) if not isinstance(d, (list, tuple)) else np
        ids = xp.asarray(d).astype(np.int64)
        if xp is not np:
            # On the GPU the range check would be a device->host copy in every step (Note [data
            # on the device] in _device.py). Out-of-range ids never read out of bounds there
            # (CuPy's integer indexing wraps), and, as with TensorFlow's GPU embedding lookup,
            # they are not reported; the CPU paths raise.
            return ids
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(f"{self.name}: ids must lie in [0, {self.input_dim}), got values in "
                             f"[{ids.min()}, {ids.max()}]")
        return ids

    def call(self, x, training=False, mask=None):
        return _EmbeddingLookup.apply(self.embeddings, self._ids(x))

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        d = inputs.data if isinstance(inputs, Tensor) else inputs
        xp = array_module(d) if not isinstance(d, (list, tuple)) else np
        return xp.asarray(d) != 0


class _RNN(Layer):
    """Shared machinery of SimpleRNN / LSTM / GRU (Keras 2 arguments)."""
    supports_masking = True
    _gates = 1
    _op_name = None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f"{type(self).__name__}: units must be positive, got {units}")
        if stateful:
            raise NotImplementedError(f"{type(self).__name__}: stateful=True is not supported")
        if recurrent_dropout:
            raise NotImplementedError(f"{type(self).__name__}: recurrent_dropout is not supported "
                                      "by the fused recurrent kernels (use dropout=)")
        for nm, a in (("activation", activation), ("recurrent_activation", recurrent_activation)):
            if not isinstance(a, str) and a is not None:
                a = getattr(a, "__name__", a)
            if nm == "activation":
                activation = a or "linear"
            else:
                recurrent_activation = a
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.recurrent_regularizer = _reg.get(recurrent_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.dropout = float(dropout)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        self._record(units=self.units, activation=activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     recurrent_initializer=self.recurrent_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     recurrent_regularizer=self.recurrent_regularizer,
                     bias_regularizer=self.bias_regularizer, dropout=self.dropout,
                     return_sequences=self.return_sequences, return_state=self.return_state,
                     go_backwards=self.go_backwards)
        if type(self) is not SimpleRNN:
            self._record(recurrent_activation=recurrent_activation)

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self, shape, dtype=np.float32):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, time, features), got "
                             f"{input_shape}")
        F, U, G = input_shape[-1], self.units, self._gates
        self.kernel = self.add_weight("kernel", (F, G * U), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (U, G * U),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", self._bias_shape(), self._bias_init,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, s):
        out = (s[0], s[1], self.units) if self.return_sequences else (s[0], self.units)
        if self.return_state:
            return [out] + [(s[0], self.units)] * self._n_states
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def _run(self, x, mask, h0=None, c0=None):
        raise NotImplementedError

    def call(self, x, training=False, mask=None, initial_state=None):
        if x.ndim != 3 or x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input (batch, time, {self.kernel.shape[0]}), "
                             f"got shape {x.shape}")
        if training and self.dropout > 0:
            # Keras: one dropout mask per sequence, shared by every time step.
            xp = array_module(x.data if isinstance(x, Tensor) else x)  # CuPy on the cuda backend
            ones = xp.ones((x.shape[0], 1, x.shape[2]), dtype=np.float32)
            keep = _op("dropout")(ones, self.dropout, training=True, seed=_random.next_seed())
            x = x * (keep.data if isinstance(keep, Tensor) else keep)
        if mask is not None:
            m = mask.data if isinstance(mask, Tensor) else mask
            mask = array_module(m).asarray(m).astype(np.float32)  # stays on the GPU when it is there
        states = list(initial_state) if initial_state is not None else []
        outs = self._run(x, mask, *states)
        seq, st = outs[0], list(outs[1:])
        y = seq if self.return_sequences else st[0]
        return [y] + st if self.return_state else y


class SimpleRNN(_RNN):
    _gates, _n_states, _op_name = 1, 1, "simple_rnn"

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def _run(self, x, mask, h0=None):
        return _op("simple_rnn")(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0,
                                 mask=mask, go_backwards=self.go_backwards,
                                 activation=self.activation)


class LSTM(_RNN):
    """Keras LSTM: gate order i, f, c, o; unit_forget_bias=True sets the forget bias to 1."""
    _gates, _n_states, _op_name = 4, 2, "lstm"

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, **kwargs)
        self._record(unit_forget_bias=self.unit_forget_bias)

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.units:2 * self.units] = 1.0
        return b

    def _run(self, x, mask, h0=None, c0=None):
        return _op("lstm")(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, c0=c0,
                           mask=mask, go_backwards=self.go_backwards, activation=self.activation,
                           recurrent_activation=self.recurrent_activation)


class GRU(_RNN):
    """Keras GRU: gate order z, r, h. reset_after defaults to True (TF2 / Keras 3, cuDNN
    compatible: bias (2, 3U)); pass reset_after=False for Keras 2.3's formulation (bias (3U,))."""
    _gates, _n_states, _op_name = 3, 1, "gru"

    def __init__(self, units, reset_after=True, **kwargs):
        self.reset_after = bool(reset_after)
        super().__init__(units, **kwargs)
        self._record(reset_after=self.reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run(self, x, mask, h0=None):
        return _op("gru")(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, mask=mask,
                          go_backwards=self.go_backwards, reset_after=self.reset_after,
                          activation=self.activation,
                          recurrent_activation=self.recurrent_activation)


class Bidirectional(Layer):
    """Runs ``layer`` forwards and a copy of it backwards (go_backwards), then merges
    ('concat' default, 'sum', 'mul', 'ave'). With return_sequences the backward outputs are
    reversed back into time order before merging, as Keras does."""
    supports_masking = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, _RNN):
            raise ValueError(f"Bidirectional: layer must be SimpleRNN, LSTM or GRU, got {layer!r}")
        if layer.return_state:
            raise NotImplementedError("Bidirectional: return_state is not supported")
        kwargs.setdefault("name", None)
        name = kwargs.pop("name") or _unique_name("bidirectional")
        super().__init__(name=name, **kwargs)
        cfg = layer.get_config()
        self.forward_layer = layer
        if backward_layer is None:
            cfg = dict(cfg, go_backwards=not layer.go_backwards, name="backward_" + layer.name)
            cfg.pop("batch_input_shape", None)
            backward_layer = type(layer).from_config(cfg)
        self.backward_layer = backward_layer
        if merge_mode not in ("concat", "sum", "mul", "ave", None):
            raise ValueError(f"Bidirectional: merge_mode must be concat, sum, mul, ave or None, "
                             f"got {merge_mode!r}")
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self._record(layer=layer, merge_mode=merge_mode)
        if layer.batch_input_shape is not None and self.batch_input_shape is None:
            self.batch_input_shape = layer.batch_input_shape
            self._config["batch_input_shape"] = list(self.batch_input_shape)

    def _sublayers(self):
        return [self.forward_layer, self.backward_layer]

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)

    def compute_output_shape(self, s):
        o = self.forward_layer.compute_output_shape(s)
        if self.merge_mode == "concat":
            return tuple(o[:-1]) + (2 * o[-1],)
        return o

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def call(self, x, training=False, mask=None):
        yf = self.forward_layer.call(x, training=training, mask=mask)
        yb = self.backward_layer.call(x, training=training, mask=mask)
        if self.return_sequences:
            yb = B.getitem(yb, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            return B.concatenate([yf, yb], axis=-1)
        if self.merge_mode == "sum":
            return yf + yb
        if self.merge_mode == "mul":
            return yf * yb
        if self.merge_mode == "ave":
            return (yf + yb) * np.float32(0.5)
        return [yf, yb]

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = _deser(config.pop("layer"))
        return cls(layer, **{k: _deser(v) for k, v in config.items()})


def get_layer_class(name):
    obj = globals().get(name)
    if isinstance(obj, type) and issubclass(obj, Layer):
        return obj
    raise ValueError(f"unknown layer class {name!r}")
