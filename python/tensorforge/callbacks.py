"""Keras callbacks: History, EarlyStopping, ModelCheckpoint, TerminateOnNaN, LambdaCallback,
LearningRateScheduler, CSVLogger, and the progress bar (ProgbarLogger / Progbar).

Progress bar (Keras 2 style, counting samples): on verbose=1 it is redrawn in place with '\\r'
when stdout is a terminal, and written once per epoch (the finished bar) otherwise; verbose=2
writes one summary line per epoch; verbose=0 prints nothing.
"""
import csv
import math
import os
import sys
import time

import numpy as np

__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "TerminateOnNaN",
           "LambdaCallback", "LearningRateScheduler", "CSVLogger", "ProgbarLogger", "Progbar"]


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    on_train_batch_begin = on_batch_begin
    on_train_batch_end = on_batch_end


class History(Callback):
    """``model.fit`` returns this; ``.history`` maps each metric name to its per-epoch values."""

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class TerminateOnNaN(Callback):
    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _mode_op(mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure"))):
        return np.greater, -np.inf
    return np.less, np.inf


class EarlyStopping(Callback):
    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.monitor_op, _ = _mode_op(mode, monitor)
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self.baseline if self.baseline is not None else (
            -np.inf if self.monitor_op is np.greater else np.inf)
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            print(f"EarlyStopping: monitored quantity {self.monitor!r} is not available; available: "
                  f"{', '.join(logs or {})}", file=sys.stderr)
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class ModelCheckpoint(Callback):
    """Save the model (or weights) after each epoch; ``filepath`` may contain format fields
    such as ``{epoch:02d}`` and ``{val_loss:.2f}``. Files are written atomically."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", period=1, save_freq="epoch"):
        super().__init__()
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op, self.best = _mode_op(mode, monitor)
        self.period = int(period)
        self._since = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._since += 1
        if self._since < self.period:
            return
        self._since = 0
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                print(f"ModelCheckpoint: can save best model only with {self.monitor} available, "
                      "skipping", file=sys.stderr)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None):
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end)):
            if fn is not None:
                setattr(self, name, fn)
        if on_train_begin is not None:
            self.on_train_begin = lambda logs=None: on_train_begin(logs)
        if on_train_end is not None:
            self.on_train_end = lambda logs=None: on_train_end(logs)


class LearningRateScheduler(Callback):
    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        try:
            lr = self.schedule(epoch, opt.learning_rate)
        except TypeError:
            lr = self.schedule(epoch)
        opt.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler setting learning rate to {lr}.")


class CSVLogger(Callback):
    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append

    def on_train_begin(self, logs=None):
        self._f = open(self.filename, "a" if self.append else "w", newline="")
        self._w = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._w is None:
            self._w = csv.writer(self._f, delimiter=self.sep)
            self._keys = sorted(logs)
            self._w.writerow(["epoch"] + self._keys)
        self._w.writerow([epoch] + [logs.get(k, "NA") for k in self._keys])
        self._f.flush()

    def on_train_end(self, logs=None):
        self._f.close()


def _fmt_time(seconds):
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def _fmt_val(v):
    return f"{v:.4f}" if abs(v) > 1e-3 or v == 0 else f"{v:.4e}"


class Progbar:
    """Keras 2 progress bar: ``update(current, values)`` with values [(name, batch_mean)]."""

    def __init__(self, target, width=30, verbose=1, interval=0.05, stream=None, unit="sample"):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stream = stream or sys.stdout
        self.unit = unit
        self.dynamic = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.time()
        self._last_update = 0.0
        self._prev_len = 0
        self.values = {}

    def set_values(self, values):
        self.values = dict(values)

    def _values_str(self):
        return "".join(f" - {k}: {_fmt_val(v)}" for k, v in self.values.items())

    def update(self, current, finalize=False):
        if self.verbose != 1:
            return
        now = time.time()
        if not finalize and (not self.dynamic or now - self._last_update < self.interval):
            return
        self._last_update = now
        n = len(str(self.target))
        bar = f"{current:{n}d}/{self.target} ["
        prog = current / self.target if self.target else 1.0
        done = int(self.width * prog)
        if done > 0:
            bar += "=" * (done - 1) + (">" if current < self.target else "=")
        bar += "." * (self.width - done) + "]"
        elapsed = now - self.start
        if current < self.target:
            eta = elapsed / max(current, 1) * (self.target - current)
            info = f" - ETA: {_fmt_time(eta)}"
        else:
            per = elapsed / max(current, 1)
            per_s = f"{per * 1e6:.0f}us" if per < 1e-3 else f"{per * 1e3:.0f}ms"
            info = f" - {_fmt_time(elapsed)} {per_s}/{self.unit}"
        line = bar + info + self._values_str()
        if self.dynamic:
            pad = max(self._prev_len - len(line), 0)
            self.stream.write("\r" + line + " " * pad)
            self._prev_len = len(line)
            if finalize:
                self.stream.write("\n")
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()


class ProgbarLogger(Callback):
    """Prints Keras-style progress during fit (added by fit() when verbose > 0)."""

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        out = self.stream or sys.stdout
        out.write(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}\n")
        out.flush()
        self.bar = Progbar(self.params["samples"], verbose=self.verbose, stream=self.stream)
        self._sums = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size
        for k, v in logs.items():
            if k in ("batch", "size"):
                continue
            s = self._sums.setdefault(k, [0.0, 0])
            s[0] += v * size
            s[1] += size
        self.bar.set_values({k: s[0] / max(s[1], 1) for k, s in self._sums.items()})
        self.bar.update(self.seen)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.verbose == 1:
            self.bar.set_values(logs)
            self.bar.update(self.seen, finalize=True)
        else:
            out = self.stream or sys.stdout
            elapsed = time.time() - self.bar.start
            vals = "".join(f" - {k}: {_fmt_val(v)}" for k, v in logs.items())
            out.write(f" - {_fmt_time(elapsed)}{vals}\n")
            out.flush()
