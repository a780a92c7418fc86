"""``tf.ragged``: RaggedTensor, rows of different lengths (one ragged axis), as the Keras 2
examples hand it to the lookup layers: ``tf.ragged.constant(df["terms"].values)`` adapted by
``StringLookup(output_mode="multi_hot")`` and encoded to one multi-hot row per list
(keras-io multi_label_classification.py). Values are stored flat with TensorFlow's
``row_splits`` (row i is ``values[row_splits[i]:row_splits[i + 1]]``)."""
import numpy as np

from ._tensor_shape import TensorShape
from ._text import as_bytes_array
from .autograd import Tensor

__all__ = ["RaggedTensor", "constant", "concat"]


class RaggedTensor:
    """Rows of different lengths: ``values`` (flat) split at ``row_splits``, both Tensors as
    TensorFlow's (held as the host arrays ``_values`` / ``_splits``)."""

    def __init__(self, values, row_splits):
        self._values = values
        s = np.asarray(row_splits)  # int32 splits stay int32 (RaggedFeature's default)
        self._splits = s if s.dtype == np.int32 else s.astype(np.int64)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        v = values.numpy() if isinstance(values, Tensor) else np.asarray(values)
        s = np.asarray(row_splits.numpy() if isinstance(row_splits, Tensor) else row_splits)
        if validate and (s.ndim != 1 or len(s) < 1 or s[0] != 0 or s[-1] != len(v)
                         or np.any(np.diff(s) < 0)):
            raise ValueError(f"RaggedTensor.from_row_splits: row_splits must start at 0, be "
                             f"non-decreasing and end at len(values) = {len(v)}, got "
                             f"{s.tolist()}")
        return cls(v, s)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=np.int64):
        """The rows of a 2-D SparseTensor that is ragged-right (each row's columns 0, 1, ...
        in order, as tf.io's VarLenFeature parses them), as TensorFlow's from_sparse."""
        idx = np.asarray(st_input.indices.numpy()).reshape(-1, 2) if np.size(
            st_input.indices.numpy()) else np.zeros((0, 2), np.int64)
        shape = [int(d) for d in np.ravel(st_input.dense_shape.numpy())]
        if len(shape) != 2:
            raise ValueError(f"RaggedTensor.from_sparse: the SparseTensor must be 2-D, got "
                             f"dense_shape {shape}")
        rows = idx[:, 0]
        counts = np.bincount(rows, minlength=shape[0]) if len(rows) else np.zeros(shape[0], int)
        starts = np.concatenate([[0], np.cumsum(counts)])
        expected_cols = np.arange(len(rows)) - starts[rows] if len(rows) else rows
        if np.any(np.diff(rows) < 0) or np.any(idx[:, 1] != expected_cols):
            raise ValueError("RaggedTensor.from_sparse: the SparseTensor is not ragged-right "
                             "(each row's columns must be 0, 1, ... in row-major order)")
        values = st_input.values
        values = np.asarray(values.numpy() if isinstance(values, Tensor) else values)
        return cls(values, starts.astype(np.dtype(getattr(row_splits_dtype, "name",
                                                          row_splits_dtype))))

    # TensorFlow's attributes are tensors (``rt.row_splits.numpy()``); the package reads the
    # host arrays _values / _splits
    @property
    def values(self):
        return Tensor(self._values)

    @property
    def row_splits(self):
        return Tensor(self._splits)

    @property
    def flat_values(self):
        return Tensor(self._values)

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self):
        return TensorShape((self.nrows(), None))

    @property
    def ragged_rank(self):
        return 1

    def nrows(self):
        return len(self._splits) - 1

    def row_lengths(self):
        return Tensor(np.diff(self._splits))

    def __len__(self):
        return self.nrows()

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(self.nrows())
            if step != 1:
                raise ValueError("RaggedTensor: only contiguous row slices are supported")
            stop = max(stop, start)
            lo, hi = self._splits[start], self._splits[stop]
            return RaggedTensor(self._values[lo:hi], self._splits[start:stop + 1] - lo)
        n = self.nrows()
        j = int(i)
        if not -n <= j < n:
            raise IndexError(f"RaggedTensor: row {i} out of range for {n} rows")
        j %= n
        return Tensor(self._values[self._splits[j]:self._splits[j + 1]])

    def __iter__(self):
        return (self[i] for i in range(self.nrows()))

    def to_list(self):
        return [self._values[a:b].tolist() for a, b in zip(self._splits[:-1],
                                                          self._splits[1:])]

    def numpy(self):
        """An object array of the rows' arrays, as TensorFlow's ``RaggedTensor.numpy()``."""
        out = np.empty(self.nrows(), dtype=object)
        for i, (a, b) in enumerate(zip(self._splits[:-1], self._splits[1:])):
            out[i] = self._values[a:b]
        return out

    def to_tensor(self, default_value=None, name=None):
        """Rows padded to the longest with ``default_value`` (0, or b"" for strings)."""
        width = int(np.diff(self._splits).max()) if self.nrows() else 0
        fill = default_value if default_value is not None else (
            b"" if self._values.dtype == object else 0)
        out = np.full((self.nrows(), width), fill, dtype=self._values.dtype)
        for i, (a, b) in enumerate(zip(self._splits[:-1], self._splits[1:])):
            out[i, :b - a] = self._values[a:b]
        return Tensor(out)

    def __repr__(self):
        return f"<tf.RaggedTensor {self.to_list()!r}>"

    def _elementwise(self, other, op, name):
        """``rt + 1``, ``rt * rt2``: TensorFlow's elementwise ops on the flat values, with a
        scalar or a RaggedTensor of the same row partition (Hands-On ML 2 ch. 16's
        ``(X + 1).to_tensor()``); the dtype stays the ragged tensor's, as TensorFlow keeps it."""
        if isinstance(other, RaggedTensor):
            if not np.array_equal(other._splits, self._splits):
                raise ValueError(f"RaggedTensor {name}: the operands' rows have different "
                                 f"lengths ({np.diff(self._splits).tolist()} and "
                                 f"{np.diff(other._splits).tolist()})")
            b = other._values
        else:
            b = np.asarray(other.numpy() if isinstance(other, Tensor) else other)
            if b.ndim != 0:
                raise ValueError(f"RaggedTensor {name}: the other operand must be a scalar or a "
                                 f"RaggedTensor, got shape {b.shape}")
        kind, other_kind = np.dtype(self._values.dtype).kind, np.dtype(b.dtype).kind
        if kind not in "fiu" or other_kind not in "fiub" or (kind in "iu" and other_kind == "f"):
            raise TypeError(f"RaggedTensor {name}: cannot combine a {self._values.dtype} ragged "
                            f"tensor with a {b.dtype} operand")
        return RaggedTensor(op(self._values, b).astype(self._values.dtype, copy=False),
                            self._splits)

    def __add__(self, other):
        return self._elementwise(other, np.add, "+")

    def __radd__(self, other):
        return self._elementwise(other, lambda a, b: np.add(b, a), "+")

    def __sub__(self, other):
        return self._elementwise(other, np.subtract, "-")

    def __rsub__(self, other):
        return self._elementwise(other, lambda a, b: np.subtract(b, a), "-")

    def __mul__(self, other):
        return self._elementwise(other, np.multiply, "*")

    def __rmul__(self, other):
        return self._elementwise(other, lambda a, b: np.multiply(b, a), "*")


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=None):
    """``tf.ragged.constant``: a list (or object array) of lists of scalars -> a RaggedTensor
    with one ragged axis; strings become bytes, Python numbers int32 / float32 as TensorFlow."""
    rows = list(pylist.numpy() if isinstance(pylist, Tensor) else pylist)
    for r in rows:
        if isinstance(r, (str, bytes)) or not hasattr(r, "__len__"):
            raise ValueError("ragged.constant: expected a list of lists (one ragged axis), got "
                             f"a row {r!r}")
        if any(hasattr(v, "__len__") and not isinstance(v, (str, bytes)) for v in r):
            raise ValueError("ragged.constant: only one ragged axis (lists of scalars) is "
                             "supported")
    flat = [v for r in rows for v in r]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    if flat and all(isinstance(v, (str, bytes)) for v in flat):
        values = as_bytes_array(np.asarray(flat, dtype=object), "ragged.constant")
    elif not flat:
        values = np.zeros(0, np.dtype(getattr(dtype, "name", dtype) or np.float32))
    else:
        values = np.asarray(flat)
        if dtype is not None:
            values = values.astype(np.dtype(getattr(dtype, "name", dtype)))
        elif values.dtype == np.float64:
            values = values.astype(np.float32)
        elif values.dtype == np.int64:
            values = values.astype(np.int32)
    return RaggedTensor(values, splits)


def concat(values, axis):
    """``tf.concat`` of RaggedTensors (Hands-On ML 2 ch. 12): axis 0 appends the rows; axis 1
    (or -1) joins row i of every tensor into row i (the same number of rows, as TensorFlow
    requires). The dtypes must agree, as TensorFlow's concat requires."""
    rts = list(values)
    if not all(isinstance(r, RaggedTensor) for r in rts):
        raise TypeError("concat: RaggedTensors can be concatenated only with RaggedTensors here, "
                        f"got {[type(r).__name__ for r in rts]}")
    if len({np.dtype(r._values.dtype) for r in rts}) > 1:
        raise TypeError(f"concat: the RaggedTensors' dtypes differ: "
                        f"{[str(r._values.dtype) for r in rts]}")
    if axis == 0:
        splits, offset = [np.zeros(1, np.int64)], 0
        for r in rts:
            splits.append(r._splits[1:].astype(np.int64) + offset)
            offset += int(r._splits[-1])
        return RaggedTensor(np.concatenate([r._values for r in rts]), np.concatenate(splits))
    if axis in (1, -1):
        n = {r.nrows() for r in rts}
        if len(n) > 1:
            raise ValueError(f"concat: along axis 1 the RaggedTensors must have the same number "
                             f"of rows, got {[r.nrows() for r in rts]}")
        rows = [np.concatenate([r._values[r._splits[i]:r._splits[i + 1]] for r in rts])
                for i in range(rts[0].nrows())]
        lengths = [len(x) for x in rows]
        values = np.concatenate(rows) if rows else rts[0]._values[:0]
        return RaggedTensor(values.astype(rts[0]._values.dtype, copy=False),
                            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
    raise ValueError(f"concat: axis must be 0 or 1 for RaggedTensors with one ragged axis, "
                     f"got {axis}")
