"""Model's one train / test step (a mixin of Model, training.py): the forward pass, the compiled
losses of a batch (weighted, masked, per output), the optimizer step, and the batch's compiled
metrics. The loops (training_arrays.py, training_generator.py) and the *_on_batch methods call
``_train_batch`` / ``_test_batch`` / ``_batch_metrics``; compiled_step.py is the fast path of
``_train_batch`` for one output.
"""
import numpy as np

from .. import _device
from .. import losses as _losses
from .. import metrics as _metrics
from .._xp import array_module as _array_module
from ..autograd import Tensor, _wrap, enable_grad, keeping_inputs, no_grad
from ..backend_ops import variables as _K
from ..ops import basic as B
from ..ops.losses_ops import _SoftmaxXent
from . import compiled_step, training_utils
from .base_layer import call_context, invoke_call
from .graph_gradients import NeedsSecondOrder
from .layer_weights import _VERSION
from ..symbolic.node import _RUN_VALUES, flatten
from .training_compile import _LOSS_BUILTINS


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# Note [losses on graph tensors]
# Keras 2.2 evaluated a loss function once, on the graph: a loss (or metric) function may use
# tensors of the model's graph besides y_true and y_pred. Generative Deep Learning's VAE
# compiles ``vae_kl_loss`` over ``self.mu`` and ``self.log_var``, its WGAN-GP a gradient
# penalty over the interpolated images (``K.gradients(y_pred, interpolated_samples)``):
# KerasTensors of the model, which must mean their values in the batch being trained. (tf_keras
# 2.21 refuses them: "an intermediate TF-Keras symbolic input/output ... to a TF API".) So a
# graph model's forward keeps its run's values (Network._run_graph(keep=True)) and the loss and
# metrics are computed with them current, as a layer's call is during the run (See Note
# [closed-over graph tensors] in symbolic/node.py): an op on one of the model's KerasTensors
# takes its value in this batch, with its gradient; one the model does not compute is a
# ValueError naming it. The next forward drops them.
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



class TrainStepMixin:
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
        """The weights trainable at compile time (See training.py's module docstring)."""
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
