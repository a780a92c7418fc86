"""Keras 2.13+'s keras.metrics.experimental.PyMetric: the base of a metric written in plain
Python / NumPy, run outside the graph (TensorFlow wraps its update_state / result in
tf.py_function). tensorforge's metrics all run in Python, so PyMetric is a Metric whose four
methods a subclass must define, Keras 2's contract: update_state(y_true, y_pred,
sample_weight=None) (arrays or eager Tensors in), result(), reset_state(), merge_state(metrics)."""
from .base import Metric

__all__ = ["PyMetric"]


class PyMetric(Metric):
    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError("Subclasses should implement `update_state`")

    def merge_state(self, metrics):
        raise NotImplementedError("Subclasses should implement `merge_state`")

    def reset_state(self):
        raise NotImplementedError("Subclasses should implement `reset_state`")

    def result(self):
        raise NotImplementedError("Subclasses should implement `result`")
