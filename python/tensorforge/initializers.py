"""Keras weight initializers (Keras 2 formulas and defaults), drawing from tensorforge._random.

fan_in / fan_out follow Keras: for a Dense kernel (in, out); for a conv kernel (KH, KW, C_in,
C_out) the receptive field KH*KW multiplies both.
"""
import math

import numpy as np

from . import _random
from ._custom_objects import class_config, from_class_config

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "Orthogonal", "GlorotUniform", "GlorotNormal",
           "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Identity", "get",
           "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
           "orthogonal", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "identity", "variance_scaling", "serialize",
           "deserialize"]


def _fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


class Initializer:
    def __call__(self, shape, dtype=np.float32):
        raise NotImplementedError

    def get_config(self):
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class Zeros(Initializer):
    def __call__(self, shape, dtype=np.float32):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=np.float32):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=np.float32):
        return np.full(shape, self.value, dtype=dtype)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=np.float32):
        r = np.random.default_rng(self.seed) if self.seed is not None else _random.rng()
        return r.normal(self.mean, self.stddev, size=shape).astype(dtype)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=np.float32):
        r = np.random.default_rng(self.seed) if self.seed is not None else _random.rng()
        return r.uniform(self.minval, self.maxval, size=shape).astype(dtype)


def _truncated(r, stddev, shape):
    """Normal(0, stddev) redrawn outside two standard deviations (TF's truncated_normal)."""
    out = r.normal(0.0, 1.0, size=shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = r.normal(0.0, 1.0, size=int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=np.float32):
        r = np.random.default_rng(self.seed) if self.seed is not None else _random.rng()
        return (self.mean + _truncated(r, self.stddev, shape)).astype(dtype)


class VarianceScaling(Initializer):
    """Keras VarianceScaling: scale / fan, normal ('truncated_normal', TF2) or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if distribution == "normal":
            distribution = "truncated_normal"
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=np.float32):
        fan_in, fan_out = _fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        s = self.scale / max(1.0, n)
        r = np.random.default_rng(self.seed) if self.seed is not None else _random.rng()
        if self.distribution == "truncated_normal":
            # 0.879... = stddev of a unit normal truncated at +-2 (Keras divides it out)
            return _truncated(r, math.sqrt(s) / 0.87962566103423978, shape).astype(dtype)
        if self.distribution == "untruncated_normal":
            return r.normal(0.0, math.sqrt(s), size=shape).astype(dtype)
        limit = math.sqrt(3.0 * s)
        return r.uniform(-limit, limit, size=shape).astype(dtype)


class _Preset(VarianceScaling):
    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(_Preset):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(_Preset):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(_Preset):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class LecunNormal(_Preset):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class LecunUniform(_Preset):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR of a Gaussian one (Keras' recurrent default)."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=np.float32):
        shape = tuple(shape)
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        r = np.random.default_rng(self.seed) if self.seed is not None else _random.rng()
        a = r.normal(0.0, 1.0, size=(max(rows, cols), min(rows, cols)))
        q, rr = np.linalg.qr(a)
        q *= np.sign(np.diag(rr))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(dtype)


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=np.float32):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer: shape must be 2-D, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype)


zeros, ones, constant = Zeros, Ones, Constant
zero, one, normal, uniform = Zeros, Ones, RandomNormal, RandomUniform  # Keras 2.0-2.2 spellings
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
orthogonal, identity, variance_scaling = Orthogonal, Identity, VarianceScaling
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "orthogonal": Orthogonal,
    "identity": Identity, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform, "variance_scaling": VarianceScaling,
    "uniform": RandomUniform, "normal": RandomNormal,  # Keras 2.0-2.2 spellings
    "zero": Zeros, "one": Ones,
}
_BY_NAME.update({cls.__name__: cls for cls in set(_BY_NAME.values())})


def serialize(initializer, use_legacy_format=False):
    """An initializer as tf_keras 2.13+ writes it (or the legacy form)."""
    if not isinstance(initializer, Initializer):
        raise ValueError(f"initializers.serialize: cannot serialize {initializer!r}")
    return class_config(initializer, "keras.initializers", _BY_NAME, use_legacy_format)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """An initializer from a name or a config dict (either form serialize writes)."""
    if isinstance(config, str):
        return get(config)
    return from_class_config("initializers", config, _BY_NAME, custom_objects, "initializer")


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a class, an instance or a callable;
    None stays None, as Keras 2's: a layer given ``bias_initializer=None`` leaves the choice to
    ``add_weight``, which draws float weights from glorot_uniform (the TF imbalanced-data
    tutorial's ``Dense(1, bias_initializer=output_bias)`` with ``output_bias=None``)."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        from ._custom_objects import custom_object
        custom = custom_object(identifier)  # a user's, by name (custom_objects), as Keras 2
        if isinstance(custom, type):
            return custom()
        if callable(custom):
            return custom
        raise ValueError(f"initializers.get: unknown initializer {identifier!r}")
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"initializers.get: expected a name or a callable, got {type(identifier).__name__}")
