"""Keras 2 backend functions on functional graphs: ``function``, ``placeholder``,
``is_keras_tensor``, ``gradients``.

tf_keras 2 runs eagerly under TensorFlow 2, and so do these, as its do there:
``K.function(inputs, outputs)`` is a Model from those inputs to those outputs, called on a list
of arrays, returning NumPy arrays (a list when ``outputs`` is one); inputs that are layers'
outputs rather than Inputs (``model.layers[2].input``) start the run there (the Model of the
graph between them, engine/functional_utils.py, as tf_keras 2's); ``K.placeholder`` is an
``Input``; ``K.gradients`` of Keras tensors is a node of the graph (Note [K.gradients in
K.function], engine/symbolic_gradients.py), of eager tensors it raises, as TensorFlow 2's
``tf.gradients`` does in eager mode (use GradientTape). The Model and Input come from the engine's table (engine/node.py ENGINE):
the engine imports the backend, so this module cannot import the engine's model modules.
"""
import numpy as np

from .._xp import host
from ..autograd import Tensor
from ..engine.node import _RUN_VALUES, ENGINE, KerasTensor, flatten
from ._args import dtype_arg
from .variables import LearningPhase, learning_phase

__all__ = ["function", "placeholder", "is_keras_tensor", "gradients"]


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic tensor of ``shape`` (batch axis included; None where unknown), or of ``ndim``
    unknown axes: an Input, so a Model or K.function can start from it."""
    if sparse and ragged:
        raise ValueError("placeholder: cannot set both sparse and ragged to True")
    if sparse or ragged:
        raise NotImplementedError("placeholder: sparse and ragged placeholders are not supported")
    if not shape:
        if ndim is None:
            raise ValueError("placeholder: give shape or ndim")
        shape = (None,) * int(ndim)
    dt = dtype_arg("placeholder", dtype).name
    return ENGINE["Input"](batch_shape=tuple(shape), dtype=dt, name=name)


def is_keras_tensor(x):
    """True for a symbolic tensor (an Input or a layer's output in a functional graph), False
    for an eager Tensor; other objects are a ValueError, as in tf_keras 2."""
    if isinstance(x, KerasTensor):
        return x._keras_history is not None
    if isinstance(x, Tensor):
        return False
    raise ValueError(f"is_keras_tensor: unexpectedly found an instance of type {type(x)}; "
                     "expected a symbolic tensor instance")


class _Function:
    """The callable K.function returns: runs ``model`` on a list of input arrays (and, when
    the inputs named ``K.learning_phase()`` at ``phase``, that place's value as the training
    flag: 0 inference, 1 training)."""

    def __init__(self, model, wrap, phase=None):
        self.model, self._wrap, self._phase = model, wrap, phase
        self.inputs, self.outputs = model.inputs, model.outputs

    def __call__(self, model_inputs):
        if not isinstance(model_inputs, (list, tuple)):
            model_inputs = [model_inputs]
        training = None
        want = len(self.inputs) + (self._phase is not None)
        if len(model_inputs) != want:
            raise ValueError(f"function: expected {want} input array(s), got "
                             f"{len(model_inputs)}")
        if self._phase is not None:
            model_inputs = list(model_inputs)
            training = model_inputs.pop(self._phase)
            if isinstance(training, np.ndarray) and training.size == 1:
                training = training.item()
            if training not in (0, 1):
                raise ValueError(f"function: the learning phase value must be 0 or 1, got "
                                 f"{training!r}")
            training = bool(training)
        outs = self.model(list(model_inputs) if len(model_inputs) > 1 else model_inputs[0],
                          training=training)
        if self._wrap and not isinstance(outs, (list, tuple)):
            outs = [outs]
        if isinstance(outs, (list, tuple)):
            return [_numpy(o) for o in outs]
        return _numpy(outs)


def _numpy(t):
    return np.asarray(host(t.data)) if isinstance(t, Tensor) else t


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 ``K.function(inputs, outputs)``: a callable running the graph from the symbolic
    ``inputs`` (Inputs, e.g. ``model.layers[0].input``) to ``outputs`` (any layers' outputs
    downstream of them) eagerly; called with a list of arrays it returns NumPy arrays."""
    if kwargs:
        raise ValueError("function: session keyword arguments are not supported during eager "
                         f"execution. You passed: {kwargs}")
    if updates:
        raise ValueError("function: `updates` argument is not supported during eager execution. "
                         f"You passed: {updates}")
    phase = [i for i, t in enumerate(inputs if isinstance(inputs, (list, tuple)) else [inputs])
             if isinstance(t, LearningPhase)]
    if len(phase) > 1:
        raise ValueError("function: K.learning_phase() is given more than once in inputs")
    if phase:
        inputs = [t for i, t in enumerate(inputs) if i != phase[0]]
    for what, ts in (("inputs", inputs), ("outputs", outputs)):
        for t in flatten(ts):
            if not isinstance(t, KerasTensor):
                raise TypeError(f"function: {what} must be symbolic tensors (Input, a layer's "
                                f"input or output), got {type(t).__name__}")
    wrap = isinstance(outputs, list) and len(outputs) == 1
    model = ENGINE["Model"](inputs=inputs, outputs=outputs, name=name)
    return _Function(model, wrap, phase[0] if phase else None)


def gradients(loss, variables):
    """Graph-mode gradients: in a model's loss function, of the model's graph tensors in the
    batch being trained (Keras 2.2's tf.gradients in a loss: See Note [gradients of graph
    tensors] in engine/graph_gradients.py); of Keras tensors elsewhere, a node of the graph for
    K.function (Note [K.gradients in K.function], engine/symbolic_gradients.py); of eager
    tensors not available, as in TensorFlow 2 (whose ``tf.gradients`` raises this error under
    tf_keras 2)."""
    if _RUN_VALUES:
        return ENGINE["gradients"](loss, variables)
    if ENGINE["is_symbolic_pair"](loss, variables):  # Note [K.gradients in K.function]
        return ENGINE["symbolic_gradients"](loss, variables)
    raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use "
                       "tf.GradientTape instead.")
