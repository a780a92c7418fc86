"""``tf.sets``: set operations along the last axis of dense integer (or string) tensors, as
TensorFlow's: for each row of the leading axes, the sorted set union / intersection /
difference of its values (every value counts, zeros included), returned as a SparseTensor of
dense shape (..., largest set size) (Hands-On ML 2 ch. 12)."""
import numpy as np

from .autograd import Tensor
from .tf_example import SparseTensor

__all__ = ["union", "intersection", "difference", "size"]


def _dense(x, op, arg):
    if isinstance(x, SparseTensor):
        from .tf_example import sparse_to_dense
        x = sparse_to_dense(x)
    a = np.asarray(x.numpy() if isinstance(x, Tensor) else x)
    if a.ndim < 2 or a.dtype.kind not in "iuO":
        raise ValueError(f"tf.sets.{op}: {arg} must be an integer or string tensor of rank >= 2 "
                         f"(the sets run along the last axis), got {a.dtype} of shape {a.shape}")
    return a


def _apply(op, a, b, fn):
    a, b = _dense(a, op, "a"), _dense(b, op, "b")
    if a.shape[:-1] != b.shape[:-1]:
        raise ValueError(f"tf.sets.{op}: a and b must agree on all axes but the last, got "
                         f"shapes {a.shape} and {b.shape}")
    if a.dtype.kind != b.dtype.kind:
        raise TypeError(f"tf.sets.{op}: a and b must have the same dtype, got {a.dtype} and "
                        f"{b.dtype}")
    lead = a.shape[:-1]
    fa, fb = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    rows = [sorted(fn(set(x.tolist()), set(y.tolist()))) for x, y in zip(fa, fb)]
    width = max((len(r) for r in rows), default=0)
    idx = [list(np.unravel_index(i, lead)) + [j] for i, r in enumerate(rows)
           for j in range(len(r))]
    vals = np.asarray([v for r in rows for v in r], dtype=a.dtype)
    return SparseTensor(Tensor(np.asarray(idx, np.int64).reshape(-1, len(lead) + 1)),
                        Tensor(vals), Tensor(np.asarray(list(lead) + [width], np.int64)))


def union(a, b, validate_indices=True):
    return _apply("union", a, b, lambda x, y: x | y)


def intersection(a, b, validate_indices=True):
    return _apply("intersection", a, b, lambda x, y: x & y)


def difference(a, b, aminusb=True, validate_indices=True):
    return _apply("difference", a, b, (lambda x, y: x - y) if aminusb else (lambda x, y: y - x))


def size(a, validate_indices=True):
    """The number of distinct values in each row of the SparseTensor ``a`` (int32, shape
    dense_shape[:-1]); a dense tensor is refused, as TensorFlow's set_size refuses it."""
    if not isinstance(a, SparseTensor):
        raise TypeError(f"tf.sets.size: Expected `SparseTensor`, got {type(a).__name__}")
    shape = tuple(a.shape)
    idx = np.asarray(a.indices.numpy(), np.int64).reshape(-1, len(shape))
    rows = {}
    for k, v in zip(map(tuple, idx[:, :-1]), a.values.numpy().tolist()):
        rows.setdefault(k, set()).add(v)
    out = np.zeros(shape[:-1], np.int32)
    for k, vals in rows.items():
        out[k] = len(vals)
    return Tensor(out)
