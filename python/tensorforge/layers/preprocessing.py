"""Preprocessing layers of Keras 2.6+ that models carry inside them: Rescaling."""
import numpy as np

from ..engine.base_layer import Layer
from ..ops import basic as B


class Rescaling(Layer):
    """Keras 2 Rescaling(scale, offset=0.0): y = x * scale + offset (images to [0, 1] with
    scale=1/255, or [-1, 1] with scale=1/127.5, offset=-1)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for nm, v in (("scale", scale), ("offset", offset)):
            if not np.all(np.isfinite(np.asarray(v, dtype=np.float64))):
                raise ValueError(f"Rescaling: {nm} must be finite, got {v!r}")
        self.scale, self.offset = scale, offset
        self._record(scale=scale, offset=offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x, training=False, mask=None):
        y = B.mul(x, np.asarray(self.scale, dtype=np.float32))
        if np.any(np.asarray(self.offset) != 0):
            y = B.add(y, np.asarray(self.offset, dtype=np.float32))
        return y
