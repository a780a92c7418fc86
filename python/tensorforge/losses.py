"""Keras losses. Each takes (y_true, y_pred) and returns the batch mean (Keras'
'sum_over_batch_size' reduction) as a Tensor when y_pred is a Tensor, else an array.

Probabilities are clipped to [1e-7, 1 - 1e-7] as Keras does. With ``from_logits=True`` the
cross-entropies are computed fused and stable from logits (``ops.softmax_cross_entropy``); a
model whose last layer is softmax (sigmoid) compiled with categorical / sparse (binary)
cross-entropy trains on the logits this way automatically (see models.Sequential.compile).
"""
import numpy as np

from . import ops as _ops
from ._xp import array_module
from .autograd import Function, Tensor
from .ops import basic as B

__all__ = ["mean_squared_error", "mean_absolute_error", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy", "hinge", "squared_hinge",
           "categorical_hinge", "mse", "mae", "MSE", "MAE", "get", "serialize"]

EPSILON = 1e-7  # Keras' backend epsilon


def _xent_op():
    return _ops.softmax_cross_entropy


def _data(y):
    return y.data if isinstance(y, Tensor) else y


def mean_squared_error(y_true, y_pred):
    d = y_pred - _data(y_true)
    return B.mean(d * d) if isinstance(d, Tensor) else np.mean(d * d, dtype=np.float32)


def mean_absolute_error(y_true, y_pred):
    d = y_pred - _data(y_true)
    return B.mean(B.abs(d)) if isinstance(d, Tensor) else np.mean(np.abs(d), dtype=np.float32)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """-sum(y_true * log(y_pred)) per sample, averaged over the batch."""
    y = _data(y_true)
    if from_logits:
        return _xent_op()(y_pred, y, sparse=False)
    n = y_pred.shape[0]
    if isinstance(y_pred, Tensor):
        p = y_pred / B.sum(y_pred, axis=-1, keepdims=True)
        return -B.sum(y * B.log(B.clip(p, EPSILON, 1 - EPSILON))) / np.float32(n)
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    return np.float32(-(y * np.log(np.clip(p, EPSILON, 1 - EPSILON))).sum() / n)


def _sparse_labels(op, y, y_pred):
    """Integer class labels (N,) from (N,) or (N, 1) labels: integral values in [0, C) (Keras
    raises for a label outside the classes; a fractional label is not a class either)."""
    xp = array_module(y) if hasattr(y, "dtype") else np
    y = xp.asarray(y)
    if y.dtype.kind not in "iuf" or y.dtype.kind == "f" and not bool(xp.all(y == xp.floor(y))):
        raise ValueError(f"{op}: labels must be integer class indices, got "
                         f"{y.dtype} values" + ("" if y.dtype.kind not in "f" else " with a fraction"))
    y = y.reshape(-1).astype(np.int64)
    d = _data(y_pred)
    if not hasattr(d, "shape") or not hasattr(d, "dtype") or d.dtype.kind != "f" or d.ndim != 2:
        raise TypeError(f"{op}: y_pred must be a 2-D float array or Tensor (batch, classes), got "
                        f"{type(d).__name__}{' of shape ' + str(tuple(d.shape)) if hasattr(d, 'shape') else ''}")
    if y.size != d.shape[0]:
        raise ValueError(f"{op}: {y.size} labels for y_pred of shape {tuple(d.shape)}")
    shape = d.shape
    if len(shape) >= 1 and y.size and shape[-1] > 0:
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= shape[-1]:
            raise ValueError(f"{op}: labels must be class indices in [0, {shape[-1]}) for predictions "
                             f"of shape {tuple(shape)}, got a label {lo if lo < 0 else hi}")
    return y


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """categorical_crossentropy with integer labels (N,) or (N, 1)."""
    y = _sparse_labels("sparse_categorical_crossentropy", _data(y_true), y_pred)
    if from_logits:
        return _xent_op()(y_pred, y, sparse=True)
    n = y_pred.shape[0]
    rows = np.arange(n)
    if isinstance(y_pred, Tensor):
        picked = B.getitem(y_pred, (rows, y))
        return -B.sum(B.log(B.clip(picked, EPSILON, 1 - EPSILON))) / np.float32(n)
    return np.float32(-np.log(np.clip(y_pred[rows, y], EPSILON, 1 - EPSILON)).sum() / n)


class _SigmoidXent(Function):
    """Stable binary cross-entropy from logits z: max(z, 0) - z*y + log(1 + exp(-|z|)), mean."""

    @staticmethod
    def forward(ctx, z, y):
        xp = array_module(z)
        y = y.astype(z.dtype, copy=False)
        loss = xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z)))
        ctx.save_for_backward(z, y)
        return xp.asarray(loss.mean(), dtype=z.dtype)

    @staticmethod
    def backward(ctx, g):
        z, y = ctx.saved
        xp = array_module(z)
        s = 0.5 * (1 + xp.tanh(0.5 * z))
        return ((s - y) * (g / z.size)).astype(z.dtype), None


def binary_crossentropy(y_true, y_pred, from_logits=False):
    y = _data(y_true)
    if y.ndim == y_pred.ndim - 1:
        y = y.reshape(y_pred.shape)
    if from_logits:
        if isinstance(y_pred, Tensor):
            return _SigmoidXent.apply(y_pred, y)
        ctx = type("C", (), {"save_for_backward": lambda *a: None})()
        return _SigmoidXent.forward(ctx, y_pred, y)
    if isinstance(y_pred, Tensor):
        p = B.clip(y_pred, EPSILON, 1 - EPSILON)
        return -B.mean(y * B.log(p) + (1 - y) * B.log(1 - p))
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    return np.float32(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _pm1(y):
    """Keras hinge: 0/1 labels become -1/+1."""
    y = np.asarray(y, dtype=np.float32)
    return 2 * y - 1 if y.size and y.min() >= 0 and y.max() <= 1 and np.isin(y, (0, 1)).all() else y


def hinge(y_true, y_pred):
    y = _pm1(_data(y_true)).reshape(y_pred.shape)
    if isinstance(y_pred, Tensor):
        return B.mean(B.maximum(1 - y * y_pred, np.float32(0)))
    return np.float32(np.mean(np.maximum(1 - y * y_pred, 0)))


def squared_hinge(y_true, y_pred):
    y = _pm1(_data(y_true)).reshape(y_pred.shape)
    if isinstance(y_pred, Tensor):
        h = B.maximum(1 - y * y_pred, np.float32(0))
        return B.mean(h * h)
    return np.float32(np.mean(np.maximum(1 - y * y_pred, 0) ** 2))


def categorical_hinge(y_true, y_pred):
    y = _data(y_true)
    if isinstance(y_pred, Tensor):
        pos = B.sum(y * y_pred, axis=-1)
        negs = (1 - y) * y_pred
        rows = np.arange(y_pred.shape[0])
        neg = B.getitem(negs, (rows, np.argmax(negs.data, axis=-1)))  # max: gradient to the argmax
        return B.mean(B.maximum(neg - pos + 1, np.float32(0)))
    pos = (y * y_pred).sum(-1)
    neg = ((1 - y) * y_pred).max(-1)
    return np.float32(np.mean(np.maximum(neg - pos + 1, 0)))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_BY_NAME = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy, "hinge": hinge, "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
}


def get(identifier):
    """A loss function from a Keras name or a callable."""
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"losses.get: unknown loss {identifier!r}; known: "
                             f"{', '.join(sorted(_BY_NAME))}") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"losses.get: expected a loss name or a callable, got {identifier!r}")


def serialize(fn):
    name = getattr(fn, "__name__", None)
    if _BY_NAME.get(name) is fn:
        return name
    raise ValueError(f"losses.serialize: cannot save custom loss {fn!r} (use a built-in name)")
