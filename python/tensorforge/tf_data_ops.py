"""The rest of ``tf.data.Dataset``'s methods Keras 2 / TensorFlow 2 input pipelines chain:
``window`` + ``flat_map`` (the time-series windows of the TF tutorials), ``interleave``,
``apply``, ``reduce``, ``scan``, ``shard``, ``take_while``, ``unique``,
``get_single_element``, and the sources ``counter``, ``random``, ``list_files``,
``sample_from_datasets``, ``choose_from_datasets``; plus ``tf.data.Options``.

A mixin of tf_data.Dataset (it builds new Datasets with ``type(self)`` / ``cls``, so this
module does not import tf_data.py). Elements are NumPy structures inside, Tensors (or nested
Datasets, for ``window``) in user functions, as elsewhere in tf_data.py. Deterministic orders
equal TensorFlow's; the random ones (``random``, ``sample_from_datasets``, ``list_files`` with
shuffle) draw from NumPy, so their values differ from TensorFlow's for the same seed.
"""
import glob
import os
import types

import numpy as np

from . import _random
from .tf_data_struct import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, _as_array, _leaves,
                             _map_struct, _user)

__all__ = ["DatasetOps", "Options", "AutoShardPolicy"]


_END = object()


def _call(fn, e):
    t = _user(e)
    return fn(*t) if isinstance(t, tuple) else fn(t)


def _flag(v, where):
    a = np.asarray(getattr(v, "data", v))
    if a.size != 1:
        raise ValueError(f"Dataset.{where}: the predicate must give one boolean, got shape {a.shape}")
    return bool(a.reshape(()))


def _dataset_of(v, where):
    if not hasattr(v, "_make_iter"):
        raise TypeError(f"Dataset.{where}: the function must return a Dataset, got "
                        f"{type(v).__name__}")
    return v


def _named(ds, kind):
    ds._kind = kind  # the class name TensorFlow's repr shows (tf_data._tag)
    return ds


class DatasetOps:
    """See the module docstring; every method returns a new Dataset."""

    def apply(self, transformation_func):
        """Applies a transformation function (dataset -> dataset) to this dataset."""
        return transformation_func(self)

    def flat_map(self, map_func):
        """The elements of the Dataset ``map_func`` makes of each element, in order."""
        def it():
            for e in self._raw():
                yield from _dataset_of(_call(map_func, e), "flat_map")._raw()
        return _named(type(self)(it, UNKNOWN_CARDINALITY), "_FlatMapDataset")

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None):
        """Round robin over ``cycle_length`` open inner Datasets, ``block_length`` elements
        from each in turn (TensorFlow's order); cycle_length None / AUTOTUNE: the CPU count."""
        cycle = int(cycle_length) if cycle_length not in (None, -1) else (os.cpu_count() or 1)
        block = 1 if block_length is None else int(block_length)
        if cycle < 1 or block < 1:
            raise ValueError(f"Dataset.interleave: cycle_length {cycle} and block_length {block} "
                             "must be >= 1")

        def it():
            outer = iter(self._raw())
            slots = []
            exhausted = False
            while True:
                while not exhausted and len(slots) < cycle:
                    e = next(outer, None)
                    if e is None:
                        exhausted = True
                        break
                    slots.append(iter(_dataset_of(_call(map_func, e), "interleave")._raw()))
                if not slots:
                    return
                i = 0
                while i < len(slots):
                    done = False
                    for _ in range(block):
                        v = next(slots[i], None)
                        if v is None:
                            done = True
                            break
                        yield v
                    if done:  # the next input element takes this slot, read from next round
                        e = None if exhausted else next(outer, None)
                        if e is None:
                            exhausted = True
                            slots.pop(i)
                            continue
                        slots[i] = iter(_dataset_of(_call(map_func, e), "interleave")._raw())
                    i += 1
        return _named(type(self)(it, UNKNOWN_CARDINALITY), "_InterleaveDataset"
                      if num_parallel_calls is None else "_ParallelInterleaveDataset")

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Elements are Datasets of ``size`` consecutive elements (every ``stride``-th), one
        window starting every ``shift`` (default ``size``); a tuple / dict element gives a
        tuple / dict of Datasets, as TensorFlow's."""
        size, stride = int(size), int(stride)
        shift = size if shift is None else int(shift)
        if size < 1 or shift < 1 or stride < 1:
            raise ValueError(f"Dataset.window: size {size}, shift {shift} and stride {stride} "
                             "must be >= 1")
        make = type(self)
        span = (size - 1) * stride + 1

        def split(elems):
            first = elems[0]
            if isinstance(first, dict):
                return {k: split([e[k] for e in elems]) for k in first}
            if isinstance(first, (tuple, list)):
                return type(first)(split([e[i] for e in elems]) for i in range(len(first)))
            return make(lambda elems=elems: iter(elems), len(elems))

        def it():
            src, buf, base, start, ended = iter(self._raw()), [], 0, 0, False
            while True:
                while not ended and len(buf) < start + span - base:
                    e = next(src, _END)
                    if e is _END:
                        ended = True
                    else:
                        buf.append(e)
                win = buf[start - base:start - base + span:stride]
                if not win or (drop_remainder and len(win) < size):
                    return
                yield split(win)
                start += shift
                drop = min(start - base, len(buf))
                buf, base = buf[drop:], base + drop
        return _named(make(it, UNKNOWN_CARDINALITY), "_WindowDataset")

    def reduce(self, initial_state, reduce_func, name=None):
        """Reduces the elements to one value with reduce_func, from initial_state."""
        state = _user(_map_struct(lambda v: _as_array(v, "Dataset.reduce"), initial_state))
        for e in self._raw():
            t = _user(e)
            state = reduce_func(state, *t) if isinstance(t, tuple) else reduce_func(state, t)
        return state

    def scan(self, initial_state, scan_func, name=None):
        """``scan_func(state, element) -> (new_state, output)``; the outputs."""
        def it():
            state = _user(_map_struct(lambda v: _as_array(v, "Dataset.scan"), initial_state))
            for e in self._raw():
                t = _user(e)
                state, out = scan_func(state, *t) if isinstance(t, tuple) else scan_func(state, t)
                yield _map_struct(lambda v: _as_array(v, "Dataset.scan"), out)
        return _named(type(self)(it, self._cardinality), "_ScanDataset")

    def shard(self, num_shards, index, name=None):
        """Keeps one of every num_shards elements, from index."""
        n, i = int(num_shards), int(index)
        if n < 1 or not 0 <= i < n:
            raise ValueError(f"Dataset.shard: index {i} must be in [0, num_shards={n})")

        def it():
            for k, e in enumerate(self._raw()):
                if k % n == i:
                    yield e
        c = self._cardinality
        return _named(type(self)(it, c if c < 0 else max(0, -(-(c - i) // n))), "_ShardDataset")

    def take_while(self, predicate, name=None):
        """Keeps the elements while predicate is True."""
        def it():
            for e in self._raw():
                if not _flag(_call(predicate, e), "take_while"):
                    return
                yield e
        return _named(type(self)(it, UNKNOWN_CARDINALITY), "_TakeWhileDataset")

    def unique(self, name=None):
        """Each distinct scalar element once, in first-seen order (scalars only, as
        TensorFlow)."""
        def it():
            seen = set()
            for e in self._raw():
                a = np.asarray(e)
                if a.ndim != 0 or isinstance(e, (tuple, dict, list)):
                    raise TypeError("Dataset.unique: elements must be scalars")
                key = a.item()
                if key not in seen:
                    seen.add(key)
                    yield e
        return _named(type(self)(it, UNKNOWN_CARDINALITY), "_UniqueDataset")

    def get_single_element(self, name=None):
        """The only element of a one-element dataset."""
        it = iter(self._raw())
        first = next(it, None)
        if first is None:
            raise ValueError("Dataset.get_single_element: the dataset is empty")
        if next(it, None) is not None:
            raise ValueError("Dataset.get_single_element: the dataset has more than one element")
        return _user(first)

    def options(self):
        """The options of this dataset."""
        return getattr(self, "_options", None) or Options()

    # ---- sources ---------------------------------------------------------------------------
    @classmethod
    def counter(cls, start=0, step=1, dtype=np.int64, name=None):
        """Counts up from start by step, without end."""
        dt = np.dtype(getattr(dtype, "name", dtype))

        def it():
            v = start
            while True:
                yield np.asarray(v, dtype=dt)
                v += step
        return cls(it, INFINITE_CARDINALITY)

    @classmethod
    def random(cls, seed=None, rerandomize_each_iteration=None, name=None):
        """Endless int64 draws (NumPy's stream: not TensorFlow's values)."""
        def it():
            rng = np.random.default_rng(seed) if seed is not None else _random.rng()
            while True:
                yield np.int64(rng.integers(0, 2 ** 63 - 1))
        return cls(it, INFINITE_CARDINALITY)

    @classmethod
    def list_files(cls, file_pattern, shuffle=None, seed=None, name=None):
        """The files matching the glob pattern(s), as strings; shuffled (default) on each
        iteration, else sorted. No match is an error, as TensorFlow's."""
        pats = file_pattern.numpy() if hasattr(file_pattern, "numpy") else file_pattern
        pats = [pats] if isinstance(pats, (str, bytes)) else list(np.ravel(np.asarray(pats, object)))
        pats = [p.decode() if isinstance(p, bytes) else str(p) for p in pats]
        files = sorted({f for p in pats for f in glob.glob(p)})
        if not files:
            raise ValueError(f"Dataset.list_files: no files match {pats}")
        arr = np.array([f.encode() for f in files], dtype=object)
        do_shuffle = True if shuffle is None else bool(shuffle)
        stream = np.random.default_rng(seed) if seed is not None else None

        def it():
            order = np.arange(len(arr))
            if do_shuffle:
                (stream or _random.rng()).shuffle(order)
            return (arr[i] for i in order)
        return cls(it, len(files))

    @classmethod
    def sample_from_datasets(cls, datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Samples elements at random from several datasets, by weights."""
        ds = list(datasets)
        w = np.full(len(ds), 1.0 / len(ds)) if weights is None else \
            np.asarray(getattr(weights, "data", weights), dtype=np.float64)
        if w.shape != (len(ds),) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"Dataset.sample_from_datasets: weights {w.tolist()} must be "
                             f"{len(ds)} non-negative numbers, not all zero")
        stream = np.random.default_rng(seed) if seed is not None else None

        def it():
            rng = stream or _random.rng()
            its = [iter(d._raw()) for d in ds]
            live = w.copy()
            while live.sum() > 0:
                k = int(rng.choice(len(its), p=live / live.sum()))
                v = next(its[k], None)
                if v is None:
                    if stop_on_empty_dataset:
                        return
                    live[k] = 0
                    continue
                yield v
        return cls(it, UNKNOWN_CARDINALITY)

    @classmethod
    def choose_from_datasets(cls, datasets, choice_dataset, stop_on_empty_dataset=True):
        """A dataset of elements chosen from datasets by a dataset of indices."""
        ds = list(datasets)

        def it():
            its = [iter(d._raw()) for d in ds]
            for c in choice_dataset._raw():
                k = int(np.asarray(c))
                if not 0 <= k < len(its):
                    raise ValueError(f"Dataset.choose_from_datasets: choice {k} is not in "
                                     f"[0, {len(its)})")
                v = next(its[k], None)
                if v is None:
                    if stop_on_empty_dataset:
                        return
                    continue
                yield v
        return cls(it, UNKNOWN_CARDINALITY)


def unbatch():
    """``tf.data.experimental.unbatch()`` (TF 2.0's spelling, Hands-On ML 2 ch. 13's
    ``dataset.apply(tf.data.experimental.unbatch())``): the transformation Dataset.unbatch is."""
    return lambda dataset: dataset.unbatch()


class AutoShardPolicy:
    """``tf.data.experimental.AutoShardPolicy``'s values (single-process input: recorded)."""
    OFF, AUTO, FILE, DATA, HINT = -1, 0, 1, 2, 3


class Options:
    """``tf.data.Options()``: its option groups accept any setting (the pipeline runs in
    order on the calling thread, so none changes what it yields)."""

    def __init__(self):
        for group in ("experimental_distribute", "experimental_optimization", "threading",
                      "autotune"):
            setattr(self, group, types.SimpleNamespace())
        self.experimental_deterministic = None
        self.deterministic = None
