"""``tf.sparse``: TensorFlow 2's SparseTensor operations (the class is tf_example.py's
``SparseTensor``: int64 ``indices`` (N, rank), ``values`` (N,), int64 ``dense_shape``).

Structure: ``from_dense``, ``to_dense``, ``to_indicator``, ``reorder``, ``reshape``, ``slice``,
``split``, ``concat``, ``transpose``, ``expand_dims``, ``retain``, ``reset_shape``,
``fill_empty_rows``, ``eye``, ``map_values``, ``mask`` (over IndexedSlices).
Arithmetic (tf_sparse_math.py): ``add``, ``maximum`` / ``minimum``, ``reduce_sum`` /
``reduce_max``, ``sparse_dense_matmul``, ``softmax``, ``segment_sum`` / ``segment_mean`` /
``segment_sqrt_n``, ``bincount``, ``cross`` / ``cross_hashed``.

Results follow TensorFlow's ordering rules: ops that TensorFlow documents as producing
canonical (row-major) order sort their output (``reorder``, ``transpose``, ``concat``,
``fill_empty_rows``, ``add``); the others keep the input's order, as TensorFlow does.
Values stay Tensors, so ops that only select or move entries keep them differentiable
where TensorFlow's are (``sparse_dense_matmul`` w.r.t. the values and the dense operand).
"""
import numpy as np

from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_example import SparseTensor, sparse_to_dense

__all__ = ["SparseTensor", "from_dense", "to_dense", "to_indicator", "reorder", "reshape",
           "slice", "split", "concat", "transpose", "expand_dims", "retain", "reset_shape",
           "fill_empty_rows", "eye", "map_values", "mask"]


def _sp(op, sp):
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"tf.sparse.{op}: expected a SparseTensor, got {type(sp).__name__}")
    return sp


def _idx(sp):
    return np.asarray(sp.indices.numpy(), np.int64).reshape(-1, len(sp.shape))


def _take(values, sel):
    """values[sel] keeping the gradient path (a Tensor index)."""
    sel = np.asarray(sel, np.int64)
    if isinstance(values, Tensor) and values.requires_grad:
        return values[sel]
    return Tensor(np.asarray(values.numpy())[sel])


def _new(indices, values, shape):
    return SparseTensor(np.asarray(indices, np.int64).reshape(-1, len(shape)), values,
                        np.asarray(shape, np.int64))


def _ints(op, arg, v):
    a = np.asarray(v.numpy() if isinstance(v, Tensor) else v)
    if a.dtype.kind not in "iu":
        raise TypeError(f"tf.sparse.{op}: {arg} must be integers, got {a.dtype}")
    return a.astype(np.int64)


def from_dense(tensor, name=None):
    """The non-zero entries (non-empty strings) of a dense tensor, in row-major order."""
    a = tensor.numpy() if isinstance(tensor, Tensor) else np.asarray(tensor)
    a = np.asarray(a)
    nz = (a != b"") if a.dtype == object else (a != 0)
    idx = np.argwhere(nz).astype(np.int64)
    vals = a[nz] if a.ndim else a.reshape(1)[nz.reshape(1)]
    return SparseTensor(idx.reshape(-1, a.ndim), Tensor(np.asarray(vals, a.dtype)), a.shape)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """Dense values, ``default_value`` (0 / b'') where there is no entry; differentiable in
    the values. With ``validate_indices`` repeated, out-of-range or out-of-order (not
    row-major) indices are an InvalidArgumentError, as TensorFlow's."""
    sp = _sp("to_dense", sp_input)
    idx = _idx(sp)
    shape = sp.shape
    if validate_indices and len(idx):
        if (idx < 0).any() or (idx >= np.asarray(shape)).any():
            bad = idx[((idx < 0) | (idx >= np.asarray(shape))).any(axis=1)][0]
            raise InvalidArgumentError(None, None, f"tf.sparse.to_dense: indices "
                                       f"{bad.tolist()} is out of bounds of shape {list(shape)}")
        flat = np.ravel_multi_index(idx.T, shape) if shape else np.zeros(len(idx), np.int64)
        step = np.diff(flat)
        if (step <= 0).any():  # TensorFlow's SparseToDense wants them in row-major order
            k = int(np.argmax(step <= 0)) + 1
            what = ("is repeated" if step[k - 1] == 0 else "is out of order. Many sparse ops "
                    "require sorted indices.\n    Use `tf.sparse.reorder` to create a correctly "
                    "ordered copy.\n")
            raise InvalidArgumentError(None, None, f"tf.sparse.to_dense: indices[{k}] = "
                                       f"[{','.join(map(str, idx[k].tolist()))}] {what}")
    v = sp.values
    if isinstance(v, Tensor) and v.requires_grad and v.dtype.kind == "f":
        from .tf_array import scatter_nd
        base = scatter_nd(idx, v, shape)
        if default_value is not None and default_value != 0:
            hole = np.ones(shape, v.dtype)
            hole[tuple(idx.T)] = 0
            base = base + Tensor(hole * np.asarray(default_value, v.dtype))
        return base
    return sparse_to_dense(sp, default_value)


def to_indicator(sp_input, vocab_size, name=None):
    """A bool tensor ``dense_shape[:-1] + (vocab_size,)``, True at (row..., value) for each
    entry's integer value."""
    sp = _sp("to_indicator", sp_input)
    vals = _ints("to_indicator", "sp_input.values", sp.values)
    n = int(vocab_size)
    if len(vals) and (vals.min() < 0 or vals.max() >= n):
        raise InvalidArgumentError(None, None, f"tf.sparse.to_indicator: values must lie in "
                                   f"[0, {n}), got {vals.min()}..{vals.max()}")
    out = np.zeros(tuple(sp.shape[:-1]) + (n,), np.bool_)
    idx = _idx(sp)
    out[tuple(idx[:, :-1].T) + (vals,)] = True
    return Tensor(out)


def _order(idx, shape):
    if not len(idx):
        return np.zeros(0, np.int64)
    return np.lexsort(idx.T[::-1])


def reorder(sp_input, name=None):
    """The entries sorted into row-major (canonical) order."""
    sp = _sp("reorder", sp_input)
    idx = _idx(sp)
    o = _order(idx, sp.shape)
    return _new(idx[o], _take(sp.values, o), sp.shape)


def reshape(sp_input, shape, name=None):
    """The same entries in a dense shape of as many elements (one dimension may be -1)."""
    sp = _sp("reshape", sp_input)
    new = [int(d) for d in _ints("reshape", "shape", shape).reshape(-1)]
    total = int(np.prod(sp.shape, dtype=np.int64))
    if new.count(-1) > 1:
        raise InvalidArgumentError(None, None, f"tf.sparse.reshape: only one output dimension "
                                   f"may be -1, not both in {new}")
    if -1 in new:
        known = int(np.prod([d for d in new if d != -1], dtype=np.int64))
        if known == 0 or total % known:
            raise InvalidArgumentError(None, None, f"tf.sparse.reshape: Input to reshape is a "
                                       f"SparseTensor with {total} dense values, but the "
                                       f"requested shape requires a multiple of {known}")
        new[new.index(-1)] = total // known
    if int(np.prod(new, dtype=np.int64)) != total:
        raise InvalidArgumentError(None, None, f"tf.sparse.reshape: Input to reshape is a "
                                   f"tensor with {total} dense values, but the requested shape "
                                   f"has {int(np.prod(new, dtype=np.int64))}")
    idx = _idx(sp)
    flat = np.ravel_multi_index(idx.T, sp.shape) if len(idx) else np.zeros(0, np.int64)
    out = np.stack(np.unravel_index(flat, new), axis=1) if len(idx) else np.zeros((0, len(new)))
    return _new(out, sp.values, new)


def slice(sp_input, start, size, name=None):  # noqa: A001 -- TensorFlow's name
    """The entries inside ``[start, start + size)``, indices relative to ``start``; the dense
    shape is clipped to the input's."""
    sp = _sp("slice", sp_input)
    st = _ints("slice", "start", start).reshape(-1)
    sz = _ints("slice", "size", size).reshape(-1)
    shape = np.asarray(sp.shape, np.int64)
    if len(st) != len(shape) or len(sz) != len(shape):
        raise ValueError(f"tf.sparse.slice: start and size must have {len(shape)} values (the "
                         f"rank of shape {shape.tolist()}), got {st.tolist()} and {sz.tolist()}")
    end = np.minimum(st + sz, shape)
    idx = _idx(sp)
    keep = np.nonzero(((idx >= st) & (idx < end)).all(axis=1))[0] if len(idx) else \
        np.zeros(0, np.int64)
    return _new(idx[keep] - st, _take(sp.values, keep), np.maximum(end - st, 0))


def split(sp_input=None, num_split=None, axis=None, name=None):
    """``num_split`` SparseTensors along ``axis``; when the size is not divisible the first
    ``size % num_split`` pieces get one more, as TensorFlow's."""
    sp = _sp("split", sp_input)
    n, ax = int(num_split), int(axis) % len(sp.shape)
    size = sp.shape[ax]
    if n < 1 or n > max(size, 1):
        raise InvalidArgumentError(None, None, f"tf.sparse.split: num_split must be in [1, "
                                   f"{size}] for axis {axis} of shape {list(sp.shape)}, got {n}")
    sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
    out, lo = [], 0
    for s in sizes:
        st = [0] * len(sp.shape)
        sz = list(sp.shape)
        st[ax], sz[ax] = lo, s
        out.append(slice(sp, st, sz))
        lo += s
    return out


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """The inputs joined along ``axis``, in row-major order (the other dimensions must agree,
    or with ``expand_nonconcat_dims`` grow to the largest)."""
    sps = [_sp("concat", s) for s in sp_inputs]
    if not sps:
        raise ValueError("tf.sparse.concat: sp_inputs is empty")
    rank = len(sps[0].shape)
    ax = int(axis) % rank
    shapes = np.asarray([s.shape for s in sps], np.int64)
    other = [d for d in range(rank) if d != ax]
    if expand_nonconcat_dims:
        out_shape = shapes.max(axis=0)
    else:
        for s in shapes[1:]:
            if (s[other] != shapes[0][other]).any():
                raise InvalidArgumentError(None, None, f"tf.sparse.concat: the input shapes "
                                           f"{shapes[0].tolist()} and {s.tolist()} differ "
                                           f"outside axis {ax}")
        out_shape = shapes[0].copy()
    out_shape[ax] = shapes[:, ax].sum()
    idx, vals, off = [], [], 0
    for s, shp in zip(sps, shapes):
        i = _idx(s).copy()
        i[:, ax] += off
        off += shp[ax]
        idx.append(i)
        vals.append(s.values)
    idx = np.concatenate(idx)
    from . import backend_ops as K
    v = K.concatenate(list(vals), axis=0) if any(
        isinstance(x, Tensor) and x.requires_grad for x in vals) else Tensor(
        np.concatenate([np.asarray(x.numpy()) for x in vals]))
    o = _order(idx, out_shape)
    return _new(idx[o], _take(v, o), out_shape)


def transpose(sp_input, perm=None, name=None):
    """Dimensions permuted (reversed by default), entries reordered row-major."""
    sp = _sp("transpose", sp_input)
    rank = len(sp.shape)
    p = list(range(rank))[::-1] if perm is None else [int(d) for d in np.ravel(
        _ints("transpose", "perm", perm))]
    if sorted(p) != list(range(rank)):
        raise InvalidArgumentError(None, None, f"tf.sparse.transpose: perm {p} is not a "
                                               f"permutation of {rank} dimensions")
    idx = _idx(sp)[:, p]
    shape = [sp.shape[d] for d in p]
    o = _order(idx, shape)
    return _new(idx[o], _take(sp.values, o), shape)


def expand_dims(sp_input, axis=None, name=None):
    sp = _sp("expand_dims", sp_input)
    rank = len(sp.shape)
    ax = 0 if axis is None else int(axis)
    if not -rank - 1 <= ax <= rank:
        raise ValueError(f"tf.sparse.expand_dims: axis {ax} out of range for rank {rank}")
    ax %= rank + 1
    idx = np.insert(_idx(sp), ax, 0, axis=1)
    return _new(idx, sp.values, sp.shape[:ax] + (1,) + sp.shape[ax:])


def retain(sp_input, to_retain):
    """The entries where the bool vector ``to_retain`` is True."""
    sp = _sp("retain", sp_input)
    keep = np.asarray(to_retain.numpy() if isinstance(to_retain, Tensor) else to_retain)
    if keep.dtype != np.bool_ or keep.shape != (len(_idx(sp)),):
        raise ValueError(f"tf.sparse.retain: to_retain must be a bool vector of length "
                         f"{len(_idx(sp))}, got {keep.dtype} of shape {keep.shape}")
    sel = np.nonzero(keep)[0]
    return _new(_idx(sp)[sel], _take(sp.values, sel), sp.shape)


def reset_shape(sp_input, new_shape=None):
    """The same entries with ``new_shape`` (each dimension >= the input's), or the tight
    bounding shape (largest index + 1 per dimension) when None."""
    sp = _sp("reset_shape", sp_input)
    idx = _idx(sp)
    if new_shape is None:
        shape = idx.max(axis=0) + 1 if len(idx) else np.zeros(len(sp.shape), np.int64)
    else:
        shape = _ints("reset_shape", "new_shape", new_shape).reshape(-1)
        if len(shape) != len(sp.shape):
            raise ValueError(f"tf.sparse.reset_shape: new_shape must have rank "
                             f"{len(sp.shape)}, got {shape.tolist()}")
        if (shape < np.asarray(sp.shape)).any():
            raise ValueError(f"tf.sparse.reset_shape: new_shape {shape.tolist()} is smaller "
                             f"than the input's shape {list(sp.shape)}")
    return _new(idx, sp.values, shape)


def fill_empty_rows(sp_input, default_value, name=None):
    """(sparse, empty_row_indicator): each row of the first dimension without an entry gets
    one, ``default_value`` at index (row, 0, ...); the result is in row-major order."""
    sp = _sp("fill_empty_rows", sp_input)
    idx = _idx(sp)
    rows = sp.shape[0]
    empty = np.ones(rows, np.bool_)
    empty[idx[:, 0]] = False
    new = np.zeros((int(empty.sum()), len(sp.shape)), np.int64)
    new[:, 0] = np.nonzero(empty)[0]
    vals = np.asarray(sp.values.numpy())
    fill = np.asarray([default_value] * len(new), dtype=vals.dtype) if vals.dtype != object \
        else np.array([default_value.encode() if isinstance(default_value, str)
                       else default_value] * len(new) + [None], object)[:-1]
    all_idx = np.concatenate([idx, new])
    all_vals = np.concatenate([vals, fill])
    o = _order(all_idx, sp.shape)
    return _new(all_idx[o], Tensor(all_vals[o]), sp.shape), Tensor(empty)


def eye(num_rows, num_columns=None, dtype="float32", name=None):
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    k = min(n, m)
    dt = np.dtype(getattr(dtype, "name", dtype))
    return _new(np.stack([np.arange(k), np.arange(k)], axis=1), Tensor(np.ones(k, dt)), (n, m))


def map_values(op, *args, **kwargs):
    """``op`` applied to the values of the SparseTensor arguments (which must share their
    indices and shape), other arguments passed as they are; a SparseTensor of the results."""
    sps = [a for a in list(args) + list(kwargs.values()) if isinstance(a, SparseTensor)]
    if not sps:
        raise ValueError("tf.sparse.map_values: no SparseTensor among the arguments")
    first = sps[0]
    for s in sps[1:]:
        if s.shape != first.shape or not np.array_equal(_idx(s), _idx(first)):
            raise InvalidArgumentError(None, None, "tf.sparse.map_values: the SparseTensor "
                                                   "arguments must have the same indices and "
                                                   "dense_shape")
    un = lambda a: a.values if isinstance(a, SparseTensor) else a  # noqa: E731
    vals = op(*[un(a) for a in args], **{k: un(v) for k, v in kwargs.items()})
    return SparseTensor(first.indices, vals if isinstance(vals, Tensor) else Tensor(
        np.asarray(vals)), first.dense_shape)


def mask(a, mask_indices, name=None):
    """The IndexedSlices ``a`` without the rows whose index is in ``mask_indices``."""
    from .tf_structure import IndexedSlices
    if not isinstance(a, IndexedSlices):
        raise TypeError(f"tf.sparse.mask: a must be an IndexedSlices, got {type(a).__name__}")
    ind = np.asarray(a.indices.numpy())
    keep = np.nonzero(~np.isin(ind, _ints("mask", "mask_indices", mask_indices)))[0]
    return IndexedSlices(_take(a.values, keep), Tensor(ind[keep]), a.dense_shape)
