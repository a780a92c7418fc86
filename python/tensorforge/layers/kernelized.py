"""Keras 2's kernelized layer (keras/layers/kernelized.py): RandomFourierFeatures, which maps
its input to random Fourier features approximating a shift-invariant kernel (Rahimi & Recht):
y = cos(x W / kernel_scale + b), W drawn from the kernel's spectral distribution (standard
normal for 'gaussian', standard Cauchy for 'laplacian'), b uniform in [0, 2 pi).

Keras 2 weights, in get_weights() order: kernel_scale (1,) (trained when the layer is; the
layer defaults to trainable=False), unscaled_kernel (input_dim, output_dim) and bias
(output_dim,) (never trained). kernel_scale starts at ``scale``, or sqrt(input_dim / 2) for 'gaussian' and 1
for 'laplacian' when scale is None."""
import numpy as np

from .. import initializers as _init
from .. import ops as _ops
from ..engine.base_layer import InputSpec, Layer
from ..ops import basic as B

_KERNELS = ("gaussian", "laplacian")


class RandomFourierFeatures(Layer):
    """Keras 2 RandomFourierFeatures(output_dim, kernel_initializer='gaussian', scale=None,
    trainable=False, name=None) on (batch, input_dim) inputs."""

    def __init__(self, output_dim, kernel_initializer="gaussian", scale=None, trainable=False,
                 name=None, **kwargs):
        if not isinstance(output_dim, (int, np.integer)) or isinstance(output_dim, bool) \
                or output_dim <= 0:
            raise ValueError(f"RandomFourierFeatures: output_dim must be a positive integer, "
                             f"got {output_dim!r}")
        if isinstance(kernel_initializer, str) and kernel_initializer.lower() not in _KERNELS:
            raise ValueError(f"RandomFourierFeatures: unsupported kernel_initializer "
                             f"{kernel_initializer!r}; supported: {list(_KERNELS)}")
        if scale is not None and not scale > 0.0:
            raise ValueError(f"RandomFourierFeatures: scale must be a positive float, got "
                             f"{scale!r}")
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.output_dim = int(output_dim)
        self.kernel_initializer = kernel_initializer
        self.scale = scale
        self._record(output_dim=self.output_dim, kernel_initializer=kernel_initializer,
                     scale=scale)

    def _initializer(self, shape):
        k = self.kernel_initializer
        if isinstance(k, str) and k.lower() == "gaussian":
            return _init.RandomNormal(stddev=1.0)
        if isinstance(k, str) and k.lower() == "laplacian":
            u = np.asarray(_init.RandomUniform(0.0, 1.0)(shape, np.float64))
            return _init.Constant(np.tan(np.pi * (u - 0.5)))  # standard Cauchy samples
        return _init.get(k)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{self.name}: the input must have shape (batch, input_dim), got "
                             f"{tuple(input_shape)}")
        dim = input_shape[1]
        if dim is None:
            raise ValueError(f"{self.name}: the input's last dimension must be known, got "
                             f"{tuple(input_shape)}")
        self.input_spec = InputSpec(ndim=2, axes={1: dim})
        if self.scale is None:
            k = self.kernel_initializer
            self.scale = (float(np.sqrt(dim / 2.0)) if isinstance(k, str)
                          and k.lower() == "gaussian" else 1.0)
            self._record(scale=self.scale)
        # Keras 2 lists trainable weights first: kernel_scale leads get_weights()
        self.kernel_scale = self.add_weight("kernel_scale", (1,),
                                            _init.Constant(float(self.scale)), trainable=True)
        shape = (dim, self.output_dim)
        self.unscaled_kernel = self.add_weight("unscaled_kernel", shape,
                                               self._initializer(shape), trainable=False)
        self.bias = self.add_weight("bias", (self.output_dim,),
                                    _init.RandomUniform(0.0, 2 * np.pi), trainable=False)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def call(self, x, training=False, mask=None):
        if x.ndim != 2 or x.shape[1] != self.unscaled_kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input (batch, "
                             f"{self.unscaled_kernel.shape[0]}), got shape {x.shape}")
        kernel = B.mul(self.unscaled_kernel, B.div(np.float32(1.0), self.kernel_scale))
        return _ops.cos(_ops.gemm(x, kernel, bias=self.bias))
