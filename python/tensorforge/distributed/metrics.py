"""Stateful metrics over the ranks: the whole job's value is result() of the summed state.

AUC, Precision, Recall, the confusion counts, MeanIoU, Mean, RootMeanSquaredError and the
mean-type wrappers keep sums over the samples they have seen (confusion counts per threshold,
a confusion matrix, a total and a count: ``Metric._sum_state`` names them, metrics/base.py). The
state of N disjoint shards summed is the state of their union, so result() of the summed state
is what one process computes on the whole data; the mean of the ranks' results is not (the AUC
of a union is not the mean of the AUCs, nor is a precision). A metric class that does not
declare ``_sum_state`` (a user's Metric subclass) falls back to its ranks' results averaged,
weighted by their rows.

The metric objects are never changed: each keeps its own rank's state (so that a later merge,
by another callback, cannot count a rank twice); the results are computed on shallow copies.
"""
import copy

import numpy as np

from ..engine.training_utils import metric_value
from . import _comm

__all__ = ["summable", "pack", "unpack", "results_of_summed", "evaluate_over_ranks"]


def summable(metric):
    """True when ``metric``'s state is a set of sums over the samples (``_sum_state``)."""
    names = getattr(metric, "_sum_state", None)
    return bool(names) and all(hasattr(metric, k) for k in names)


def pack(metrics):
    """The state of ``metrics`` (summable ones) as one float64 vector (for one collective)."""
    parts = [np.ravel(np.asarray(getattr(m, k), dtype=np.float64))
             for m in metrics for k in m._sum_state]
    return np.concatenate(parts) if parts else np.zeros(0)


def _parts(metrics, vec):
    """(metric, attribute, value) for each part of ``vec`` laid out as ``pack`` does."""
    o = 0
    for m in metrics:
        for k in m._sum_state:
            v = getattr(m, k)
            n = int(np.size(v))
            part = vec[o:o + n]
            o += n
            yield m, k, (part.reshape(np.shape(v)).copy() if isinstance(v, np.ndarray)
                         else float(part[0]))


def unpack(metrics, vec):
    """Set the state of ``metrics`` from ``vec`` (as ``pack`` laid it out)."""
    for m, k, v in list(_parts(metrics, vec)):
        setattr(m, k, v)


def results_of_summed(metrics, summed):
    """[result() of each metric with its state replaced by its part of ``summed``] (the vector
    ``pack`` gives, summed over the ranks); the metrics themselves are left as they are."""
    copies = {id(m): copy.copy(m) for m in metrics}
    for m, k, v in list(_parts(metrics, summed)):
        setattr(copies[id(m)], k, v)
    return [metric_value(copies[id(m)].result()) for m in metrics]


def evaluate_over_ranks(acc):
    """The values of ``acc.names`` (an engine MetricSums over this rank's rows) for the whole
    job, in one allgather: batch-mean metrics and the losses as sums over the summed rows (or
    weight sums), summable stateful metrics from their summed state, others weighted by rows."""
    names, stateful = acc.names, acc.stateful
    exact = [stateful[k] for k in names if k in stateful and summable(stateful[k])]
    plain = [k for k in names if k not in stateful]
    rough = [k for k in names if k in stateful and not summable(stateful[k])]
    seen = float(acc.seen)
    payload = ([seen] + [float(acc.sums.get(k, 0.0)) for k in plain] +
               [float(acc.counts.get(k, 0.0)) for k in plain] +
               [metric_value(stateful[k].result()) * seen if seen else 0.0 for k in rough])
    vec = np.concatenate([np.asarray(payload, np.float64), pack(exact)])
    tot = _comm.gather_small(vec).sum(axis=0)
    p = len(plain)
    sums, counts = tot[1:1 + p], tot[1 + p:1 + 2 * p]
    rest = tot[1 + 2 * p:1 + 2 * p + len(rough)]
    val = {k: float(s / c) if c else 0.0 for k, s, c in zip(plain, sums, counts)}
    val.update({k: float(s / tot[0]) if tot[0] else 0.0 for k, s in zip(rough, rest)})
    val.update(zip([k for k in names if k in stateful and summable(stateful[k])],
                   results_of_summed(exact, tot[1 + 2 * p + len(rough):])))
    return [val[k] for k in names]
