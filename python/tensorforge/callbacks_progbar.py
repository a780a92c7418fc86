"""The progress bar: Progbar (``keras.utils.Progbar``) and ProgbarLogger, the callback that
draws it during fit / evaluate / predict (callbacks.py exports both).

Note [a program's ProgbarLogger]
tf_keras 2.21 draws one bar: a ProgbarLogger among fit's / evaluate's / predict's callbacks is
the one the loop uses (it adds its own, counting steps, only when there is none), with the
call's verbose. Its count_mode='samples' counts what the batch logs' "size" adds -- nothing in
TensorFlow 2's loops, whose logs have no size --, so the bar is "0/Unknown" until the first
epoch ends and then counts the epoch's steps in "samples": "3/3 [====] - 0s 5ms/sample -
loss: ...", later epochs "0/3 [....]" to "3/3". The loops here mark the program's logger
(``tf2_loop``) and it draws the same; driven by hand (set_params with "samples", batch logs
with "size", as Keras 2.2's loops did) it counts samples. Inside fit, validation draws nothing.
"""
import time

import numpy as np

from . import _io_utils
from .callbacks_base import Callback


def _fmt_time(seconds):
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def _fmt_val(v):
    if np.ndim(v):  # a metric with several thresholds: its mean, as Keras 2's Progbar shows
        v = float(np.mean(v))
    # Keras 2's (and tf_keras 2's) rule: above 1e-3 four decimals, the rest (zero and negative
    # values too) in exponent form
    return f"{v:.4f}" if v > 1e-3 else f"{v:.4e}"


def _per(seconds, unit):
    """tf_keras 2's Progbar._format_time: ``3s/epoch``, ``17ms/epoch``, ``240us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def summary_line(current, steps, seconds, values, unit="step"):
    """tf_keras 2's verbose=2 line of a finished epoch, evaluate or predict (its Progbar's):
    ``8/8 - 0s - loss: 0.6931 - accuracy: 0.5000 - 120ms/epoch - 15ms/step``; the count
    is of steps (batches; ``unit`` names them), the first time whole seconds since the
    start."""
    steps = steps or current
    count = f"{current:{len(str(steps))}d}/{steps}"
    vals = "".join(f" - {k}: {_fmt_val(v)}" for k, v in values.items())
    return (f"{count} - {seconds:.0f}s{vals} - {_per(seconds, 'epoch')}"
            f" - {_per(seconds / max(steps, 1), unit)}\n")


class Progbar:
    """Keras 2 progress bar (``keras.utils.Progbar``): ``update(current, values)`` with values
    [(name, value)] averaged over the steps since they were last given (names in
    ``stateful_metrics`` shown as given), ``add(n, values)``; ``set_values({name: value})``
    shows values as they are. Redrawn in place when the stream is a terminal, else written once
    when finished; verbose=2 writes one summary line at the end."""

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step", stream=None, unit=None):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stateful_metrics = set(stateful_metrics or [])
        self.stream = stream or _io_utils.default_stream()
        self.unit = unit or unit_name
        self.dynamic = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.time()
        self._last_update = 0.0
        self._prev_len = 0
        self._seen_so_far = 0
        self._sums = {}  # name -> [weighted sum, steps] (Keras averaging)
        self.values = {}

    def set_values(self, values):
        self.values = dict(values)

    def _values_str(self):
        return "".join(f" - {k}: {_fmt_val(v)}" for k, v in self.values.items())

    def _accumulate(self, current, values):
        steps = max(current - self._seen_so_far, 1)
        for k, v in values or []:
            v = float(np.mean(np.asarray(v)))
            if k in self.stateful_metrics:
                self._sums[k] = [v, 1]
            else:
                s = self._sums.setdefault(k, [0.0, 0])
                s[0] += v * steps
                s[1] += steps
        self._seen_so_far = current
        if values:
            self.values.update({k: s[0] / max(s[1], 1) for k, s in self._sums.items()})

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def update(self, current, values=None, finalize=None):
        self._accumulate(current, values)
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if self.verbose == 2:
            if finalize:
                self.stream.write(summary_line(current, self.target, time.time() - self.start,
                                               self.values))
                self.stream.flush()
            return
        if self.verbose != 1:
            return
        now = time.time()
        if not finalize and (not self.dynamic or now - self._last_update < self.interval):
            return
        self._last_update = now
        if self.target:
            n = len(str(self.target))
            bar = f"{current:{n}d}/{self.target} ["
            prog = current / self.target
            done = int(self.width * min(prog, 1.0))
            if done > 0:
                bar += "=" * (done - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - done) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        elapsed = now - self.start
        if self.target and current < self.target:
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


# Note [progress bar means]
# Between batches the bar shows each metric's running epoch value, as tf_keras 2's metric
# objects report it: the loss and per-sample metrics weighted by batch size (or by the sample
# weights' sum), a scalar-valued metric (a user function returning a scalar, a Layer.add_metric
# value) once per batch, so with an uneven last batch it is the plain mean of its batch values;
# stateful metrics as given. fit's loop leaves each batch's weights in the model's
# ``_batch_log_weights`` (names missing there: the batch size, ``_batch_log_size``, since its
# logs hold no 'size', as tf_keras 2's: Note [callback params and logs] in engine/
# training_arrays.py) -- the weights of its epoch logs, so the bar's last value is the epoch's.


class ProgbarLogger(Callback):
    """Prints Keras-style progress during fit / evaluate / predict (they add one counting steps
    when verbose > 0 and the callbacks hold none: See Note [a program's ProgbarLogger]).

    ``count_mode`` 'samples' counts samples, 'steps' counts batches (params['steps'], else
    ceil(samples / batch_size)). ``verbose`` None takes params['verbose']; ``stream`` (not
    Keras) redirects the output (default stdout)."""

    def __init__(self, count_mode="samples", stateful_metrics=None, verbose=None, stream=None):
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError(f"ProgbarLogger: count_mode must be 'samples' or 'steps', got "
                             f"{count_mode!r}")
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or [])
        self._verbose_arg = verbose
        self.verbose = verbose
        self.stream = stream
        self.tf2_loop = False  # set by the training loops (Note [a program's ProgbarLogger])
        self._called_in_fit = False
        self.target = None
        self.bar = None
        self.seen = self.steps_seen = 0

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1) if self._verbose_arg is None else self._verbose_arg
        self.epochs = params.get("epochs", 1)
        self.target = self._target()

    def on_train_begin(self, logs=None):
        self._called_in_fit = True  # validation inside fit draws nothing

    def _target(self):
        p = self.params
        if self.use_steps:
            if p.get("steps") is not None:
                return p["steps"]
            if p.get("samples") is not None and p.get("batch_size"):
                return -(-p["samples"] // p["batch_size"])
            return None
        return None if self.tf2_loop else p.get("samples")

    def _start(self):
        if self.verbose is None:
            self.set_params(self.params)
        self.seen = self.steps_seen = 0
        self.bar = Progbar(self.target or 0, verbose=self.verbose, stream=self.stream,
                           unit="step" if self.use_steps else "sample")
        self._sums = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._start()
        # tf_keras 2 writes the header only when fit runs more than one epoch (Keras 2.2: always)
        if self.verbose and self.params.get("epochs", 2) > 1:
            out = self.stream or _io_utils.default_stream()
            out.write(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}\n")
            out.flush()

    def _accumulate(self, logs, size):
        """Running means of the batch logs, weighted as fit weights the epoch's values.
        See Note [progress bar means]."""
        weights = getattr(self.model, "__dict__", {}).get("_batch_log_weights") or {}
        for k, v in logs.items():
            if k in ("batch", "size", "num_steps"):
                continue
            if k in self.stateful_metrics:
                self._sums[k] = [v, 1]
                continue
            c = float(weights.get(k, size))
            s = self._sums.setdefault(k, [0.0, 0.0])
            s[0] += v * c
            s[1] += c
        self.bar.set_values({k: s[0] / s[1] if s[1] else 0.0 for k, s in self._sums.items()})

    def _count(self, logs):
        self.steps_seen += 1
        if self.use_steps:
            self.seen += 1
        elif not self.tf2_loop:  # Keras 2.2's logs carry the batch's size; TensorFlow 2's none
            self.seen += logs.get("size", 0)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self._count(logs)
        size = logs.get("size")  # (fit's logs have none: See Note [progress bar means])
        self._accumulate(logs, getattr(self.model, "__dict__", {}).get("_batch_log_size", 0)
                         if size is None else size)
        self.bar.update(self.seen, finalize=False)

    def _finish(self, logs):
        if self.target is None:  # tf_keras: the steps run (the samples seen by hand)
            self.target = self.steps_seen if self.tf2_loop or self.use_steps else self.seen
            self.bar.target = self.target
        if self.verbose == 1:
            self.bar.set_values(logs)
            self.bar.update(self.target, finalize=True)
        elif self.verbose:  # tf_keras 2's line
            out = self.stream or _io_utils.default_stream()
            n = self.target if self.tf2_loop else self.steps_seen
            steps = self.target if self.tf2_loop else self.params.get("steps") or self.steps_seen
            out.write(summary_line(n, steps, time.time() - self.bar.start, logs,
                                   "step" if self.use_steps else "sample"))
            out.flush()

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs or {})

    # evaluate and predict (not fit's validation)
    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._start()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._count(logs or {})
            self.bar.set_values(logs or {})  # (the test loop's logs are running means)
            self.bar.update(self.seen, finalize=False)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finish(logs or {})

    def on_predict_begin(self, logs=None):
        self._start()

    def on_predict_batch_end(self, batch, logs=None):
        self._count({})
        self.bar.update(self.seen, finalize=False)

    def on_predict_end(self, logs=None):
        self._finish({})


def program_logger(callbacks):
    """The ProgbarLogger among a loop's callbacks that the program gave (None when none), marked
    as drawn by a TensorFlow 2 loop: the loop then adds no bar of its own (Note [a program's
    ProgbarLogger]). ``callbacks``: a list, a CallbackList, one callback (as Keras 2 takes) or
    None."""
    if callbacks is None:
        return None
    for cb in callbacks if hasattr(callbacks, "__iter__") else [callbacks]:
        if isinstance(cb, ProgbarLogger) and not getattr(cb, "_loop_bar", False):
            cb.tf2_loop = True
            return cb
    return None
