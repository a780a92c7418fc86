"""TensorFlow 2's top-level numeric ops that Keras 2 programs call on ``tf``: truncatediv,
truncatemod, unravel_index, reverse_sequence, dynamic_partition, dynamic_stitch,
tensor_scatter_nd_max / _min, histogram_fixed_width(_bins), edit_distance, space_to_batch(_nd),
batch_to_space, saturate_cast, bitcast, and ``tf.bitwise``.

The data-moving ops (reverse_sequence, dynamic_partition / stitch, space_to_batch /
batch_to_space) are gathers, reshapes and transposes, so they pass gradients as TensorFlow's;
tensor_scatter_nd_max / _min are a Function with TensorFlow's gradient (to the entries that
won); the integer ops have none.
"""
import types

import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .tf_example import SparseTensor

__all__ = ["truncatediv", "truncatemod", "unravel_index", "reverse_sequence",
           "dynamic_partition", "dynamic_stitch", "tensor_scatter_nd_max",
           "tensor_scatter_nd_min", "histogram_fixed_width", "histogram_fixed_width_bins",
           "edit_distance", "space_to_batch", "space_to_batch_nd", "batch_to_space",
           "required_space_to_batch_paddings",
           "saturate_cast", "bitcast", "bitwise"]


def _arr(op, x, name):
    if isinstance(x, (bool, int, list, tuple)):  # Python ints: int32, as tf.constant makes them
        from .tf_dtypes import python_dtype
        dt = python_dtype(x)
        if dt is not None:
            return np.asarray(x, dt)
    return np.asarray(host(_tensor(f"tf.{op}", name, x).data))


def _ints(op, x, name):
    a = _arr(op, x, name)
    if a.dtype.kind not in "iu":
        raise TypeError(f"tf.{op}: {name} must be integers, got {a.dtype}")
    return a


# ---- integer arithmetic -------------------------------------------------------------------------
def truncatediv(x, y, name=None):
    """x / y rounded towards zero (C's integer division; floats: trunc(x / y))."""
    a, b = _arr("truncatediv", x, "x"), _arr("truncatediv", y, "y")
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        if np.any(b == 0):
            from .tf_debugging import InvalidArgumentError
            raise InvalidArgumentError("tf.truncatediv: Integer division by zero")
        q = np.abs(a) // np.abs(b)
        return Tensor((np.sign(a) * np.sign(b) * q).astype(np.result_type(a, b)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return Tensor(np.trunc(a / b).astype(np.result_type(a, b)))


def truncatemod(x, y, name=None):
    """The remainder of truncatediv (C's fmod: the sign of x)."""
    a, b = _arr("truncatemod", x, "x"), _arr("truncatemod", y, "y")
    return Tensor(np.fmod(a, b))


def unravel_index(indices, dims, name=None):
    """The coordinates (len(dims),) + indices.shape of flat ``indices`` in an array of shape
    ``dims``."""
    i = _ints("unravel_index", indices, "indices")
    d = _ints("unravel_index", dims, "dims").reshape(-1)
    if np.any(i < 0) or np.any(i >= np.prod(d)):
        from .tf_debugging import InvalidArgumentError
        raise InvalidArgumentError(f"tf.unravel_index: indices {i.tolist()} must lie in "
                                   f"[0, {int(np.prod(d))}) for dims {d.tolist()}")
    return Tensor(np.stack(np.unravel_index(i, tuple(d))).astype(i.dtype))


# ---- data movement ------------------------------------------------------------------------------
def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=0, name=None):  # noqa: A002
    """Reverses the first seq_lengths[b] entries along ``seq_axis`` of each batch entry b."""
    x = _tensor("tf.reverse_sequence", "input", input)
    lens = _ints("reverse_sequence", seq_lengths, "seq_lengths").reshape(-1)
    if seq_axis is None:
        raise ValueError("tf.reverse_sequence: seq_axis is required")
    sa, ba = int(seq_axis) % x.ndim, int(batch_axis) % x.ndim
    if sa == ba or lens.shape[0] != x.shape[ba]:
        raise ValueError(f"tf.reverse_sequence: seq_lengths {lens.shape} must have "
                         f"input.shape[batch_axis] = {x.shape[ba]} entries, seq_axis != "
                         f"batch_axis")
    if np.any(lens > x.shape[sa]) or np.any(lens < 0):
        raise ValueError(f"tf.reverse_sequence: seq_lengths {lens.tolist()} must lie in "
                         f"[0, {x.shape[sa]}]")
    idx = list(np.indices(x.shape, sparse=True))
    pos = np.arange(x.shape[sa]).reshape([-1 if i == sa else 1 for i in range(x.ndim)])
    ln = lens.reshape([-1 if i == ba else 1 for i in range(x.ndim)])
    idx[sa] = np.where(pos < ln, ln - 1 - pos, pos)
    full = np.broadcast_arrays(*idx)
    return x[tuple(full)]


def dynamic_partition(data, partitions, num_partitions, name=None):
    """[data[partitions == i] for i in range(num_partitions)] (partitions' shape a prefix of
    data's)."""
    from .tf_array import gather
    x = _tensor("tf.dynamic_partition", "data", data)
    p = _ints("dynamic_partition", partitions, "partitions")
    if tuple(x.shape[:p.ndim]) != p.shape:
        raise ValueError(f"tf.dynamic_partition: partitions {p.shape} must be a prefix of data's "
                         f"shape {tuple(x.shape)}")
    n = int(num_partitions)
    if p.size and (p.min() < 0 or p.max() >= n):
        from .tf_debugging import InvalidArgumentError
        raise InvalidArgumentError(f"tf.dynamic_partition: partitions must lie in [0, {n}), got "
                                   f"{p.min()}..{p.max()}")
    flat = K.reshape(x, (-1,) + tuple(x.shape[p.ndim:]))
    pf = p.reshape(-1)
    return [gather(flat, np.flatnonzero(pf == i)) for i in range(n)]


class _Stitch(Function):
    """merged[idx[m]] = data[m] in order; the gradient of data[m] is the incoming gradient
    gathered at idx[m] (TensorFlow's: an overwritten entry still gets its row's gradient)."""
    @staticmethod
    def forward(ctx, *xs, idx, n, rest):
        out = np.zeros((n,) + rest, np.result_type(*xs))
        for i, x in zip(idx, xs):
            out[i.reshape(-1)] = x.reshape((-1,) + rest)
        ctx.idx = idx
        ctx.shapes = [x.shape for x in xs]
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[i.reshape(-1)].reshape(s) for i, s in zip(ctx.idx, ctx.shapes))


def dynamic_stitch(indices, data, name=None):
    """merged[indices[m][i]] = data[m][i]; a later (m, i) wins a repeated index; the result
    has max(indices) + 1 rows."""
    if len(indices) != len(data) or not indices:
        raise ValueError(f"tf.dynamic_stitch: indices and data must be lists of one non-zero "
                         f"length, got {len(indices)} and {len(data)}")
    idx = [_ints("dynamic_stitch", i, "indices") for i in indices]
    xs = [_tensor("tf.dynamic_stitch", "data", d) for d in data]
    rest = None
    for i, x in zip(idx, xs):
        if tuple(x.shape[:i.ndim]) != i.shape:
            raise ValueError(f"tf.dynamic_stitch: data shape {tuple(x.shape)} must start with "
                             f"its indices' shape {i.shape}")
        r = tuple(x.shape[i.ndim:])
        if rest is not None and r != rest:
            raise ValueError(f"tf.dynamic_stitch: data slices differ in shape: {rest} and {r}")
        rest = r
    allidx = np.concatenate([i.reshape(-1) for i in idx])
    if allidx.size and allidx.min() < 0:
        raise ValueError(f"tf.dynamic_stitch: indices must be >= 0, got {int(allidx.min())}")
    n = int(allidx.max()) + 1 if allidx.size else 0
    return _Stitch.apply(*xs, idx=idx, n=n, rest=rest)


class _ScatterExtreme(Function):
    @staticmethod
    def forward(ctx, t, idx, upd, is_max):
        out = np.array(t, copy=True)
        key = tuple(np.moveaxis(idx, -1, 0))
        (np.maximum if is_max else np.minimum).at(out, key, upd)
        ctx.save_for_backward(t, upd, out)
        ctx.key = key
        return out

    @staticmethod
    def backward(ctx, g):
        t, upd, out = ctx.saved
        return g * (t == out), None, g[ctx.key] * (upd == out[ctx.key]), None


def _scatter_extreme(op, tensor, indices, updates, is_max):
    t = _tensor(f"tf.{op}", "tensor", tensor)
    idx = _ints(op, indices, "indices")
    u = _tensor(f"tf.{op}", "updates", updates)
    k = idx.shape[-1] if idx.ndim else 0
    want = idx.shape[:-1] + tuple(t.shape[k:])
    if idx.ndim < 1 or k > t.ndim or tuple(u.shape) != want:
        raise ValueError(f"tf.{op}: indices {idx.shape} and updates {tuple(u.shape)} do not fit "
                         f"tensor {tuple(t.shape)} (updates must be {want})")
    if u.dtype != t.dtype:
        u = Tensor(u.data.astype(t.dtype))
    if idx.size and (np.any(idx < 0) or np.any(idx >= np.asarray(t.shape[:k]))):
        from .tf_debugging import InvalidArgumentError
        raise InvalidArgumentError(f"tf.{op}: indices out of range for tensor "
                                   f"{tuple(t.shape)}")
    return _ScatterExtreme.apply(t, idx, u, is_max)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    return _scatter_extreme("tensor_scatter_nd_max", tensor, indices, updates, True)


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    return _scatter_extreme("tensor_scatter_nd_min", tensor, indices, updates, False)


# ---- histograms, edit distance ------------------------------------------------------------------
def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=np.int32, name=None):
    """The bin of each value among ``nbins`` equal bins of value_range (clamped to the ends)."""
    v = _arr("histogram_fixed_width_bins", values, "values").astype(np.float64)
    lo, hi = (float(a) for a in _arr("histogram_fixed_width_bins", value_range, "value_range"))
    n = int(nbins)
    if n <= 0 or not hi > lo:
        raise ValueError(f"tf.histogram_fixed_width_bins: need nbins > 0 and value_range[0] < "
                         f"value_range[1], got {n} and [{lo}, {hi}]")
    b = np.clip(np.floor((v - lo) / (hi - lo) * n), 0, n - 1)
    return Tensor(b.astype(np.dtype(getattr(dtype, "name", dtype))))


def histogram_fixed_width(values, value_range, nbins=100, dtype=np.int32, name=None):
    """Counts of the values in ``nbins`` equal bins of value_range (the ends take the rest)."""
    b = np.asarray(histogram_fixed_width_bins(values, value_range, nbins).data).reshape(-1)
    return Tensor(np.bincount(b, minlength=int(nbins)).astype(
        np.dtype(getattr(dtype, "name", dtype))))


def _levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def _sequences(op, sp, name):
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"tf.{op}: {name} must be a tf.SparseTensor, got {type(sp).__name__}")
    idx = np.asarray(host(sp.indices.data)).astype(np.int64)
    vals = np.asarray(host(sp.values.data))
    seqs = {}
    for row, v in sorted(zip(map(tuple, idx), vals), key=lambda rv: rv[0]):
        seqs.setdefault(row[:-1], []).append(v)
    return seqs, tuple(int(d) for d in sp.shape)


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """The Levenshtein distance between the sequences (the last axis) of two SparseTensors, a
    dense float32 tensor over the other axes; ``normalize`` divides by the truth's length (inf
    for an empty truth and non-empty hypothesis, 0 for both empty, as TensorFlow)."""
    hs, hshape = _sequences("edit_distance", hypothesis, "hypothesis")
    ts, tshape = _sequences("edit_distance", truth, "truth")
    if len(hshape) != len(tshape):
        raise ValueError(f"tf.edit_distance: hypothesis rank {len(hshape)} and truth rank "
                         f"{len(tshape)} differ")
    shape = tuple(max(a, b) for a, b in zip(hshape[:-1], tshape[:-1]))
    out = np.zeros(shape, np.float64)
    for pos in np.ndindex(shape):
        h, t = hs.get(pos, []), ts.get(pos, [])
        d = float(_levenshtein(h, t))
        if normalize:
            d = d / len(t) if t else (np.inf if h else 0.0)
        out[pos] = d
    return Tensor(out.astype(np.float32))


# ---- space <-> batch ----------------------------------------------------------------------------
def _block_args(op, x, block_shape, pairs, what):
    bs = [int(v) for v in _ints(op, block_shape, "block_shape").reshape(-1)]
    pr = _ints(op, pairs, what).reshape(-1, 2)
    m = len(bs)
    if pr.shape[0] != m or x.ndim < m + 1 or min(bs, default=1) < 1 or np.any(pr < 0):
        raise ValueError(f"tf.{op}: block_shape {bs} (>= 1 each) and {what} {pr.tolist()} "
                         f"(M x 2, non-negative) must fit input {tuple(x.shape)}")
    return bs, [tuple(int(a) for a in p) for p in pr], m


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002
    """Zero-pads the M spatial axes, then moves blocks of block_shape into the batch axis."""
    from .tf_array import pad
    x = _tensor("tf.space_to_batch_nd", "input", input)
    bs, pads, m = _block_args("space_to_batch_nd", x, block_shape, paddings, "paddings")
    xp = pad(x, [[0, 0]] + [list(p) for p in pads] + [[0, 0]] * (x.ndim - m - 1))
    sp = xp.shape[1:m + 1]
    if any(s % b for s, b in zip(sp, bs)):
        raise ValueError(f"tf.space_to_batch_nd: padded spatial shape {tuple(sp)} must be "
                         f"divisible by block_shape {bs}")
    rest = tuple(xp.shape[m + 1:])
    shape = (xp.shape[0],) + tuple(v for s, b in zip(sp, bs) for v in (s // b, b)) + rest
    y = K.reshape(xp, shape)
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = K.permute_dimensions(y, perm)
    return K.reshape(y, (xp.shape[0] * int(np.prod(bs)),) + tuple(s // b for s, b in zip(sp, bs))
                     + rest)


def space_to_batch(input, block_shape, paddings, name=None):  # noqa: A002
    """TensorFlow 2's tf.space_to_batch: space_to_batch_nd."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input, block_shape, crops, name=None):  # noqa: A002
    """The inverse of space_to_batch_nd: blocks of the batch back into the M spatial axes,
    then ``crops`` removed."""
    x = _tensor("tf.batch_to_space", "input", input)
    bs, crop, m = _block_args("batch_to_space", x, block_shape, crops, "crops")
    prod = int(np.prod(bs))
    if x.shape[0] % prod:
        raise ValueError(f"tf.batch_to_space: batch {x.shape[0]} must be divisible by "
                         f"prod(block_shape) = {prod}")
    n = x.shape[0] // prod
    sp, rest = tuple(x.shape[1:m + 1]), tuple(x.shape[m + 1:])
    y = K.reshape(x, tuple(bs) + (n,) + sp + rest)
    perm = [m] + [v for i in range(m) for v in (m + 1 + i, i)] + \
        list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = K.reshape(K.permute_dimensions(y, perm), (n,) + tuple(s * b for s, b in zip(sp, bs))
                  + rest)
    idx = (slice(None),) + tuple(slice(c0, y.shape[1 + i] - c1) for i, (c0, c1)
                                 in enumerate(crop))
    return y[idx]


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """(paddings, crops), int32 (M, 2): base_paddings extended at the end so that the padded
    shape divides block_shape, and the crops that undo the extension."""
    shape = _ints("required_space_to_batch_paddings", input_shape, "input_shape").reshape(-1)
    bs = _ints("required_space_to_batch_paddings", block_shape, "block_shape").reshape(-1)
    base = np.zeros((bs.size, 2), np.int64) if base_paddings is None else \
        _ints("required_space_to_batch_paddings", base_paddings, "base_paddings").reshape(-1, 2)
    if shape.size != bs.size or base.shape[0] != bs.size or np.any(bs < 1):
        raise ValueError(f"tf.required_space_to_batch_paddings: input_shape {shape.tolist()}, "
                         f"block_shape {bs.tolist()} (>= 1) and base_paddings {base.tolist()} "
                         f"must have one entry (row) per block axis")
    full = shape + base[:, 0] + base[:, 1]
    extra = (bs - full % bs) % bs
    pads = np.stack([base[:, 0], base[:, 1] + extra], 1)
    crops = np.stack([np.zeros_like(extra), extra], 1)
    return Tensor(pads.astype(np.int32)), Tensor(crops.astype(np.int32))


# ---- casts --------------------------------------------------------------------------------------
def saturate_cast(value, dtype, name=None):
    """A cast that clamps to the target dtype's range first (no wrap-around)."""
    a = _arr("saturate_cast", value, "value")
    dt = np.dtype(getattr(dtype, "name", dtype))
    narrower_float = dt.kind == "f" and a.dtype.kind == "f" and dt.itemsize < a.dtype.itemsize
    if dt.kind in "iu" or narrower_float:
        info = np.iinfo(dt) if dt.kind in "iu" else np.finfo(dt)
        lo, hi = info.min, info.max
        if a.dtype.kind == "f":
            # the bounds as the input's floats, rounded inwards (float32(2**31 - 1) is 2**31)
            lo_f, hi_f = np.asarray(lo, a.dtype), np.asarray(hi, a.dtype)
            if float(hi_f) > float(hi):
                hi_f = np.nextafter(hi_f, a.dtype.type(0))
            if float(lo_f) < float(lo):
                lo_f = np.nextafter(lo_f, a.dtype.type(0))
            a = np.clip(a, lo_f, hi_f)
        elif a.dtype.kind in "iu":
            a = np.clip(a, max(int(lo), int(np.iinfo(a.dtype).min)),
                        min(int(hi), int(np.iinfo(a.dtype).max)))
    with np.errstate(invalid="ignore"):
        return Tensor(np.asarray(a).astype(dt))


def bitcast(input, type, name=None):  # noqa: A002
    """The same bytes read as ``type``: a wider input gains a last axis of the size ratio, a
    narrower one loses its last axis (which must equal the ratio)."""
    a = np.ascontiguousarray(_arr("bitcast", input, "input"))
    dt = np.dtype(getattr(type, "name", type))
    if dt.itemsize == a.dtype.itemsize:
        return Tensor(a.view(dt))
    if dt.itemsize < a.dtype.itemsize:
        return Tensor(a.reshape(a.shape + (1,)).view(dt))
    ratio = dt.itemsize // a.dtype.itemsize
    if a.ndim == 0 or a.shape[-1] != ratio:
        raise ValueError(f"tf.bitcast: input of shape {a.shape} ({a.dtype}) needs a last axis "
                         f"of {ratio} to become {dt}")
    return Tensor(a.view(dt).reshape(a.shape[:-1]))


# ---- tf.bitwise ---------------------------------------------------------------------------------
def _bitwise(name, fn, arity=2):
    def op(*args, name=None):
        arrs = [_ints(f"bitwise.{name_}", a, n) for a, n in zip(args, ("x", "y"))]
        return Tensor(np.asarray(fn(*arrs)))
    name_ = name
    op.__name__ = op.__qualname__ = name
    return op


def _shift(left):
    def fn(x, y):
        bits = x.dtype.itemsize * 8
        y = y.astype(x.dtype)
        out = (np.left_shift if left else np.right_shift)(x, np.clip(y, 0, bits - 1))
        bad = (y < 0) | (y >= bits)
        return np.where(bad, 0 if left or x.dtype.kind == "u" else np.where(x < 0, -1, 0), out) \
            .astype(x.dtype)
    return fn


bitwise = types.SimpleNamespace(
    bitwise_and=_bitwise("bitwise_and", np.bitwise_and),
    bitwise_or=_bitwise("bitwise_or", np.bitwise_or),
    bitwise_xor=_bitwise("bitwise_xor", np.bitwise_xor),
    invert=_bitwise("invert", np.invert, 1),
    left_shift=_bitwise("left_shift", _shift(True)),
    right_shift=_bitwise("right_shift", _shift(False)))
