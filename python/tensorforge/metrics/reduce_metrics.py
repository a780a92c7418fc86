"""tf_keras 2's Sum, MeanTensor and MeanRelativeError (keras/metrics/base_metric.py and
regression_metrics.py): the weighted sum of the values seen; their elementwise weighted mean
over the updates; the mean of |y_true - y_pred| / normalizer (0 where the normalizer is 0)."""
import numpy as np

from ._utils import _np, _weights
from .base import Mean, Metric

__all__ = ["Sum", "MeanTensor", "MeanRelativeError"]


class Sum(Metric):
    """The weighted sum of the values given to update_state(values, sample_weight)."""

    _sum_state = ("total",)

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        v = np.asarray(_np(values), dtype=np.float64)
        self.total += float((v * _weights(sample_weight, v)).sum())

    def result(self):
        return float(np.float32(self.total))


class MeanTensor(Metric):
    """The elementwise weighted mean of same-shaped values over the updates."""

    _sum_state = ("total", "count")

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        self._shape = None if shape is None else tuple(int(d) for d in shape)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = self.count = None if self._shape is None else np.zeros(self._shape)

    def update_state(self, values, sample_weight=None):
        v = np.asarray(_np(values), dtype=np.float64)
        if self.total is None:
            self.total, self.count = np.zeros(v.shape), np.zeros(v.shape)
        if v.shape != self.total.shape:
            raise ValueError(f"MeanTensor: input value shape {v.shape} does not match the "
                             f"shape of earlier values {self.total.shape}")
        w = _weights(sample_weight, v)
        self.total = self.total + v * w
        self.count = self.count + w

    def result(self):
        if self.total is None:
            raise ValueError("MeanTensor does not have any value yet. Please call the "
                             "MeanTensor instance or use `.update_state(value)` before "
                             "retrieving the result.")
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(self.count != 0, self.total / np.where(self.count != 0, self.count, 1),
                         0.0)
        return r.astype(np.float32)

    def get_config(self):
        return dict(super().get_config(), shape=None if self._shape is None else list(self._shape))


class MeanRelativeError(Mean):
    """The weighted mean of |y_true - y_pred| / normalizer, 0 where the normalizer is 0."""

    def __init__(self, normalizer, name=None, dtype=None):
        self.normalizer = np.asarray(_np(normalizer), dtype=np.float64)
        super().__init__(name=name or "mean_relative_error", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = np.asarray(_np(y_true), dtype=np.float64)
        p = np.asarray(_np(y_pred), dtype=np.float64)
        if t.shape != p.shape:
            if t.shape + (1,) == p.shape or t.shape == p.shape + (1,):
                t = t.reshape(p.shape)
            else:
                raise ValueError(f"MeanRelativeError: y_true and y_pred must have the same "
                                 f"shape, got {t.shape} and {p.shape}")
        n = np.broadcast_to(self.normalizer, p.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(n != 0, np.abs(t - p) / np.where(n != 0, n, 1), 0.0)
        super().update_state(rel, sample_weight)

    def get_config(self):
        n = self.normalizer
        return dict(super().get_config(), normalizer=n.tolist())
