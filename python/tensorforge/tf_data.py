"""``tensorforge.data.Dataset``: the part of ``tf.data.Dataset`` Keras 2 programs build their
input with, over in-memory arrays.

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(64)
    model.fit(ds, epochs=3)            # fit / evaluate / predict take it
    for xb, yb in ds.take(10): ...     # elements are Tensors (tuples / dicts kept)

A Dataset is a recipe: each iteration runs it again (so ``shuffle`` draws a new order per epoch,
as ``reshuffle_each_iteration=True`` does). Elements are structures (a Tensor, or a tuple / list /
dict of them) mirroring what was sliced. ``prefetch``, ``cache`` and ``with_options`` change
nothing here (the data is already in memory).
"""
import numpy as np

from . import _random
from .autograd import Tensor

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def _map_struct(fn, s):
    if isinstance(s, dict):
        return {k: _map_struct(fn, v) for k, v in s.items()}
    if isinstance(s, (tuple, list)):
        return type(s)(_map_struct(fn, v) for v in s)
    return fn(s)


def _leaves(s):
    if isinstance(s, dict):
        return [t for v in s.values() for t in _leaves(v)]
    if isinstance(s, (tuple, list)):
        return [t for v in s for t in _leaves(v)]
    return [s]


def _as_array(a, where):
    if isinstance(a, Tensor):
        a = a.numpy()
    a = np.asarray(a)
    if a.dtype == np.float64:  # Keras' fit casts float data to floatx: once, here
        a = a.astype(np.float32)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{where}: expected numeric arrays, got dtype {a.dtype}")
    return a


class Dataset:
    """A finite, re-iterable sequence of elements (See module docstring)."""

    def __init__(self, make_iter, cardinality):
        self._make_iter = make_iter
        self._cardinality = cardinality

    # ---- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per index of the first axis of every array in ``tensors`` (an array, or a
        tuple / list / dict of arrays with the same first dimension)."""
        arrays = _map_struct(lambda a: _as_array(a, "Dataset.from_tensor_slices"), tensors)
        leaves = _leaves(arrays)
        if not leaves or any(a.ndim == 0 for a in leaves):
            raise ValueError("Dataset.from_tensor_slices: every component must have a first "
                             f"axis to slice, got shapes {[a.shape for a in leaves]}")
        n = leaves[0].shape[0]
        if any(a.shape[0] != n for a in leaves):
            raise ValueError("Dataset.from_tensor_slices: all components must have the same "
                             f"first dimension, got shapes {[a.shape for a in leaves]}")
        ds = Dataset(lambda: (_map_struct(lambda a: a[i], arrays) for i in range(n)), n)
        ds._arrays = arrays  # whole arrays: batch() slices them instead of stacking elements
        return ds

    @staticmethod
    def from_tensors(tensors):
        arrays = _map_struct(lambda a: _as_array(a, "Dataset.from_tensors"), tensors)
        return Dataset(lambda: iter([arrays]), 1)

    @staticmethod
    def range(*args):
        r = range(*args)
        return Dataset(lambda: (np.int64(i) for i in r), len(r))

    @staticmethod
    def zip(datasets):
        if not isinstance(datasets, tuple):
            raise TypeError("Dataset.zip: expected a tuple of Datasets")
        card = min(d._cardinality for d in datasets)
        return Dataset(lambda: zip(*[d._raw() for d in datasets]), card)

    # ---- transformations ---------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, **kwargs):
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"Dataset.batch: batch_size must be >= 1, got {batch_size}")
        n = self._cardinality
        card = n // batch_size if drop_remainder else -(-n // batch_size)
        arrays = getattr(self, "_arrays", None)
        if arrays is not None:
            def it():
                for s in range(0, card * batch_size, batch_size):
                    yield _map_struct(lambda a: a[s:s + batch_size], arrays)
        else:
            def it():
                buf = []
                for e in self._raw():
                    buf.append(e)
                    if len(buf) == batch_size:
                        yield _stack(buf)
                        buf = []
                if buf and not drop_remainder:
                    yield _stack(buf)
        return Dataset(it, card)

    def unbatch(self):
        def it():
            for e in self._raw():
                n = _leaves(e)[0].shape[0]
                for i in range(n):
                    yield _map_struct(lambda a: a[i], e)
        n = sum(_leaves(e)[0].shape[0] for e in self._raw())
        return Dataset(it, n)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """TensorFlow's buffered shuffle: fill a buffer of ``buffer_size`` elements, then emit a
        random one and put the next element in its place (a buffer as large as the data is a uniform permutation)."""
        buffer_size = int(buffer_size)
        if buffer_size < 1:
            raise ValueError(f"Dataset.shuffle: buffer_size must be >= 1, got {buffer_size}")
        fixed = np.random.default_rng(seed) if seed is not None and \
            not reshuffle_each_iteration else None

        def it():
            rng = fixed if fixed is not None else (
                np.random.default_rng(seed) if seed is not None else _random.rng())
            buf = []
            for e in self._raw():
                if len(buf) < buffer_size:
                    buf.append(e)
                    continue
                j = int(rng.integers(buffer_size))
                out, buf[j] = buf[j], e
                yield out
            while buf:
                j = int(rng.integers(len(buf)))
                buf[j], buf[-1] = buf[-1], buf[j]
                yield buf.pop()
        return Dataset(it, self._cardinality)

    def take(self, count):
        count = int(count)
        card = self._cardinality if count < 0 else min(count, self._cardinality)

        def it():
            for i, e in enumerate(self._raw()):
                if i >= card:
                    return
                yield e
        return Dataset(it, card)

    def skip(self, count):
        count = max(int(count), 0)

        def it():
            for i, e in enumerate(self._raw()):
                if i >= count:
                    yield e
        return Dataset(it, max(self._cardinality - count, 0))

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """``map_func`` on each element (Tensors in; a tuple element is spread over its
        arguments, as tf.data does)."""
        def it():
            for e in self._raw():
                t = _map_struct(Tensor, e)
                out = map_func(*t) if isinstance(t, tuple) else map_func(t)
                yield _map_struct(lambda v: _as_array(v, "Dataset.map"), out)
        return Dataset(it, self._cardinality)

    def filter(self, predicate):
        def it():
            for e in self._raw():
                t = _map_struct(Tensor, e)
                if bool(np.asarray(getattr(predicate(*t) if isinstance(t, tuple) else
                                           predicate(t), "data", None))):
                    yield e
        return Dataset(it, UNKNOWN_CARDINALITY)

    def repeat(self, count=None):
        if count is None or int(count) < 0:
            raise ValueError("Dataset.repeat: an endless repeat is not supported; give a count "
                             "(fit() iterates the dataset anew each epoch)")
        count = int(count)

        def it():
            for _ in range(count):
                yield from self._raw()
        return Dataset(it, self._cardinality * count)

    def concatenate(self, dataset):
        def it():
            yield from self._raw()
            yield from dataset._raw()
        return Dataset(it, self._cardinality + dataset._cardinality)

    def prefetch(self, buffer_size=None):
        return self

    def cache(self, filename=""):
        return self

    def with_options(self, options):
        return self

    # ---- consumption -------------------------------------------------------------------------
    def _raw(self):
        """The elements as NumPy structures."""
        return self._make_iter()

    def __iter__(self):
        return (_map_struct(Tensor, e) for e in self._raw())

    def as_numpy_iterator(self):
        return iter(self._raw())

    def cardinality(self):
        return Tensor(np.int64(self._cardinality))

    def __len__(self):
        if self._cardinality < 0:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    @property
    def element_spec(self):
        first = next(iter(self._raw()), None)
        return None if first is None else _map_struct(lambda a: (a.shape, a.dtype.name), first)

    def __repr__(self):
        return f"<Dataset cardinality={self._cardinality}>"


def _stack(elems):
    first = elems[0]
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elems]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([e[i] for e in elems]) for i in range(len(first)))
    return np.stack([np.asarray(e) for e in elems])


def is_dataset(x):
    return isinstance(x, Dataset)


class _Experimental:
    AUTOTUNE = AUTOTUNE


experimental = _Experimental()
