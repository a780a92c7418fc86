"""tf_keras 2.10+'s IoU, BinaryIoU, OneHotIoU and OneHotMeanIoU (keras/metrics/iou_metrics.py),
on MeanIoU's confusion matrix (confusion_metrics.py): the mean of TP / (TP + FP + FN) over
``target_class_ids`` whose denominator is not 0. BinaryIoU thresholds y_pred (>= threshold is
class 1); the one-hot forms take the argmax of y_true (and of y_pred unless sparse_y_pred).
"""
import numpy as np

from ._utils import _np
from .confusion_metrics import MeanIoU

__all__ = ["IoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]


class IoU(MeanIoU):
    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        ids = [int(i) for i in target_class_ids]
        if max(ids, default=-1) >= num_classes or min(ids, default=0) < 0:
            raise ValueError(f"{type(self).__name__}: target_class_ids must lie in [0, "
                             f"{num_classes}), got {list(target_class_ids)}")
        self.target_class_ids = list(target_class_ids)
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if name is None:
            self.name = {"IoU": "io_u", "BinaryIoU": "binary_io_u",
                         "OneHotIoU": "one_hot_io_u"}.get(type(self).__name__, self.name)

    def result(self):
        cm = self.total_cm
        tp = np.diag(cm)
        denom = (cm.sum(0) + cm.sum(1) - tp)[self.target_class_ids]
        tp = tp[self.target_class_ids]
        valid = denom > 1e-9
        if not valid.any():
            return 0.0
        return float(np.float32((tp[valid] / denom[valid]).sum() / valid.sum()))

    def get_config(self):
        return dict(super().get_config(), target_class_ids=self.target_class_ids)


class BinaryIoU(IoU):
    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = (_np(y_pred).astype(np.float64) >= self.threshold).astype(np.float64)
        super().update_state(y_true, p, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class OneHotIoU(IoU):
    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg


class OneHotMeanIoU(MeanIoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name or "one_hot_mean_io_u", dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg
