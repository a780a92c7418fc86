"""The loops over arrays (Keras 2's keras/engine/training_arrays.py): ``fit_loop``,
``test_loop``, ``predict_loop`` -- free functions that drive a model's one-batch steps
(training.py) and the callbacks.

Each loop moves the data once to where the weights live (See Note [data on the device] in
_device.py): on 'cuda' the arrays are copied to the GPU once per call, an epoch's shuffle is one
permutation index array, batches are device gathers, and metrics are summed on the device until
the epoch ends. On the host backends those calls change nothing.
"""
import math
import sys
import time
import warnings

import numpy as np

from .. import _device
from .. import _random
from .. import callbacks as _cb
from ..autograd import no_grad


class CallbackList:
    """Calls every callback's hook in order (Keras 2's CallbackList)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for cb in self.callbacks:
                getattr(cb, hook)(*args)
        return call


def _take(arrays, idx):
    return [None if a is None else a[idx] for a in arrays]


def fit_loop(model, xs, ys, batch_size, epochs, verbose, callbacks, val, shuffle, initial_epoch,
             distributed=False):
    """Train ``model`` on input arrays ``xs`` and targets ``ys`` (one per output, None where an
    output has no loss); returns the History. ``distributed``: ``batch_size`` is the global
    batch, each rank trains on its share (tensorforge.distributed's sampler and callbacks)."""
    xp = _device.device_module()
    on_device = xp is not np
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]
    ys = [_device.to_device(a, xp) for a in ys]
    if val is not None:
        val = ([_device.to_device(a, xp) for a in val[0]], [_device.to_device(a, xp) for a in val[1]])
    n = xs[0].shape[0]
    names = model.metrics_names
    history = _cb.History()
    # Keras 2 order: History after the user's callbacks, which may edit the logs it records
    cbs = list(callbacks or []) + [history]
    if verbose:
        cbs.append(_cb.ProgbarLogger(verbose=verbose))
    plan = None
    if distributed:  # this rank's share of each global batch; rank 0 prints and writes
        from ..distributed._fit import FitPlan
        plan = FitPlan(model, n, batch_size, shuffle)
        cbs = plan.callbacks(cbs)
    cbl = CallbackList(cbs, model, {"epochs": epochs, "samples": n, "batch_size": batch_size,
                                    "verbose": verbose, "metrics": list(names)})
    model.stop_training = False
    params = model._compiled_params()
    loss_names = names[1:1 + sum(1 for sp in model._out_specs if sp.loss_fn is not None)] \
        if len(model._out_specs) > 1 else []
    cbl.on_train_begin()
    rng = _random.rng()
    for epoch in range(initial_epoch, epochs):
        cbl.on_epoch_begin(epoch)
        if plan is not None:
            batches = plan.epoch_batches(epoch, xp)
        else:
            order = rng.permutation(n) if shuffle else None
            if order is not None:
                order = _device.to_device(order, xp)  # one small copy per epoch
            batches = (slice(s, s + batch_size) if order is None else order[s:s + batch_size]
                       for s in range(0, n, batch_size))
        sums, seen = {}, 0
        for bi, idx in enumerate(batches):
            xb, yb = _take(xs, idx), _take(ys, idx)
            m = xb[0].shape[0]
            cbl.on_batch_begin(bi, {"batch": bi, "size": m})
            loss, parts, outs = model._train_batch(xb, yb, params)
            logs = {"batch": bi, "size": m, "loss": loss}
            logs.update(zip(loss_names, parts))
            with no_grad():
                mets = model._batch_metrics(yb, outs)
            if not on_device:
                logs.update(mets)
            for k, v in list(logs.items()) + (list(mets.items()) if on_device else []):
                if k not in ("batch", "size"):
                    sums[k] = sums.get(k, 0.0) + v * m  # device metrics: summed on the device
            seen += m
            cbl.on_batch_end(bi, logs)
            if not math.isfinite(loss):
                msg = (f"Batch {bi}: Invalid loss ({loss}), terminating training (NaN/inf loss; "
                       "check the inputs, the learning rate, or add gradient clipping)")
                print(msg, file=sys.stderr)
                warnings.warn(msg, RuntimeWarning, stacklevel=3)
                model.stop_training = True
            if model.stop_training:
                break
        epoch_logs = {k: float(v / max(seen, 1)) for k, v in sums.items()}
        if val is not None and not (model.stop_training and
                                    not math.isfinite(epoch_logs.get("loss", 0))):
            vals = test_loop(model, val[0], val[1], batch_size=batch_size, verbose=0,
                             distributed=distributed)
            epoch_logs.update({"val_" + k: v for k, v in zip(names, vals)})
        cbl.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    cbl.on_train_end()
    return history


def test_loop(model, xs, ys, batch_size, verbose=0, distributed=False):
    """The batch-size-weighted means of metrics_names' values over the arrays (``distributed``:
    each rank evaluates its share of the rows, every rank returns the global means)."""
    n_all = xs[0].shape[0]
    if distributed:
        from ..distributed import _fit as _dist
        xs = [_dist.shard(a) for a in xs]
        ys = [None if a is None else _dist.shard(a) for a in ys]
    xp = _device.device_module()
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]
    ys = [_device.to_device(a, xp) for a in ys]
    names = model.metrics_names
    n_loss = 1 + (sum(1 for sp in model._out_specs if sp.loss_fn is not None)
                  if len(model._out_specs) > 1 else 0)
    n = xs[0].shape[0]
    t0 = time.time()
    sums = {}
    for start in range(0, n, batch_size):
        idx = slice(start, start + batch_size)
        xb, yb = _take(xs, idx), _take(ys, idx)
        loss, parts, outs = model._test_batch(xb, yb)
        vals = dict(zip(names[:n_loss], [loss] + parts))
        with no_grad():
            vals.update(model._batch_metrics(yb, outs))
        m = xb[0].shape[0]
        for k, v in vals.items():
            sums[k] = sums.get(k, 0.0) + v * m
    if distributed:
        res = _dist.average_over_ranks([sums.get(k, 0.0) for k in names], n)
        verbose = verbose if _dist.is_root() else 0
    else:
        res = [float(sums[k] / n) for k in names]
    if verbose == 1:
        bar = _cb.Progbar(n_all)
        bar.start = t0
        bar.set_values(dict(zip(names, res)))
        bar.update(n_all, finalize=True)
    return res


def predict_loop(model, xs, batch_size):
    """The model's outputs (a list of NumPy arrays, one per output) for the input arrays."""
    xp = _device.device_module()
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]  # See Note [data on the device]
    n = xs[0].shape[0]
    chunks = None
    with no_grad():
        for start in range(0, n, batch_size):
            outs = model._forward([a[start:start + batch_size] for a in xs], False)
            outs = [o.data if hasattr(o, "data") else o for o in outs]
            if chunks is None:
                chunks = [[] for _ in outs]
            for c, o in zip(chunks, outs):
                c.append(o)
    res = [xp.concatenate(c, axis=0) if len(c) > 1 else c[0] for c in chunks]
    return [_device.to_host(r) for r in res]  # Keras returns NumPy: one copy per output
