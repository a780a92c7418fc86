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
from .. import _dispatch
from .. import _random
from .. import callbacks as _cb
from .. import callbacks_progbar as _cb_progbar
from .._xp import raw
from ..callbacks_backup import resume_counters
from ..autograd import no_grad
from . import training_utils
from .training_utils import metric_value as _metric_value


_LOGS_ONLY_HOOKS = {"on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                    "on_predict_begin", "on_predict_end"}


def as_callbacks(callbacks):
    """``callbacks=`` of fit / evaluate / predict as a list: None, one callback (tf_keras 2
    takes ``callbacks=es`` as ``[es]``) or a list / tuple, nested ones flattened (tf.nest)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        return [callbacks]
    return [cb for c in callbacks for cb in as_callbacks(c)]


class CallbackList:
    """Calls every callback's hook in order (Keras 2's CallbackList)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = as_callbacks(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        n = 1 if hook in _LOGS_ONLY_HOOKS else 2
        callbacks = self.callbacks  # not self: call is stored on self (no reference cycle)

        def call(*args):
            # Keras 2 hands every hook a logs dict ({} when there is nothing to report), never None
            args = tuple(args) + (None,) * (n - len(args))
            if args[n - 1] is None:
                args = args[:n - 1] + ({},) + args[n:]
            for cb in callbacks:
                getattr(cb, hook)(*args)
        self.__dict__[hook] = call  # made once per hook, not on every batch
        return call


def _batch_hooks(callbacks, which):
    """The bound hooks to call at each training batch's ``which`` ('begin' / 'end'), resolved
    once per fit: tf.keras 2 calls ``on_train_batch_<which>``, whose Callback default calls
    ``on_batch_<which>`` (so overriding either works); a callback that overrides neither (in
    its class or, as LambdaCallback does, on the instance) is skipped instead of calling the
    base's two no-ops on every step. A duck-typed callback (no Callback base) gets whichever
    of the two it has."""
    tf_name, k2_name = "on_train_batch_" + which, "on_batch_" + which
    base_tf, base_k2 = getattr(_cb.Callback, tf_name), getattr(_cb.Callback, k2_name)
    out = []
    for cb in callbacks:
        if isinstance(cb, _cb.Callback):
            own = vars(cb) if hasattr(cb, "__dict__") else {}
            if tf_name in own or k2_name in own or getattr(type(cb), tf_name) is not base_tf \
                    or getattr(type(cb), k2_name) is not base_k2:
                out.append(getattr(cb, tf_name))
            continue
        hook = getattr(cb, tf_name, None) or getattr(cb, k2_name, None)
        if hook is None:
            raise TypeError(f"fit: the callback {cb!r} has neither {tf_name} nor {k2_name}")
        out.append(hook)
    return out


def overriding(callbacks, hook):
    """The bound ``hook`` of each callback that overrides it (in its class or, as
    LambdaCallback does, on the instance), resolved once per loop: the test and predict loops
    call only these per batch."""
    base = getattr(_cb.Callback, hook)
    out = []
    for cb in callbacks:
        if isinstance(cb, _cb.Callback):
            if hook in getattr(cb, "__dict__", {}) or getattr(type(cb), hook) is not base:
                out.append(getattr(cb, hook))
        elif getattr(cb, hook, None) is not None:
            out.append(getattr(cb, hook))
    return out


def validate_with_callbacks(model, cbl, run):
    """fit's validation as tf_keras 2's (an evaluate with fit's callbacks): on_test_begin,
    ``run(cbl)`` (the batches, with their test-batch hooks), on_test_end with the figures."""
    cbl.on_test_begin({})
    res = run(cbl)
    cbl.on_test_end(dict(zip(model._all_metrics_names(), res)))
    return res


def _take(arrays, idx):
    if len(arrays) == 1:  # one input / target / weight: the usual model, without a comprehension
        a = arrays[0]
        return [None if a is None else a[idx] if type(a) is not np.ndarray else _host_take(a, idx)]
    return [None if a is None else a[idx] if type(a) is not np.ndarray else _host_take(a, idx)
            for a in arrays]


def _host_take(a, idx):
    """A batch of an array left on the host (strings: _device.to_device) by device indices."""
    return a[_device.to_host(idx)]


class StepsProgbarLogger(_cb.ProgbarLogger):
    """The progress bar of fit: it counts steps, as tf_keras 2's fit does (its
    ProgbarLogger(count_mode='steps'): "8/8 [====] - 0s 3ms/step - loss: ..."; Keras 2.2 counted
    samples for arrays); the values shown are the epoch's running means."""

    _loop_bar = True  # the loop's own (See Note [a program's ProgbarLogger])

    def __init__(self, **kwargs):
        super().__init__(count_mode="steps", **kwargs)


# Note [callback params and logs]: the callbacks see what tf_keras 2.21's fit passes them:
# params {'verbose', 'epochs', 'steps'} ('steps': the batches of an epoch); no logs at a batch's
# begin, the loss and metrics at its end (Keras 2.2's 'batch' and 'size' are gone, so a
# hand-driven BaseLogger, which sums by 'size' over params['metrics'], adds nothing, as in
# tf_keras); the epoch's values and the validation's at an epoch's end, and the last epoch's
# at the end of training. evaluate's and predict's params are {'verbose', 'epochs': 1, 'steps'}.
# The progress bar weighs the batch values by the batch sizes the loop leaves on the model (Note
# [progress bar means]).
def run_epochs(model, epoch_batches, epochs, verbose, callbacks, validate, initial_epoch,
               validation_freq, params, plan=None, on_epoch_end=None):
    """The training loop shared by arrays and generators (training_generator.py).
    ``epoch_batches(epoch)`` yields (xs, ys, sws) per step, already on the model's device;
    ``validate(cbl)`` returns the values of metrics_names on the validation data, running the
    test hooks of ``cbl`` (fit's CallbackList) as tf_keras 2's fit does (None: no validation);
    ``params``: the callbacks' params ('steps' set: the progress bar counts steps)."""
    on_device = _device.device_module() is not np
    # A thread or notebook cell may run with NumPy's default allocator (Note [allocator context])
    _dispatch.enable_alloc_cache(over_default_only=True)
    names = model._names_in_use()
    history = _cb.History()
    # Keras 2 order: History after the user's callbacks, which may edit the logs it records
    cbs = as_callbacks(callbacks) + [history]
    stateful = model.__dict__.get("_stateful") or {}  # See Note [metric classes in fit]
    if verbose and _cb_progbar.program_logger(cbs) is None:
        cbs.append(StepsProgbarLogger(verbose=verbose, stateful_metrics=stateful))
    if plan is not None:
        cbs = plan.callbacks(cbs)
    # See Note [callback params and logs]
    cbl = CallbackList(cbs, model, dict(verbose=verbose, epochs=epochs, **params))
    model.stop_training = False
    params_w = model._compiled_params()
    loss_names = names[1:1 + sum(1 for sp in model._out_specs if sp.loss_fn is not None)] \
        if len(model._out_specs) > 1 else []
    cbl.on_train_begin()
    # a BackupAndRestore callback may resume an interrupted fit (callbacks_backup.py)
    initial_epoch, skip = resume_counters(model, initial_epoch)
    begin_hooks, end_hooks = (_batch_hooks(cbl.callbacks, w) for w in ("begin", "end"))
    epoch_logs = None
    for epoch in range(initial_epoch, epochs):
        cbl.on_epoch_begin(epoch)
        model.reset_metrics()
        sums, counts, seen = {}, {}, 0
        for bi, (xb, yb, wb) in enumerate(epoch_batches(epoch)):
            if bi < skip:  # the batches of a resumed epoch done before the backup
                continue
            m = xb[0].shape[0]
            if begin_hooks:
                begin_logs = {}
                for hook in begin_hooks:
                    hook(bi, begin_logs)
            loss, parts, outs, mets = model._train_batch(xb, yb, params_w, wb, metrics=True)
            logs = {"loss": loss}
            if loss_names:
                logs.update(zip(loss_names, parts))
            wsums = model.__dict__.get("_metric_weight_sums") or {}
            added = model._added_metric_values()  # Layer.add_metric values
            if added:
                mets.update({k: v for k, (v, _) in added.items()})
                wsums = dict(wsums, **{k: c for k, (_, c) in added.items()})
                known = model.__dict__.get("_added_metric_names") or []
                model.__dict__["_added_metric_names"] = known + [k for k in added
                                                                 if k not in known]
            model.__dict__["_batch_log_weights"] = wsums  # the progress bar's: See Note
            model.__dict__["_batch_log_size"] = m  # [progress bar means] (callbacks_progbar.py)
            if not on_device:
                logs.update(mets)
            for k, v in (logs.items() if not on_device else
                         list(logs.items()) + list(mets.items())):
                if k in stateful:  # its epoch value is result() at the end
                    sums[k], counts[k] = 0.0, 1.0
                else:
                    c = wsums.get(k, m)  # See Note [weighted metrics] (training_utils.py)
                    sums[k] = sums.get(k, 0.0) + v * c  # device metrics: summed on the device
                    counts[k] = counts.get(k, 0.0) + c
            seen += m
            if on_device and end_hooks and mets:  # Keras 2's batch logs hold every metric: one
                logs.update(_device.values_to_host(mets))  # copy, made only for a reader
            for hook in end_hooks:
                hook(bi, logs)
            if not math.isfinite(loss):
                msg = (f"Batch {bi}: Invalid loss ({loss}), terminating training (NaN/inf loss; "
                       "check the inputs, the learning rate, or add gradient clipping)")
                print(msg, file=sys.stderr)
                warnings.warn(msg, RuntimeWarning, stacklevel=4)
                model.stop_training = True
            if model.stop_training:
                break
        skip = 0
        if seen == 0 and model.stop_training:  # a generator ran out of data: no epoch to log
            break
        epoch_logs = {k: float(v / counts[k]) if counts[k] else 0.0 for k, v in sums.items()}
        model._keep_running_state(sums, counts, stateful)
        for k, obj in list(stateful.items()) + list(model._added_metric_objects().items()):
            if k in epoch_logs:
                epoch_logs[k] = _metric_value(obj.result())
        if on_epoch_end is not None:
            on_epoch_end()
        if validate is not None and training_utils.should_run_validation(validation_freq, epoch) \
                and not (model.stop_training and not math.isfinite(epoch_logs.get("loss", 0))):
            val = validate(cbl)  # (its names: add_metric ones it found too)
            epoch_logs.update({"val_" + k: v for k, v in zip(model._all_metrics_names(), val)})
        cbl.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    finalize_optimizer(model, epochs)
    cbl.on_train_end(epoch_logs)  # the last epoch's logs, as tf_keras 2 passes them
    return history


def finalize_optimizer(model, epochs):
    """tf_keras 2's end of fit: the optimizer's final say on the weights (use_ema's averages,
    Note [weights' moving average] in optimizers)."""
    opt = getattr(model, "optimizer", None)
    if epochs > 0 and getattr(opt, "use_ema", False):
        opt.finalize_variable_values(model.trainable_weights)


def fit_loop(model, xs, ys, batch_size, epochs, verbose, callbacks, val, shuffle, initial_epoch,
             distributed=False, sws=None, steps_per_epoch=None, validation_steps=None,
             validation_freq=1, validate=None, validation_batch_size=None):
    """Train ``model`` on input arrays ``xs`` and targets ``ys`` (one per output, None where an
    output has no loss) weighted by ``sws`` (like ys); returns the History. ``val``: arrays
    (x, y[, sample_weight]) to validate on, or ``validate`` a function doing it.
    ``shuffle``: True, False or 'batch' (Keras 2: shuffle batch-sized chunks).
    ``validation_batch_size``: the validation batches' size (default ``batch_size``).
    ``steps_per_epoch``: train on the first that many batches of each epoch's order.
    ``distributed``: ``batch_size`` is the global batch, each rank trains on its share
    (tensorforge.distributed's sampler and callbacks)."""
    xp = _device.device_module()
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]
    ys = [_device.to_device(a, xp) for a in ys]
    sws = [None] * len(ys) if sws is None else [_device.to_device(a, xp) for a in sws]
    if val is not None:
        vx = [_device.to_device(a, xp) for a in val[0]]
        vy = [_device.to_device(a, xp) for a in val[1]]
        vw = [_device.to_device(a, xp) for a in val[2]] if len(val) > 2 and val[2] else None

        def validate(cbl):
            return validate_with_callbacks(model, cbl, lambda c: test_loop(
                model, vx, vy, batch_size=validation_batch_size or batch_size, verbose=0,
                distributed=distributed, sws=vw, steps=validation_steps, cbl=c))
    n = xs[0].shape[0]
    plan = None
    if distributed:  # this rank's share of each global batch; rank 0 prints and writes
        if steps_per_epoch is not None or shuffle == "batch":
            raise ValueError("fit(distributed=True): steps_per_epoch and shuffle='batch' are not "
                             "supported with distributed training")
        from ..distributed._fit import FitPlan
        plan = FitPlan(model, n, batch_size, shuffle)
    n_batches = -(-n // batch_size)
    if steps_per_epoch is not None:
        steps_per_epoch = int(steps_per_epoch)
        if steps_per_epoch < 1:
            raise ValueError(f"fit: steps_per_epoch must be >= 1, got {steps_per_epoch}")
        if steps_per_epoch > n_batches:
            warnings.warn(f"fit: steps_per_epoch={steps_per_epoch} is more than the {n_batches} "
                          f"batches of {n} samples (batch_size={batch_size}); each epoch runs "
                          f"{n_batches} steps", RuntimeWarning, stacklevel=3)
            steps_per_epoch = n_batches
    rng = _random.rng()

    def epoch_batches(epoch):
        if plan is not None:
            batches = plan.epoch_batches(epoch, xp)
        else:
            if shuffle == "batch":
                order = training_utils.batch_shuffle(np.arange(n), batch_size, rng)
            else:
                order = rng.permutation(n) if shuffle else None
            if order is not None:
                order = _device.to_device(order, xp)  # one small copy per epoch
            starts = range(0, n if steps_per_epoch is None else steps_per_epoch * batch_size,
                           batch_size)
            batches = (slice(s, s + batch_size) if order is None else order[s:s + batch_size]
                       for s in starts)
        for idx in batches:
            yield _take(xs, idx), _take(ys, idx), _take(sws, idx)

    return run_epochs(model, epoch_batches, epochs, verbose, callbacks, validate, initial_epoch,
                      validation_freq, {"steps": steps_per_epoch or n_batches}, plan=plan)


def loop_params(verbose, steps, xs, batch_size):
    """The callbacks' params of evaluate / predict on arrays (tf_keras 2's: one epoch of
    ``steps`` batches; See Note [callback params and logs])."""
    if steps is None:
        steps = -(-xs[0].shape[0] // batch_size) if xs else 0
    return {"verbose": verbose, "epochs": 1, "steps": steps}


def test_loop(model, xs, ys, batch_size, verbose=0, distributed=False, sws=None, steps=None,
              cbl=None):
    """The batch-size-weighted means of metrics_names' values over the arrays (``distributed``:
    each rank evaluates its share of the rows, every rank returns the global means). ``sws``:
    per-output sample weights; ``steps``: evaluate only the first that many batches; ``cbl``:
    the CallbackList whose test-batch hooks run (the running figures as their logs)."""
    n_all = xs[0].shape[0] if steps is None else min(xs[0].shape[0], int(steps) * batch_size)
    if distributed:
        from ..distributed import _fit as _dist
        xs = [_dist.shard(a) for a in xs]
        ys = [None if a is None else _dist.shard(a) for a in ys]
        sws = None if sws is None else [None if a is None else _dist.shard(a) for a in sws]
    xp = _device.device_module()
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]
    ys = [_device.to_device(a, xp) for a in ys]
    sws = [None] * len(ys) if sws is None else [_device.to_device(a, xp) for a in sws]
    n = xs[0].shape[0]
    if steps is not None:
        n = min(n, int(steps) * batch_size)
    t0 = time.time()
    acc = MetricSums(model)
    cbs = cbl.callbacks if cbl is not None else ()
    begin, end = overriding(cbs, "on_test_batch_begin"), overriding(cbs, "on_test_batch_end")
    for i, start in enumerate(range(0, n, batch_size)):
        for h in begin:
            h(i, {})
        idx = slice(start, min(start + batch_size, n))
        acc.add(model, _take(xs, idx), _take(ys, idx), _take(sws, idx))
        if end:
            logs = acc.running()
            for h in end:
                h(i, logs)
    if distributed:  # stateful metrics from their state summed over the ranks
        from ..distributed.metrics import evaluate_over_ranks
        res = evaluate_over_ranks(acc)
        verbose = verbose if _dist.is_root() else 0
    else:
        res = acc.means()
    if verbose in (1, 2):  # tf_keras 2's bar and line count steps (Keras 2.2's bar, samples)
        bar = _cb.Progbar(-(-n_all // batch_size), verbose=verbose, unit="step")
        bar.start = t0
        bar.set_values(dict(zip(acc.names, res)))
        bar.update(bar.target, finalize=True)
    return res


class MetricSums:
    """Batch-size-weighted sums of metrics_names' values over test batches (Keras 2's
    evaluate); shared by test_loop and evaluate_generator."""

    def __init__(self, model):
        model.__dict__["_added_metric_names"] = []  # found again by this run's batches
        self.names = model._names_in_use()
        self.added = {}  # Layer.add_metric name -> Metric object, or None (a mean of values)
        self.n_loss = 1 + (sum(1 for sp in model._out_specs if sp.loss_fn is not None)
                           if len(model._out_specs) > 1 else 0)
        self.sums, self.counts, self.seen = {}, {}, 0
        self.stateful = model.__dict__.get("_stateful") or {}
        self.model = model
        model.reset_metrics()  # Keras 2's evaluate starts every metric afresh

    def add(self, model, xb, yb, wb):
        loss, parts, outs = model._test_batch(xb, yb, wb)
        vals = dict(zip(self.names[:self.n_loss], [loss] + parts))
        with no_grad():
            vals.update(model._batch_metrics(yb, outs, wb))
        m = xb[0].shape[0]
        added = model._added_metric_values()  # Layer.add_metric values (Keras 2 evaluates them)
        wsums = model.__dict__.get("_metric_weight_sums") or {}
        if added:
            objs = model._added_metric_objects()
            wsums = dict(wsums)
            for k, (v, c) in added.items():
                if k not in vals:
                    self.added.setdefault(k, objs.get(k))
                    vals[k], wsums[k] = v, c
        for k, v in vals.items():
            if k in self.stateful or self.added.get(k) is not None:
                continue  # read from the object in means()
            c = wsums.get(k, m)  # See Note [weighted metrics] (training_utils.py)
            self.sums[k] = self.sums.get(k, 0.0) + v * c
            self.counts[k] = self.counts.get(k, 0.0) + c
        self.seen += m

    def running(self):
        """The figures so far (a test-batch hook's logs, as tf_keras 2's running results)."""
        out = {}
        for k in self.names:
            if k in self.stateful:
                out[k] = _metric_value(self.stateful[k].result())
            elif self.counts.get(k):
                out[k] = float(self.sums[k] / self.counts[k])
        return out

    def means(self):
        model = self.model
        model._keep_running_state(self.sums, self.counts, self.stateful)
        objs = dict(self.stateful, **{k: o for k, o in self.added.items() if o is not None})
        self.names = self.names + list(self.added)
        model.__dict__["_added_metric_names"] = list(self.added)
        return [_metric_value(objs[k].result()) if k in objs else
                float(self.sums[k] / self.counts[k]) if self.counts.get(k) else 0.0
                for k in self.names]



def predict_loop(model, xs, batch_size, steps=None, cbl=None):
    """The model's outputs (a list of NumPy arrays, one per output) for the input arrays
    (``steps``: only the first that many batches; ``cbl``: the CallbackList whose
    predict-batch hooks run, the batch's outputs as their logs)."""
    xp = _device.device_module()
    _device.place_model(model, xp)
    xs = [_device.to_device(a, xp) for a in xs]  # See Note [data on the device]
    n = xs[0].shape[0]
    if steps is not None:
        n = min(n, int(steps) * batch_size)
    chunks = None
    cbs = cbl.callbacks if cbl is not None else ()
    begin, end = overriding(cbs, "on_predict_batch_begin"), overriding(cbs, "on_predict_batch_end")
    with no_grad():
        for i, start in enumerate(range(0, n, batch_size)):
            for h in begin:
                h(i, {})
            outs = model._forward([a[start:min(start + batch_size, n)] for a in xs], False)
            outs = [raw(o) for o in outs]
            if chunks is None:
                chunks = [[] for _ in outs]
            for c, o in zip(chunks, outs):
                c.append(o)
            if end:
                host = [_device.to_host(o) for o in outs]
                logs = {"outputs": host[0] if len(host) == 1 else host}
                for h in end:
                    h(i, logs)
    # Keras returns NumPy: one copy per output (an output computed on the host, e.g. by a
    # string or lookup layer, is already there)
    return [_device.to_host(c[0]) if len(c) == 1 else
            _device.to_host(xp.concatenate(c, axis=0)) if all(map(_device.is_device_array, c)) else
            np.concatenate([_device.to_host(o) for o in c], axis=0) for c in chunks]
