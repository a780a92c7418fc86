"""tf_keras 2's PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity and
SpecificityAtSensitivity (keras/metrics/confusion_metrics.py's SensitivitySpecificityBase):
the confusion counts of ``y_pred > t`` over ``num_thresholds`` thresholds (0, i / (n - 1) for
i in 1..n-2, 1; 0.5 alone for n = 1), and the best value of one rate among the thresholds where
the other reaches ``value`` (0 when none does). ``class_id`` scores one column.
"""
import numpy as np

from ._utils import _np
from .confusion_metrics import _Confusion, _div

__all__ = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity"]


class _AtConstraint(_Confusion):
    _value_name = None  # the constructor argument holding ``value`` (recall, precision, ...)

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        cls = type(self).__name__
        if not 0 <= value <= 1:
            raise ValueError(f"{cls}: argument `{self._value_name}` must be in the range [0, 1]. "
                             f"Received: {self._value_name}={value}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                or num_thresholds <= 0:
            raise ValueError(f"{cls}: argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value, self.class_id = float(value), class_id
        thresholds = [0.5] if num_thresholds == 1 else (
            [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0])
        super().__init__(thresholds, name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.class_id is not None:
            y_true = _np(y_true)[..., self.class_id]
            y_pred = _np(y_pred)[..., self.class_id]
        super().update_state(y_true, y_pred, sample_weight)

    def _rates(self):
        return {"precision": _div(self.tp, self.tp + self.fp),
                "recall": _div(self.tp, self.tp + self.fn),
                "specificity": _div(self.tn, self.tn + self.fp)}

    def _best(self, constrained, dependent):
        r = self._rates()
        feasible = r[constrained] >= self.value
        return float(np.float32(r[dependent][feasible].max())) if feasible.any() else 0.0

    def get_config(self):
        return dict(super().get_config(), num_thresholds=len(self.thresholds),
                    class_id=self.class_id, **{self._value_name: self.value})


class PrecisionAtRecall(_AtConstraint):
    """The best precision where recall >= ``recall``."""
    _value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("recall", "precision")


class RecallAtPrecision(_AtConstraint):
    """The best recall where precision >= ``precision``."""
    _value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("precision", "recall")


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) where specificity >= ``specificity``."""
    _value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("specificity", "recall")


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity where sensitivity (recall) >= ``sensitivity``."""
    _value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("recall", "specificity")
