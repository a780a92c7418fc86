"""Keras metrics, computed on NumPy arrays outside the autograd graph, plus confusion_matrix.

'accuracy' / 'acc' resolve as Keras does: binary accuracy for binary_crossentropy or a single
output unit, sparse categorical accuracy for sparse_categorical_crossentropy, else categorical.
A metric function returns the batch mean; fit/evaluate average batches weighted by size.
"""
import numpy as np

from . import losses as _losses

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error", "mse", "mae",
           "confusion_matrix", "get", "resolve"]


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


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    topk = np.argsort(-y_pred, axis=-1)[..., :k]
    return float(np.mean((topk == np.argmax(_np(y_true), -1)[..., None]).any(-1)))


def mean_squared_error(y_true, y_pred):
    return float(np.mean((_np(y_pred) - _np(y_true)) ** 2))


def mean_absolute_error(y_true, y_pred):
    return float(np.mean(np.abs(_np(y_pred) - _np(y_true))))


mse, mae = mean_squared_error, mean_absolute_error

_BY_NAME = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
}


def get(identifier):
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"metrics.get: unknown metric {identifier!r}; known: accuracy, acc, "
                             f"{', '.join(sorted(_BY_NAME))}") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"metrics.get: expected a metric name or a callable, got {identifier!r}")


def resolve(identifier, loss, output_shape):
    """(name, fn) for a compile() metric, choosing the accuracy variant as Keras does."""
    if identifier in ("accuracy", "acc"):
        loss_fn = _losses.get(loss) if isinstance(loss, str) else loss
        if loss_fn is _losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
            return identifier, binary_accuracy
        if loss_fn is _losses.sparse_categorical_crossentropy:
            return identifier, sparse_categorical_accuracy
        return identifier, categorical_accuracy
    fn = get(identifier)
    return (identifier if isinstance(identifier, str) else fn.__name__), fn


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
