"""Fused loss and regularization ops: softmax cross-entropy and dropout.

Arrays in -> arrays out; a Tensor requiring grad -> a Tensor recorded for autograd.

    softmax_cross_entropy(logits, targets, sparse=False, reduction='mean')
        Cross-entropy of softmax(logits) against one-hot / soft targets (sparse=False, same shape
        as logits) or integer class labels (sparse=True, shape logits.shape[:-1]), computed fused
        and stable (log-sum-exp) over the last axis. reduction 'mean' (over all rows), 'sum', or
        'none' (one loss per row, shape logits.shape[:-1]). d loss / d logits = (softmax -
        onehot) / N for 'mean' (soft targets are assumed to sum to 1 per row, as Keras/TF assume);
        soft targets that require grad get d loss / d targets = -log_softmax(logits) / N, as
        TensorFlow's labels gradient (integer labels get none).
    dropout(x, rate, training=True, seed=None)
        Inverted dropout: kept elements scaled by 1 / (1 - rate); identity when not training or
        rate == 0. The mask is a counter-based hash of (seed, element index), identical on every
        backend (Note [dropout RNG] in reference/pointwise.py). seed=None draws a fresh seed from
        ``tensorforge._random`` (reseeded by ``tensorforge.utils.set_random_seed``).
"""
import numpy as np

from .. import _random, kernels
from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels._common import check_array, is_array, num, shape_str
from .basic import reshape
from .elementwise import cast

__all__ = ["softmax_cross_entropy", "dropout"]

_REDUCTIONS = ("mean", "sum", "none")


def _prepare_targets(op, logits, targets, sparse):
    """Targets as the kernels want them, for logits flattened to (N, C)."""
    xp = array_module(logits)
    if not is_array(targets):
        targets = xp.asarray(targets)
    C = logits.shape[-1]
    lead = logits.shape[:-1]
    if sparse:
        # Keras accepts labels shaped (..., 1) and float labels (cast to int, as tf.cast does).
        if targets.shape == lead + (1,):
            targets = targets.reshape(lead)
        if targets.shape != lead:
            raise ValueError(f"{op}: sparse targets must have shape {shape_str(lead)} for logits "
                             f"{shape_str(logits.shape)}, got {shape_str(targets.shape)}")
        if targets.dtype.kind not in "iuf":
            raise TypeError(f"{op}: sparse targets must be integer class labels, got {targets.dtype}")
        if targets.dtype.kind == "f":
            if not bool(xp.all(targets == xp.floor(targets))):
                raise ValueError(f"{op}: sparse targets must be whole class indices, got a "
                                 f"fractional label in {targets.dtype} targets")
            targets = targets.astype(np.int64)
        return targets.reshape(-1)
    if targets.shape != logits.shape:
        raise ValueError(f"{op}: targets must have the shape of logits {shape_str(logits.shape)} "
                         f"(or use sparse=True for class labels), got {shape_str(targets.shape)}")
    if targets.dtype != logits.dtype:  # (float32, or float64 logits: Note [float64 kernels])
        if targets.dtype.kind not in "fiub":
            raise TypeError(f"{op}: targets must be numeric, got {targets.dtype}")
        targets = targets.astype(logits.dtype if logits.dtype == np.float64 else np.float32)
    return targets.reshape(-1, C)


class _SoftmaxXent(Function):
    @staticmethod
    def forward(ctx, logits, targets, sparse, reduction):
        x2 = logits if logits.ndim == 2 else logits.reshape(-1, logits.shape[-1])
        loss, probs = kernels.softmax_xent_forward(x2, targets, sparse)
        ctx.saved = (probs, targets)
        ctx.logits = x2 if ctx.needs_input_grad[1] else None  # (for the targets' gradient)
        ctx.meta = (sparse, reduction, logits.shape)
        xp = np if type(loss) is np.ndarray else array_module(loss)
        dt = loss.dtype.type  # (float32, or float64)
        if reduction == "mean":  # = loss.mean(dtype=float32) bit for bit, without its Python layer
            return xp.asarray(loss.sum(dtype=dt) / dt(loss.size))
        if reduction == "sum":
            return xp.asarray(loss.sum(dtype=dt))
        return loss.reshape(logits.shape[:-1])

    @staticmethod
    def backward(ctx, g):
        d = _SoftmaxXent._logits_grad(ctx, g) if ctx.needs_input_grad[0] else None
        dt = _SoftmaxXent._targets_grad(ctx, g) if ctx.needs_input_grad[1] else None
        return d, dt, None, None

    @staticmethod
    def _targets_grad(ctx, g):
        """-log_softmax(logits) * g, g spread over the rows as the reduction did."""
        x2, (probs, _), (_, reduction, _) = ctx.logits, ctx.saved, ctx.meta
        xp = array_module(x2)
        m = x2.max(axis=-1, keepdims=True)
        log_sm = (x2 - m) - xp.log(xp.exp(x2 - m).sum(axis=-1, keepdims=True))
        if reduction == "none":
            g = g.reshape(-1, 1)
        elif reduction == "mean":
            g = g / g.dtype.type(probs.shape[0])
        return (-log_sm * g).astype(x2.dtype)

    @staticmethod
    def _logits_grad(ctx, g):
        probs, targets = ctx.saved
        sparse, reduction, shape = ctx.meta
        N = probs.shape[0]
        if reduction == "none":
            d = kernels.softmax_xent_backward(probs, targets, sparse, 1.0)
            d *= g.reshape(N, 1)
        elif type(g) is not np.ndarray and type(g).__module__.split(".")[0] == "cupy":
            # g stays on the device: float(g) would be a device->host copy in every training
            # step (Note [data on the device] in tensorforge/_device.py)
            d = kernels.softmax_xent_backward(probs, targets, sparse, 1.0 / N if reduction == "mean" else 1.0)
            d *= g.astype(d.dtype)
        else:
            scale = float(g) / N if reduction == "mean" else float(g)
            d = kernels.softmax_xent_backward(probs, targets, sparse, scale)
        return d.reshape(shape)


def softmax_cross_entropy(logits, targets, sparse=False, reduction="mean"):
    """Fused, numerically stable softmax + cross-entropy over the last axis of ``logits``."""
    op = "softmax_cross_entropy"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    sparse = bool(sparse)
    x = logits.data if isinstance(logits, Tensor) else logits
    check_array(op, "logits", x, None, "")
    if x.ndim < 1:
        raise ValueError(f"{op}: logits must be at least 1-D (..., C), got a scalar")
    t = targets.data if isinstance(targets, Tensor) else targets
    t = _prepare_targets(op, x, t, sparse)
    if not sparse and isinstance(targets, Tensor) and targets.requires_grad:
        # soft targets with a gradient: prepared by differentiable ops (the same cast and
        # reshape _prepare_targets made of the data)
        tt = targets if targets.dtype == t.dtype else cast(targets, t.dtype)
        return _SoftmaxXent.apply(logits, reshape(tt, t.shape), sparse, reduction)
    if isinstance(logits, Tensor):
        return _SoftmaxXent.apply(logits, t, sparse, reduction)
    return _SoftmaxXent.forward(_NoCtx(), x, t, sparse, reduction)


class _NoCtx:
    needs_input_grad = (False, False, False, False)

    def save_for_backward(self, *arrays):
        pass


class _Dropout(Function):
    @staticmethod
    def forward(ctx, x, rate, seed):
        y, mask = kernels.dropout_forward(x, rate, seed)
        ctx.save_for_backward(mask)
        ctx.rate = rate
        return y

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved
        return kernels.dropout_backward(g, mask, ctx.rate), None, None


def dropout(x, rate, training=True, seed=None):
    """Inverted dropout (see the module docstring). Returns x itself when it is the identity."""
    rate = num("dropout", "rate", rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x
    if seed is None:
        seed = _random.next_seed()
    if isinstance(x, Tensor):
        return _Dropout.apply(x, rate, seed)
    return kernels.dropout_forward(x, rate, seed)[0]
