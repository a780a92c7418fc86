"""Backwards written in Tensor ops (``Function.backward_graph``), so that a gradient through these
ops can be differentiated again (See Note [higher-order gradients] in higher_order.py).

Each entry mirrors its op's array backward: the same formula, on the op's inputs as given
(Tensors keep their graph) and on Tensor gradients. A factor that is piecewise constant in the
inputs (the relu / leaky-relu slope, a dropout or clip mask) is a constant array: its own
derivative is zero almost everywhere, as in TensorFlow and PyTorch. Ops linear in their one
differentiable input (reshape, sum, pad, ...) share ``_linear``: their backward as an op whose
own backward is the forward again.

Covered here: add, sub, mul, div, neg, power, square, sqrt, exp, log, abs, clip, maximum,
minimum, sin, cos, matmul, getitem, sum, mean, reshape, transpose, concatenate, stack, tile,
repeat, reverse, gather, pad, cast, dense, conv2d (its input and weight gradients are
convolutions, differentiable in turn), conv2d_transpose, avg_pool2d, global_avg_pool2d,
max_pool2d, upsample2d, dropout, softmax, softmax cross-entropy, the activations (relu with any
arguments, leaky_relu, elu, selu, softplus, sigmoid, hard_sigmoid, tanh, linear) and batch
normalization in training and in inference mode, layer and group normalization, reduce max / min / var / prod (prod's third
derivative is not), where, power with a Tensor exponent, embedding lookup, depthwise
convolution; the recurrent ops (lstm, gru, simple_rnn) in double_backward_rnn.py. Not yet (the
error naming the op): cumsum, cumprod, logsumexp and the rest.
"""
import numpy as np

from .. import kernels
from .._xp import array_module
from ..autograd import Context, Function, Tensor
from ..reference.pointwise import SELU_ALPHA, SELU_SCALE
from . import basic, elementwise
from .reduce import _Extreme, _Prod, _Var, _exclusive_products, _groups, prod_others
from .embedding import _EmbeddingLookup
from .activations import _Act, _GeneralRelu, _Softmax
from .conv import _Conv2d, _Conv2dTranspose, _DepthwiseConv2d
from .gemm import _Dense
from .losses_ops import _Dropout, _SoftmaxXent
from .manip import Gather, Pad, Repeat, Reverse, Stack, Tile
from .normalization import _BatchNormInfer, _BatchNormTrain, _LayerNorm
from .normalization_group import _GroupNorm
from .pool import _AvgPool2d, _GlobalAvgPool2d, _MaxPool2d
from .spatial import _Upsample2d


def _shape(x):
    return tuple(getattr(x, "shape", ()))


def _unbroadcast(g, shape):
    """basic.unbroadcast on a Tensor, in recorded ops."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = basic.sum(g, tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = basic.sum(g, axes, True)
    return g if g.shape == shape else basic.reshape(g, shape)


def _const(a, like):
    """A constant factor (array) in the gradient's dtype."""
    return np.asarray(a, dtype=like.dtype) if isinstance(like.data, np.ndarray) else \
        like.data.dtype.type(1) * a


def _register(cls):
    def put(fn):
        cls.backward_graph = staticmethod(fn)
        return fn
    return put


# ---- ops linear in their first input ------------------------------------------------------

class _LinearBackward(Function):
    """``op``'s backward on g as an op (``op`` linear in its first input, the others constants):
    its own backward is op's forward (a linear map's transpose's transpose is the map)."""

    @staticmethod
    def forward(ctx, g, op, op_ctx, rest):
        ctx.op = (op, rest)
        return op.backward(op_ctx, g)[0]

    @staticmethod
    def backward(ctx, gg):
        op, rest = ctx.op
        return op.forward(Context((False,) * (1 + len(rest))), gg, *rest), None, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gg):
        op, rest = ctx.op
        return op.apply(gg, *rest), None, None, None


def _linear(cls):
    def backward_graph(ctx, inputs, g):
        rest = tuple(inputs[1:])
        return (_LinearBackward.apply(g, cls, ctx, rest),) + (None,) * len(rest)
    cls.backward_graph = staticmethod(backward_graph)


for _cls in (basic.Sum, basic.Mean, basic.Reshape, basic.Transpose, basic.GetItem, Pad,
             elementwise.Cast, Tile, Repeat, Reverse, Gather, _AvgPool2d, _GlobalAvgPool2d,
             _Upsample2d):
    _linear(_cls)


# ---- arithmetic -------------------------------------------------------------------------------

@_register(basic.Add)
def _add(ctx, inputs, g):
    a, b = inputs
    need = ctx.needs_input_grad
    return (_unbroadcast(g, _shape(a)) if need[0] else None,
            _unbroadcast(g, _shape(b)) if need[1] else None)


@_register(basic.Sub)
def _sub(ctx, inputs, g):
    a, b = inputs
    need = ctx.needs_input_grad
    return (_unbroadcast(g, _shape(a)) if need[0] else None,
            _unbroadcast(-g, _shape(b)) if need[1] else None)


@_register(basic.Mul)
def _mul(ctx, inputs, g):
    a, b = inputs
    need = ctx.needs_input_grad
    return (_unbroadcast(g * b, _shape(a)) if need[0] else None,
            _unbroadcast(g * a, _shape(b)) if need[1] else None)


@_register(basic.Div)
def _div(ctx, inputs, g):
    a, b = inputs
    need = ctx.needs_input_grad
    return (_unbroadcast(g / b, _shape(a)) if need[0] else None,
            _unbroadcast(-g * a / (b * b), _shape(b)) if need[1] else None)


@_register(basic.Neg)
def _neg(ctx, inputs, g):
    return (-g,)


@_register(basic.Power)
def _power(ctx, inputs, g):
    a, p = inputs
    if p == 0:
        return g * 0.0, None
    return g * float(p) * basic.power(a, p - 1), None


@_register(elementwise.Square)
def _square(ctx, inputs, g):
    (a,) = inputs
    return (g * (a + a),)


@_register(basic.Sqrt)
def _sqrt(ctx, inputs, g):
    y = basic.sqrt(inputs[0])
    return (g / (y + y),)


@_register(elementwise.Sin)
def _sin(ctx, inputs, g):
    return (g * elementwise.cos(inputs[0]),)


@_register(elementwise.Cos)
def _cos(ctx, inputs, g):
    return (-g * elementwise.sin(inputs[0]),)


@_register(basic.Exp)
def _exp(ctx, inputs, g):
    return (g * basic.exp(inputs[0]),)


@_register(basic.Log)
def _log(ctx, inputs, g):
    return (g / inputs[0],)


@_register(basic.Abs)
def _abs(ctx, inputs, g):
    (a,) = ctx.saved
    return (g * _const(np.sign(a), g),)


@_register(basic.Clip)
def _clip(ctx, inputs, g):
    (a,) = ctx.saved
    lo, hi = ctx.bounds
    return g * _const((a >= lo) & (a <= hi), g), None, None


def _select(ctx, inputs, g, take_a):
    a, b = inputs
    need = ctx.needs_input_grad
    m = _const(take_a, g)
    return (_unbroadcast(g * m, _shape(a)) if need[0] else None,
            _unbroadcast(g * (1.0 - m), _shape(b)) if need[1] else None)


@_register(basic.Maximum)
def _maximum(ctx, inputs, g):
    a, b = ctx.saved
    return _select(ctx, inputs, g, a >= b)


@_register(elementwise.Minimum)
def _minimum(ctx, inputs, g):
    a, b = (x.data if isinstance(x, Tensor) else x for x in inputs)
    return _select(ctx, inputs, g, a <= b)


@_register(elementwise.Where)
def _where(ctx, inputs, g):
    """Each side's gradient is g where it was taken: the condition is a constant mask."""
    _, a, b = inputs
    (cond,) = ctx.saved
    need = ctx.needs_input_grad
    m = _const(cond, g)
    return (None, _unbroadcast(g * m, _shape(a)) if need[1] else None,
            _unbroadcast(g * (1.0 - m), _shape(b)) if need[2] else None)


@_register(basic.PowTensor)
def _pow_tensor(ctx, inputs, g):
    """d/da = b * a ** (b - 1), d/db = a ** b * log(a) (0 where a <= 0), as the array backward;
    where a == b == 0 (0 * 0 ** -1 there) the exponent is moved to 0 so that d/da is 0 and
    stays finite. The masks are constants."""
    a, b = inputs
    a_arr, b_arr, _ = ctx.saved
    need = ctx.needs_input_grad
    ga = gb = None
    if need[0]:
        zz = _const((np.asarray(b_arr) == 0) & (np.asarray(a_arr) == 0), g)
        ga = _unbroadcast(g * b * basic.power(a, b - 1.0 + zz), _shape(a))
    if need[1]:
        pos = np.asarray(a_arr) > 0
        safe_a = elementwise.where(pos, a, 1.0) if isinstance(a, Tensor) else np.where(pos, a_arr, 1.0)
        gb = _unbroadcast(g * basic.power(a, b) * basic.log(safe_a) * _const(pos, g), _shape(b))
    return ga, gb


def _keep(g, shape, axis):
    """g (a reduction's output gradient) reshaped to the keepdims shape of ``shape`` reduced
    over ``axis`` (None: every axis), so it broadcasts against the input."""
    keep = tuple(1 if axis is None or i in axis else s for i, s in enumerate(shape))
    return g if g.shape == keep else basic.reshape(g, keep)


@_register(_Extreme)
def _extreme(ctx, inputs, g):
    """max / min: g shared between the tied extremes, a constant routing."""
    a, y = ctx.saved
    axis, _ = ctx.meta
    hit = (a == y).astype(np.float64)
    hit /= hit.sum(axis=axis, keepdims=True)
    return _keep(g, a.shape, axis) * _const(hit, g), None, None, None


@_register(_Var)
def _var(ctx, inputs, g):
    """2 / n * (a - mean(a)) * g, the centring recomputed in recorded ops."""
    a, axis, _ = inputs
    n = ctx.meta[2]
    t = a if isinstance(a, Tensor) else Tensor(a)
    d = t - basic.mean(t, axis, True)
    return d * (_keep(g, _shape(a), axis) * (2.0 / max(n, 1))), None, None


def _exclusive_sums(c):
    """For each position of the last axis, the sum of the other entries (prefix plus suffix
    sums: no subtraction, so a large entry does not cancel the others' digits)."""
    xp = array_module(c)
    if c.shape[-1] == 0:
        return xp.zeros_like(c)
    zero = xp.zeros(c.shape[:-1] + (1,), dtype=c.dtype)
    left = xp.cumsum(xp.concatenate([zero, c[..., :-1]], axis=-1), axis=-1)
    right = xp.cumsum(xp.concatenate([zero, c[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left + right


class _ProdOthers(Function):
    """reduce_prod's first derivative as an op: for each entry, the product of the other entries
    of its group (ops.reduce.prod_others). Its backward, at G: d/da_j sum_i G_i others_i =
    sum_{i != j} G_i prod_{k != i, j} a_k, computed exactly with zeros in the group:
    a_j != 0: (sum_{i != j} G_i others_i) / a_j;  a_j == 0 and the group's only zero: the sum
    over the others of G_i others'_i (others' taken with the zeros read as 1);  one of two
    zeros: G_m others'_m of the other zero m;  three or more zeros: 0. A third derivative
    through it is an error naming it."""

    @staticmethod
    def forward(ctx, a, axis):
        ctx.save_for_backward(a)
        ctx.axis = axis
        return prod_others(a, axis)

    @staticmethod
    def backward(ctx, G):
        (a,) = ctx.saved
        xp = array_module(a)
        flat, back = _groups(a, ctx.axis)
        Gf, _ = _groups(G.astype(a.dtype, copy=False), ctx.axis)
        zero = flat == 0
        nonzero_part = _exclusive_sums(Gf * _exclusive_products(flat)) / xp.where(zero, 1, flat)
        c1 = Gf * _exclusive_products(xp.where(zero, flat.dtype.type(1), flat))
        z = zero.sum(axis=-1, keepdims=True)
        zero_part = (xp.where(z == 1, xp.where(zero, 0, c1).sum(axis=-1, keepdims=True), 0)
                     + xp.where(z == 2, _exclusive_sums(xp.where(zero, c1, 0)), 0))
        return back(xp.where(zero, zero_part, nonzero_part).astype(a.dtype, copy=False)), None


@_register(_Prod)
def _prod(ctx, inputs, g):
    """prod_others(a) * g, the first factor an op differentiable once more (_ProdOthers)."""
    a, axis, _ = inputs
    t = a if isinstance(a, Tensor) else Tensor(a)
    return _ProdOthers.apply(t, axis) * _keep(g, _shape(a), axis), None, None


class _EmbeddingGrad(Function):
    """The embedding table's gradient as an op: g scatter-added at ``ids`` into a (V, D) table;
    linear in g, its backward gathers (the lookup again)."""

    @staticmethod
    def forward(ctx, g, ids, V):
        ctx.ids = ids
        return kernels.embedding_backward(g, ids, V)

    @staticmethod
    def backward(ctx, gg):
        return kernels.embedding_forward(gg, ctx.ids), None, None

    @staticmethod
    def backward_graph(ctx, inputs, gg):
        return _EmbeddingLookup.apply(gg, inputs[1]), None, None


@_register(_EmbeddingLookup)
def _embedding(ctx, inputs, g):
    return _EmbeddingGrad.apply(g, ctx.ids, ctx.V), None


@_register(basic.Concatenate)
def _concatenate(ctx, inputs, g):
    ax, sizes = ctx.meta
    out, start = [], 0
    for n in sizes:
        idx = [slice(None)] * g.ndim
        idx[ax] = slice(start, start + n)
        out.append(basic.getitem(g, tuple(idx)))
        start += n
    return tuple(out)


@_register(Stack)
def _stack(ctx, inputs, g):
    idx = [slice(None)] * g.ndim
    out = []
    for i in range(g.shape[ctx.axis]):
        idx[ctx.axis] = i
        out.append(basic.getitem(g, tuple(idx)))
    return tuple(out)


def _swap(t):
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return basic.transpose(t, tuple(axes))


@_register(basic.MatMul)
def _matmul(ctx, inputs, g):
    a, b = inputs
    need = ctx.needs_input_grad
    ga = _unbroadcast(basic.matmul(g, _swap(b)), _shape(a)) if need[0] else None
    gb = _unbroadcast(basic.matmul(_swap(a), g), _shape(b)) if need[1] else None
    return ga, gb


# ---- layers' ops --------------------------------------------------------------------------

@_register(_Dense)
def _dense(ctx, inputs, g):
    x, w, bias, activation = inputs
    x_arr, _, y = ctx.saved
    if activation == "relu":
        g = g * _const(y > 0, g)
    elif activation is not None:
        raise RuntimeError(f"second derivative of _Dense with the fused activation "
                           f"{activation!r} is not supported")
    need = ctx.needs_input_grad
    return (basic.matmul(g, basic.transpose(w)) if need[0] else None,
            basic.matmul(basic.transpose(x), g) if need[1] else None,
            basic.sum(g, 0) if need[2] else None, None)


class _Conv2dFilterGrad(Function):
    """conv2d's weight gradient as an op: dw = filter_grad(x, g) for the geometry ``geom``;
    bilinear in x and g, each gradient is a convolution."""

    @staticmethod
    def forward(ctx, x, g, w_shape, geom):
        ctx.save_for_backward(x, g)
        ctx.geom = geom
        w = np.zeros(w_shape, dtype=x.dtype)
        return kernels.conv2d_backward(g, x, w, *geom, need_dx=False, need_dw=True,
                                       need_db=False)[1]

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved
        strides, padding, dilation = ctx.geom
        need = ctx.needs_input_grad
        dx = kernels.conv2d_transpose(g, gw, None, x.shape[1:3], strides, padding, dilation) \
            if need[0] else None
        dg = kernels.conv2d(x, gw, None, strides, padding, dilation, None) if need[1] else None
        return dx, dg, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gw):
        x, g, _, geom = inputs
        need = ctx.needs_input_grad
        return (_Conv2dTranspose.apply(g, gw, None, tuple(_shape(x)[1:3]), *geom)
                if need[0] else None,
                _Conv2d.apply(x, gw, None, *geom, None) if need[1] else None, None, None)


@_register(_Conv2d)
def _conv2d(ctx, inputs, g):
    x, w, b, strides, padding, dilation, activation = inputs
    y = ctx.saved[2]
    if y is not None:  # the fused relu
        g = g * _const(y > 0, g)
    geom = (strides, padding, dilation)
    need = ctx.needs_input_grad
    dx = _Conv2dTranspose.apply(g, w, None, tuple(_shape(x)[1:3]), *geom) if need[0] else None
    dw = _Conv2dFilterGrad.apply(x, g, _shape(w), geom) if need[1] else None
    db = basic.sum(g, (0, 1, 2)) if len(need) > 2 and need[2] else None
    return dx, dw, db, None, None, None, None


@_register(_Conv2dTranspose)
def _conv2d_transpose(ctx, inputs, g):
    x, w, b, output_size, strides, padding, dilation = inputs
    geom = (strides, padding, dilation)
    need = ctx.needs_input_grad
    dx = _Conv2d.apply(g, w, None, *geom, None) if need[0] else None
    dw = _Conv2dFilterGrad.apply(g, x, _shape(w), geom) if need[1] else None
    db = basic.sum(g, (0, 1, 2)) if len(need) > 2 and need[2] else None
    return dx, dw, db, None, None, None, None


class _DepthwiseInputGrad(Function):
    """depthwise_conv2d's input gradient as an op: dx = A(w)^T g for inputs of ``x_shape``;
    bilinear in g and w: d/dg is the forward convolution, d/dw the filter gradient."""

    @staticmethod
    def forward(ctx, g, w, x_shape, geom):
        ctx.save_for_backward(g, w)
        ctx.meta = (x_shape, geom)
        x = np.zeros(x_shape, dtype=g.dtype)  # (the input gradient does not read x)
        return kernels.depthwise_conv2d_backward(g, x, w, *geom, need_dx=True, need_dw=False)[0]

    @staticmethod
    def backward(ctx, gx):
        g, w = ctx.saved
        _, geom = ctx.meta
        need = ctx.needs_input_grad
        dg = kernels.depthwise_conv2d(gx, w, *geom) if need[0] else None
        dw = kernels.depthwise_conv2d_backward(g, gx, w, *geom, need_dx=False,
                                               need_dw=True)[1] if need[1] else None
        return dg, dw, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gx):
        g, w, _, geom = inputs
        need = ctx.needs_input_grad
        return (_DepthwiseConv2d.apply(gx, w, None, *geom) if need[0] else None,
                _DepthwiseFilterGrad.apply(gx, g, _shape(w), geom) if need[1] else None,
                None, None)


class _DepthwiseFilterGrad(Function):
    """depthwise_conv2d's weight gradient as an op: dw = filter_grad(x, g) for weights of
    ``w_shape``; bilinear in x and g."""

    @staticmethod
    def forward(ctx, x, g, w_shape, geom):
        ctx.save_for_backward(x, g)
        ctx.geom = geom
        w = np.zeros(w_shape, dtype=x.dtype)
        return kernels.depthwise_conv2d_backward(g, x, w, *geom, need_dx=False, need_dw=True)[1]

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved
        need = ctx.needs_input_grad
        dx = kernels.depthwise_conv2d_backward(g, x, gw, *ctx.geom, need_dx=True,
                                               need_dw=False)[0] if need[0] else None
        dg = kernels.depthwise_conv2d(x, gw, *ctx.geom) if need[1] else None
        return dx, dg, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gw):
        x, g, _, geom = inputs
        need = ctx.needs_input_grad
        return (_DepthwiseInputGrad.apply(g, gw, tuple(_shape(x)), geom) if need[0] else None,
                _DepthwiseConv2d.apply(x, gw, None, *geom) if need[1] else None, None, None)


@_register(_DepthwiseConv2d)
def _depthwise_conv2d(ctx, inputs, g):
    x, w, b, strides, padding, dilation = inputs
    geom = (strides, padding, dilation)
    need = ctx.needs_input_grad
    dx = _DepthwiseInputGrad.apply(g, w, tuple(_shape(x)), geom) if need[0] else None
    dw = _DepthwiseFilterGrad.apply(x, g, _shape(w), geom) if need[1] else None
    db = basic.sum(g, (0, 1, 2)) if len(need) > 2 and need[2] else None
    return dx, dw, db, None, None, None


class _ScatterAdd(Function):
    """zeros(shape) with g added at the fancy index ``idx`` (repeats accumulate): max pooling's
    backward as an op; its own backward gathers at ``idx``."""

    @staticmethod
    def forward(ctx, g, idx, shape):
        ctx.idx = idx
        out = array_module(g).zeros(shape, dtype=g.dtype)
        return basic.scatter_add(out, idx, g)

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.idx], None, None

    @staticmethod
    def backward_graph(ctx, inputs, gg):
        return basic.getitem(gg, inputs[1]), None, None


@_register(_MaxPool2d)
def _max_pool2d(ctx, inputs, g):
    """g routed to each window's first maximal cell (the forward's argmax: h * W + w per
    sample and channel); the routing is constant."""
    (am,) = ctx.saved
    shape = ctx.meta[0]
    N, H, W, C = shape
    xp = array_module(am)
    am = am.astype(np.int64)
    inside = (am >= 0) & (am < H * W)  # a padded cell never wins; dropped as the kernel does
    am = xp.where(inside, am, 0)
    n = xp.broadcast_to(xp.arange(N)[:, None, None, None], am.shape)
    c = xp.broadcast_to(xp.arange(C)[None, None, None, :], am.shape)
    idx = (n, am // W, am % W, c)
    gm = g if bool(inside.all()) else g * _const(inside, g)
    return _ScatterAdd.apply(gm, idx, tuple(shape)), None, None, None


@_register(_Dropout)
def _dropout(ctx, inputs, g):
    (mask,) = ctx.saved
    scale = kernels.dropout_backward(np.ones(mask.shape, dtype=g.dtype), mask, ctx.rate) \
        if isinstance(g.data, np.ndarray) else None
    if scale is None:
        scale = kernels.dropout_backward(g.data * 0 + 1, mask, ctx.rate)
    return g * scale, None, None


def _act_graph(op):
    """backward_graph of an activation op ``op`` (x, kind, alpha): g * f'(x), f' in Tensor ops
    of x (recomputed) where f is smooth, a constant mask where f is piecewise linear."""
    def backward_graph(ctx, inputs, g):
        x, kind, alpha = inputs
        xa = x.data if isinstance(x, Tensor) else x
        if kind == "linear":
            return g, None, None
        if kind == "relu":
            return g * _const(xa > 0, g), None, None
        if kind == "leaky_relu":
            return g * _const(np.where(xa > 0, 1.0, alpha), g), None, None
        if kind == "hard_sigmoid":
            return g * _const(((xa > -2.5) & (xa < 2.5)) * 0.2, g), None, None
        if kind == "tanh":
            y = op.apply(x, "tanh", 0.0)
            return g * (1.0 - y * y), None, None
        if kind == "sigmoid":
            s = op.apply(x, "sigmoid", 0.0)
            return g * (s * (1.0 - s)), None, None
        if kind == "softplus":
            return g * op.apply(x, "sigmoid", 0.0), None, None
        if kind in ("elu", "selu"):
            neg = _const(xa <= 0, g)
            a, scale = (alpha, 1.0) if kind == "elu" else (SELU_ALPHA, SELU_SCALE)
            d = (1.0 - neg) * scale + basic.exp(x * neg) * (neg * (a * scale))
            return g * d, None, None
        raise RuntimeError(f"second derivative of the {kind!r} activation is not supported")
    return backward_graph


_Act.backward_graph = staticmethod(_act_graph(_Act))
elementwise.GenericAct.backward_graph = staticmethod(_act_graph(elementwise.GenericAct))


@_register(_GeneralRelu)
def _general_relu(ctx, inputs, g):
    (d,) = ctx.saved  # the slope per element: piecewise constant
    return g * _const(d, g), None, None, None


def _softmax_graph(op):
    def backward_graph(ctx, inputs, g):
        x, axis = inputs
        y = op.apply(x, axis)
        return y * (g - basic.sum(g * y, axis, True)), None
    return backward_graph


_Softmax.backward_graph = staticmethod(_softmax_graph(_Softmax))
elementwise.GenericSoftmax.backward_graph = staticmethod(_softmax_graph(elementwise.GenericSoftmax))


@_register(_SoftmaxXent)
def _softmax_xent(ctx, inputs, g):
    """(softmax(logits) - targets) times the loss's gradient (/ N for 'mean'), the softmax
    recomputed in recorded ops; the targets (one-hot for sparse labels) are constants, unless
    they require grad: then they enter as Tensors and get -log_softmax(logits) times it."""
    logits, targets, sparse, reduction = inputs
    shape = _shape(logits)
    C = shape[-1]
    if ctx.needs_input_grad[1]:  # soft targets, (N, C) (softmax_cross_entropy reshaped them)
        t = basic.reshape(targets, shape)
    else:
        t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
        if sparse:
            t = np.eye(C, dtype=np.float32)[t.reshape(-1)]
        t = t.reshape(shape).astype(np.float32, copy=False)
    n = int(np.prod(shape[:-1], dtype=np.int64))
    if reduction == "none":
        g = basic.reshape(g, tuple(shape[:-1]) + (1,))
    elif reduction == "mean":
        g = g * (1.0 / n)
    d = (_Softmax.apply(logits, -1) - t) * g if ctx.needs_input_grad[0] else None
    dt = None
    if ctx.needs_input_grad[1]:
        z = logits if isinstance(logits, Tensor) else Tensor(logits)
        shift = z.data.max(axis=-1, keepdims=True)  # (a constant: log_softmax does not move)
        log_sm = z - (basic.log(basic.sum(basic.exp(z - shift), -1, True)) + shift)
        dt = basic.reshape(-log_sm * g, _shape(targets))
    return d, dt, None, None


@_register(_BatchNormTrain)
def _batch_norm_train(ctx, inputs, g):
    """Batch statistics over every axis but ``axis``: y = gamma * (x - mean) / sqrt(var + eps)
    + beta, differentiated in Tensor ops (the moving statistics take no gradient)."""
    x, gamma, beta, _, _, axis, _, epsilon, _ = inputs
    nd = len(_shape(x))
    ax = axis % nd
    red = tuple(i for i in range(nd) if i != ax)
    shape = [1] * nd
    shape[ax] = _shape(x)[ax]
    shape = tuple(shape)
    with_graph = x if isinstance(x, Tensor) else Tensor(x)
    mean = basic.mean(with_graph, red, True)
    xc = with_graph - mean
    var = basic.mean(xc * xc, red, True)
    inv = 1.0 / basic.sqrt(var + float(epsilon))
    xhat = xc * inv
    need = ctx.needs_input_grad
    gx = None
    if need[0]:
        gxhat = g if gamma is None else g * (basic.reshape(gamma, shape) if isinstance(
            gamma, Tensor) else np.reshape(gamma, shape))
        gx = inv * (gxhat - basic.mean(gxhat, red, True)
                    - xhat * basic.mean(gxhat * xhat, red, True))
    dgamma = basic.reshape(basic.sum(g * xhat, red, True), _shape(gamma)) if need[1] else None
    dbeta = basic.reshape(basic.sum(g, red, True), _shape(beta)) if need[2] else None
    return (gx, dgamma, dbeta) + (None,) * 6


@_register(_BatchNormInfer)
def _batch_norm_infer(ctx, inputs, g):
    """y = (x - moving_mean) * gamma * inv + beta with inv = 1 / sqrt(moving_variance + eps) a
    constant: linear in x, in gamma and in beta, differentiated in Tensor ops."""
    x, gamma, beta, mm, mv, axis, eps = inputs
    nd = len(_shape(x))
    ax = axis % nd
    red = tuple(i for i in range(nd) if i != ax)
    shape = tuple(_shape(x)[ax] if i == ax else 1 for i in range(nd))
    inv = (1.0 / np.sqrt(np.asarray(mv, np.float64) + eps)).astype(np.float32).reshape(shape)
    inv = _const(inv, g)
    need = ctx.needs_input_grad
    gx = None
    if need[0]:
        scale = inv if gamma is None else inv * (basic.reshape(gamma, shape) if isinstance(
            gamma, Tensor) else np.reshape(gamma, shape))
        gx = g * scale
    dgamma = dbeta = None
    if gamma is not None and need[1]:
        xhat = ((x if isinstance(x, Tensor) else Tensor(x)) - _const(np.reshape(mm, shape), g)) * inv
        dgamma = basic.reshape(basic.sum(g * xhat, red, True), _shape(gamma))
    if beta is not None and need[2]:
        dbeta = basic.reshape(basic.sum(g, red, True), _shape(beta))
    return (gx, dgamma, dbeta) + (None,) * 4


@_register(_LayerNorm)
def _layer_norm(ctx, inputs, g):
    """Per-row statistics over the last axis: y = gamma * (x - mean) / sqrt(var + eps) + beta,
    differentiated in Tensor ops."""
    x, gamma, beta, epsilon = inputs
    with_graph = x if isinstance(x, Tensor) else Tensor(x)
    mean = basic.mean(with_graph, -1, True)
    xc = with_graph - mean
    inv = 1.0 / basic.sqrt(basic.mean(xc * xc, -1, True) + float(epsilon))
    xhat = xc * inv
    need = ctx.needs_input_grad
    rows = tuple(range(len(_shape(x)) - 1))
    gx = None
    if need[0]:
        gxhat = g if gamma is None else g * gamma
        gx = inv * (gxhat - basic.mean(gxhat, -1, True) - xhat * basic.mean(gxhat * xhat, -1, True))
    dgamma = basic.sum(g * xhat, rows) if need[1] else None
    dbeta = basic.sum(g, rows) if need[2] else None
    return gx, dgamma, dbeta, None


@_register(_GroupNorm)
def _group_norm(ctx, inputs, g):
    """Per-(sample, group) statistics: x viewed as (N, A, G, Cg, B) (reference/norm_group.py),
    y = gamma * (x - mean) / sqrt(var + eps) + beta, differentiated in Tensor ops."""
    x, gamma, beta, groups, axis, epsilon = inputs
    shape = _shape(x)
    ax = axis % len(shape)
    A = int(np.prod(shape[1:ax], dtype=np.int64))
    view = (shape[0], A, groups, shape[ax] // groups, int(np.prod(shape[ax + 1:], dtype=np.int64)))
    red, chan = (1, 3, 4), (1, 1, groups, shape[ax] // groups, 1)
    x5 = basic.reshape(x if isinstance(x, Tensor) else Tensor(x), view)
    g5 = basic.reshape(g, view)
    mean = basic.mean(x5, red, True)
    xc = x5 - mean
    inv = 1.0 / basic.sqrt(basic.mean(xc * xc, red, True) + float(epsilon))
    xhat = xc * inv
    need = ctx.needs_input_grad
    gx = None
    if need[0]:
        gxhat = g5 if gamma is None else g5 * basic.reshape(gamma, chan)
        gx = basic.reshape(inv * (gxhat - basic.mean(gxhat, red, True)
                                  - xhat * basic.mean(gxhat * xhat, red, True)), shape)
    dgamma = basic.reshape(basic.sum(g5 * xhat, (0, 1, 4)), _shape(gamma)) if need[1] else None
    dbeta = basic.reshape(basic.sum(g5, (0, 1, 4)), _shape(beta)) if need[2] else None
    return gx, dgamma, dbeta, None, None, None
