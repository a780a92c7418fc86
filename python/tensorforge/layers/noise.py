"""Noise layers (Keras 2's keras/layers/noise.py): GaussianNoise, GaussianDropout, AlphaDropout.
Active only in training (fit); the identity in predict/evaluate. The noise is drawn from the
library's random state (tensorforge._random) on the input's array module, so it stays on the GPU
on the cuda backend."""
import numpy as np

from .. import _random
from .._xp import array_module
from ..autograd import Tensor
from ..engine.base_layer import Layer


def _noise(x, kind, shape, **kw):
    """Random numbers of ``shape`` as float32 on x's array module."""
    a = getattr(_random.rng(), kind)(size=shape, **kw).astype(np.float32)
    return array_module(x.data if isinstance(x, Tensor) else x).asarray(a)


def _check_rate(layer, rate):
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"{layer}: rate must be in [0, 1), got {rate}")
    return rate


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` in training."""
    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = float(stddev)
        if self.stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be >= 0, got {stddev}")
        self.seed = seed
        self._record(stddev=self.stddev, seed=seed)

    def call(self, x, training=False, mask=None):
        if not training or self.stddev == 0:
            return x
        return x + _noise(x, "normal", x.shape, scale=self.stddev)


class GaussianDropout(Layer):
    """Multiplies by Gaussian noise of mean 1 and stddev sqrt(rate / (1 - rate)) in training."""
    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("GaussianDropout", rate)
        self.seed = seed
        self._record(rate=self.rate, seed=seed)

    def call(self, x, training=False, mask=None):
        if not training or self.rate == 0:
            return x
        std = float(np.sqrt(self.rate / (1.0 - self.rate)))
        return x * _noise(x, "normal", x.shape, loc=1.0, scale=std)


class AlphaDropout(Layer):
    """Dropout that keeps SELU's self-normalizing mean and variance (Keras 2 formula): dropped
    units are set to -alpha * scale, then the result is scaled by a and shifted by b."""
    supports_masking = True
    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("AlphaDropout", rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._record(rate=self.rate, noise_shape=self.noise_shape, seed=seed)

    def call(self, x, training=False, mask=None):
        if not training or self.rate == 0:
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            s if n is None else n for n, s in zip(self.noise_shape, x.shape))
        kept = (_noise(x, "random", shape) >= np.float32(self.rate)).astype(np.float32)
        alpha_p = -self._ALPHA * self._SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        # a * (x * kept + alpha_p * (1 - kept)) + b
        return x * (np.float32(a) * kept) + (np.float32(a * alpha_p) * (1 - kept) + np.float32(b))
