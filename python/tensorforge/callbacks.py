"""Keras callbacks: History, BaseLogger, EarlyStopping, ModelCheckpoint, TerminateOnNaN,
LambdaCallback, LearningRateScheduler, ReduceLROnPlateau, CSVLogger, TensorBoard; Callback and
CallbackList (what a training loop drives) live in callbacks_base.py, the progress bar
(ProgbarLogger / Progbar) in callbacks_progbar.py, BackupAndRestore in callbacks_backup.py,
RemoteMonitor in callbacks_remote.py, all reached from here.

Hooks are Keras 2's: on_{train,epoch,batch}_{begin,end}, the tf.keras 2 spellings
on_train_batch_*, on_test_*/on_predict_* (no-ops by default). A callback stops training by
setting ``self.model.stop_training = True``; the loop checks it after each batch and epoch.
``logs`` keys are tf_keras 2's: per batch 'loss' and the metric names as compiled ('acc' or
'accuracy' as given), without Keras 2.2's 'batch' and 'size' (Note [callback params and logs] in
engine/training_arrays.py); per epoch the epoch means plus 'val_'-prefixed validation values;
ReduceLROnPlateau and LearningRateScheduler add 'lr' (read by callbacks after them, and by History
when it runs last, as Keras 2 orders it).

Progress bar (tf_keras 2 style, counting steps; callbacks_progbar.py): on verbose=1 it is redrawn
in place with '\\r' when stdout is a terminal, and written once per epoch (the finished bar)
otherwise; verbose=2 writes one summary line per epoch; verbose=0 prints nothing.
"""
import csv
import math
import os
import sys
import types
import warnings

import numpy as np

from . import _io_utils
from .callbacks_backup import BackupAndRestore
from .callbacks_base import Callback, CallbackList
from .callbacks_progbar import Progbar, ProgbarLogger  # noqa: F401
from .callbacks_remote import RemoteMonitor
from .metrics import legacy_names as _legacy_names

# tf.keras 2.6-2.7's name: keras.callbacks.experimental.BackupAndRestore
experimental = types.SimpleNamespace(BackupAndRestore=BackupAndRestore)

__all__ = ["Callback", "CallbackList", "History", "BaseLogger", "EarlyStopping",
           "ModelCheckpoint", "TerminateOnNaN", "LambdaCallback", "LearningRateScheduler",
           "ReduceLROnPlateau", "CSVLogger", "TensorBoard", "ProgbarLogger", "Progbar",
           "BackupAndRestore", "RemoteMonitor", "experimental"]


class BaseLogger(Callback):
    """Accumulates the size-weighted epoch means of the batch metrics in ``params['metrics']``
    and writes them into the epoch logs (Keras 2 adds it to every fit); metrics named in
    ``stateful_metrics`` keep their last batch value."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size * logs.get("num_steps", 1)
        for k, v in logs.items():
            if k in self.stateful_metrics:
                self.totals[k] = v
            else:
                self.totals[k] = self.totals.get(k, 0) + v * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for k in self.params.get("metrics", []):
            if k in self.totals:
                logs[k] = self.totals[k] if k in self.stateful_metrics else self.totals[k] / self.seen


class History(Callback):
    """``model.fit`` returns this; ``.history`` maps each metric name to its per-epoch values."""

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = _legacy_names.LegacyNamesDict()  # Note [legacy metric names]

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class TerminateOnNaN(Callback):
    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            _io_utils.print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _mode_op(mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure"))):
        return np.greater, -np.inf
    return np.less, np.inf


class EarlyStopping(Callback):
    """tf_keras 2's EarlyStopping (Note [early stopping as tf_keras 2.21]): the best weights
    are kept from the first monitored epoch on and, with ``restore_best_weights``, put back when
    training ends -- stopped early or not (Keras 2.2 restored them only on an early stop)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.start_from_epoch = int(start_from_epoch)
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.monitor_op, _ = _mode_op(mode, monitor)
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        return self.monitor_op(value - self.min_delta, reference)

    def on_epoch_end(self, epoch, logs=None):
        current = _legacy_names.get(logs or {}, self.monitor)
        if epoch < self.start_from_epoch:  # tf.keras: warm-up epochs are not monitored
            return
        if current is None:
            print(f"EarlyStopping: monitored quantity {self.monitor!r} is not available; available: "
                  f"{', '.join(logs or {})}", file=sys.stderr)
            return
        if self.restore_best_weights and self.best_weights is None:
            # the first monitored epoch's weights, should no later epoch improve on them
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # the wait restarts only when both the baseline and the previous best are beaten
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _io_utils.print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _io_utils.print_msg("Restoring model weights from the end of the best epoch: "
                                    f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


# Note [early stopping as tf_keras 2.21]
# Keras 2.2 restored the best weights only when it stopped training early, so a capped or
# short run kept its last epoch's weights. tf_keras (TF 2.11 on) keeps the first monitored
# epoch's weights as the best until one improves on them, counts the wait before comparing, and
# restores the best weights at the end of training whenever restore_best_weights is set: the
# keras-io GNN example's EarlyStopping(patience=50, restore_best_weights=True) over a 5-epoch
# capped fit evaluates the best epoch's model on both sides only with this rule.


class ModelCheckpoint(Callback):
    """Save the model (or weights) after each epoch; ``filepath`` may contain format fields
    such as ``{epoch:02d}`` and ``{val_loss:.2f}``. Files are written atomically."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", period=1, save_freq="epoch", options=None,
                 initial_value_threshold=None):
        super().__init__()
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op, self.best = _mode_op(mode, monitor)
        if initial_value_threshold is not None:  # tf.keras: only save once better than this
            self.best = float(initial_value_threshold)
        self.period = int(period)
        self._since = 0
        # save_freq: "epoch", or an int -- save every that many batches, counted across epochs
        # (Keras 2's _should_save_on_batch)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, (int, np.integer))):
            raise ValueError(f'Unrecognized save_freq: {save_freq}. Expected save_freq are '
                             f'"epoch" or integer')
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        self._epoch, self._last_batch, self._batches_since = 0, -1, 0

    def on_train_begin(self, logs=None):
        self._last_batch, self._batches_since = -1, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # a batch index not above the last one seen starts a new epoch (indices are 0-based)
        add = batch + 1 if batch <= self._last_batch else batch - self._last_batch
        self._batches_since += add
        self._last_batch = batch
        if self._batches_since >= self.save_freq:
            self._batches_since = 0
            logs = logs or {}
            path = (self._path(logs, epoch=self._epoch + 1) if "batch" in logs else
                    self._path(logs, epoch=self._epoch + 1, batch=batch + 1))
            self._save(path, self._epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq != "epoch":
            return
        logs = logs or {}
        self._since += 1
        if self._since < self.period:
            return
        self._since = 0
        self._save(self._path(logs, epoch=epoch + 1), epoch, logs)

    def _path(self, logs, **fields):
        """The file path for these logs; Keras 2.2 names ({val_acc}) answer too."""
        return self.filepath.format_map(_legacy_names.LegacyNamesDict(logs, **fields))

    def _save(self, path, epoch, logs):
        if self.save_best_only:
            current = _legacy_names.get(logs, self.monitor)
            if current is None:
                print(f"ModelCheckpoint: can save best model only with {self.monitor} available, "
                      "skipping", file=sys.stderr)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    _io_utils.print_msg(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve "
                                        f"from {self.best:.5f}")
                return
            if self.verbose > 0:
                _io_utils.print_msg(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from "
                                    f"{self.best:.5f} to {current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            _io_utils.print_msg(f"\nEpoch {epoch + 1:05d}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LambdaCallback(Callback):
    """A callback from plain functions: on_epoch_begin/end(epoch, logs), on_batch_begin/end(batch,
    logs), on_train_begin/end(logs), and (tf.keras 2) any other hook by keyword."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end, **kwargs)
        for name, fn in hooks.items():
            if not (name.startswith("on_") and hasattr(Callback, name)):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            if fn is not None:
                setattr(self, name, fn)
        if on_train_begin is not None:
            self.on_train_begin = lambda logs=None: on_train_begin(logs)
        if on_train_end is not None:
            self.on_train_end = lambda logs=None: on_train_end(logs)


def _get_lr(cb, opt):
    from .optimizers.schedules import LearningRateSchedule
    if opt is None or not hasattr(opt, "learning_rate"):
        raise ValueError(f"{cb}: the model's optimizer must have a learning_rate (compile first)")
    if isinstance(opt.learning_rate, LearningRateSchedule):
        raise TypeError(f"{cb}: the optimizer's learning rate is a schedule "
                        f"({type(opt.learning_rate).__name__}); {cb} needs a number")
    return float(opt.learning_rate)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch to ``schedule(epoch, lr)``
    (or ``schedule(epoch)``, the Keras 2.0 form)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        lr = _get_lr("LearningRateScheduler", opt)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
            raise ValueError(f"LearningRateScheduler: the schedule must return a number, got "
                             f"{type(lr).__name__} {lr!r}")
        opt.learning_rate = float(lr)
        if self.verbose > 0:
            _io_utils.print_msg(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler setting learning "
                                f"rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = _get_lr("LearningRateScheduler", self.model.optimizer)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by more than
    ``min_delta`` for ``patience`` epochs; then wait ``cooldown`` epochs; never below ``min_lr``
    (Keras 2)."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("ReduceLROnPlateau: `epsilon` is deprecated, use `min_delta` instead.")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected arguments {sorted(kwargs)}")
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1.0, got {factor}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got {mode!r}")
        for name, v in (("patience", patience), ("cooldown", cooldown), ("min_lr", min_lr),
                        ("min_delta", min_delta)):
            if v < 0:
                raise ValueError(f"ReduceLROnPlateau: {name} must be >= 0, got {v}")
        self.monitor, self.factor, self.patience = monitor, float(factor), int(patience)
        self.verbose, self.mode, self.min_delta = verbose, mode, float(min_delta)
        self.cooldown, self.min_lr = int(cooldown), float(min_lr)
        self._reset()

    def _reset(self):
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        opt = self.model.optimizer
        logs["lr"] = _get_lr("ReduceLROnPlateau", opt)
        current = _legacy_names.get(logs, self.monitor)
        if current is None:
            warnings.warn(f"ReduceLROnPlateau: learning rate reduction is conditioned on "
                          f"{self.monitor!r}, which is not available; available metrics: "
                          f"{', '.join(k for k in logs if k != 'lr')}", RuntimeWarning)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _get_lr("ReduceLROnPlateau", opt)
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    opt.learning_rate = new_lr
                    if self.verbose > 0:
                        _io_utils.print_msg(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing "
                                            f"learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class CSVLogger(Callback):
    """Writes 'epoch' and the sorted epoch log keys to a CSV file, one row per epoch (Keras 2:
    with ``append`` the header is written only when the file is new or empty)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self._f = None

    def on_train_begin(self, logs=None):
        self._header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as f:
                self._header = not f.readline()
        self._f = open(self.filename, "a" if self.append else "w", newline="")
        self._w = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._w is None:
            self._keys = sorted(logs)
            self._w = csv.writer(self._f, delimiter=self.sep)
            if self._header:
                self._w.writerow(["epoch"] + self._keys)
        self._w.writerow([epoch] + [logs.get(k, "NA") for k in self._keys])
        self._f.flush()

    def on_train_end(self, logs=None):
        if self._f is not None:
            self._f.close()
            self._f = None


class TensorBoard(Callback):
    """Writes TensorBoard event files: epoch scalars (tf.keras 2 layout: ``log_dir/train`` and
    ``log_dir/validation``, tags 'epoch_<name>'), batch scalars ('batch_<name>') when
    ``update_freq`` is 'batch' or an integer, and weight histograms ('<layer>/<weight>') every
    ``histogram_freq`` epochs. Needs tensorboardX (``pip install tensorboardX``, or
    ``tensorforge[tensorboard]``); the graph, images, embeddings and profiling of tf.keras are
    not written (their arguments are accepted)."""

    def __init__(self, log_dir="logs", histogram_freq=0, batch_size=None, write_graph=True,
                 write_grads=False, write_images=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, write_steps_per_second=False, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"TensorBoard: unexpected arguments {sorted(kwargs)}")
        if update_freq not in ("epoch", "batch") and not (
                isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"integer, got {update_freq!r}")
        if histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be >= 0, got {histogram_freq}")
        skipped = [n for n, v in (("write_images", write_images), ("write_grads", write_grads),
                                  ("profile_batch", profile_batch),
                                  ("embeddings_freq", embeddings_freq),
                                  ("write_steps_per_second", write_steps_per_second)) if v]
        if skipped:  # said, not silently dropped
            warnings.warn(f"TensorBoard: {', '.join(skipped)} asked for, but tensorforge writes "
                          "only scalars and weight histograms; not written", stacklevel=2)
        self._writer_cls = _summary_writer_class()
        self.log_dir, self.histogram_freq = os.fspath(log_dir), int(histogram_freq)
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._step = 0

    def _writer(self, kind):
        if kind not in self._writers:
            self._writers[kind] = self._writer_cls(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def on_train_begin(self, logs=None):
        self._step = 0
        self._writer("train")  # made now, as Keras 2's: log_dir/train exists from the start

    def on_batch_end(self, batch, logs=None):
        self._step += 1
        if self.update_freq == "epoch" or self._step % self.update_freq:
            return
        w = self._writer("train")
        for k, v in (logs or {}).items():
            if k not in ("batch", "size", "num_steps"):
                w.add_scalar(f"batch_{k}", float(v), self._step)

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            kind, name = ("validation", k[4:]) if k.startswith("val_") else ("train", k)
            self._writer(kind).add_scalar(f"epoch_{name}", float(v), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            w = self._writer("train")
            for layer in getattr(self.model, "layers", []):
                for i, t in enumerate(getattr(layer, "weights", [])):
                    name = (getattr(t, "name", None) or f"weight_{i}").replace(":", "_")
                    if not name.startswith(layer.name + "/"):
                        name = f"{layer.name}/{name}"
                    w.add_histogram(name, np.asarray(t.numpy() if hasattr(t, "numpy") else t),
                                    epoch)
        for w in self._writers.values():
            w.flush()

    def on_train_end(self, logs=None):
        for w in self._writers.values():
            w.close()
        self._writers = {}


def _summary_writer_class():
    """tensorboardX's SummaryWriter (add_scalar / add_histogram / flush / close)."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError("TensorBoard callback needs tensorboardX to write event files: pip "
                          "install tensorboardX (or 'tensorforge[tensorboard]')") from None
    return SummaryWriter
