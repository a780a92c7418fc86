"""Connectionist temporal classification (CTC): the loss, the greedy and the beam-search decoder.

The loss takes arrays or Tensors and returns a Tensor (recorded for autograd when log_probs
requires grad); the decoders take and return arrays.

    ctc_loss(log_probs, labels, input_lengths, label_lengths, blank)
        The negative log-likelihood of each sample's label sequence under per-step class
        log-probabilities ``log_probs`` (T, B, C), time-major, already normalized over C (a
        log-softmax). ``labels`` (B, L) int, row b's first label_lengths[b] entries used;
        ``input_lengths`` (B,) the steps of each sample (<= T). Repeated labels must be separated
        by a blank in the alignment (CTC with merged repeats, TensorFlow's ctc_merge_repeated=True
        and PyTorch's ctc_loss). Returns (B,) losses. The gradient with respect to log_probs is
        minus the posterior occupancy of each (step, class), zero past a sample's length: chained
        through a log-softmax it becomes the familiar softmax - occupancy.
    ctc_greedy_decode(log_probs, input_lengths, blank, merge_repeated=True)
        Best path: the argmax class of each step, repeats merged, blanks removed. Returns
        (paths, neg_sum_max): a list of B int64 arrays and (B, 1) minus the sum of each step's
        maximum log-probability (TensorFlow's ctc_greedy_decoder's second output).
    ctc_beam_search_decode(logits, input_lengths, blank, beam_width, top_paths,
                           merge_repeated=True)
        Prefix beam search: the ``beam_width`` most probable label prefixes are kept at each
        step, each with the log-probabilities of its paths ending in a blank and in its last
        label (the steps' logits normalized by a log-softmax, as TensorFlow's decoder does).
        Returns (paths, scores): ``top_paths`` lists of B int64 arrays, best first, and (B,
        top_paths) their log-probabilities. merge_repeated=True also collapses equal labels
        next to each other in a returned path (tf.compat.v1's default, which Keras 2 uses).

The forward (alpha) and backward (beta) recursions run in log space over the extended label
sequence (blank, l1, blank, l2, ..., blank: S = 2 L + 1 states), vectorised over the batch and
the states; only the loop over time is in Python. float64 inside, the input's dtype out.
"""
import numpy as np

from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels._common import shape_str

__all__ = ["ctc_loss", "ctc_greedy_decode", "ctc_beam_search_decode"]

_NEG = -np.inf


def _lse3(a, b, c):
    """log(exp a + exp b + exp c), elementwise, -inf safe."""
    m = np.maximum(np.maximum(a, b), c)
    finite = np.isfinite(m)
    m0 = np.where(finite, m, 0.0)
    s = np.exp(a - m0) + np.exp(b - m0) + np.exp(c - m0)
    with np.errstate(divide="ignore"):
        return np.where(finite, m0 + np.log(s), _NEG)


def check_ctc_args(op, log_probs, labels, input_lengths, label_lengths, blank):
    """Shapes, dtypes and ranges of the CTC arguments; returns them as host int64 arrays."""
    if log_probs.ndim != 3:
        raise ValueError(f"{op}: log-probabilities must be 3-D (time, batch, classes), got shape "
                         f"{shape_str(log_probs.shape)}")
    T, B, C = log_probs.shape
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.shape[0] != B:
        raise ValueError(f"{op}: labels must have shape (batch={B}, max_label_length), got "
                         f"{shape_str(labels.shape)}")
    if labels.dtype.kind == "f":
        if not np.all(labels == np.floor(labels)):
            raise ValueError(f"{op}: labels must be whole class indices, got a fractional label")
    elif labels.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels must be integer class indices, got {labels.dtype}")
    il = np.asarray(input_lengths).reshape(-1).astype(np.int64)
    ll = np.asarray(label_lengths).reshape(-1).astype(np.int64)
    if il.shape != (B,) or ll.shape != (B,):
        raise ValueError(f"{op}: input_length and label_length need one value per sample "
                         f"(batch {B}), got shapes {shape_str(np.shape(input_lengths))} and "
                         f"{shape_str(np.shape(label_lengths))}")
    if np.any(il < 1) or np.any(il > T):
        raise ValueError(f"{op}: input_length must lie in [1, {T}] (the time steps of y_pred), "
                         f"got {il.tolist()}")
    if np.any(ll < 0) or np.any(ll > labels.shape[1]):
        raise ValueError(f"{op}: label_length must lie in [0, {labels.shape[1]}] (the columns of "
                         f"y_true), got {ll.tolist()}")
    used = np.arange(labels.shape[1])[None, :] < ll[:, None]
    if np.any(used & ((labels < 0) | (labels >= C))) or np.any(used & (labels == blank)):
        raise ValueError(f"{op}: labels must lie in [0, {C}) and differ from the blank class "
                         f"{blank}, got values {np.unique(labels[used]).tolist()}")
    # each repeat needs a blank between: the shortest alignment has L + repeats steps
    same = (labels[:, 1:] == labels[:, :-1]) & used[:, 1:]
    need = ll + same.sum(axis=1)
    if np.any(need > il):
        b = int(np.argmax(need > il))
        raise ValueError(f"{op}: not enough time steps for the label sequence of sample {b} "
                         f"(required {int(need[b])}, available {int(il[b])})")
    return np.where(used, labels, 0).astype(np.int64), il, ll


def _extended(labels, ll, blank):
    """The extended sequences (B, S) with blanks between and around, the skip flags (B, S)
    (state s may be entered from s - 2) and the number of valid states 2 L + 1 per sample."""
    B, L = labels.shape
    S = 2 * L + 1
    ext = np.full((B, S), blank, dtype=np.int64)
    ext[:, 1::2] = labels
    skip = np.zeros((B, S), dtype=bool)
    skip[:, 3::2] = labels[:, 1:] != labels[:, :-1]
    skip[:, 1] = False
    return ext, skip, 2 * ll + 1


def _alpha_beta(lp, ext, skip, il, n_states):
    """Log forward and backward variables (T, B, S), each including the step's emission."""
    T, B, _ = lp.shape
    S = ext.shape[1]
    rows = np.arange(B)[:, None]
    emit = lp[:, rows, ext]  # (T, B, S)
    alpha = np.full((T, B, S), _NEG)
    alpha[0, :, 0] = emit[0, :, 0]
    if S > 1:
        alpha[0, :, 1] = emit[0, :, 1]
    pad1 = np.full((B, 1), _NEG)
    pad2 = np.full((B, 2), _NEG)
    for t in range(1, T):
        a = alpha[t - 1]
        prev1 = np.concatenate([pad1, a[:, :-1]], axis=1)
        prev2 = np.where(skip, np.concatenate([pad2, a[:, :-2]], axis=1), _NEG)
        alpha[t] = _lse3(a, prev1, prev2) + emit[t]
    # beta starts at each sample's own last step, in its last two valid states
    state = np.arange(S)[None, :]
    last = (state == n_states[:, None] - 1) | (state == n_states[:, None] - 2)
    beta = np.full((T, B, S), _NEG)
    skip_next = np.concatenate([skip[:, 2:], np.zeros((B, 2), dtype=bool)], axis=1)
    nxt = np.full((B, S), _NEG)
    for t in range(T - 1, -1, -1):
        rec = _lse3(nxt, np.concatenate([nxt[:, 1:], pad1], axis=1),
                    np.where(skip_next, np.concatenate([nxt[:, 2:], pad2], axis=1), _NEG))
        start = np.where(last, emit[t], _NEG)
        here = np.where((il - 1 == t)[:, None], start,
                        np.where((t < il - 1)[:, None], rec + emit[t], _NEG))
        beta[t] = here
        nxt = here
    return alpha, beta, emit


class _CTCLoss(Function):
    @staticmethod
    def forward(ctx, log_probs, labels, il, ll, blank):
        xp = array_module(log_probs)
        lp = np.asarray(log_probs.get() if xp is not np else log_probs, dtype=np.float64)
        ext, skip, n_states = _extended(labels, ll, blank)
        alpha, beta, emit = _alpha_beta(lp, ext, skip, il, n_states)
        B = lp.shape[1]
        end = alpha[il - 1, np.arange(B)]  # (B, S) at each sample's last step
        s_last = n_states - 1
        a1 = end[np.arange(B), s_last]
        a2 = np.where(s_last >= 1, end[np.arange(B), np.maximum(s_last - 1, 0)], _NEG)
        log_z = np.logaddexp(a1, a2)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(alpha, beta, emit, log_z, ext, lp.shape, log_probs.dtype)
        return xp.asarray((-log_z).astype(log_probs.dtype))

    @staticmethod
    def backward(ctx, g):
        alpha, beta, emit, log_z, ext, shape, dtype = ctx.saved
        xp = array_module(g)
        g = np.asarray(g.get() if xp is not np else g, dtype=np.float64)
        T, B, C = shape
        with np.errstate(invalid="ignore"):
            occ = np.exp(alpha + beta - emit - log_z[None, :, None])  # (T, B, S)
        occ = np.where(np.isfinite(occ), occ, 0.0)
        grad = np.zeros((T, B, C))
        t_idx = np.arange(T)[:, None, None]
        b_idx = np.arange(B)[None, :, None]
        np.add.at(grad, (t_idx, b_idx, ext[None, :, :]), occ)
        grad = -grad * g[None, :, None]
        return xp.asarray(grad.astype(dtype)), None, None, None, None


def ctc_loss(log_probs, labels, input_lengths, label_lengths, blank):
    """See the module docstring."""
    x = log_probs.data if isinstance(log_probs, Tensor) else log_probs
    if x.dtype.kind != "f":
        raise TypeError(f"ctc_loss: log-probabilities must be floating point, got {x.dtype}")
    labels, il, ll = check_ctc_args("ctc_loss", x, labels, input_lengths, label_lengths, blank)
    return _CTCLoss.apply(log_probs, labels, il, ll, int(blank))


def ctc_greedy_decode(log_probs, input_lengths, blank, merge_repeated=True):
    """See the module docstring."""
    xp = array_module(log_probs)
    lp = np.asarray(log_probs.get() if xp is not np else log_probs)
    if lp.ndim != 3:
        raise ValueError(f"ctc_decode: predictions must be 3-D (time, batch, classes), got "
                         f"shape {shape_str(lp.shape)}")
    T, B, _ = lp.shape
    il = np.asarray(input_lengths).reshape(-1).astype(np.int64)
    if il.shape != (B,) or np.any(il < 0) or np.any(il > T):
        raise ValueError(f"ctc_decode: input_length needs one value in [0, {T}] per sample "
                         f"(batch {B}), got {np.asarray(input_lengths).reshape(-1).tolist()}")
    best = lp.argmax(axis=2)  # (T, B)
    top = lp.max(axis=2)
    valid = np.arange(T)[:, None] < il[None, :]
    neg_sum_max = -np.where(valid, top, 0.0).sum(axis=0, keepdims=True).T
    paths = []
    for b in range(B):
        seq = best[:il[b], b]
        if merge_repeated and len(seq):
            seq = seq[np.concatenate([[True], seq[1:] != seq[:-1]])]
        paths.append(seq[seq != blank].astype(np.int64))
    return paths, neg_sum_max.astype(lp.dtype)


def _lse(a, b):
    return np.logaddexp(a, b)


def _beam_one(lp, blank, beam_width):
    """Prefix beam search over one sample's (T, C) log-probabilities: [(prefix, score)]."""
    beams = {(): (0.0, _NEG)}  # prefix -> (log P(ends in blank), log P(ends in its last label))
    labels = [c for c in range(lp.shape[1]) if c != blank]
    for t in range(lp.shape[0]):
        row = lp[t]
        nxt = {}

        def add(prefix, pb, pl):
            ob, ol = nxt.get(prefix, (_NEG, _NEG))
            nxt[prefix] = (_lse(ob, pb), _lse(ol, pl))

        for prefix, (pb, pl) in beams.items():
            total = _lse(pb, pl)
            add(prefix, total + row[blank], _NEG)  # a blank: the prefix stays
            if prefix:  # its last label again, merged into it
                add(prefix, _NEG, pl + row[prefix[-1]])
            for c in labels:  # a new label (after a blank, when it repeats the last one)
                base = pb if prefix and c == prefix[-1] else total
                add(prefix + (c,), _NEG, base + row[c])
        ranked = sorted(nxt.items(), key=lambda kv: -_lse(*kv[1]))
        beams = dict(ranked[:beam_width])
    return sorted(((p, float(_lse(*v))) for p, v in beams.items()), key=lambda kv: -kv[1])


def ctc_beam_search_decode(logits, input_lengths, blank, beam_width, top_paths,
                           merge_repeated=True):
    """See the module docstring."""
    xp = array_module(logits)
    x = np.asarray(logits.get() if xp is not np else logits, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"ctc_decode: predictions must be 3-D (time, batch, classes), got "
                         f"shape {shape_str(x.shape)}")
    T, B, _ = x.shape
    beam_width, top_paths = int(beam_width), int(top_paths)
    if beam_width < 1 or not 1 <= top_paths <= beam_width:
        raise ValueError(f"ctc_decode: need beam_width >= 1 and 1 <= top_paths <= beam_width, "
                         f"got beam_width={beam_width}, top_paths={top_paths}")
    il = np.asarray(input_lengths).reshape(-1).astype(np.int64)
    if il.shape != (B,) or np.any(il < 0) or np.any(il > T):
        raise ValueError(f"ctc_decode: input_length needs one value in [0, {T}] per sample "
                         f"(batch {B}), got {np.asarray(input_lengths).reshape(-1).tolist()}")
    m = x.max(axis=2, keepdims=True)
    lp = x - m - np.log(np.exp(x - m).sum(axis=2, keepdims=True))
    paths = [[] for _ in range(top_paths)]
    scores = np.full((B, top_paths), _NEG)
    for b in range(B):
        found = _beam_one(lp[:il[b], b], blank, beam_width)
        for k in range(top_paths):
            prefix, score = found[k] if k < len(found) else ((), _NEG)
            seq = np.asarray(prefix, dtype=np.int64)
            if merge_repeated and len(seq):
                seq = seq[np.concatenate([[True], seq[1:] != seq[:-1]])]
            paths[k].append(seq)
            scores[b, k] = score
    return paths, scores.astype(x.dtype if logits.dtype.kind == "f" else np.float32)
