"""Keras losses: functions ``fn(y_true, y_pred)`` returning one value per sample, as Keras 2's
do (shape y_pred.shape[:-1]: the mean, or the sum for the cross-entropies and KL, over the last
axis; a Tensor when y_pred is a Tensor, else a NumPy array); and the Keras 2 (tf.keras) loss
classes (``MeanSquaredError()``, ``Huber(delta)``, ...) whose ``__call__`` reduces them (Keras'
'sum_over_batch_size', with ``sample_weight``) and whose ``call`` gives the per-sample values.

The training loop needs the batch mean: ``batch_mean(fn)`` is that form of a built-in, computed
without the per-sample array where it can (the fused softmax cross-entropy), and
``compute_loss(fn, y_true, y_pred, sample_weight)`` the weighted reduction of any loss (a user's
loss function returning per-sample values, or a scalar, works there too).

Formulas are tf_keras 2's (clipping with epsilon 1e-7): probabilities are clipped to
[1e-7, 1 - 1e-7]; with ``from_logits=True`` the cross-entropies are computed fused and stable from
logits (``ops.softmax_cross_entropy``); a model whose last layer is softmax (sigmoid) compiled with
categorical / sparse (binary) cross-entropy trains on the logits this way automatically.
``cosine_similarity`` is the loss -sum(l2n(y) * l2n(p)) (negative when the vectors agree, as
tf_keras 2's); the metrics ``cosine_similarity`` / ``cosine_proximity`` are positive
(metrics/functions.py).
The one place where Keras 2.2 is followed: the loss names ``cosine_proximity`` and ``cosine``
(``losses.cosine_proximity``, ``compile(loss='cosine_proximity')``), which tf_keras 2 no longer
knows, are Keras 2.2's loss -- the same negative value as ``cosine_similarity``.
Every loss is built from differentiable ops (``ops.basic``), so gradients flow to y_pred, and to
y_true when it is a Tensor that requires grad, as in TensorFlow (Note [y_true gradients] in
_loss_inputs.py, which holds how a loss takes its arguments).
"""
import functools
import math

import numpy as np

from . import ops as _ops
from ._xp import array_module
from .autograd import Function, Tensor, _record_symbolic, _symbolic_types
from .ops import basic as B
from .ops.double_backward import _unbroadcast
from ._loss_inputs import (_as_pred, _as_true, _check_same, _check_shapes, _data, _logits_of, _out,
                           _ylog, _ymax, squeeze_targets)

__all__ = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy", "hinge", "squared_hinge",
           "categorical_hinge", "logcosh", "log_cosh", "huber", "huber_loss",
           "kullback_leibler_divergence", "kl_divergence", "kld", "KLD", "poisson",
           "cosine_proximity", "cosine_similarity", "cosine", "mse", "mae", "mape", "msle", "MSE",
           "MAE", "MAPE", "MSLE", "Loss", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge",
           "CategoricalHinge", "LogCosh", "Huber", "KLDivergence", "Poisson", "CosineSimilarity",
           "binary_focal_crossentropy", "categorical_focal_crossentropy",
           "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Reduction", "per_sample", "batch_mean", "compute_loss", "get", "serialize", "deserialize"]

EPSILON = 1e-7  # Keras' backend epsilon
_LOG2 = math.log(2.0)


def _minimum(a, b):
    return -B.maximum(-a, -b)


def _softplus(z):
    """log(1 + exp(z)), stable: max(z, 0) + log(1 + exp(-|z|))."""
    return B.maximum(z, np.float32(0)) + B.log(1 + B.exp(-B.abs(z)))


def _row_max(t):
    """max over the last axis; the gradient goes to the (first) argmax."""
    xp = array_module(t.data)
    lead = t.shape[:-1]
    flat = B.reshape(t, (-1, t.shape[-1]))
    idx = xp.argmax(flat.data, axis=-1)
    rows = xp.arange(flat.shape[0])
    return B.reshape(B.getitem(flat, (rows, idx)), lead)


def _l2_normalize(x, axis):
    """x / sqrt(max(sum(x^2), 1e-12)) (tf.math.l2_normalize)."""
    if isinstance(x, Tensor):
        n = B.sum(x * x, axis=axis, keepdims=True)
        return x / B.sqrt(B.maximum(n, np.float32(1e-12)))
    xp = array_module(x)
    return x / xp.sqrt(xp.maximum((x * x).sum(axis=axis, keepdims=True), x.dtype.type(1e-12)))


# ---- per-sample losses: (y array, p Tensor) -> Tensor of shape p.shape[:-1] ------------------

def _mse_ps(y, p):
    d = p - y
    return B.mean(d * d, axis=-1)


def _mae_ps(y, p):
    return B.mean(B.abs(p - y), axis=-1)


def _mape_ps(y, p):
    denom = _ymax(B.abs(y) if isinstance(y, Tensor) else array_module(y).abs(y), EPSILON)
    return B.mean(B.abs(p - y) / denom, axis=-1) * np.float32(100.0)


def _msle_ps(y, p):
    ly = _ylog(_ymax(y, EPSILON) + 1)
    d = B.log(B.clip(p, EPSILON, np.inf) + 1) - ly
    return B.mean(d * d, axis=-1)


def _pm1(y):
    """Keras hinge: labels that are all 0 or 1 become -1/+1."""
    d = _data(y)
    xp = array_module(d)
    if d.size and bool(xp.all((d == 0) | (d == 1))):
        return 2 * y - 1
    return y


def _hinge_ps(y, p):
    return B.mean(B.maximum(1 - _pm1(y) * p, np.float32(0)), axis=-1)


def _squared_hinge_ps(y, p):
    h = B.maximum(1 - _pm1(y) * p, np.float32(0))
    return B.mean(h * h, axis=-1)


def _categorical_hinge_ps(y, p):
    pos = B.sum(y * p, axis=-1)
    neg = _row_max((1 - y) * p)
    return B.maximum(neg - pos + 1, np.float32(0))


def _logcosh_ps(y, p):
    x = p - y
    return B.mean(x + _softplus(-2 * x) - np.float32(_LOG2), axis=-1)


def _huber_ps(y, p, delta=1.0):
    a = B.abs(p - y)
    q = _minimum(a, np.float32(delta))
    return B.mean(0.5 * q * q + np.float32(delta) * (a - q), axis=-1)


def _kld_ps(y, p):
    if isinstance(y, Tensor):
        yc = B.clip(y, EPSILON, 1.0)
    else:
        yc = array_module(y).clip(y, y.dtype.type(EPSILON), y.dtype.type(1))
    pc = B.clip(p, EPSILON, 1.0)
    return B.sum(yc * (_ylog(yc) - B.log(pc)), axis=-1)


def _poisson_ps(y, p):
    return B.mean(p - y * B.log(p + np.float32(EPSILON)), axis=-1)


def _cosine_ps(y, p, axis=-1):
    return -B.sum(_l2_normalize(y, axis) * _l2_normalize(p, axis), axis=axis)


def _categorical_xent_ps(y, p, from_logits=False, label_smoothing=0.0):
    p, from_logits = _logits_of(p, from_logits)
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / p.shape[-1]
    if from_logits:
        return _ops.softmax_cross_entropy(p, y, sparse=False, reduction="none")
    p = p / B.sum(p, axis=-1, keepdims=True)
    return -B.sum(y * B.log(B.clip(p, EPSILON, 1 - EPSILON)), axis=-1)


def _sparse_labels(op, y_true, p):
    """Integer class labels of shape p.shape[:-1] (or with a trailing 1): integral values in
    [0, C) (Keras raises for a label outside the classes; a fractional label is not a class)."""
    xp = array_module(p.data)
    if p.ndim == 0:
        raise ValueError(f"{op}: y_pred must have a class axis (..., C), got a scalar")
    y = xp.asarray(_data(y_true))
    if y.dtype.kind not in "iuf" or y.dtype.kind == "f" and not bool(xp.all(y == xp.floor(y))):
        raise ValueError(f"{op}: labels must be integer class indices, got {y.dtype} values"
                         + (" with a fraction" if y.dtype.kind == "f" else ""))
    lead = p.shape[:-1]
    if y.shape == lead + (1,):
        y = y.reshape(lead)
    if y.shape != lead:
        raise ValueError(f"{op}: integer labels must have shape {lead} (or {lead + (1,)}) for "
                         f"y_pred {p.shape}, got {tuple(y.shape)}")
    y = y.astype(np.int64)
    # host labels only: on the GPU this would be a device->host sync every step (the fused
    # kernel and fit's input check cover device labels)
    if y.size and xp is np and (int(y.min()) < 0 or int(y.max()) >= p.shape[-1]):
        raise ValueError(f"{op}: labels must lie in [0, {p.shape[-1]}) for y_pred {p.shape}, got "
                         f"range [{int(y.min())}, {int(y.max())}]")
    return y


def _sparse_xent_ps(y_true, p, from_logits=False):
    p, from_logits = _logits_of(p, from_logits)
    y = _sparse_labels("sparse_categorical_crossentropy", y_true, p)
    if from_logits:
        return _ops.softmax_cross_entropy(p, y, sparse=True, reduction="none")
    # tf_keras: softmax cross-entropy of log(clip(p)), i.e. -log(clip(p)[y] / sum(clip(p))):
    # a y_pred whose rows do not sum to 1 is renormalised (after the clip)
    xp = array_module(p.data)
    flat = B.clip(B.reshape(p, (-1, p.shape[-1])), EPSILON, 1 - EPSILON)
    picked = B.getitem(flat, (xp.arange(flat.shape[0]), y.reshape(-1)))
    return B.reshape(B.log(B.sum(flat, axis=-1)) - B.log(picked), p.shape[:-1])


class _SigmoidXent(Function):
    """Elementwise binary cross-entropy from logits z: max(z, 0) - z*y + log(1 + exp(-|z|))."""

    @staticmethod
    def forward(ctx, z, y):
        xp = array_module(z)
        ctx.save_for_backward(z, y)
        return xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z)))

    @staticmethod
    def backward(ctx, g):
        z, y = ctx.saved
        xp = array_module(z)
        s = 0.5 * (1 + xp.tanh(0.5 * z))
        gz = ((s - y) * g).astype(z.dtype) if ctx.needs_input_grad[0] else None
        # d/dy = -z (TensorFlow's gradient for the labels; Note [y_true gradients])
        gy = B.unbroadcast(-z * g, y.shape).astype(y.dtype) if ctx.needs_input_grad[1] else None
        return gz, gy

    @staticmethod
    def backward_graph(ctx, inputs, g):
        """backward in recorded ops, for gradients of these gradients."""
        z, y = inputs
        gz = (_ops.sigmoid(z) - y) * g if ctx.needs_input_grad[0] else None
        gy = _unbroadcast(-z * g, y.shape) if ctx.needs_input_grad[1] else None
        return gz, gy


def _binary_xent_ps(y, p, from_logits=False, label_smoothing=0.0):
    p, from_logits = _logits_of(p, from_logits)
    if label_smoothing:
        y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return B.mean(_SigmoidXent.apply(p, y), axis=-1)
    pc = B.clip(p, EPSILON, 1 - EPSILON)  # tf_keras adds epsilon inside the logs too
    e = np.dtype(pc.dtype).type(EPSILON)  # (float32; float64 for float64 outputs)
    return -B.mean(y * B.log(pc + e) + (1 - y) * B.log((1 + e) - pc), axis=-1)


# ---- public functions (per sample) and their batch-mean forms ----------------------------------

_BATCH_MEAN = {}  # public function -> its batch mean (the training loop's form)


def _per_sample(ps_fn, y_true, y_pred, op, sparse=False, **kw):
    p, was = _as_pred(y_pred, op)
    if sparse:
        return _out(ps_fn(y_true, p, **kw), was)
    y = _as_true(y_true, p, squeeze=False)  # (See Note [squeezed targets])
    _check_shapes(op, y, p)
    if kw.get("from_logits") and op == "binary_crossentropy" and tuple(y.shape) != p.shape:
        raise ValueError(f"binary_crossentropy: with from_logits=True, y_true and y_pred must "
                         f"have the same shape, got {tuple(y.shape)} and {tuple(p.shape)}")
    return _out(ps_fn(y, p, **kw), was)


def _reduce_mean(ps_fn, y_true, y_pred, op, sparse=False, **kw):
    p, was = _as_pred(y_pred, op)
    if sparse:
        return _out(B.mean(ps_fn(y_true, p, **kw)), was)
    y = _as_true(y_true, p)
    _check_shapes(op, y, p)
    return _out(B.mean(ps_fn(y, p, **kw)), was)


def _is_symbolic(*xs):
    """Whether an argument is, or holds, a functional graph's symbolic tensor: the type the
    engine registers with autograd when the functional API loads (symbolic/node.py, with the op
    recorder _graph_aware calls), so the losses need not import the engine."""
    if not _symbolic_types:
        return False
    for x in xs:  # (a loop, not any(generator): this runs on every training step)
        if type(x) is not np.ndarray and type(x) is not Tensor and _holds(x, _symbolic_types[0]):
            return True
    return False


def _holds(x, kind):
    if isinstance(x, kind):
        return True
    if isinstance(x, (list, tuple)):
        return any(_holds(e, kind) for e in x)
    return isinstance(x, dict) and any(_holds(e, kind) for e in x.values())


def _graph_aware(fn):
    """``fn`` also takes a functional graph's symbolic tensors (the loss of a VAE written on
    the graph, keras-team's variational_autoencoder.py): it then records an op layer that runs
    ``fn`` when the model runs. On arrays it returns a Tensor, as Keras 2 does (the internal
    forms the training loop uses keep arrays)."""
    @functools.wraps(fn)
    def wrapper(y_true, y_pred, *args, **kwargs):
        if _is_symbolic(y_true, y_pred):
            return _record_symbolic[0](fn, y_true, y_pred, *args, **kwargs)
        r = fn(y_true, y_pred, *args, **kwargs)
        return Tensor(r) if type(r) is np.ndarray else r  # Keras 2 gives tensors for arrays too
    return wrapper


def _public(name, ps_fn, doc, sparse=False):
    def fn(y_true, y_pred):
        return _per_sample(ps_fn, y_true, y_pred, name, sparse)

    def mean(y_true, y_pred):
        return _reduce_mean(ps_fn, y_true, y_pred, name, sparse)
    fn.__name__ = fn.__qualname__ = mean.__name__ = mean.__qualname__ = name
    fn.__doc__ = doc + ", per sample"
    fn = _graph_aware(fn)
    _BATCH_MEAN[fn] = mean
    return fn


mean_squared_error = _public("mean_squared_error", _mse_ps, "mean((y_pred - y_true)^2)")
mean_absolute_error = _public("mean_absolute_error", _mae_ps, "mean(|y_pred - y_true|)")
mean_absolute_percentage_error = _public(
    "mean_absolute_percentage_error", _mape_ps, "100 * mean(|y_true - y_pred| / max(|y_true|, eps))")
mean_squared_logarithmic_error = _public(
    "mean_squared_logarithmic_error", _msle_ps,
    "mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2)")
hinge = _public("hinge", _hinge_ps, "mean(max(1 - y_true*y_pred, 0)); 0/1 labels become -1/+1")
squared_hinge = _public("squared_hinge", _squared_hinge_ps, "mean(max(1 - y_true*y_pred, 0)^2)")
categorical_hinge = _public(
    "categorical_hinge", _categorical_hinge_ps,
    "max(max((1 - y_true)*y_pred) - sum(y_true*y_pred) + 1, 0), averaged over samples")
logcosh = _public("logcosh", _logcosh_ps, "mean(log(cosh(y_pred - y_true))), computed stably")
kullback_leibler_divergence = _public(
    "kullback_leibler_divergence", _kld_ps,
    "sum(y*log(y/p)) with y, p clipped to [eps, 1], averaged over samples")
poisson = _public("poisson", _poisson_ps, "mean(y_pred - y_true*log(y_pred + eps))")


@_graph_aware
def huber(y_true, y_pred, delta=1.0):
    """mean(0.5*e^2 where |e| <= delta, else delta*|e| - 0.5*delta^2), e = y_pred - y_true,
    per sample."""
    return _per_sample(_huber_ps, y_true, y_pred, "huber", delta=float(delta))


def _huber_mean(y_true, y_pred, delta=1.0):
    return _reduce_mean(_huber_ps, y_true, y_pred, "huber", delta=float(delta))


@_graph_aware
def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis) (the loss: -1 is best)."""
    return _per_sample(_cosine_ps, y_true, y_pred, "cosine_similarity", axis=axis)


def _cosine_mean(y_true, y_pred, axis=-1):
    return _reduce_mean(_cosine_ps, y_true, y_pred, "cosine_similarity", axis=axis)


@_graph_aware
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """-sum(y_true * log(y_pred)) per sample (y_pred renormalised per row)."""
    return _per_sample(_categorical_xent_ps, y_true, y_pred, "categorical_crossentropy",
                       from_logits=from_logits, label_smoothing=label_smoothing)


def _categorical_xent_mean(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    y_pred, from_logits = _logits_of(y_pred, from_logits)
    if from_logits and isinstance(y_pred, Tensor) and not label_smoothing:
        return _ops.softmax_cross_entropy(y_pred, y_true, sparse=False)  # fused, stable
    p, was = _as_pred(y_pred, "categorical_crossentropy")
    y = _as_true(y_true, p)
    _check_same("categorical_crossentropy", y, p)
    return _out(B.mean(_categorical_xent_ps(y, p, from_logits, label_smoothing)), was)


@_graph_aware
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """categorical_crossentropy with integer labels of shape y_pred.shape[:-1] (or (..., 1)),
    per sample."""
    return _per_sample(_sparse_xent_ps, y_true, y_pred, "sparse_categorical_crossentropy",
                       sparse=True, from_logits=from_logits)


def _sparse_xent_mean(y_true, y_pred, from_logits=False):
    y_pred, from_logits = _logits_of(y_pred, from_logits)
    if from_logits and isinstance(y_pred, Tensor):
        p = y_pred
        return _ops.softmax_cross_entropy(p, _sparse_labels("sparse_categorical_crossentropy",
                                                            y_true, p), sparse=True)
    p, was = _as_pred(y_pred, "sparse_categorical_crossentropy")
    return _out(B.mean(_sparse_xent_ps(y_true, p, from_logits)), was)


@_graph_aware
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """-mean(y*log(p) + (1-y)*log(1-p)) over the last axis, p clipped to [eps, 1-eps]; stable
    from logits."""
    return _per_sample(_binary_xent_ps, y_true, y_pred, "binary_crossentropy",
                       from_logits=from_logits, label_smoothing=label_smoothing)


def _binary_xent_mean(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    y_pred, from_logits = _logits_of(y_pred, from_logits)
    p, was = _as_pred(y_pred, "binary_crossentropy")
    y = _as_true(y_true, p)
    _check_shapes("binary_crossentropy", y, p)
    if label_smoothing:
        y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return _out(B.mean(_SigmoidXent.apply(p, y)), was)  # no per-row mean: one op fewer
    return _out(B.mean(_binary_xent_ps(y, p)), was)


def _bce_elementwise(y, p, from_logits):
    """tf_keras 2's backend.binary_crossentropy, elementwise (no mean over an axis)."""
    if from_logits:
        return _SigmoidXent.apply(p, y)
    pc = B.clip(p, EPSILON, 1 - EPSILON)
    e = np.dtype(pc.dtype).type(EPSILON)  # (float32; float64 for float64 outputs)
    return -(y * B.log(pc + e) + (1 - y) * B.log((1 + e) - pc))


def _binary_focal_ps(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                     from_logits=False, label_smoothing=0.0, axis=-1):
    if label_smoothing:
        y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    return B.mean(binary_focal_elementwise(y, p, apply_class_balancing, alpha, gamma,
                                           from_logits), axis=axis)


def binary_focal_elementwise(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                             from_logits=False):
    """tf_keras 2's backend.binary_focal_crossentropy (no reduction; K.binary_focal_...)."""
    z, logits = _logits_of(p, from_logits)
    prob = _ops.sigmoid(p) if from_logits else p  # p_t from the probabilities, as tf_keras 2
    p_t = y * prob + (1 - y) * (1 - prob)
    focal = B.power(1 - p_t, float(gamma)) * _bce_elementwise(y, z, logits)
    if apply_class_balancing:
        focal = (y * float(alpha) + (1 - y) * (1 - float(alpha))) * focal
    return focal


def _categorical_focal_ps(y, p, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                          axis=-1):
    """Per sample; with label_smoothing 0 also tf_keras 2's backend.categorical_focal_..."""
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    p, from_logits = _logits_of(p, from_logits)
    if from_logits:
        p = _ops.softmax(p, axis=axis)
    p = B.clip(p / B.sum(p, axis=axis, keepdims=True), EPSILON, 1 - EPSILON)
    a = np.asarray(alpha, dtype=np.float32)
    w = B.power(1 - p, float(gamma)) * (float(a) if a.ndim == 0 else array_module(
        _data(p)).asarray(a))
    return B.sum(w * (-(y * B.log(p))), axis=axis)


@_graph_aware
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Focal binary cross-entropy (Lin et al. 2017), tf_keras 2's: mean over ``axis`` of
    (1 - p_t)^gamma * bce, weighted alpha / 1 - alpha for classes 1 / 0 with
    apply_class_balancing; per sample."""
    return _per_sample(_binary_focal_ps, y_true, y_pred, "binary_focal_crossentropy",
                       apply_class_balancing=bool(apply_class_balancing), alpha=alpha,
                       gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                       axis=axis)


@_graph_aware
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Focal categorical cross-entropy, tf_keras 2's: sum over ``axis`` of
    alpha * (1 - p)^gamma * -y log p (p renormalised and clipped to [eps, 1 - eps]); per
    sample."""
    if isinstance(axis, bool):
        raise ValueError(f"categorical_focal_crossentropy: axis must be an int, got {axis!r}")
    return _per_sample(_categorical_focal_ps, y_true, y_pred, "categorical_focal_crossentropy",
                       alpha=alpha, gamma=gamma, from_logits=from_logits,
                       label_smoothing=label_smoothing, axis=axis)


_BATCH_MEAN.update({
    huber: _huber_mean, cosine_similarity: _cosine_mean,
    categorical_crossentropy: _categorical_xent_mean,
    sparse_categorical_crossentropy: _sparse_xent_mean, binary_crossentropy: _binary_xent_mean,
})

# Keras 2 aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
log_cosh = logcosh
huber_loss = huber
cosine_proximity = cosine = cosine_similarity


def per_sample(fn):
    """The per-sample form of a loss: a Loss instance's ``call``; a function as it is (the
    built-ins return per-sample values, as Keras losses written by users do, or a scalar)."""
    return fn.call if isinstance(fn, Loss) else fn


def batch_mean(fn):
    """The batch mean of a built-in loss function (``f(y_true, y_pred, **kw)``, the training
    loop's form, fused where it can be), or None for any other callable."""
    return _BATCH_MEAN.get(fn)


def compute_loss(fn, y_true, y_pred, sample_weight=None, mask=None, **kw):
    """The scalar training loss of ``fn`` on a batch, Keras' 'sum_over_batch_size' reduction:
    sum(per_sample * sample_weight) / (number of per-sample values). ``sample_weight`` is
    (N,) or broadcastable to the per-sample shape (e.g. (N, T) for temporal weights). ``mask``
    (the output mask, e.g. (N, T) from Masking) drops masked values and averages over the
    unmasked ones (Keras 2: the mask scaled by total / valid, folded into the weights)."""
    values = per_sample(fn)(y_true, y_pred, **kw)
    xp = array_module(_data(values))
    vshape = tuple(values.shape)
    w = None
    fdt = _float_dtype(values)  # the weights in the values' float dtype, as Keras 2 casts them
    if sample_weight is not None:
        w = _broadcast_weight("sample_weight", xp.asarray(_data(sample_weight), dtype=fdt),
                              vshape)
    if mask is not None:
        m = _broadcast_weight("mask", xp.asarray(_data(mask), dtype=fdt), vshape)
        m = xp.broadcast_to(m, vshape)
        valid = float(m.sum())
        m = m * fdt.type(m.size / valid) if valid else m
        w = m if w is None else w * m
    if w is not None:
        values = values * w
    if isinstance(values, Tensor):
        if values.ndim == 0:
            return values
        return B.sum(values) / np.float32(max(values.size, 1))
    values = xp.asarray(values)
    return values.sum(dtype=fdt) / fdt.type(max(values.size, 1))


def _broadcast_weight(name, w, vshape):
    if w.ndim > len(vshape) and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    while w.ndim < len(vshape):
        w = w[..., None]
    try:
        np.broadcast_shapes(w.shape, vshape)
    except ValueError:
        raise ValueError(f"compute_loss: {name} of shape {tuple(w.shape)} does not match the "
                         f"per-sample losses of shape {vshape}") from None
    return w


# ---- Keras 2 loss classes --------------------------------------------------------------------

class Reduction:
    """tf_keras 2's ``losses.Reduction`` (ReductionV2): the names a Loss's ``reduction=`` takes."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


_REDUCTIONS = ("auto", "sum_over_batch_size", "sum", "none")


class Loss:
    """Base of the loss classes: ``loss(y_true, y_pred, sample_weight=None)`` reduces the
    per-sample values ``call(y_true, y_pred)`` with ``reduction`` ('auto' /
    'sum_over_batch_size': weighted sum / count; 'sum'; 'none': the per-sample values)."""

    fn = None  # the loss function this class wraps

    def __init__(self, reduction="auto", name=None, **kwargs):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {_REDUCTIONS}, got "
                             f"{reduction!r}")
        self.reduction, self.name, self._fn_kwargs = reduction, name or _snake(type(self).__name__), kwargs

    def call(self, y_true, y_pred):
        if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor) and not self._sparse():
            y_true = squeeze_targets(y_true, y_pred)  # (as __call__)
        return per_sample(self.fn)(y_true, y_pred, **self._fn_kwargs)

    def _sparse(self):
        return self.fn is sparse_categorical_crossentropy

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The loss as a Tensor, as Keras 2 returns it (``loss_fn(y, p).numpy()``), also when
        ``y_true`` and ``y_pred`` are NumPy arrays. A mask on ``y_pred`` (``_keras_mask``, a
        functional model's output after Embedding(mask_zero=True)) drops the masked values, and
        the default reduction averages over the others (Keras 2's apply_valid_mask)."""
        mask = getattr(y_pred, "_keras_mask", None)
        if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor) and not self._sparse():
            y_true = squeeze_targets(y_true, y_pred)  # (Keras 2: tensors only; Note [squeezed targets])
        if self.reduction in ("auto", "sum_over_batch_size"):
            if type(self).call is not Loss.call:  # a subclass's own call (HuberLoss, Hands-On ML 2)
                return _as_tensor(compute_loss(self, y_true, y_pred, sample_weight, mask=mask))
            return _as_tensor(compute_loss(self.fn, y_true, y_pred, sample_weight, mask=mask,
                                           **self._fn_kwargs))
        values = self.call(y_true, y_pred)
        for w in (sample_weight, mask):
            if w is not None:
                w = array_module(_data(values)).asarray(_data(w), dtype=_float_dtype(values))
                values = values * w.reshape(w.shape + (1,) * (values.ndim - w.ndim))
        if self.reduction == "sum":
            return _as_tensor(B.sum(values) if isinstance(values, Tensor) else values.sum())
        return _as_tensor(values)

    def get_config(self):
        return dict({"reduction": self.reduction, "name": self.name}, **self._fn_kwargs)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_tensor(value):
    if isinstance(value, Tensor):
        return value
    return Tensor(array_module(value).asarray(value, dtype=_float_dtype(value)))


def _float_dtype(values):
    """float64 for float64 values (Note [float64 layers]), else float32."""
    d = _data(values)
    return np.dtype(np.float64 if getattr(d, "dtype", None) == np.float64 else np.float32)


def _snake(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out.replace("k_l_", "kl_")


def _loss_class(cls_name, fn, **defaults):
    # Keras 2's positional order: the loss' own arguments first (Huber(2.0) is delta=2.0,
    # BinaryCrossentropy(True) from_logits=True), then reduction and name
    order = list(defaults) + ["reduction", "name"]

    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"{cls_name}: takes at most {len(order)} positional arguments "
                            f"({', '.join(order)}), got {len(args)}")
        for k, v in zip(order, args):
            if k in kwargs:
                raise TypeError(f"{cls_name}: got multiple values for argument {k!r}")
            kwargs[k] = v
        reduction, name = kwargs.pop("reduction", "auto"), kwargs.pop("name", None)
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{cls_name}: unexpected arguments {sorted(unknown)}")
        Loss.__init__(self, reduction, name, **dict(defaults, **kwargs))
    return type(cls_name, (Loss,), {"fn": staticmethod(fn), "__init__": __init__,
                                    "__doc__": f"Class form of ``losses.{fn.__name__}``."})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error)
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error)
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError",
                                          mean_absolute_percentage_error)
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError",
                                          mean_squared_logarithmic_error)
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, from_logits=False,
                                 label_smoothing=0.0)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy",
                                            sparse_categorical_crossentropy, from_logits=False)
Hinge = _loss_class("Hinge", hinge)
SquaredHinge = _loss_class("SquaredHinge", squared_hinge)
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge)
LogCosh = _loss_class("LogCosh", logcosh)
Huber = _loss_class("Huber", huber, delta=1.0)
KLDivergence = _loss_class("KLDivergence", kullback_leibler_divergence)
Poisson = _loss_class("Poisson", poisson)
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, axis=-1)
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, apply_class_balancing=False,
    alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _loss_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy, alpha=0.25, gamma=2.0,
    from_logits=False, label_smoothing=0.0, axis=-1)

_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
    CategoricalHinge, LogCosh, Huber, KLDivergence, Poisson, CosineSimilarity,
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy)}

_BY_NAME = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy, "hinge": hinge, "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge, "logcosh": logcosh, "log_cosh": logcosh,
    "huber": huber, "huber_loss": huber,
    "kullback_leibler_divergence": kullback_leibler_divergence,
    "kl_divergence": kullback_leibler_divergence, "kld": kullback_leibler_divergence,
    "KLD": kullback_leibler_divergence, "poisson": poisson,
    "cosine_proximity": cosine_similarity, "cosine_similarity": cosine_similarity,
    "cosine": cosine_similarity,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
}


def get(identifier):
    """A loss from a Keras name ('mse', 'Huber'), a config dict, a Loss instance or a callable."""
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"losses.get: unknown loss {identifier!r}; known: "
                         f"{', '.join(sorted(_BY_NAME))}, {', '.join(sorted(_CLASSES))}")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"losses.get: expected a loss name or a callable, got {identifier!r}")


def serialize(fn):
    if isinstance(fn, Loss) and type(fn).__name__ in _CLASSES:
        return {"class_name": type(fn).__name__, "config": fn.get_config()}
    name = getattr(fn, "__name__", None)
    if _BY_NAME.get(name) is fn:
        return name
    raise ValueError(f"losses.serialize: cannot save custom loss {fn!r} (use a built-in name)")


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"losses.deserialize: unknown loss class {config.get('class_name')!r}; "
                         f"known: {', '.join(sorted(_CLASSES))}")
    return cls.from_config(config.get("config", {}))
