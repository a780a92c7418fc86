"""Horovod's Keras callbacks: BroadcastGlobalVariablesCallback, MetricAverageCallback,
LearningRateWarmupCallback (same names, arguments and defaults as ``horovod.keras.callbacks``).
"""
import math
import sys

import numpy as np

from .. import callbacks as _cb
from . import _comm
from . import metrics as _metrics

__all__ = ["BroadcastGlobalVariablesCallback", "MetricAverageCallback",
           "LearningRateWarmupCallback"]


def broadcast_model(model, root_rank=0):
    """Rank ``root_rank``'s weights, optimizer state and iteration count, copied to every rank
    (one Bcast of a flat buffer; only the layout travels pickled). The arrays are rebuilt from
    a fresh float32 buffer: an unpickled array carries a dtype object that is equal to, but not
    the same object as, np.float32's, which the native kernels' dtype identity check refuses.
    Nothing is copied when every rank already shares them (See Note [no broadcast of shared
    weights]). Returns whether they were copied."""
    from .._device import to_host
    opt = getattr(model, "optimizer", None)
    if _shared_by_every_rank(model, opt):
        return False
    me = _comm.rank() == root_rank
    has_state = opt is not None and hasattr(opt, "get_state")
    arrays = [w for w in model.get_weights()]
    n_w = len(arrays)
    if me and has_state:
        for s in opt.get_state(model.weights):
            arrays += [np.asarray(to_host(a)) for a in s]
    layout = [a.shape for a in arrays]
    if has_state:
        counts = [len(s) for s in opt.get_state(model.weights)] if me else None
        layout, counts, iters = _comm.broadcast_object(
            (layout, counts, opt.iterations) if me else None, root_rank)
    flat = (np.concatenate([a.reshape(-1).astype(np.float32, copy=False) for a in arrays])
            if me and arrays else np.empty(sum(int(np.prod(s)) for s in layout), np.float32))
    flat = _comm.broadcast(flat, root_rank)
    out, o = [], 0
    for shp in layout:
        k = int(np.prod(shp))
        out.append(flat[o:o + k].reshape(shp).copy())
        o += k
    model.set_weights(out[:n_w])
    if has_state:
        it = iter(out[n_w:])
        opt.set_state(model.weights, [[next(it) for _ in range(c)] for c in counts])
        opt.iterations = int(iters)
    from .._device import device_module, place_model
    place_model(model, device_module())  # 'cuda': set_state made host arrays; no-op on the CPU
    return True


def _shared_by_every_rank(model, opt):
    """True on every rank when, on every rank, all of the model's weights and the optimizer's
    state are views of the machine's one shared copy and the iteration counts agree (a
    collective: one small allgather)."""
    holds = getattr(opt, "holds_shared", None)
    mine = holds is not None and holds(model.weights)
    votes = _comm.gather_small([float(mine), float(getattr(opt, "iterations", 0))])
    return bool(votes[:, 0].all() and (votes[:, 1] == votes[0, 1]).all())


# Note [no broadcast of shared weights]
# fit(distributed=True) adds BroadcastGlobalVariablesCallback(0) to every fit, so a job that
# calls fit repeatedly (an epoch per call, or `tensorforge bench distributed`'s rounds) copied
# rank 0's weights and optimizer state to every rank each time: LeNet's 3.7 MB of weights and
# 3.7 MB of RMSprop state, 7 ms of CPU a rank (concatenate, Bcast, copies, set_state, then the
# window taking the replaced state in again), two steps' worth. After a first step of the
# sharded update on one machine's window (shm.py, fit's default there) every rank's weights and
# state *are* one shared memory, so the copy would write every value with itself: the ranks vote
# (all weights and state still the window's views on every rank, same iteration count) and skip
# it. Anything replaced since (load_weights / set_state create new arrays; a layer added) fails
# the identity test and the broadcast runs as before; set_weights writes in place into the
# shared memory, which every rank then reads, as after the broadcast.


class BroadcastGlobalVariablesCallback(_cb.Callback):
    """At the start of training, every rank takes rank ``root_rank``'s initial weights and
    optimizer state (so that ranks that initialized or restored differently start equal)."""

    def __init__(self, root_rank=0, device=""):
        super().__init__()
        self.root_rank = int(root_rank)
        self.broadcast_done = False

    def on_train_begin(self, logs=None):
        if self.broadcast_done:
            return
        _comm.init()
        broadcast_model(self.model, self.root_rank)
        self.broadcast_done = True


def _summable_metrics(model):
    """{metrics_name: Metric} of the model's stateful metrics whose state sums (metrics/base.py)."""
    stateful = (model.__dict__.get("_stateful") if model is not None else None) or {}
    return {k: m for k, m in stateful.items() if _metrics.summable(m)}


class MetricAverageCallback(_cb.Callback):
    """At the end of each epoch, replace every metric in the logs by its value over all ranks
    (put it before the callbacks that read the logs). As Horovod, the mean over the ranks for
    the losses and batch-mean metrics (accuracy, MSE, ...); unlike Horovod's mean, AUC,
    Precision, Recall, the confusion counts, MeanIoU and the other stateful metrics whose state
    is sums come from that state summed over the ranks (See distributed/metrics.py): the
    value one process gets on all the ranks' shards together (each rank on its own shard, the
    validation data included)."""

    def __init__(self, device=""):
        super().__init__()
        self._snapshot = None

    def on_epoch_begin(self, epoch, logs=None):
        self._snapshot = None

    def on_batch_end(self, batch, logs=None):
        # validation resets the metric objects before on_epoch_end: keep the training state
        objs = _summable_metrics(self.model)
        if objs:
            self._snapshot = _metrics.pack(list(objs.values()))

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        _comm.init()
        objs = _summable_metrics(self.model)
        train = [k for k in objs if k in logs] if self._snapshot is not None else []
        val = [k for k in objs if "val_" + k in logs]
        exact = set(train) | {"val_" + k for k in val}
        keys = sorted(k for k, v in logs.items() if k not in exact and
                      isinstance(v, (int, float, np.floating)))
        if not keys and not exact:
            return
        parts = [np.asarray([float(logs[k]) for k in keys], np.float64)]
        if train:
            parts.append(self._snapshot)
        if val:
            parts.append(_metrics.pack([objs[k] for k in val]))
        g = _comm.gather_small(np.concatenate(parts))
        for k, v in zip(keys, g[:, :len(keys)].mean(axis=0)):
            logs[k] = float(v)
        summed, o = g[:, len(keys):].sum(axis=0), 0
        if train:
            n = self._snapshot.size
            for k, v in zip(objs, _metrics.results_of_summed(list(objs.values()), summed[:n])):
                if k in logs:
                    logs[k] = v
            o = n
        if val:
            for k, v in zip(val, _metrics.results_of_summed([objs[k] for k in val], summed[o:])):
                logs["val_" + k] = v


class LearningRateWarmupCallback(_cb.Callback):
    """Goyal et al.'s gradual warm-up, as Horovod: the learning rate grows from
    ``initial_lr / size()`` to ``initial_lr`` over the first ``warmup_epochs`` epochs, updated
    every batch. ``initial_lr`` is the rate tuned for the whole job (scaled by the number of
    ranks). ``momentum_correction`` is accepted for Horovod compatibility and not applied
    (our SGD keeps the velocity v and adds it to the weights; the rate change is not folded into
    v)."""

    def __init__(self, initial_lr, warmup_epochs=5, momentum_correction=True, steps_per_epoch=None,
                 verbose=0):
        super().__init__()
        if not initial_lr > 0 or not warmup_epochs >= 0:
            raise ValueError(f"LearningRateWarmupCallback: initial_lr must be > 0 and warmup_epochs "
                             f">= 0, got {initial_lr} and {warmup_epochs}")
        self.initial_lr, self.warmup_epochs = float(initial_lr), float(warmup_epochs)
        self.momentum_correction, self.steps_per_epoch = momentum_correction, steps_per_epoch
        self.verbose = verbose
        self.current_epoch = 0

    def _steps(self):
        if self.steps_per_epoch:
            return int(self.steps_per_epoch)
        if self.params.get("steps"):  # the global batches of an epoch
            return int(self.params["steps"])
        raise ValueError("LearningRateWarmupCallback: pass steps_per_epoch (fit's params do not "
                         "give the steps of an epoch)")

    def _set(self, epoch_float):
        _comm.init()
        n = _comm.size()
        if epoch_float >= self.warmup_epochs:
            lr = self.initial_lr
        else:
            lr = self.initial_lr / n * (epoch_float * (n - 1) / self.warmup_epochs + 1)
        self.model.optimizer.learning_rate = float(lr)
        return lr

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch
        if epoch < self.warmup_epochs:
            self._set(epoch)

    def on_batch_end(self, batch, logs=None):  # sets the rate of the next batch
        if self.current_epoch < self.warmup_epochs:
            self._set(self.current_epoch + (batch + 1) / self._steps())

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose and epoch + 1 == math.ceil(self.warmup_epochs) and _comm.rank() == 0:
            print(f"\nEpoch {epoch + 1}: finished gradual learning rate warmup to "
                  f"{self.model.optimizer.learning_rate:g}.", file=sys.stderr)


class GlobalBatchLogs(_cb.Callback):
    """fit(distributed=True)'s first callback: every batch, the logs become the figures of the
    whole global batch (loss and metrics averaged over the ranks weighted by their samples; the
    progress bar weighs them by the global batch), so the progress bar, History and
    TerminateOnNaN see what one process would; a non-finite loss on any rank stops every rank
    at the same step, naming it. At the end of an epoch the logs become the means over the
    whole epoch."""

    def __init__(self, plan):
        super().__init__()
        self.plan = plan

    def on_epoch_begin(self, epoch, logs=None):
        self._sums, self._seen, self._local_seen = {}, 0, 0
        self._exact, self._held = {}, None

    def on_batch_begin(self, batch, logs=None):
        # a rank without a sample in this global batch trains on a weight-0 stand-in: its
        # stateful metrics must not count that sample (restored in on_batch_end)
        objs = _summable_metrics(self.model)
        self._held = (_metrics.pack(list(objs.values())) if objs and self.plan.local_count == 0
                      else None)

    def on_batch_end(self, batch, logs=None):
        logs = logs if logs is not None else {}
        m, M = self.plan.local_count, self.plan.global_count
        objs = _summable_metrics(self.model)
        if self._held is not None:
            _metrics.unpack(list(objs.values()), self._held)
        exact = [k for k in logs if k in objs]  # running values of the summed state
        keys = [k for k in logs if k not in ("batch", "size") and k not in objs]
        vals = [float(logs[k]) for k in keys]
        bad = "loss" in logs and not math.isfinite(float(logs["loss"]))
        payload = [float(m), float(bad and m > 0), float(bool(self.model.stop_training))]
        payload += [v * m if m else 0.0 for v in vals]
        if exact:
            payload = np.concatenate([payload, _metrics.pack([objs[k] for k in exact])])
        g = _comm.gather_small(payload)
        self.model.optimizer.synced()  # See Note [update barrier in the logs' allgather] (shm.py)
        sums = g[:, 3:3 + len(keys)].sum(axis=0)
        for k, s in zip(keys, sums):
            logs[k] = float(s / M)
            self._sums[k] = self._sums.get(k, 0.0) + float(s)
        if exact:
            res = _metrics.results_of_summed([objs[k] for k in exact],
                                             g[:, 3 + len(keys):].sum(axis=0))
            for k, v in zip(exact, res):
                logs[k] = self._exact[k] = v
        # no 'size' in the logs, as tf_keras 2's (Note [callback params and logs] in
        # engine/training_arrays.py): the progress bar weighs these global means by M through
        # the model (Note [progress bar means] in callbacks_progbar.py)
        self.model.__dict__["_batch_log_size"] = M
        self._seen += M
        self._local_seen += m
        failed = [r for r in range(g.shape[0]) if g[r, 1]]
        if failed:
            if _comm.rank() == 0:
                print(f"\ntensorforge.distributed: batch {batch}: non-finite loss on rank(s) "
                      f"{', '.join(map(str, failed))}; every rank stops training", file=sys.stderr)
            self.model.stop_training = True
        if g[:, 2].any():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self._consolidate()
        if logs is None:
            return
        for k, s in self._sums.items():
            logs[k] = float(s / max(self._seen, 1))
        logs.update(self._exact)  # the last running value: the epoch's, over every rank
        objs = _summable_metrics(self.model)
        late = [k for k in objs if k in logs and k not in self._exact]  # not in the batch logs
        if late:  # (device-side metrics): from the summed state too
            summed = _comm.gather_small(_metrics.pack([objs[k] for k in late])).sum(axis=0)
            self._exact.update(zip(late, _metrics.results_of_summed([objs[k] for k in late],
                                                                    summed)))
            logs.update(self._exact)
        # figures the batches did not carry (device-side metrics): weighted over the ranks
        rest = sorted(k for k, v in logs.items() if k not in self._sums and k not in self._exact
                      and not k.startswith("val_") and isinstance(v, (int, float, np.floating)))
        if rest:
            g = _comm.gather_small([float(self._local_seen)] + [logs[k] * self._local_seen
                                                                 for k in rest])
            tot = max(g[:, 0].sum(), 1.0)
            for k, s in zip(rest, g[:, 1:].sum(axis=0)):
                logs[k] = float(s / tot)

    def on_train_end(self, logs=None):
        self._consolidate()

    def _consolidate(self):
        # a sharded optimizer's state, whole on every rank before checkpoints (sharded.py)
        consolidate = getattr(self.model.optimizer, "consolidate_state", None)
        if consolidate is not None:
            consolidate()
