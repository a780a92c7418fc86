"""Keras metrics (``tensorforge.metrics``, ``keras.metrics``): the metric functions, the metric
classes, and confusion_matrix, one concern per module:

  functions.py          the metric functions (one value per sample, Keras 2), their fused batch
                        means (``batch_mean``) and the lookup by name (``get``)
  base.py               the class base ``Metric`` and the reductions ``Mean``, ``MeanMetricWrapper``
  mean_metrics.py       the built-in mean-type classes (accuracies, regression errors,
                        cross-entropies, CosineSimilarity, RootMeanSquaredError)
  confusion_metrics.py  ``confusion_matrix`` and the confusion-count classes (Precision, Recall,
                        AUC, TruePositives, ..., MeanIoU)
  reduce_metrics.py     Sum, MeanTensor, MeanRelativeError
  iou_metrics.py        IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU (on MeanIoU's matrix)
  score_metrics.py      FBetaScore, F1Score, R2Score (tf_keras 2.13+)
  threshold_metrics.py  PrecisionAtRecall, RecallAtPrecision, Sensitivity/SpecificityAt...
  py_metric.py          PyMetric (keras.metrics.experimental.PyMetric)
  serialization.py      serialize / deserialize
  compile_utils.py      compile()'s resolution of a metric entry (``resolve``, ``is_stateful``)
  _utils.py             argument handling the others share
"""
from .base import Mean, MeanMetricWrapper, Metric, MetricResult, ScalarResult  # noqa: F401
from .compile_utils import _CLASSES, _SHAPE_CHOSEN, is_stateful, resolve  # noqa: F401
from .confusion_metrics import (AUC, FalseNegatives, FalsePositives, MeanIoU,  # noqa: F401
                                Precision, Recall, TrueNegatives, TruePositives,
                                confusion_matrix)
from .functions import (KLD, MAE, MAPE, MSE, MSLE, batch_mean,  # noqa: F401
                        binary_accuracy, binary_crossentropy, categorical_accuracy,
                        categorical_crossentropy, categorical_hinge, cosine_proximity,
                        cosine_similarity, get, hinge, kld, kullback_leibler_divergence,
                        logcosh, mae, mape, mean_absolute_error, mean_absolute_percentage_error,
                        mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson,
                        sparse_categorical_accuracy, sparse_categorical_crossentropy,
                        sparse_top_k_categorical_accuracy, squared_hinge,
                        top_k_categorical_accuracy)

from .functions import binary_focal_crossentropy, categorical_focal_crossentropy  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
from .iou_metrics import BinaryIoU, IoU, OneHotIoU, OneHotMeanIoU  # noqa: F401
from .reduce_metrics import MeanRelativeError, MeanTensor, Sum  # noqa: F401
from .score_metrics import F1Score, FBetaScore, R2Score  # noqa: F401
from .py_metric import PyMetric  # noqa: F401
import types as _types  # noqa: E402
experimental = _types.SimpleNamespace(PyMetric=PyMetric)  # keras.metrics.experimental
from .threshold_metrics import (PrecisionAtRecall, RecallAtPrecision,  # noqa: F401
                                SensitivityAtSpecificity, SpecificityAtSensitivity)
kl_divergence = kullback_leibler_divergence  # Keras 2's other names for the same functions
log_cosh = logcosh
from .mean_metrics import (Accuracy, BinaryAccuracy, BinaryCrossentropy,  # noqa: F401
                           CategoricalAccuracy, CategoricalCrossentropy, CategoricalHinge,
                           CosineSimilarity, Hinge, KLDivergence, LogCoshError, Poisson,
                           SquaredHinge,
                           MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                           MeanSquaredLogarithmicError, RootMeanSquaredError,
                           SparseCategoricalAccuracy, SparseCategoricalCrossentropy,
                           SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy)

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "mse", "mae", "mape", "msle", "MSE", "MAE", "MAPE",
           "MSLE", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
           "logcosh", "log_cosh", "kullback_leibler_divergence", "kl_divergence", "kld", "KLD", "poisson", "cosine_similarity",
           "cosine_proximity", "confusion_matrix", "get", "serialize", "deserialize",
           "binary_focal_crossentropy", "categorical_focal_crossentropy", "resolve", "batch_mean",
           "Metric", "Mean", "MeanMetricWrapper", "is_stateful"] + sorted(_CLASSES)
