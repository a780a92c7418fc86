"""Helpers shared by the training loops (Keras 2's keras/engine/training_utils.py): per-sample
losses for weighting and masking, sample/class weights, batch-wise shuffling, validation_freq.

Note [weighted loss]
~~~~~~~~~~~~~~~~~~~~
Keras 2 (tf_keras 2.x, reduction 'sum_over_batch_size') computes an output's loss from the
per-sample loss ``l`` (shape (N,), or (N, T) for a sequence output -- the mean over the last axis
is part of the loss function) and the weights ``w`` (sample_weight times class_weight, broadcast
to ``l``'s shape) as ``sum(w * l) / l.size``. A mask on the output (Embedding(mask_zero=True)
... return_sequences) multiplies ``w`` by ``mask * l.size / mask.sum()``, so an unweighted masked
output gets the mean over its unmasked timesteps. With neither weights nor a mask the batch mean
is used, on the fused softmax/sigmoid cross-entropy where it applies (See Note [fused output] in
network.py); with either, the fused softmax cross-entropy runs with reduction='none' and the
weights scale its per-sample gradient.

Note [weighted metrics]
~~~~~~~~~~~~~~~~~~~~~~~
As tf_keras 2.x: compile's ``metrics`` ignore sample weights, ``weighted_metrics`` use them (a
weighted metric is named 'weighted_<name>' only when ``metrics`` has the same name); both are
weighted by the output's mask. A weighted metric is ``sum(w * m) / sum(w)`` over the per-sample
(per-timestep) metric values ``m``, accumulated over the epoch as sums of ``w * m`` and of ``w``
(the loops weight a batch's value by its weight sum instead of its size).

Note [metric values]
~~~~~~~~~~~~~~~~~~~~
Metric functions return per-sample values, as Keras 2's do (metrics/functions.py); fit / evaluate
run a built-in's fused batch mean (``metrics.batch_mean``) and count it once per sample. A user's
function (``UserMetric``) is called on the batch as Keras 2 calls it and its values averaged as
Keras 2's ``Mean`` does: per-sample (or per-timestep) values count once each, a scalar counts
once per batch -- so an epoch's value of a scalar metric is the mean of its batch values, not
weighted by batch size -- and, as a weighted metric, once per weight: sum(w) * scalar / sum(w).
"""
import numpy as np

from .. import _device
from .. import losses as _losses
from .. import metrics as _metrics
from .. import ops as _ops
from .._loss_inputs import squeeze_targets
from .._xp import array_module, host
from ..autograd import Tensor
from ..metrics._utils import match_rank
from ..ops import basic as B


def metric_value(r):
    """A metric object's result() for the logs: a float, or an array for several thresholds."""
    r = np.asarray(_device.to_host(r.data if isinstance(r, Tensor) else r), dtype=np.float64)
    return float(r) if r.size == 1 else r


def combine_weights(w, mask):
    """Sample weights (N,) times an output mask (N, T) (either may be None) as one weight for a
    stateful metric's update_state."""
    if mask is None or w is None:
        return w if mask is None else mask
    xp = array_module(w)
    w = xp.asarray(w, dtype=np.float32)
    return w.reshape(w.shape + (1,) * (mask.ndim - w.ndim)) * mask


def per_sample_loss(fn, fused, y, out):
    """The loss before the batch reduction: a Tensor of shape out.shape[:-1] (``fused``: ``out``
    holds the logits of a softmax/sigmoid output). A user loss returning a scalar is returned as
    it is (weights then scale it by their mean, as tf_keras broadcasts it)."""
    xp = array_module(out.data)
    if fused == "softmax":
        sparse = fn is _losses.sparse_categorical_crossentropy
        return _ops.softmax_cross_entropy(out, y, sparse=sparse, reduction="none")
    if fused == "sigmoid":  # max(z, 0) - z*y + log(1 + exp(-|z|)), stable
        y = y.reshape(out.shape)
        e = B.maximum(out, np.float32(0)) - out * y + B.log(B.exp(-B.abs(out)) + np.float32(1))
        return B.mean(e, axis=-1)
    if isinstance(fn, _losses.Loss) or _losses.batch_mean(fn) is not None:
        if fn is not _losses.sparse_categorical_crossentropy and not (
                isinstance(fn, _losses.Loss) and fn._sparse()):
            y = squeeze_targets(y, out)  # (Note [squeezed targets], _loss_inputs.py)
        return _losses.per_sample(fn)(y, out)  # the built-ins give per-sample values
    l = fn(y if isinstance(y, Tensor) else Tensor(y), out)
    if not isinstance(l, Tensor):
        l = Tensor(xp.asarray(l, dtype=np.float32))
    return l


def weighted_loss(l, weights, mask):
    """sum(w * l) / l.size (See Note [weighted loss]); ``weights`` (N,) or l's shape, ``mask``
    an output mask of l's shape, either may be None."""
    xp = array_module(l.data)
    if l.size == 1:  # a scalar user loss: tf_keras broadcasts it against the weights
        w = 1.0 if weights is None else float(xp.mean(weights))
        return l.mean() * np.float32(w) if w != 1.0 else l.mean()
    w = None
    if weights is not None:
        w = xp.asarray(weights, dtype=np.float32)
        if w.ndim > l.ndim or w.shape != l.shape[:w.ndim]:
            raise ValueError(f"sample_weight of shape {tuple(w.shape)} does not match the "
                             f"per-sample loss of shape {tuple(l.shape)}: pass one weight per "
                             f"sample ({l.shape[0]},) or one per loss element {tuple(l.shape)}")
        if w.ndim < l.ndim:
            w = w.reshape(w.shape + (1,) * (l.ndim - w.ndim))
        w = xp.broadcast_to(w, l.shape)
    if mask is not None and tuple(mask.shape) == tuple(l.shape):
        m = xp.asarray(mask, dtype=np.float32)
        valid = float(m.sum())
        m = m * np.float32(l.size / valid) if valid > 0 else m
        w = m if w is None else w * m
    if w is None:
        return l.mean()
    return B.sum(l * w) / np.float32(l.size)


class UserMetric:
    """compile()'s form of a metric function that is not a built-in (a user's, or a metric
    class's function with its arguments): called as Keras 2 calls it, on Tensors, its values
    (per sample, per timestep, or one scalar) come back as a host array (See Note [metric
    values])."""

    __slots__ = ("fn", "__name__")

    def __init__(self, fn, name):
        self.fn, self.__name__ = fn, name

    def values(self, y, p):
        v = self.fn(*(Tensor(a) for a in _keras_pair(y, p)))
        v = v.data if isinstance(v, Tensor) else v
        return np.asarray(_device.to_host(v), dtype=np.float32)

    def __call__(self, y, p):
        """The batch mean (for code calling compile's functions directly)."""
        return float(np.mean(self.values(y, p)))


def _keras_pair(y, p):
    """(y_true, y_pred) as tf_keras 2 hands them to a metric function: 1-D targets gain a
    trailing axis (its data adapter), then a unit last axis is dropped from whichever of the two
    has one axis more (losses_utils.squeeze_or_expand_dimensions)."""
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if p.ndim - y.ndim == 1 and p.shape[-1] == 1:
        p = p.reshape(p.shape[:-1])
    elif y.ndim - p.ndim == 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    return y, p


def metric_batch(fn, y, p):
    """(value, count) of a compiled metric function on one unweighted batch: a built-in's fused
    batch mean with count None (the loops count the batch size), else the mean of the function's
    values and how many there are (1 for a scalar: See Note [metric values])."""
    mean = _metrics.batch_mean(fn)
    if mean is not None:
        return mean(match_rank(y, p), p), None
    v = per_sample_metric(fn, y, p)
    return (float(v.mean()) if v.size else 0.0), float(v.size)


def per_sample_metric(fn, y, p):
    """A metric's values on the host: per sample (per timestep for a sequence output), shape
    p.shape[:-1], or a 0-d array for a user function returning a scalar."""
    if isinstance(fn, UserMetric):
        return fn.values(y, p)
    v = fn(np.asarray(_device.to_host(match_rank(y, p))), np.asarray(_device.to_host(p)))
    return np.asarray(host(v), dtype=np.float32)


def weighted_metric(fn, y, p, weights, mask):
    """(sum(w * m) / sum(w), sum(w)) for one batch, w = weights x mask (See Note [weighted
    metrics]); a scalar value m counts once per weight (Note [metric values])."""
    m = per_sample_metric(fn, y, p)
    if m.ndim == 0:
        w = np.ones(p.shape[:1], np.float32)
        if weights is not None:
            w = np.asarray(_device.to_host(weights), np.float32)
        if mask is not None:
            mk = np.asarray(_device.to_host(mask), np.float32)
            w = w.reshape(w.shape + (1,) * (mk.ndim - w.ndim)) * mk
        total = float(w.sum())
        return (float(m) if total > 0 else 0.0), total
    w = np.ones(m.shape, np.float32)
    if weights is not None:
        ww = np.asarray(_device.to_host(weights), np.float32)
        w = w * ww.reshape(ww.shape + (1,) * (m.ndim - ww.ndim))
    if mask is not None:
        mk = np.asarray(_device.to_host(mask), np.float32)
        if mk.shape == m.shape:
            w = w * mk
    total = float(w.sum())
    return (float((w * m).sum() / total) if total > 0 else 0.0), total


# ---- sample and class weights ---------------------------------------------------------------
def class_weights_for(y, class_weight, where):
    """Per-sample weights for targets ``y`` from {class index: weight}: the class of a one-hot
    row is its argmax, of a (N,) / (N, 1) target its (integer) value, as Keras 2 does."""
    y = np.asarray(_device.to_host(y))
    if y.ndim >= 2 and y.shape[-1] > 1:
        cls = np.argmax(y, axis=-1)
    else:
        cls = np.round(y.reshape(y.shape[:1] + y.shape[1:-1] if y.ndim > 1 else y.shape))
        cls = cls.astype(np.int64)
    try:
        table = {int(k): float(v) for k, v in class_weight.items()}
    except (AttributeError, TypeError, ValueError):
        raise TypeError(f"{where}: class_weight must be a dict {{class index: weight}}, got "
                        f"{class_weight!r}") from None
    missing = sorted(set(np.unique(cls).tolist()) - set(table))
    if missing:
        raise ValueError(f"{where}: class_weight has no weight for class(es) {missing[:10]}; it "
                         f"must map every class index in y to a weight, got keys "
                         f"{sorted(table)}")
    lut = np.zeros(max(max(table), int(cls.max())) + 1, dtype=np.float32)
    for k, v in table.items():
        if k >= 0:
            lut[k] = v
    return lut[cls]


def standardize_weights(model, ys, sample_weight, class_weight, where):
    """The weights per output (a list like ys; None where an output is unweighted)."""
    specs = model._out_specs
    names = [sp.name for sp in specs]
    n_out = len(specs)
    if sample_weight is None:
        sws = [None] * n_out
    elif isinstance(sample_weight, dict):
        unknown = [k for k in sample_weight if k not in names]
        if unknown:
            raise ValueError(f"{where}: unknown output name(s) {unknown} in sample_weight; the "
                             f"model's outputs are {names}")
        sws = [sample_weight.get(nm) for nm in names]
    elif isinstance(sample_weight, (list, tuple)) and n_out > 1:
        if len(sample_weight) != n_out:
            raise ValueError(f"{where}: sample_weight has {len(sample_weight)} arrays for a model "
                             f"with {n_out} outputs {names}")
        sws = list(sample_weight)
    else:
        sws = [sample_weight] * n_out
    out = []
    for i, (sw, y) in enumerate(zip(sws, ys)):
        if y is None:
            out.append(None)
            continue
        n = y.shape[0]
        w = None
        if sw is not None:
            w = np.asarray(_device.to_host(sw.data if isinstance(sw, Tensor) else sw),
                           dtype=np.float32)
            if w.ndim == 2 and w.shape[1] == 1:
                w = w.reshape(-1)
            if w.ndim == 0 or w.shape[0] != n or w.ndim > 2:
                raise ValueError(f"{where}: sample_weight must have shape ({n},) (or ({n}, T) for "
                                 f"a sequence output), one weight per sample; got shape {w.shape}")
        cw = class_weight
        if isinstance(cw, dict) and cw and all(k in names for k in cw):
            cw = cw.get(names[i])
        elif cw is not None and n_out > 1:
            raise ValueError(f"{where}: for a model with several outputs, class_weight must be a "
                             f"dict by output name {names}")
        if cw:
            c = class_weights_for(y, cw, where)
            w = c if w is None else (w.reshape(w.shape + (1,) * (c.ndim - w.ndim)) * c
                                     if w.ndim <= c.ndim else w * c.reshape(c.shape + (1,)))
        out.append(w)
    return out


# ---- loop helpers ---------------------------------------------------------------------------
def batch_shuffle(index_array, batch_size, rng):
    """Keras 2's shuffle='batch': shuffle whole batch-sized chunks; a short last batch stays
    last."""
    count = len(index_array) // batch_size
    last = index_array[count * batch_size:]
    chunks = index_array[:count * batch_size].reshape(count, batch_size)
    chunks = chunks[rng.permutation(count)]
    return np.append(chunks.reshape(-1), last)


def should_run_validation(validation_freq, epoch):
    """Keras 2: validate after epoch ``epoch`` (0-based) when (epoch + 1) % freq == 0, or when
    epoch + 1 is in the list."""
    one_based = epoch + 1
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"fit: validation_freq must be >= 1, got {validation_freq}")
        return one_based % validation_freq == 0
    try:
        return one_based in set(int(v) for v in validation_freq)
    except TypeError:
        raise ValueError(f"fit: validation_freq must be an int or a list of epochs, got "
                         f"{validation_freq!r}") from None
