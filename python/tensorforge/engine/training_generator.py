"""The loops over Python generators and ``utils.Sequence`` objects (Keras 2's
keras/engine/training_generator.py): ``fit_generator``, ``evaluate_generator``,
``predict_generator``; ``Model.fit/evaluate/predict`` come here when x is a generator or a
Sequence.

A generator yields ``(x, y)`` or ``(x, y, sample_weight)`` tuples (x, y: arrays, lists or dicts
of arrays for several inputs / outputs), forever or for at least steps_per_epoch x epochs
batches; a Sequence gives batch ``i`` as ``seq[i]`` for ``i < len(seq)``, its order shuffled
each epoch when ``shuffle=True``, and ``seq.on_epoch_end()`` is called after each epoch.
``workers`` / ``use_multiprocessing`` / ``max_queue_size`` are accepted for Keras 2 compatibility;
batches are produced in the calling thread, in order (the steps run on native kernels that use
every core already).
"""
import inspect
import time
import warnings

import numpy as np

from .. import _device
from .. import callbacks_progbar as _cb_progbar
from .. import _random
from . import training_arrays, training_utils


def is_sequence(x):
    from ..utils.data_utils import Sequence
    return isinstance(x, Sequence) or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and hasattr(x, "on_epoch_end")
        and not hasattr(x, "shape"))


def is_generator_like(x):
    """A generator, an iterator, or a Sequence (not an array, list, tuple or dict)."""
    if x is None or isinstance(x, (list, tuple, dict, str)) or hasattr(x, "shape"):
        return False
    return is_sequence(x) or inspect.isgenerator(x) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__"))


def _steps(x, steps, what, where):
    if steps is not None:
        steps = int(steps)
        if steps < 1:
            raise ValueError(f"{where}: {what} must be >= 1, got {steps}")
        return steps
    if is_sequence(x):
        n = len(x)
        if n < 1:
            raise ValueError(f"{where}: the Sequence is empty (len() == 0)")
        return n
    raise ValueError(f"{where}: {what} is required when the data is a generator (a generator "
                     f"has no length): pass {what}=<batches per epoch>")


class _Batches:
    """An endless stream of batches from a generator or a Sequence."""

    def __init__(self, data, shuffle, where):
        self.data, self.where = data, where
        self.seq = is_sequence(data)
        self.shuffle = bool(shuffle) and self.seq
        self._order, self._pos = None, 0
        self._it = None if self.seq else iter(data)

    def next(self):
        if not self.seq:
            try:
                return next(self._it)
            except StopIteration:
                return None
        if self._order is None or self._pos >= len(self._order):
            n = len(self.data)
            self._order = _random.rng().permutation(n) if self.shuffle else np.arange(n)
            self._pos = 0
        i = int(self._order[self._pos])
        self._pos += 1
        return self.data[i]

    def epoch_end(self):
        """Sequence: a new order and on_epoch_end(), as Keras 2 does after each epoch."""
        if self.seq:
            self._order = None
            self.data.on_epoch_end()


def _unpack(batch, where, need_y=True):
    # Keras 2 takes a list of 2 or 3 items as (x, y[, w]) too; to predict, only a tuple
    if (isinstance(batch, tuple) or need_y and isinstance(batch, list)) and len(batch) in (2, 3):
        return tuple(batch) if len(batch) == 3 else (batch[0], batch[1], None)
    if not need_y:
        return batch[0] if isinstance(batch, tuple) and len(batch) == 1 else batch, None, None
    raise ValueError(f"{where}: output of generator should be a tuple (x, y) or (x, y, "
                     f"sample_weight), found: {_describe(batch)}")


def _describe(batch):
    if isinstance(batch, tuple):
        return f"a tuple of {len(batch)} items"
    return type(batch).__name__ + (f" of shape {batch.shape}" if hasattr(batch, "shape") else "")


def _standardize(model, batch, class_weight, where, xp):
    x, y, sw = _unpack(batch, where)
    xs = model._standardize_x(x, where)
    ys = model._standardize_y(y, xs[0].shape[0], where)
    sws = training_utils.standardize_weights(model, ys, sw, class_weight, where)
    to = _device.to_device
    return [to(a, xp) for a in xs], [to(a, xp) for a in ys], [to(a, xp) for a in sws]


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, validation_freq=1,
                  class_weight=None, shuffle=True, initial_epoch=0):
    where = "fit_generator"
    steps = _steps(generator, steps_per_epoch, "steps_per_epoch", where)
    xp = _device.device_module()
    _device.place_model(model, xp)
    src = _Batches(generator, shuffle, where)
    validate = _validator(model, validation_data, validation_steps, where)
    state = {"exhausted": False}

    def epoch_batches(epoch):
        for _ in range(steps):
            batch = src.next()
            if batch is None:
                if not state["exhausted"]:
                    warnings.warn(f"{where}: the generator ran out of data after fewer than "
                                  f"steps_per_epoch x epochs = {steps} x {epochs} batches; "
                                  "training stops", RuntimeWarning, stacklevel=4)
                state["exhausted"] = True
                model.stop_training = True
                return
            yield _standardize(model, batch, class_weight, where, xp)

    return training_arrays.run_epochs(
        model, epoch_batches, epochs, verbose, callbacks, validate, initial_epoch,
        validation_freq, {"steps": steps},
        on_epoch_end=src.epoch_end)


def _validator(model, validation_data, validation_steps, where):
    """A function computing the validation figures, or None."""
    if validation_data is None:
        return None
    if is_generator_like(validation_data):
        vsteps = _steps(validation_data, validation_steps, "validation_steps", where)
        vsrc = _Batches(validation_data, False, where)
        return lambda cbl: training_arrays.validate_with_callbacks(
            model, cbl, lambda c: _evaluate(model, vsrc, vsteps, where + " (validation_data)", c))
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(f"{where}: validation_data must be a generator, a Sequence, or a tuple "
                         "(x_val, y_val) or (x_val, y_val, val_sample_weights)")
    vx, vy, vw = model._standardize_arrays(validation_data, where + " (validation_data)")
    return lambda cbl: training_arrays.validate_with_callbacks(
        model, cbl, lambda c: training_arrays.test_loop(model, vx, vy, batch_size=32, verbose=0,
                                                        sws=vw, steps=validation_steps, cbl=c))


def _evaluate(model, src, steps, where, cbl=None):
    xp = _device.device_module()
    _device.place_model(model, xp)
    acc = training_arrays.MetricSums(model)
    cbs = cbl.callbacks if cbl is not None else ()
    begin = training_arrays.overriding(cbs, "on_test_batch_begin")
    end = training_arrays.overriding(cbs, "on_test_batch_end")
    for i in range(steps):
        batch = src.next()
        if batch is None:
            warnings.warn(f"{where}: the generator ran out of data before {steps} steps",
                          RuntimeWarning, stacklevel=3)
            break
        for h in begin:
            h(i, {})
        acc.add(model, *_standardize(model, batch, None, where, xp))
        if end:
            logs = acc.running()
            for h in end:
                h(i, logs)
    if acc.seen == 0:
        raise ValueError(f"{where}: the generator gave no batches")
    src.epoch_end()
    return acc.means()


def evaluate_generator(model, generator, steps=None, verbose=0, callbacks=None):
    where = "evaluate_generator"
    steps = _steps(generator, steps, "steps", where)
    t0 = time.time()
    own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
    cbl = training_arrays.CallbackList(callbacks or [], model, {"verbose": verbose, "epochs": 1,
                                                                 "steps": steps})
    cbl.on_test_begin({})
    res = _evaluate(model, _Batches(generator, False, where), steps, where, cbl)
    cbl.on_test_end(dict(zip(model._all_metrics_names(), res)))
    if verbose in (1, 2) and own is None:
        from .. import callbacks as _cb
        bar = _cb.Progbar(steps, unit="step", verbose=verbose)
        bar.start = t0
        bar.set_values(dict(zip(model._all_metrics_names(), res)))
        bar.update(steps, finalize=True)
    return res


def predict_generator(model, generator, steps=None, verbose=0, callbacks=None):
    """The outputs (a list of NumPy arrays, one per output); a batch may be x alone or a tuple
    whose first item is x. ``callbacks``: their predict hooks run (batch logs: the outputs)."""
    where = "predict_generator"
    steps = _steps(generator, steps, "steps", where)
    t0 = time.time()
    src = _Batches(generator, False, where)
    own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
    cbl = training_arrays.CallbackList(callbacks or [], model, {"verbose": verbose, "epochs": 1,
                                                                 "steps": steps})
    cbl.on_predict_begin({})
    begin = training_arrays.overriding(cbl.callbacks, "on_predict_batch_begin")
    end = training_arrays.overriding(cbl.callbacks, "on_predict_batch_end")
    chunks = None
    for i in range(steps):
        batch = src.next()
        if batch is None:
            warnings.warn(f"{where}: the generator ran out of data before {steps} steps",
                          RuntimeWarning, stacklevel=3)
            break
        x = _unpack(batch, where, need_y=False)[0]
        xs = model._standardize_x(x, where)
        for h in begin:
            h(i, {})
        outs = training_arrays.predict_loop(model, xs, batch_size=xs[0].shape[0])
        for h in end:
            h(i, {"outputs": outs[0] if len(outs) == 1 else outs})
        if chunks is None:
            chunks = [[] for _ in outs]
        for c, o in zip(chunks, outs):
            c.append(o)
    cbl.on_predict_end({})
    if chunks is None:
        raise ValueError(f"{where}: the generator gave no batches")
    if verbose in (1, 2) and own is None:
        from .. import callbacks as _cb
        bar = _cb.Progbar(steps, unit="step", verbose=verbose)
        bar.start = t0
        bar.update(steps, finalize=True)
    return [np.concatenate(c, axis=0) for c in chunks]
