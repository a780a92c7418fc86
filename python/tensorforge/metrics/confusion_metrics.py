"""Confusion-matrix metrics: the function ``confusion_matrix`` and the classes that count true /
false positives and negatives over thresholds (Precision, Recall, AUC, TruePositives, ...) or
classes (MeanIoU)."""
import numpy as np

from ._utils import _np, _weights
from .base import Metric


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


class _Confusion(Metric):
    """True/false positives and negatives of ``y_pred > threshold`` (binary, one per element),
    summed with sample weights, for each threshold."""

    _sum_state = ("tp", "fp", "tn", "fn")

    def __init__(self, thresholds, name=None, dtype=None):
        self.thresholds = np.asarray(thresholds, dtype=np.float64).reshape(-1)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _np(y_pred).astype(np.float64)
        y_true = _np(y_true).astype(np.float64).reshape(y_pred.shape) > 0.5
        w = _weights(sample_weight, y_pred).reshape(-1)
        p, t = y_pred.reshape(-1), y_true.reshape(-1)
        if p.size and (p.min() < 0 or p.max() > 1):
            raise ValueError(f"{type(self).__name__}: y_pred must be probabilities in [0, 1], got "
                             f"values in [{p.min()}, {p.max()}]")
        pred = p[None, :] > self.thresholds[:, None]
        self.tp += (w * (pred & t)).sum(1)
        self.fp += (w * (pred & ~t)).sum(1)
        self.fn += (w * (~pred & t)).sum(1)
        self.tn += (w * (~pred & ~t)).sum(1)


def _div(a, b):
    return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)


def _per_threshold(r):
    """A result per threshold: a float for one threshold, else the array."""
    return float(r[0]) if r.size == 1 else r


class _TpRatio(_Confusion):
    """tp / (tp + the cell ``_other``) per threshold (default 0.5): Precision (fp), Recall (fn)."""

    _other = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None or class_id is not None:
            raise NotImplementedError(f"{type(self).__name__}: top_k and class_id are not "
                                      f"supported")
        self._init_thresholds = thresholds
        super().__init__(0.5 if thresholds is None else thresholds, name=name, dtype=dtype)

    def result(self):
        return _per_threshold(_div(self.tp, self.tp + getattr(self, self._other)))

    def get_config(self):
        return dict(super().get_config(), thresholds=self._init_thresholds, top_k=None,
                    class_id=None)


class Precision(_TpRatio):
    _other = "fp"


class Recall(_TpRatio):
    _other = "fn"


class AUC(_Confusion):
    """Area under the ROC curve from ``num_thresholds`` thresholds (tf.keras's construction:
    0 - eps, i / (n - 1) for i in 1..n-2, 1 + eps; trapezoidal 'interpolation')."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if curve != "ROC":
            raise NotImplementedError(f"AUC: only curve='ROC' is supported, got {curve!r}")
        if summation_method != "interpolation" or multi_label or num_labels is not None or \
                label_weights is not None:
            raise NotImplementedError("AUC: only summation_method='interpolation' without "
                                      "multi_label / num_labels / label_weights is supported")
        self._given_thresholds = None if thresholds is None else sorted(
            float(t) for t in np.asarray(thresholds, dtype=np.float64).reshape(-1))
        if thresholds is None:
            if num_thresholds < 2:
                raise ValueError(f"AUC: num_thresholds must be > 1, got {num_thresholds}")
            eps = 1e-7
            thresholds = ([0.0 - eps] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                         for i in range(num_thresholds - 2)] + [1.0 + eps])
        else:
            thresholds = [0.0 - 1e-7] + self._given_thresholds + [1.0 + 1e-7]
        self.num_thresholds, self.curve = len(thresholds), curve
        self.summation_method, self.from_logits = summation_method, bool(from_logits)
        super().__init__(thresholds, name=name or "auc", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.from_logits:  # Keras 2: the sigmoid of the logits
            y_pred = 1.0 / (1.0 + np.exp(-_np(y_pred).astype(np.float64)))
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        config = dict(super().get_config(), num_thresholds=self.num_thresholds, curve=self.curve,
                      summation_method=self.summation_method, multi_label=False,
                      num_labels=None, label_weights=None, from_logits=self.from_logits)
        if self._given_thresholds is not None:
            config["thresholds"] = list(self._given_thresholds)
        return config

    def result(self):
        tpr = _div(self.tp, self.tp + self.fn)
        fpr = _div(self.fp, self.fp + self.tn)
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


class _ConfusionCount(_Confusion):
    """One cell of the confusion counts of ``y_pred > thresholds`` (default 0.5), summed with
    sample weights over everything seen."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        self._init_thresholds = thresholds
        super().__init__(0.5 if thresholds is None else thresholds, name=name, dtype=dtype)

    def result(self):
        return _per_threshold(getattr(self, self._cell))

    def get_config(self):
        return dict(super().get_config(), thresholds=self._init_thresholds)


class TruePositives(_ConfusionCount):
    _cell = "tp"


class FalsePositives(_ConfusionCount):
    _cell = "fp"


class TrueNegatives(_ConfusionCount):
    _cell = "tn"


class FalseNegatives(_ConfusionCount):
    _cell = "fn"


class MeanIoU(Metric):
    """Mean over classes of TP / (TP + FP + FN) of a (num_classes x num_classes) confusion matrix
    accumulated over everything seen (tf.keras MeanIoU: classes that never occur, in y_true or
    y_pred, are left out of the mean). Labels are class ids; ``sparse_y_true`` /
    ``sparse_y_pred`` False take the argmax of the last axis instead."""

    _sum_state = ("total_cm",)

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or \
                num_classes < 1:
            raise ValueError(f"MeanIoU: num_classes must be a positive int, got {num_classes!r}")
        self.num_classes, self.ignore_class = int(num_classes), ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        super().__init__(name=name or "mean_io_u", dtype=dtype)

    def reset_state(self):
        self.total_cm = np.zeros((self.num_classes, self.num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _np(y_true), _np(y_pred)
        if not self.sparse_y_true:
            y_true = y_true.argmax(self.axis)
        if not self.sparse_y_pred:
            y_pred = y_pred.argmax(self.axis)
        t = y_true.reshape(-1).astype(np.int64)
        p = y_pred.reshape(-1).astype(np.int64)
        if t.shape != p.shape:
            raise ValueError(f"MeanIoU: y_true and y_pred must hold as many labels, got shapes "
                             f"{y_true.shape} and {y_pred.shape}")
        w = (np.ones(t.shape) if sample_weight is None else
             np.broadcast_to(np.asarray(_np(sample_weight), np.float64).reshape(-1), t.shape))
        keep = np.ones(t.shape, bool) if self.ignore_class is None else t != self.ignore_class
        n = self.num_classes
        bad = keep & ((t < 0) | (t >= n) | (p < 0) | (p >= n))
        if bad.any():
            raise ValueError(f"MeanIoU: labels must lie in [0, {n}), got values in "
                             f"[{min(t.min(), p.min())}, {max(t.max(), p.max())}]")
        self.total_cm += np.bincount(t[keep] * n + p[keep], weights=w[keep],
                                     minlength=n * n).reshape(n, n)

    def result(self):
        cm = self.total_cm
        tp = np.diag(cm)
        denom = cm.sum(0) + cm.sum(1) - tp
        valid = denom != 0
        return float((tp[valid] / denom[valid]).sum() / valid.sum()) if valid.any() else 0.0

    def get_config(self):
        return dict(super().get_config(), num_classes=self.num_classes,
                    ignore_class=self.ignore_class, sparse_y_true=self.sparse_y_true,
                    sparse_y_pred=self.sparse_y_pred, axis=self.axis)

