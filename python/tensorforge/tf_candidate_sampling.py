"""TensorFlow 2's candidate samplers (``tf.random.log_uniform_candidate_sampler``,
``uniform_candidate_sampler``, ``fixed_unigram_candidate_sampler``, ``all_candidate_sampler``)
and ``tf.nn.compute_accidental_hits``, for the sampled losses of tf_nn_extra.py.

Each sampler returns (sampled_candidates int64 (num_sampled,), true_expected_count float32
(batch, num_true), sampled_expected_count float32 (num_sampled,)) as TensorFlow's. The draws
come from NumPy's generator (seeded by tf.random.set_seed / ``seed``), so the candidates differ
from TensorFlow's; the distributions and the expected counts are TensorFlow's: p * num_sampled,
or with ``unique`` -expm1(num_tries * log1p(-p)), num_tries the draws it took to find
num_sampled distinct classes (TensorFlow's RangeSampler).
"""
import numpy as np

from ._xp import host
from .autograd import Tensor

__all__ = ["log_uniform_candidate_sampler", "uniform_candidate_sampler",
           "fixed_unigram_candidate_sampler", "all_candidate_sampler", "compute_accidental_hits"]


def _ints(op, name, x):
    a = np.asarray(host(getattr(x, "data", x)))
    if a.dtype.kind not in "iu":
        raise TypeError(f"tf.random.{op}: {name} must be integers, got {a.dtype}")
    return a.astype(np.int64)


def _true_classes(op, true_classes, num_true):
    tc = _ints(op, "true_classes", true_classes)
    if tc.ndim != 2 or tc.shape[1] != int(num_true):
        raise ValueError(f"tf.random.{op}: true_classes must be (batch, num_true={num_true}), "
                         f"got {tc.shape}")
    return tc


def _expected(p, num_sampled, tries, unique):
    if not unique or tries == num_sampled:
        return p * num_sampled
    return -np.expm1(tries * np.log1p(-p))


def _sample(op, probs, true_classes, num_true, num_sampled, unique, seed):
    """Draws from the class probabilities ``probs`` (range_max,)."""
    from .backend_ops.variables import _gen
    tc = _true_classes(op, true_classes, num_true)
    n, rmax = int(num_sampled), probs.size
    if unique and n > np.count_nonzero(probs):
        raise ValueError(f"tf.random.{op}: num_sampled {n} > the {np.count_nonzero(probs)} "
                         f"classes that can be drawn, with unique=True")
    if tc.size and (tc.min() < 0 or tc.max() >= rmax):
        raise ValueError(f"tf.random.{op}: true_classes must lie in [0, range_max={rmax})")
    rng = _gen(op, seed)
    if unique:
        out, seen, tries = [], set(), 0
        while len(out) < n:
            for v in rng.choice(rmax, size=max(n - len(out), 1), p=probs):
                tries += 1
                if v not in seen:
                    seen.add(int(v))
                    out.append(int(v))
                    if len(out) == n:
                        break
        sampled = np.asarray(out, np.int64)
    else:
        sampled, tries = rng.choice(rmax, size=n, p=probs).astype(np.int64), n
    return (Tensor(sampled), Tensor(_expected(probs[tc], n, tries, unique).astype(np.float32)),
            Tensor(_expected(probs[sampled], n, tries, unique).astype(np.float32)))


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """The Zipfian P(k) = log((k + 2) / (k + 1)) / log(range_max + 1)."""
    k = np.arange(int(range_max), dtype=np.float64)
    p = (np.log(k + 2.0) - np.log(k + 1.0)) / np.log(int(range_max) + 1.0)
    return _sample("log_uniform_candidate_sampler", p / p.sum(), true_classes, num_true,
                   num_sampled, unique, seed)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name=None):
    p = np.full(int(range_max), 1.0 / int(range_max))
    return _sample("uniform_candidate_sampler", p, true_classes, num_true, num_sampled, unique,
                   seed)


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None, name=None):
    """P(k) proportional to unigrams[k] ** distortion (ids below num_reserved_ids never drawn);
    ``unigrams`` given as a list (a vocab_file is not read)."""
    op = "fixed_unigram_candidate_sampler"
    if vocab_file:
        raise NotImplementedError(f"tf.random.{op}: vocab_file is not supported; pass unigrams")
    if int(num_shards) != 1:
        raise NotImplementedError(f"tf.random.{op}: num_shards > 1 is not supported")
    w = np.asarray(unigrams, np.float64).reshape(-1) ** float(distortion)
    w = np.concatenate([np.zeros(int(num_reserved_ids)), w])
    if w.size != int(range_max) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"tf.random.{op}: num_reserved_ids + len(unigrams) = {w.size} must "
                         f"equal range_max = {range_max}, with non-negative counts")
    return _sample(op, w / w.sum(), true_classes, num_true, num_sampled, unique, seed)


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """All classes 0 .. num_sampled - 1, each with expected count 1."""
    tc = _true_classes("all_candidate_sampler", true_classes, num_true)
    n = int(num_sampled)
    if tc.size and (tc.min() < 0 or tc.max() >= n):
        raise ValueError(f"tf.random.all_candidate_sampler: true_classes must lie in "
                         f"[0, num_sampled={n}), got {tc.min()}..{tc.max()}")
    return (Tensor(np.arange(n, dtype=np.int64)), Tensor(np.ones(tc.shape, np.float32)),
            Tensor(np.ones(n, np.float32)))


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """(row indices int32, sampled positions int64, weights -FLT_MAX float32) of the sampled
    candidates that equal one of the row's true classes, in row-major order of the true
    classes (TensorFlow's)."""
    tc = _true_classes("compute_accidental_hits", true_classes, num_true)
    s = _ints("compute_accidental_hits", "sampled_candidates", sampled_candidates).reshape(-1)
    where = {}
    for j, v in enumerate(s.tolist()):
        where.setdefault(v, j)
    rows, ids = [], []
    for i in range(tc.shape[0]):
        for v in tc[i].tolist():
            if v in where:
                rows.append(i)
                ids.append(where[v])
    return (Tensor(np.asarray(rows, np.int32)), Tensor(np.asarray(ids, np.int64)),
            Tensor(np.full(len(rows), np.finfo(np.float32).min, np.float32)))
