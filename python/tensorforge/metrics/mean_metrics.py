"""Keras 2's built-in mean-type metric classes: each the weighted mean of one built-in metric
function (the accuracies, the regression errors, the cross-entropies, cosine similarity), and
RootMeanSquaredError (the root of such a mean)."""
import numpy as np

from ._utils import _arrays, _conform, _np, _out
from .base import Mean, MeanMetricWrapper
from .functions import (binary_accuracy, binary_crossentropy, categorical_accuracy,
                        categorical_crossentropy, categorical_hinge, cosine_similarity, hinge,
                        kullback_leibler_divergence, logcosh, mean_absolute_error, poisson,
                        squared_hinge,
                        mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, sparse_categorical_accuracy,
                        sparse_categorical_crossentropy, sparse_top_k_categorical_accuracy,
                        top_k_categorical_accuracy)


def _wrapper_class(cls_name, per_sample, metric_name, fixed=None, **defaults):
    """A MeanMetricWrapper class over ``per_sample`` with Keras 2's constructor: ``defaults``
    are the function's keyword arguments; ``fixed`` are Keras 2 arguments the function does not
    take here, accepted (and written in the config) only at their default value."""
    fixed = fixed or {}

    def __init__(self, name=metric_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults) - set(fixed)
        if unknown:
            raise TypeError(f"{cls_name}: unexpected arguments {sorted(unknown)}")
        for k, v in fixed.items():
            if k in kwargs and kwargs.pop(k) != v:
                raise NotImplementedError(f"{cls_name}: only {k}={v!r} is supported")
        MeanMetricWrapper.__init__(self, per_sample, name=name, dtype=dtype,
                                   **dict(defaults, **kwargs))

    def get_config(self):
        return dict(MeanMetricWrapper.get_config(self), **fixed)
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "_defaults": defaults,
                                                  "get_config": get_config,
                                                  "__doc__": f"Keras' {cls_name} metric."})


def _accuracy(y_true, y_pred):
    """Keras' Accuracy: y_true == y_pred elementwise (float32)."""
    t, p, was = _arrays("Accuracy", y_true, y_pred)
    return _out((_conform("Accuracy", t, p) == p).astype(np.float32), was)


Accuracy = _wrapper_class("Accuracy", _accuracy, "accuracy")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                threshold=0.5)
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy",
                                           sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper_class("SparseTopKCategoricalAccuracy",
                                               sparse_top_k_categorical_accuracy,
                                               "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error,
                                   "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy,
                                    "binary_crossentropy", from_logits=False,
                                    label_smoothing=0.0)
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", fixed={"axis": -1},
                                         from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy",
                                               sparse_categorical_crossentropy,
                                               "sparse_categorical_crossentropy",
                                               fixed={"axis": -1, "ignore_class": None},
                                               from_logits=False)


CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  axis=-1)
Hinge = _wrapper_class("Hinge", hinge, "hinge")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence, "kullback_leibler_divergence")
LogCoshError = _wrapper_class("LogCoshError", logcosh, "logcosh")
Poisson = _wrapper_class("Poisson", poisson, "poisson")


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean squared error over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _np(y_pred).astype(np.float64)
        y_true = _np(y_true).astype(np.float64).reshape(y_pred.shape)
        super().update_state((y_pred - y_true) ** 2, sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))
