"""``tf.random`` draws that are not a backend op: ``categorical`` (sampling class ids from
logits, the text-generation tutorials' next-character step).

``tf.random.categorical(logits, num_samples)`` takes 2-D logits ``(batch, classes)``
(unnormalized log-probabilities; ``-inf`` is probability 0) and returns ``(batch, num_samples)``
class ids, int64 unless ``dtype`` is int32 (TensorFlow's two choices). Draws come from
tensorforge's seeded stream (``tf.random.set_seed`` / ``keras.utils.set_random_seed``), or from
``seed`` when given; they are not TensorFlow's numbers, only its distribution.
"""
import enum
import math

import numpy as np

from . import _philox, _random
from . import _stateless_samplers as _samplers
from ._xp import host
from .autograd import Tensor
from .backend_ops._args import device_xp, int_arg
from .backend_ops.variables import _gen
from .tf_debugging import InvalidArgumentError
from .tf_dtypes import python_dtype


def set_seed(seed):
    """tf.random.set_seed (TensorFlow 1's tf.set_random_seed): the framework's random state only
    (weights, dropout, tf.random ops, Dataset shuffles), as TensorFlow's; NumPy's and Python's
    are the program's own (keras.utils.set_random_seed seeds all three)."""
    _random.set_seed(seed)


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
# (shape, seed pair) on every call. stateless_uniform / normal / truncated_normal (and poisson /
# gamma / binomial below) give TensorFlow's numbers: its Philox stream of the seed (_philox.py),
# its conversions of the words (float32 math to an ulp: NumPy's transcendental functions stand
# for glibc's); stateless_categorical too where TensorFlow samples the batch in one shard.

def _dt(dtype, default="float32"):
    return np.dtype(default if dtype is None else getattr(dtype, "name", dtype))


def _shape(op, shape):
    s = host(shape.data) if isinstance(shape, Tensor) else shape
    out = tuple(int(d) for d in np.ravel(s)) if np.ndim(s) else (int(s),)
    if any(d < 0 for d in out):
        raise InvalidArgumentError(f"tf.random.{op}: shape must have dimensions >= 0, got "
                                   f"{list(out)}")
    return out


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


def _unit_floats(seed, n, dt):
    """TensorFlow's UniformDistribution for ``dt``: [0, 1) from 10 (float16), 23 (float32)
    or 52 (float64, two words) random mantissa bits of the seed's Philox words."""
    if dt == np.float64:
        return _samplers.doubles(_philox.bits(seed, 2 * n).reshape(-1, 2)).reshape(-1)
    w = _philox.bits(seed, n)
    if dt == np.float16:
        return ((w & 0x3FF) | (15 << 10)).astype(np.uint16).view(np.float16) - np.float16(1)
    return ((w & 0x7FFFFF) | (127 << 23)).view(np.float32) - np.float32(1)


def _unit_normals(seed, n, dt):
    """TensorFlow's NormalDistribution for ``dt``: Box-Muller pairs, float32 (float16 from it)
    from two words, float64 from four (random_distributions.h's BoxMullerFloat / Double)."""
    if dt == np.float64:
        m = -(-n // 2)
        d = _samplers.doubles(_philox.bits(seed, 4 * m).reshape(-1, 2)).reshape(m, 2)
        r = np.sqrt(-2.0 * np.log(np.maximum(d[:, 0], 1.0e-7)))
        v = 2 * np.pi * d[:, 1]
        return np.stack([np.sin(v) * r, np.cos(v) * r], axis=1).reshape(-1)[:n]
    m = -(-n // 2)
    out = _box_muller(_philox.bits(seed, 2 * m).reshape(m, 2), np.dtype(np.float32))
    return out.reshape(-1)[:n].astype(dt)


def _floating(op, dt):
    if dt.name not in ("float16", "float32", "float64"):
        raise TypeError(f"tf.random.{op}: dtype must be float16, float32 or float64, got {dt}")
    return dt


def _uniform(op, s, shp, minval, maxval, dt):
    """Uniform draws of the stream ``s`` (a seed pair or a _philox.Stream): TensorFlow's."""
    n = int(np.prod(shp, dtype=np.int64))
    if dt.kind in "iu":
        if (minval is None) != (maxval is None):
            raise ValueError(f"tf.random.{op}: for an integer dtype, minval and maxval must be "
                             f"both None or both given, got minval={minval}, maxval={maxval}")
        if dt.name not in ("int32", "int64", "uint32", "uint64"):
            raise TypeError(f"tf.random.{op}: integer dtype must be int32 / int64 (uint32 / "
                            f"uint64 for the full range), got {dt}")
        if minval is None:
            return Tensor(device_xp().asarray(_full_ints(s, n, dt).reshape(shp)))
        lo, hi = int(np.asarray(host(getattr(minval, "data", minval)))), \
            int(np.asarray(host(getattr(maxval, "data", maxval))))
        if lo >= hi:
            raise InvalidArgumentError(f"tf.random.{op}: Need minval < maxval: {lo} >= {hi}")
        words = _full_ints(s, n, np.dtype(np.uint64 if dt.itemsize == 8 else np.uint32))
        out = lo + (words.astype(np.uint64) % np.uint64(hi - lo)).astype(np.int64)
        return Tensor(device_xp().asarray(out.astype(dt).reshape(shp)))
    dt = _floating(op, dt)
    lo = dt.type(0 if minval is None else np.asarray(host(getattr(minval, "data", minval))))
    hi = dt.type(1 if maxval is None else np.asarray(host(getattr(maxval, "data", maxval))))
    out = _unit_floats(s, n, dt) * (hi - lo) + lo
    return Tensor(device_xp().asarray(out.astype(dt).reshape(shp)))


def _scaled(z, shp, mean, stddev, dt):
    m = np.asarray(host(getattr(mean, "data", mean))).astype(dt)
    sd = np.asarray(host(getattr(stddev, "data", stddev))).astype(dt)
    return Tensor(device_xp().asarray((z.reshape(shp).astype(dt) * sd + m).astype(dt)))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=None, name=None,
                      alg="auto_select"):
    """Uniform draws in [minval, maxval) (floats: maxval 1 by default; integers: both bounds
    given, or both None for the full range): TensorFlow's numbers (its Philox stream of the
    seed; See Note [stateless draws])."""
    _alg("stateless_uniform", alg)
    s, _ = _seed_pair("stateless_uniform", seed)
    return _uniform("stateless_uniform", s, _shape("stateless_uniform", shape), minval, maxval,
                    _dt(dtype))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=None, name=None,
                     alg="auto_select"):
    """Normal draws: TensorFlow's numbers (Box-Muller of its Philox stream of the seed)."""
    _alg("stateless_normal", alg)
    dt = _floating("stateless_normal", _dt(dtype))
    s, _ = _seed_pair("stateless_normal", seed)
    shp = _shape("stateless_normal", shape)
    return _scaled(_unit_normals(s, int(np.prod(shp, dtype=np.int64)), dt), shp, mean, stddev,
                   dt)


def _box_muller(words, dt):
    """Normal pairs of Philox words (n, k): float32 from two words a pair (k = 2), float64
    from four (k = 4), as random_distributions.h's BoxMullerFloat / BoxMullerDouble."""
    if dt == np.float64:
        d = _samplers.doubles(words)
        r = np.sqrt(-2.0 * np.log(np.maximum(d[:, 0], 1.0e-7)))
        v = 2 * np.pi * d[:, 1]
        return np.stack([np.sin(v) * r, np.cos(v) * r], axis=1)
    # float32 steps, each the float64 result rounded (glibc's logf / sqrtf / sincosf are
    # correctly rounded nearly always; NumPy's float32 SIMD sin / cos may be an ulp off)
    f32 = np.float32
    f = ((words & 0x7FFFFF) | (127 << 23)).astype(np.uint32).view(f32) - f32(1)
    u1 = np.maximum(f[:, 0], f32(1.0e-7)).astype(np.float64)
    r = np.sqrt((-2.0 * np.log(u1).astype(f32)).astype(f32).astype(np.float64)).astype(f32)
    v = (2.0 * np.pi * f[:, 1].astype(np.float64)).astype(f32).astype(np.float64)  # M_PI: double
    sin, cos = np.sin(v).astype(f32), np.cos(v).astype(f32)
    return np.stack([(sin.astype(np.float64) * r).astype(f32),
                     (cos.astype(np.float64) * r).astype(f32)], axis=1)


def _truncated_normals(seed, n, dt):
    """TensorFlow's TruncatedNormalDistribution (|z| < 2) filled as FillPhiloxRandom fills a
    variable-sample distribution: groups of 4 outputs (2 for float64), group g reading the
    words of the seed's stream from block 256 * g on (128 * g for float64), one Box-Muller
    pair after another, the values inside the cut kept in order. Two blocks serve a group
    nearly always; a group that needs more reads on block by block."""
    size = 2 if dt == np.float64 else 4
    per_pair = 4 if dt == np.float64 else 2
    skip = size * 256 // 4  # kGeneratorSkipPerOutputGroup: 256 outputs' words a group
    groups = -(-n // size)
    start = np.arange(groups, dtype=np.uint64) * np.uint64(skip)
    words = np.concatenate([_philox.blocks(seed, start), _philox.blocks(
        seed, start + np.uint64(1))], axis=1).astype(np.uint64)  # (groups, 8)
    z = _box_muller(words.reshape(-1, per_pair), dt).reshape(groups, -1)
    keep = np.abs(z) < 2.0
    out = np.empty((groups, size), z.dtype)
    enough = keep.sum(axis=1) >= size
    for g in range(groups):
        if enough[g]:
            out[g] = z[g][keep[g]][:size]
            continue
        vals, block = [], skip * g
        while len(vals) < size:
            w = _philox.blocks(seed, [block]).astype(np.uint64).reshape(-1, per_pair)
            block += 1
            vals += [v for v in _box_muller(w, dt).reshape(-1) if abs(v) < 2.0]
        out[g] = vals[:size]
    return out.reshape(-1)[:n]


def _truncated(s, shp, mean, stddev, dt):
    z = _truncated_normals(s, int(np.prod(shp, dtype=np.int64)),
                           np.dtype(np.float64 if dt == np.float64 else np.float32))
    return _scaled(z, shp, mean, stddev, dt)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=None, name=None,
                               alg="auto_select"):
    """Normal draws within two standard deviations: TensorFlow's numbers (_truncated_normals)."""
    _alg("stateless_truncated_normal", alg)
    dt = _floating("stateless_truncated_normal", _dt(dtype))
    s, _ = _seed_pair("stateless_truncated_normal", seed)
    return _truncated(s, _shape("stateless_truncated_normal", shape), mean, stddev, dt)


def stateless_categorical(logits, num_samples, seed, dtype=None, name=None):
    """``num_samples`` class ids per row of ``logits``: TensorFlow's numbers where its CPU
    kernel (multinomial_op.cc) runs the batch as one shard, as it does for the small batches
    of sampling loops (its thread pool splits large batches, and its own numbers then depend
    on the split): row after row, each sample the first class whose running sum of
    exp(logit - max) exceeds a uniform double (two words of the seed's stream) times the
    total; non-finite logits have probability 0."""
    s, _ = _seed_pair("stateless_categorical", seed)
    x = np.asarray(host(logits.data if isinstance(logits, Tensor) else logits))
    if x.ndim != 2:
        raise ValueError(f"tf.random.stateless_categorical: logits must be 2-D (batch_size, "
                         f"num_classes), got shape {x.shape}")
    n = int_arg("tf.random.stateless_categorical", "num_samples", num_samples, minimum=0)
    dt = np.dtype("int64" if dtype is None else getattr(dtype, "name", dtype))
    if dt not in (np.dtype("int32"), np.dtype("int64")):
        raise ValueError(f"tf.random.stateless_categorical: dtype must be int32 or int64, got "
                         f"{dt}")
    w = _philox.bits(s, 2 * x.shape[0] * n).reshape(-1, 2)
    u = _samplers.doubles(w).reshape(x.shape[0], n)
    out = np.zeros((x.shape[0], n), np.int64)
    for b, row in enumerate(x):
        finite = np.isfinite(row)
        top = row[finite].max() if finite.any() else np.finfo(row.dtype).min
        e = np.where(finite, np.exp(row.astype(np.float64) - float(top)), 0.0)
        cdf = np.cumsum(e)
        out[b] = np.searchsorted(cdf, u[b] * cdf[-1] if len(cdf) else u[b], side="right")
    return Tensor(device_xp().asarray(out.astype(dt)))


class Generator:
    """``tf.random.Generator``: TensorFlow's stateful Philox generator, draw for draw. Its
    state is 3 int64 words, a 128-bit counter then the key (``create_rng_state``); a draw of
    n values reads the Philox stream of that key and counter (unscrambled) as the stateless
    functions read a seed's, then moves the counter n * 256 blocks on, as TensorFlow's
    stateful ops do. Only Philox (TensorFlow's CPU default) is supported."""

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        if state is None:
            raise ValueError("tf.random.Generator: give copy_from or state (or use "
                             "Generator.from_seed / from_non_deterministic_state)")
        self._set_state("Generator", state, alg)

    def _set_state(self, op, state, alg=None):
        if alg is not None and _algorithm(op, alg) != Algorithm.PHILOX:
            raise ValueError(f"tf.random.{op}: only the Philox algorithm is supported, got "
                             f"{alg!r}")
        st = np.asarray(host(state.data) if isinstance(state, Tensor) else state)
        st = np.array([int(w) & 0xFFFFFFFFFFFFFFFF for w in st.reshape(-1)], np.uint64)
        if st.shape != (3,):
            raise ValueError(f"tf.random.{op}: a Philox state has 3 int64 words, got "
                             f"{st.size}")
        self._state = st.view(np.int64)

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(state=create_rng_state(int(seed), alg or Algorithm.PHILOX), alg=alg)

    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        c = np.ravel(np.asarray(host(getattr(counter, "data", counter))))
        return cls(state=list(c) + [int(np.asarray(host(getattr(key, "data", key))))], alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls.from_seed(int.from_bytes(__import__("os").urandom(8), "little"), alg)

    def reset(self, state):
        self._set_state("Generator.reset", state)

    def reset_from_seed(self, seed):
        self._state = create_rng_state(int(seed), Algorithm.PHILOX).numpy()

    def reset_from_key_counter(self, key, counter):
        self._state = Generator.from_key_counter(key, counter, Algorithm.PHILOX)._state

    @property
    def state(self):
        return Tensor(self._state.copy())

    @property
    def algorithm(self):
        return Algorithm.PHILOX.value

    @property
    def key(self):
        return Tensor(self._state[2].copy())

    def skip(self, delta):
        """Move the counter ``delta`` * 256 blocks on (``delta`` draws' worth)."""
        c = int(self._state[0].view(np.uint64)) | int(self._state[1].view(np.uint64)) << 64
        c = (c + 256 * int(delta)) % (1 << 128)
        self._state[0] = np.uint64(c & 0xFFFFFFFFFFFFFFFF).view(np.int64)
        self._state[1] = np.uint64(c >> 64).view(np.int64)

    def _take(self, shape, op):
        """(the Philox stream of the current state, the output shape); the counter moves
        on past it."""
        shp = _shape(f"Generator.{op}", shape)
        c0, c1, k = (int(w) for w in self._state.view(np.uint64))
        stream = _philox.Stream([k, k >> 32], [c0, c0 >> 32, c1, c1 >> 32])
        self.skip(int(np.prod(shp, dtype=np.int64)))
        return stream, shp

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        dt = _floating("Generator.normal", _dt(dtype))
        s, shp = self._take(shape, "normal")
        return _scaled(_unit_normals(s, int(np.prod(shp, dtype=np.int64)), dt), shp, mean,
                       stddev, dt)

    def uniform(self, shape, minval=0, maxval=None, dtype="float32", name=None):
        s, shp = self._take(shape, "uniform")
        return _uniform("Generator.uniform", s, shp, minval, maxval, _dt(dtype))

    def uniform_full_int(self, shape, dtype="uint64", name=None):
        s, shp = self._take(shape, "uniform_full_int")
        return _uniform("Generator.uniform_full_int", s, shp, None, None, _dt(dtype))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        dt = _floating("Generator.truncated_normal", _dt(dtype))
        s, shp = self._take(shape, "truncated_normal")
        return _truncated(s, shp, mean, stddev, dt)

    def binomial(self, shape, counts, probs, dtype="int32", name=None):
        dt = _out_dtype("Generator.binomial", dtype, ("float16", "float32", "float64",
                                                      "int32", "int64"))
        s, shp = self._take(shape, "binomial")
        return _binomial("Generator.binomial", s, shp, counts, probs, dt)

    def make_seeds(self, count=1):
        """(2, count) int64 seed pairs for the stateless functions: full-range keys over
        zeros, as TensorFlow's."""
        keys = self.uniform_full_int([int(count)], "int64").numpy()
        return Tensor(np.stack([keys, np.zeros_like(keys)]))

    def split(self, count=1):
        """``count`` new Generators, each keyed by a full-range draw of this one."""
        keys = self.uniform_full_int([int(count)], "int64").numpy()
        return [Generator(state=[0, 0, int(k)], alg=Algorithm.PHILOX) for k in keys]


# ---- seeds: fold_in, split, create_rng_state, the global Generator -----------------------------
class Algorithm(enum.Enum):
    """TensorFlow's RNG algorithms (the stateless draws here are Philox's where they are
    TensorFlow's numbers)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _seed_pair(op, seed):
    """(int64 pair, the seed's dtype): a Python list is int32, as TensorFlow converts it."""
    s = np.asarray(host(seed.data) if isinstance(seed, Tensor) else seed)
    if not isinstance(seed, (Tensor, np.ndarray)) and s.dtype.kind in "iu":
        s = s.astype(python_dtype(seed) or np.int64)
    if s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(f"tf.random.{op}: seed must be a pair of integers (shape [2]), got "
                         f"{s.tolist()!r} ({s.dtype})")
    return s.astype(np.int64), s.dtype


def _full_ints(seed, n, dtype):
    """TensorFlow's stateless_random_uniform_full_int: Philox words of ``seed``, one a 32-bit
    value, two (low word first) a 64-bit one."""
    if dtype.itemsize == 8:
        w = _philox.bits(seed, 2 * n).astype(np.uint64)
        return (w[0::2] | (w[1::2] << np.uint64(32))).view(np.int64).astype(dtype)
    return _philox.bits(seed, n).view(np.int32).astype(dtype)


def _alg(op, alg):
    ok = (None, "auto_select", "philox", 1, 3, Algorithm.PHILOX, Algorithm.AUTO_SELECT)
    if alg not in ok:
        raise ValueError(f"tf.random.{op}: alg {alg!r} is not supported here (Philox only: "
                         f"'philox' or 'auto_select', TensorFlow's CPU choice)")


def fold_in(seed, data, alg="auto_select"):
    """A new seed pair from ``seed`` and the integer ``data``: [a Philox full-range draw of
    ``seed``, data], TensorFlow's numbers, in ``data``'s dtype (a Python int: int32, or int64
    past its range, as TensorFlow converts it)."""
    _alg("fold_in", alg)
    s, _ = _seed_pair("fold_in", seed)
    d = np.asarray(host(data.data) if isinstance(data, Tensor) else data)
    if not isinstance(data, (Tensor, np.ndarray, np.generic)):
        d = d.astype(python_dtype(data) or d.dtype)
    if d.shape != () or d.dtype.kind not in "iu":
        raise ValueError(f"tf.random.fold_in: data must be an integer scalar, got "
                         f"{d.tolist()!r} ({d.dtype})")
    return Tensor(np.array([_full_ints(s, 1, d.dtype)[0], d], d.dtype))


def split(seed, num=2, alg="auto_select"):
    """``num`` new seed pairs (num, 2) drawn from ``seed``: TensorFlow's numbers."""
    _alg("split", alg)
    s, dt = _seed_pair("split", seed)
    n = int_arg("tf.random.split", "num", num, minimum=0)
    return Tensor(_full_ints(s, 2 * n, dt).reshape(n, 2))


_STATE_SIZE = {Algorithm.PHILOX: 3, Algorithm.THREEFRY: 2}


def _algorithm(op, alg):
    if isinstance(alg, str):
        alg = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY,
               "auto_select": Algorithm.PHILOX}.get(alg.lower(), alg)
    elif isinstance(alg, (int, np.integer)) and int(alg) in (1, 2, 3):
        alg = Algorithm(int(alg))
    if alg == Algorithm.AUTO_SELECT:
        alg = Algorithm.PHILOX
    if alg not in _STATE_SIZE:
        raise ValueError(f"tf.random.{op}: unknown algorithm {alg!r} (philox, threefry, "
                         f"auto_select)")
    return alg


def create_rng_state(seed, alg):
    """The int64 state a Generator of ``alg`` starts from: an integer seed as 64-bit words
    (low first), a list of words cut to the state's size or padded with zeros on the left
    (Philox: 3 words, ThreeFry: 2)."""
    n = _STATE_SIZE[_algorithm("create_rng_state", alg)]
    if isinstance(seed, (int, np.integer)):
        v = int(seed) % (1 << (64 * n))
        words = [(v >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(n)]
    else:
        words = [int(w) & 0xFFFFFFFFFFFFFFFF for w in np.ravel(seed)][:n]
        words = [0] * (n - len(words)) + words  # zeros on the left, as TensorFlow's
    return Tensor(np.array(words, np.uint64).view(np.int64))


_GLOBAL = []


def get_global_generator():
    """The Generator of the program (made on first use from a non-deterministic state, as
    TensorFlow's; ``set_global_generator`` replaces it)."""
    if not _GLOBAL:
        _GLOBAL.append(Generator.from_non_deterministic_state())
    return _GLOBAL[0]


def set_global_generator(generator):
    if not isinstance(generator, Generator):
        raise TypeError(f"tf.random.set_global_generator: expected a tf.random.Generator, got "
                        f"{type(generator).__name__}")
    _GLOBAL[:] = [generator]


# ---- stateless binomial / gamma / poisson ----------------------------------------------------
# Note [stateless poisson]: stateless_poisson gives TensorFlow's numbers: its CPU kernel
# (random_poisson_op.cc) draws output i (rate-major order) from the Philox stream of the seed
# skipped 256 blocks per output, float64 uniforms (2 a block) taken from the end of each block,
# Knuth's product of uniforms below rate 10, Hormann's transformed rejection from 10 on, all in
# float64. stateless_gamma and stateless_binomial follow their kernels the same way
# (_stateless_samplers.py).

def _out_dtype(op, dtype, allowed):
    dt = _dt(dtype)
    if dt.name not in allowed:
        raise TypeError(f"tf.random.{op}: dtype must be one of {', '.join(allowed)}, got "
                        f"{dt.name}")
    return dt


def stateless_poisson(shape, seed, lam, dtype="int32", name=None):
    """Poisson(lam) samples of ``shape`` (lam matches its trailing dimensions): TensorFlow's
    numbers (Note [stateless poisson]); a Python ``lam`` is float32, as TensorFlow converts
    it."""
    dt = _out_dtype("stateless_poisson", dtype, ("float16", "float32", "float64", "int32",
                                                 "int64"))
    shp = _shape("stateless_poisson", shape)
    s, _ = _seed_pair("stateless_poisson", seed)
    lam_a = np.asarray(host(lam.data) if isinstance(lam, Tensor) else lam)
    if not isinstance(lam, (Tensor, np.ndarray)):
        lam_a = lam_a.astype(np.float32)  # TensorFlow converts a Python lam to float32
    lam_a = lam_a.astype(np.float64)  # the kernel computes in float64
    if lam_a.ndim > len(shp) or tuple(shp[len(shp) - lam_a.ndim:]) != lam_a.shape:
        raise ValueError(f"tf.random.stateless_poisson: lam of shape {lam_a.shape} must match "
                         f"the trailing dimensions of shape {shp}")
    if np.any(lam_a < 0) or np.any(np.isnan(lam_a)):
        raise ValueError("tf.random.stateless_poisson: lam must be >= 0")
    num_rate = max(lam_a.size, 1)
    per_rate = int(np.prod(shp, dtype=np.int64)) // num_rate if lam_a.size else 0
    rates = np.repeat(lam_a.reshape(-1), per_rate)  # rate-major, as the kernel counts outputs
    draws = _samplers.poisson(s, rates).reshape(num_rate, per_rate).T  # (samples, rates)
    return Tensor(device_xp().asarray(draws.reshape(shp).astype(dt)))


def stateless_gamma(shape, seed, alpha, beta=None, dtype="float32", name=None):
    """Gamma(alpha, rate beta) samples of ``shape`` (alpha, beta broadcast to its trailing
    dimensions): TensorFlow's numbers (Note [stateless poisson]'s stream, gamma's sampler:
    stateless_random_gamma_op.cc), max(draw / beta, the dtype's tiny) as TensorFlow's."""
    dt = _out_dtype("stateless_gamma", dtype, ("float16", "float32", "float64"))
    shp = _shape("stateless_gamma", shape)
    s, _ = _seed_pair("stateless_gamma", seed)
    a = np.asarray(host(alpha.data) if isinstance(alpha, Tensor) else alpha).astype(dt)
    b = np.asarray(1.0 if beta is None else host(beta.data) if isinstance(beta, Tensor)
                   else beta).astype(dt)
    a = np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape))
    if a.ndim > len(shp) or tuple(shp[len(shp) - a.ndim:]) != a.shape:
        raise ValueError(f"tf.random.stateless_gamma: alpha / beta of shape {a.shape} must "
                         f"match the trailing dimensions of shape {shp}")
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError("tf.random.stateless_gamma: alpha and beta must be positive")
    num = max(a.size, 1)
    per = int(np.prod(shp, dtype=np.int64)) // num if a.size else 0
    draws = _samplers.gamma(s, np.repeat(a.reshape(-1).astype(np.float64), per))
    g = draws.reshape(num, per).T.reshape(shp).astype(dt)
    return Tensor(device_xp().asarray(np.maximum(np.finfo(dt).tiny, g / b).astype(dt)))


def stateless_binomial(shape, seed, counts, probs, output_dtype="int32", name=None):
    """Binomial(counts, probs) samples of ``shape`` (counts, probs broadcast to its trailing
    dimensions): TensorFlow's numbers (its kernel, random_binomial_op.cc: _binomial_tf);
    ``probs`` float32 unless given as float64 (counts take its dtype), as TensorFlow's."""
    dt = _out_dtype("stateless_binomial", output_dtype, ("float16", "float32", "float64",
                                                         "int32", "int64"))
    s, _ = _seed_pair("stateless_binomial", seed)
    return _binomial("stateless_binomial", s, _shape("stateless_binomial", shape), counts,
                     probs, dt)


def _binomial(op, s, shp, counts, probs, dt):
    p = np.asarray(host(probs.data) if isinstance(probs, Tensor) else probs)
    pt = p.dtype if p.dtype.kind == "f" and isinstance(probs, (Tensor, np.ndarray)) \
        else np.dtype(np.float32)
    p = p.astype(pt)
    n = np.asarray(host(counts.data) if isinstance(counts, Tensor) else counts).astype(pt)
    try:
        batch = np.broadcast_shapes(n.shape, p.shape)
    except ValueError:
        raise ValueError(f"tf.random.{op}: counts {n.shape} and probs {p.shape} "
                         f"must broadcast") from None
    if len(batch) > len(shp) or tuple(shp[len(shp) - len(batch):]) != batch:
        raise ValueError(f"tf.random.{op}: counts / probs of shape {batch} must "
                         f"match the trailing dimensions of shape {shp}")
    if np.any(n < 0) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"tf.random.{op}: counts must be >= 0 and probs in [0, 1]")
    num = int(np.prod(batch, dtype=np.int64))
    per = int(np.prod(shp, dtype=np.int64)) // max(num, 1)
    nb = np.repeat(np.broadcast_to(n, batch).reshape(-1), per)
    pb = np.repeat(np.broadcast_to(p, batch).reshape(-1), per)
    draws = _samplers.binomial(s, nb, pb).reshape(num, per).T.reshape(shp)
    return Tensor(device_xp().asarray(draws.astype(dt)))


# ---- index_shuffle / stateless_shuffle (tf.random.experimental) --------------------------------
def _simon_shuffle(index, key, max_index, rounds=4):
    """TensorFlow's random_index_shuffle.cc: the Simon block cipher (a block of 2W bits, W >= 8,
    ``rounds`` round keys from the 3 key words) applied until the value is <= max_index
    (cycle walking), a bijection of [0, max_index]."""
    if max_index == 0:
        return 0
    block = math.ceil(math.log2(max_index)) if max_index > 1 else 0
    block = max(block + block % 2, 16)
    w = min(block, 64) // 2
    m = (1 << w) - 1

    def rotl(x, r):
        return ((x << r) | (x >> (w - r))) & m

    def rotr(x, r):
        return ((x >> r) | (x << (w - r))) & m

    def f(x):
        return (rotl(x, 1) & rotl(x, 8)) ^ rotl(x, 2)
    c, z = 0xFFFFFFFC & m, 0x7369F885192C0EF5 & m
    rk = [k & m for k in key]
    for i in range(3, rounds):
        rk.append(c ^ (z & 1) ^ rk[i - 3] ^ rotr(rk[i - 1], 3) ^ rotr(rk[i - 1], 4))
        z >>= 1
    v = index
    while True:
        left, right = (v >> w) & m, v & m
        for i in range(0, rounds, 2):
            left ^= f(right)
            left ^= rk[i]
            right ^= f(left)
            right ^= rk[i + 1]
        v = (left << w) | right
        if v <= max_index:
            return v


def index_shuffle(index, seed, max_index):
    """The position of ``index`` (a scalar or a vector, max_index broadcast with it) in a
    pseudorandom permutation of [0, max_index] fixed by the seed pair: TensorFlow's numbers
    (its Simon cipher keyed by [498247692, seed[0], seed[1]]). TensorFlow 2.21 documents
    [n, 2] seeds too but its kernel refuses them (it pads the seed along the wrong axis):
    a seed pair only, here as there."""
    op = "experimental.index_shuffle"
    def ints(v):  # Python ints int32, as TensorFlow converts them
        a = np.asarray(host(getattr(v, "data", v)))
        return a.astype(python_dtype(v) or a.dtype) if not isinstance(
            v, (Tensor, np.ndarray, np.generic)) and a.dtype.kind in "iu" else a
    idx, mx, sd = ints(index), ints(max_index), ints(seed)
    if idx.dtype.kind not in "iu" or mx.dtype.kind not in "iu" or sd.dtype.kind not in "iu":
        raise TypeError(f"tf.random.{op}: index, seed and max_index must be integers")
    if sd.shape != (2,):
        raise InvalidArgumentError(f"tf.random.{op}: seed must be a pair (shape [2]), got "
                                   f"shape {sd.shape}")
    if idx.ndim > 1 or mx.ndim > 1:
        raise ValueError(f"tf.random.{op}: index and max_index must be scalars or vectors")
    ii, mm = np.broadcast_arrays(idx.reshape(-1), mx.reshape(-1))
    if np.any(ii < 0) or np.any(mm < 0) or np.any(ii > mm):
        raise InvalidArgumentError(f"tf.random.{op}: index must be in [0, max_index] and "
                                   f"max_index >= 0, got {idx.tolist()} and {mx.tolist()}")
    key = [498247692, int(sd[0]) & 0xFFFFFFFF, int(sd[1]) & 0xFFFFFFFF]
    out = np.array([_simon_shuffle(int(i), key, int(m)) for i, m in zip(ii, mm)],
                   dtype=np.uint64).astype(idx.dtype)
    return Tensor(out if idx.ndim or mx.ndim else out.reshape(()))


def stateless_shuffle(value, seed, alg="auto_select", name=None):
    """``value`` with its first axis permuted: TensorFlow's permutation for the seed (its
    Fisher-Yates swaps, each an unbiased SimplePhilox draw of the seed's stream)."""
    _alg("experimental.stateless_shuffle", alg)
    s, _ = _seed_pair("experimental.stateless_shuffle", seed)
    x = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
    if x.ndim == 0:
        raise ValueError("tf.random.experimental.stateless_shuffle: value must have a first "
                         "axis, got a scalar")
    n = x.shape[0]
    perm = list(range(n))
    rng = _philox.SimplePhilox(s)
    for i in range(n - 1):
        j = i + rng.uniform(n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return Tensor(x.data[device_xp().asarray(np.asarray(perm, np.int64))])
