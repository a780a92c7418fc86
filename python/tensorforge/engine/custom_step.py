"""TensorFlow 2 Keras' overridable steps: ``Model.train_step(data)``, ``test_step(data)`` and
``predict_step(data)``, the ``compiled_loss`` / ``compiled_metrics`` containers they call, and
the loops fit / evaluate / predict run when a model overrides a step or is given a
``tensorforge.data.Dataset`` (Keras 2.2+'s keras/engine/training.py and compile_utils.py).

A model that overrides none of the steps and trains on arrays or generators keeps the fused fast
path of training.py / training_arrays.py; everything here is the general, per-batch-dict path.

Note [step logs]
~~~~~~~~~~~~~~~~
As in tf.keras 2: ``data`` is what the data yields per batch -- ``(x, y)``, ``(x, y,
sample_weight)``, or ``x`` alone when there are no targets (arrays are given as Tensors, floats as
float32). The step returns a dict; its values (Tensors, arrays, floats) become floats and are the
batch logs as they are: the metrics keep running means themselves, so the progress bar shows the
latest values and an epoch's logs are its last batch's logs (plus ``val_*``). ``Model.metrics``
(the compiled loss' and metrics' objects once used, and any Metric the model holds as an
attribute; user-overridable) are reset when each epoch and each evaluate begins.
"""
import copy
import itertools
import time
import warnings

import numpy as np

from .. import _random
from .. import callbacks as _cb
from .. import callbacks_progbar as _cb_progbar
from .. import losses as _losses
from .. import metrics as _metrics
from .. import ops as _ops
from .._loss_inputs import _differentiable
from ..autograd import Tensor, enable_grad, no_grad
from ..backend_config import floatx
from ..backend_ops import variables as _K
from ..callbacks_backup import resume_counters
from ..gradient_tape import GradientTape
from ..tf_data import INFINITE_CARDINALITY, Dataset
from . import training_arrays, training_generator, training_utils


# ---- which path -------------------------------------------------------------------------------
def default_step(method):
    """Marks Model's own train_step / test_step / predict_step (training.py), so that
    overrides() knows them without importing Model (training.py imports this module)."""
    method._default_step = True
    return method


def overrides(model, step):
    """True when ``type(model)`` defines its own ``step`` ('train_step', ...)."""
    return not getattr(getattr(type(model), step), "_default_step", False)


def wants(model, step, x):
    return isinstance(x, Dataset) or overrides(model, step)


# ---- compiled loss and metrics -------------------------------------------------------------------
def _flat(s):
    if isinstance(s, dict):
        return [t for v in s.values() for t in _flat(v)]
    if isinstance(s, (list, tuple)):
        return [t for v in s for t in _flat(v)]
    return [s]


def _host(v):
    v = v.data if isinstance(v, Tensor) else v
    return v.get() if hasattr(v, "get") and not isinstance(v, np.ndarray) else np.asarray(v)


def _specs(model, y_pred, where):
    """The compiled per-output specs, resolved from ``y_pred`` for a model not yet built."""
    if model._out_specs is None:
        outs = _flat(y_pred)
        if not model._is_graph_network and model.output_shape_ is None:
            shapes = [(None,) + tuple(t.shape[1:]) for t in outs]
            model.output_shape_ = shapes[0] if len(outs) == 1 else shapes
        model._resolve_outputs()
    return model._out_specs


def _per_output(model, specs, y, where):
    """``y`` (an array / Tensor, a list in output order, or a dict by output name) as a list."""
    names = [sp.name for sp in specs]
    if isinstance(y, dict):
        return [y.get(nm) for nm in names]
    if len(specs) == 1:
        return [y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y]
    ys = list(y) if isinstance(y, (list, tuple)) else [y]
    if len(ys) < len(specs) and all(sp.loss_fn is None for sp in specs[len(ys):]):
        ys = ys + [None] * (len(specs) - len(ys))  # Keras 2 zips targets with outputs in order
    if len(ys) != len(specs):
        raise ValueError(f"{where}: the model has {len(specs)} outputs ({names}), but received "
                         f"{len(ys)} target arrays")
    return ys


class LossesContainer:
    """``model.compiled_loss``: ``compiled_loss(y_true, y_pred, sample_weight=None,
    regularization_losses=None)`` is the compiled total loss (a Tensor with its graph), and
    feeds the loss metric ``Mean('loss')`` (and ``'<output>_loss'`` ones for several outputs),
    each weighted by the batch size."""

    def __init__(self, model):
        self._model = model
        self._loss_metric = _metrics.Mean(name="loss")
        self._output_metrics = None  # None until first called (Keras: built on first use)

    @property
    def metrics(self):
        if self._output_metrics is None:
            return []
        return [self._loss_metric] + self._output_metrics

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        where = "compiled_loss"
        model = self._model
        specs = _specs(model, y_pred, where)
        outs = _flat(y_pred)
        if len(outs) != len(specs):
            raise ValueError(f"{where}: y_pred has {len(outs)} outputs, the model {len(specs)}")
        if self._output_metrics is None:
            self._output_metrics = [_metrics.Mean(name=f"{sp.name}_loss") for sp in specs
                                    if sp.loss_fn is not None] if len(specs) > 1 else []
        ys = _per_output(model, specs, y_true, where)
        outs = [o if isinstance(o, Tensor) else Tensor(o) for o in outs]
        n = outs[0].shape[0]
        ys = [None if y is None or sp.loss_fn is None else
              _graph_target(y, model._check_target(_host(y), n, (None,) + o.shape[1:], sp, where))
              for y, o, sp in zip(ys, outs, specs)]
        sws = _sample_weights(specs, ys, sample_weight)
        total, mean_total, k = None, 0.0, 0
        for sp, y, out, w in zip(specs, ys, outs, sws):
            if sp.loss_fn is None or y is None:
                continue
            l = _loss_value(sp, y, out, w)
            v = float(_host(l))
            if self._output_metrics:
                self._output_metrics[k].update_state(v, sample_weight=n)
                k += 1
            if sp.weight != 1.0:
                l, v = l * np.float32(sp.weight), v * sp.weight
            total = l if total is None else total + l
            mean_total += v
        for r in regularization_losses or ():
            r = r if isinstance(r, Tensor) else Tensor(np.float32(_host(r)))
            total = r if total is None else total + r
            mean_total += float(_host(r))
        if total is None:
            return Tensor(np.float32(0.0))
        self._loss_metric.update_state(mean_total, sample_weight=n)
        return total


def _graph_target(y, checked):
    """The checked target array; y itself, cast and reshaped as the check made it, when it is
    a float Tensor requiring grad: Keras 2's compiled loss differentiates y_true too (a
    teacher's outputs as targets; Note [y_true gradients] in _loss_inputs.py)."""
    if not _differentiable(y) or checked.dtype.kind != "f":
        return checked
    if y.dtype != checked.dtype:
        y = _ops.cast(y, checked.dtype)
    return y if tuple(y.shape) == checked.shape else _ops.reshape(y, checked.shape)


def _loss_value(sp, y, out, w):
    """One output's loss, reduced as Keras' sum_over_batch_size: sum(w * l) / l.size."""
    fn = sp.loss_fn
    if isinstance(fn, _losses.Loss):
        return fn(y, out, sample_weight=w)
    fused = None
    if sp.from_logits:
        fused = "sigmoid" if fn is _losses.binary_crossentropy else "softmax"
    l = training_utils.per_sample_loss(fn, fused, y, out)
    return training_utils.weighted_loss(l, w, _mask_of(out))


def _mask_of(out):
    """The output's mask (Keras 2's ``y_pred._keras_mask``) as a host array, or None."""
    m = getattr(out, "_keras_mask", None)
    return None if m is None else _host(m).astype(np.float32)


def _sample_weights(specs, ys, sample_weight):
    if sample_weight is None:
        return [None] * len(specs)
    if isinstance(sample_weight, dict):
        return [None if sample_weight.get(sp.name) is None else
                _host(sample_weight[sp.name]).astype(np.float32) for sp in specs]
    if isinstance(sample_weight, (list, tuple)) and len(specs) > 1:
        return [None if w is None else _host(w).astype(np.float32) for w in sample_weight]
    w = _host(sample_weight).astype(np.float32)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    return [w] * len(specs)


class _PerSample(_metrics.Mean):
    """A compiled metric function as a running (weighted) mean over the samples."""

    def __init__(self, fn, name):
        self._fn = fn
        super().__init__(name=name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        v = training_utils.per_sample_metric(self._fn, _host(y_true), _host(y_pred))
        super().update_state(v, sample_weight)


class MetricsContainer:
    """``model.compiled_metrics``: ``update_state(y_true, y_pred, sample_weight=None)`` updates
    the compiled metrics (``metrics=`` unweighted, ``weighted_metrics=`` with the weights);
    ``metrics`` lists their objects once used."""

    def __init__(self, model):
        self._model = model
        self._objs = None  # [(output index, weighted, Metric)]

    @property
    def metrics(self):
        return [] if self._objs is None else [m for _, _, m in self._objs]

    def _build(self, specs):
        multi = len(specs) > 1
        objs, seen = [], set()
        for weighted in (False, True):  # metrics_names order: all metrics, then weighted ones
            for i, sp in enumerate(specs):
                for nm, fn in (sp.weighted_fns if weighted else sp.metric_fns):
                    name = f"{sp.name}_{nm}" if multi else nm
                    obj = _metrics.is_stateful(fn)
                    if obj is None:
                        obj = _PerSample(fn, name)
                    elif id(obj) in seen:
                        obj = copy.deepcopy(obj)
                    seen.add(id(obj))
                    objs.append((i, weighted, obj))
        self._objs = objs

    def update_state(self, y_true, y_pred, sample_weight=None):
        where = "compiled_metrics.update_state"
        model = self._model
        specs = _specs(model, y_pred, where)
        if self._objs is None:
            self._build(specs)
        outs = _flat(y_pred)
        ys = _per_output(model, specs, y_true, where)
        n = _host(outs[0]).shape[0]
        ys = [None if y is None else
              (model._check_target(_host(y), n, (None,) + tuple(_host(o).shape[1:]), sp, where)
               if sp.loss_fn is not None else _host(y))
              for y, o, sp in zip(ys, outs, specs)]
        sws = _sample_weights(specs, ys, sample_weight)
        masks = [_mask_of(o) for o in outs]  # Keras 2 weighs every metric by the output mask
        for i, weighted, obj in self._objs:
            if ys[i] is None:
                continue
            w = training_utils.combine_weights(sws[i] if weighted else None, masks[i])
            obj.update_state(ys[i], _host(outs[i]), w)

    def reset_state(self):
        for m in self.metrics:
            reset(m)


def reset(metric):
    if type(metric).reset_states is not _metrics.Metric.reset_states:
        metric.reset_states()  # a user Metric written with the Keras 2.x spelling
    else:
        metric.reset_state()


def model_metrics(model):
    """``Model.metrics``: the compiled loss' and metrics' objects, then the Metric objects the
    model and its layers hold as attributes."""
    out = []
    if model._compiled:
        out += compiled_loss(model).metrics + compiled_metrics(model).metrics
        if not out and model.__dict__.get("_metrics_in_use") and not (
                overrides(model, "train_step") or overrides(model, "test_step")):
            out += _fused_path_metrics(model)  # the containers unused: the fused path ran
    for m in _metrics_attrs(model):
        if all(m is not o for o in out):
            out.append(m)
    return out


def _fused_path_metrics(model):
    """``Model.metrics`` of a model that fit / evaluate / train_on_batch ran on the fused path
    (training.py), as tf_keras 2 lists them once used: a Mean named 'loss', then one object per
    metrics_names entry -- the compiled Metric object itself (Hands-On ML 2's
    ``model.metrics[-1].threshold``), else a Mean of that name holding the running sums the
    loop keeps (the last epoch's, or the last evaluate's; See Note [batch metrics])."""
    stateful = model.__dict__.get("_stateful") or {}
    means = _per_compile(model, "_fused_metric_means", lambda m: {})
    sums, counts = model.__dict__.get("_batch_running") or ({}, {})
    added = set(model.__dict__.get("_added_metric_names", ()))  # the layers' own add_metric
    out = []
    for name in model._all_metrics_names():
        if name in stateful:
            out.append(stateful[name])
            continue
        if name in added:
            continue
        m = means.get(name)
        if m is None:
            m = means[name] = _metrics.Mean(name=name)
        m.total, m.count = sums.get(name, 0.0), counts.get(name, 0.0)
        out.append(m)
    return out


def _metrics_attrs(model):
    from .base_layer import Layer
    return Layer.metrics.fget(model)


def _per_compile(model, key, make):
    """``make(model)``, made once per compile() of ``model`` (kept under ``key``)."""
    d = model.__dict__
    c = d.get(key)
    if c is None or c[0] is not d.get("_compile_args"):
        c = d[key] = (d.get("_compile_args"), make(model))
    return c[1]


def compiled_loss(model):
    return _per_compile(model, "_compiled_loss", LossesContainer)


def compiled_metrics(model):
    return _per_compile(model, "_compiled_metrics", MetricsContainer)


# ---- the default steps (tf.keras 2's) ----------------------------------------------------------
def unpack(data):
    """(x, y, sample_weight) from a step's ``data`` (tf.keras' unpack_x_y_sample_weight)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data!r}")


def train_step(model, data):
    x, y, sw = unpack(data)
    with GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compiled_loss(y, y_pred, sw, regularization_losses=model.losses)
    variables = model.trainable_variables
    grads = tape.gradient(loss, variables)
    model.optimizer.apply_gradients(zip(grads, variables))
    return compute_metrics(model, y, y_pred, sw)


def test_step(model, data):
    x, y, sw = unpack(data)
    y_pred = model(x, training=False)
    model.compiled_loss(y, y_pred, sw, regularization_losses=model.losses)
    return compute_metrics(model, y, y_pred, sw)


def compute_metrics(model, y, y_pred, sw):
    model.compiled_metrics.update_state(y, y_pred, sw)
    return model.get_metrics_result()


def predict_step(model, data):
    x, _, _ = unpack(data)
    return model(x, training=False)


# ---- data -------------------------------------------------------------------------------------
def _tensors(s):
    """A batch's structure with arrays as Tensors (float64 as floatx, as Keras 2's data
    adapter casts float data)."""
    if isinstance(s, dict):
        return {k: _tensors(v) for k, v in s.items()}
    if isinstance(s, (list, tuple)):
        return type(s)(_tensors(v) for v in s)
    if s is None or isinstance(s, Tensor):
        return s
    a = np.asarray(s)
    return Tensor(a.astype(np.float32) if a.dtype == np.float64 and floatx() == "float32" else a)


def _pack(x, y, sw):
    if y is None:
        return x if not isinstance(x, (list, tuple)) else (x,)
    return (x, y) if sw is None else (x, y, sw)


def _slice(s, idx):
    if isinstance(s, dict):
        return {k: _slice(v, idx) for k, v in s.items()}
    if isinstance(s, (list, tuple)):
        return type(s)(_slice(v, idx) for v in s)
    return None if s is None else s[idx]


def _class_weights(y, class_weight):
    y = _host(y)
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
    return np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)


class _Source:
    """The batches of one fit / evaluate / predict call: ``steps`` (None: unknown) and
    ``epoch(shuffle)`` iterating one epoch's ``data`` structures."""

    def __init__(self, where, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 class_weight=None):
        self.where = where
        if isinstance(x, Dataset):
            if y is not None or sample_weight is not None:
                raise ValueError(f"{where}: when x is a Dataset, y and sample_weight must not be "
                                 "given (the dataset yields them)")
            n = x._cardinality
            if n == INFINITE_CARDINALITY and steps is None:
                raise ValueError(f"{where}: When providing an infinite dataset, you must specify "
                                 "the number of steps to run (if you did not intend to create an "
                                 "infinite dataset, make sure to not call `repeat()` on the "
                                 "dataset).")
            if steps is not None and int(steps) != n:  # tf.keras: one iterator for all epochs
                self._live = None
                self._iter = self._persistent(x)
            else:
                self._iter = lambda shuffle: iter(x)
            self.steps = n if n >= 0 else None
        elif training_generator.is_generator_like(x):
            if training_generator.is_sequence(x):
                self._iter = lambda shuffle: (_tensors(x[i]) for i in
                                              (np.random.permutation(len(x)) if shuffle
                                               else range(len(x))))
                self.steps = len(x)
            else:
                self._iter = lambda shuffle: (_tensors(b) for b in x)
                self.steps = None
        else:
            if x is None:
                raise ValueError(f"{where}: x is required")
            arrays = [a for a in _flat((x, y, sample_weight)) if a is not None]
            n = {_host(a).shape[0] if _host(a).ndim else -1 for a in arrays}
            if len(n) != 1 or -1 in n:
                raise ValueError(f"{where}: all arrays must share their first (batch) dimension, "
                                 f"got shapes {[_host(a).shape for a in arrays]}")
            n = n.pop()
            if class_weight is not None and y is not None:
                cw = _class_weights(y, class_weight)
                sample_weight = cw if sample_weight is None else cw * _host(sample_weight)
            bs = 32 if batch_size is None else int(batch_size)
            self.arrays, self.n, self.bs = (x, y, sample_weight), n, bs

            def it(shuffle):
                order = _random.rng().permutation(n) if shuffle is True else np.arange(n)
                for s in range(0, n, bs):
                    idx = order[s:s + bs]
                    yield _pack(*(_tensors(_slice(a, idx)) for a in (x, y, sample_weight)))
            self._iter = it
            self.steps = -(-n // bs)
        if steps is not None:
            self.steps = int(steps) if self.steps is None else min(int(steps), self.steps)

    def _persistent(self, dataset):
        def it(shuffle):
            if self._live is None:
                self._live = iter(dataset)
            return self._live
        return it

    def epoch(self, shuffle=False):
        it = self._iter(shuffle)
        return it if self.steps is None else itertools.islice(it, self.steps)


def _split(x, y, sw, validation_split, where):
    if isinstance(x, Dataset) or training_generator.is_generator_like(x):
        raise ValueError(f"{where}: validation_split is only supported for arrays")
    if not 0 < validation_split < 1:
        raise ValueError(f"{where}: validation_split must be in (0, 1), got {validation_split}")
    n = _host(_flat(x)[0]).shape[0]
    cut = int(n * (1.0 - validation_split))
    head, tail = slice(0, cut), slice(cut, n)
    return ((_slice(x, head), _slice(y, head), _slice(sw, head)),
            (_slice(x, tail), _slice(y, tail), _slice(sw, tail)))


def logs_to_floats(logs, where):
    if not isinstance(logs, dict):
        raise TypeError(f"{where}: the step must return a dict of metric values, got "
                        f"{type(logs).__name__}")
    out = {}
    for k, v in logs.items():
        if isinstance(v, _metrics.Metric):
            v = v.result()
        a = _host(v).astype(np.float64) if not isinstance(v, (int, float)) else v
        out[k] = float(a) if np.size(a) == 1 else a
    return out


class _Everything:
    """A stateful_metrics set holding every name (See Note [step logs])."""

    def __contains__(self, k):
        return True


class _StepsBar(training_arrays.StepsProgbarLogger):
    def __init__(self, verbose):
        super().__init__(verbose=verbose)
        self.stateful_metrics = _Everything()

    def on_batch_end(self, batch, logs=None):
        self.seen += 1
        self.bar.set_values(dict(logs or {}))
        self.bar.update(self.seen, finalize=False)  # on_epoch_end finalizes, with val_ logs


# ---- the loops --------------------------------------------------------------------------------
def fit(model, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
        shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
        validation_freq, validation_batch_size=None):
    where = "fit"
    model.__dict__["_metrics_in_use"] = True  # metrics_names public from now on (training.py)
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = _split(x, y, sample_weight, validation_split,
                                                        where)
    src = _Source(where, x, y, sample_weight, batch_size, steps_per_epoch, class_weight)
    val = None
    if validation_data is not None:
        if isinstance(validation_data, Dataset) or \
                training_generator.is_generator_like(validation_data):
            val = _Source(where + " (validation_data)", validation_data, steps=validation_steps)
        else:
            if not isinstance(validation_data, (tuple, list)) or \
                    len(validation_data) not in (2, 3):
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, val_sample_weights), a Dataset, a generator or "
                                 "a Sequence")
            val = _Source(where + " (validation_data)", *validation_data,
                          batch_size=validation_batch_size or batch_size, steps=validation_steps)
    history = _cb.History()
    cbs = training_arrays.as_callbacks(callbacks) + [history]
    if verbose and _cb_progbar.program_logger(cbs) is None:  # See Note [a program's
        cbs.append(_StepsBar(verbose))  # ProgbarLogger] (callbacks_progbar.py)
    cbl = training_arrays.CallbackList(cbs, model, {"epochs": epochs, "steps": src.steps,
                                                    "verbose": verbose})
    model.stop_training = False
    cbl.on_train_begin()
    # a BackupAndRestore callback may resume an interrupted fit (callbacks_backup.py)
    first, skip = resume_counters(model, initial_epoch)
    epoch_logs = None
    for epoch in range(first, epochs):
        for m in model.metrics:
            reset(m)
        cbl.on_epoch_begin(epoch)
        logs = None
        for step, data in enumerate(src.epoch(shuffle)):
            if epoch == first and step < skip:  # done before the backup
                continue
            cbl.on_train_batch_begin(step, {})
            with enable_grad(), _K.learning_phase_scope(1):
                logs = logs_to_floats(model.train_step(data), "train_step")
            cbl.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        if logs is None:
            if epoch == first:
                raise ValueError(f"{where}: the data gave no batch to train on")
            warnings.warn(f"{where}: your input ran out of data; interrupting training (give "
                          "steps_per_epoch and a generator or Dataset that can supply "
                          f"steps_per_epoch * epochs batches)", RuntimeWarning, stacklevel=3)
            break
        epoch_logs = dict(logs)
        if val is not None and training_utils.should_run_validation(validation_freq, epoch):
            vlogs = _evaluate(model, val, cbl)
            epoch_logs.update({"val_" + k: v for k, v in vlogs.items()})
        cbl.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    training_arrays.finalize_optimizer(model, epochs)
    cbl.on_train_end(epoch_logs)  # the last epoch's logs, as tf_keras 2 passes them
    model.history = history
    return history


def _evaluate(model, src, callbacks, verbose=0):
    """The test_step loop; ``callbacks``: a list, or fit's CallbackList (its validation runs
    fit's callbacks' test hooks, as tf_keras 2's)."""
    model.__dict__["_metrics_in_use"] = True
    own = _cb_progbar.program_logger(callbacks)  # Note [a program's ProgbarLogger]
    cbl = callbacks if isinstance(callbacks, training_arrays.CallbackList) else \
        training_arrays.CallbackList(callbacks, model, {"steps": src.steps, "verbose": verbose,
                                                         "epochs": 1})
    for m in model.metrics:
        reset(m)
    cbl.on_test_begin()
    bar = _cb.Progbar(src.steps, verbose=verbose, unit="step") if verbose and own is None \
        else None
    logs = {}
    for step, data in enumerate(src.epoch()):
        cbl.on_test_batch_begin(step, {})
        with no_grad(), _K.learning_phase_scope(0):
            logs = logs_to_floats(model.test_step(data), "test_step")
        cbl.on_test_batch_end(step, logs)
        if bar is not None:
            bar.set_values(logs)
            bar.update(step + 1, finalize=src.steps is not None and step + 1 == src.steps)
    cbl.on_test_end(logs)
    return logs


def evaluate(model, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    src = _Source("evaluate", x, y, sample_weight, batch_size, steps)
    logs = _evaluate(model, src, training_arrays.as_callbacks(callbacks), verbose)
    return logs if return_dict else _in_order(model, logs)


def _in_order(model, logs):
    """tf.keras' flatten_metrics_in_order: Model.metrics' order, then the other keys sorted."""
    names = [m.name for m in model.metrics]
    res = [logs[k] for k in names if k in logs] + [logs[k] for k in sorted(logs)
                                                    if k not in names]
    return res[0] if len(res) == 1 else res


def on_batch(model, step, x, y, sample_weight, reset_metrics, return_dict):
    """train_on_batch / test_on_batch of a model overriding ``step``: one call of it."""
    if reset_metrics:
        for m in model.metrics:
            reset(m)
    data = _pack(*(_tensors(a) for a in (x, y, sample_weight)))
    training = step == "train_step"
    with (enable_grad() if training else no_grad()), _K.learning_phase_scope(int(training)):
        logs = logs_to_floats(getattr(model, step)(data), step)
    return logs if return_dict else _in_order(model, logs)


def predict(model, x, batch_size, verbose, steps, callbacks):
    src = _Source("predict", x, None, None, batch_size, steps)
    own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
    cbl = training_arrays.CallbackList(callbacks, model, {"steps": src.steps,
                                                          "verbose": verbose, "epochs": 1})
    cbl.on_predict_begin()
    outs, start = [], time.time()
    for step, data in enumerate(src.epoch()):
        cbl.on_predict_batch_begin(step, {})
        with no_grad(), _K.learning_phase_scope(0):
            out = model.predict_step(data)
        outs.append(out)
        cbl.on_predict_batch_end(step, {"outputs": out})
    cbl.on_predict_end()
    if not outs:
        raise ValueError("predict: the data gave no batch to predict on")
    if verbose in (1, 2) and own is None:
        bar = _cb.Progbar(len(outs), unit="step", verbose=verbose)
        bar.start = start
        bar.update(len(outs), finalize=True)
    return _concat(outs)


def _concat(outs):
    first = outs[0]
    if isinstance(first, dict):
        return {k: _concat([o[k] for o in outs]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([o[i] for o in outs]) for i in range(len(first)))
    return np.concatenate([_host(o) for o in outs])

