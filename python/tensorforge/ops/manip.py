"""Differentiable shape manipulation beyond reshape / transpose / concatenate (ops.basic):
stack, tile, repeat (np.repeat along one axis), gather (rows of a table, repeated indices
accumulate), reverse, zero padding.

Arrays or Tensors in; each op checks its arguments at its boundary (counts and pads are
geometry: an output too large for memory is a ValueError before anything is allocated).
Written on the array module, so NumPy and CuPy both run them.
"""
from .._xp import array_module
from ..autograd import Function
from ._args import array_arg, axis_arg, check_output_size, int_arg, int_seq, shape_str
from .basic import scatter_add
from .reduce import normalize_axis

__all__ = ["stack", "tile", "repeat", "gather", "reverse", "pad"]


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        return array_module(*arrays).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        idx = [slice(None)] * g.ndim
        out = []
        for i in range(g.shape[ctx.axis]):
            idx[ctx.axis] = i
            out.append(g[tuple(idx)])
        return tuple(out)


class Tile(Function):
    """tile(a, reps) with len(reps) == a.ndim; backward sums the copies."""

    @staticmethod
    def forward(ctx, a, reps):
        ctx.shape = a.shape
        ctx.reps = reps
        return array_module(a).tile(a, reps)

    @staticmethod
    def backward(ctx, g):
        inter = []
        for r, s in zip(ctx.reps, ctx.shape):
            inter += [r, s]
        g = g.reshape(inter).sum(axis=tuple(range(0, 2 * len(ctx.shape), 2)))
        return g, None


class Repeat(Function):
    """Each element repeated ``rep`` times along ``axis`` (np.repeat); backward sums them."""

    @staticmethod
    def forward(ctx, a, rep, axis):
        ctx.meta = (a.shape, rep, axis)
        return array_module(a).repeat(a, rep, axis=axis)

    @staticmethod
    def backward(ctx, g):
        shape, rep, axis = ctx.meta
        split = shape[:axis] + (shape[axis], rep) + shape[axis + 1:]
        return g.reshape(split).sum(axis=axis + 1), None, None


class Gather(Function):
    """reference[indices] along axis 0 (integer indices of any shape)."""

    @staticmethod
    def forward(ctx, ref, indices):
        ctx.meta = (ref.shape, ref.dtype, indices)
        return array_module(ref).take(ref, indices, axis=0)

    @staticmethod
    def backward(ctx, g):
        shape, dtype, indices = ctx.meta
        xp = array_module(g)
        out = xp.zeros(shape, dtype=dtype)
        flat_i = indices.reshape(-1)
        scatter_add(out, flat_i, g.reshape((flat_i.shape[0],) + tuple(shape[1:])))
        return out, None


class Reverse(Function):
    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return _flip(a, axes)

    @staticmethod
    def backward(ctx, g):
        return _flip(g, ctx.axes), None


class Pad(Function):
    """Zero padding: ``pads`` is one (before, after) pair per axis; backward slices it off."""

    @staticmethod
    def forward(ctx, a, pads):
        ctx.pads = pads
        return _zero_padded(a, pads)

    @staticmethod
    def backward(ctx, g):
        return g[tuple(slice(b, g.shape[i] - e) for i, (b, e) in enumerate(ctx.pads))], None


def _zero_padded(a, pads):
    """numpy.pad(a, pads) (constant zeros): a written into an uninitialized array, then only the
    borders zeroed, one block per padded side. numpy.pad fills its borders through generic
    strided writes; on the (N, H, W, C) activations ZeroPadding2D pads on every training step
    of MobileNetV2 / EfficientNet (8x48x48x96, one row and column) this takes half its time."""
    xp = array_module(a)
    out = xp.empty(tuple(s + b + e for s, (b, e) in zip(a.shape, pads)), dtype=a.dtype)
    out[tuple(slice(b, b + s) for s, (b, _) in zip(a.shape, pads))] = a
    for ax, (b, e) in enumerate(pads):
        if b or e:
            idx = [slice(None)] * a.ndim
            if b:
                idx[ax] = slice(0, b)
                out[tuple(idx)] = 0
            if e:
                idx[ax] = slice(out.shape[ax] - e, None)
                out[tuple(idx)] = 0
    return out


def _flip(a, axes):
    idx = [slice(None)] * a.ndim
    for ax in axes:
        idx[ax] = slice(None, None, -1)
    return a[tuple(idx)]


def stack(arrays, axis=0):
    op = "stack"
    if not isinstance(arrays, (list, tuple)) or not arrays:
        raise TypeError(f"{op}: arrays must be a non-empty list, got {type(arrays).__name__}")
    checked = [array_arg(op, f"arrays[{i}]", t, "biufc") for i, t in enumerate(arrays)]
    shapes = {tuple(d.shape) for _, d in checked}
    if len(shapes) > 1:
        raise ValueError(f"{op}: arrays must have one shape, got "
                         + ", ".join(shape_str(d.shape) for _, d in checked))
    ndim = checked[0][1].ndim
    axis = axis_arg(op, "axis", axis, ndim + 1, checked[0][1].shape)
    out = list(checked[0][1].shape)
    out.insert(axis, len(checked))
    check_output_size(op, "the output", out, checked[0][1].itemsize)
    return Stack.apply(*[t for t, _ in checked], axis=axis)


def tile(a, reps):
    op = "tile"
    a, x = array_arg(op, "x", a, "biufc")
    reps = int_seq(op, "reps", reps)
    if len(reps) != x.ndim:
        raise ValueError(f"{op}: reps must have one count per axis of x {shape_str(x.shape)}, got {reps}")
    check_output_size(op, "the output", [s * r for s, r in zip(x.shape, reps)], x.itemsize)
    return Tile.apply(a, reps)


def repeat(a, rep, axis):
    op = "repeat"
    a, x = array_arg(op, "x", a, "biufc")
    rep = int_arg(op, "rep", rep, 0)
    axis = axis_arg(op, "axis", axis, x.ndim, x.shape)
    out = list(x.shape)
    out[axis] *= rep
    check_output_size(op, "the output", out, x.itemsize)
    return Repeat.apply(a, rep, axis)


def gather(ref, indices):
    """Rows ``ref[indices]`` (axis 0); every index must be in [0, len(ref))."""
    op = "gather"
    ref, r = array_arg(op, "reference", ref, "biufc")
    if r.ndim == 0:
        raise ValueError(f"{op}: reference must have at least one axis, got shape ()")
    _, idx = array_arg(op, "indices", indices, "iu")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= r.shape[0]):
        raise ValueError(f"{op}: indices must be in [0, {r.shape[0]}) for a reference of shape "
                         f"{shape_str(r.shape)}, got values in [{int(idx.min())}, {int(idx.max())}]")
    return Gather.apply(ref, idx)


def reverse(a, axes):
    a, x = array_arg("reverse", "x", a, "biufc")
    return Reverse.apply(a, normalize_axis("reverse", axes, x.ndim, x.shape) or ())


def pad(a, pads):
    """Zero padding; ``pads`` is one (before, after) pair of ints >= 0 per axis."""
    op = "pad"
    a, x = array_arg(op, "x", a, "biufc")
    if not isinstance(pads, (list, tuple)) or len(pads) != x.ndim:
        raise ValueError(f"{op}: pads must be one (before, after) pair per axis of x "
                         f"{shape_str(x.shape)}, got {pads!r}")
    pairs = []
    for i, p in enumerate(pads):
        p = int_seq(op, f"pads[{i}]", p)
        if len(p) != 2:
            raise ValueError(f"{op}: pads[{i}] must be a (before, after) pair, got {pads[i]!r}")
        pairs.append(p)
    check_output_size(op, "the output", [s + b + e for s, (b, e) in zip(x.shape, pairs)], x.itemsize)
    return Pad.apply(a, tuple(pairs))
