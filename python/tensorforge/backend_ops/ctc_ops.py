"""Keras 2's CTC backend functions: ``K.ctc_batch_cost``, ``K.ctc_decode`` and
``K.ctc_label_dense_to_sparse`` (dense labels (B, L) and their lengths -> a SparseTensor of the
first label_lengths[b] labels of each row, indices (b, t) row by row, values of the labels'
dtype, dense_shape (B, L): tf.SparseTensor as tf_compat's).

Keras 2 computes both on TensorFlow's CTC ops with the blank as the last class (C - 1):

    ctc_batch_cost(y_true, y_pred, input_length, label_length)
        y_true (B, L) labels (any numeric dtype, padded past label_length), y_pred (B, T, C)
        softmax outputs, input_length and label_length (B, 1). Keras 2 takes
        log(y_pred + epsilon) and hands it to tf.compat.v1.nn.ctc_loss, which treats its input as
        logits (a log-softmax over C is applied once more), so the probabilities scored are
        (y_pred + eps) / sum(y_pred + eps); the same here, with the gradient flowing through
        both. Returns (B, 1) per-sample losses.
    ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1)
        Best-path decoding of log(y_pred + epsilon): ([decoded], log_prob), decoded (B, T) int64
        padded with -1, log_prob (B, 1) minus the sum over steps of the best log-probability
        (tf.nn.ctc_greedy_decoder's). greedy=False: prefix beam search (ops/ctc.py) keeping
        ``beam_width`` prefixes, ``top_paths`` decoded arrays best first and log_prob (B,
        top_paths) their log-probabilities, repeated labels in a path merged as
        tf.compat.v1.nn.ctc_beam_search_decoder's default does.
"""
import numpy as np

from .. import backend_config as _backend
from ..autograd import Tensor
from ..ops import ctc as _ctc
from . import array_ops, math_ops
from ._args import device_xp, tensor

__all__ = ["ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse"]


def _host_ints(fn, name, x):
    """A length or label argument as a host int64 array (Tensor, array, list or number)."""
    a = x.data if isinstance(x, Tensor) else x
    a = np.asarray(a.get() if hasattr(a, "get") else a)
    if a.dtype.kind not in "iufb":
        raise TypeError(f"{fn}: {name} must be numeric, got {a.dtype}")
    return a


def _squeeze_last(fn, name, a, batch):
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.shape != (batch,):
        raise ValueError(f"{fn}: {name} must have shape (batch={batch}, 1), got "
                         f"{tuple(a.shape)}")
    return a.astype(np.int64)


def _without_null_labels(fn, labels, ll, blank):
    """The label lengths without each row's trailing null labels. TensorFlow's CTC
    (tf.compat.v1.nn.ctc_loss, Keras 2's) takes a label >= num_classes - 1 (the blank) as a
    null label, allowed only after a row's real labels and then dropped: keras-io's
    handwriting_recognition.py pads its labels with 99 and gives the padded width as every
    label_length. A real label after a null one is TensorFlow's InvalidArgumentError. A row
    that starts with a null label keeps its length (and meets ctc_loss's error): TensorFlow
    scores such a row as the one label "blank", a case no program uses."""
    col = np.arange(labels.shape[1])[None, :]
    null = (col < ll[:, None]) & (labels >= blank)
    first = np.where(null.any(axis=1), null.argmax(axis=1), ll)
    late = (col > first[:, None]) & (col < ll[:, None]) & ~null
    if late.any():
        b = int(late.any(axis=1).argmax())
        raise ValueError(f"{fn}: saw a non-null label (index < num_classes - 1 = {blank}) "
                         f"following a null label in sample {b}: labels "
                         f"{labels[b, :ll[b]].tolist()}")
    return np.where(first > 0, first, ll).astype(np.int64)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """See the module docstring."""
    fn = "ctc_batch_cost"
    y_pred = tensor(fn, "y_pred", y_pred)
    if y_pred.ndim != 3:
        raise ValueError(f"{fn}: y_pred must be 3-D (batch, time, classes), got shape "
                         f"{tuple(y_pred.shape)}")
    if y_pred.dtype.kind != "f":
        y_pred = math_ops.cast(y_pred, _backend.floatx())
    B = y_pred.shape[0]
    labels = _host_ints(fn, "y_true", y_true)
    if labels.ndim != 2 or labels.shape[0] != B:
        raise ValueError(f"{fn}: y_true must have shape (batch={B}, max_label_length), got "
                         f"{tuple(labels.shape)}")
    il = _squeeze_last(fn, "input_length", _host_ints(fn, "input_length", input_length), B)
    ll = _squeeze_last(fn, "label_length", _host_ints(fn, "label_length", label_length), B)
    z = math_ops.log(array_ops.permute_dimensions(y_pred, (1, 0, 2)) + _backend.epsilon())
    log_probs = z - math_ops.logsumexp(z, axis=-1, keepdims=True)
    blank = y_pred.shape[2] - 1
    ll = _without_null_labels(fn, labels, ll, blank)
    return array_ops.expand_dims(_ctc.ctc_loss(log_probs, labels, il, ll, blank), 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """See the module docstring."""
    fn = "ctc_decode"
    p = _host_ints(fn, "y_pred", y_pred)
    if p.dtype.kind != "f":
        p = p.astype(_backend.floatx())
    if p.ndim != 3:
        raise ValueError(f"{fn}: y_pred must be 3-D (batch, time, classes), got shape "
                         f"{tuple(p.shape)}")
    B, T, C = p.shape
    il = _host_ints(fn, "input_length", input_length).reshape(-1)
    with np.errstate(divide="ignore"):
        lp = np.log(np.transpose(p, (1, 0, 2)) + np.asarray(_backend.epsilon(), p.dtype))
    if greedy:
        paths, log_prob = _ctc.ctc_greedy_decode(lp, il, blank=C - 1)
        paths = [paths]
    else:
        paths, log_prob = _ctc.ctc_beam_search_decode(lp, il, C - 1, beam_width, top_paths)
    xp = device_xp()
    decoded = []
    for top in paths:
        dense = np.full((B, T), -1, dtype=np.int64)
        for b, path in enumerate(top):
            dense[b, :len(path)] = path
        decoded.append(Tensor(xp.asarray(dense)))
    return decoded, Tensor(xp.asarray(log_prob))


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Keras 2 K.ctc_label_dense_to_sparse (See the module doc)."""
    from ..tf_example import SparseTensor  # tf.SparseTensor; lazy: tf_* stand above backend_ops
    fn = "ctc_label_dense_to_sparse"
    lab = labels.data if isinstance(labels, Tensor) else labels
    lab = np.asarray(lab.get() if hasattr(lab, "get") else lab)
    if lab.ndim != 2:
        raise ValueError(f"{fn}: labels must be 2-D (batch, max_label_length), got shape "
                         f"{tuple(lab.shape)}")
    lengths = _host_ints(fn, "label_lengths", label_lengths).reshape(-1)
    if lengths.shape != (lab.shape[0],):
        raise ValueError(f"{fn}: label_lengths must hold one length a row of labels "
                         f"{tuple(lab.shape)}, got shape {tuple(np.shape(label_lengths))}")
    if (lengths < 0).any() or (lengths > lab.shape[1]).any():
        raise ValueError(f"{fn}: label_lengths must be in [0, {lab.shape[1]}] for labels "
                         f"{tuple(lab.shape)}, got {lengths.tolist()}")
    keep = np.arange(lab.shape[1])[None, :] < lengths[:, None]
    idx = np.argwhere(keep).astype(np.int64)
    return SparseTensor(idx, lab[keep], np.asarray(lab.shape, np.int64))
