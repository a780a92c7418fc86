"""Model: compile and the argument handling of fit / evaluate / predict / *_on_batch (Keras 2's
keras/engine/training.py). The loops themselves are in training_arrays.py, saving in saving.py.

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
import json

import numpy as np

from .. import _device
from .._text import as_bytes_array, is_text
from .. import callbacks as _cb
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .._xp import array_module as _array_module
from ..autograd import Tensor, _wrap, enable_grad, no_grad
from ..backend_ops import variables as _K
from ..ops import basic as B
from ..ops.losses_ops import _SoftmaxXent
from ..saving import hdf5_format as _h5
from . import (compiled_step, custom_step, saving, training_arrays, training_generator,
               training_utils)
from .base_layer import _VERSION, Layer, _shape_str, call_context, invoke_call
from .network import Network
from .node import flatten, pack_like


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class _OutputSpec:
    """What compile() resolved for one model output."""

    __slots__ = ("name", "loss", "loss_fn", "weight", "metric_specs", "metric_fns", "fused",
                 "weighted_specs", "weighted_fns", "from_logits", "activation")

    def __init__(self, name, loss, weight, metric_specs, weighted_specs=()):
        self.name = name
        self.loss = loss
        self.loss_fn, self.from_logits = _builtin_form(
            _losses.get(loss) if loss is not None else None)
        self.weight = float(weight)
        self.metric_specs = list(metric_specs)
        self.metric_fns = []
        self.weighted_specs = list(weighted_specs)
        self.weighted_fns = []
        self.fused = None
        self.activation = None  # the output layer's own activation when it hands over logits


def _per_output(arg, names, what, default=None):
    """A compile argument given once, as a list in output order, or as a dict by output name."""
    n = len(names)
    if isinstance(arg, dict):
        unknown = [k for k in arg if k not in names]
        if unknown:
            raise ValueError(f"compile: unknown output name(s) {unknown} in {what}; the model's "
                             f"outputs are {names}")
        return [arg.get(nm, default) for nm in names]
    if isinstance(arg, (list, tuple)) and what in ("loss", "loss_weights"):
        if len(arg) != n:
            raise ValueError(f"compile: when passing a list as {what}, it should have one entry "
                             f"per model output. The model has {n} outputs, but you passed "
                             f"{what}={list(arg)!r}")
        return list(arg)
    return [arg if arg is not None else default] * n


def _check_epochs(op, epochs):
    """Keras 2 refuses a fit of no epochs ("Expected epochs to be positive"), before any
    callback runs; epochs <= initial_epoch is a fit of nothing, returning an empty History."""
    if not isinstance(epochs, bool) and isinstance(epochs, (int, np.integer)) and epochs < 1:
        raise ValueError(f"{op}: epochs must be positive (Keras 2: \"Expected epochs to be "
                         f"positive\"), got {epochs}")


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


class Model(Network):
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

    # ---- compile ----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None, **kwargs):
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights,
                              "weighted_metrics": weighted_metrics}
        self._compiled = True
        self.__dict__["_metrics_in_use"] = False  # See metrics_names
        self._trainable_snapshot = {id(l): l.trainable for l in self._flatten_layers()}
        self._out_specs = None
        if self._is_graph_network or self.built and self.output_shape_ is not None:
            self._resolve_outputs()

    def _output_names(self):
        if self._is_graph_network:
            return list(self.output_names)
        n = self._n_outputs()
        return ["output_1"] if n == 1 else [f"output_{i + 1}" for i in range(n)]

    def _n_outputs(self):
        s = self.output_shape_
        return 1 if s is None or (isinstance(s, tuple)) else len(s)

    def _output_shapes(self):
        if self._is_graph_network:
            return [t.shape for t in self.outputs]
        s = self.output_shape_
        return [s] if isinstance(s, tuple) else list(s)

    def _resolve_outputs(self):
        a = self._compile_args
        names = self._output_names()
        if a["loss"] is None and not self._has_added_losses() and \
                not custom_step.overrides(self, "train_step"):
            raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy' "
                             "(or add one with model.add_loss)")
        losses = _per_output(a["loss"], names, "loss")
        weights = _per_output(a["loss_weights"], names, "loss_weights", 1.0)
        mets = _metrics_per_output(a["metrics"], names)
        wmets = _metrics_per_output(a.get("weighted_metrics"), names)
        shapes = self._output_shapes()
        specs = [_OutputSpec(nm, l, w, ms, wms)
                 for nm, l, w, ms, wms in zip(names, losses, weights, mets, wmets)]
        fusable = self.fused_outputs()
        for i, sp in enumerate(specs):
            loss_for_metric = sp.loss if sp.loss is not None else "mse"
            sp.metric_fns = [_compiled_metric(*_metrics.resolve(mm, loss_for_metric, shapes[i]))
                             for mm in sp.metric_specs]
            taken = {nm for nm, _ in sp.metric_fns}
            sp.weighted_fns = [  # tf_keras: 'weighted_' only where the name is taken
                ("weighted_" + nm if nm in taken else nm, fn) for nm, fn in (
                    _compiled_metric(*_metrics.resolve(mm, loss_for_metric, shapes[i]))
                    for mm in sp.weighted_specs)]
            kind, fn = fusable.get(i), sp.loss_fn
            if sp.from_logits:  # the output itself holds the logits: the fused loss, as it is
                sp.fused = "sigmoid" if fn is _losses.binary_crossentropy else "softmax"
            elif kind and fn in (_losses.categorical_crossentropy,
                                 _losses.sparse_categorical_crossentropy):
                sp.fused = "softmax"  # a sigmoid output too (See Note [fused output])
            elif kind and fn is _losses.binary_crossentropy:
                sp.fused = "sigmoid"  # a softmax output too
            if sp.fused and not sp.from_logits:
                sp.activation = kind
        self._out_specs = specs
        self.__dict__["_metric_targets_bound"] = False  # See _bind_metric_targets
        self._logits_outputs = frozenset(i for i, sp in enumerate(specs)
                                         if sp.fused and not sp.from_logits)
        self._stateful = self._stateful_metric_objects()

    def _stateful_metric_objects(self):
        """{metrics_name: Metric} for the compiled metrics driven through reset_state /
        update_state / result (See Note [metric classes in fit], metrics/compile_utils.py). One
        object given for several outputs is copied per output, as Keras 2 does."""
        import copy
        out, seen = {}, set()
        multi = len(self._out_specs) > 1
        for weighted in (False, True):
            for sp in self._out_specs:
                for nm, fn in (sp.weighted_fns if weighted else sp.metric_fns):
                    obj = _metrics.is_stateful(fn)
                    if obj is None:
                        continue
                    if id(obj) in seen:
                        obj = copy.deepcopy(obj)
                    seen.add(id(obj))
                    out[f"{sp.name}_{nm}" if multi else nm] = obj
        return out

    def reset_metrics(self):
        """Reset the state of the compiled metric objects (Keras 2's Model.reset_metrics), and
        the running means train_on_batch / test_on_batch keep (See Note [batch metrics])."""
        for m in (self.__dict__.get("_stateful") or {}).values():
            m.reset_state()
        if Layer._metrics_added:  # the metric objects layers hold (Keras 2's model.metrics)
            for m in Layer.metrics.fget(self):
                m.reset_state()
        self.__dict__["_batch_running"] = None

    def _keep_running_state(self, sums, counts, stateful):
        """What an epoch of fit, or an evaluate, summed becomes the running state that a later
        train_on_batch / test_on_batch(reset_metrics=False) continues (tf_keras's metric objects
        keep the last epoch's, or the last validation's, state until reset)."""
        keep = [k for k in sums if k not in stateful]
        self.__dict__["_batch_running"] = (
            {k: float(_device.to_host(sums[k])) for k in keep},
            {k: float(_device.to_host(counts[k])) for k in keep})

    # Note [batch metrics]
    # Keras 2's train_on_batch / test_on_batch return the compiled metrics' state: the loss and
    # every metric are running means over the batches since the last reset (weighted by the
    # batch size, or by the sample-weight / mask sums for the weighted ones). A call with
    # reset_metrics=True (the default) resets them first, so it reports its own batch; with
    # reset_metrics=False the batch joins the running means. Both calls share the state, as
    # Keras 2's metric objects are shared; fit and evaluate reset it when they start, and leave
    # their last epoch's (or the last validation's, or evaluate's) sums as the state.
    def _running_batch_logs(self, names, vals, batch_size):
        """The running means of ``vals`` (one per metrics_names entry) after adding a batch."""
        run = self.__dict__.get("_batch_running")
        if run is None:
            run = self.__dict__["_batch_running"] = ({}, {})
        sums, counts = run
        stateful = self.__dict__.get("_stateful") or {}
        wsums = self.__dict__.get("_metric_weight_sums") or {}
        out = []
        for k, v in zip(names, vals):
            if k in stateful:  # its object holds the running state
                out.append(training_utils.metric_value(stateful[k].result()))
                continue
            c = float(_device.to_host(wsums.get(k, batch_size)))
            sums[k] = sums.get(k, 0.0) + float(_device.to_host(v)) * c
            counts[k] = counts.get(k, 0.0) + c
            out.append(sums[k] / counts[k] if counts[k] else 0.0)
        return out

    def _has_added_losses(self):
        # a user-defined layer in the graph may add_loss in its call (Keras 2 then accepts
        # compile() without a loss; fit() says so if no loss turns up)
        return bool(self.__dict__.get("_symbolic_losses")) or any(
            l.losses_fns or not type(l).__module__.startswith("tensorforge.")
            or type(l).__name__ == "ActivityRegularization"
            for l in self._flatten_layers()) or not self._is_graph_network

    @property
    def metrics_names(self):
        """The names of the values fit / evaluate / train_on_batch log, in order. As tf_keras 2
        (which builds its metric containers on first use): [] from compile until the first fit,
        evaluate, train_on_batch or test_on_batch (predict does not count), but for the
        Layer.add_metric names of a functional model's graph, listed from the start."""
        if custom_step.overrides(self, "train_step") or custom_step.overrides(self, "test_step"):
            return [m.name for m in self.metrics]  # tf.keras 2 (See custom_step.py)
        if not self.__dict__.get("_metrics_in_use"):
            if not Layer._metrics_added or not self._is_graph_network:
                return []
            names = []
            for l in self._flatten_layers():
                names += [n for n in l.__dict__.get("_graph_metric_names", ()) if n not in names]
            return names
        return self._all_metrics_names()

    def _names_in_use(self):
        """metrics_names for a train / test run starting, which makes them public."""
        self.__dict__["_metrics_in_use"] = True
        return self._all_metrics_names()

    def _all_metrics_names(self):
        if custom_step.overrides(self, "train_step") or custom_step.overrides(self, "test_step"):
            return [m.name for m in self.metrics]
        if not self._compiled or self._out_specs is None:
            return ["loss"] if self._compiled else []
        names = ["loss"]
        multi = len(self._out_specs) > 1
        if multi:
            names += [f"{sp.name}_loss" for sp in self._out_specs if sp.loss_fn is not None]
        for sp in self._out_specs:
            for nm, _ in sp.metric_fns:
                names.append(f"{sp.name}_{nm}" if multi else nm)
        for sp in self._out_specs:  # tf_keras: every output's metrics, then the weighted ones
            for nm, _ in sp.weighted_fns:
                names.append(f"{sp.name}_{nm}" if multi else nm)
        # then the Layer.add_metric names the last evaluate found (tf_keras' model.metrics)
        names += [n for n in self.__dict__.get("_added_metric_names", ()) if n not in names]
        return names

    @property
    def _metric_fns(self):
        """[(name, fn)] of every output's compiled metrics (in metrics_names order)."""
        return [m for sp in (self._out_specs or []) for m in sp.metric_fns + sp.weighted_fns]

    # ---- argument handling ------------------------------------------------------------------
    def _as_array(self, a, where, what):
        if isinstance(a, Tensor):
            a = a.data if _device.is_device_array(a.data) else a.numpy()
        if not _device.is_device_array(a):
            try:
                a = np.asarray(a)
            except ValueError as e:  # nested lists of different lengths
                raise ValueError(f"{where}: {what} must be a rectangular array (one shape for "
                                 f"every sample), got ragged nested lists: {e}") from None
        if is_text(a):  # string data reaches the layers that read it (StringLookup) as bytes
            a = as_bytes_array(a, f"{where}: {what}")
        elif a.dtype.kind not in "fiub":
            raise TypeError(f"{where}: {what} must be a numeric array, got dtype {a.dtype}")
        if a.ndim == 0 or a.shape[0] == 0:
            raise ValueError(f"{where}: {what} must be a non-empty array with a batch axis, got "
                             f"shape {a.shape}")
        return a

    def _standardize_x(self, x, where):
        """The inputs as a list of arrays, one per model input, shapes checked: float32, or the
        integer dtype of an integer Input (a subclassed model: integer data as given)."""
        if x is None:
            raise ValueError(f"{where}: x is required")
        if self._is_graph_network:
            names = self.input_names
            if isinstance(x, dict):
                missing = [n for n in names if n not in x]
                if missing:
                    unknown = [k for k in x if k not in names]
                    raise ValueError(f"{where}: no data provided for input(s) {missing}; the dict "
                                     f"must have keys {names}, got keys {list(x)}" + (
                                         f" ({unknown} name no input)" if unknown else ""))
                xs = [x[n] for n in names]
            else:
                xs = _input_list(x, len(names))
            if len(xs) != len(names):
                raise ValueError(f"{where}: the model expects {len(names)} input arrays "
                                 f"({names}), but received {len(xs)}")
        elif isinstance(x, dict):  # a subclassed model's call takes the dict (Keras 2)
            xs = list(x.values())
        else:
            xs = _input_list(x, None)
        out = []
        for i, a in enumerate(xs):
            a = self._as_array(a, where, "x" if len(xs) == 1 else f"x[{i}]")
            known = self._is_graph_network and i < len(self.inputs)
            if a.dtype == object and known and self.inputs[i].dtype != object:
                raise TypeError(f"{where}: {'x' if len(xs) == 1 else f'x[{i}]'} must be a "
                                f"numeric array for input {self.input_names[i]!r} of dtype "
                                f"{self.inputs[i].dtype.name}, got strings (only an "
                                'Input(dtype="string") takes text)')
            want = self.inputs[i].dtype if known else None
            if want is not None and want.kind in "iub" and a.dtype != object:
                if a.dtype != want:  # an integer Input gets ids of its dtype, as Keras 2 casts
                    a = a.astype(want)  # them (network._conform_dtype: the same for model(x))
            elif not self._is_graph_network and a.dtype.kind in "iub":
                pass  # a subclassed model's call() gets integer data as is, as from model(x)
            elif a.dtype != np.float32 and a.dtype != object:
                a = a.astype(np.float32)  # Keras' floatx, once at the boundary
            out.append(a)
        n = out[0].shape[0]
        for i, a in enumerate(out):
            if a.shape[0] != n:
                raise ValueError(f"{where}: all input arrays must have the same number of "
                                 f"samples, got {[b.shape[0] for b in out]}")
        if not self._is_graph_network:
            self._subclass_in_struct = x if isinstance(x, (list, tuple, dict)) else None
        self._ensure_built(out, where)
        if self._is_graph_network:
            out = [_conform_rank(a, t.shape) for a, t in zip(out, self.inputs)]
            for i, (t, a) in enumerate(zip(self.inputs, out)):
                want, got = t.shape[1:], a.shape[1:]
                if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                    name = f" {self.input_names[i]!r}" if len(self.inputs) > 1 else ""
                    raise ValueError(f"{where}: expected input{name} of shape "
                                     f"{_shape_str(t.shape)} (each sample {_shape_str(want)}), "
                                     f"but got an array with shape {a.shape}")
        return out

    def _ensure_built(self, xs, where):
        """A subclassed model creates its weights on its first call: run it once on a sample."""
        if self._is_graph_network:
            return
        if self.output_shape_ is None:
            with no_grad():
                y = self(self._pack_inputs([Tensor(a[:1]) for a in xs]), training=False)
            ys = flatten(y)
            shapes = [(None,) + t.shape[1:] for t in ys]
            self.input_shape_ = [(None,) + a.shape[1:] for a in xs] if len(xs) > 1 else (
                (None,) + xs[0].shape[1:])
            self.output_shape_ = shapes[0] if not isinstance(y, (list, tuple)) else shapes
        if self._compiled and self._out_specs is None:
            self._resolve_outputs()

    def _pack_inputs(self, ts):
        if self._is_graph_network:
            return ts
        s = getattr(self, "_subclass_in_struct", None)
        if isinstance(s, dict):
            return dict(zip(s, ts))
        return ts[0] if s is None and len(ts) == 1 else list(ts)

    def _standardize_y(self, y, n, where):
        """The targets as a list with one entry per output (None where the output has no loss)."""
        specs = self._out_specs
        names = [sp.name for sp in specs]
        need = [sp.loss_fn is not None for sp in specs]
        if y is None:
            if any(need):
                raise ValueError(f"{where}: y is required (the model has a compiled loss)")
            return [None] * len(specs)
        if isinstance(y, dict):
            ys = [y.get(nm) for nm in names]
        elif len(specs) > 1:
            ys = list(y) if isinstance(y, (list, tuple)) else [y]
        elif isinstance(y, (list, tuple)) and len(y) == 1 and hasattr(y[0], "shape"):
            ys = [y[0]]
        else:
            ys = [y]
        if len(ys) < len(specs) and not any(need[len(ys):]):
            # Keras 2 pairs the targets with the outputs in order (zip): outputs past the last
            # target train nothing, which is right only when they have no loss (loss=[fn, None])
            ys = ys + [None] * (len(specs) - len(ys))
        if len(ys) != len(specs):
            raise ValueError(f"{where}: the model has {len(specs)} outputs ({names}), but "
                             f"received {len(ys)} target arrays")
        shapes = self._output_shapes()
        if not self.__dict__.get("_metric_targets_bound"):
            self._bind_metric_targets(ys, shapes)
        return [self._check_target(a, n, shapes[i], sp, where) if a is not None and need[i] else None
                for i, (a, sp) in enumerate(zip(ys, specs))]

    def _bind_metric_targets(self, ys, shapes):
        """Choose 'accuracy' / 'crossentropy' by the first targets' shapes, as tf_keras does on
        its first batch (metrics.resolve); until then the choice made at compile stands."""
        for i, (y, sp) in enumerate(zip(ys, self._out_specs)):
            if y is None:
                continue
            target = tuple(np.shape(y))  # (reads .shape; a nested list is converted)
            loss = sp.loss if sp.loss is not None else "mse"

            def rebind(specs, fns):
                return [(nm, _compiled_metric(*_metrics.resolve(mm, loss, shapes[i], target))[1])
                        if isinstance(mm, str) and mm in _metrics._SHAPE_CHOSEN else (nm, fn)
                        for mm, (nm, fn) in zip(specs, fns)]
            sp.metric_fns = rebind(sp.metric_specs, sp.metric_fns)
            sp.weighted_fns = rebind(sp.weighted_specs, sp.weighted_fns)
        self.__dict__["_metric_targets_bound"] = True

    def _check_target(self, y, n, out, spec, where):
        y = self._as_array(y, where, "y")
        if y.shape[0] != n:
            raise ValueError(f"{where}: x and y must have the same number of samples, got "
                             f"{n} inputs and {y.shape[0]} targets")
        fn = spec.loss_fn
        if y.dtype.kind not in "fiub":  # text targets: no built-in loss reads them
            raise TypeError(f"{where}: y for output {spec.name!r} must be numeric for the loss "
                            f"{getattr(fn, '__name__', fn)}, got dtype {y.dtype}")
        if fn is _losses.sparse_categorical_crossentropy:
            lead = (n,) + tuple(out[1:-1])  # (N,) or, for a sequence output, (N, T)
            if y.shape != lead and y.shape != lead + (1,) and not (
                    len(lead) == 1 and y.size == n):
                raise ValueError(f"{where}: sparse_categorical_crossentropy expects integer labels "
                                 f"of shape {_shape_str(lead)}, got {y.shape}")
            y = y.reshape(lead).astype(np.int64)
            if out[-1] is not None and (y.min() < 0 or y.max() >= out[-1]):
                raise ValueError(f"{where}: labels must lie in [0, {out[-1]}), got range "
                                 f"[{y.min()}, {y.max()}]")
            return y
        if fn is _losses.categorical_crossentropy and y.ndim == 1 and out[-1] and out[-1] > 1:
            raise ValueError(f"{where}: categorical_crossentropy expects one-hot targets of shape "
                             f"({n}, {out[-1]}), got integer labels of shape {y.shape}; use "
                             "utils.to_categorical(y) or loss='sparse_categorical_crossentropy'")
        if y.ndim == len(out) - 1 and out[-1] == 1:
            y = y.reshape(y.shape + (1,))
        builtin = fn in _losses._BY_NAME.values()
        if builtin and y.shape[1:] != tuple(out[1:]) and None not in out[1:]:
            raise ValueError(f"{where}: a target array with shape {y.shape} was passed for an output "
                             f"of shape {_shape_str(out)}; targets must match the output")
        return y.astype(np.float32, copy=False)

    # ---- one step ---------------------------------------------------------------------------
    def _forward(self, xs, training, logits_outputs=frozenset()):
        """Output Tensors (a list) for input arrays ``xs``; this call's add_loss terms are set."""
        self._clear_call_losses()
        self.__dict__["_output_masks"] = None  # (Layer.__setattr__ would inspect the value)
        ts = [_wrap(a) if type(a) is np.ndarray else Tensor(a) for a in xs]
        if self._is_graph_network:
            return self._run_graph(ts, training, logits_outputs)
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
            if isinstance(l, Tensor) and l.size != 1:
                l = l.mean()  # a per-sample loss: Keras' sum_over_batch_size reduction
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
            done = compiled_step.train_batch(self, xs, ys, params, metrics)
            if done is not None:
                return done
        mets = None
        changed = self._set_requires_grad(params)
        try:
            with enable_grad(), _K.learning_phase_scope(1):
                outs = self._forward(xs, True, self._logits_outputs)
                loss, parts = self._loss_terms(ys, outs, multi, sws)
                if metrics:
                    with no_grad():
                        mets = self._batch_metrics(ys, outs, sws)
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
            # tf_keras's do (its tagged output; See losses._logits_of)
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

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            distributed=False, **kwargs):
        self._check_compiled("fit")
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"fit: shuffle must be True, False or 'batch', got {shuffle!r}")
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
                                   validation_steps, validation_freq)
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
            validate=validate)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                 return_dict=False, distributed=False, **kwargs):
        self._check_compiled("evaluate")
        if custom_step.wants(self, "test_step", x):
            return custom_step.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                        callbacks, return_dict)
        if training_generator.is_generator_like(x):
            if y is not None or sample_weight is not None:
                raise ValueError("evaluate: when x is a generator or a Sequence, y and "
                                 "sample_weight must not be given (the generator yields them)")
            res = self.evaluate_generator(x, steps, verbose=verbose)
            return dict(zip(self._all_metrics_names(), np.atleast_1d(res).tolist())) \
                if return_dict \
                else res
        batch_size = _batch_size("evaluate", batch_size)
        xs, ys, sws = self._standardize_arrays((x, y, sample_weight), "evaluate")
        cbs = training_arrays.CallbackList(callbacks or [], self, {"verbose": verbose,
                                                                    "steps": steps})
        cbs.on_test_begin({})
        res = training_arrays.test_loop(self, xs, ys, batch_size=batch_size, verbose=verbose,
                                        distributed=distributed, sws=sws, steps=steps)
        logs = dict(zip(self._all_metrics_names(), res))
        cbs.on_test_end(logs)
        if return_dict:  # (tf_keras 2's evaluate(return_dict=True))
            return logs
        return res if len(res) > 1 else res[0]

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False, **kwargs):
        if custom_step.wants(self, "predict_step", x):
            return custom_step.predict(self, x, batch_size, verbose, steps, callbacks)
        if training_generator.is_generator_like(x):
            return self.predict_generator(x, steps, verbose=verbose)
        batch_size = _batch_size("predict", batch_size)
        xs = self._standardize_x(x, "predict")
        cbs = training_arrays.CallbackList(callbacks or [], self, {"verbose": verbose,
                                                                    "steps": steps})
        cbs.on_predict_begin({})
        outs = training_arrays.predict_loop(self, xs, batch_size=batch_size, steps=steps)
        cbs.on_predict_end({})
        if verbose == 1:
            bar = _cb.Progbar(outs[0].shape[0])
            bar.update(outs[0].shape[0], finalize=True)
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
        res = training_generator.evaluate_generator(self, generator, steps, verbose)
        return res if len(res) > 1 else res[0]

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        return self._pack_outputs(training_generator.predict_generator(self, generator, steps,
                                                                       verbose))

    def _pack_outputs(self, outs):
        if self._is_graph_network:
            if isinstance(self._nested_outputs, (list, tuple, dict)):
                return pack_like(self._nested_outputs, outs)
            return outs[0]
        return outs[0] if isinstance(self.output_shape_, tuple) else outs

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
        loss, parts, outs, _ = self._train_batch(xs, ys, self._compiled_params(), sws)
        return self._batch_result(ys, outs, sws, [loss] + parts, return_dict)

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
        return self._batch_result(ys, outs, sws, losses, return_dict)

    def _batch_result(self, ys, outs, sws, losses, return_dict):
        """train_on_batch / test_on_batch's return value (See Note [batch metrics]): the losses,
        the compiled metrics, then the Layer.add_metric values (a metric object's result(), else
        the running mean of the values added), in metrics_names order, as tf_keras 2."""
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
        res = self._running_batch_logs(names, [vals[k] for k in names], outs[0].shape[0])
        objs = self._added_metric_objects() if added else {}
        res = [training_utils.metric_value(objs[k].result()) if k in objs else v
               for k, v in zip(names, res)]
        if return_dict:
            return dict(zip(names, res))
        return res if len(res) > 1 else res[0]

    def predict_on_batch(self, x):
        xs = self._standardize_x(x, "predict_on_batch")
        return self._pack_outputs(training_arrays.predict_loop(self, xs, batch_size=xs[0].shape[0]))

    # ---- files ------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            filepath = saving.model_path(filepath, writing=True)  # parents made, as Keras 2
            return _h5.save_model(self, filepath, include_optimizer=include_optimizer)
        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.save_weights(self, filepath)
        saving.save_weights(self, filepath)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        if _h5.is_hdf5_file(filepath):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        return json.dumps({"class_name": _class_name_of(self), "config": self.get_config()},
                          **kwargs)


_LOSS_BUILTINS = frozenset(_losses._BY_NAME.values())
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


_LOGIT_LOSSES = (_losses.categorical_crossentropy, _losses.sparse_categorical_crossentropy,
                 _losses.binary_crossentropy)


def _builtin_form(loss_fn):
    """(loss function, from_logits) for a compiled loss. A Keras loss class instance of a
    built-in (``CategoricalCrossentropy(from_logits=True)``, ``MeanSquaredError()``, ...) with
    the default reduction and default arguments computes exactly its function, so it becomes that
    function and trains on the same fused native path as the string name; ``from_logits=True``
    marks an output holding logits. Anything else (other reductions, label_smoothing, a subclass)
    stays the callable it is."""
    if not isinstance(loss_fn, _losses.Loss):
        return loss_fn, False
    cls = type(loss_fn)
    fn = cls.fn
    if _losses._CLASSES.get(cls.__name__) is not cls or fn not in _LOSS_BUILTINS or \
            loss_fn.reduction not in ("auto", "sum_over_batch_size"):
        return loss_fn, False
    kw = dict(loss_fn._fn_kwargs)
    from_logits = bool(kw.pop("from_logits", False))
    if any(_KW_DEFAULTS.get(k, object()) != v for k, v in kw.items()):
        return loss_fn, False
    if from_logits and fn not in _LOGIT_LOSSES:
        return loss_fn, False
    return fn, from_logits


_KW_DEFAULTS = {"label_smoothing": 0.0, "delta": 1.0, "axis": -1}


def _compiled_metric(name, fn):
    """(name, fn) as compile keeps a metric: the built-in functions (their fused batch means
    and device twins run in fit) and metric objects as they are, any other function as a
    ``training_utils.UserMetric`` (See Note [metric values] in training_utils.py)."""
    if not callable(fn) or _metrics.batch_mean(fn) is not None or \
            _metrics.is_stateful(fn) is not None or isinstance(fn, training_utils.UserMetric):
        return name, fn
    return name, training_utils.UserMetric(fn, getattr(fn, "__name__", name))


def _metrics_per_output(m, names):
    """compile's metrics / weighted_metrics as one list per output."""
    if isinstance(m, dict):
        return [list(v) if isinstance(v, (list, tuple)) else [v]
                for v in _per_output(m, names, "metrics", [])]
    if isinstance(m, (list, tuple)) and len(m) == len(names) and len(names) > 1 and all(
            isinstance(v, (list, tuple)) for v in m):
        return [list(v) for v in m]
    return [list(m or [])] * len(names)


def _class_name_of(model):
    return "Functional" if type(model).__name__ == "Model" else type(model).__name__


def _is_array(a):
    return hasattr(a, "shape") and hasattr(a, "dtype")


def _conform_rank(a, shape):
    """Keras 2's Functional._conform_to_reference_input: an array one axis short of an input
    whose last axis is 1 gains that axis ((N, 28, 28) for Input((28, 28, 1))); one with an
    extra trailing unit axis loses it."""
    if a.ndim == len(shape) - 1 and shape[-1] == 1:
        return a[..., None]
    if a.ndim == len(shape) + 1 and a.shape[-1] == 1:
        return a[..., 0]
    return a


def _input_list(x, n):
    """x as a list of per-input arrays: a list/tuple of arrays is one array per input; a nested
    Python list of numbers (``[[0, 1], [1, 0]]``) is one array, as Keras 2 takes it."""
    if isinstance(x, (list, tuple)) and x and all(_is_array(a) for a in x):
        if n == 1 and len(x) != 1 and all(np.ndim(a) == 0 for a in x):
            return [np.asarray(x)]
        return list(x)
    return [x]


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
    z = getattr(out, "_keras_logits", None)  # a softmax output's logits (losses._logits_of)
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
