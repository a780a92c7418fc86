"""Activation functions with Keras 2 names, arguments and defaults.

Each accepts an array or a Tensor: arrays in -> array out (no tape); a Tensor requiring grad ->
a Tensor recorded for autograd. The elementwise ones run the fused native kernels
(``kernels.act_forward`` / ``act_backward``); softmax runs ``kernels.softmax_forward`` over the
last axis (another axis goes through a transpose). float32 is the working dtype.

    relu(x, alpha=0.0, max_value=None, threshold=0.0)   leaky_relu(x, alpha=0.3)
    elu(x, alpha=1.0)   selu(x)   softplus(x)   sigmoid(x)   hard_sigmoid(x)  (clip(0.2x+0.5, 0, 1))
    tanh(x)   softmax(x, axis=-1)   linear(x)
"""
import numpy as np

from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor, _grad_state, _wrap
from ..interop import convert, reads_foreign
from ..kernels._common import check_array

__all__ = ["relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh",
           "softmax", "linear"]


def _is_tensor(x):
    return isinstance(x, Tensor)


# What each kind's backward reads (csrc/cpu/pointwise.cpp act_backward), so that _Act saves one
# array: sigmoid and tanh read y only. relu, relu6 and leaky_relu (alpha >= 0) read x only
# through the sign tests x > 0 and 6 > x, which y passes alike (y > 0 exactly where x > 0, NaN
# failing both, and relu6's y < 6 exactly where x < 6), as do elu's and selu's, which read y
# besides (leaky_relu's and elu's for alpha >= 0: a negative alpha makes y > 0 where x < 0):
# these save y, the array the next layer keeps anyway, and hand it as x too (PyTorch's relu
# saves its result); elu with a negative alpha saves both. The others (gelu, swish, softplus,
# hard_sigmoid, relu_max) read x only.
_SAVES_Y = frozenset({"relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "tanh"})


def _saves_y(kind, alpha):
    return kind in _SAVES_Y and (alpha >= 0 or kind not in ("leaky_relu", "elu"))


class _Act(Function):
    """y = f(x) for one of the fused kinds; backward uses the array(s) saved (_SAVES_Y)."""

    @staticmethod
    def forward(ctx, x, kind, alpha):
        y = kernels.act_forward(x, kind, alpha)
        if _saves_y(kind, alpha):
            ctx.save_for_backward(y)
        else:
            ctx.save_for_backward(*((x, y) if kind == "elu" else (x,)))
        ctx.meta = (kind, alpha)
        return y

    @staticmethod
    def backward(ctx, g):
        saved = ctx.saved
        kind, alpha = ctx.meta
        return kernels.act_backward(g, saved[0], saved[-1], kind, alpha), None, None


def _act(x, kind, alpha=0.0):
    # Note [op fast path] (ops/basic.py): an array, or a Tensor that records nothing, runs the
    # kernel in this frame; a Tensor to record takes _Act.apply; another library's array is read
    # first (interop.convert), anything else meets the kernel entry's checks.
    tx = type(x)
    if tx is np.ndarray:
        return kernels.act_forward(x, kind, float(alpha))
    if tx is Tensor and (not x.requires_grad or not _grad_state.enabled):
        return _wrap(kernels.act_forward(x.data, kind, float(alpha)))
    if isinstance(x, Tensor):
        return _Act.apply(x, kind, float(alpha))
    return kernels.act_forward(convert(x), kind, float(alpha))


class _GeneralRelu(Function):
    """Keras 2 relu with max_value and/or threshold (the plain cases use the fused kernel):
    y = clip(x * [x > threshold], 0, max_value) - alpha * relu(threshold - x)
    (without threshold the first term is relu(x); the clip applies only with max_value)."""

    @staticmethod
    def forward(ctx, x, alpha, max_value, threshold):
        xp = array_module(x)
        f = x.dtype.type
        pos = x > f(threshold)  # NaN is not > anything: kept as NaN, as Keras' x * [x > t]
        base = xp.where(pos, x, xp.where(x != x, x, f(0)))
        d = pos.astype(x.dtype)
        if max_value is not None:  # tf.nn.relu6's gradient is 0 at 6, clip_by_value's is not
            inside = (base >= 0) & ((base < f(6)) if max_value == 6.0 and threshold == 0.0
                                    else (base <= f(max_value)))
            base = xp.clip(base, f(0), f(max_value))
            d = d * inside
        if alpha != 0:
            neg = x < f(threshold)
            base = base - f(alpha) * xp.where(neg, f(threshold) - x, f(0))
            d = d + f(alpha) * neg
        ctx.save_for_backward(d)
        return base.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved
        return g * d, None, None, None


@reads_foreign
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras relu: max(x, 0) by default; ``alpha`` is the slope below ``threshold``;
    ``max_value`` caps the output."""
    alpha, threshold = float(alpha), float(threshold)
    if max_value is None and threshold == 0.0:
        return _act(x, "relu" if alpha == 0.0 else "leaky_relu", alpha)
    max_value = None if max_value is None else float(max_value)
    if alpha == 0.0 and threshold == 0.0 and max_value >= 0.0 and \
            getattr(x, "dtype", None) == np.float32:  # ReLU(6.) of the MobileNets: one pass
        return _act(x, "relu6" if max_value == 6.0 else "relu_max", max_value)
    x = convert(x)
    if _is_tensor(x):
        return _GeneralRelu.apply(x, alpha, max_value, threshold)
    check_array("relu", "x", x, None, "")
    return _GeneralRelu.forward(_NoCtx(), x, alpha, max_value, threshold)


class _NoCtx:
    """Stand-in context for running a Function's forward on arrays without recording."""

    def save_for_backward(self, *arrays):
        pass


@reads_foreign
def leaky_relu(x, alpha=0.3):
    """x if x > 0 else alpha * x (Keras 2 default alpha 0.3)."""
    return _act(x, "leaky_relu", alpha)


@reads_foreign
def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _act(x, "elu", alpha)


@reads_foreign
def selu(x):
    """scale * elu(x, alpha) with the self-normalizing constants (alpha 1.67326, scale 1.05070)."""
    return _act(x, "selu")


@reads_foreign
def softplus(x):
    """log(1 + exp(x)), stable for any x."""
    return _act(x, "softplus")


@reads_foreign
def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return _act(x, "sigmoid")


@reads_foreign
def hard_sigmoid(x):
    """Keras 2 hard sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    return _act(x, "hard_sigmoid")


@reads_foreign
def tanh(x):
    return _act(x, "tanh")


def linear(x):
    """The identity (returns x itself)."""
    return x


def _to_2d(x, axis):
    """(2-D contiguous view of x with `axis` last, function restoring the original layout)."""
    xp = array_module(x)
    nd = x.ndim
    if nd == 0:
        raise ValueError("softmax: x must have at least 1 dimension, got a scalar")
    ax = axis + nd if axis < 0 else axis
    if not 0 <= ax < nd:
        raise ValueError(f"softmax: axis {axis} is out of range for x with shape {tuple(x.shape)}")
    moved = x if ax == nd - 1 else xp.moveaxis(x, ax, -1)
    mshape = moved.shape
    x2 = xp.ascontiguousarray(moved).reshape(-1, mshape[-1])

    def back(y2):
        y = y2.reshape(mshape)
        return y if ax == nd - 1 else xp.ascontiguousarray(xp.moveaxis(y, -1, ax))
    return x2, back


class _Softmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        x2, back = _to_2d(x, axis)
        y2 = kernels.softmax_forward(x2)
        ctx.save_for_backward(y2)
        ctx.meta = (axis, x.ndim)
        return back(y2)

    @staticmethod
    def backward(ctx, g):
        (y2,) = ctx.saved
        axis, _ = ctx.meta
        g2, back = _to_2d(g, axis)
        return back(kernels.softmax_backward(g2, y2)), None


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (stable: the max is subtracted first)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"softmax: axis must be an int, got {type(axis).__name__} {axis!r}")
    axis = int(axis)
    if _is_tensor(x):
        return _Softmax.apply(x, axis)
    check_array("softmax", "x", x, None, "")
    x2, back = _to_2d(x, axis)
    return back(kernels.softmax_forward(x2))
