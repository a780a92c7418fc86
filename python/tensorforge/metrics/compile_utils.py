"""compile()'s metrics: ``resolve`` turns an entry of compile(metrics=[...]) into (log key, fn),
and ``is_stateful`` tells fit which of those fns stand for a metric object it must drive.

The log key of a metric is the string given (``'acc'`` logs ``acc``, ``'accuracy'`` logs
``accuracy``, ``'mae'`` logs ``mae``) or the function's ``__name__``. 'accuracy' / 'acc' resolve
by shapes as tf_keras 2 does (``resolve``): binary accuracy for an output of one unit, sparse
categorical accuracy for targets with fewer axes than the output (or a last axis of 1),
else categorical, whatever the loss; 'crossentropy' / 'ce' likewise pick the cross-entropy.
"""
from .. import losses as _losses
from .base import Mean, Metric, MeanMetricWrapper
from .confusion_metrics import (AUC, FalseNegatives, FalsePositives, MeanIoU, Precision, Recall,
                                TrueNegatives, TruePositives)
from .iou_metrics import BinaryIoU, IoU, OneHotIoU, OneHotMeanIoU
from .reduce_metrics import MeanRelativeError, MeanTensor, Sum
from .score_metrics import F1Score, FBetaScore, R2Score
from .threshold_metrics import (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
                                SpecificityAtSensitivity)
from .functions import (binary_accuracy, binary_crossentropy, categorical_accuracy,
                        categorical_crossentropy, get, sparse_categorical_accuracy,
                        sparse_categorical_crossentropy)
from .mean_metrics import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,
                           CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge,
                           KLDivergence, LogCoshError, MeanAbsoluteError, Poisson, SquaredHinge,
                           MeanAbsolutePercentageError, MeanSquaredError,
                           MeanSquaredLogarithmicError, RootMeanSquaredError,
                           SparseCategoricalAccuracy, SparseCategoricalCrossentropy,
                           SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy)


def _loss_function(loss):
    """The built-in loss function behind a compile() loss (a name, a function or a Loss)."""
    fn = _losses.get(loss) if isinstance(loss, str) else loss
    return getattr(fn, "fn", fn)


_SHAPE_CHOSEN = ("accuracy", "acc", "crossentropy", "ce")


def resolve(identifier, loss, output_shape, target_shape=None):
    """(name, fn) for a compile() metric; the name is the log key (the string as given, else the
    function's __name__). 'accuracy' / 'acc' / 'crossentropy' / 'ce' become the binary, sparse
    categorical or categorical variant by shapes, as tf_keras 2 does (compile_utils): binary
    when the output's last axis is 1, else sparse when the target has fewer axes than the output
    or a last axis of 1, else categorical (the loss plays no part: a binary_crossentropy output
    of 3 units gets categorical accuracy). ``target_shape`` is the first target array's shape
    (tf_keras chooses on the first batch); before any data (None) a sparse categorical
    cross-entropy loss stands for sparse targets."""
    if identifier in _SHAPE_CHOSEN:
        last = output_shape[-1] if output_shape else None
        binary = last == 1
        if target_shape is None:
            sparse = _loss_function(loss) is _losses.sparse_categorical_crossentropy
        else:
            sparse = len(target_shape) < len(output_shape) or (
                target_shape[-1] == 1 and last is not None and last > 1)
        if identifier in ("accuracy", "acc"):
            fn = (binary_accuracy if binary else
                  sparse_categorical_accuracy if sparse else categorical_accuracy)
        else:
            fn = (binary_crossentropy if binary else
                  sparse_categorical_crossentropy if sparse else categorical_crossentropy)
        return identifier, fn
    if isinstance(identifier, str) and identifier in _CLASSES:
        identifier = _CLASSES[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        identifier = identifier()
    if isinstance(identifier, MeanMetricWrapper):
        return identifier.name, identifier.function()
    if isinstance(identifier, Metric):
        return identifier.name, _batchwise(identifier)
    fn = get(identifier)
    return (identifier if isinstance(identifier, str) else
            getattr(fn, "__name__", type(fn).__name__)), fn


def _batchwise(metric):
    """``fn(y_true, y_pred)``: ``metric``'s value on one batch alone (a private copy is reset and
    updated per call), with the metric object itself as ``fn.stateful_metric``."""
    import copy
    own = copy.deepcopy(metric)

    def fn(y_true, y_pred):
        own.reset_state()
        own.update_state(y_true, y_pred)
        return float(own.result())
    fn.__name__ = metric.name
    fn.stateful_metric = metric
    return fn


def is_stateful(fn):
    """The metric object behind ``fn`` when it must be driven through reset_state /
    update_state / result for an exact epoch value (See Note [metric classes in fit]), else
    None."""
    if hasattr(fn, "update_state") and hasattr(fn, "result"):
        return fn
    return getattr(fn, "stateful_metric", None)


# Note [metric classes in fit]
# compile(metrics=[...]) resolves each entry to (log name, fn). Functions and mean-type classes
# (MeanMetricWrapper: the accuracies, MSE, ...) give a per-sample function (a built-in class
# with its default arguments gives the built-in function itself): fit runs a built-in's fused
# batch_mean and weights it by batch size, and averages any other function's values as
# tf.keras's Mean does (See Note [metric values] in engine/training_utils.py). The other classes
# (Precision, Recall, AUC, RootMeanSquaredError, the confusion counts, MeanIoU, Mean, a user's
# Metric subclass) are not batch means: is_stateful(fn) returns the metric object, and fit /
# evaluate / train_on_batch drive it as Keras 2 does (engine/training.py, training_arrays.py):
# reset_state() at each epoch and evaluate start, update_state(y, p, sample_weight) per batch,
# result() in the batch logs (the running value), the epoch logs, and val_ over the whole
# validation set. Their fn alone computes one batch's value (for code that calls it directly).

_CLASSES = {c.__name__: c for c in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, RootMeanSquaredError, Precision, Recall,
    AUC, Mean, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, MeanIoU,
    CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, LogCoshError, Poisson,
    FBetaScore, F1Score, R2Score, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, Sum, MeanTensor, MeanRelativeError, IoU, BinaryIoU, OneHotIoU,
    OneHotMeanIoU)}
