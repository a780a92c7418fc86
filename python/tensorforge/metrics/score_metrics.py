"""tf_keras 2.13+'s FBetaScore, F1Score and R2Score (keras/metrics/f_score_metrics.py and
regression_metrics.py): running sums over (batch, output_dim) inputs, kept per output column.

FBetaScore: y_pred binarized at ``threshold`` (None: each row's maximum, zero rows stay zero),
weighted true / false positive and false negative counts; result (1 + beta^2) * P * R /
(beta^2 * P + R) per class (0 where undefined), averaged per ``average`` (None, 'micro',
'macro', 'weighted'). R2Score: 1 - SSE / SST per output, aggregated per
``class_aggregation``, adjusted for ``num_regressors``; an infinite score (a constant column)
counts as 0, as there.
"""
import warnings

import numpy as np

from ._utils import _np
from .base import Metric

__all__ = ["FBetaScore", "F1Score", "R2Score"]


def _two_d(cls, t, p):
    if t.ndim != 2 or p.ndim != 2:
        raise ValueError(f"{cls} expects 2D inputs with shape (batch_size, output_dim). Received "
                         f"input shapes: y_pred.shape={tuple(p.shape)} and "
                         f"y_true.shape={tuple(t.shape)}.")
    if t.shape != p.shape:
        raise ValueError(f"{cls}: y_true and y_pred must have the same shape, got "
                         f"{tuple(t.shape)} and {tuple(p.shape)}")


def _div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)


class FBetaScore(Metric):
    _sum_state = ("tp", "fp", "fn", "support")

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', "
                             f"'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if not 0 < threshold <= 1:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.tp = self.fp = self.fn = self.support = None  # shaped on the first update

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = _np(y_true).astype(np.float64)
        p = _np(y_pred).astype(np.float64)
        _two_d(type(self).__name__, t, p)
        if self.threshold is None:
            pred = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            pred = p > self.threshold
        pred = pred.astype(np.float64)
        w = None if sample_weight is None else _np(sample_weight).astype(np.float64).reshape(-1, 1)
        axis = None if self.average == "micro" else 0

        def wsum(v):
            return (v if w is None else v * w).sum(axis=axis)
        parts = (wsum(pred * t), wsum(pred * (1 - t)), wsum((1 - pred) * t), wsum(t))
        if self.tp is None:
            self.tp, self.fp, self.fn, self.support = (np.zeros_like(x) for x in parts)
        if np.shape(parts[0]) != np.shape(self.tp):
            raise ValueError(f"{type(self).__name__}: y_pred has {p.shape[-1]} classes, earlier "
                             f"batches had {np.shape(self.tp)[0]}")
        self.tp, self.fp, self.fn, self.support = (
            a + b for a, b in zip((self.tp, self.fp, self.fn, self.support), parts))

    def result(self):
        if self.tp is None:
            return 0.0
        precision = _div(self.tp, self.tp + self.fp)
        recall = _div(self.tp, self.tp + self.fn)
        b2 = self.beta ** 2
        score = _div(precision * recall, b2 * precision + recall) * (1 + b2)
        if self.average == "weighted":
            score = np.sum(score * _div(self.support, np.sum(self.support)))
        elif self.average is not None:
            score = np.mean(score)
        if np.ndim(score) == 0:
            return float(np.float32(score))
        return score.astype(np.float32)

    def get_config(self):
        return dict(super().get_config(), average=self.average, beta=self.beta,
                    threshold=self.threshold)


class F1Score(FBetaScore):
    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        cfg = super().get_config()
        del cfg["beta"]
        return cfg


class R2Score(Metric):
    _sum_state = ("squared_sum", "sum", "total_mse", "count", "num_samples")

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.squared_sum = self.sum = self.total_mse = self.count = None
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = _np(y_true).astype(np.float64)
        p = _np(y_pred).astype(np.float64)
        _two_d("R2Score", t, p)
        w = np.ones_like(t) if sample_weight is None else _np(sample_weight).astype(np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, t.shape)
        parts = ((t * t * w).sum(0), (t * w).sum(0), ((t - p) ** 2 * w).sum(0), w.sum(0))
        if self.sum is None:
            self.squared_sum, self.sum, self.total_mse, self.count = (np.zeros_like(x)
                                                                       for x in parts)
        if parts[0].shape != self.sum.shape:
            raise ValueError(f"R2Score: y_pred has {p.shape[-1]} outputs, earlier batches had "
                             f"{self.sum.shape[0]}")
        self.squared_sum, self.sum, self.total_mse, self.count = (
            a + b for a, b in zip((self.squared_sum, self.sum, self.total_mse, self.count),
                                  parts))
        self.num_samples += t.size

    def result(self):
        if self.sum is None:
            return 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum / self.count
            total = self.squared_sum - self.sum * mean
            raw = 1 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        if self.num_regressors:
            n, k = self.num_samples, self.num_regressors
            if k > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif k == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard "
                              "R2 score.", stacklevel=2)
            else:
                score = 1 - (1 - score) * (n - 1) / (n - k - 1)
        if np.ndim(score) == 0:
            return float(np.float32(score))
        return np.asarray(score, dtype=np.float32)

    def get_config(self):
        return dict(super().get_config(), class_aggregation=self.class_aggregation,
                    num_regressors=self.num_regressors)
