"""``tf.lookup``: TensorFlow 2's key -> value tables, as Keras 2 programs build vocabularies
with them (in a ``tf.data`` ``.map``, a Lambda layer or a custom layer's ``call``).

- initializers: ``KeyValueTensorInitializer(keys, values)`` and ``TextFileInitializer``
  (columns of a delimited file, ``TextFileIndex.WHOLE_LINE`` / ``LINE_NUMBER``);
- ``StaticHashTable(initializer, default_value)``: read-only, keys missing -> default_value;
- ``StaticVocabularyTable(initializer, num_oov_buckets)``: int64 ids; a key outside the
  vocabulary gets ``vocab_size + Fingerprint64(key) % num_oov_buckets``, TensorFlow's
  ``to_hash_bucket_fast`` (an integer key is hashed as its decimal string, as TensorFlow's
  ``AsString``), so the ids are TensorFlow's;
- ``experimental.MutableHashTable`` (also ``tf.lookup.experimental.MutableHashTable``) and
  ``experimental.DenseHashTable``: ``insert`` / ``remove`` (``erase``) / ``lookup`` /
  ``export`` / ``size``; values may be vectors (``default_value`` gives their shape).

Keys are strings (bytes), int32 or int64 (the vocabulary table: int64 or strings). A lookup
takes a Tensor, a SparseTensor or a RaggedTensor (mapping its values) or a Python value
(converted to the key dtype); a Tensor of another dtype is a TypeError naming the table, the
argument and both dtypes, as TensorFlow's. Results are Tensors without a gradient path (TF's
lookups have none). Duplicate keys with different values are a FailedPreconditionError, a
missing file NotFoundError, as TensorFlow's. ``export`` returns the pairs in insertion order
(TensorFlow's order is its hash table's; DenseHashTable exports its buckets, here only the
occupied ones).
"""
import os
import types

import numpy as np

from . import _hash
from ._text import as_bytes_array, is_text
from .autograd import Tensor
from .tf_debugging import FailedPreconditionError, InvalidArgumentError, NotFoundError
from .tf_dtypes import as_dtype, python_dtype
from .tf_example import SparseTensor
from .tf_ragged import RaggedTensor

__all__ = ["KeyValueTensorInitializer", "TextFileInitializer", "TextFileIndex",
           "StaticHashTable", "StaticVocabularyTable", "MutableHashTable", "DenseHashTable",
           "experimental"]

_STRING = np.dtype(object)
_KEY_DTYPES = (_STRING, np.dtype("int32"), np.dtype("int64"))


def _name(dt):
    return "string" if dt == _STRING else dt.name


def _array(x, dtype=None):
    """``x`` as a host array: text as object bytes, Python numbers with TensorFlow's dtypes."""
    if isinstance(x, Tensor):
        a = x.numpy()
    else:
        a = np.asarray(x)
        if is_text(a):
            a = as_bytes_array(a)
        elif dtype is None:
            d = python_dtype(x)
            a = a.astype(d if d is not None else np.float32 if a.dtype == np.float64
                         and not isinstance(x, np.ndarray) else a.dtype)
    if dtype is not None and a.dtype != dtype:
        a = _convert(a, dtype, "value")
    return a


def _convert(a, dtype, what):
    """Python values to ``dtype`` as TensorFlow's convert_to_tensor: no strings <-> numbers,
    no floats -> integers."""
    if (dtype == _STRING) != (a.dtype == _STRING) or (
            dtype.kind in "iu" and a.dtype.kind == "f"):
        raise TypeError(f"Cannot convert {a.tolist()!r} to EagerTensor of dtype {_name(dtype)} "
                        f"(the {what})")
    return a if dtype == _STRING else a.astype(dtype)


class KeyValueTensorInitializer:
    """``keys`` and ``values`` (1-D, the same length: checked when a table is built)."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = _array(keys, None if key_dtype is None else as_dtype(key_dtype))
        self._values = _array(values, None if value_dtype is None else as_dtype(value_dtype))
        self.key_dtype, self.value_dtype = self._keys.dtype, self._values.dtype
        self._name = name or "key_value_init"

    def _pairs(self, table):
        k, v = self._keys.reshape(-1), self._values.reshape(-1)
        if len(k) != len(v):
            raise InvalidArgumentError(f"{table}: Expected shape [{len(k)}] for value, got "
                                       f"[{len(v)}] (KeyValueTensorInitializer keys "
                                       f"{self._keys.shape}, values {self._values.shape})")
        return k, v


class TextFileIndex:
    """Special column indices of TextFileInitializer: the whole line, or its number."""
    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer:
    """Keys and values from the columns ``key_index`` / ``value_index`` of the lines of
    ``filename`` split at ``delimiter`` (TextFileIndex.WHOLE_LINE: the line, LINE_NUMBER: its
    0-based number + value_index_offset); ``vocab_size`` reads that many lines and checks
    there are at least that many. The file is read when a table is built."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0):
        self.key_dtype, self.value_dtype = as_dtype(key_dtype), as_dtype(value_dtype)
        for arg, index, dt in (("key", key_index, self.key_dtype),
                               ("value", value_index, self.value_dtype)):
            if index < -2:
                raise ValueError(f"TextFileInitializer: invalid `{arg}_index` {index}")
            if index == TextFileIndex.LINE_NUMBER and dt != np.int64:
                raise ValueError(f"`{arg}_dtype` must be int64 if `{arg}_index` is -1, "
                                 f"received: {_name(dt)} (TextFileInitializer)")
            if index == TextFileIndex.WHOLE_LINE and dt.kind not in "iuO":
                raise ValueError(f"TextFileInitializer: `{arg}_dtype` must be string or "
                                 f"integer for `{arg}_index` -2, received: {_name(dt)}")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"TextFileInitializer: vocab_size must be > 0, got {vocab_size}")
        self._filename = os.fspath(filename.numpy() if isinstance(filename, Tensor)
                                   else filename)
        if isinstance(self._filename, bytes):
            self._filename = self._filename.decode()
        self.key_index, self.value_index = int(key_index), int(value_index)
        self.vocab_size, self.delimiter = vocab_size, delimiter
        self.value_index_offset = int(value_index_offset)
        self._name = name or f"text_file_init_{key_index}_{value_index}"

    def _pairs(self, table):
        try:
            with open(self._filename, "rb") as f:
                lines = f.read().split(b"\n")
        except OSError as e:
            raise NotFoundError(f"{table}: TextFileInitializer: {self._filename}; "
                                f"{e.strerror}") from None
        if lines and lines[-1] == b"":
            lines.pop()
        lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
        if self.vocab_size is not None:
            if len(lines) < self.vocab_size:
                raise InvalidArgumentError(
                    f"{table}: Invalid vocab_size in {self._filename}: expected "
                    f"{self.vocab_size} but got {len(lines)}")
            lines = lines[:self.vocab_size]
        delim = self.delimiter.encode() if isinstance(self.delimiter, str) else self.delimiter

        def column(index, dt, offset):
            out = []
            for i, ln in enumerate(lines):
                if index == TextFileIndex.LINE_NUMBER:
                    out.append(i + offset)
                    continue
                if index == TextFileIndex.WHOLE_LINE:
                    field = ln
                else:
                    parts = ln.split(delim)
                    if index >= len(parts):
                        raise InvalidArgumentError(
                            f"{table}: Invalid number of columns in {self._filename} line "
                            f"{i} ({ln.decode(errors='replace')}) : expected at least "
                            f"{index + 1} got {len(parts)}")
                    field = parts[index]
                if dt == _STRING:
                    out.append(field)
                    continue
                try:
                    out.append(int(field) if dt.kind in "iu" else float(field))
                except ValueError:
                    raise InvalidArgumentError(
                        f"{table}: Field {field.decode(errors='replace')} in line {i} of "
                        f"{self._filename} is not a valid {_name(dt)}") from None
            a = np.empty(len(out), dtype=object)
            a[:] = out
            return a if dt == _STRING else a.astype(dt)
        return (column(self.key_index, self.key_dtype, 0),
                column(self.value_index, self.value_dtype, self.value_index_offset))


def _key(v):
    return bytes(v) if isinstance(v, (bytes, np.bytes_)) else int(v)


class _Table:
    """The dict and the key / value checks the tables share."""
    _kind = "table"

    def __init__(self, key_dtype, value_dtype, name):
        self._key_dtype, self._value_dtype = key_dtype, value_dtype
        self._name = name
        self._dict = {}

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype

    @property
    def name(self):
        return self._name

    def _where(self, op):
        return f"{self._kind}.{op}"

    def _keys(self, op, keys, dtype=None):
        """(flat key array, shape, rebuild) of ``keys``: rebuild(out) puts a result of the flat
        keys back into a Tensor / SparseTensor / RaggedTensor like ``keys``."""
        dtype = self._key_dtype if dtype is None else dtype
        if isinstance(keys, SparseTensor):
            flat, shape, _ = self._keys(op, keys.values, dtype)
            return flat, shape, lambda out: SparseTensor(keys.indices, Tensor(out),
                                                         keys.dense_shape)
        if isinstance(keys, RaggedTensor):
            flat, shape, _ = self._keys(op, Tensor(keys._values), dtype)
            return flat, shape, lambda out: RaggedTensor(out, keys._splits)
        if isinstance(keys, Tensor):
            a = np.asarray(keys.numpy(), dtype=keys.dtype)  # a string scalar's numpy() is bytes
            if a.dtype != dtype:
                raise TypeError(f"{self._where(op)}: Dtype of argument `keys` must be "
                                f"{_name(dtype)}, received: {_name(a.dtype)} (table "
                                f"{self._name!r}, keys of shape {a.shape})")
        else:
            try:
                a = np.asarray(keys)
                a = as_bytes_array(a) if is_text(a) else a
            except (TypeError, ValueError) as e:
                raise TypeError(f"{self._where(op)}: keys must be {_name(dtype)} values, got "
                                f"{keys!r:.60} (table {self._name!r}): {e}") from None
            if a.dtype == object and dtype != _STRING:
                raise TypeError(f"{self._where(op)}: keys must be {_name(dtype)}, got "
                                f"{keys!r:.60} (table {self._name!r})")
            a = _convert(a, dtype, f"{self._where(op)} keys")
        return a.reshape(-1), a.shape, lambda out: Tensor(out)

    def _values(self, op, values, n_keys, key_shape, value_shape=()):
        a = np.asarray(values.numpy(), values.dtype) if isinstance(values, Tensor) else \
            np.asarray(values)
        if is_text(a) and not isinstance(values, Tensor):
            a = as_bytes_array(a)
        if isinstance(values, Tensor) and a.dtype != self._value_dtype:
            raise TypeError(f"{self._where(op)}: Dtype of argument `values` must be "
                            f"{_name(self._value_dtype)}, received: {_name(a.dtype)} (table "
                            f"{self._name!r})")
        a = _convert(a, self._value_dtype, f"{self._where(op)} values")
        want = tuple(key_shape) + tuple(value_shape)
        if a.shape != want:
            raise InvalidArgumentError(f"{self._where(op)}: Expected shape {list(want)} for "
                                       f"value, got {list(a.shape)} (table {self._name!r})")
        return a.reshape((n_keys,) + tuple(value_shape))

    def size(self, name=None):
        return Tensor(np.int64(len(self._dict)))

    def export(self, name=None):
        k = np.empty(len(self._dict), dtype=object)
        k[:] = list(self._dict)
        keys = k if self._key_dtype == _STRING else k.astype(self._key_dtype)
        vals = list(self._dict.values())
        v = np.empty((len(vals),) + self._value_shape(), dtype=self._value_dtype)
        for i, x in enumerate(vals):
            v[i] = x
        return Tensor(keys), Tensor(v)

    def _value_shape(self):
        return ()

    def __getitem__(self, keys):
        return self.lookup(keys)

    def __repr__(self):
        return (f"<{self._kind} {self._name!r} {_name(self._key_dtype)} -> "
                f"{_name(self._value_dtype)}, size {len(self._dict)}>")


def _fill(table, op, initializer):
    keys, vals = initializer._pairs(f"{table._kind}.{op}")
    for k, v in zip(keys.tolist(), vals.tolist()):
        k = _key(k)
        old = table._dict.get(k, v)
        if old != v:
            raise FailedPreconditionError(
                f"{table._kind} {table._name!r}: HashTable has different value for same key. "
                f"Key {k.decode(errors='replace') if isinstance(k, bytes) else k} has {old} "
                f"and trying to add value {v}")
        table._dict[k] = v


class StaticHashTable(_Table):
    """A read-only table built from ``initializer``; keys it lacks map to ``default_value``."""
    _kind = "StaticHashTable"

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        kd, vd = initializer.key_dtype, initializer.value_dtype
        if kd not in _KEY_DTYPES:
            raise NotFoundError(f"StaticHashTable: no table for key dtype {_name(kd)} (keys are "
                                f"string, int32 or int64)")
        super().__init__(kd, vd, name or "hash_table")
        dv = np.asarray(default_value.numpy() if isinstance(default_value, Tensor)
                        else default_value)
        if is_text(dv):
            dv = as_bytes_array(dv)
        self._default = _convert(dv, vd, "StaticHashTable default_value")
        if self._default.shape != ():
            raise ValueError(f"StaticHashTable: default_value must be a scalar, got shape "
                             f"{self._default.shape}")
        self._initializer = initializer
        _fill(self, "__init__", initializer)

    @property
    def default_value(self):
        return Tensor(self._default)

    @property
    def initializer(self):
        return self._initializer

    def lookup(self, keys, name=None):
        flat, shape, rebuild = self._keys("lookup", keys)
        d, dv = self._dict, self._default.item()
        out = np.empty(len(flat), dtype=object)
        out[:] = [d.get(k, dv) for k in (_key(k) for k in flat.tolist())]
        out = out if self._value_dtype == _STRING else out.astype(self._value_dtype)
        return rebuild(out.reshape(shape))


class StaticVocabularyTable(_Table):
    """int64 ids: the initializer's value of a known key, else ``vocab_size`` plus the key's
    Fingerprint64 bucket in [0, num_oov_buckets) (TensorFlow's ids: see the module doc)."""
    _kind = "StaticVocabularyTable"

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("StaticVocabularyTable: `num_oov_buckets` must be > 0; use "
                             "StaticHashTable.")
        kd = _STRING if initializer is None else initializer.key_dtype
        lkd = kd if lookup_key_dtype is None else as_dtype(lookup_key_dtype)
        if initializer is not None:
            if kd not in (np.dtype("int64"), _STRING):
                raise TypeError(f"StaticVocabularyTable: Invalid `key_dtype`, expected one of "
                                f"(int64, string), but got {_name(kd)}.")
            if initializer.value_dtype != np.int64:
                raise TypeError(f"StaticVocabularyTable: Invalid `value_dtype`, expected int64 "
                                f"but got {_name(initializer.value_dtype)}.")
            if kd.kind in "iu" and lkd.kind not in "iu":
                raise TypeError(f"StaticVocabularyTable: Invalid `key_dtype`, expected integer "
                                f"but got {_name(lkd)}.")
            if kd == _STRING and lkd != _STRING:
                raise TypeError(f"StaticVocabularyTable: Invalid `key_dtype`, expected string "
                                f"but got {_name(lkd)}.")
        super().__init__(lkd, np.dtype("int64"), name or "hash_table")
        self._num_oov = int(num_oov_buckets)
        self._initializer = initializer
        if initializer is not None:
            _fill(self, "__init__", initializer)
        self._vocab = len(self._dict)

    @property
    def initializer(self):
        return self._initializer

    def size(self, name=None):
        return Tensor(np.int64(self._vocab + self._num_oov))

    def lookup(self, keys, name=None):
        flat, shape, rebuild = self._keys("lookup", keys)
        ids = np.fromiter((self._dict.get(_key(k), -1) for k in flat.tolist()), np.int64,
                          len(flat))
        miss = np.nonzero(ids < 0)[0]
        if len(miss):
            text = [flat[i] if flat.dtype == _STRING else str(int(flat[i])).encode()
                    for i in miss]
            ids[miss] = self._vocab + _hash.to_hash_bucket_fast(text, self._num_oov)
        return rebuild(ids.reshape(shape))


class MutableHashTable(_Table):
    """A table filled by ``insert`` (vector values: ``default_value``'s shape), emptied by
    ``remove``; missing keys map to ``default_value`` (or ``dynamic_default_values``)."""
    _kind = "MutableHashTable"

    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable",
                 checkpoint=True, experimental_is_anonymous=False):
        kd, vd = as_dtype(key_dtype), as_dtype(value_dtype)
        if kd not in _KEY_DTYPES:
            raise TypeError(f"{self._kind}: key_dtype must be string, int32 or int64, got "
                            f"{_name(kd)}")
        super().__init__(kd, vd, name)
        dv = np.asarray(default_value.numpy() if isinstance(default_value, Tensor)
                        else default_value)
        self._default = _convert(as_bytes_array(dv) if is_text(dv) else dv, vd,
                                 f"{self._kind} default_value")

    def _value_shape(self):
        return self._default.shape

    @property
    def default_value(self):
        return Tensor(self._default)

    def _check_key(self, op, k):
        return k

    def insert(self, keys, values, name=None):
        flat, shape, _ = self._keys("insert", keys)
        vals = self._values("insert", values, len(flat), shape, self._default.shape)
        for k, v in zip(flat.tolist(), vals):
            self._dict[self._check_key("insert", _key(k))] = v.copy()
        return None

    def insert_or_assign(self, keys, values, name=None):
        return self.insert(keys, values, name)

    def remove(self, keys, name=None):
        flat, _, _ = self._keys("remove", keys)
        for k in flat.tolist():
            self._dict.pop(self._check_key("remove", _key(k)), None)
        return None

    def erase(self, keys, name=None):
        return self.remove(keys, name)

    def lookup(self, keys, dynamic_default_values=None, name=None):
        flat, shape, rebuild = self._keys("lookup", keys)
        vshape = self._default.shape
        out = np.empty((len(flat),) + vshape, dtype=self._value_dtype)
        if dynamic_default_values is not None:
            dyn = self._values("lookup", dynamic_default_values, len(flat), shape, vshape)
        for i, k in enumerate(flat.tolist()):
            k = self._check_key("lookup", _key(k))
            out[i] = self._dict.get(k, dyn[i] if dynamic_default_values is not None
                                    else self._default)
        return rebuild(out.reshape(tuple(shape) + vshape))


class DenseHashTable(MutableHashTable):
    """TensorFlow's open-addressing table: as MutableHashTable, with two reserved keys
    (``empty_key``, ``deleted_key``) that may not be inserted, looked up or removed."""
    _kind = "DenseHashTable"

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value, name)
        self._empty = _key(self._keys("__init__", [empty_key])[0][0])
        self._deleted = _key(self._keys("__init__", [deleted_key])[0][0])
        if self._empty == self._deleted:
            raise InvalidArgumentError(f"DenseHashTable: empty_key and deleted_key may not be "
                                       f"equal, both {self._empty!r}")

    def _check_key(self, op, k):
        for reserved, what in ((self._empty, "empty_key"), (self._deleted, "deleted_key")):
            if k == reserved:
                raise InvalidArgumentError(f"{self._where(op)}: Using the {what} as a table "
                                           f"key is not allowed ({k!r}, table "
                                           f"{self._name!r})")
        return k


experimental = types.SimpleNamespace(MutableHashTable=MutableHashTable,
                                     DenseHashTable=DenseHashTable)
