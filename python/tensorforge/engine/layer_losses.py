"""The Layer's losses and metrics (Keras 2's add_loss / add_metric / losses / metrics): per-call
terms, persistent callables, symbolic terms of a functional graph, activity-regularizer terms
(See Note [activity regularizer]) and add_metric values. A mixin of engine/base_layer.Layer."""
import warnings

import numpy as np

from .._xp import host
from ..autograd import Tensor
from ..symbolic.node import KerasTensor, flatten

# Bumped by every attribute set on any layer (Layer.__setattr__), add_loss and add_metric: the
# compiled training step (engine/compiled_step.py) rebuilds when it changes instead of reading
# every layer's configuration at every step.
_ATTRS = [0]


class LossesMixin:
    """Layer's losses and metrics; the attributes it reads (``_call_losses``, ``losses_fns``,
    ``name``, ``_flatten_layers``) are Layer's."""

    _metrics_added = False  # True once any layer in the process called add_metric

    # ---- losses -----------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None):
        """Add a loss term: a callable (evaluated at every step, e.g. a weight penalty), a Tensor
        computed inside ``call`` (this call's term, replaced at the next call) or, on a model, a
        KerasTensor of its graph (computed with the model's outputs)."""
        _ATTRS[0] += 1
        for loss in (losses if isinstance(losses, (list, tuple)) else [losses]):
            if loss is None:
                continue
            if isinstance(loss, KerasTensor):
                self.__dict__.setdefault("_symbolic_losses", []).append(loss)
                if hasattr(self, "_on_symbolic_loss"):
                    self._on_symbolic_loss()
            elif callable(loss) and not isinstance(loss, Tensor):
                self.losses_fns.append(loss)
            else:
                self._call_losses.append(loss if isinstance(loss, Tensor) else
                                         Tensor(np.float32(loss)))

    def _clear_call_losses(self):
        for l in self._flatten_layers():
            if l._call_losses:
                l._call_losses = []
            if l.__dict__.get("_call_metrics"):
                l._call_metrics = []

    def add_metric(self, value, name=None, aggregation=None):
        """Keras 2 ``add_metric``: report ``value`` (a Tensor computed in ``call``) as the metric
        ``name`` in fit()'s logs, averaged over the epoch (aggregation 'mean' or None)."""
        if aggregation not in (None, "mean"):
            raise ValueError(f'{self.name}.add_metric: aggregation must be "mean" or None, got '
                             f"{aggregation!r}")
        if name is None:  # a metric object's result (metric(y, p)) is named after the metric
            name = getattr(value, "name", None)
            if not isinstance(name, str) or not name:
                raise ValueError(f"{self.name}.add_metric: pass name= for the metric")
        if isinstance(value, KerasTensor):
            raise NotImplementedError(f"{self.name}.add_metric: symbolic (functional-graph) "
                                      "metrics are not supported; call add_metric in a layer's call")
        self.__dict__.setdefault("_call_metrics", []).append((str(name), value))
        _ATTRS[0] += 1
        LossesMixin._metrics_added = True  # from now on fit() looks for them (See _added_metrics)

    def _added_metric_objects(self):
        """{name: Metric} of this call's add_metric values that were a metric object's result
        (``add_metric(metric(y, p))``): Keras 2 logs such a metric's own state, result() at
        the end of the epoch, not a mean of its running results."""
        out = {}
        if not LossesMixin._metrics_added:
            return out
        for l in self._flatten_layers():
            for name, v in l.__dict__.get("_call_metrics", ()):
                obj = getattr(v, "_metric_obj", None)
                if obj is not None:
                    out[name] = obj
        return out

    @property
    def updates(self):
        """Keras 2 (TF 2): always empty, with tf_keras' deprecation warning (a BatchNormalization
        layer updates its moving statistics itself; Hands-On ML 2 ch. 11 reads ``bn1.updates``)."""
        warnings.warn("`layer.updates` will be removed in a future version. This property should "
                      "not be used in TensorFlow 2.0, as `updates` are applied automatically.",
                      stacklevel=2)
        return []

    @property
    def metrics(self):
        """The metric objects this layer (and its sublayers) holds as attributes (Keras 2's
        ``Layer.metrics``)."""
        from ..metrics import Metric  # deferred: metrics imports the engine
        out = []
        for l in self._flatten_layers():
            out.extend(v for v in l.__dict__.values() if isinstance(v, Metric) and v not in out)
        return out

    def _added_metrics(self):
        """{name: float} of this call's add_metric values (their means), over this layer and
        its sublayers (no walk at all while no layer in the process ever called add_metric)."""
        return {k: v for k, (v, _) in self._added_metric_values().items()}

    def _added_metric_values(self):
        """{name: (mean, count)} of this call's add_metric values: Keras 2 averages them with a
        Mean, so a scalar counts once per batch and a per-sample value once per element."""
        out = {}
        if not LossesMixin._metrics_added:
            return out
        for l in self._flatten_layers():
            for name, v in l.__dict__.get("_call_metrics", ()):
                a = np.asarray(host(v), dtype=np.float64)
                out[name] = (float(a.mean()) if a.size else 0.0, float(a.size))
        return out

    @property
    def losses(self):
        out = []
        for l in self._flatten_layers():
            if l.losses_fns:
                out.extend(f() for f in l.losses_fns)
            if l._call_losses:
                out.extend(_reduce_loss(t) for t in l._call_losses)
        return [l for l in out if l is not None]


# Note [activity regularizer]
# Keras 2's ``activity_regularizer=`` (an argument of every Layer, and of Dense, Conv*, RNN,
# Embedding, ... by name) penalizes a layer's outputs: at each call, for every output tensor,
# regularizer(output) / batch size joins the layer's call losses, which the model's loss adds
# (tf_keras 2.21's base_layer._handle_activity_regularization: all outputs, an RNN's returned
# states included; divided by the batch dimension of each output). Both ways a layer runs add
# it: Layer.__call__ and a functional graph's step (engine/network.py, which calls ``call``
# directly); a layer with one never hands logits to a fused loss, and the compiled training step
# leaves such models to the general step.
def add_activity_losses(layer, y):
    """Add ``layer``'s activity-regularizer terms for its outputs ``y`` to its call losses."""
    reg = layer._activity_regularizer
    for t in flatten(y):
        if isinstance(t, Tensor) and t.ndim and t.shape[0]:
            loss = reg(t)
            if loss is not None:
                layer._call_losses.append(loss / np.float32(t.shape[0]))


def _reduce_loss(t):
    """A loss term as a scalar: the mean of a non-scalar add_loss tensor."""
    if isinstance(t, Tensor) and t.size != 1:
        return t.mean()
    return t
