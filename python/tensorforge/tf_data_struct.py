"""The element structures of ``tf.data`` datasets (tf_data.py, tf_data_ops.py): a NumPy array,
or a tuple / list / dict of them (a nested Dataset where ``window`` made one), the conversions
at the edges (arrays in, Tensors out to user functions), stacking into batches, and the
cardinality constants."""
from collections import OrderedDict

import numpy as np

from .autograd import Tensor
from ._text import as_bytes_array, is_text
from .backend_config import floatx as _floatx

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def _dict_like(s, items):
    """A dict of ``items`` of ``s``'s kind: tf.data keeps an OrderedDict an OrderedDict (what
    make_csv_dataset's features are, and what TensorFlow prints for them)."""
    return OrderedDict(items) if isinstance(s, OrderedDict) else dict(items)


def _map_struct(fn, s):
    if isinstance(s, dict):
        return _dict_like(s, ((k, _map_struct(fn, v)) for k, v in s.items()))
    if isinstance(s, (tuple, list)):
        return type(s)(_map_struct(fn, v) for v in s)
    return fn(s)


def _python_ints(s):
    """A list of numbers as an array; Python ints (not NumPy's) as TensorFlow converts them,
    int32 when they fit (``from_tensor_slices([1, 2, 3])`` gives int32 elements)."""
    a = np.asarray(s)
    if a.dtype == np.int64 and not any(isinstance(v, np.generic) for v in _flat(s)) and \
            a.size and np.iinfo(np.int32).min <= a.min() and a.max() <= np.iinfo(np.int32).max:
        return a.astype(np.int32)
    return a


def _flat(s):
    for v in s:
        if isinstance(v, list):
            yield from _flat(v)
        else:
            yield v


def _list_as_tensor(s):
    """tf.data converts a Python list to one tensor (tuples and dicts are structures): a list of
    numbers or strings (a list of texts) is one component, not one component per element."""
    if isinstance(s, list) and s and all(isinstance(v, (str, bytes, int, float, np.generic))
                                         for v in s):
        return np.asarray(s, dtype=object) if isinstance(s[0], (str, bytes)) else _python_ints(s)
    if isinstance(s, list) and s and all(isinstance(v, (Tensor, np.ndarray)) for v in s):
        # a list of tensors is one tensor, as TensorFlow auto-packs it (the TF word2vec
        # tutorial's list of (5, 1) context tensors): stacked, shapes must agree
        arrays = [np.asarray(v.numpy() if isinstance(v, Tensor) else v) for v in s]
        if len({a.shape for a in arrays}) != 1:
            raise ValueError(f"tf.data: a list of tensors is converted to one tensor, which "
                             f"needs equal shapes; got {sorted({a.shape for a in arrays})}")
        return np.stack(arrays)
    if isinstance(s, list) and s and all(isinstance(v, list) for v in s):
        a = _python_ints(s)  # a nested list of numbers is one tensor, as tf.data converts it
        if a.dtype.kind in "biuf":
            return a
    if isinstance(s, dict):
        return _dict_like(s, ((k, _list_as_tensor(v)) for k, v in s.items()))
    if isinstance(s, tuple):
        return tuple(_list_as_tensor(v) for v in s)
    return s


def _leaves(s):
    if isinstance(s, dict):
        return [t for v in s.values() for t in _leaves(v)]
    if isinstance(s, (tuple, list)):
        return [t for v in s for t in _leaves(v)]
    return [s]


def _as_array(a, where):
    if type(a) is Tensor and type(a.data) is np.ndarray and (
            a.data.dtype == np.float32 or a.data.dtype.kind in "iub") and not a._is_variable():
        return a.data  # a map's usual output (float64 takes the cast below; a variable's
        # numpy() is a copy: the optimizers update it in place)
    if hasattr(a, "_make_iter") or hasattr(a, "dense_shape") or hasattr(a, "row_splits"):
        return a  # a nested Dataset (window, or a map returning one), a SparseTensor
        # (parse_example's VarLenFeature) or a RaggedTensor (from_generator's ragged specs)
    if isinstance(a, Tensor):
        a = a.numpy()
    a = np.asarray(a)
    if a.dtype == np.float64 and _floatx() == "float32":  # Keras' fit casts float data to
        a = a.astype(np.float32)  # floatx: once, here
    if is_text(a):  # tf.string: bytes
        return as_bytes_array(a, where)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{where}: expected numeric or string arrays, got dtype {a.dtype}")
    return a


def _cards(*cs):
    """The cardinality of a combination: INFINITE if any is, else UNKNOWN if any is, else None
    (all known: the caller computes it)."""
    if INFINITE_CARDINALITY in cs:
        return INFINITE_CARDINALITY
    return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in cs else None


def _user(e):
    """An element as user functions see it: Tensors (a nested Dataset stays one; strings are
    tf.string Tensors, whose ``numpy()`` is bytes)."""
    def one(a):
        if type(a) is np.ndarray and a.dtype.kind in "biuf":
            return Tensor(a)  # the usual element
        if hasattr(a, "_make_iter") or hasattr(a, "dense_shape") or hasattr(a, "row_splits"):
            return a  # a Dataset, SparseTensor or RaggedTensor (from_generator's specs)
        if isinstance(a, (bytes, str)) or (isinstance(a, np.ndarray) and a.dtype.kind in "SU"):
            return Tensor(as_bytes_array(a, "Dataset"))
        return Tensor(a)
    return _map_struct(one, e)


def _stack(elems):
    first = elems[0]
    if isinstance(first, dict):
        return _dict_like(first, ((k, _stack([e[k] for e in elems])) for k in first))
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([e[i] for e in elems]) for i in range(len(first)))
    if hasattr(first, "dense_shape"):  # SparseTensors: one more leading axis, as tf.data's batch
        idx = [np.concatenate([np.full((len(e.indices.numpy()), 1), i), e.indices.numpy()], 1)
               for i, e in enumerate(elems)]
        shape = np.max([e.dense_shape.numpy() for e in elems], axis=0)
        return type(first)(np.concatenate(idx), np.concatenate([e.values.numpy() for e in elems]),
                           [len(elems)] + shape.tolist())
    if isinstance(first, (bytes, str)) or is_text(first):  # tf.string elements stay bytes
        return np.stack([as_bytes_array(e, "Dataset.batch") for e in elems])
    return np.stack([np.asarray(e) for e in elems])
