"""Adafactor (Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
Cost") as tf_keras 2.21's ``keras.optimizers.Adafactor``, on the array module of the
parameters (no native kernel). With t the step number (1, 2, ...):

    lr_t   = min(lr, 1 / sqrt(t))   (relative_step and lr not a schedule; else lr)
    rho_t  = min(lr_t, 1 / sqrt(t))
    alpha  = max(epsilon_2, rms(p)) * rho_t
    beta_t = 1 - t ** beta_2_decay
    G      = g ** 2 + epsilon_1
    p of rank >= 2 (factored second moments over the last two axes):
        r = beta_t * r + (1 - beta_t) * mean(G, axis=-1)           (shape p.shape[:-1])
        c = beta_t * c + (1 - beta_t) * mean(G, axis=-2)           (p.shape[:-2] + last)
        v = r / mean(r, axis=-1, keepdims) [..., None] * c[..., None, :]
    p of rank < 2:  v = beta_t * v + (1 - beta_t) * G
    u = g / sqrt(v);  p -= alpha * u / max(1, rms(u) / clip_threshold)

weight_decay is the base class's decoupled p -= p * wd * lr before the step, as tf_keras'.
Loaded on first use of ``optimizers.Adafactor`` (the package's __getattr__).
"""
import math

from .._xp import array_module
from .optimizer import Optimizer, _number
from .schedules import LearningRateSchedule

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, name="Adafactor", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        c = "Adafactor"
        self.beta_2_decay = float(beta_2_decay)
        self.epsilon_1 = _number(c, "epsilon_1", epsilon_1, 0)
        self.epsilon_2 = _number(c, "epsilon_2", epsilon_2, 0)
        self.clip_threshold = _number(c, "clip_threshold", clip_threshold, 0, lo_open=True)
        self.relative_step = bool(relative_step)

    def _init_state(self, p):
        xp = array_module(p)
        v = xp.zeros_like(p)
        if p.ndim < 2:
            return (None, None, v)
        r = xp.zeros(p.shape[:-1], dtype=p.dtype)
        c = xp.zeros(p.shape[:-2] + p.shape[-1:], dtype=p.dtype)
        return (r, c, v)

    def _update(self, k, p, g, st, lr):
        xp = array_module(p)
        r, c, v = st
        t = p.dtype.type
        step = float(self.iterations)  # incremented before the updates: this step's number
        inv_sqrt = 1.0 / math.sqrt(step)
        if self.relative_step and not isinstance(self._learning_rate, LearningRateSchedule):
            lr = min(lr, inv_sqrt)
        rho = min(lr, inv_sqrt)
        alpha = t(max(self.epsilon_2, float(xp.sqrt(xp.mean(p * p)))) * rho)
        beta = t(1.0 - step ** self.beta_2_decay)
        G = g * g + t(self.epsilon_1)
        if p.ndim >= 2:
            r *= beta
            r += (t(1.0) - beta) * G.mean(axis=-1)
            c *= beta
            c += (t(1.0) - beta) * G.mean(axis=-2)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v *= beta
            v += (t(1.0) - beta) * G
        u = g / xp.sqrt(v)
        scale = max(1.0, float(xp.sqrt(xp.mean(u * u))) / self.clip_threshold)
        p -= alpha * (u / t(scale))

    def get_config(self):
        return dict(super().get_config(), beta_2_decay=self.beta_2_decay,
                    epsilon_1=self.epsilon_1, epsilon_2=self.epsilon_2,
                    clip_threshold=self.clip_threshold, relative_step=self.relative_step)
