"""Merge layers (Keras 2's keras/layers/merge.py): Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot, and their function forms (``add([a, b])`` ...).

Each takes a list of tensors. The elementwise ones need shapes that agree (a 1 broadcasts, as
Keras allows), Concatenate needs equal shapes except along ``axis``; a mismatch is a ValueError
when the graph is built. They run the differentiable ops of ops/basic.py (add, sub, mul,
maximum, concatenate, matmul, sum); minimum is ``-maximum(-a, -b)``."""
import sys
import types

import numpy as np

from ..engine.base_layer import Layer, _fmt_shape
from ..ops import basic as B

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _broadcast_shape(a, b):
    """Keras 2's _compute_elemwise_op_output_shape on shapes without the batch axis."""
    if None in (a, b):
        return None
    if len(a) < len(b):
        return _broadcast_shape(b, a)
    if not b:
        return a
    out = list(a[:-len(b)])
    for i, j in zip(a[-len(b):], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1:
            out.append(i)
        elif i != j:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {_fmt_shape(a)} "
                             f"and {_fmt_shape(b)}")
        else:
            out.append(i)
    return tuple(out)


def _as_list(inputs, layer):
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(f'A merge layer should be called on a list of inputs. Received: '
                         f'inputs={inputs!r} (not a list of tensors) in layer "{layer.name}"')
    return list(inputs)


class _Merge(Layer):
    """Elementwise merge of two or more tensors of compatible shapes."""
    supports_masking = True
    _min_inputs = 1  # tf_keras 2.21 merges a list of one (keras-io concatenates lists of one)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < self._min_inputs:
            n = len(input_shape) if isinstance(input_shape, list) else int(input_shape != ())
            k = self._min_inputs
            raise ValueError(f"A merge layer should be called on a list of at least {k} "
                             f"input{'s' if k > 1 else ''}. Got {n} inputs. Full input_shape "
                             f"received: {input_shape}")
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        out = input_shape[0][1:]
        for s in input_shape[1:]:
            out = _broadcast_shape(out, tuple(s[1:]))
        batch = [s[0] for s in input_shape if s[0] is not None]
        return (batch[0] if batch else None,) + tuple(out)

    def _merge_function(self, xs):
        """The merge of the list of input tensors ``xs``: Keras 2's extension point, which a
        subclass of ``keras.layers.merge._Merge`` overrides (GDL's RandomWeightedAverage)."""
        raise NotImplementedError(f"{type(self).__name__}: a _Merge subclass implements "
                                  "_merge_function(self, inputs)")

    def call(self, inputs, training=False, mask=None):
        return self._merge_function(_as_list(inputs, self))

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        ms = [m for m in mask if m is not None]
        out = ms[0]
        for m in ms[1:]:
            out = out & m
        return out


class Add(_Merge):
    def _merge_function(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = B.add(out, x)
        return out


class Subtract(_Merge):
    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             f"input_shape={input_shape}")
        super().build(input_shape)

    def _merge_function(self, xs):
        if len(xs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs, got "
                             f"{len(xs)}")
        return B.sub(xs[0], xs[1])


class Multiply(_Merge):
    def _merge_function(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = B.mul(out, x)
        return out


class Average(_Merge):
    def _merge_function(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = B.add(out, x)
        if out.dtype == np.float32:
            return B.mul(out, np.float32(1.0 / len(xs)))
        return B.div(out, float(len(xs)))  # (float64: Keras 2's division, to the last bit)


class Maximum(_Merge):
    def _merge_function(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = B.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge_function(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = B.neg(B.maximum(B.neg(out), B.neg(x)))
        return out


class Concatenate(_Merge):
    """Concatenation along ``axis`` (default -1, the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self._record(axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        ax = self.axis % rank if -rank <= self.axis < rank else None
        bad = ax is None or any(len(s) != rank for s in shapes) or any(
            len({s[i] for s in shapes if s[i] is not None}) > 1
            for i in range(rank) if i != ax)
        if bad:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except "
                             f"for the concatenation axis. Received: input_shape={_fmt_shape(shapes)}")
        out = list(shapes[0])
        out[ax] = None if any(s[ax] is None for s in shapes) else sum(s[ax] for s in shapes)
        for i in range(rank):
            if i != ax and out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        return tuple(out)

    def _merge_function(self, xs):
        return B.concatenate(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if self.axis % inputs[0].ndim == inputs[0].ndim - 1:
            return super().compute_mask(inputs, mask)  # along features: a step is kept by all
        raise NotImplementedError(f"{self.name}: concatenating masked inputs along axis "
                                  f"{self.axis} is not supported")


def _l2_normalize(x, axis):
    n = B.sqrt(B.maximum(B.sum(B.mul(x, x), axis=axis, keepdims=True), 1e-12))  # (in x's dtype)
    return B.div(x, n)


class Dot(_Merge):
    """Dot product between samples of two tensors along ``axes`` (an int or a pair), with
    optional L2 normalization first (cosine proximity): Keras 2's batch_dot. The result holds
    a's other non-batch axes, then b's (2-D inputs give (batch, 1)); inputs of any ranks >= 2,
    e.g. keras-attention's (batch, T, U) with (batch, U) over axes [2, 1] -> (batch, T)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        self.axes = tuple(int(a) for a in axes)
        if len(self.axes) != 2:
            raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.normalize = bool(normalize)
        self._record(axes=list(self.axes) if self.axes[0] != self.axes[1] else self.axes[0],
                     normalize=self.normalize)

    def _norm_axes(self, ra, rb):
        return tuple(a % r if a < 0 else a for a, r in zip(self.axes, (ra, rb)))

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        a, b = (tuple(s) for s in input_shape)
        ax, bx = self._norm_axes(len(a), len(b))
        if a[ax] is not None and b[bx] is not None and a[ax] != b[bx]:
            raise ValueError(f"Incompatible input shapes: axis values {a[ax]} (at axis {ax}) != "
                             f"{b[bx]} (at axis {bx}). Full input shapes: {_fmt_shape(a)}, "
                             f"{_fmt_shape(b)}")
        if len(a) < 2 or len(b) < 2 or 0 in (ax, bx):
            raise ValueError(f"{self.name}: Dot contracts a non-batch axis of two inputs of rank "
                             f">= 2, got {_fmt_shape(a)} and {_fmt_shape(b)} with axes "
                             f"{self.axes}")
        out = [d for i, d in enumerate(a) if i not in (0, ax)] + \
              [d for i, d in enumerate(b) if i not in (0, bx)]
        return (a[0],) + tuple(out) if out else (a[0], 1)

    def _merge_function(self, xs):
        a, b = xs
        ax, bx = self._norm_axes(a.ndim, b.ndim)
        if self.normalize:
            a, b = _l2_normalize(a, ax), _l2_normalize(b, bx)
        if a.ndim == 2 and b.ndim == 2:
            return B.sum(B.mul(a, b), axis=1, keepdims=True)
        if a.ndim == 3 and b.ndim == 3:
            if ax == 1:
                a = B.transpose(a, (0, 2, 1))
            if bx == 2:
                b = B.transpose(b, (0, 2, 1))
            return B.matmul(a, b)
        # any other ranks: (batch, a's rest, k) @ (batch, k, b's rest) as one batched product
        ra = [i for i in range(1, a.ndim) if i != ax]
        rb = [i for i in range(1, b.ndim) if i != bx]
        a_rest, b_rest = [a.shape[i] for i in ra], [b.shape[i] for i in rb]
        n, k = a.shape[0], a.shape[ax]
        a = B.reshape(B.transpose(a, [0] + ra + [ax]), (n, int(np.prod(a_rest)), k))
        b = B.reshape(B.transpose(b, [0, bx] + rb), (n, k, int(np.prod(b_rest))))
        out = tuple(a_rest + b_rest)
        return B.reshape(B.matmul(a, b), (n,) + (out if out else (1,)))


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


class _MergeModule(types.ModuleType):
    """This module, callable as Keras 2.0-2.1's ``keras.layers.merge`` function (Keras 1's
    ``merge([a, b], mode='concat')``; layers/legacy.py): there that name was the function, and
    ``from keras.layers import merge`` still gives this module, whose names stay importable."""

    def __call__(self, inputs, *args, **kwargs):
        from .legacy import merge
        return merge(inputs, *args, **kwargs)


sys.modules[__name__].__class__ = _MergeModule
