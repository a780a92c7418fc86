"""The metric functions: one value per sample (Keras 2), their fused batch means, and the lookup by
name (``get``).

A metric function ``fn(y_true, y_pred)`` returns one value per sample, as Keras 2's do (tf_keras
2, oracle data in tests/data/metric_fn_refs.npz, tools/gen_metric_fn_refs.py): shape
y_pred.shape[:-1] (the mean over the last axis for binary_accuracy and the loss-type metrics, a
match per sample for the categorical ones), float32 for the accuracies and the dtype of a float
y_pred for the others; ``sparse_top_k_categorical_accuracy`` keeps a (N, 1) y_true's shape, as
Keras 2 does. Arrays give a NumPy array (a CuPy one on the device), Tensors a Tensor. fit /
evaluate average the values over the samples (``weighted_metrics`` weighted by sample_weight);
``batch_mean(fn)`` is a built-in's fused batch mean, the form the training loop computes.
Definitions are Keras 2's: the accuracies, ``top_k_categorical_accuracy`` (k=5, ties at the k-th
value count as in the top k, as tf.math.in_top_k), and every loss usable as a metric (mse, mae,
mape, msle, the cross-entropies, hinges, logcosh, kld, poisson). ``cosine_similarity`` is the
positive similarity, as tf_keras 2's metric; so is the metric ``cosine_proximity`` (and
``'cosine'``), as tf_keras resolves that name (Keras 2.2's metric was the negative loss; the loss
keeps that sign: losses.py). Unlike Keras 2, a y_true lacking only y_pred's trailing unit axis ((N,) against
(N, 1)) is compared sample by sample instead of broadcast to (N, N); shapes that do not match
otherwise are a ValueError.
"""
import numpy as np

from .. import losses as _losses
from ..autograd import Tensor
from ._utils import (_arrays, _check_labels, _conform, _fraction, _in_top_k, _labels, _np,
                     _out)



def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean over the last axis of (y_pred > threshold) == y_true, per sample (float32)."""
    t, p, was = _arrays("binary_accuracy", y_true, y_pred)
    t = _conform("binary_accuracy", t, p)
    return _out((t == (p > threshold)).mean(-1, dtype=np.float32), was)


def categorical_accuracy(y_true, y_pred):
    """argmax(y_true) == argmax(y_pred) over the last axis, per sample (float32)."""
    t, p, was = _arrays("categorical_accuracy", y_true, y_pred)
    t = _conform("categorical_accuracy", t, p)
    return _out((t.argmax(-1) == p.argmax(-1)).astype(np.float32), was)


def sparse_categorical_accuracy(y_true, y_pred):
    """y_true == argmax(y_pred) for integer labels of shape y_pred.shape[:-1] (or with a
    trailing 1), per sample (float32)."""
    t, p, was = _arrays("sparse_categorical_accuracy", y_true, y_pred)
    t = _labels("sparse_categorical_accuracy", t, p)
    return _out((t == p.argmax(-1)).astype(np.float32), was)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """argmax(y_true) among the k highest scores of y_pred, per sample (float32)."""
    t, p, was = _arrays("top_k_categorical_accuracy", y_true, y_pred)
    t = _conform("top_k_categorical_accuracy", t, p)
    return _out(_in_top_k(p, t.argmax(-1), int(k)).astype(np.float32), was)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """The label y_true among the k highest scores of y_pred, per sample (float32), in y_true's
    shape ((N, 1) labels give (N, 1), as Keras 2)."""
    op = "sparse_top_k_categorical_accuracy"
    t, p, was = _arrays(op, y_true, y_pred)
    labels = _labels(op, t, p)
    _check_labels(op, labels, p.shape[-1])
    return _out(_in_top_k(p, labels, int(k)).astype(np.float32).reshape(t.shape), was)


def _from_loss(loss_fn, name=None):
    """The loss ``loss_fn`` as a metric: its per-sample values, in y_pred's float dtype."""
    def fn(y_true, y_pred, **kwargs):
        v = loss_fn(y_true, y_pred, **kwargs)
        dt = getattr(y_pred, "dtype", None)
        if isinstance(y_pred, Tensor) or dt is None or dt.kind != "f" or v.dtype == dt:
            return v
        a = v.data if isinstance(v, Tensor) else v
        return Tensor(a.astype(dt))  # NumPy float64 in, float64 out (as Keras 2)
    fn.__name__ = fn.__qualname__ = name or loss_fn.__name__
    fn.__doc__ = f"The loss ``losses.{loss_fn.__name__}`` as a metric, per sample."
    return fn


# like the loss-type metrics (losses' functions), the accuracies take a functional graph's
# symbolic tensors too (they then record an op layer)
binary_accuracy = _losses._graph_aware(binary_accuracy)
categorical_accuracy = _losses._graph_aware(categorical_accuracy)
sparse_categorical_accuracy = _losses._graph_aware(sparse_categorical_accuracy)
top_k_categorical_accuracy = _losses._graph_aware(top_k_categorical_accuracy)
sparse_top_k_categorical_accuracy = _losses._graph_aware(sparse_top_k_categorical_accuracy)

mean_squared_error = _from_loss(_losses.mean_squared_error)
mean_absolute_error = _from_loss(_losses.mean_absolute_error)
mean_absolute_percentage_error = _from_loss(_losses.mean_absolute_percentage_error)
mean_squared_logarithmic_error = _from_loss(_losses.mean_squared_logarithmic_error)
binary_crossentropy = _from_loss(_losses.binary_crossentropy)
categorical_crossentropy = _from_loss(_losses.categorical_crossentropy)
sparse_categorical_crossentropy = _from_loss(_losses.sparse_categorical_crossentropy)
hinge = _from_loss(_losses.hinge)
squared_hinge = _from_loss(_losses.squared_hinge)
categorical_hinge = _from_loss(_losses.categorical_hinge)
logcosh = _from_loss(_losses.logcosh)
kullback_leibler_divergence = _from_loss(_losses.kullback_leibler_divergence)
poisson = _from_loss(_losses.poisson)
binary_focal_crossentropy = _from_loss(_losses.binary_focal_crossentropy)
categorical_focal_crossentropy = _from_loss(_losses.categorical_focal_crossentropy)


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis) per sample: 1 when aligned."""
    v = _losses.cosine_similarity(y_true, y_pred, axis=axis)
    if isinstance(v, Tensor):
        return -v
    dt = getattr(y_pred, "dtype", None)
    return (-v).astype(dt) if dt is not None and dt.kind == "f" and v.dtype != dt else -v


def cosine_proximity(y_true, y_pred, axis=-1):
    """tf_keras 2's metric of this name: the positive ``cosine_similarity`` (logged as
    ``cosine_proximity``)."""
    return cosine_similarity(y_true, y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence


# ---- their batch means: the training loop's form, fused (no per-sample array) -----------------

def _binary_accuracy_mean(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    return _fraction((y_pred > 0.5).reshape(y_true.shape) == y_true)  # Keras 2: exact y_true


def _categorical_accuracy_mean(y_true, y_pred):
    return _fraction(_np(y_true).argmax(-1) == _np(y_pred).argmax(-1))


def _sparse_categorical_accuracy_mean(y_true, y_pred):
    y_pred = _np(y_pred)
    y_true = _np(y_true).reshape(y_pred.shape[:-1])
    return _fraction(y_true.astype(np.int64, copy=False) == y_pred.argmax(-1))


def _top_k_mean(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    return _fraction(_in_top_k(y_pred, np.argmax(_np(y_true), -1), int(k)))


def _sparse_top_k_mean(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    return _fraction(_in_top_k(y_pred, _np(y_true).reshape(y_pred.shape[:-1]), int(k)))


def _mse_mean(y_true, y_pred):
    return float(np.mean((_np(y_pred) - _np(y_true)) ** 2))


def _mae_mean(y_true, y_pred):
    return float(np.mean(np.abs(_np(y_pred) - _np(y_true))))


def _loss_mean(loss_fn, sign=1.0):
    mean = _losses.batch_mean(loss_fn)

    def fn(y_true, y_pred):
        return sign * float(mean(_np(y_true), _np(y_pred).astype(np.float32, copy=False)))
    return fn


_BATCH_MEAN = {
    binary_accuracy: _binary_accuracy_mean, categorical_accuracy: _categorical_accuracy_mean,
    sparse_categorical_accuracy: _sparse_categorical_accuracy_mean,
    top_k_categorical_accuracy: _top_k_mean,
    sparse_top_k_categorical_accuracy: _sparse_top_k_mean,
    mean_squared_error: _mse_mean, mean_absolute_error: _mae_mean,
    cosine_similarity: _loss_mean(_losses.cosine_similarity, -1.0),
    cosine_proximity: _loss_mean(_losses.cosine_similarity, -1.0),
}
for _m, _l in ((mean_absolute_percentage_error, _losses.mean_absolute_percentage_error),
               (mean_squared_logarithmic_error, _losses.mean_squared_logarithmic_error),
               (binary_crossentropy, _losses.binary_crossentropy),
               (categorical_crossentropy, _losses.categorical_crossentropy),
               (sparse_categorical_crossentropy, _losses.sparse_categorical_crossentropy),
               (hinge, _losses.hinge), (squared_hinge, _losses.squared_hinge),
               (categorical_hinge, _losses.categorical_hinge), (logcosh, _losses.logcosh),
               (kullback_leibler_divergence, _losses.kullback_leibler_divergence),
               (poisson, _losses.poisson)):
    _BATCH_MEAN[_m] = _loss_mean(_l)
del _m, _l


def batch_mean(fn):
    """The batch mean (a float) of a built-in metric function ``f(y_true, y_pred)``, computed
    without the per-sample array where it can (the training loop's form), or None for any other
    callable: fit averages those values itself (See Note [metric values] in
    engine/training_utils.py)."""
    return _BATCH_MEAN.get(fn)


_BY_NAME = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "logcosh": logcosh, "log_cosh": logcosh,
    "kullback_leibler_divergence": kullback_leibler_divergence, "kld": kullback_leibler_divergence,
    "KLD": kullback_leibler_divergence, "kl_divergence": kullback_leibler_divergence,
    "poisson": poisson, "cosine_similarity": cosine_similarity, "cosine_proximity": cosine_proximity,
    "cosine": cosine_proximity,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
}


def get(identifier):
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"metrics.get: unknown metric {identifier!r}; known: accuracy, acc, "
                             f"crossentropy, ce, {', '.join(sorted(_BY_NAME))}") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"metrics.get: expected a metric name or a callable, got {identifier!r}")

