"""The metric classes' base (Keras 2's ``Metric``: running state, ``update_state`` / ``result`` /
``reset_state``), the results a call returns, and the reductions every mean-type metric builds
on: ``Mean`` and ``MeanMetricWrapper``.

Each metric class keeps running state: update_state(y_true, y_pred, sample_weight=None),
result(), reset_state() (reset_states() too); calling one updates it and returns the running
result, as tf.keras does. compile() logs a class under its ``name``. See Note [metric classes in
fit] in compile_utils.py.
"""
import functools

import numpy as np

from ..autograd import Tensor
from .._loss_inputs import squeeze_targets as _squeeze_targets
from ._utils import _np, _weights
from .functions import batch_mean


class _MetricType(type):
    """Sets up a metric's state once the instance is fully constructed, not inside
    ``Metric.__init__``: a Keras 2 subclass creates its state with ``self.add_weight`` in its
    own ``__init__`` after ``super().__init__()`` (its initializers give the first values, as
    Keras 2, so it is not reset); the others (the built-ins, a subclass keeping plain
    attributes) get theirs from ``reset_state()``."""

    def __call__(cls, *args, **kwargs):
        self = super().__call__(*args, **kwargs)
        if not self.variables:
            self.reset_state()
        return self


class Metric(metaclass=_MetricType):
    """Base of the metric classes: running state, ``update_state`` / ``result`` /
    ``reset_state``; ``__call__`` updates and returns the running result."""

    stateful = True
    # the attributes holding sums over the samples seen: the state of several disjoint parts of
    # the data summed is the state of their union (tensorforge.distributed sums them over the
    # ranks); None for a state that is not such sums
    _sum_state = None

    def __init__(self, name=None, dtype=None, **kwargs):
        self.name = name or _snake_name(type(self).__name__)
        self.dtype = dtype or "float32"
        self._metric_weights = []

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None,
                   initializer=None, dtype=None):
        """A state variable (Keras 2's ``Metric.add_weight``): a non-trainable Tensor of
        ``shape`` and ``dtype`` (the metric's by default), made by ``initializer`` (zeros by
        default), updated by the subclass with ``assign`` / ``assign_add``."""
        from .. import initializers
        dt = np.dtype(dtype or self.dtype)
        value = initializers.get(initializer or "zeros")(tuple(int(d) for d in shape), dt)
        t = Tensor(np.array(value, dtype=dt), name=f"{self.name}/{name}")
        self._metric_weights.append(t)
        return t

    @property
    def variables(self):
        return list(self.__dict__.get("_metric_weights", ()))

    weights = variables

    def reset_state(self):
        """Keras 2's default: every ``add_weight`` variable back to zero."""
        for v in self.variables:
            v.assign(np.zeros(v.shape, v.data.dtype))

    def reset_states(self):  # Keras 2.x spelling
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Keras 2's: the metric its ``get_config()`` describes."""
        return cls(**config)

    def __init_subclass__(cls, **kwargs):
        """A scalar ``result()`` comes back as a ScalarResult (a float with TensorFlow's
        ``.numpy()``), since Keras 2 programs write ``metric.result().numpy()``."""
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("result")
        if fn is None or getattr(fn, "_scalar_result", False):
            return

        @functools.wraps(fn)
        def result(self):
            r = fn(self)
            if isinstance(r, (float, int, np.floating, np.integer)) and \
                    not isinstance(r, (bool, np.bool_, ScalarResult)):
                return ScalarResult(r)
            return r
        result._scalar_result = True
        cls.result = result

    def __call__(self, *args, **kwargs):
        # update_state's own arguments: (y_true, y_pred, sample_weight), or Mean's (values,
        # sample_weight) -- tf.keras' ``loss_metric(loss)``
        self.update_state(*args, **kwargs)
        r = self.result()
        if np.ndim(_np(r)) != 0:
            return r
        return MetricResult(r, self)


class ScalarResult(float):
    """A metric's scalar result: a float that also answers TensorFlow's ``.numpy()`` (a
    float32, as a tf.keras metric's result tensor gives)."""

    def numpy(self):
        return np.float32(self)


class MetricResult(ScalarResult):
    """What calling a metric object returns: its running result, which remembers the metric
    (tf.keras' result tensor carries ``_metric_obj``), so that ``Layer.add_metric(metric(y, p))``
    names the logged value after the metric and reports its state, as Keras 2 does."""

    def __new__(cls, value, metric):
        self = super().__new__(cls, float(_np(value)))
        self._metric_obj = metric
        self.name = metric.name
        return self


def _snake_name(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return {"a_u_c": "auc", "root_mean_squared_error": "root_mean_squared_error"}.get(out, out)


class Mean(Metric):
    """The (weighted) mean of the values given to update_state(values, sample_weight)."""

    _sum_state = ("total", "count")

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        v = np.asarray(_np(values), dtype=np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += float(v.size)
            return
        try:
            w = _weights(sample_weight, v)
        except ValueError:
            # weights that do not broadcast to the values (a scalar value and (N,) weights):
            # tf_keras averages the values down to the weights' rank and counts every weight,
            # so a scalar batch value weighs sum(w)
            w = np.asarray(_np(sample_weight), dtype=np.float64)
            if v.ndim > w.ndim:
                v = v.mean(axis=tuple(range(w.ndim, v.ndim)))
            try:
                np.broadcast_shapes(v.shape, w.shape)
            except ValueError:
                raise ValueError(f"{self.name}.update_state: sample_weight of shape {w.shape} "
                                 f"does not match values of shape {v.shape}") from None
        self.total += float((v * w).sum())
        self.count += float(np.broadcast_to(w, np.broadcast_shapes(v.shape, w.shape)).sum()
                            if v.ndim > w.ndim else w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample metric ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _squeeze_targets(y_true, y_pred)  # (Note [squeezed targets], _loss_inputs.py)
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def function(self):
        """compile()'s form of this metric, ``fn(y_true, y_pred)`` per sample: the built-in
        function itself when this is a built-in class with its default arguments (so fit runs
        its fused batch mean), else the wrapped function with this metric's arguments."""
        if batch_mean(self._fn) is not None and self._fn_kwargs == getattr(self, "_defaults", None):
            return self._fn
        fn_, kw = self._fn, self._fn_kwargs

        def fn(y_true, y_pred):
            return fn_(y_true, y_pred, **kw)
        fn.__name__ = self.name
        return fn

    def get_config(self):
        return dict(super().get_config(), **self._fn_kwargs)
