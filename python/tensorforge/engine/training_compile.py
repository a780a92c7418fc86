"""What Model.compile resolves (Keras 2's keras/engine/training.py, compile's half): per model
output its loss, weight and metrics (_OutputSpec), the built-in form of a loss object, and the
names of the values fit / evaluate log (``metrics_names``). Model (training.py) takes these
methods from CompileMixin.
"""
from .. import _device
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from . import custom_step, training_utils
from .base_layer import Layer


_LOSS_BUILTINS = frozenset(_losses._BY_NAME.values())


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


class CompileMixin:
    """Model's compile, its per-output resolution and its metric names."""

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
            try:
                self._resolve_outputs()
            except Exception:
                self._compiled = False  # a failed compile leaves the model uncompiled: fit
                raise  # then says so, rather than failing on half-resolved outputs

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
        metric_names = set()
        for i, sp in enumerate(specs):
            loss_for_metric = sp.loss if sp.loss is not None else "mse"
            sp.metric_fns = [_compiled_metric(*_metrics.resolve(mm, loss_for_metric, shapes[i]))
                             for mm in sp.metric_specs]
            for nm, _ in sp.metric_fns:  # as tf_keras's MetricsContainer._set_metric_names
                full = f"{sp.name}_{nm}" if len(specs) > 1 else nm
                if full in metric_names:
                    raise ValueError(f"Found two metrics with the same name: {full}. All the "
                                     "metrics added to the model need to have unique names.")
                metric_names.add(full)
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
            or l._activity_regularizer is not None
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
    """compile's metrics / weighted_metrics as one list per output. A single metric (a name, a
    Metric object or a function) is a list of one, as Keras 2 takes it (the TF text
    classification tutorial's ``metrics=tf.metrics.BinaryAccuracy(threshold=0.0)``)."""
    if m is not None and not isinstance(m, (dict, list, tuple)):
        m = [m]
    if isinstance(m, dict):
        return [list(v) if isinstance(v, (list, tuple)) else [v]
                for v in _per_output(m, names, "metrics", [])]
    if isinstance(m, (list, tuple)) and len(m) == len(names) and len(names) > 1 and all(
            isinstance(v, (list, tuple)) for v in m):
        return [list(v) for v in m]
    return [list(m or [])] * len(names)
