"""``tensorforge.data.Dataset``: the part of ``tf.data.Dataset`` Keras 2 programs build their
input with, over in-memory arrays.

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(64)
    model.fit(ds, epochs=3)            # fit / evaluate / predict take it
    for xb, yb in ds.take(10): ...     # elements are Tensors (tuples / dicts kept)

A Dataset is a recipe: each iteration runs it again (so ``shuffle`` draws a new order per epoch,
as ``reshuffle_each_iteration=True`` does). Elements are structures (a Tensor, or a tuple / list /
dict of them) mirroring what was sliced. ``prefetch``, ``cache`` and ``with_options`` change
nothing here (the data is already in memory). ``repeat()`` without a count is endless (its
cardinality INFINITE_CARDINALITY): fit then needs ``steps_per_epoch`` and, as tf.keras, keeps one
iterator across the epochs. ``from_generator`` calls its generator anew on each iteration.
window / flat_map / interleave / reduce / scan / shard / ... are in tf_data_ops.py (a mixin),
the element structures in tf_data_struct.py.
"""
import numpy as np

from . import _random, _static_shapes
from .autograd import Tensor
from ._text import as_bytes_array, is_text
from .tf_debugging import InvalidArgumentError
from .tf_ragged import RaggedTensor, constant as ragged_constant

from .tf_data_iter import Iterator, NumpyIterator
from .tf_specs import (RaggedTensorSpec, SparseTensorSpec, TensorSpec, TypeSpec,
                       type_spec_from_value)
from .tf_data_ops import DatasetOps
from .tf_data_struct import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY,  # noqa: F401
                             _as_array, _cards, _dict_like, _leaves, _list_as_tensor,
                             _map_struct, _stack, _user)


class Dataset(DatasetOps):
    """A re-iterable sequence of elements (See module docstring)."""
    _kind = "Dataset"  # the class name TensorFlow's repr shows (See _tag)
    _spec_from = None
    _spec_exact = False  # element_spec holds every element's shape, not only the first's

    def __init__(self, make_iter, cardinality):
        self._make_iter = make_iter
        self._cardinality = cardinality

    # ---- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per index of the first axis of every array in ``tensors`` (an array, or a
        tuple / list / dict of arrays with the same first dimension)."""
        arrays = _map_struct(lambda a: _as_array(a, "Dataset.from_tensor_slices"),
                             _list_as_tensor(tensors))
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
        return _tag(ds, "_TensorSliceDataset", exact=True)

    @staticmethod
    def from_tensors(tensors):
        """A dataset of one element: the given tensors."""
        arrays = _map_struct(lambda a: _as_array(a, "Dataset.from_tensors"), tensors)
        return _tag(Dataset(lambda: iter([arrays]), 1), "_TensorDataset", exact=True)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None):
        """The elements ``generator(*args)`` yields (called anew on each iteration), each
        component cast to its dtype (``output_signature``'s TensorSpecs or ``output_types``)
        and checked against its shape (a None dimension is free)."""
        if not callable(generator):
            raise TypeError("Dataset.from_generator: generator must be a callable returning an "
                            f"iterator, got {type(generator).__name__}")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("Dataset.from_generator: give output_signature or "
                                "output_types / output_shapes, not both")
            specs = output_signature
        elif output_types is not None:
            shapes = output_shapes
            specs = (_map_struct(lambda t: TensorSpec(None, t), output_types) if shapes is None
                     else _zip_struct(output_types, shapes))
        else:
            raise TypeError("Dataset.from_generator: output_signature (or output_types) is "
                            "required")
        args = tuple(args or ())

        def conform(e, spec):
            if isinstance(spec, (RaggedTensorSpec, SparseTensorSpec)):
                return _composite(e, spec)
            a = np.asarray(e.numpy() if isinstance(e, Tensor) else e, dtype=spec.dtype)
            if spec.shape is not None and (a.ndim != len(spec.shape) or any(
                    d is not None and d != n for d, n in zip(spec.shape, a.shape))):
                raise ValueError(f"Dataset.from_generator: the generator yielded an element of "
                                 f"shape {a.shape}, expected {spec.shape}")
            return a

        def it():
            for e in generator(*args):
                if isinstance(specs, TypeSpec):
                    yield conform(e, specs)
                elif isinstance(specs, dict):
                    yield {k: conform(e[k], sp) for k, sp in specs.items()}
                else:
                    if not isinstance(e, (tuple, list)) or len(e) != len(specs):
                        raise ValueError(f"Dataset.from_generator: expected elements of "
                                         f"{len(specs)} components, got {e!r:.80}")
                    yield tuple(conform(c, sp) for c, sp in zip(e, specs))
        ds = Dataset(it, UNKNOWN_CARDINALITY)
        ds._element_spec = specs  # the signature is the element_spec, as TensorFlow's
        return _tag(ds, "_FlatMapDataset", exact=True)

    @staticmethod
    def range(*args):
        """A dataset of a range of integers, as Python's range."""
        r = range(*args)
        return _tag(Dataset(lambda: (np.int64(i) for i in r), len(r)), "_RangeDataset",
                    exact=True)

    @staticmethod
    def zip(datasets):
        """Zips datasets together, element by element."""
        if not isinstance(datasets, tuple):
            raise TypeError("Dataset.zip: expected a tuple of Datasets")
        cs = [d._cardinality for d in datasets]
        known = [c for c in cs if c >= 0]
        card = (UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in cs else  # the shortest one ends it
                min(known) if known else INFINITE_CARDINALITY)
        return _tag(Dataset(lambda: zip(*[d._raw() for d in datasets]), card), "_ZipDataset",
                    datasets, lambda *specs: tuple(specs))

    # ---- transformations ---------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, **kwargs):
        """Combines consecutive elements into batches."""
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"Dataset.batch: batch_size must be >= 1, got {batch_size}")
        n = self._cardinality
        card = _cards(n)
        if card is None:
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
        kind = "_ParallelBatchDataset" if kwargs.get("num_parallel_calls") else "_BatchDataset"
        return _tag(Dataset(it, card), kind, self,
                    lambda spec: _spec_dims(spec, lambda s: (batch_size if drop_remainder
                                                             else None,) + s))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False):
        """Batches of ``batch_size`` elements, each component padded at the end of every axis to
        ``padded_shapes`` (a None dimension, or no padded_shapes: the batch's longest) with
        ``padding_values`` (default 0)."""
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"Dataset.padded_batch: batch_size must be >= 1, got {batch_size}")

        def pad(elems, shape, value):
            dims = np.max([e.shape for e in elems], axis=0) if elems[0].ndim else ()
            if shape is not None:
                shape = tuple(shape)
                if len(shape) != elems[0].ndim:
                    raise ValueError(f"Dataset.padded_batch: padded shape {shape} for "
                                     f"components of rank {elems[0].ndim}")
                for d, m in zip(shape, dims):
                    if d is not None and d >= 0 and d < m:
                        raise ValueError(f"Dataset.padded_batch: a component of length {m} "
                                         f"does not fit the padded shape {shape}")
                dims = [m if d is None or d < 0 else d for d, m in zip(shape, dims)]
            out = np.full((len(elems),) + tuple(int(d) for d in dims),
                          0 if value is None else value, dtype=elems[0].dtype)
            for i, e in enumerate(elems):
                out[(i,) + tuple(slice(0, n) for n in e.shape)] = e
            return out

        def group(elems, shapes, values):
            first = elems[0]
            if isinstance(first, dict):
                return {k: group([e[k] for e in elems], _pick(shapes, k), _pick(values, k))
                        for k in first}
            if isinstance(first, (tuple, list)):
                return type(first)(group([e[i] for e in elems], _pick(shapes, i),
                                         _pick(values, i)) for i in range(len(first)))
            return pad([np.asarray(e) for e in elems], shapes, values)

        def it():
            buf = []
            for e in self._raw():
                buf.append(e)
                if len(buf) == batch_size:
                    yield group(buf, padded_shapes, padding_values)
                    buf = []
            if buf and not drop_remainder:
                yield group(buf, padded_shapes, padding_values)
        n = self._cardinality
        card = _cards(n)
        if card is None:
            card = n // batch_size if drop_remainder else -(-n // batch_size)
        lead = batch_size if drop_remainder else None
        exact = self._spec_exact

        def spec_of(spec, shapes):  # TensorFlow's: the padded shape, else the static one
            if isinstance(spec, dict):
                return {k: spec_of(v, _pick(shapes, k)) for k, v in spec.items()}
            if isinstance(spec, (tuple, list)):
                return type(spec)(spec_of(v, _pick(shapes, i)) for i, v in enumerate(spec))
            if type(spec) is not TensorSpec or spec.shape is None:
                return spec
            dims = (tuple(None if d is None or int(d) < 0 else int(d) for d in shapes)
                    if shapes is not None else tuple(spec.shape) if exact
                    else (None,) * len(spec.shape))
            return TensorSpec((lead,) + dims, spec.dtype, spec.name)
        return _tag(Dataset(it, card), "_PaddedBatchDataset", self,
                    lambda spec: spec_of(spec, padded_shapes))

    def unbatch(self):
        """Splits each element into its slices along the first axis."""
        def it():
            for e in self._raw():
                n = _leaves(e)[0].shape[0]
                for i in range(n):
                    yield _map_struct(lambda a: a[i], e)
        n = _cards(self._cardinality)
        if n is None:
            n = sum(_leaves(e)[0].shape[0] for e in self._raw())
        return _tag(Dataset(it, n), "_UnbatchDataset", self,
                    lambda spec: _spec_dims(spec, lambda s: s[1:]))

    def enumerate(self, start=0):
        """Pairs each element with its index (from start)."""
        def it():
            for i, e in enumerate(self._raw(), int(start)):
                yield np.int64(i), e
        return _tag(Dataset(it, self._cardinality), "_ZipDataset", self,
                    lambda spec: (TensorSpec((), "int64"), spec))

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """TensorFlow's buffered shuffle: fill a buffer of ``buffer_size`` elements, then emit a
        random one and put the next element in its place (a buffer as large as the data is a uniform permutation)."""
        buffer_size = int(buffer_size)
        if buffer_size < 1:
            raise ValueError(f"Dataset.shuffle: buffer_size must be >= 1, got {buffer_size}")
        # reshuffle_each_iteration: a new order every pass (from one seeded stream when a
        # seed is given, so the run is repeatable); False: the same order every pass.
        if reshuffle_each_iteration:
            stream = np.random.default_rng(seed) if seed is not None else None
        else:
            order_seed = seed if seed is not None else int(_random.rng().integers(2 ** 63))

        def it():
            if reshuffle_each_iteration:
                rng = stream if stream is not None else _random.rng()
            else:
                rng = np.random.default_rng(order_seed)
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
        return _tag(Dataset(it, self._cardinality), "_ShuffleDataset", self)

    def take(self, count):
        """Keeps the first count elements (all of them with count -1)."""
        count, n = int(count), self._cardinality
        card = n if count < 0 else count if n == INFINITE_CARDINALITY else \
            UNKNOWN_CARDINALITY if n == UNKNOWN_CARDINALITY else min(count, n)

        def it():
            for i, e in enumerate(self._raw()):
                if 0 <= count <= i:
                    return
                yield e
        return _tag(Dataset(it, card), "_TakeDataset", self)

    def skip(self, count):
        """Skips the first count elements."""
        count = max(int(count), 0)

        def it():
            for i, e in enumerate(self._raw()):
                if i >= count:
                    yield e
        n = self._cardinality
        return _tag(Dataset(it, n if n < 0 else max(n - count, 0)), "_SkipDataset", self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """``map_func`` on each element (Tensors in; a tuple element is spread over its
        arguments, as tf.data does)."""
        def it():
            for e in self._raw():
                yield _map_struct(lambda v: _as_array(v, "Dataset.map"), _called(map_func, e))
        kind = "_MapDataset" if num_parallel_calls is None else "_ParallelMapDataset"
        return _tag(Dataset(it, self._cardinality), kind, self,
                    lambda spec: _map_spec(self, map_func, spec), exact=False)

    def filter(self, predicate):
        """Keeps the elements for which predicate is True."""
        def it():
            for e in self._raw():
                t = _user(e)
                if bool(np.asarray(getattr(predicate(*t) if isinstance(t, tuple) else
                                           predicate(t), "data", None))):
                    yield e
        return _tag(Dataset(it, UNKNOWN_CARDINALITY), "_FilterDataset", self)

    def repeat(self, count=None):
        """``count`` passes over the elements; None or -1: endless (an empty dataset stays
        empty rather than looping for ever)."""
        endless = count is None or int(count) < 0
        count = 0 if endless else int(count)

        def it():
            k = 0
            while endless or k < count:
                seen = False
                for e in self._raw():
                    seen = True
                    yield e
                if not seen:
                    return
                k += 1
        n = self._cardinality
        card = (INFINITE_CARDINALITY if n != 0 else 0) if endless else \
            (n * count if n >= 0 else n if count else 0)
        return _tag(Dataset(it, card), "_RepeatDataset", self)

    def concatenate(self, dataset):
        """The elements of this dataset followed by those of another."""
        def it():
            yield from self._raw()
            yield from dataset._raw()
        card = _cards(self._cardinality, dataset._cardinality)
        return _tag(Dataset(it, self._cardinality + dataset._cardinality if card is None else card),
                    "_ConcatenateDataset", self)

    def prefetch(self, buffer_size=None):
        """Prepares later elements while the current one is consumed."""
        return self._same("_PrefetchDataset")

    def cache(self, filename=""):
        """Caches the elements (in memory, or in a file given by name)."""
        return self._same("CacheDataset")

    def with_options(self, options):
        """This dataset with the given options."""
        ds = self._same("_OptionsDataset")
        ds._options = options  # recorded for options(); nothing here depends on them
        return ds

    def _same(self, kind):
        """This dataset's elements under another of TensorFlow's names (what it keeps: the
        batch fast path's whole arrays, options, a generator's signature)."""
        ds = Dataset(self._make_iter, self._cardinality)
        ds.__dict__.update(self.__dict__)
        return _tag(ds, kind, self)

    # ---- consumption -------------------------------------------------------------------------
    def _raw(self):
        """The elements as NumPy structures."""
        return self._make_iter()

    def __iter__(self):
        def stream():
            return (_user(e) for e in self._raw())
        return Iterator(stream(), lambda: self.element_spec, restart=stream)

    def as_numpy_iterator(self):
        """An iterator over the elements as NumPy values."""
        return NumpyIterator(self._raw())

    def cardinality(self):
        """The number of elements, INFINITE_CARDINALITY or UNKNOWN_CARDINALITY."""
        return Tensor(np.int64(self._cardinality))

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality < 0:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    @property
    def element_spec(self):
        """TypeSpecs of the elements: a from_generator signature, a derived dataset's from its
        parents' (a map's as TensorFlow's trace gives it: Note [map element_spec]), else those of
        the first element."""
        if getattr(self, "_element_spec", None) is not None:
            return self._element_spec
        if self._spec_from is not None:
            parents, fn = self._spec_from
            specs = [p.element_spec for p in parents]
            if all(sp is not None for sp in specs):
                return fn(*specs)
        first = next(iter(self._raw()), None)
        return None if first is None else _map_struct(type_spec_from_value, first)

    def __repr__(self):
        return f"<{self._kind} element_spec={self.element_spec!r}>"


def _tag(ds, kind, parents=None, spec_fn=None, exact=None):
    """``ds`` under the name TensorFlow's repr gives it; its element_spec from its parents'
    through ``spec_fn`` (the parent's spec itself when only a parent is given: shuffle, take,
    ...), so that a batch axis reads None as in TensorFlow, not the first batch's size. ``exact``:
    a source whose first element's spec is every element's (derived datasets: their parents')."""
    ds._kind = kind
    if parents is not None:
        parents = tuple(parents) if isinstance(parents, tuple) else (parents,)
        ds._spec_from = (parents, spec_fn or (lambda spec: spec))
    ds._spec_exact = bool(exact) if exact is not None else parents is not None and all(
        p._spec_exact for p in parents)
    return ds


# Note [map element_spec]: TensorFlow traces a map function once on its input's spec, so an
# output dimension that follows one the input leaves unknown (the batch axis after batch()) is
# unknown, as is one an op makes from the values (tf.strings.split of a scalar, py_function:
# _static_shapes.py). Here the function runs on the first element, under _static_shapes'
# tracing, and once more on that element grown by one along every unknown dimension of the
# input's spec: an output dimension that changes with it is unknown (a rank that changes: an
# unknown rank). Where the grown element fails, the first element's shapes stand.
def _called(fn, e):
    """``fn`` on an element as tf.data calls it (a tuple spread over the arguments); a list it
    returns is a tuple, as TensorFlow's map makes it."""
    t = _user(e)
    out = fn(*t) if isinstance(t, tuple) else fn(t)
    return tuple(out) if isinstance(out, list) else out


def _map_spec(parent, fn, spec):
    first = next(iter(parent._raw()), None)
    if first is None:
        return None
    out = _traced_spec(fn, first)
    grown = _grown(first, spec)
    if grown is None:
        return out
    try:
        other = _traced_spec(fn, grown)
    except Exception:  # noqa: BLE001 -- the program's function on a made-up element
        return out
    return _merged(out, other)


def _traced_spec(fn, e):
    def leaf(v):
        sp = type_spec_from_value(_as_array(v, "Dataset.map"))
        if type(sp) is TensorSpec and isinstance(v, Tensor):
            return TensorSpec(_static_shapes.known(v), sp.dtype)
        return sp
    with _static_shapes.tracing():
        return _map_struct(leaf, _called(fn, e))


def _grown(e, spec):
    """``e`` one longer along each dimension ``spec`` leaves unknown (its first row repeated),
    or None when there is none."""
    grew = []

    def grow(a, sp):
        if isinstance(a, dict):
            return _dict_like(a, ((k, grow(v, sp[k])) for k, v in a.items()))
        if isinstance(a, (tuple, list)):
            return type(a)(grow(v, s) for v, s in zip(a, sp))
        if type(sp) is not TensorSpec or sp.shape is None or type(a) is not np.ndarray:
            return a
        for k, d in enumerate(sp.shape):
            if d is None and k < a.ndim and a.shape[k]:
                a = np.concatenate([a, np.take(a, [0], axis=k)], axis=k)
                grew.append(k)
        return a
    try:
        out = grow(e, spec)
    except (KeyError, TypeError, IndexError):
        return None
    return out if grew else None


def _merged(a, b):
    """Two output specs of the same function, their differing dimensions unknown."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return _dict_like(a, ((k, _merged(v, b[k])) for k, v in a.items()))
    if isinstance(a, (tuple, list)) and type(a) is type(b) and len(a) == len(b):
        return type(a)(_merged(x, y) for x, y in zip(a, b))
    if isinstance(a, (TensorSpec, RaggedTensorSpec)) and type(b) is type(a):
        return a.most_specific_common_supertype([b]) or a
    return a


def _spec_dims(spec, fn):
    """A structure of specs with every TensorSpec's shape (a tuple, or None: unknown rank)
    replaced by fn(shape); other specs kept."""
    def one(sp):
        if type(sp) is not TensorSpec or sp.shape is None:
            return sp
        return TensorSpec(fn(tuple(sp.shape)), sp.dtype, sp.name)
    return _map_struct(one, spec)


def _composite(e, spec):
    """A from_generator element for a RaggedTensorSpec / SparseTensorSpec: the generator's
    RaggedTensor (or nested lists) / SparseTensor, checked against the spec."""
    if isinstance(spec, RaggedTensorSpec) and not isinstance(e, RaggedTensor):
        e = ragged_constant(e, dtype=spec.dtype)
    if not spec.is_compatible_with(e):
        raise InvalidArgumentError(f"Dataset.from_generator: the generator yielded {e!r:.120}, "
                                   f"which is not compatible with {spec!r}")
    return e


def _pick(s, k):
    """Component ``k`` of a padded_shapes / padding_values structure (None: not given)."""
    if isinstance(s, dict):
        return s.get(k)
    if isinstance(s, (tuple, list)):
        return s[k]
    return s  # None, or one padding value for every component


def _zip_struct(types_, shapes):
    """output_types / output_shapes (parallel structures) as TensorSpecs."""
    if isinstance(types_, dict):
        return {k: _zip_struct(v, shapes[k]) for k, v in types_.items()}
    if isinstance(types_, (tuple, list)):
        return tuple(_zip_struct(t, s) for t, s in zip(types_, shapes))
    return TensorSpec(shapes, types_)


def TextLineDataset(filenames, compression_type=None, buffer_size=None,  # noqa: N802
                    num_parallel_reads=None, name=None):
    """``tf.data.TextLineDataset``: one element per line of the files, in order, each a scalar
    string (bytes) without its line ending ("\\n" or "\\r\\n"); an empty last line is not
    an element. Uncompressed files only."""
    if compression_type not in (None, ""):
        raise ValueError(f"TextLineDataset: compression_type {compression_type!r} is not "
                         "supported (uncompressed files only)")
    names = filenames.numpy() if hasattr(filenames, "numpy") else filenames
    names = [names] if isinstance(names, (str, bytes)) else list(np.ravel(np.asarray(names,
                                                                                   dtype=object)))
    paths = [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names]

    def lines():
        for p in paths:
            with open(p, "rb") as f:
                for line in f:
                    if line.endswith(b"\n"):
                        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                    yield line
    return _tag(Dataset(lines, UNKNOWN_CARDINALITY), "TextLineDatasetV2", exact=True)

