"""BatchNormalization (Keras 2's keras/layers/normalization.py), a NumPy Function (vectorized)."""
import numpy as np

from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Function
from ..engine.base_layer import Layer
from . import _args


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
