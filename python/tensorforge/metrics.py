"""Keras metrics, computed on NumPy arrays outside the autograd graph, plus confusion_matrix.

A metric function ``fn(y_true, y_pred)`` returns the batch mean as a float; fit/evaluate average
batches weighted by size. Names and definitions are Keras 2's (tf_keras 2, oracle data in
tests/data/loss_refs.npz): the accuracies, ``top_k_categorical_accuracy`` (k=5, ties at the k-th
value count as in the top k, as tf.math.in_top_k), ``sparse_top_k_categorical_accuracy``, and every
loss usable as a metric (mse, mae, mape, msle, the cross-entropies, hinges, logcosh, kld, poisson).
``cosine_similarity`` is the positive similarity (tf.keras's metric); ``cosine_proximity`` is
Keras 2.2's metric alias of the loss (negative).

The log key of a metric is the string given (``'acc'`` logs ``acc``, ``'accuracy'`` logs
``accuracy``, ``'mae'`` logs ``mae``) or the function's ``__name__``. 'accuracy' / 'acc' resolve
as Keras does: binary accuracy for binary_crossentropy or a single output unit, sparse
categorical accuracy for sparse_categorical_crossentropy, else categorical; 'crossentropy' / 'ce'
likewise pick the cross-entropy matching the loss.
"""
import numpy as np

from . import losses as _losses

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "mse", "mae", "mape", "msle", "MSE", "MAE", "MAPE",
           "MSLE", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
           "logcosh", "kullback_leibler_divergence", "kld", "KLD", "poisson", "cosine_similarity",
           "cosine_proximity", "confusion_matrix", "get", "resolve"]


def _np(x):
    x = getattr(x, "data", x)
    return x.get() if hasattr(x, "get") and not isinstance(x, np.ndarray) else np.asarray(x)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _np(y_true), _np(y_pred)
    return float(np.mean((y_pred > threshold).reshape(y_true.shape) == (y_true > 0.5)))


def categorical_accuracy(y_true, y_pred):
    return float(np.mean(np.argmax(_np(y_true), -1) == np.argmax(_np(y_pred), -1)))


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = _np(y_pred)
    y_true = _np(y_true).reshape(y_pred.shape[:-1])
    return float(np.mean(y_true.astype(np.int64) == np.argmax(y_pred, -1)))


def _in_top_k(y_pred, labels, k):
    """tf.math.in_top_k: the target's score has fewer than k scores strictly above it."""
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    labels = labels.reshape(-1)
    target = y_pred[np.arange(y_pred.shape[0]), labels]
    return (y_pred > target[:, None]).sum(-1) < k


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    return float(np.mean(_in_top_k(y_pred, np.argmax(_np(y_true), -1), int(k))))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    labels = _np(y_true).reshape(y_pred.shape[:-1]).astype(np.int64)
    return float(np.mean(_in_top_k(y_pred, labels, int(k))))


def _from_loss(loss_fn, name=None):
    def fn(y_true, y_pred):
        return float(loss_fn(_np(y_true), _np(y_pred).astype(np.float32, copy=False)))
    fn.__name__ = fn.__qualname__ = name or loss_fn.__name__
    fn.__doc__ = f"The loss ``losses.{loss_fn.__name__}`` as a metric (batch mean)."
    return fn


def mean_squared_error(y_true, y_pred):
    return float(np.mean((_np(y_pred) - _np(y_true)) ** 2))


def mean_absolute_error(y_true, y_pred):
    return float(np.mean(np.abs(_np(y_pred) - _np(y_true))))


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
cosine_proximity = _from_loss(_losses.cosine_similarity, "cosine_proximity")


def cosine_similarity(y_true, y_pred, axis=-1):
    """mean of sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): 1 when aligned."""
    return -float(_losses.cosine_similarity(_np(y_true), _np(y_pred).astype(np.float32), axis=axis))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence

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


def _loss_function(loss):
    """The built-in loss function behind a compile() loss (a name, a function or a Loss)."""
    fn = _losses.get(loss) if isinstance(loss, str) else loss
    return getattr(fn, "fn", fn)


def resolve(identifier, loss, output_shape):
    """(name, fn) for a compile() metric, choosing the accuracy / cross-entropy variant as Keras
    does; the name is the log key (the string as given, else the function's __name__)."""
    if identifier in ("accuracy", "acc", "crossentropy", "ce"):
        loss_fn = _loss_function(loss)
        binary = loss_fn is _losses.binary_crossentropy or bool(output_shape and
                                                                 output_shape[-1] == 1)
        sparse = loss_fn is _losses.sparse_categorical_crossentropy
        if identifier in ("accuracy", "acc"):
            fn = (binary_accuracy if binary else
                  sparse_categorical_accuracy if sparse else categorical_accuracy)
        else:
            fn = (binary_crossentropy if binary else
                  sparse_categorical_crossentropy if sparse else categorical_crossentropy)
        return identifier, fn
    fn = get(identifier)
    return (identifier if isinstance(identifier, str) else
            getattr(fn, "__name__", type(fn).__name__)), fn


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Counts[i, j] = number of samples with true class i predicted as class j.

    Accepts integer labels or one-hot / probability rows (argmax is taken) for either argument.
    """
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        y_true = y_true.argmax(1)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        y_pred = y_pred.argmax(1)
    y_true = y_true.reshape(-1).astype(np.int64)
    y_pred = y_pred.reshape(-1).astype(np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: y_true and y_pred must have the same length, got "
                         f"{y_true.shape[0]} and {y_pred.shape[0]}")
    if y_true.size and (y_true.min() < 0 or y_pred.min() < 0):
        raise ValueError("confusion_matrix: labels must be non-negative")
    n = int(num_classes) if num_classes is not None else int(max(y_true.max(initial=-1),
                                                                 y_pred.max(initial=-1)) + 1)
    return np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n)
