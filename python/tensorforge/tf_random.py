"""``tf.random`` draws that are not a backend op: ``categorical`` (sampling class ids from
logits, the text-generation tutorials' next-character step).

``tf.random.categorical(logits, num_samples)`` takes 2-D logits ``(batch, classes)``
(unnormalized log-probabilities; ``-inf`` is probability 0) and returns ``(batch, num_samples)``
class ids, int64 unless ``dtype`` is int32 (TensorFlow's two choices). Draws come from
tensorforge's seeded stream (``tf.random.set_seed`` / ``keras.utils.set_random_seed``), or from
``seed`` when given; they are not TensorFlow's numbers, only its distribution.
"""
import numpy as np

from ._xp import host
from .autograd import Tensor
from .backend_ops._args import device_xp, int_arg
from .backend_ops.variables import _gen
from .tf_dtypes import python_dtype


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``num_samples`` class ids per row of ``logits``, drawn with probabilities softmax(row)."""
    x = np.asarray(host(logits.data if isinstance(logits, Tensor) else logits), dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"tf.random.categorical: logits must be 2-D (batch_size, num_classes), "
                         f"got shape {x.shape}")
    n = int_arg("tf.random.categorical", "num_samples", num_samples, minimum=0)
    dt = np.dtype("int64" if dtype is None else getattr(dtype, "name", dtype))
    if dt not in (np.dtype("int32"), np.dtype("int64")):
        raise ValueError(f"tf.random.categorical: dtype must be int32 or int64, got {dt}")
    if x.shape[1] == 0:
        raise ValueError("tf.random.categorical: logits have no classes (shape "
                         f"{x.shape})")
    top = x.max(axis=1, keepdims=True)
    top[~np.isfinite(top)] = 0.0  # a row of -inf only: uniform below, as the ratios are undefined
    p = np.exp(x - top)
    s = p.sum(axis=1, keepdims=True)
    p = np.where(s > 0, p / np.where(s > 0, s, 1.0), 1.0 / x.shape[1])
    cdf = np.cumsum(p, axis=1)
    u = _gen("tf.random.categorical", seed).random((x.shape[0], n)) * cdf[:, -1:]
    ids = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), x.shape[1] - 1)
    return Tensor(device_xp().asarray(ids.astype(dt)))


# ---- shuffle, poisson, the stateless draws and Generator ----------------------------------------
# Note [stateless draws]: TensorFlow's stateless_* functions give the same numbers for the same
# (shape, seed pair) on every call; so do these, from NumPy's Philox keyed by the pair (not
# TensorFlow's numbers, only its distributions and its determinism).

def _pair_rng(op, seed):
    s = np.asarray(host(seed.data if isinstance(seed, Tensor) else seed)).reshape(-1)
    if s.size != 2 or s.dtype.kind not in "iu":
        raise ValueError(f"tf.random.{op}: seed must be a pair of integers, got {s.tolist()}")
    key = (int(s[0]) & 0xFFFFFFFFFFFFFFFF) << 64 | (int(s[1]) & 0xFFFFFFFFFFFFFFFF)
    return np.random.Generator(np.random.Philox(key=key))


def _dt(dtype, default="float32"):
    return np.dtype(default if dtype is None else getattr(dtype, "name", dtype))


def _shape(op, shape):
    s = host(shape.data) if isinstance(shape, Tensor) else shape
    return tuple(int(d) for d in np.ravel(s)) if np.ndim(s) else (int(s),)


def shuffle(value, seed=None, name=None):
    """``value`` with its first axis permuted."""
    if not isinstance(value, Tensor):  # Python ints int32, floats float32, as TensorFlow's
        d = python_dtype(value)
        a = np.asarray(value)
        value = Tensor(a.astype(d if d is not None else np.float32 if a.dtype == np.float64
                                and not isinstance(value, np.ndarray) else a.dtype))
    x = value
    if x.ndim == 0:
        raise ValueError("tf.random.shuffle: value must have a first axis, got a scalar")
    order = _gen("tf.random.shuffle", seed).permutation(x.shape[0])
    return Tensor(x.data[device_xp().asarray(order)])


def poisson(shape, lam, dtype=None, seed=None, name=None):
    """Samples of Poisson(lam): shape ``shape + lam.shape``."""
    lam = np.asarray(host(lam.data if isinstance(lam, Tensor) else lam), np.float64)
    draws = _gen("tf.random.poisson", seed).poisson(lam, _shape("poisson", shape) + lam.shape)
    return Tensor(device_xp().asarray(draws.astype(_dt(dtype))))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=None, name=None, alg=None):
    dt = _dt(dtype)
    g = _pair_rng("stateless_uniform", seed)
    shp = _shape("stateless_uniform", shape)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError("tf.random.stateless_uniform: integer draws need maxval")
        return Tensor(device_xp().asarray(g.integers(minval, maxval, shp).astype(dt)))
    hi = 1.0 if maxval is None else float(maxval)
    return Tensor(device_xp().asarray(g.uniform(float(minval), hi, shp).astype(dt)))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=None, name=None, alg=None):
    g = _pair_rng("stateless_normal", seed)
    return Tensor(device_xp().asarray(
        g.normal(float(mean), float(stddev), _shape("stateless_normal", shape)).astype(_dt(dtype))))


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=None, name=None, alg=None):
    g = _pair_rng("stateless_truncated_normal", seed)
    shp = _shape("stateless_truncated_normal", shape)
    z = g.standard_normal(shp)
    bad = np.abs(z) > 2
    while bad.any():  # redraw beyond two standard deviations, as TensorFlow's
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return Tensor(device_xp().asarray((float(mean) + float(stddev) * z).astype(_dt(dtype))))


def stateless_categorical(logits, num_samples, seed, dtype=None, name=None):
    s = _pair_rng("stateless_categorical", seed).integers(0, 2 ** 62)
    return categorical(logits, num_samples, dtype=dtype, seed=int(s))


class Generator:
    """``tf.random.Generator``: a stream of draws with its own state (``from_seed(s)`` repeats
    for the same s), independent of the global seed."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(int(seed))

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(None)

    def reset_from_seed(self, seed):
        self._rng = np.random.default_rng(int(seed))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=None, name=None):
        return Tensor(device_xp().asarray(self._rng.normal(
            float(mean), float(stddev), _shape("Generator.normal", shape)).astype(_dt(dtype))))

    def uniform(self, shape, minval=0, maxval=None, dtype=None, name=None):
        dt, shp = _dt(dtype), _shape("Generator.uniform", shape)
        if dt.kind in "iu":
            if maxval is None:
                raise ValueError("tf.random.Generator.uniform: integer draws need maxval")
            return Tensor(device_xp().asarray(self._rng.integers(minval, maxval, shp).astype(dt)))
        hi = 1.0 if maxval is None else float(maxval)
        return Tensor(device_xp().asarray(self._rng.uniform(float(minval), hi, shp).astype(dt)))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=None, name=None):
        seed = self._rng.integers(0, 2 ** 62, 2)
        return stateless_truncated_normal(shape, seed, mean, stddev, dtype)

    def make_seeds(self, count=1):
        """(2, count) int64 seed pairs for the stateless functions."""
        return Tensor(self._rng.integers(0, 2 ** 62, (2, int(count))).astype(np.int64))

    def split(self, count=1):
        return [Generator(int(self._rng.integers(0, 2 ** 62))) for _ in range(int(count))]
