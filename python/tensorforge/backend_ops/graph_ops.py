"""Keras 2 backend functions on functional graphs: ``function``, ``placeholder``,
``is_keras_tensor``, ``gradients``.

tf_keras 2 runs eagerly under TensorFlow 2, and so do these, as its do there:
``K.function(inputs, outputs)`` is a Model from those inputs to those outputs, called on a list
of arrays, returning NumPy arrays (a list when ``outputs`` is one); inputs that are layers'
outputs rather than Inputs (``model.layers[2].input``) start the run there (the Model of the
graph between them, engine/functional_utils.py, as tf_keras 2's); ``K.placeholder`` is an
``Input``; ``K.gradients`` of Keras tensors is a node of the graph (Note [K.gradients in
K.function], engine/symbolic_gradients.py), of eager tensors it raises, as TensorFlow 2's
``tf.gradients`` does in eager mode (use GradientTape). The Model and Input come from the
engine's table (symbolic/node.py ENGINE): the engine imports the backend, so this module cannot
import the engine's model modules.
"""
import numpy as np

from .._xp import host
from ..autograd import Tensor
from ..symbolic.node import _RUN_VALUES, ENGINE, KerasTensor, flatten
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


class TrainingStep:
    """What a built-in optimizer's ``get_updates(loss, params)`` returns for a Keras-tensor
    ``loss`` (Note [K.function updates]): one step of ``optimizer`` on ``params`` along the
    gradient of ``loss``, taken by the K.function it is given to as ``updates``."""

    def __init__(self, optimizer, loss, params):
        self.optimizer, self.loss, self.params = optimizer, loss, list(params)


# Note [K.function updates]
# Keras 2.0-2.2 programs train with K.function: ``updates = Adam(...).get_updates(loss=loss,
# params=net.trainable_weights)`` (Keras 2.0: ``get_updates(params, [], loss)``), then
# ``train = K.function([real, noise], [loss], updates)`` (the WGAN-GP / DCGAN notebooks of
# 2017, keras-rl's agents). tf_keras 2 refuses ``updates``. Here each call of such a function
# runs its graph once under a GradientTape, with the updates' losses (TrainingSteps) and new
# values ((variable, Keras tensor) pairs) as extra outputs, then takes each optimizer step on
# its loss's gradient and assigns the new values: the outputs are those of the graph before the
# step, as Keras 2.2's session run returned them.
class _Function:
    """The callable K.function returns: runs ``model`` on a list of input arrays (and, when
    the inputs named ``K.learning_phase()`` at ``phase``, that place's value as the training
    flag: 0 inference, 1 training), then its ``updates`` (Note [K.function updates])."""

    def __init__(self, model, wrap, phase=None, n_out=None, updates=()):
        self.model, self._wrap, self._phase = model, wrap, phase
        self.inputs, self.outputs = model.inputs, model.outputs
        self._n_out, self._updates = n_out, list(updates)

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
        x = list(model_inputs) if len(model_inputs) > 1 else model_inputs[0]
        if self._updates:
            outs = self._run_updating(x, training)
        else:
            outs = self.model(x, training=training)
        if self._wrap and not isinstance(outs, (list, tuple)):
            outs = [outs]
        if isinstance(outs, (list, tuple)):
            return [_numpy(o) for o in outs]
        return _numpy(outs)


    def _run_updating(self, x, training):
        from ..gradient_tape import GradientTape
        from .variables import set_value
        with GradientTape(persistent=True) as tape:
            outs = self.model(x, training=training)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        extra = outs[self._n_out:]
        for u, value in zip(self._updates, extra):
            if isinstance(u, TrainingStep):
                grads = tape.gradient(value, u.params)
                u.optimizer.apply_gradients([(g, p) for g, p in zip(grads, u.params)
                                             if g is not None])
            else:
                set_value(u[0], value)
        user = outs[:self._n_out]
        return user if len(user) != 1 or self._wrap else user[0]


def _numpy(t):
    return np.asarray(host(t.data)) if isinstance(t, Tensor) else t


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 ``K.function(inputs, outputs)``: a callable running the graph from the symbolic
    ``inputs`` (Inputs, e.g. ``model.layers[0].input``) to ``outputs`` (any layers' outputs
    downstream of them) eagerly; called with a list of arrays it returns NumPy arrays."""
    if kwargs:
        raise ValueError("function: session keyword arguments are not supported during eager "
                         f"execution. You passed: {kwargs}")
    updates = list(updates or [])
    for u in updates:
        if not (isinstance(u, TrainingStep) or (isinstance(u, (tuple, list)) and len(u) == 2
                                                and isinstance(u[0], Tensor)
                                                and isinstance(u[1], KerasTensor))):
            raise TypeError(f"function: updates must be what an optimizer's get_updates(loss, "
                            f"params) returns for a Keras-tensor loss, or (variable, Keras "
                            f"tensor) pairs; got {type(u).__name__}")
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
    if updates:  # Note [K.function updates]: their tensors become extra outputs
        outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        extra = [u.loss if isinstance(u, TrainingStep) else u[1] for u in updates]
        model = ENGINE["Model"](inputs=inputs, outputs=outs + extra, name=name)
        return _Function(model, wrap, phase[0] if phase else None, n_out=len(outs),
                         updates=updates)
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
