"""How the losses (losses.py) take their arguments: y_pred as a Tensor (or the logits a softmax /
sigmoid output carries), y_true as an array of y_pred's dtype or, when it requires grad, a Tensor
(Note [y_true gradients]); targets squeezed as Keras 2's loss wrappers squeeze them (Note
[squeezed targets]); the shape checks; and the loss returned as the caller gave y_pred."""
import numpy as np

from . import ops as _ops
from ._xp import array_module
from .autograd import Tensor
from .ops import basic as B


def _data(y):
    return y.data if isinstance(y, Tensor) else y


def _logits_of(p, from_logits):
    """(p, from_logits) as tf_keras 2's cross-entropies take them: a softmax / sigmoid output
    tagged with its logits (activations.tag_logits) gives the logits, from_logits=True (tf_keras
    does so whichever activation it was: a sigmoid output under categorical cross-entropy is
    scored as softmax cross-entropy of the logits)."""
    z = getattr(p, "_keras_logits", None) if isinstance(p, Tensor) else None
    return (z, True) if z is not None else (p, from_logits)


def _as_pred(y_pred, op="loss"):
    """(Tensor, was_tensor): arrays become float32 Tensors without grad (float64 ones stay
    float64, as Keras 2's convert them), so one code path (differentiable ops) serves both. A
    non-numeric y_pred is a TypeError naming ``op``."""
    if isinstance(y_pred, Tensor):
        return y_pred, True
    a = y_pred if hasattr(y_pred, "dtype") else np.asarray(y_pred)
    if getattr(a.dtype, "kind", None) not in ("b", "i", "u", "f"):
        raise TypeError(f"{op}: y_pred must be a real numeric array or Tensor, got "
                        f"{type(y_pred).__name__} of dtype {a.dtype}")
    if a.dtype != np.float32 and a.dtype != np.float64:
        a = a.astype(np.float32)
    return Tensor(a), False


def _unit_axis_apart(ys, ps):
    """Whether shapes ys and ps differ only by a trailing unit axis on one of them."""
    ys, ps = tuple(ys), tuple(ps)
    return ys != ps and ((len(ys) == len(ps) - 1 and ps[-1:] == (1,) and ys == ps[:-1]) or
                         (len(ys) == len(ps) + 1 and ys[-1:] == (1,) and ys[:-1] == ps))


def _as_true(y_true, pred, squeeze=True):
    """y_true as an array of y_pred's dtype and module, or a Tensor when it requires grad (See
    Note [y_true gradients]); with ``squeeze``, reshaped to y_pred's shape when the two differ
    only by a trailing unit axis (See Note [squeezed targets])."""
    if type(y_true) is not np.ndarray and _differentiable(y_true):
        if y_true.dtype != pred.dtype:
            y_true = _ops.cast(y_true, pred.dtype)
        if squeeze and _unit_axis_apart(y_true.shape, pred.shape):
            y_true = B.reshape(y_true, tuple(pred.shape))
        return y_true
    y = _data(y_true)
    xp = array_module(pred.data)
    y = xp.asarray(y, dtype=pred.dtype)
    if squeeze and _unit_axis_apart(y.shape, pred.shape):
        y = y.reshape(pred.shape)
    return y


def _differentiable(y):
    """Whether y_true is a float Tensor that requires grad: a Variable, a watched tensor, a
    teacher's or a generator's output (Note [y_true gradients])."""
    return isinstance(y, Tensor) and y.requires_grad and np.dtype(y.dtype).kind == "f"


# Note [y_true gradients]
# TensorFlow differentiates a loss with respect to y_true too: a teacher's softened outputs as
# the y_true of a student's KL loss (both trained), a generator's output as the y_true of an
# MSE, keract's gradients of a loss. So y_true that requires grad stays a Tensor here and the
# per-sample losses below compute on it with differentiable ops (the fused softmax and sigmoid
# cross-entropies give it -log_softmax(z) * g and -z * g); the integer labels of the sparse
# cross-entropies get none (TensorFlow's None). y_true as data (NumPy arrays, the targets
# Model.fit feeds, a Tensor that does not require grad) stays an array: the training step is
# unchanged. The per-sample functions take either, hence _ymax / _ylog below.

def _ymax(y, c):
    """max(y, c) of y_true, a Tensor (Note [y_true gradients]) or an array."""
    if isinstance(y, Tensor):
        return B.maximum(y, y.dtype.type(c))
    return array_module(y).maximum(y, y.dtype.type(c))


def _ylog(y):
    return B.log(y) if isinstance(y, Tensor) else array_module(y).log(y)


# Note [squeezed targets]
# Keras 2's loss wrappers (a compiled loss, a Loss instance called on two tensors, a metric
# class's update_state) first apply losses_utils.squeeze_or_expand_dimensions: (N,) targets for
# an (N, 1) output (or (N, 1) ones for (N,)) are matched to the output. The loss functions
# called directly do not: mean_squared_error(y (N,), p (N, 1)) broadcasts to (N, N) and
# averages each row, as in the book's auto-MPG loop (`losses.MSE(y, out)`, dragen1860 ch. 6),
# and binary_crossentropy(..., from_logits=True) refuses the two shapes. squeeze_targets is the
# wrappers' step; the public functions take y_true as it comes.

def squeeze_targets(y_true, y_pred):
    """y_true reshaped to y_pred's shape when the two differ only by a trailing unit axis (the
    step Keras 2's loss and metric wrappers take before the loss function); else as given."""
    ys, ps = getattr(y_true, "shape", None), getattr(y_pred, "shape", None)
    if ys is None or ps is None or not _unit_axis_apart(ys, ps):
        return y_true
    if isinstance(y_true, Tensor):
        return B.reshape(y_true, tuple(ps))
    return y_true.reshape(tuple(ps))


def _check_same(op, y, p):
    if tuple(y.shape) != tuple(p.shape):
        raise ValueError(f"{op}: y_true and y_pred must have the same shape, got "
                         f"{tuple(y.shape)} and {tuple(p.shape)}")


# Keras 2's elementwise losses (mse, mae, hinge, binary_crossentropy, ...) are elementwise ops
# then a mean over the last axis: y_true and y_pred broadcast against each other (Hands-On ML
# 2 ch. 15 scores a naive forecast as mean_squared_error(Y (N, 10), Y[:, -1:] (N, 1))). The
# categorical cross-entropies assert equal shapes, as tf_keras' backend does.
_SAME_SHAPE_ONLY = frozenset(("categorical_crossentropy", "categorical_focal_crossentropy"))


def _check_shapes(op, y, p):
    if tuple(y.shape) == tuple(p.shape) or op in _SAME_SHAPE_ONLY:
        return _check_same(op, y, p)
    try:
        np.broadcast_shapes(tuple(y.shape), tuple(p.shape))
    except ValueError:
        raise ValueError(f"{op}: y_true and y_pred must have the same shape or broadcast "
                         f"against each other, got {tuple(y.shape)} and {tuple(p.shape)}") from None


def _out(t, was_tensor):
    """The loss as the caller gave y_pred: an array for an array y_pred, unless y_true gave it
    a gradient (keract's ``loss_fn(model(x), y)``; Note [y_true gradients])."""
    return t if was_tensor or t.requires_grad else t.data
