"""``tf.sets``: set operations over the last dimension of dense Tensors or SparseTensors, as
TensorFlow 2's ``size`` (of a SparseTensor), ``intersection``, ``union``, ``difference``.

A row is the last dimension at one index of the leading dimensions; its set is its distinct
values (a dense row: every value; a sparse row: the stored values). ``size`` is an int32
Tensor of the leading shape; the others return a SparseTensor of shape ``leading +
[largest result]`` whose rows hold the result set in ascending order (bytes order for
strings), in row-major order, as TensorFlow's set ops (std::set) give them. Values are
integers (int8 ... int64, uint8, uint16) or strings; the two operands must have the same
dtype and leading shape. ``intersection`` / ``union`` of a dense ``a`` and a sparse ``b``
swap them (TensorFlow's order); ``difference`` is a - b (``aminusb=False``: b - a).
"""
import numpy as np

from ._text import as_bytes_array, is_text
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_dtypes import python_dtype
from .tf_example import SparseTensor

__all__ = ["size", "intersection", "union", "difference"]

_OK = {np.dtype(n) for n in ("int8", "int16", "int32", "int64", "uint8", "uint16")}


def _dense(op, arg, x):
    if isinstance(x, Tensor):
        a = np.asarray(x.numpy(), dtype=x.dtype)
    else:
        a = np.asarray(x)
        if is_text(a):
            a = as_bytes_array(a)
        else:
            d = python_dtype(x)
            a = a.astype(d) if d is not None else a
    return a


def _rows(op, arg, x):
    """(leading shape, {row index tuple: set}, dtype) of a dense Tensor or a SparseTensor."""
    if isinstance(x, SparseTensor):
        vals = np.asarray(x.values.numpy(), dtype=x.values.dtype)
        idx = np.asarray(x.indices.numpy(), np.int64).reshape(len(vals), -1)
        shape = tuple(int(d) for d in x.dense_shape.numpy())
        if len(shape) < 2:
            raise ValueError(f"tf.sets.{op}: {arg} must have rank >= 2, got dense_shape "
                             f"{list(shape)}")
        rows = {}
        for r, v in zip(map(tuple, idx[:, :-1].tolist()), vals.tolist()):
            rows.setdefault(r, set()).add(v)
        dt = vals.dtype
    else:
        a = _dense(op, arg, x)
        if a.ndim < 2:
            raise ValueError(f"tf.sets.{op}: {arg} must have rank >= 2 (the sets are its last "
                             f"dimension), got shape {a.shape}")
        shape = a.shape
        flat = a.reshape(-1, a.shape[-1])
        lead = np.ndindex(*a.shape[:-1]) if a.shape[-1] else iter(())
        rows = {r: set(row) for r, row in zip(lead, flat.tolist())}
        dt = a.dtype
    if dt not in _OK and dt != np.dtype(object):
        raise TypeError(f"tf.sets.{op}: {arg} must hold integers (int8 ... int64, uint8, "
                        f"uint16) or strings, got {dt}")
    return tuple(shape[:-1]), rows, dt


def _operands(op, a, b):
    lead_a, ra, da = _rows(op, "a", a)
    lead_b, rb, db = _rows(op, "b", b)
    if da != db:
        raise TypeError(f"tf.sets.{op}: a and b must have the same dtype, got "
                        f"{'string' if da == object else da} and "
                        f"{'string' if db == object else db}")
    if lead_a != lead_b:
        raise InvalidArgumentError(f"tf.sets.{op}: a and b must have the same shape but for "
                                   f"the last dimension, got {list(lead_a)} and {list(lead_b)}")
    return lead_a, ra, rb, da


def _sparse(lead, rows, dt):
    """The SparseTensor of result sets ``rows`` ({index tuple: sorted list})."""
    width = max((len(v) for v in rows.values()), default=0)
    indices, values = [], []
    for r in sorted(rows):
        for j, v in enumerate(rows[r]):
            indices.append(r + (j,))
            values.append(v)
    vals = np.empty(len(values), dtype=object)
    vals[:] = values
    return SparseTensor(np.asarray(indices, np.int64).reshape(-1, len(lead) + 1),
                        Tensor(vals if dt == np.dtype(object) else vals.astype(dt)),
                        np.asarray(lead + (width,), np.int64))


def _set_op(op, a, b, combine):
    lead, ra, rb, dt = _operands(op, a, b)
    out = {}
    for r in set(ra) | set(rb):
        s = combine(ra.get(r, set()), rb.get(r, set()))
        if s:
            out[r] = sorted(s)
    return _sparse(lead, out, dt)


def size(a, validate_indices=True):
    """The number of distinct values in each row of the SparseTensor ``a`` (TensorFlow takes
    no dense ``a`` here): int32, ``a``'s leading shape."""
    if not isinstance(a, SparseTensor):
        raise TypeError(f"tf.sets.size: Expected `SparseTensor`, got {type(a).__name__}")
    lead, rows, _ = _rows("size", "a", a)
    out = np.zeros(lead, np.int32)
    for r, s in rows.items():
        out[r] = len(s)
    return Tensor(out)


def intersection(a, b, validate_indices=True):
    if not isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        a, b = b, a
    return _set_op("intersection", a, b, lambda x, y: x & y)


def union(a, b, validate_indices=True):
    if not isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        a, b = b, a
    return _set_op("union", a, b, lambda x, y: x | y)


def difference(a, b, aminusb=True, validate_indices=True):
    return _set_op("difference", a, b, (lambda x, y: x - y) if aminusb else
                   (lambda x, y: y - x))
