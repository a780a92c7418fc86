"""SpectralNormalization (tf_keras 2.13+'s keras/layers/normalization/spectral_normalization.py):
a Wrapper that, on each training call, divides the wrapped layer's kernel (or embeddings) in
place by its largest singular value, estimated by ``power_iterations`` steps of power iteration
from the kept vector ``vector_u`` (a non-trainable weight). As in tf_keras the kernel variable
is overwritten, so no gradient flows through the normalization; an all-zero kernel is left
alone. Inference calls use the kernel as it is.
"""
import numpy as np

from .. import initializers as _init
from .._xp import array_module
from ..engine.base_layer import InputSpec
from .wrappers import Wrapper


def _l2_normalize(xp, v):
    return v / xp.sqrt(xp.maximum((v * v).sum(), 1e-12))


class SpectralNormalization(Wrapper):
    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = int(power_iterations)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(shape=(None,) + tuple(input_shape[1:]))
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                             "'embeddings'")
        self.kernel = kernel
        self.vector_u = self.add_weight("vector_u", (1, kernel.shape[-1]),
                                        _init.TruncatedNormal(stddev=0.02), trainable=False)

    def call(self, x, training=False):
        if training:
            self._update_weights()
        return self.layer(x)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def _update_weights(self):
        k = self.kernel.data
        if not k.any():
            return
        xp = array_module(k)
        w = k.reshape(-1, k.shape[-1]).astype(np.float64)
        u = self.vector_u.data.astype(np.float64)
        v = u
        for _ in range(self.power_iterations):
            v = _l2_normalize(xp, u @ w.T)
            u = _l2_normalize(xp, v @ w)
        sigma = float((v @ w @ u.T).reshape(()))
        k[...] = (w / sigma).reshape(k.shape).astype(k.dtype)
        self.vector_u.data[...] = u.astype(self.vector_u.data.dtype)

    def get_config(self):
        return dict(super().get_config(), power_iterations=self.power_iterations)
