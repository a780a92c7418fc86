"""``tf.sparse`` arithmetic: ``add``, ``maximum`` / ``minimum``, ``reduce_sum`` / ``reduce_max``,
``sparse_dense_matmul`` (differentiable w.r.t. the values and the dense operand), ``softmax``,
``segment_sum`` / ``segment_mean`` / ``segment_sqrt_n``, ``bincount`` and ``cross`` /
``cross_hashed`` (TensorFlow's FarmHash Fingerprint64 and FingerprintCat64, so the buckets are
TensorFlow's). The structural ops and the conventions are in tf_sparse.py.
"""
import numpy as np

from . import backend_ops as K
from . import _hash
from ._hash import fingerprint64
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .tf_debugging import InvalidArgumentError
from .tf_example import SparseTensor
from .tf_sparse import _idx, _new, _sp, reorder, to_dense

__all__ = ["add", "maximum", "minimum", "reduce_sum", "reduce_max", "sparse_dense_matmul",
           "softmax", "segment_sum", "segment_mean", "segment_sqrt_n", "bincount", "cross",
           "cross_hashed"]


def _values(sp):
    return np.asarray(sp.values.numpy())


def _same_shape(op, a, b):
    if a.shape != b.shape:
        raise InvalidArgumentError(None, None, f"tf.sparse.{op}: operands' shapes do not match: "
                                   f"{list(a.shape)} vs {list(b.shape)}")


def add(a, b, threshold=0):
    """SparseTensor + SparseTensor: a SparseTensor (entries at the same index summed, those
    sums with |sum| < ``threshold`` dropped; an entry of one operand only is kept), in
    row-major order; with a dense operand, a dense
    Tensor."""
    if not isinstance(a, SparseTensor) or not isinstance(b, SparseTensor):
        sp, d = (a, b) if isinstance(a, SparseTensor) else (b, a)
        return to_dense(_sp("add", sp)) + _tensor("tf.sparse.add", "b", d)
    _same_shape("add", a, b)
    idx = np.concatenate([_idx(a), _idx(b)])
    vals = np.concatenate([_values(a), _values(b)])
    if not len(idx):
        return _new(idx, Tensor(vals), a.shape)
    flat = np.ravel_multi_index(idx.T, a.shape)
    uniq, inv, count = np.unique(flat, return_inverse=True, return_counts=True)
    sums = np.zeros(len(uniq), vals.dtype)
    np.add.at(sums, inv, vals)
    keep = (count == 1) | (np.abs(sums) >= threshold)  # TensorFlow thresholds sums only
    out = np.stack(np.unravel_index(uniq[keep], a.shape), axis=1)
    return _new(out, Tensor(sums[keep]), a.shape)


def _elementwise(op, a, b, fn):
    a, b = _sp(op, a), _sp(op, b)
    _same_shape(op, a, b)
    ia, ib = _idx(a), _idx(b)
    fa = np.ravel_multi_index(ia.T, a.shape) if len(ia) else np.zeros(0, np.int64)
    fb = np.ravel_multi_index(ib.T, b.shape) if len(ib) else np.zeros(0, np.int64)
    uniq = np.union1d(fa, fb)
    va, vb = _values(a), _values(b)
    xa = np.zeros(len(uniq), va.dtype)
    xb = np.zeros(len(uniq), vb.dtype)
    xa[np.searchsorted(uniq, fa)] = va
    xb[np.searchsorted(uniq, fb)] = vb
    out = np.stack(np.unravel_index(uniq, a.shape), axis=1) if len(uniq) else \
        np.zeros((0, len(a.shape)), np.int64)
    return _new(out, Tensor(fn(xa, xb)), a.shape)


def maximum(sp_a, sp_b, name=None):
    """Element-wise maximum over the union of the entries (a missing entry is 0)."""
    return _elementwise("maximum", sp_a, sp_b, np.maximum)


def minimum(sp_a, sp_b, name=None):
    return _elementwise("minimum", sp_a, sp_b, np.minimum)


def _axes(op, axis, rank):
    if axis is None:
        return list(range(rank))
    ax = [int(a) for a in np.ravel(axis)]
    if any(not -rank <= a < rank for a in ax):
        raise ValueError(f"tf.sparse.{op}: axis {ax} out of range for rank {rank}")
    return sorted({a % rank for a in ax})


def _reduce(op, sp_input, axis, keepdims, output_is_sparse, ufunc, empty):
    sp = _sp(op, sp_input)
    rank = len(sp.shape)
    ax = _axes(op, axis, rank)
    keep_dims = [d for d in range(rank) if d not in ax]
    out_shape = [sp.shape[d] for d in keep_dims]
    idx, vals = _idx(sp), _values(sp)
    out = np.full(out_shape, empty, vals.dtype)
    hit = np.zeros(out_shape, np.bool_)
    key = tuple(idx[:, d] for d in keep_dims)
    if len(idx) and not keep_dims:
        out[()] = ufunc.reduce(vals)
        hit[()] = True
    elif len(idx):
        ufunc.at(out, key, vals)
        hit[key] = True
    if keepdims:
        out = out.reshape([1 if d in ax else sp.shape[d] for d in range(rank)])
        hit = hit.reshape(out.shape)
    if output_is_sparse:
        nz = np.argwhere(hit)
        return _new(nz, Tensor(out[hit]), out.shape)
    return Tensor(out)


def reduce_sum(sp_input, axis=None, keepdims=False, output_is_sparse=False, name=None):
    """The sum of the entries over ``axis`` (all axes when None): a dense Tensor, or with
    ``output_is_sparse`` a SparseTensor of the groups that have entries."""
    return _reduce("reduce_sum", sp_input, axis, keepdims, output_is_sparse, np.add, 0)


def reduce_max(sp_input, axis=None, keepdims=False, output_is_sparse=False, name=None):
    """The maximum of the entries over ``axis`` (implicit zeros are not entries, as in
    TensorFlow: a row of -4 and missing values has maximum -4); in a dense result a group
    without entries is 0, as TensorFlow's."""
    sp = _sp("reduce_max", sp_input)
    dt = _values(sp).dtype
    low = -np.inf if dt.kind == "f" else np.iinfo(dt).min
    out = _reduce("reduce_max", sp, axis, keepdims, output_is_sparse, np.maximum, low)
    if isinstance(out, Tensor):  # TensorFlow's dense result is 0 for a group without entries
        a = out.numpy()
        out = Tensor(np.where(a == low, np.zeros((), dt), a).astype(dt))
    return out


class _SparseDenseMatmul(Function):
    """out (M, N) = A (M, K) @ B (K, N), A given by its entries (rows, cols, values)."""

    @staticmethod
    def forward(ctx, values, b, rows, cols, m):
        ctx.rows, ctx.cols = rows, cols
        ctx.save_for_backward(values, b)
        out = np.zeros((m, b.shape[1]), np.result_type(values.dtype, b.dtype))
        np.add.at(out, rows, values[:, None] * b[cols])
        return out

    @staticmethod
    def backward(ctx, g):
        values, b = ctx.saved
        gv = gb = None
        if ctx.needs_input_grad[0]:
            gv = (g[ctx.rows] * b[ctx.cols]).sum(axis=1).astype(values.dtype)
        if ctx.needs_input_grad[1]:
            gb = np.zeros_like(b)
            np.add.at(gb, ctx.cols, values[:, None] * g[ctx.rows])
        return gv, gb, None, None, None


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """A (a 2-D SparseTensor) times the dense matrix ``b``, each transposed where asked; a
    dense Tensor, differentiable w.r.t. ``b`` and A's values. A dense ``sp_a`` with a sparse
    ``b`` is computed as (b' a')'."""
    op = "tf.sparse.sparse_dense_matmul"
    if not isinstance(sp_a, SparseTensor) and isinstance(b, SparseTensor):
        a = _tensor(op, "sp_a", sp_a)  # op(a) @ op(b) = (op(b)' @ op(a)')'
        return K.transpose(sparse_dense_matmul(b, a if adjoint_a else K.transpose(a),
                                               adjoint_a=not adjoint_b))
    sp = _sp("sparse_dense_matmul", sp_a)
    if len(sp.shape) != 2:
        raise ValueError(f"{op}: sp_a must be 2-D, got dense shape {list(sp.shape)}")
    bt = _tensor(op, "b", b)
    if bt.ndim != 2:
        raise ValueError(f"{op}: b must be 2-D, got shape {tuple(bt.shape)}")
    if adjoint_b:
        bt = K.transpose(bt)
    idx = _idx(sp)
    rows, cols = (idx[:, 1], idx[:, 0]) if adjoint_a else (idx[:, 0], idx[:, 1])
    m, k = (sp.shape[1], sp.shape[0]) if adjoint_a else sp.shape
    if bt.shape[0] != k:
        raise InvalidArgumentError(None, None, f"{op}: cannot multiply A of shape {[m, k]} by b "
                                               f"of shape {list(bt.shape)}")
    vals = sp.values if isinstance(sp.values, Tensor) else Tensor(np.asarray(sp.values))
    if vals.dtype != bt.dtype:
        raise TypeError(f"{op}: sp_a's values ({vals.dtype}) and b ({bt.dtype}) must have one "
                        f"dtype")
    return _SparseDenseMatmul.apply(vals, bt, rows, cols, m)


def softmax(sp_input, name=None):
    """Softmax over each innermost row's entries (the missing ones are not part of it), the
    same indices."""
    sp = _sp("softmax", sp_input)
    if len(sp.shape) < 2:
        raise ValueError(f"tf.sparse.softmax: sp_input must have rank >= 2, got shape "
                         f"{list(sp.shape)}")
    idx, vals = _idx(sp), _values(sp)
    if not len(idx):
        return _new(idx, Tensor(vals), sp.shape)
    rows = np.ravel_multi_index(idx[:, :-1].T, sp.shape[:-1])
    _, grp = np.unique(rows, return_inverse=True)
    mx = np.full(grp.max() + 1, -np.inf, vals.dtype)
    np.maximum.at(mx, grp, vals)
    e = np.exp(vals - mx[grp])
    s = np.zeros_like(mx)
    np.add.at(s, grp, e)
    return _new(idx, Tensor((e / s[grp]).astype(vals.dtype)), sp.shape)


def _segment(op, data, indices, segment_ids, num_segments, scale):
    x = _tensor(f"tf.sparse.{op}", "data", data)
    ind = np.asarray(indices.numpy() if isinstance(indices, Tensor) else indices).astype(np.int64)
    seg = np.asarray(segment_ids.numpy() if isinstance(segment_ids, Tensor) else
                     segment_ids).astype(np.int64)
    if ind.shape != seg.shape or ind.ndim != 1:
        raise ValueError(f"tf.sparse.{op}: indices and segment_ids must be vectors of one "
                         f"length, got shapes {ind.shape} and {seg.shape}")
    if len(ind) and (ind.min() < 0 or ind.max() >= x.shape[0]):
        raise InvalidArgumentError(None, None, f"tf.sparse.{op}: indices must lie in [0, "
                                   f"{x.shape[0]}), got {ind.min()}..{ind.max()}")
    if num_segments is None:
        if len(seg) and (np.diff(seg) < 0).any():
            raise InvalidArgumentError(None, None, f"tf.sparse.{op}: segment ids are not "
                                                   "increasing")
        n = int(seg.max()) + 1 if len(seg) else 0
    else:
        n = int(num_segments)
    if len(seg) and (seg.min() < 0 or seg.max() >= n):
        raise InvalidArgumentError(None, None, f"tf.sparse.{op}: segment ids must lie in [0, "
                                   f"{n}), got {seg.min()}..{seg.max()}")
    from .tf_math import unsorted_segment_sum
    out = unsorted_segment_sum(K.gather(x, ind), seg, n)
    if scale is None:
        return out
    counts = np.bincount(seg, minlength=n).astype(np.float64)
    div = scale(np.maximum(counts, 1)).astype(x.dtype).reshape((n,) + (1,) * (x.ndim - 1))
    return out / Tensor(div)


def segment_sum(data, indices, segment_ids, num_segments=None, name=None):
    """out[s] = sum of data[indices[i]] over i with segment_ids[i] == s (differentiable)."""
    return _segment("segment_sum", data, indices, segment_ids, num_segments, None)


def segment_mean(data, indices, segment_ids, num_segments=None, name=None):
    return _segment("segment_mean", data, indices, segment_ids, num_segments, lambda c: c)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None):
    return _segment("segment_sqrt_n", data, indices, segment_ids, num_segments, np.sqrt)


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False,
             name=None):
    """Counts (or summed weights) of each value as a SparseTensor: over everything
    (``axis=0``, shape (n_bins,)) or per row of a 2-D input (``axis=-1``, shape (rows,
    n_bins)); n_bins = max value + 1, at least ``minlength``, at most ``maxlength``."""
    op = "tf.sparse.bincount"
    if isinstance(values, SparseTensor):
        idx, v = _idx(values), _values(values)
        rows = idx[:, 0] if len(values.shape) == 2 else np.zeros(len(v), np.int64)
        nrows = values.shape[0] if len(values.shape) == 2 else 1
        w = None if weights is None else _values(weights) if isinstance(
            weights, SparseTensor) else np.asarray(weights).reshape(-1)
    else:
        a = np.asarray(values.numpy() if isinstance(values, Tensor) else values)
        if a.ndim > 2:
            raise ValueError(f"{op}: values must be 1-D or 2-D, got shape {a.shape}")
        nrows = a.shape[0] if a.ndim == 2 else 1
        rows = np.repeat(np.arange(nrows), a.shape[1]) if a.ndim == 2 else np.zeros(a.size,
                                                                                      np.int64)
        v = a.reshape(-1)
        w = None if weights is None else np.asarray(
            weights.numpy() if isinstance(weights, Tensor) else weights).reshape(-1)
    if v.dtype.kind not in "iu":
        raise TypeError(f"{op}: values must be integers, got {v.dtype}")
    if len(v) and v.min() < 0:
        raise InvalidArgumentError(None, None, f"{op}: values must be >= 0, got {v.min()}")
    nb = int(v.max()) + 1 if len(v) else 0
    nb = max(nb, int(minlength or 0))
    if maxlength is not None:
        nb = min(nb, int(maxlength))
    sel = v < nb
    vdt = v.dtype
    v, rows = v[sel].astype(np.int64), rows[sel]
    if w is not None:
        w = w[sel]
    per_row = int(axis) in (-1, 1)
    if not per_row and int(axis) != 0:
        raise ValueError(f"{op}: axis must be 0 or -1, got {axis}")
    r = rows if per_row else np.zeros(len(v), np.int64)
    shape = (nrows, nb) if per_row else (nb,)
    flat = r * nb + v
    uniq, inv = np.unique(flat, return_inverse=True)
    count_dt = vdt if vdt.kind == "i" else np.dtype(np.int64)  # TensorFlow's: values'
    if binary_output:
        vals = np.ones(len(uniq), count_dt if w is None else w.dtype)
    elif w is None:
        vals = np.bincount(inv, minlength=len(uniq)).astype(count_dt)
    else:
        vals = np.zeros(len(uniq), w.dtype)
        np.add.at(vals, inv, w)
    idx = np.stack([uniq // nb, uniq % nb], axis=1) if per_row else (uniq % max(nb, 1))[:, None]
    return _new(idx, Tensor(vals), shape)


# ---- crosses ---------------------------------------------------------------------------------
def _columns(op, inputs):
    """Per input, per batch row: the list of its features (bytes or int)."""
    cols, batch = [], None
    for i, x in enumerate(inputs):
        if isinstance(x, SparseTensor):
            if len(x.shape) != 2:
                raise ValueError(f"tf.sparse.{op}: inputs[{i}] must be 2-D, got dense shape "
                                 f"{list(x.shape)}")
            s = reorder(x)
            idx, v = _idx(s), _values(s)
            rows = [[] for _ in range(x.shape[0])]
            for (r, _), val in zip(idx, v):
                rows[r].append(val)
        else:
            a = np.asarray(x.numpy() if isinstance(x, Tensor) else x)
            if a.ndim != 2:
                raise ValueError(f"tf.sparse.{op}: inputs[{i}] must be 2-D, got shape {a.shape}")
            rows = [list(r) for r in a]
        if batch is not None and len(rows) != batch:
            raise InvalidArgumentError(None, None, f"tf.sparse.{op}: inputs[{i}] has "
                                       f"{len(rows)} rows, the others {batch}")
        batch = len(rows)
        cols.append(rows)
    return cols, batch or 0


def _products(cols, r):
    """The feature combinations of row ``r``, the last input's varying fastest."""
    out = [[]]
    for c in cols:
        out = [p + [f] for p in out for f in c[r]]
    return out if all(c[r] for c in cols) else []


def _crossed(op, inputs, feature):
    cols, batch = _columns(op, inputs)
    idx, vals = [], []
    width = 0
    for r in range(batch):
        prods = _products(cols, r)
        for j, p in enumerate(prods):
            idx.append((r, j))
            vals.append(feature(p))
        width = max(width, len(prods))
    return idx, vals, (batch, width)


def _text(f):
    if isinstance(f, (bytes, np.bytes_)):
        return bytes(f)
    if isinstance(f, str):
        return f.encode("utf-8")
    return str(int(f)).encode("ascii")


def cross(inputs, name=None, separator=None):
    """For each row, every combination of one feature per input joined with ``separator``
    (``"_X_"``): a SparseTensor of strings (batch, most combinations)."""
    sep = b"_X_" if separator is None else (separator.encode("utf-8") if isinstance(
        separator, str) else bytes(separator))
    idx, vals, shape = _crossed("cross", inputs, lambda p: sep.join(_text(f) for f in p))
    v = np.empty(len(vals), dtype=object)
    v[:] = vals
    return _new(np.asarray(idx, np.int64).reshape(-1, 2), Tensor(v), shape)


_M64 = (1 << 64) - 1


def _feature_hash(f):
    """A string feature's Fingerprint64; an integer feature is its own hash (TensorFlow's
    SparseCross for int64 columns)."""
    if isinstance(f, (bytes, np.bytes_, str)):
        return int(fingerprint64([_text(f)])[0])
    return int(f) & _M64


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The combinations of ``cross``, each hashed as TensorFlow hashes them: FingerprintCat64
    over the features' hashes starting from ``hash_key`` (TensorFlow's default
    0xDECAFCAFFE), then modulo ``num_buckets`` (0: modulo the largest int64). int64 values."""
    key = _hash.CROSS_HASH_KEY if hash_key is None else int(hash_key) & _M64
    nb = int(num_buckets)
    if nb < 0:
        raise ValueError(f"tf.sparse.cross_hashed: num_buckets must be >= 0, got {nb}")

    def feature(p):
        h = np.array([key], np.uint64)
        for f in p:  # (_hash.fingerprint_cat64: TensorFlow's FingerprintCat64, elementwise)
            h = _hash.fingerprint_cat64(h, np.array([_feature_hash(f)], np.uint64))
        v = int(h[0])
        return v % nb if nb > 0 else v % ((1 << 63) - 1)
    idx, vals, shape = _crossed("cross_hashed", inputs, feature)
    return _new(np.asarray(idx, np.int64).reshape(-1, 2), Tensor(np.asarray(vals, np.int64)),
                shape)

