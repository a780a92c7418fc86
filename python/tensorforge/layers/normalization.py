"""BatchNormalization and LayerNormalization (Keras 2's keras/layers/normalization.py).
BatchNormalization runs on the batch_norm kernels (ops/normalization.py); LayerNormalization is a
NumPy Function (vectorized, on the array module)."""
import numpy as np

from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Function
from ..engine.base_layer import Layer
from ..ops import basic as B
from ..ops import normalization as N
from . import _args


class BatchNormalization(Layer):
    """Keras BatchNormalization over ``axis`` (default the last): batch statistics in training (moving
    averages updated with ``momentum``; the variance as Keras 2 keeps it: See Note [moving
    variance]), moving statistics in inference and whenever the layer is not trainable (Keras 2's
    TF 2 behaviour). Weights: gamma, beta (trainable), moving_mean, moving_variance."""
    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, fused=None, **kwargs):
        super().__init__(**kwargs)
        if fused not in (None, True, False):
            raise ValueError(f"BatchNormalization: fused must be None, True or False, got {fused!r}")
        self._fused = fused  # not in the config, as tf_keras leaves it out
        self._set_constraints(beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        axis = _args.axis("BatchNormalization", axis)
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._inits = (beta_initializer, gamma_initializer, moving_mean_initializer,
                       moving_variance_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self._record(axis=axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
                     scale=self.scale, beta_initializer=_init.get(beta_initializer),
                     gamma_initializer=_init.get(gamma_initializer),
                     moving_mean_initializer=_init.get(moving_mean_initializer),
                     moving_variance_initializer=_init.get(moving_variance_initializer),
                     beta_regularizer=self.beta_regularizer,
                     gamma_regularizer=self.gamma_regularizer, beta_constraint=None,
                     gamma_constraint=None)

    def build(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape) or self.axis % len(input_shape) == 0:
            raise ValueError(f"{self.name}: axis {self.axis} is out of range (or the batch axis) "
                             f"for input {tuple(input_shape)}")
        self._ax = self.axis % len(input_shape)
        rank = len(input_shape)
        fusable = rank in (4, 5) and self._ax in (1, rank - 1)
        if self._fused and not fusable:
            raise ValueError(f"{self.name}: fused=True needs a 4-D or 5-D input with the channels "
                             f"on axis 1 or the last, got input {tuple(input_shape)} and axis "
                             f"{self.axis}")
        self._bessel = fusable and self._fused is not False  # See Note [moving variance]
        C = input_shape[self._ax]
        bi, gi, mmi, mvi = self._inits
        self.gamma = self.add_weight("gamma", (C,), gi, self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", (C,), bi, self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", (C,), mmi, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (C,), mvi, trainable=False)

    def call(self, x, training=False, mask=None):
        ax = getattr(self, "_ax", x.ndim - 1)
        C = self.moving_mean.shape[0]
        if x.ndim <= ax or x.shape[ax] != C:
            raise ValueError(f"{self.name}: expected {C} channels on axis {ax}, got input shape "
                             f"{tuple(x.shape)}")
        # The kernels (ops/normalization.py) compute the batch statistics once: they normalize
        # this batch and update the moving averages in place (the variance as Keras 2 keeps it:
        # Note [moving variance]). A layer set non-trainable (itself or through a model that
        # holds it: a frozen pretrained base) runs in inference mode even in training, its
        # moving statistics untouched, as Keras 2 (TF 2) does.
        if training and self.trainable:
            mv = self.moving_variance.data
            bessel = getattr(self, "_bessel", True) and mv.dtype != np.float64
            return N.batch_norm_train(x, self.gamma, self.beta, self.moving_mean.data, mv, ax,
                                      self.momentum, self.epsilon, bessel)
        return N.batch_norm_infer(x, self.gamma, self.beta, self.moving_mean.data,
                                  self.moving_variance.data, ax, self.epsilon)

    def _inference_scale_shift(self, ndim):
        """(s, t), float32 per channel, with this layer's inference output = x * s + t for a
        rank-``ndim`` input normalized over its last axis; None otherwise (See Note [inference
        fusion] in engine/inference_fusion.py). Computed as the kernel computes its scale."""
        mm, mv = self.moving_mean.data, self.moving_variance.data
        if type(self).call is not BatchNormalization.call or getattr(self, "_ax", None) != \
                ndim - 1 or type(mm) is not np.ndarray or mm.dtype != np.float32:
            return None
        s = 1.0 / np.sqrt(mv.astype(np.float64) + self.epsilon)
        if self.gamma is not None:
            s = (self.gamma.data * s).astype(np.float32)
        s = s.astype(np.float32)
        t = -mm * s if self.beta is None else self.beta.data - mm * s
        return s, t.astype(np.float32)


# Note [moving variance]
# ~~~~~~~~~~~~~~~~~~~~~~
# Keras 2 under TensorFlow 2 (tf_keras) updates moving_variance with two different batch
# variances. A float32 4-D or 5-D input with its channels on axis 1 or the last runs
# TensorFlow's fused kernel, which hands back the unbiased variance (Bessel's correction,
# n / (n - 1)); any other input (after a Dense or an RNN: 2-D, 3-D) runs the plain ops,
# tf.nn.moments' biased variance; fused=False forces the plain ops, and a float64 layer never
# fuses (TensorFlow has no float64 fused kernel). build decides which (self._bessel) and call
# hands it to the kernel as its ``bessel`` argument (batch_norm_forward_train: reference/
# norm.py, csrc/cpu/norm.cpp, csrc/cuda/norm_kernels.cuh), which applies the correction, or
# not, as it updates moving_variance in place; the float64 kernel also makes the plain ops'
# update arithmetic (Note [float64 moving statistics], reference/norm.py).
# (Keras 2.2 standalone corrected every rank; tf_keras 2.21, the oracle, is followed here.)


class _LayerNorm(Function):
    """Normalized axes that are not the trailing ones (the trailing case is ops.layer_norm, on
    kernels): y = gamma * (x - mean) / sqrt(var + eps) + beta, the statistics over ``axes`` of each
    sample; gamma/beta arrive already shaped to broadcast against x. Backward: the closed form
    dx = inv_std / n * (n * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)) over ``axes``."""

    @staticmethod
    def forward(ctx, x, gamma, beta, axes, eps):
        xp = array_module(x)
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        inv_std = (1.0 / xp.sqrt(var + x.dtype.type(eps))).astype(x.dtype)
        xhat = xc * inv_std
        y = xhat * gamma if gamma is not None else xhat
        if beta is not None:
            y = y + beta
        ctx.save_for_backward(xhat, inv_std, gamma)
        ctx.axes = axes
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, inv_std, gamma = ctx.saved
        axes = ctx.axes
        other = tuple(i for i in range(g.ndim) if i not in axes)
        n = 1
        for a in axes:
            n *= g.shape[a]
        need = ctx.needs_input_grad
        dgamma = ((g * xhat).sum(axis=other, keepdims=True)
                  if gamma is not None and need[1] else None)
        dbeta = g.sum(axis=other, keepdims=True) if len(need) > 2 and need[2] else None
        dxhat = g * gamma if gamma is not None else g
        dx = (inv_std / n) * (n * dxhat - dxhat.sum(axis=axes, keepdims=True)
                              - xhat * (dxhat * xhat).sum(axis=axes, keepdims=True))
        return dx.astype(g.dtype, copy=False), dgamma, dbeta, None, None


class LayerNormalization(Layer):
    """Keras 2 LayerNormalization: per-sample statistics over ``axis`` (int or list, default
    -1); weights gamma, beta of shape input_shape[axis]."""
    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"LayerNormalization: axis must be an int or a list of ints, got {axis!r}")
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        if not self.epsilon >= 0:
            raise ValueError(f"LayerNormalization: epsilon must be >= 0, got {epsilon}")
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self._record(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                     beta_regularizer=self.beta_regularizer,
                     gamma_regularizer=self.gamma_regularizer)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank or a % rank == 0 for a in axes):
            raise ValueError(f"{self.name}: axis {self.axis} is out of range (or the batch axis) "
                             f"for input {tuple(input_shape)}")
        self._axes = tuple(sorted(a % rank for a in axes))
        self._rank = rank
        shape = tuple(input_shape[a] for a in self._axes)
        if any(s is None for s in shape):
            raise ValueError(f"{self.name}: the normalized axes must be known, got {tuple(input_shape)}")
        self.gamma = (self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer)
                      if self.scale else None)
        self.beta = (self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer)
                     if self.center else None)

    def call(self, x, training=False, mask=None):
        rank = self._rank
        if x.ndim != rank:
            raise ValueError(f"{self.name}: expected a {rank}-D input, got shape {x.shape}")
        bshape = tuple(x.shape[i] if i in self._axes else 1 for i in range(x.ndim))
        if self._axes == tuple(range(rank - len(self._axes), rank)):
            # trailing axes (axis=-1, or [1, 2, 3] of an image): rows of one axis for the kernel
            lead = tuple(x.shape[:rank - len(self._axes)])
            C = int(np.prod(x.shape[rank - len(self._axes):], dtype=np.int64))
            flat = [None if w is None else (B.reshape(w, (C,)) if w.ndim != 1 else w)
                    for w in (self.gamma, self.beta)]
            x2 = x if len(self._axes) == 1 else B.reshape(x, lead + (C,))
            y = N.layer_norm(x2, flat[0], flat[1], self.epsilon)
            return y if len(self._axes) == 1 else B.reshape(y, tuple(x.shape))
        gamma = None if self.gamma is None else B.reshape(self.gamma, bshape)
        beta = None if self.beta is None else B.reshape(self.beta, bshape)
        return _LayerNorm.apply(x, gamma, beta, self._axes, self.epsilon)
