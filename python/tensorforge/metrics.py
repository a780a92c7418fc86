"""Keras metrics: the metric functions, the metric classes, and confusion_matrix.

A metric function ``fn(y_true, y_pred)`` returns one value per sample, as Keras 2's do (tf_keras
2, oracle data in tests/data/metric_fn_refs.npz, tools/gen_metric_fn_refs.py): shape
y_pred.shape[:-1] (the mean over the last axis for binary_accuracy and the loss-type metrics, a
match per sample for the categorical ones), float32 for the accuracies and the dtype of a float
y_pred for the others; ``sparse_top_k_categorical_accuracy`` keeps a (N, 1) y_true's shape, as
Keras 2 does. Arrays give a NumPy array (a CuPy one on the device), Tensors a Tensor. fit /
evaluate average the values over the samples (``weighted_metrics`` weighted by sample_weight);
``batch_mean(fn)`` is a built-in's fused batch mean, the form the training loop computes.
Definitions are Keras 2's: the accuracies, ``top_k_categorical_accuracy`` (k=5, ties at the k-th
value count as in the top k, as tf.math.in_top_k), and every loss usable as a metric (mse, mae,
mape, msle, the cross-entropies, hinges, logcosh, kld, poisson). ``cosine_similarity`` is the
positive similarity, as tf_keras 2's metric; so is the metric ``cosine_proximity`` (and
``'cosine'``), as tf_keras resolves that name (Keras 2.2's metric was the negative loss; the loss
keeps that sign: losses.py). Unlike Keras 2, a y_true lacking only y_pred's trailing unit axis ((N,) against
(N, 1)) is compared sample by sample instead of broadcast to (N, N); shapes that do not match
otherwise are a ValueError.

The log key of a metric is the string given (``'acc'`` logs ``acc``, ``'accuracy'`` logs
``accuracy``, ``'mae'`` logs ``mae``) or the function's ``__name__``. 'accuracy' / 'acc' resolve
by shapes as tf_keras 2 does (``resolve``): binary accuracy for an output of one unit, sparse
categorical accuracy for targets with fewer axes than the output (or a last axis of 1),
else categorical, whatever the loss; 'crossentropy' / 'ce' likewise pick the cross-entropy.
"""
import functools

import numpy as np

from . import losses as _losses
from ._xp import array_module, host
from .autograd import Tensor

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "mse", "mae", "mape", "msle", "MSE", "MAE", "MAPE",
           "MSLE", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
           "logcosh", "kullback_leibler_divergence", "kld", "KLD", "poisson", "cosine_similarity",
           "cosine_proximity", "confusion_matrix", "get", "resolve", "batch_mean"]


def _np(x):
    if type(x) is np.ndarray:
        return x
    return np.asarray(host(x))  # (a CuPy array's own .data is its memory pointer)


def _arrays(op, y_true, y_pred):
    """(y_true, y_pred, was_tensor): the data of Tensors, arrays as they are (NumPy or CuPy),
    anything else through np.asarray; a non-numeric y_pred is a TypeError naming ``op``."""
    was = isinstance(y_pred, Tensor)
    p = y_pred.data if was else y_pred
    t = y_true.data if isinstance(y_true, Tensor) else y_true
    if not hasattr(p, "dtype"):
        p = np.asarray(p)
    if not hasattr(t, "dtype"):
        t = array_module(p).asarray(t)
    if p.dtype.kind not in "biuf" or t.dtype.kind not in "biuf":
        raise TypeError(f"{op}: y_true and y_pred must be real numeric arrays or Tensors, got "
                        f"dtypes {t.dtype} and {p.dtype}")
    return t, p, was


def _conform(op, t, p):
    """y_true of y_pred's shape: one lacking only y_pred's trailing unit axis gains it (and one
    with an extra trailing unit axis loses it); other mismatches are a ValueError."""
    if t.shape != p.shape:
        if t.ndim == p.ndim - 1 and p.shape[-1] == 1 and t.shape == p.shape[:-1] or \
                t.ndim == p.ndim + 1 and t.shape[-1] == 1 and t.shape[:-1] == p.shape:
            return t.reshape(p.shape)
        raise ValueError(f"{op}: y_true and y_pred must have the same shape, got "
                         f"{tuple(t.shape)} and {tuple(p.shape)}")
    return t


def _labels(op, t, p):
    """Sparse labels for y_pred (..., C): shape p.shape[:-1] (a trailing unit axis dropped)."""
    if p.ndim == 0:
        raise ValueError(f"{op}: y_pred must have a class axis (..., C), got a scalar")
    lead = p.shape[:-1]
    if t.shape != lead:
        if t.shape == lead + (1,):
            return t.reshape(lead)
        raise ValueError(f"{op}: integer labels must have shape {lead} (or {lead + (1,)}) for "
                         f"y_pred {tuple(p.shape)}, got {tuple(t.shape)}")
    return t


def _out(values, was_tensor):
    return Tensor(values) if was_tensor else values


def _fraction(hits):
    """The mean of a bool array as a float (np.mean's Python layer costs more than the work on
    a batch of 32: the batch means run every training step)."""
    return np.count_nonzero(hits) / hits.size if hits.size else float("nan")


def _in_top_k(y_pred, labels, k):
    """tf.math.in_top_k: the target's score has fewer than k scores strictly above it; shape
    y_pred.shape[:-1]."""
    xp = array_module(y_pred)
    flat = y_pred.reshape(-1, y_pred.shape[-1])
    target = flat[xp.arange(flat.shape[0]), labels.reshape(-1).astype(np.int64)]
    return ((flat > target[:, None]).sum(-1) < k).reshape(y_pred.shape[:-1])


def _check_labels(op, labels, classes):
    xp = array_module(labels)
    if labels.size and xp is np and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{op}: labels must lie in [0, {classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")


# ---- the metric functions: one value per sample (Keras 2) -------------------------------------

def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean over the last axis of (y_pred > threshold) == y_true, per sample (float32)."""
    t, p, was = _arrays("binary_accuracy", y_true, y_pred)
    t = _conform("binary_accuracy", t, p)
    return _out((t == (p > threshold)).mean(-1, dtype=np.float32), was)


def categorical_accuracy(y_true, y_pred):
    """argmax(y_true) == argmax(y_pred) over the last axis, per sample (float32)."""
    t, p, was = _arrays("categorical_accuracy", y_true, y_pred)
    t = _conform("categorical_accuracy", t, p)
    return _out((t.argmax(-1) == p.argmax(-1)).astype(np.float32), was)


def sparse_categorical_accuracy(y_true, y_pred):
    """y_true == argmax(y_pred) for integer labels of shape y_pred.shape[:-1] (or with a
    trailing 1), per sample (float32)."""
    t, p, was = _arrays("sparse_categorical_accuracy", y_true, y_pred)
    t = _labels("sparse_categorical_accuracy", t, p)
    return _out((t == p.argmax(-1)).astype(np.float32), was)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """argmax(y_true) among the k highest scores of y_pred, per sample (float32)."""
    t, p, was = _arrays("top_k_categorical_accuracy", y_true, y_pred)
    t = _conform("top_k_categorical_accuracy", t, p)
    return _out(_in_top_k(p, t.argmax(-1), int(k)).astype(np.float32), was)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """The label y_true among the k highest scores of y_pred, per sample (float32), in y_true's
    shape ((N, 1) labels give (N, 1), as Keras 2)."""
    op = "sparse_top_k_categorical_accuracy"
    t, p, was = _arrays(op, y_true, y_pred)
    labels = _labels(op, t, p)
    _check_labels(op, labels, p.shape[-1])
    return _out(_in_top_k(p, labels, int(k)).astype(np.float32).reshape(t.shape), was)


def _from_loss(loss_fn, name=None):
    """The loss ``loss_fn`` as a metric: its per-sample values, in y_pred's float dtype."""
    def fn(y_true, y_pred, **kwargs):
        v = loss_fn(y_true, y_pred, **kwargs)
        if isinstance(v, Tensor):
            return v
        dt = getattr(y_pred, "dtype", None)
        return v.astype(dt) if dt is not None and dt.kind == "f" and v.dtype != dt else v
    fn.__name__ = fn.__qualname__ = name or loss_fn.__name__
    fn.__doc__ = f"The loss ``losses.{loss_fn.__name__}`` as a metric, per sample."
    return fn


# like the loss-type metrics (losses' functions), the accuracies take a functional graph's
# symbolic tensors too (they then record an op layer)
binary_accuracy = _losses._graph_aware(binary_accuracy)
categorical_accuracy = _losses._graph_aware(categorical_accuracy)
sparse_categorical_accuracy = _losses._graph_aware(sparse_categorical_accuracy)
top_k_categorical_accuracy = _losses._graph_aware(top_k_categorical_accuracy)
sparse_top_k_categorical_accuracy = _losses._graph_aware(sparse_top_k_categorical_accuracy)

mean_squared_error = _from_loss(_losses.mean_squared_error)
mean_absolute_error = _from_loss(_losses.mean_absolute_error)
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


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis) per sample: 1 when aligned."""
    v = _losses.cosine_similarity(y_true, y_pred, axis=axis)
    if isinstance(v, Tensor):
        return -v
    dt = getattr(y_pred, "dtype", None)
    return (-v).astype(dt) if dt is not None and dt.kind == "f" and v.dtype != dt else -v


def cosine_proximity(y_true, y_pred, axis=-1):
    """tf_keras 2's metric of this name: the positive ``cosine_similarity`` (logged as
    ``cosine_proximity``)."""
    return cosine_similarity(y_true, y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence


# ---- their batch means: the training loop's form, fused (no per-sample array) -----------------

def _binary_accuracy_mean(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    return _fraction((y_pred > 0.5).reshape(y_true.shape) == y_true)  # Keras 2: exact y_true


def _categorical_accuracy_mean(y_true, y_pred):
    return _fraction(_np(y_true).argmax(-1) == _np(y_pred).argmax(-1))


def _sparse_categorical_accuracy_mean(y_true, y_pred):
    y_pred = _np(y_pred)
    y_true = _np(y_true).reshape(y_pred.shape[:-1])
    return _fraction(y_true.astype(np.int64, copy=False) == y_pred.argmax(-1))


def _top_k_mean(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    return _fraction(_in_top_k(y_pred, np.argmax(_np(y_true), -1), int(k)))


def _sparse_top_k_mean(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    return _fraction(_in_top_k(y_pred, _np(y_true).reshape(y_pred.shape[:-1]), int(k)))


def _mse_mean(y_true, y_pred):
    return float(np.mean((_np(y_pred) - _np(y_true)) ** 2))


def _mae_mean(y_true, y_pred):
    return float(np.mean(np.abs(_np(y_pred) - _np(y_true))))


def _loss_mean(loss_fn, sign=1.0):
    mean = _losses.batch_mean(loss_fn)

    def fn(y_true, y_pred):
        return sign * float(mean(_np(y_true), _np(y_pred).astype(np.float32, copy=False)))
    return fn


_BATCH_MEAN = {
    binary_accuracy: _binary_accuracy_mean, categorical_accuracy: _categorical_accuracy_mean,
    sparse_categorical_accuracy: _sparse_categorical_accuracy_mean,
    top_k_categorical_accuracy: _top_k_mean,
    sparse_top_k_categorical_accuracy: _sparse_top_k_mean,
    mean_squared_error: _mse_mean, mean_absolute_error: _mae_mean,
    cosine_similarity: _loss_mean(_losses.cosine_similarity, -1.0),
    cosine_proximity: _loss_mean(_losses.cosine_similarity, -1.0),
}
for _m, _l in ((mean_absolute_percentage_error, _losses.mean_absolute_percentage_error),
               (mean_squared_logarithmic_error, _losses.mean_squared_logarithmic_error),
               (binary_crossentropy, _losses.binary_crossentropy),
               (categorical_crossentropy, _losses.categorical_crossentropy),
               (sparse_categorical_crossentropy, _losses.sparse_categorical_crossentropy),
               (hinge, _losses.hinge), (squared_hinge, _losses.squared_hinge),
               (categorical_hinge, _losses.categorical_hinge), (logcosh, _losses.logcosh),
               (kullback_leibler_divergence, _losses.kullback_leibler_divergence),
               (poisson, _losses.poisson)):
    _BATCH_MEAN[_m] = _loss_mean(_l)
del _m, _l


def batch_mean(fn):
    """The batch mean (a float) of a built-in metric function ``f(y_true, y_pred)``, computed
    without the per-sample array where it can (the training loop's form), or None for any other
    callable: fit averages those values itself (See Note [metric values] in
    engine/training_utils.py)."""
    return _BATCH_MEAN.get(fn)


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


# ---- Keras 2 (tf.keras) metric classes -------------------------------------------------------
#
# Each keeps running state: update_state(y_true, y_pred, sample_weight=None), result(),
# reset_state() (reset_states() too); calling one updates it and returns the running result, as
# tf.keras does. compile() logs a class under its ``name``. See Note [metric classes in fit].


def _weights(sample_weight, values):
    if sample_weight is None:
        return np.ones_like(values, dtype=np.float64)
    w = np.asarray(_np(sample_weight), dtype=np.float64)
    if w.ndim > values.ndim and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    while w.ndim < values.ndim:
        w = w[..., None]
    return np.broadcast_to(w, values.shape)


class Metric:
    """Base of the metric classes: running state, ``update_state`` / ``result`` /
    ``reset_state``; ``__call__`` updates and returns the running result."""

    stateful = True
    # the attributes holding sums over the samples seen: the state of several disjoint parts of
    # the data summed is the state of their union (tensorforge.distributed sums them over the
    # ranks); None for a state that is not such sums
    _sum_state = None

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake_name(type(self).__name__)
        self.dtype = dtype or "float32"
        self.reset_state()

    def reset_state(self):
        raise NotImplementedError

    def reset_states(self):  # Keras 2.x spelling
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs):
        """A scalar ``result()`` comes back as a ScalarResult (a float with TensorFlow's
        ``.numpy()``), since Keras 2 programs write ``metric.result().numpy()``."""
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("result")
        if fn is None or getattr(fn, "_scalar_result", False):
            return

        @functools.wraps(fn)
        def result(self):
            r = fn(self)
            if isinstance(r, (float, int, np.floating, np.integer)) and \
                    not isinstance(r, (bool, np.bool_, ScalarResult)):
                return ScalarResult(r)
            return r
        result._scalar_result = True
        cls.result = result

    def __call__(self, *args, **kwargs):
        # update_state's own arguments: (y_true, y_pred, sample_weight), or Mean's (values,
        # sample_weight) -- tf.keras' ``loss_metric(loss)``
        self.update_state(*args, **kwargs)
        r = self.result()
        if np.ndim(_np(r)) != 0:
            return r
        return MetricResult(r, self)


class ScalarResult(float):
    """A metric's scalar result: a float that also answers TensorFlow's ``.numpy()`` (a
    float32, as a tf.keras metric's result tensor gives)."""

    def numpy(self):
        return np.float32(self)


class MetricResult(ScalarResult):
    """What calling a metric object returns: its running result, which remembers the metric
    (tf.keras' result tensor carries ``_metric_obj``), so that ``Layer.add_metric(metric(y, p))``
    names the logged value after the metric and reports its state, as Keras 2 does."""

    def __new__(cls, value, metric):
        self = super().__new__(cls, float(_np(value)))
        self._metric_obj = metric
        self.name = metric.name
        return self

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


def _snake_name(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return {"a_u_c": "auc", "root_mean_squared_error": "root_mean_squared_error"}.get(out, out)


class Mean(Metric):
    """The (weighted) mean of the values given to update_state(values, sample_weight)."""

    _sum_state = ("total", "count")

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        v = np.asarray(_np(values), dtype=np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += float(v.size)
            return
        try:
            w = _weights(sample_weight, v)
        except ValueError:
            # weights that do not broadcast to the values (a scalar value and (N,) weights):
            # tf_keras averages the values down to the weights' rank and counts every weight,
            # so a scalar batch value weighs sum(w)
            w = np.asarray(_np(sample_weight), dtype=np.float64)
            if v.ndim > w.ndim:
                v = v.mean(axis=tuple(range(w.ndim, v.ndim)))
            try:
                np.broadcast_shapes(v.shape, w.shape)
            except ValueError:
                raise ValueError(f"{self.name}.update_state: sample_weight of shape {w.shape} "
                                 f"does not match values of shape {v.shape}") from None
        self.total += float((v * w).sum())
        self.count += float(np.broadcast_to(w, np.broadcast_shapes(v.shape, w.shape)).sum()
                            if v.ndim > w.ndim else w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample metric ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def function(self):
        """compile()'s form of this metric, ``fn(y_true, y_pred)`` per sample: the built-in
        function itself when this is a built-in class with its default arguments (so fit runs
        its fused batch mean), else the wrapped function with this metric's arguments."""
        if batch_mean(self._fn) is not None and self._fn_kwargs == getattr(self, "_defaults", None):
            return self._fn
        fn_, kw = self._fn, self._fn_kwargs

        def fn(y_true, y_pred):
            return fn_(y_true, y_pred, **kw)
        fn.__name__ = self.name
        return fn

    def get_config(self):
        return dict(super().get_config(), **self._fn_kwargs)


def _wrapper_class(cls_name, per_sample, metric_name, **defaults):
    def __init__(self, name=metric_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{cls_name}: unexpected arguments {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, per_sample, name=name, dtype=dtype,
                                   **dict(defaults, **kwargs))
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "_defaults": defaults,
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
                                    "binary_crossentropy", from_logits=False)
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", from_logits=False)
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy",
                                               sparse_categorical_crossentropy,
                                               "sparse_categorical_crossentropy",
                                               from_logits=False)


CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  axis=-1)


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


class Precision(_Confusion):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None or class_id is not None:
            raise NotImplementedError("Precision: top_k and class_id are not supported")
        super().__init__(0.5 if thresholds is None else thresholds, name=name, dtype=dtype)

    def result(self):
        r = _div(self.tp, self.tp + self.fp)
        return float(r[0]) if r.size == 1 else r


class Recall(_Confusion):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None or class_id is not None:
            raise NotImplementedError("Recall: top_k and class_id are not supported")
        super().__init__(0.5 if thresholds is None else thresholds, name=name, dtype=dtype)

    def result(self):
        r = _div(self.tp, self.tp + self.fn)
        return float(r[0]) if r.size == 1 else r


class AUC(_Confusion):
    """Area under the ROC curve from ``num_thresholds`` thresholds (tf.keras's construction:
    0 - eps, i / (n - 1) for i in 1..n-2, 1 + eps; trapezoidal 'interpolation')."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, thresholds=None, multi_label=False, dtype=None, **kwargs):
        if curve != "ROC":
            raise NotImplementedError(f"AUC: only curve='ROC' is supported, got {curve!r}")
        if summation_method != "interpolation" or multi_label:
            raise NotImplementedError("AUC: only summation_method='interpolation' without "
                                      "multi_label is supported")
        if thresholds is None:
            if num_thresholds < 2:
                raise ValueError(f"AUC: num_thresholds must be > 1, got {num_thresholds}")
            eps = 1e-7
            thresholds = ([0.0 - eps] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                         for i in range(num_thresholds - 2)] + [1.0 + eps])
        else:
            thresholds = [0.0 - 1e-7] + sorted(thresholds) + [1.0 + 1e-7]
        self.num_thresholds, self.curve = len(thresholds), curve
        super().__init__(thresholds, name=name or "auc", dtype=dtype)

    def result(self):
        tpr = _div(self.tp, self.tp + self.fn)
        fpr = _div(self.fp, self.fp + self.tn)
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


class _ConfusionCount(_Confusion):
    """One cell of the confusion counts of ``y_pred > thresholds`` (default 0.5), summed with
    sample weights over everything seen."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(0.5 if thresholds is None else thresholds, name=name, dtype=dtype)

    def result(self):
        r = getattr(self, self._cell)
        return float(r[0]) if r.size == 1 else r


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
    AUC, Mean, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, MeanIoU)}
__all__ += ["Metric", "Mean", "MeanMetricWrapper", "is_stateful"] + sorted(_CLASSES)
