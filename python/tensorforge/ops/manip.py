"""Differentiable shape manipulation beyond reshape / transpose / concatenate (ops.basic):
stack, tile, repeat (np.repeat along one axis), gather (rows of a table, repeated indices
accumulate), reverse, zero padding.

Arrays or Tensors in; arguments are validated by the Keras-facing wrappers (tensorforge.backend).
Written on the array module, so NumPy and CuPy both run them.
"""
from .._xp import array_module
from ..autograd import Function
from .basic import scatter_add

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
        return array_module(a).pad(a, pads)

    @staticmethod
    def backward(ctx, g):
        return g[tuple(slice(b, g.shape[i] - e) for i, (b, e) in enumerate(ctx.pads))], None


def _flip(a, axes):
    idx = [slice(None)] * a.ndim
    for ax in axes:
        idx[ax] = slice(None, None, -1)
    return a[tuple(idx)]


def stack(arrays, axis=0): return Stack.apply(*arrays, axis=axis)
def tile(a, reps): return Tile.apply(a, tuple(reps))
def repeat(a, rep, axis): return Repeat.apply(a, int(rep), int(axis))
def gather(ref, indices): return Gather.apply(ref, indices)
def reverse(a, axes): return Reverse.apply(a, tuple(axes))
def pad(a, pads): return Pad.apply(a, tuple((int(b), int(e)) for b, e in pads))
