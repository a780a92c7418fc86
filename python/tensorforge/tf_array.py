"""TensorFlow 2's array ops that Keras 2 programs call as ``tf.*`` beyond tf_compat.py's set:
padding (CONSTANT / REFLECT / SYMMETRIC), reverse, roll, broadcast_to, boolean_mask,
sequence_mask, eye, meshgrid, sort / argsort, unique, slice / strided_slice, scatter_nd and the
tensor_scatter_nd updates, searchsorted, gather with ``axis`` / ``batch_dims``, and the norms and
gradient clipping of custom training loops (norm, clip_by_norm, clip_by_global_norm).

Value-moving ops are differentiable: each either composes differentiable ops or is one
``Function`` whose backward moves the gradient back along the same index map. Index results are
int32 as TensorFlow's (argsort, unique's idx, searchsorted).
"""
import builtins
import collections

import numpy as np

from . import backend_ops as K
from ._text import text_values
from ._xp import array_module, host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .ops.basic import unbroadcast
from .ops.manip import pad as _zero_pad
from .symbolic.node import KerasTensor
from .tf_nd import _index_tuple, tensor_scatter_nd_add

__all__ = ["pad", "reverse", "roll", "broadcast_to", "boolean_mask", "sequence_mask", "eye",
           "meshgrid", "sort", "argsort", "unique", "unique_with_counts", "slice",
           "strided_slice", "scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_sub",
           "searchsorted", "gather", "norm", "clip_by_norm", "clip_by_global_norm", "is_tensor",
           "cumsum"]


def _t(op, x, name="tensor"):
    return _tensor(f"tf.{op}", name, x)


def _ints(op, name, v):
    a = np.asarray(host(v.data if isinstance(v, Tensor) else v))
    if a.dtype.kind not in "iu" and not (a.dtype.kind == "f" and a.size == 0):
        raise TypeError(f"tf.{op}: {name} must be integers, got {a.dtype}")
    return a.astype(np.int64)


class _Gathered(Function):
    """y = x.flat[src]; the gradient adds back along src."""
    @staticmethod
    def forward(ctx, x, src):
        ctx.save_for_backward(src)
        ctx.shape = x.shape
        return x.reshape(-1)[src]

    @staticmethod
    def backward(ctx, g):
        (src,) = ctx.saved
        xp = array_module(g)
        gx = xp.zeros(int(np.prod(ctx.shape, dtype=np.int64)), g.dtype)
        xp.add.at(gx, src, g)
        return gx.reshape(ctx.shape), None


def _by_index_map(x, index_map):
    """x moved by an index map: an int64 array of flat positions in x, in the result's shape."""
    return _Gathered.apply(x, array_module(x.data).asarray(index_map))


def _source_index(shape):
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)


# ---- padding, reversal, rolling, broadcasting -------------------------------------------------
def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    s = text_values(tensor)
    if s is not None:
        return _pad_text(s, paddings, mode, constant_values)
    x = _t("pad", tensor)
    pads, m = _pad_args(x.shape, paddings, mode)
    if m == "CONSTANT":
        y = _zero_pad(x, [tuple(int(v) for v in p) for p in pads])
        c = float(host(getattr(constant_values, "data", constant_values)))
        if c != 0:
            border = np.pad(np.zeros(x.shape, x.dtype), pads, constant_values=c)
            y = y + Tensor(array_module(x.data).asarray(border))
        return y
    return _by_index_map(x, np.pad(_source_index(x.shape), pads, mode=m.lower()))


def _pad_args(shape, paddings, mode):
    """tf.pad's checked (paddings as an (ndim, 2) int array, MODE) for a tensor of ``shape``."""
    pads = _ints("pad", "paddings", paddings)
    if pads.shape != (len(shape), 2) or (pads < 0).any():
        raise ValueError(f"tf.pad: paddings must be {len(shape)} non-negative (before, after) "
                         f"pairs for a tensor of shape {tuple(shape)}, got {pads.tolist()}")
    m = str(mode).upper()
    if m not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"tf.pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got {mode!r}")
    for ax, (b, a) in enumerate(pads):
        lim = shape[ax] - (1 if m == "REFLECT" else 0)
        if m != "CONSTANT" and (b > lim or a > lim):
            raise ValueError(f"tf.pad: {m} padding of axis {ax} (size {shape[ax]}) must be at "
                             f"most {lim} each side, got {b}, {a}")
    return pads, m


def _pad_text(s, paddings, mode, constant_values):
    """tf.pad of a string tensor: ``constant_values`` a string (TensorFlow's default 0 pads
    with b"", another number is its TypeError), the modes as for numbers."""
    pads, m = _pad_args(s.shape, paddings, mode)
    if m != "CONSTANT":
        return Tensor(np.pad(s, pads, mode=m.lower()))
    c = getattr(constant_values, "data", constant_values)
    if isinstance(c, np.ndarray) and c.ndim == 0:
        c = c.item()
    if isinstance(c, str):
        c = c.encode("utf-8")
    elif isinstance(c, (int, np.integer)) and c == 0:
        c = b""
    if not isinstance(c, bytes):
        raise TypeError(f"tf.pad: constant_values of a string tensor must be a string, got "
                        f"{type(c).__name__} {c!r}")
    out = np.full(tuple(n + int(b) + int(a) for n, (b, a) in zip(s.shape, pads)), c, dtype=object)
    out[tuple(builtins.slice(int(b), int(b) + n) for n, (b, _) in zip(s.shape, pads))] = s
    return Tensor(out)


def reverse(tensor, axis, name=None):
    x = _t("reverse", tensor)
    axes = [int(a) % x.ndim for a in np.atleast_1d(_ints("reverse", "axis", axis))]
    return K.reverse(x, axes) if axes else x


def roll(input, shift, axis, name=None):  # noqa: A002
    x = _t("roll", input)
    shifts = np.atleast_1d(_ints("roll", "shift", shift))
    axes = np.atleast_1d(_ints("roll", "axis", axis))
    if shifts.shape != axes.shape:
        raise ValueError(f"tf.roll: shift {shifts.tolist()} and axis {axes.tolist()} must have "
                         "the same length")
    src = _source_index(x.shape)
    for s, a in zip(shifts, axes):
        src = np.roll(src, int(s), axis=int(a))  # repeated axes add up, as TensorFlow's
    return _by_index_map(x, src)


class _BroadcastTo(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return array_module(x).broadcast_to(x, shape).copy()

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.in_shape), None


def broadcast_to(input, shape, name=None):  # noqa: A002
    x = _t("broadcast_to", input)
    shp = tuple(int(s) for s in _ints("broadcast_to", "shape", shape))
    try:
        np.broadcast_shapes(x.shape, shp)
    except ValueError:
        raise ValueError(f"tf.broadcast_to: cannot broadcast shape {x.shape} to {shp}") from None
    if np.broadcast_shapes(x.shape, shp) != shp:
        raise ValueError(f"tf.broadcast_to: cannot broadcast shape {x.shape} to {shp}")
    return _BroadcastTo.apply(x, shp)


# ---- masks ---------------------------------------------------------------------------------------
def boolean_mask(tensor, mask, axis=None, name=None):
    """The entries of ``tensor`` where ``mask`` (covering axes axis..axis+mask.ndim) is True."""
    x = _t("boolean_mask", tensor)
    m = np.asarray(host(mask.data if isinstance(mask, Tensor) else mask)).astype(bool)
    ax = 0 if axis is None else int(axis) % x.ndim
    if m.ndim == 0 or tuple(x.shape[ax:ax + m.ndim]) != m.shape:
        raise ValueError(f"tf.boolean_mask: mask of shape {m.shape} does not match axes "
                         f"{ax}..{ax + m.ndim - 1} of the tensor's shape {x.shape}")
    src = _source_index(x.shape)[(builtins.slice(None),) * ax + (m,)]
    return _by_index_map(x, src)


def sequence_mask(lengths, maxlen=None, dtype=np.bool_, name=None):
    n = _ints("sequence_mask", "lengths", lengths)
    width = int(n.max(initial=0)) if maxlen is None else int(host(getattr(maxlen, "data", maxlen)))
    out = np.arange(width) < n[..., None]
    return Tensor(out.astype(np.dtype(getattr(dtype, "name", dtype))))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=np.float32, name=None):
    m = np.eye(int(num_rows), int(num_rows if num_columns is None else num_columns),
               dtype=np.dtype(getattr(dtype, "name", dtype)))
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(int(b) for b in batch_shape) + m.shape).copy()
    return Tensor(m)


def meshgrid(*args, **kwargs):
    """Coordinate grids of 1-D tensors; ``indexing='xy'`` (default) swaps the first two axes."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs or indexing not in ("xy", "ij"):
        raise TypeError(f"tf.meshgrid: unexpected arguments {sorted(kwargs)} / indexing "
                        f"{indexing!r}")
    xs = [K.reshape(_t("meshgrid", a), (-1,)) for a in args]
    shape = [int(a.shape[0]) for a in xs]
    if indexing == "xy" and len(xs) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, a in enumerate(xs):
        pos = i if indexing == "ij" or len(xs) < 2 or i > 1 else 1 - i
        view = [1] * len(xs)
        view[pos] = shape[pos]
        out.append(broadcast_to(K.reshape(a, tuple(view)), shape))
    return out


# ---- sorting and uniqueness ----------------------------------------------------------------------
def _order(op, x, axis, direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"tf.{op}: direction must be ASCENDING or DESCENDING, got {direction!r}")
    a = np.asarray(host(x.data))
    ax = int(axis) % max(a.ndim, 1)
    key = -a if direction == "DESCENDING" else a
    return np.argsort(key, axis=ax, kind="stable"), ax


def sort(values, axis=-1, direction="ASCENDING", name=None):
    x = _t("sort", values, "values")
    idx, ax = _order("sort", x, axis, direction)
    return _by_index_map(x, np.take_along_axis(_source_index(x.shape), idx, axis=ax))


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    idx, _ = _order("argsort", _t("argsort", values, "values"), axis, direction)
    return Tensor(idx.astype(np.int32))


UniqueResult = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique(op, x, out_idx):
    a = np.asarray(host(_t(op, x, "x").data))
    if a.ndim != 1:
        raise ValueError(f"tf.{op}: x must be 1-D, got shape {a.shape}")
    _, first, inv, counts = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # first-appearance order, as TensorFlow's
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    it = np.dtype(getattr(out_idx, "name", out_idx))
    return Tensor(a[np.sort(first)]), Tensor(rank[inv].astype(it)), Tensor(counts[order].astype(it))


def unique(x, out_idx=np.int32, name=None):
    y, idx, _ = _unique("unique", x, out_idx)
    return UniqueResult(y, idx)


def unique_with_counts(x, out_idx=np.int32, name=None):
    return UniqueWithCounts(*_unique("unique_with_counts", x, out_idx))


# ---- slicing and scattering ----------------------------------------------------------------------
def slice(input_, begin, size, name=None):  # noqa: A001
    x = _t("slice", input_, "input_")
    b, s = _ints("slice", "begin", begin), _ints("slice", "size", size)
    if b.shape != (x.ndim,) or s.shape != (x.ndim,):
        raise ValueError(f"tf.slice: begin and size must have {x.ndim} entries for shape "
                         f"{x.shape}, got {b.tolist()} and {s.tolist()}")
    ends = [x.shape[i] if s[i] == -1 else b[i] + s[i] for i in range(x.ndim)]
    for i in range(x.ndim):
        if b[i] < 0 or ends[i] > x.shape[i] or ends[i] < b[i]:
            raise ValueError(f"tf.slice: begin {b.tolist()} and size {s.tolist()} leave shape "
                             f"{x.shape}")
    return x[tuple(builtins.slice(int(b[i]), int(ends[i])) for i in range(x.ndim))]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    if ellipsis_mask or new_axis_mask:
        raise NotImplementedError("tf.strided_slice: ellipsis_mask and new_axis_mask are not "
                                  "supported (index the tensor with [...] instead)")
    x = _t("strided_slice", input_, "input_")
    b, e = _ints("strided_slice", "begin", begin), _ints("strided_slice", "end", end)
    st = np.ones_like(b) if strides is None else _ints("strided_slice", "strides", strides)
    py_slice = builtins.slice
    idx = []
    for i in range(len(b)):
        if shrink_axis_mask >> i & 1:
            idx.append(int(b[i]))
            continue
        idx.append(py_slice(None if begin_mask >> i & 1 else int(b[i]),
                            None if end_mask >> i & 1 else int(e[i]), int(st[i])))
    return x[tuple(idx)]


def scatter_nd(indices, updates, shape, name=None):
    u = _t("scatter_nd", updates, "updates")
    shp = tuple(int(s) for s in _ints("scatter_nd", "shape", shape))
    return tensor_scatter_nd_add(K.zeros(shp, dtype=u.dtype.name), indices, u)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with ``updates`` written at ``indices`` (no gradient reaches the
    overwritten entries of ``tensor``)."""
    t = _t("tensor_scatter_nd_update", tensor)
    tup, _, _ = _index_tuple("tensor_scatter_nd_update", indices, t.shape)
    keep = np.ones(t.shape, t.dtype)
    keep[tup] = 0
    kept = t * Tensor(array_module(t.data).asarray(keep))
    return tensor_scatter_nd_add(kept, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    return tensor_scatter_nd_add(tensor, indices, -_t("tensor_scatter_nd_sub", updates, "updates"))


def searchsorted(sorted_sequence, values, side="left", out_type=np.int32, name=None):
    s = np.asarray(host(_t("searchsorted", sorted_sequence, "sorted_sequence").data))
    v = np.asarray(host(_t("searchsorted", values, "values").data))
    if side not in ("left", "right"):
        raise ValueError(f"tf.searchsorted: side must be 'left' or 'right', got {side!r}")
    if s.ndim == 1:
        out = np.searchsorted(s, v, side=side)
    else:
        out = np.stack([np.searchsorted(r, w, side=side) for r, w in
                        zip(s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1]))]
                       ).reshape(v.shape)
    return Tensor(out.astype(np.dtype(getattr(out_type, "name", out_type))))


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """``params`` indexed by ``indices`` along ``axis`` (default batch_dims), the first
    ``batch_dims`` axes of both matched one to one."""
    text = text_values(params)
    p = _t("gather", params, "params") if text is None else Tensor(text)
    idx = _ints("gather", "indices", indices)
    bd = int(batch_dims) % (idx.ndim + 1) if batch_dims < 0 else int(batch_dims)
    ax = bd if axis is None else int(axis) % p.ndim
    if ax < bd or tuple(p.shape[:bd]) != tuple(idx.shape[:bd]):
        raise ValueError(f"tf.gather: batch_dims {batch_dims} and axis {axis} do not fit params "
                         f"{p.shape} and indices {idx.shape}")
    n = p.shape[ax]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"tf.gather: indices must lie in [0, {n}) on axis {ax} of {p.shape}")
    if bd == 0 and ax == 0 and idx.size and idx.min() >= 0 and text is None:
        return K.gather(p, idx)
    src = _source_index(p.shape)
    if bd == 0:
        out = np.take(src, idx, axis=ax)
    else:
        out = np.stack([np.take(src[b], idx[b], axis=ax - bd)
                        for b in np.ndindex(*p.shape[:bd])])
        out = out.reshape(tuple(p.shape[:bd]) + out.shape[1:])
    if text is not None:  # strings: picked as they are (no gradient)
        return Tensor(text.reshape(-1)[out])
    return _by_index_map(p, out)


# ---- norms and clipping ---------------------------------------------------------------------------
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    x = _t("norm", tensor)
    if x.dtype.kind == "c":  # the norm of the magnitudes |z|; TensorFlow's euclidean norms of
        n = _real_norm(K.abs(x), ord, axis, keepdims)  # complex values are complex, others real
        return K.cast(n, x.dtype) if ord in ("euclidean", "fro", 2, 2.0) else n
    return _real_norm(x if x.dtype.kind == "f" else Tensor(x.data.astype(np.float32)), ord, axis,
                      keepdims)


def _real_norm(x, ord, axis, keepdims):  # noqa: A002
    axes = None if axis is None else [int(a) % x.ndim for a in np.atleast_1d(axis)]
    kd = bool(keepdims)
    if axes is not None and len(axes) == 2 and ord not in ("euclidean", "fro"):
        r, c = axes
        if ord == 1:
            return K.max(K.sum(K.abs(x), axis=r, keepdims=True), axis=axes, keepdims=kd)
        if ord == np.inf:
            return K.max(K.sum(K.abs(x), axis=c, keepdims=True), axis=axes, keepdims=kd)
        raise ValueError(f"tf.norm: matrix ord {ord!r} is not supported (use 'fro', 1 or inf)")
    if ord in ("euclidean", "fro", 2, 2.0):
        if ord == "fro" and (axes is None or len(axes) != 2):
            if axes is not None:
                raise ValueError("tf.norm: ord='fro' needs a pair of axes")
        return K.sqrt(K.sum(x * x, axis=axes, keepdims=kd))
    if ord == 1:
        return K.sum(K.abs(x), axis=axes, keepdims=kd)
    if ord == np.inf:
        return K.max(K.abs(x), axis=axes, keepdims=kd)
    if isinstance(ord, (int, float)) and ord > 0:
        return K.pow(K.sum(K.pow(K.abs(x), float(ord)), axis=axes, keepdims=kd), 1.0 / float(ord))
    raise ValueError(f"tf.norm: ord must be 'euclidean', 'fro', a positive number or inf, got "
                     f"{ord!r}")


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(||t||, clip_norm)`` over ``axes`` (all by default); TensorFlow's
    form, so a zero tensor stays zero with a finite gradient."""
    x = _t("clip_by_norm", t, "t")
    l2sum = K.sum(x * x, axis=axes, keepdims=True)
    pos = Tensor(l2sum.data > 0)
    l2norm = K.switch(pos, K.sqrt(K.switch(pos, l2sum, K.ones_like(l2sum))), l2sum)
    return x * clip_norm / K.maximum(l2norm, clip_norm + 0 * l2norm)


def global_norm(t_list, name=None):
    sq = [K.sum(t * t) for t in (_t("global_norm", t, "t_list[i]") for t in t_list if t is not None)]
    total = sq[0]
    for s in sq[1:]:
        total = total + s
    return K.sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """(the tensors scaled by clip_norm / max(global_norm, clip_norm), global_norm); None
    entries stay None (a variable without a gradient)."""
    ts = [None if t is None else _t("clip_by_global_norm", t, "t_list[i]") for t in t_list]
    gn = global_norm(ts) if use_norm is None else _t("clip_by_global_norm", use_norm, "use_norm")
    scale = clip_norm * K.minimum(1.0 / gn, K.ones_like(gn) / clip_norm)
    return [None if t is None else t * scale for t in ts], gn


def is_tensor(x):
    return isinstance(x, (Tensor, KerasTensor))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along ``axis``; ``exclusive`` leaves each entry out of its own sum,
    ``reverse`` runs from the end."""
    t = _t("cumsum", x, "x")
    ax = int(axis) % t.ndim
    if reverse:
        t = K.reverse(t, ax)
    if exclusive:  # shift by one: a zero first, the last entry dropped
        pads = [(1, 0) if i == ax else (0, 0) for i in range(t.ndim)]
        t = _zero_pad(t, pads)[tuple(builtins.slice(0, -1) if i == ax else builtins.slice(None)
                                     for i in range(t.ndim))]
    out = K.cumsum(t, axis=ax)
    return K.reverse(out, ax) if reverse else out
