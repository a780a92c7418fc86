"""Model: one train / test step and the fit / evaluate / predict / *_on_batch API (Keras 2's
keras/engine/training.py). compile's resolution is in training_compile.py, the handling of x and
y in training_inputs.py, the loops themselves in training_arrays.py, saving in saving.py.

compile(optimizer, loss, metrics, loss_weights) resolves, per model output, its loss (one for
all, a list in output order, or a dict by output name), its weight and its metrics, and names
them as Keras 2 does: ``metrics_names`` is ``['loss']`` then, for several outputs,
``'<output>_loss'`` per output, then each metric (``'<output>_<metric>'`` for several outputs),
then the Layer.add_metric names. As tf_keras 2, the list is empty from compile until the first
fit / evaluate / train_on_batch / test_on_batch (but for a functional graph's add_metric names).
``train_on_batch`` / ``test_on_batch`` / ``evaluate`` return a scalar when that list has one
name, else the list of values in that order.

The trainable state is read at compile time, as in Keras 2: the weights a train step updates are
the ones that were trainable when ``compile`` ran (the GAN pattern: compile the discriminator,
set ``discriminator.trainable = False``, build and compile the combined model; the
discriminator's own ``train_on_batch`` still trains it, the combined model's does not).

Fast paths kept for any graph: See Note [fused output] (network.py) and Note [data on the
device] (_device.py).
"""
import functools
import json
import time

import numpy as np

from .. import _device
from .. import callbacks as _cb
from .. import callbacks_progbar as _cb_progbar
from .. import losses as _losses
from .. import metrics as _metrics
from .._xp import array_module as _array_module
from ..autograd import Tensor, _wrap, enable_grad, keeping_inputs, no_grad
from ..backend_ops import variables as _K
from ..ops import basic as B
from ..ops.losses_ops import _SoftmaxXent
from ..saving import hdf5_format as _h5
from .. import tf_train
from . import (compiled_step, custom_step, saving, training_arrays, training_generator,
               training_utils)
from .base_layer import call_context, invoke_call
from .graph_gradients import NeedsSecondOrder
from .layer_weights import _VERSION
from .network import Network
from ..symbolic.node import _RUN_VALUES, flatten, pack_like
from .training_compile import _LOSS_BUILTINS, CompileMixin
from .step_functions import StepFunctionsMixin
from .training_inputs import InputsMixin


def _no_other_arguments(where, kwargs):
    """A misspelt argument (``epoch=5``) is an error, as in Keras 2, not silently dropped."""
    if kwargs:
        raise TypeError(f"{where}: unexpected keyword arguments {sorted(kwargs)}")


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_epochs(op, epochs):
    """Keras 2 refuses a fit of no epochs ("Expected epochs to be positive"), before any
    callback runs; epochs <= initial_epoch is a fit of nothing, returning an empty History."""
    if not isinstance(epochs, bool) and isinstance(epochs, (int, np.integer)) and epochs < 1:
        raise ValueError(f"{op}: epochs must be positive (Keras 2: \"Expected epochs to be "
                         f"positive\"), got {epochs}")


def _auto_verbose(verbose):
    """tf_keras 2's ``verbose='auto'``, fit / evaluate / predict's default: 1 (a progress bar;
    2 under a ParameterServerStrategy, which tensorforge has not)."""
    return 1 if isinstance(verbose, str) and verbose == "auto" else verbose


def _batch_size(op, batch_size):
    """32 for None; else a positive int (Keras 2 refuses 2.5 and 0)."""
    if batch_size is None:
        return 32
    if isinstance(batch_size, (float, np.floating)) and float(batch_size).is_integer():
        batch_size = int(batch_size)  # 32.0 works in Keras 2 too
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"{op}: batch_size must be an int, got {type(batch_size).__name__} {batch_size!r}")
    if batch_size <= 0:
        raise ValueError(f"{op}: batch_size must be positive, got {batch_size}")
    return int(batch_size)


# Note [losses on graph tensors]
# Keras 2.2 evaluated a loss function once, on the graph: a loss (or metric) function may use
# tensors of the model's graph besides y_true and y_pred. Generative Deep Learning's VAE
# compiles ``vae_kl_loss`` over ``self.mu`` and ``self.log_var``, its WGAN-GP a gradient
# penalty over the interpolated images (``K.gradients(y_pred, interpolated_samples)``):
# KerasTensors of the model, which must mean their values in the batch being trained. (tf_keras
# 2.21 refuses them: "an intermediate TF-Keras symbolic input/output ... to a TF API".) So a
# graph model's forward keeps its run's values (Network._run_graph(keep=True)) and the loss and
# metrics are computed with them current, as a layer's call is during the run (See Note
# [closed-over graph tensors] in node.py): an op on one of the model's KerasTensors takes its
# value in this batch, with its gradient; one the model does not compute is a ValueError naming
# it. The next forward drops them.
def _on_last_run(method):
    def with_run_values(self, *args, **kwargs):
        last = self.__dict__.get("_last_run")
        values = None if last is None else last.values
        if values is None:
            return method(self, *args, **kwargs)
        _RUN_VALUES.append(values)
        try:
            return method(self, *args, **kwargs)
        finally:
            _RUN_VALUES.pop()
    with_run_values.__doc__ = method.__doc__
    return with_run_values


def _frees_last_run(method):
    """A public entry (fit, evaluate, predict, *_on_batch) drops the last batch's values when
    it returns: they served that batch's loss and metrics, and held on the model they would keep
    a batch of activations and their graph alive after training (as tf_keras keeps none)."""
    @functools.wraps(method)
    def freeing(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            self.__dict__.pop("_last_run", None)
    return freeing


class Model(CompileMixin, InputsMixin, StepFunctionsMixin, Network):
    """Keras 2 ``Model``: ``Model(inputs, outputs)`` (functional) or subclassed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compiled = False
        self._out_specs = None

    def _init_graph_network(self, inputs, outputs):
        super()._init_graph_network(inputs, outputs)
        if getattr(self, "_compiled", False):
            self._resolve_outputs()

    # ---- one step ---------------------------------------------------------------------------
    def _forward(self, xs, training, logits_outputs=frozenset()):
        """Output Tensors (a list) for input arrays ``xs``; this call's add_loss terms are set."""
        self._clear_call_losses()
        self.__dict__["_output_masks"] = None  # (Layer.__setattr__ would inspect the value)
        self.__dict__.pop("_last_run", None)  # (the previous batch's: See _on_last_run)
        ts = [_wrap(a) if type(a) is np.ndarray else Tensor(a) for a in xs]
        if self._is_graph_network:
            return self._run_graph(ts, training, logits_outputs, keep=True)
        with call_context(training):
            y = invoke_call(self, self._pack_inputs(ts), training=training)
        return flatten(y)

    def _compiled_params(self):
        """The weights trainable at compile time (See module docstring)."""
        snap = getattr(self, "_trainable_snapshot", {})
        cached = self.__dict__.get("_params_cache")
        if cached is not None and cached[0] == (_VERSION[0], id(snap)):
            return cached[1]
        out, seen = [], set()

        def walk(layer):
            if not snap.get(id(layer), layer.trainable):
                return
            for _, t, tr in layer._weights:
                if tr and id(t) not in seen:
                    seen.add(id(t))
                    out.append(t)
            for sub in layer._sublayers():
                walk(sub)
        walk(self)
        del walk  # empties its cell: no function <-> cell cycle (Note [graph reference cycles])
        self.__dict__["_params_cache"] = ((_VERSION[0], id(snap)), out)
        return out

    def _set_requires_grad(self, params):
        """Make exactly ``params`` require grad; returns [(tensor, previous flag)] to restore
        (usually empty: only a trainable flag changed since compile makes a difference)."""
        cached = self.__dict__.get("_want_ids")
        if cached is None or cached[0] is not params:  # (params: the cached compiled list)
            cached = self.__dict__["_want_ids"] = (params, {id(t) for t in params})
        want = cached[1]
        changed = []
        for _, t, _ in self._all_weights():
            w = id(t) in want
            if t.requires_grad != w:
                changed.append((t, t.requires_grad))
                t.requires_grad = w
        return changed

    @_on_last_run
    def _loss_terms(self, ys, outs, with_parts, sws=None):
        specs = self._out_specs
        if len(specs) == 1 and (sws is None or sws[0] is None) and not with_parts:
            # See Note [one-output step]
            l = _fused_xent(specs[0], ys[0], outs[0]) if self._output_mask(0) is None else None
            if l is not None:
                for r in self.losses:
                    l = l + r
                return l, []
        total, parts = None, []
        for i, sp in enumerate(self._out_specs):
            if sp.loss_fn is None:
                continue
            out, y = outs[i], ys[i]
            w = sws[i] if sws is not None else None
            m = self._output_mask(i)
            if isinstance(out, Tensor) and (w is not None or m is not None):
                # See Note [weighted loss] (training_utils.py)
                l = training_utils.weighted_loss(
                    training_utils.per_sample_loss(sp.loss_fn, sp.fused, y, out), w,
                    None if m is None else (m.data if isinstance(m, Tensor) else m))
            else:  # (B, T, C) outputs as rows (See _time_rows)
                out, y = _time_rows(out, y, None, sp.loss_fn)
                if sp.fused:
                    l = _losses.batch_mean(sp.loss_fn)(y, out, from_logits=True)
                elif sp.loss_fn in _LOSS_BUILTINS:
                    l = _losses.batch_mean(sp.loss_fn)(y, out)
                else:  # a user loss written on tensors: give it y_true as a Tensor
                    l = sp.loss_fn(Tensor(y), out)
            if isinstance(l, Tensor) and l.ndim:  # per-sample values, or a user loss of shape
                l = l.mean()  # (1,): Keras' sum_over_batch_size reduction, a scalar either way
            if with_parts:
                parts.append(l)
            term = l if sp.weight == 1.0 else l * np.float32(sp.weight)
            total = term if total is None else total + term
        for r in self.losses:
            total = r if total is None else total + r
        if total is None:
            raise ValueError("The model has no loss to optimize: compile it with a loss, or "
                             "add one with add_loss")
        return total, parts

    def _output_mask(self, i):
        masks = self.__dict__.get("_output_masks")
        return None if not masks or i >= len(masks) else masks[i]

    def _train_batch(self, xs, ys, params, sws=None, metrics=False):
        """One optimizer step; returns (total loss float, [per-output loss], outputs, batch
        metrics): with ``metrics`` the _batch_metrics of this batch, computed on the outputs
        right after the loss and before backward (the same values as after the step, which does
        not change the outputs; cheaper while the forward's objects are still in the CPU caches),
        else None.
        ``sws``: per-output sample weights (See Note [weighted loss]). Runs with the backend's
        learning phase 1, so K.in_train_phase / K.learning_phase() in user code see training."""
        multi = len(self._out_specs) > 1
        if not multi and (sws is None or sws[0] is None):  # See Note [compiled step]
            self.__dict__.pop("_last_run", None)  # (it runs no _forward: no older values)
            done = compiled_step.train_batch(self, xs, ys, params, metrics)
            if done is not None:
                return done
        d = self.__dict__
        keep = d.get("_keeps_inputs")  # None: not known yet (Note [what a node keeps])
        states = None if keep is not None or not self._is_graph_network else [
            (t, t.data.copy()) for l in self._flatten_layers() if l.trainable
            for _, t, tr in l._weights if not tr]  # what a forward may update (BN statistics)
        try:
            out = self._train_batch_once(xs, ys, params, sws, metrics, multi, bool(keep))
        except NeedsSecondOrder:  # K.gradients in the loss: See Note [gradients of graph
            d["_keeps_inputs"] = True  # tensors] in graph_gradients.py; this step again
            for t, a in states or ():
                t.data[...] = a
            return self._train_batch(xs, ys, params, sws, metrics)
        d.setdefault("_keeps_inputs", False)
        return out

    def _train_batch_once(self, xs, ys, params, sws, metrics, multi, keep):
        mets = None
        changed = self._set_requires_grad(params)
        try:
            with enable_grad(), keeping_inputs(keep), _K.learning_phase_scope(1):
                outs = self._forward(xs, True, self._logits_outputs)
                loss, parts = self._loss_terms(ys, outs, multi, sws)
                if metrics:
                    with no_grad():
                        mets = self._batch_metrics(ys, outs, sws)
                    if not keep:  # the run's values served the loss and metrics: backward
                        self.__dict__.pop("_last_run", None)  # needs none of them
                if isinstance(loss, Tensor) and loss.requires_grad:
                    # DistributedOptimizer: reductions overlap backward (distributed/fusion.py)
                    pre = getattr(self.optimizer, "before_backward", None)
                    loss.backward(None if pre is None else pre(params, loss))
                    self.optimizer.apply_gradients(params)
                    for p in params:
                        p.grad = None
        finally:
            for t, v in changed:
                t.requires_grad = v
        return _scalar(loss), [_scalar(p) for p in parts] if parts else [], outs, mets

    def _test_batch(self, xs, ys, sws=None):
        multi = len(self._out_specs) > 1
        with no_grad():
            outs = self._forward(xs, False, self._logits_outputs)
            loss, parts = self._loss_terms(ys, outs, multi, sws)
        return _raw(loss), [_raw(p) for p in parts], outs

    @_on_last_run
    def _batch_metrics(self, ys, outs, sws=None):
        """{metrics_name: value} for one batch (values may be 0-d device arrays). A masked
        output's metrics and the weighted_metrics under sample weights are weighted means
        (See Note [weighted metrics] in training_utils.py); their weight sums go to
        ``self._metric_weight_sums`` for the loops' accumulation."""
        specs = self._out_specs
        if len(specs) == 1 and (sws is None or sws[0] is None) and \
                not self.__dict__.get("_stateful"):
            # one output, its values as the model gives them, plain metric functions on host
            # arrays: what the loops below compute, without them (See Note [one-output step])
            sp, y, out = specs[0], ys[0], outs[0]
            tagged = _logits_tag(out) is not None and any(fn in _CE_METRICS
                                                          for _, fn in sp.metric_fns)
            out = out.data if isinstance(out, Tensor) else out
            if y is not None and not sp.weighted_fns and type(out) is np.ndarray and \
                    out.ndim < 3 and self._output_mask(0) is None and not tagged and (
                        sp.from_logits or sp.fused is None or (sp.activation is not None and all(
                            fn in _ARGMAX_METRICS for _, fn in sp.metric_fns))):
                res, counts = {}, {}
                for nm, fn in sp.metric_fns:
                    res[nm], c = training_utils.metric_batch(fn, y, out)
                    if c is not None:  # a user metric's count (See Note [metric values])
                        counts[nm] = c
                self.__dict__["_metric_weight_sums"] = counts
                return res
        res, wsums = {}, {}
        multi = len(self._out_specs) > 1
        prepared, logits = {}, {}
        stateful = self.__dict__.get("_stateful") or {}
        for i, sp in enumerate(self._out_specs):
            fns = sp.metric_fns + sp.weighted_fns
            if not fns or ys[i] is None:
                continue
            out = outs[i]
            tag = _logits_tag(out)
            out = out.data if isinstance(out, Tensor) else out
            # the cross-entropy metrics read the logits of a softmax / sigmoid output, as
            # tf_keras's do (its tagged output; See _loss_inputs._logits_of)
            logits[i] = out if sp.activation is not None else tag
            # Keras 2's metrics see what the model outputs: the logits of a from_logits loss,
            # else the output layer's activation of the logits the fused loss was given
            # (softmax and sigmoid keep the argmax: the accuracies by argmax skip it)
            argmax_only = sp.activation is not None and all(fn in _ARGMAX_METRICS for _, fn in fns)
            if argmax_only:
                pass
            elif sp.activation == "softmax":
                out = _np_softmax(out)
            elif sp.activation == "sigmoid":
                out = 1.0 / (1.0 + np.exp(-out))
            m = self._output_mask(i)
            rows = _time_rows(out, ys[i], None, sp.loss_fn)  # the unweighted, unmasked form
            prepared[i] = (out, rows, m.data if isinstance(m, Tensor) else m)
        for weighted in (False, True):  # metrics_names order: all metrics, then weighted ones
            for i, sp in enumerate(self._out_specs):
                if i not in prepared:
                    continue
                out, (rows_out, rows_y), m = prepared[i]
                w = sws[i] if weighted and sws is not None else None
                prefix = f"{sp.name}_" if multi else ""
                for nm, fn in (sp.weighted_fns if weighted else sp.metric_fns):
                    obj = stateful.get(prefix + nm)
                    if obj is not None:  # the running result over the epoch so far (Keras 2)
                        obj.update_state(ys[i], out, training_utils.combine_weights(w, m))
                        v = training_utils.metric_value(obj.result())
                    elif fn in _CE_METRICS and logits[i] is not None and m is None and w is None:
                        v = _losses.batch_mean(_CE_METRICS[fn])(ys[i], Tensor(logits[i]),
                                                                from_logits=True)
                        v = float(_device.to_host(v.data if isinstance(v, Tensor) else v))
                    elif m is None and w is None and isinstance(fn, training_utils.UserMetric):
                        # called on the output as the model gives it (See Note [metric values])
                        v, wsums[prefix + nm] = training_utils.metric_batch(fn, ys[i], out)
                    elif m is None and w is None:
                        v = _device.batch_metrics([(nm, fn)], rows_y, rows_out)[nm]
                    else:
                        v, wsums[prefix + nm] = training_utils.weighted_metric(fn, ys[i], out, w, m)
                    res[prefix + nm] = v
        self.__dict__["_metric_weight_sums"] = wsums
        return res

    # ---- public training API ----------------------------------------------------------------
    def _check_compiled(self, where):
        if not self._compiled:
            raise RuntimeError(f"{where}: you must compile the model before "
                               f"{'training' if where in ('fit', 'train_on_batch') else 'using'} "
                               "it (model.compile(...))")

    def _standardize_arrays(self, data, where):
        """(x, y) or (x, y, sample_weight) -> (inputs, targets, weights), each a list."""
        xs = self._standardize_x(data[0], where)
        ys = self._standardize_y(data[1], xs[0].shape[0], where)
        sws = training_utils.standardize_weights(self, ys, data[2] if len(data) > 2 else None,
                                                 None, where)
        return xs, ys, sws

    @_frees_last_run
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            distributed=False, validation_batch_size=None, **kwargs):
        if "nb_epoch" in kwargs:  # Keras 1's name, which Keras 2.2 still took (with a warning)
            import warnings
            warnings.warn("fit: the `nb_epoch` argument has been renamed `epochs`.",
                          stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        _no_other_arguments("fit", kwargs)
        verbose = _auto_verbose(verbose)
        self._check_compiled("fit")
        if isinstance(shuffle, str) and shuffle != "batch":
            raise ValueError(f"fit: shuffle must be True, False or 'batch', got {shuffle!r}")
        if shuffle != "batch":
            shuffle = bool(shuffle)  # tf_keras 2 shuffles on any true value (`shuffle=0.2`)
        for name, v in (("epochs", epochs), ("initial_epoch", initial_epoch)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"fit: {name} must be an int, got {type(v).__name__} {v!r}")
            if v < 0:
                raise ValueError(f"fit: {name} must be >= 0, got {v}")
        _check_epochs("fit", epochs)
        if custom_step.wants(self, "train_step", x):  # See Note [step logs] (custom_step.py)
            if distributed:
                raise ValueError("fit: distributed=True trains through the built-in step on "
                                 "arrays; it does not run an overridden train_step or a Dataset")
            return custom_step.fit(self, x, y, batch_size, epochs, verbose, callbacks,
                                   validation_split, validation_data, shuffle, class_weight,
                                   sample_weight, initial_epoch, steps_per_epoch,
                                   validation_steps, validation_freq, validation_batch_size)
        if training_generator.is_generator_like(x):
            if y is not None or sample_weight is not None or validation_split:
                raise ValueError("fit: when x is a generator or a Sequence, y, sample_weight and "
                                 "validation_split must not be given (the generator yields "
                                 "(x, y) or (x, y, sample_weight) tuples)")
            if distributed:
                raise ValueError("fit: distributed=True takes arrays, not a generator")
            return self.fit_generator(x, steps_per_epoch, epochs, verbose, callbacks,
                                      validation_data, validation_steps, validation_freq,
                                      class_weight, shuffle=shuffle, initial_epoch=initial_epoch)
        batch_size = _batch_size("fit", batch_size)
        xs = self._standardize_x(x, "fit")
        ys = self._standardize_y(y, xs[0].shape[0], "fit")
        sws = training_utils.standardize_weights(self, ys, sample_weight, class_weight, "fit")
        val, validate = None, None
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            n = xs[0].shape[0]
            split = int(n * (1.0 - validation_split))
            if split == 0 or split == n:
                raise ValueError(f"fit: validation_split={validation_split} leaves an empty "
                                 f"training or validation set for {n} samples")

            def cut(arrays, part):
                return [None if a is None else part(a) for a in arrays]
            val = tuple(cut(a, lambda a: a[split:]) for a in (xs, ys, sws))
            xs, ys, sws = (cut(a, lambda a: a[:split]) for a in (xs, ys, sws))
        elif validation_data is not None:
            if training_generator.is_generator_like(validation_data):
                validate = training_generator._validator(self, validation_data, validation_steps,
                                                         "fit")
            elif not isinstance(validation_data, (tuple, list)) or len(validation_data) < 2 \
                    or len(validation_data) > 3:
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, val_sample_weights), a generator or a Sequence")
            else:
                val = self._standardize_arrays(validation_data, "fit (validation_data)")
        for a in xs:
            if a.dtype.kind == "f" and not _device.is_device_array(a) and not np.isfinite(a).all():
                import warnings
                warnings.warn("fit: x contains NaN or infinite values; the loss will likely be "
                              "NaN", RuntimeWarning, stacklevel=2)
                break
        self.history = training_arrays.fit_loop(
            self, xs, ys, batch_size=batch_size, epochs=epochs, verbose=verbose,
            callbacks=callbacks, val=val, shuffle=shuffle, initial_epoch=initial_epoch,
            distributed=distributed, sws=sws, steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps, validation_freq=validation_freq,
            validate=validate, validation_batch_size=validation_batch_size)
        return self.history

    @_frees_last_run
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False, distributed=False, **kwargs):
        _no_other_arguments("evaluate", kwargs)
        verbose = _auto_verbose(verbose)
        self._check_compiled("evaluate")
        if custom_step.wants(self, "test_step", x):
            return custom_step.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                        callbacks, return_dict)
        if training_generator.is_generator_like(x):
            if y is not None or sample_weight is not None:
                raise ValueError("evaluate: when x is a generator or a Sequence, y and "
                                 "sample_weight must not be given (the generator yields them)")
            res = self.evaluate_generator(x, steps, callbacks=callbacks, verbose=verbose)
            return dict(zip(self._all_metrics_names(), np.atleast_1d(res).tolist())) \
                if return_dict \
                else res
        batch_size = _batch_size("evaluate", batch_size)
        xs, ys, sws = self._standardize_arrays((x, y, sample_weight), "evaluate")
        own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
        cbs = training_arrays.CallbackList(callbacks or [], self, training_arrays.loop_params(
            verbose, steps, xs, batch_size))  # See Note [callback params and logs]
        cbs.on_test_begin({})
        res = training_arrays.test_loop(self, xs, ys, batch_size=batch_size,
                                        verbose=0 if own is not None else verbose,
                                        distributed=distributed, sws=sws, steps=steps, cbl=cbs)
        logs = dict(zip(self._all_metrics_names(), res))
        cbs.on_test_end(logs)
        if return_dict:  # (tf_keras 2's evaluate(return_dict=True))
            return logs
        return res if len(res) > 1 else res[0]

    @_frees_last_run
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False, **kwargs):
        _no_other_arguments("predict", kwargs)
        verbose = _auto_verbose(verbose)  # a bar per call, as tf_keras 2.21 (Keras 2.2: 0)
        if custom_step.wants(self, "predict_step", x):
            return custom_step.predict(self, x, batch_size, verbose, steps, callbacks)
        if training_generator.is_generator_like(x):
            return self.predict_generator(x, steps, callbacks=callbacks, verbose=verbose)
        batch_size = _batch_size("predict", batch_size)
        xs = self._standardize_x(x, "predict")
        own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
        cbs = training_arrays.CallbackList(callbacks or [], self, training_arrays.loop_params(
            verbose, steps, xs, batch_size))  # See Note [callback params and logs]
        t0 = time.time()
        cbs.on_predict_begin({})
        outs = training_arrays.predict_loop(self, xs, batch_size=batch_size, steps=steps,
                                            cbl=cbs)
        cbs.on_predict_end({})
        if verbose in (1, 2) and own is None:  # tf_keras 2's bar and line count steps (Keras 2.2's, samples)
            n = outs[0].shape[0]
            bar = _cb.Progbar(-(-n // batch_size), verbose=verbose, unit="step")
            bar.start = t0
            bar.update(bar.target, finalize=True)
        return self._pack_outputs(outs)

    # ---- tf.keras 2's overridable steps (custom_step.py) -------------------------------------
    @custom_step.default_step
    def train_step(self, data):
        """One training step on ``data`` (See Note [step logs] in custom_step.py); returns the
        logs dict. fit() calls an override per batch."""
        return custom_step.train_step(self, data)

    @custom_step.default_step
    def test_step(self, data):
        return custom_step.test_step(self, data)

    @custom_step.default_step
    def predict_step(self, data):
        return custom_step.predict_step(self, data)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """tf.keras 2.11+: the compiled loss of a batch, with the model's added losses."""
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        """tf.keras 2.11+: update the compiled metrics; returns get_metrics_result()."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        return {m.name: m.result() for m in self.metrics}

    @property
    def _is_compiled(self):
        """tf_keras' flag set by compile (keract checks it before reading activations)."""
        return self._compiled

    @property
    def compiled_loss(self):
        return custom_step.compiled_loss(self) if self._compiled else None

    @property
    def compiled_metrics(self):
        return custom_step.compiled_metrics(self) if self._compiled else None

    @property
    def metrics(self):
        """The compiled loss' and metrics' objects (once used) and the Metric objects the model
        holds: what fit resets when each epoch begins (tf.keras 2's Model.metrics)."""
        return custom_step.model_metrics(self)

    # ---- Keras 2 generator names (training_generator.py) ------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                      shuffle=True, initial_epoch=0):
        """Train on batches from a generator or a Sequence (``workers`` /
        ``use_multiprocessing`` / ``max_queue_size`` accepted; the batches are made in-process)."""
        self._check_compiled("fit_generator")
        _check_epochs("fit_generator", epochs)
        self.history = training_generator.fit_generator(
            self, generator, steps_per_epoch, epochs, verbose, callbacks, validation_data,
            validation_steps, validation_freq, class_weight, shuffle, initial_epoch)
        return self.history

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        self._check_compiled("evaluate_generator")
        res = training_generator.evaluate_generator(self, generator, steps, verbose, callbacks)
        return res if len(res) > 1 else res[0]

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        return self._pack_outputs(training_generator.predict_generator(self, generator, steps,
                                                                       verbose, callbacks))

    def _pack_outputs(self, outs):
        if self._is_graph_network:
            if isinstance(self._nested_outputs, (list, tuple, dict)):
                return pack_like(self._nested_outputs, outs)
            return outs[0]
        return outs[0] if isinstance(self.output_shape_, tuple) else outs

    @_frees_last_run
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        self._check_compiled("train_on_batch")
        if custom_step.overrides(self, "train_step"):
            return custom_step.on_batch(self, "train_step", x, y, sample_weight, reset_metrics,
                                        return_dict)
        xs = self._standardize_x(x, "train_on_batch")
        ys = self._standardize_y(y, xs[0].shape[0], "train_on_batch")
        sws = training_utils.standardize_weights(self, ys, sample_weight, class_weight,
                                                 "train_on_batch")
        xp = _device.device_module()
        _device.place_model(self, xp)
        xs, ys, sws = ([_device.to_device(a, xp) for a in arr] for arr in (xs, ys, sws))
        if reset_metrics:
            self.reset_metrics()
        loss, parts, outs, mets = self._train_batch(xs, ys, self._compiled_params(), sws, True)
        return self._batch_result(ys, outs, sws, [loss] + parts, return_dict, mets,
                                  batch=xs[0].shape[0])

    @_frees_last_run
    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._check_compiled("test_on_batch")
        if custom_step.overrides(self, "test_step"):
            return custom_step.on_batch(self, "test_step", x, y, sample_weight, reset_metrics,
                                        return_dict)
        xs = self._standardize_x(x, "test_on_batch")
        ys = self._standardize_y(y, xs[0].shape[0], "test_on_batch")
        sws = training_utils.standardize_weights(self, ys, sample_weight, None, "test_on_batch")
        xp = _device.device_module()
        _device.place_model(self, xp)
        xs, ys, sws = ([_device.to_device(a, xp) for a in arr] for arr in (xs, ys, sws))
        if reset_metrics:
            self.reset_metrics()
        loss, parts, outs = self._test_batch(xs, ys, sws)
        losses = [float(_device.to_host(v)) for v in [loss] + parts]  # 0-d device arrays
        return self._batch_result(ys, outs, sws, losses, return_dict, batch=xs[0].shape[0])

    def _batch_result(self, ys, outs, sws, losses, return_dict, mets=None, *, batch):
        """train_on_batch / test_on_batch's return value (See Note [batch metrics]): the losses,
        the compiled metrics, then the Layer.add_metric values (a metric object's result(), else
        the running mean of the values added), in metrics_names order, as tf_keras 2."""
        if mets is None:  # (train_on_batch's are computed in the step, before backward)
            with no_grad():
                mets = self._batch_metrics(ys, outs, sws)
        added = self._added_metric_values()
        if added:
            known = self.__dict__.get("_added_metric_names") or []
            self.__dict__["_added_metric_names"] = known + [k for k in added if k not in known]
            self.__dict__["_metric_weight_sums"] = dict(
                self.__dict__.get("_metric_weight_sums") or {},
                **{k: c for k, (_, c) in added.items()})
        names = self._names_in_use()
        vals = dict(zip(names, losses))
        vals.update(mets)
        for k, (v, _) in added.items():
            vals.setdefault(k, v)  # (a compiled metric's name wins, as in evaluate)
        names = [k for k in names if k in vals]
        # (the inputs' batch: a model's output may be a scalar, a loss computed in a Lambda)
        res = self._running_batch_logs(names, [vals[k] for k in names], batch)
        objs = self._added_metric_objects() if added else {}
        res = [training_utils.metric_value(objs[k].result()) if k in objs else v
               for k, v in zip(names, res)]
        if return_dict:
            return dict(zip(names, res))
        return res if len(res) > 1 else res[0]

    @_frees_last_run
    def predict_on_batch(self, x):
        xs = self._standardize_x(x, "predict_on_batch")
        return self._pack_outputs(training_arrays.predict_loop(self, xs, batch_size=xs[0].shape[0]))

    # ---- files ------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            filepath = saving.model_path(filepath, writing=True)  # parents made, as Keras 2
            if not saving.proceed_with_overwrite(filepath, overwrite):
                return None
            return _h5.save_model(self, filepath, include_optimizer=include_optimizer)
        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        if not saving.proceed_with_overwrite(filepath, overwrite):
            return None
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.save_weights(self, filepath)
        saving.save_weights(self, filepath)
        tf_train.update_checkpoint_state(filepath)  # for tf.train.latest_checkpoint

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        if _h5.is_hdf5_file(filepath):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        return json.dumps({"class_name": _class_name_of(self), "config": self.get_config()},
                          **kwargs)

    def to_yaml(self, **kwargs):
        """Keras 2 (TensorFlow >= 2.6) removed YAML model descriptions: the same RuntimeError."""
        raise RuntimeError(
            "Method `model.to_yaml()` has been removed due to security risk of "
            "arbitrary code execution. Please use `model.to_json()` instead.")


# metrics that read only the argmax of the output, so logits give the same value as probabilities
_ARGMAX_METRICS = (_metrics.categorical_accuracy, _metrics.sparse_categorical_accuracy)
# the cross-entropy metrics, by the loss that computes them from logits
_CE_METRICS = {_metrics.binary_crossentropy: _losses.binary_crossentropy,
               _metrics.categorical_crossentropy: _losses.categorical_crossentropy,
               _metrics.sparse_categorical_crossentropy: _losses.sparse_categorical_crossentropy}


def _logits_tag(out):
    """The logits a softmax / sigmoid output Tensor carries (activations.tag_logits), or None."""
    z = getattr(out, "_keras_logits", None) if isinstance(out, Tensor) else None
    return z.data if isinstance(z, Tensor) else None

def _class_name_of(model):
    return "Functional" if type(model).__name__ == "Model" else type(model).__name__

# Note [one-output step]: most models have one output, no sample weights and no mask, and train
# with categorical cross-entropy from a softmax layer, fused into the loss (Note [fused output]).
# For them the step's loss is _SoftmaxXent.apply on the logits and the targets as they are, which
# is what the general path reaches through losses.categorical_crossentropy and
# ops.softmax_cross_entropy after their checks: the same op on the same arrays (the same value
# and gradient), without the layers in between. Anything else takes the general path.
def _fused_xent(sp, y, out):
    """The fused loss Tensor for one output (See Note [one-output step]), or None."""
    if sp.fused != "softmax" or sp.loss_fn is not _losses.categorical_crossentropy or \
            sp.weight != 1.0 or type(out) is not Tensor or type(y) is not np.ndarray:
        return None
    z = getattr(out, "_keras_logits", None)  # a softmax output's logits (_loss_inputs._logits_of)
    if z is not None:
        out = z
    d = out.data
    if type(d) is not np.ndarray or d.ndim != 2 or d.dtype != np.float32 or \
            y.dtype != np.float32 or y.shape != d.shape:
        return None
    return _SoftmaxXent.apply(out, y, False, "mean")


def _scalar(v):
    v = v.data if isinstance(v, Tensor) else v
    return float(v)


def _raw(v):
    """A loss value for summing in a loop: a float on the host, a 0-d array on the device."""
    v = v.data if isinstance(v, Tensor) else v
    return v if _device.is_device_array(v) else float(v)


def _time_rows(out, y, mask, loss_fn):
    """Keras 2 on outputs of rank >= 3 (sequences (B, T, C), images (B, H, W, C)): the loss and
    metrics average over every position, and over only the time steps whose mask (B, T) is set;
    sparse labels (B, T) pair with (B, T, C) outputs. Returns (out, y) as rows (positions, C)
    holding the kept positions, (out, y) unchanged for a 2-D output without a mask, or
    (None, None) when every step is masked. (The crossentropies divide by the number of rows,
    so a (B, T, C) output must reach them as (B * T, C) rows.)"""
    if y is None or out is None or len(out.shape) < 3:
        return out, y
    if mask is None and loss_fn not in _LOSS_BUILTINS:
        return out, y  # a user loss sees the output as the model gives it
    n, T = out.shape[:2]
    m = mask.data if isinstance(mask, Tensor) else mask
    if m is not None and tuple(m.shape) != (n, T):
        m = None  # not a per-step mask of this output
    C = out.shape[-1]
    sparse = loss_fn is _losses.sparse_categorical_crossentropy and y.ndim == len(out.shape) - 1
    per_step = int(np.prod(out.shape[2:-1], dtype=np.int64))  # positions per (b, t)
    rows_out = (B.reshape(out, (-1, C)) if isinstance(out, Tensor) else out.reshape(-1, C))
    rows_y = y.reshape(-1) if sparse else y.reshape(-1, y.shape[-1])
    if m is None:
        return rows_out, rows_y
    xp = _array_module(m)
    keep = xp.nonzero(xp.repeat(m.reshape(-1), per_step))[0]
    if int(keep.size) == 0:
        return None, None
    rows_out = B.getitem(rows_out, keep) if isinstance(rows_out, Tensor) else rows_out[keep]
    return rows_out, rows_y[_array_module(rows_y).asarray(keep)]


from . import auto_config as _auto_config  # noqa: E402
from ..symbolic import node as _node  # noqa: E402
_node.ENGINE["Model"] = Model  # K.function builds one (See node.ENGINE)

_auto_config.register(Model)  # See Note [automatic config] (auto_config.py)
