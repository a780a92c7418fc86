"""tf.compat.v1.losses: TensorFlow 1's loss functions, which run eagerly in TensorFlow 2 and
which TensorFlow's upgrade script writes for ``tf.losses.mean_squared_error(labels=...,
predictions=...)`` (Hvass-Labs' time-series tutorial's warm-up loss, custom Keras losses of
that time). On the package's differentiable ops, so they train as Keras losses.

Each takes (labels, predictions or logits, weights=1.0, ...) and reduces the per-element loss
L with the weights w (broadcast to L's shape) by ``reduction`` (TensorFlow 1's Reduction):
    NONE                           w * L
    SUM                            sum(w * L)
    MEAN                           sum(w * L) / sum(w)
    SUM_OVER_BATCH_SIZE            sum(w * L) / number of elements of L
    SUM_BY_NONZERO_WEIGHTS         sum(w * L) / number of nonzero w (the default; 0 when none)
    SUM_OVER_NONZERO_WEIGHTS       (the same, TensorFlow's older name)
The graph-mode arguments (scope, loss_collection) are accepted and ignored.
"""
import sys

import numpy as np

__all__ = ["Reduction", "absolute_difference", "mean_squared_error", "huber_loss", "log_loss",
           "hinge_loss", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy", "cosine_distance", "compute_weighted_loss"]


class Reduction:
    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"compat.v1.losses: invalid Reduction key {key!r}; expected one of "
                             f"{cls.all()}")


def _tf():
    return sys.modules["tensorforge"]  # Note [compat.v1 reads the package namespace]


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=None,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``losses`` (any shape) weighted and reduced as the module docstring says."""
    Reduction.validate(reduction)
    tf = _tf()
    losses = tf.cast(losses, "float32") if not hasattr(losses, "dtype") or \
        np.dtype(losses.dtype).kind != "f" else losses
    w = tf.cast(weights, losses.dtype)
    shape = tuple(losses.shape)
    if tuple(np.shape(getattr(w, "numpy", lambda: w)())) != shape:
        w = tf.broadcast_to(w, shape)
    weighted = losses * w
    if reduction == Reduction.NONE:
        return weighted
    total = tf.reduce_sum(weighted)
    if reduction == Reduction.SUM:
        return total
    if reduction == Reduction.MEAN:
        return tf.math.divide_no_nan(total, tf.reduce_sum(w))
    if reduction == Reduction.SUM_OVER_BATCH_SIZE:
        return tf.math.divide_no_nan(total, tf.cast(int(np.prod(shape)), losses.dtype))
    nonzero = tf.reduce_sum(tf.cast(tf.not_equal(w, 0), losses.dtype))
    return tf.math.divide_no_nan(total, nonzero)


def _pair(op, a, b):
    """Two same-shape float inputs (TensorFlow 1 requires equal shapes)."""
    tf = _tf()
    a, b = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"compat.v1.losses.{op}: Shapes {tuple(a.shape)} and {tuple(b.shape)} "
                         "are incompatible")
    dt = b.dtype if np.dtype(b.dtype).kind == "f" else np.float32
    return tf.cast(a, dt), tf.cast(b, dt)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=None,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _pair("absolute_difference", labels, predictions)
    return compute_weighted_loss(_tf().abs(predictions - labels), weights, reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=None,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _pair("mean_squared_error", labels, predictions)
    return compute_weighted_loss(_tf().square(predictions - labels), weights,
                                 reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=None,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    tf = _tf()
    labels, predictions = _pair("huber_loss", labels, predictions)
    err = tf.abs(predictions - labels)
    quad = tf.minimum(err, delta)
    lin = err - quad
    return compute_weighted_loss(0.5 * quad * quad + delta * lin, weights, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=None,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    tf = _tf()
    labels, predictions = _pair("log_loss", labels, predictions)
    losses = -labels * tf.math.log(predictions + epsilon) - \
        (1 - labels) * tf.math.log(1 - predictions + epsilon)
    return compute_weighted_loss(losses, weights, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=None,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """labels in {0, 1} (mapped to -1 / +1)."""
    tf = _tf()
    labels, logits = _pair("hinge_loss", labels, logits)
    return compute_weighted_loss(tf.nn.relu(1 - (2 * labels - 1) * logits), weights,
                                 reduction=reduction)


def _smooth(labels, label_smoothing, classes):
    return labels * (1 - label_smoothing) + label_smoothing / classes if label_smoothing else labels


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=None,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    tf = _tf()
    labels, logits = _pair("sigmoid_cross_entropy", multi_class_labels, logits)
    if label_smoothing:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Per row of the last axis; ``weights`` per row (shape (batch,)) or a scalar."""
    tf = _tf()
    labels, logits = _pair("softmax_cross_entropy", onehot_labels, logits)
    labels = _smooth(labels, label_smoothing, int(logits.shape[-1]))
    losses = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, reduction=reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=None,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    tf = _tf()
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, reduction=reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) (kept as size 1): both expected unit-normalized."""
    if axis is not None and dim is not None:
        raise ValueError("compat.v1.losses.cosine_distance: cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("compat.v1.losses.cosine_distance: You must specify 'axis'.")
    tf = _tf()
    labels, predictions = _pair("cosine_distance", labels, predictions)
    losses = 1 - tf.reduce_sum(labels * predictions, axis=axis, keepdims=True)
    return compute_weighted_loss(losses, weights, reduction=reduction)
