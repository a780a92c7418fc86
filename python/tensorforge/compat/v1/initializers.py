"""TensorFlow 1's initializers (tf.compat.v1.truncated_normal_initializer,
tf.compat.v1.initializers.glorot_uniform, ...): the Keras initializers under TensorFlow 1's
arguments and defaults, which differ from Keras': random_normal / truncated_normal have
stddev 1.0 (Keras 0.05), random_uniform is [0, 1) (Keras [-0.05, 0.05)). Used as a Keras
layer's initializer (``Dense(n, kernel_initializer=tf.compat.v1.truncated_normal_initializer(
stddev=0.02))``), each is the Keras initializer with those arguments, so a saved model writes
and reads it as that Keras class. ``dtype=`` (TensorFlow 1's default dtype of the calls) is
kept where it is not float32 (a wrapper then calls with it). Seeded draws are this package's,
not TensorFlow 1's stateful-op numbers.
"""
import numpy as np

from ... import initializers as _k

__all__ = ["truncated_normal_initializer", "random_normal_initializer",
           "random_uniform_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "constant_initializer", "zeros_initializer",
           "ones_initializer", "orthogonal_initializer", "variance_scaling_initializer"]
# tf.compat.v1.initializers.<name>: the same functions
NAMESPACE = {"truncated_normal": "truncated_normal_initializer",
             "random_normal": "random_normal_initializer",
             "random_uniform": "random_uniform_initializer",
             "glorot_uniform": "glorot_uniform_initializer",
             "glorot_normal": "glorot_normal_initializer", "constant": "constant_initializer",
             "zeros": "zeros_initializer", "ones": "ones_initializer",
             "orthogonal": "orthogonal_initializer",
             "variance_scaling": "variance_scaling_initializer"}


class _WithDtype(_k.Initializer):
    """A Keras initializer whose calls default to ``dtype`` (TensorFlow 1's dtype=), called as
    TensorFlow 1 calls one: ``init(shape, dtype=None, partition_info=None)``."""

    def __init__(self, inner, dtype):
        self._inner, self._dtype = inner, dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        return self._inner(shape, dtype=self._dtype if dtype is None else _dtype(dtype))

    def get_config(self):
        return self._inner.get_config()


def _dtype(dtype):
    dt = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if dt.kind not in "fiub":
        raise TypeError(f"compat.v1 initializers: dtype must be a numeric dtype, got {dtype!r}")
    return dt


def _v1(inner, dtype):
    dt = _dtype(dtype)
    return inner if dt == np.float32 else _WithDtype(inner, dt)


def truncated_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=np.float32):
    return _v1(_k.TruncatedNormal(mean=mean, stddev=stddev, seed=seed), dtype)


def random_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=np.float32):
    return _v1(_k.RandomNormal(mean=mean, stddev=stddev, seed=seed), dtype)


def random_uniform_initializer(minval=0.0, maxval=None, seed=None, dtype=np.float32):
    return _v1(_k.RandomUniform(minval=minval, maxval=1.0 if maxval is None else maxval,
                                seed=seed), dtype)


def glorot_uniform_initializer(seed=None, dtype=np.float32):
    return _v1(_k.GlorotUniform(seed=seed), dtype)


def glorot_normal_initializer(seed=None, dtype=np.float32):
    return _v1(_k.GlorotNormal(seed=seed), dtype)


def constant_initializer(value=0, dtype=np.float32, verify_shape=False):
    if verify_shape:
        raise ValueError("compat.v1.constant_initializer: verify_shape=True is not supported "
                         "(TensorFlow 1 deprecated it); check the value's shape yourself")
    return _v1(_k.Constant(value=value), dtype)


def zeros_initializer(dtype=np.float32):
    return _v1(_k.Zeros(), dtype)


def ones_initializer(dtype=np.float32):
    return _v1(_k.Ones(), dtype)


def orthogonal_initializer(gain=1.0, seed=None, dtype=np.float32):
    return _v1(_k.Orthogonal(gain=gain, seed=seed), dtype)


def variance_scaling_initializer(scale=1.0, mode="fan_in", distribution="truncated_normal",
                                 seed=None, dtype=np.float32):
    # TensorFlow 1's "normal" is the truncated normal (its deprecated spelling)
    return _v1(_k.VarianceScaling(scale=scale, mode=mode,
                                  distribution="truncated_normal" if distribution == "normal"
                                  else distribution, seed=seed), dtype)


def __getattr__(name):  # tf.compat.v1.initializers.<name>
    if name in NAMESPACE:
        return globals()[NAMESPACE[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
