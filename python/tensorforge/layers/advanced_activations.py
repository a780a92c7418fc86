"""Activation layers with parameters (Keras 2's keras/layers/advanced_activations.py)."""
import numbers

from .. import activations as _act
from ..engine.base_layer import Layer


class LeakyReLU(Layer):
    supports_masking = True

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"LeakyReLU: alpha must be a float, got {alpha!r}")
        self.alpha = float(alpha)
        self._record(alpha=self.alpha)

    def call(self, x, training=False, mask=None):
        return _act.leaky_relu(x, alpha=self.alpha)
