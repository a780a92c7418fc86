"""More of TensorFlow 2's ``tf.nn``: local_response_normalization (lrn), crelu, the moment
helpers (weighted_moments, normalize_moments, sufficient_statistics), log_poisson_loss, the
sampled losses of word2vec programs (nce_loss, sampled_softmax_loss, with
the candidate samplers of tf_candidate_sampling.py), zero_fraction, embedding_lookup_sparse /
safe_embedding_lookup_sparse, and the CTC ops (ctc_loss, ctc_greedy_decoder,
ctc_beam_search_decoder) on ops/ctc.py.

All are compositions of differentiable ops (or ops/ctc.py's loss), with TensorFlow's formulas:
the sampled logits are TensorFlow's _compute_sampled_logits (true and sampled logits, minus
log expected counts, accidental hits pushed to -FLT_MAX), sampled by default with the
log-uniform sampler (NumPy draws: TensorFlow's distribution, not its numbers).
"""
import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_candidate_sampling import compute_accidental_hits, log_uniform_candidate_sampler
from .tf_example import SparseTensor
from .tf_math import zero_fraction  # noqa: F401  (tf.nn.zero_fraction)

__all__ = ["local_response_normalization", "lrn", "crelu", "weighted_moments",
           "normalize_moments", "sufficient_statistics", "log_poisson_loss", "nce_loss",
           "sampled_softmax_loss", "compute_accidental_hits", "zero_fraction",
           "embedding_lookup_sparse", "safe_embedding_lookup_sparse", "ctc_loss",
           "ctc_greedy_decoder", "ctc_beam_search_decoder", "collapse_repeated",
           "ctc_unique_labels", "batch_norm_with_global_normalization", "scale_regularization_loss",
           "isotonic_regression", "approx_max_k", "approx_min_k"]


def _f(op, x, name):
    t = _tensor(f"tf.nn.{op}", name, x)
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


def _ints(op, name, x):
    a = np.asarray(host(getattr(x, "data", x)))
    if a.dtype.kind not in "iu":
        raise TypeError(f"tf.nn.{op}: {name} must be integers, got {a.dtype}")
    return a.astype(np.int64)


def _axes(op, axes, ndim):
    axes = [axes] if isinstance(axes, (int, np.integer)) else [int(a) for a in axes]
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"tf.nn.{op}: axis {a} is out of range for rank {ndim}")
    return sorted({a % ndim for a in axes})


# ---- normalization and activations ------------------------------------------------------------
def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5,  # noqa: A002
                                 name=None):
    """AlexNet's LRN over the last axis: input / (bias + alpha * sum of squares of the 2 r + 1
    neighbouring channels) ** beta."""
    x = _f("local_response_normalization", input, "input")
    if x.ndim != 4:
        raise ValueError(f"tf.nn.local_response_normalization: input must be 4-D, got shape "
                         f"{tuple(x.shape)}")
    r, c = int(depth_radius), x.shape[-1]
    from .tf_array import pad
    sq = pad(x * x, [[0, 0], [0, 0], [0, 0], [r, r]])
    total = None
    for j in range(2 * r + 1):
        part = sq[..., j:j + c]
        total = part if total is None else total + part
    return x * K.pow(total * float(alpha) + float(bias), -float(beta))


lrn = local_response_normalization


def crelu(features, axis=-1, name=None):
    """concat([relu(x), relu(-x)], axis)."""
    x = _f("crelu", features, "features")
    return K.concatenate([K.relu(x), K.relu(-x)], axis=axis)


# ---- moments ----------------------------------------------------------------------------------
def _div_no_nan(a, b):
    from .tf_math import divide_no_nan
    return divide_no_nan(a, b)


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """(mean, variance) weighted by ``frequency_weights`` (broadcast against x); 0 where the
    weights sum to 0."""
    t = _f("weighted_moments", x, "x")
    w = _f("weighted_moments", frequency_weights, "frequency_weights")
    ax = _axes("weighted_moments", axes, t.ndim)
    wsum = K.sum(w * t, axis=ax, keepdims=True)
    total = K.sum(w + K.zeros_like(t), axis=ax, keepdims=True)
    mean = _div_no_nan(wsum, total)
    var = _div_no_nan(K.sum(w * K.square(t - mean), axis=ax, keepdims=True), total)
    if not keepdims:
        shape = tuple(d for i, d in enumerate(t.shape) if i not in ax)
        mean, var = K.reshape(mean, shape), K.reshape(var, shape)
    return mean, var


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum of (x - shift), sum of (x - shift)^2, shift) over ``axes``."""
    t = _f("sufficient_statistics", x, "x")
    ax = _axes("sufficient_statistics", axes, t.ndim)
    count = Tensor(np.asarray(np.prod([t.shape[a] for a in ax]), t.dtype))
    m = t if shift is None else t - shift
    return (count, K.sum(m, axis=ax, keepdims=keepdims),
            K.sum(K.square(m), axis=ax, keepdims=keepdims), shift)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics."""
    c = _f("normalize_moments", counts, "counts")
    divisor = 1.0 / c
    shifted = _f("normalize_moments", mean_ss, "mean_ss") * divisor
    mean = shifted if shift is None else shifted + shift
    var = _f("normalize_moments", variance_ss, "variance_ss") * divisor - K.square(shifted)
    return mean, var


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets, plus Stirling's approximation of log(targets!)
    (for targets > 1) where ``compute_full_loss``."""
    z = _f("log_poisson_loss", targets, "targets")
    c = _f("log_poisson_loss", log_input, "log_input")
    if z.shape != c.shape:
        raise ValueError(f"tf.nn.log_poisson_loss: targets {tuple(z.shape)} and log_input "
                         f"{tuple(c.shape)} must have the same shape")
    loss = K.exp(c) - c * z
    if compute_full_loss:
        zd = np.asarray(host(z.data), np.float64)
        safe = np.where(zd > 1, zd, 1.0)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + Tensor(np.where(zd > 1, stirling, 0.0).astype(loss.dtype))
    return loss


# ---- sampled losses -----------------------------------------------------------------------------
def _sampled_logits(op, weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                    sampled_values, subtract_log_q, remove_accidental_hits, seed=None):
    from .tf_array import gather
    w = weights if isinstance(weights, (list, tuple)) else [weights]
    if len(w) != 1:
        raise NotImplementedError(f"tf.nn.{op}: sharded weights (a list) are not supported")
    w = _f(op, w[0], "weights")
    b = _f(op, biases, "biases")
    x = _f(op, inputs, "inputs")
    lab = _ints(op, "labels", labels).reshape(x.shape[0], -1)
    if lab.shape[1] != int(num_true) or x.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(f"tf.nn.{op}: labels {lab.shape} must be (batch, num_true={num_true}), "
                         f"inputs (batch, dim) and weights (num_classes, dim); got inputs "
                         f"{tuple(x.shape)}, weights {tuple(w.shape)}")
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(lab, num_true, num_sampled, True,
                                                       num_classes, seed)
    sampled, true_exp, samp_exp = sampled_values
    sampled = _ints(op, "sampled_values[0]", sampled).reshape(-1)
    n_true = lab.size
    ids = np.concatenate([lab.reshape(-1), sampled])
    all_w, all_b = gather(w, ids), gather(b, ids)
    true_w = K.reshape(all_w[:n_true], (x.shape[0], int(num_true), x.shape[1]))
    true_logits = K.sum(K.expand_dims(x, 1) * true_w, axis=-1) + \
        K.reshape(all_b[:n_true], lab.shape)
    sampled_logits = K.dot(x, K.transpose(all_w[n_true:])) + all_b[n_true:]
    if remove_accidental_hits:
        hits = lab[:, :, None] == sampled[None, None, :]
        mask = hits.any(1).astype(np.float32) * np.finfo(np.float32).min
        sampled_logits = sampled_logits + Tensor(mask.astype(sampled_logits.dtype))
    if subtract_log_q:
        te = np.asarray(host(getattr(true_exp, "data", true_exp)), np.float64)
        se = np.asarray(host(getattr(samp_exp, "data", samp_exp)), np.float64)
        true_logits = true_logits - Tensor(np.log(te).astype(true_logits.dtype))
        sampled_logits = sampled_logits - Tensor(np.log(se).astype(true_logits.dtype))
    logits = K.concatenate([true_logits, sampled_logits], axis=1)
    labels_out = np.concatenate([np.full(lab.shape, 1.0 / int(num_true)),
                                 np.zeros((x.shape[0], sampled.size))], 1)
    return logits, Tensor(labels_out.astype(logits.dtype))


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, name="nce_loss"):
    """Noise-contrastive estimation: (batch,) sums of the sigmoid cross-entropies of the true
    and sampled logits (each minus its log expected count)."""
    logits, labels_out = _sampled_logits("nce_loss", weights, biases, labels, inputs,
                                         num_sampled, num_classes, num_true, sampled_values,
                                         True, remove_accidental_hits)
    xent = K.relu(logits) - logits * labels_out + K.log(1.0 + K.exp(-K.abs(logits)))
    return K.sum(xent, axis=1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True, seed=None,
                         name="sampled_softmax_loss"):
    """(batch,) softmax cross-entropies over the true and the sampled classes."""
    logits, labels_out = _sampled_logits("sampled_softmax_loss", weights, biases, labels, inputs,
                                         num_sampled, num_classes, num_true, sampled_values,
                                         True, remove_accidental_hits, seed)
    return -K.sum(labels_out * (logits - K.logsumexp(logits, axis=1, keepdims=True)), axis=1)


# ---- sparse embedding lookups -------------------------------------------------------------------
def _sparse_rows(op, sp, name):
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"tf.nn.{op}: {name} must be a tf.SparseTensor, got {type(sp).__name__}")
    idx = np.asarray(host(sp.indices.data)).astype(np.int64)
    return idx[:, 0] if idx.size else np.zeros(0, np.int64), np.asarray(host(sp.values.data))


def _combine(op, params, rows, ids, weights, n_rows, combiner):
    from .tf_array import gather
    from .tf_math import unsorted_segment_sum
    if combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f"tf.nn.{op}: combiner must be 'sum', 'mean' or 'sqrtn', got "
                         f"{combiner!r}")
    p = _f(op, params[0] if isinstance(params, (list, tuple)) else params, "params")
    emb = gather(p, ids.astype(np.int64))
    w = np.ones(ids.shape, p.dtype) if weights is None else weights.astype(p.dtype)
    emb = emb * Tensor(w.reshape((-1,) + (1,) * (emb.ndim - 1)))
    total = unsorted_segment_sum(emb, rows, n_rows)
    if combiner == "sum":
        return total
    denom = np.zeros(n_rows)
    np.add.at(denom, rows, w if combiner == "mean" else w.astype(np.float64) ** 2)
    if combiner == "sqrtn":
        denom = np.sqrt(denom)
    scale = np.where(denom > 0, 1.0 / np.where(denom > 0, denom, 1.0), 0.0)
    return total * Tensor(scale.reshape((-1,) + (1,) * (emb.ndim - 1)).astype(p.dtype))


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner="mean", max_norm=None,
                            name=None, allow_fast_lookup=False):
    """Per row of the SparseTensor ``sp_ids`` the sum / mean / sqrt-n-mean of params[ids]
    (weighted by ``sp_weights``' values, or 1); rows up to the last one with an id."""
    if max_norm is not None:
        raise NotImplementedError("tf.nn.embedding_lookup_sparse: max_norm is not supported")
    rows, ids = _sparse_rows("embedding_lookup_sparse", sp_ids, "sp_ids")
    w = None if sp_weights is None else _sparse_rows("embedding_lookup_sparse", sp_weights,
                                                     "sp_weights")[1]
    n = int(rows.max()) + 1 if rows.size else 0
    return _combine("embedding_lookup_sparse", params, rows, ids, w, n, combiner)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, max_norm=None, name=None,
                                 partition_strategy="div", allow_fast_lookup=False):
    """embedding_lookup_sparse that drops invalid ids (< 0) and weights (<= 0), and gives the
    row of ``default_id`` (or zeros) to empty rows; one output row per dense row."""
    if max_norm is not None:
        raise NotImplementedError("tf.nn.safe_embedding_lookup_sparse: max_norm is not supported")
    op = "safe_embedding_lookup_sparse"
    rows, ids = _sparse_rows(op, sparse_ids, "sparse_ids")
    w = None if sparse_weights is None else _sparse_rows(op, sparse_weights, "sparse_weights")[1]
    keep = ids >= 0
    if w is not None:
        keep &= w > 0
    rows, ids = rows[keep], ids[keep]
    w = None if w is None else w[keep]
    n = sparse_ids.shape[0]
    empty = np.setdiff1d(np.arange(n), rows)
    if default_id is not None and empty.size:
        rows = np.concatenate([rows, empty])
        ids = np.concatenate([ids, np.full(empty.size, int(default_id))])
        w = None if w is None else np.concatenate([w, np.ones(empty.size, w.dtype)])
    out = _combine(op, embedding_weights, rows, ids, w, n, combiner)
    if len(sparse_ids.shape) > 2:  # (d0, d1, ..., k): one embedding per leading position
        out = K.reshape(out, tuple(sparse_ids.shape[:-1]) + tuple(out.shape[1:]))
    return out


# ---- CTC ----------------------------------------------------------------------------------------
def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True, unique=None,
             blank_index=None, name=None):
    """(batch,) negative log-likelihoods of the ``labels`` (dense (batch, max_len) with
    ``label_length``, or a SparseTensor) under
    ``logits`` ((time, batch, classes), or batch-major), blank ``blank_index`` (default 0;
    negative counts from the end). Differentiable in the logits."""
    from .ops.ctc import ctc_loss as _ctc_loss
    if isinstance(labels, SparseTensor):  # each row's values in order; its count the length
        idx = np.asarray(host(labels.indices.data)).astype(np.int64).reshape(-1, 2)
        vals = np.asarray(host(labels.values.data)).astype(np.int64)
        dense = np.zeros(labels.shape, np.int64)
        dense[idx[:, 0], idx[:, 1]] = vals
        label_length = np.bincount(idx[:, 0], minlength=labels.shape[0])
        labels = dense
    elif label_length is None:
        raise ValueError("tf.nn.ctc_loss: label_length is required with dense labels")
    z = _f("ctc_loss", logits, "logits")
    if z.ndim != 3:
        raise ValueError(f"tf.nn.ctc_loss: logits must be 3-D, got shape {tuple(z.shape)}")
    if not logits_time_major:
        z = K.permute_dimensions(z, (1, 0, 2))
    c = z.shape[-1]
    blank = 0 if blank_index is None else int(blank_index) % c
    lab = _ints("ctc_loss", "labels", labels)
    ll = _ints("ctc_loss", "label_length", label_length).reshape(-1)
    il = _ints("ctc_loss", "logit_length", logit_length).reshape(-1)
    lp = z - K.logsumexp(z, axis=-1, keepdims=True)
    return _ctc_loss(lp, lab, il, ll, blank)


def _sparse_paths(paths, batch):
    idx = [(b, t) for b, p in enumerate(paths) for t in range(len(p))]
    vals = [int(v) for p in paths for v in p]
    width = max((len(p) for p in paths), default=0)
    return SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2), np.asarray(vals, np.int64),
                        np.asarray([batch, width], np.int64))


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """([SparseTensor of the best paths], (batch, 1) minus the sum of each step's largest
    logit); inputs (time, batch, classes), blank the last class unless ``blank_index``."""
    from .ops.ctc import ctc_greedy_decode
    z = np.asarray(host(_f("ctc_greedy_decoder", inputs, "inputs").data))
    if z.ndim != 3:
        raise ValueError(f"tf.nn.ctc_greedy_decoder: inputs must be (time, batch, classes), "
                         f"got {z.shape}")
    blank = z.shape[-1] - 1 if blank_index is None else int(blank_index) % z.shape[-1]
    il = _ints("ctc_greedy_decoder", "sequence_length", sequence_length).reshape(-1)
    paths, neg = ctc_greedy_decode(z, il, blank, merge_repeated)
    return [_sparse_paths(paths, z.shape[1])], Tensor(np.asarray(neg).astype(z.dtype))


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """(top_paths SparseTensors, (batch, top_paths) log-probabilities); inputs (time, batch,
    classes) logits, blank the last class."""
    from .ops.ctc import ctc_beam_search_decode
    z = np.asarray(host(_f("ctc_beam_search_decoder", inputs, "inputs").data))
    if z.ndim != 3:
        raise ValueError(f"tf.nn.ctc_beam_search_decoder: inputs must be (time, batch, "
                         f"classes), got {z.shape}")
    il = _ints("ctc_beam_search_decoder", "sequence_length", sequence_length).reshape(-1)
    paths, scores = ctc_beam_search_decode(z, il, z.shape[-1] - 1, int(beam_width),
                                           int(top_paths), merge_repeated=False)
    return [_sparse_paths(p, z.shape[1]) for p in paths], Tensor(np.asarray(scores)
                                                                 .astype(z.dtype))



def collapse_repeated(labels, seq_length, name=None):
    """(labels with consecutive repeats merged, zero-padded to the longest, new lengths)."""
    lab = _ints("collapse_repeated", "labels", labels)
    ln = np.asarray(host(getattr(seq_length, "data", seq_length)))
    if lab.ndim != 2 or ln.shape != (lab.shape[0],):
        raise ValueError(f"tf.nn.collapse_repeated: labels must be (batch, max_len) and "
                         f"seq_length (batch,), got {lab.shape} and {ln.shape}")
    keep = np.concatenate([np.ones((lab.shape[0], 1), bool), lab[:, 1:] != lab[:, :-1]], 1)
    keep &= np.arange(lab.shape[1])[None, :] < ln[:, None]
    new_len = keep.sum(1)
    out = np.zeros((lab.shape[0], int(new_len.max(initial=0))), lab.dtype)
    for b in range(lab.shape[0]):
        out[b, :new_len[b]] = lab[b][keep[b]]
    in_dt = np.asarray(host(getattr(labels, "data", labels))).dtype
    return Tensor(out.astype(in_dt)), Tensor(new_len.astype(ln.dtype))


def ctc_unique_labels(labels, name=None):
    """Per row: (its unique labels in order of appearance, zero-padded, int64; each label's
    index among them, int32) -- tf.unique row by row."""
    lab = _ints("ctc_unique_labels", "labels", labels)
    if lab.ndim != 2:
        raise ValueError(f"tf.nn.ctc_unique_labels: labels must be 2-D, got {lab.shape}")
    ys = np.zeros(lab.shape, np.int64)
    idx = np.zeros(lab.shape, np.int32)
    for b, row in enumerate(lab):
        seen = {}
        for t, v in enumerate(row.tolist()):
            idx[b, t] = seen.setdefault(v, len(seen))
        ys[b, :len(seen)] = list(seen)
    return Tensor(ys), Tensor(idx)


def batch_norm_with_global_normalization(input, mean, variance, beta, gamma,  # noqa: A002
                                         variance_epsilon, scale_after_normalization, name=None):
    """tf.nn.batch_normalization with gamma applied only where scale_after_normalization."""
    from .tf_nn import batch_normalization
    return batch_normalization(input, mean, variance, beta,
                               gamma if scale_after_normalization else None, variance_epsilon)


def scale_regularization_loss(regularization_loss, name=None):
    """The (summed) regularization loss divided by the replicas in sync (one here)."""
    if isinstance(regularization_loss, (list, tuple)):
        out = None
        for t in regularization_loss:
            t = _f("scale_regularization_loss", t, "regularization_loss")
            out = t if out is None else out + t
        return out
    return _f("scale_regularization_loss", regularization_loss, "regularization_loss")


def _pav(row, decreasing):
    """Pool-adjacent-violators: the block index of each entry."""
    sums, counts, starts = [], [], []
    for i, v in enumerate(row.tolist()):
        sums.append(v)
        counts.append(1)
        starts.append(i)
        while len(sums) > 1:
            prev, last = sums[-2] / counts[-2], sums[-1] / counts[-1]
            if (prev >= last) if decreasing else (prev <= last):  # equal blocks stay apart
                break
            top_sum, top_count = sums.pop(), counts.pop()
            sums[-1] += top_sum
            counts[-1] += top_count
            starts.pop()
    seg = np.zeros(row.size, np.int32)
    for k, st in enumerate(starts):
        seg[st:] = k
    return seg


def isotonic_regression(inputs, decreasing=True, axis=-1, name=None):
    """(the non-increasing (``decreasing``) or non-decreasing least-squares fit along ``axis``,
    the int32 segment of each entry): pool-adjacent-violators; the fit is the mean of each
    segment, so differentiable (the gradient averaged over the segment)."""
    from .tf_math import unsorted_segment_mean
    x = _f("isotonic_regression", inputs, "inputs")
    if x.ndim == 0:
        raise ValueError("tf.nn.isotonic_regression: inputs must have rank >= 1")
    ax = int(axis) % x.ndim
    perm = [i for i in range(x.ndim) if i != ax] + [ax]
    xt = K.permute_dimensions(x, perm) if ax != x.ndim - 1 else x
    n = xt.shape[-1]
    flat = K.reshape(xt, (-1, n))
    rows = np.asarray(host(flat.data), np.float64)
    seg = np.stack([_pav(r, decreasing) for r in rows]) if rows.size else \
        np.zeros(rows.shape, np.int32)
    gid = (np.arange(rows.shape[0])[:, None] * n + seg).reshape(-1)
    means = unsorted_segment_mean(K.reshape(flat, (-1,)), gid, rows.shape[0] * n)
    out = K.reshape(K.gather(means, gid), tuple(xt.shape))
    seg_t = seg.reshape(xt.shape)
    if ax != x.ndim - 1:
        inv = list(np.argsort(perm))
        out, seg_t = K.permute_dimensions(out, inv), np.transpose(seg_t, inv)
    return out, Tensor(np.ascontiguousarray(seg_t).astype(np.int32))


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """(values, int32 indices) of the k largest along ``reduction_dimension``: the exact top k
    (recall 1, which meets any recall_target). Differentiable in the values."""
    return _top_k_along("approx_max_k", operand, k, reduction_dimension, False)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    return _top_k_along("approx_min_k", operand, k, reduction_dimension, True)


def _top_k_along(op, operand, k, dim, smallest):
    from .tf_nn import top_k
    x = _f(op, operand, "operand")
    ax = int(dim) % x.ndim
    perm = [i for i in range(x.ndim) if i != ax] + [ax]
    xt = K.permute_dimensions(x, perm) if ax != x.ndim - 1 else x
    v, i = top_k(-xt if smallest else xt, k=int(k))
    v = -v if smallest else v
    if ax != x.ndim - 1:
        inv = list(np.argsort(perm))
        v, i = K.permute_dimensions(v, inv), Tensor(np.transpose(i.numpy(), inv))
    return v, i
