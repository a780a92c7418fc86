"""``K.gradients`` on a model's graph tensors while its loss is computed (Keras 2.2's graph-mode
gradients, which a loss function may take: See Note [gradients of graph tensors]).

Note [gradients of graph tensors]
Generative Deep Learning's WGAN-GP compiles a gradient penalty as a loss,
``K.gradients(y_pred, interpolated_samples)`` with ``interpolated_samples`` a KerasTensor of the
critic model (the RandomWeightedAverage of the real and generated images). Keras 2.2 built it
once as graph ops (tf.gradients); TensorFlow 2 refuses it, and so does tf_keras 2.21. Here the
loss runs after the batch's forward with the run's values current (See Note [losses on graph
tensors] in training.py), and ``K.gradients(y, xs)`` is the gradient of sum(y) with respect to
each ``x``'s value in this batch, recorded (higher_order.grad(create_graph=True)) so that the
penalty trains the critic through it. ``y`` and ``x`` are the run's values of the KerasTensors
given, or of the eager tensors (``y_pred``) found among them. The forward recorded no gradient
for an ``x`` that does not require one (the penalty's interpolated images come from the inputs
and a frozen generator): then the steps of the run downstream of ``x`` run again from a copy of
its value that does (``rerun_from``), which gives the same gradient, as nothing
upstream of ``x`` has a weight to train. That re-run leaves no trace: the layers' call losses
and non-trainable weights (a BatchNormalization's moving statistics) are put back; a Dropout
downstream of ``x`` draws a new mask in it. An ``x`` or ``y`` the run did not compute is a
ValueError naming it; outside a model's loss, ``K.gradients`` raises as tf.gradients does in
eager TensorFlow 2.
A fit / train_on_batch step records a first-order graph, its nodes without their inputs (Note
[what a node keeps] in autograd/function.py): ``K.gradients`` there raises NeedsSecondOrder, and the
step runs again, its non-trainable weights put back, keeping them, as the model's later steps
do.
"""
import numpy as np

from ..autograd import Tensor, keeps_inputs
from ..higher_order import grad as _grad
from .base_layer import call_context
from ..symbolic.node import _RUN_VALUES, ENGINE, KerasTensor, flatten

RERUN = "rerun"  # the key of a kept run's (plan, masks, training) in its values


class NeedsSecondOrder(RuntimeError):
    """K.gradients in a step that records a first-order graph: the step runs again keeping its
    nodes' inputs (See Note [gradients of graph tensors])."""


class LastRun:
    """A graph model's last forward values in fit / evaluate / predict, kept on the model
    (``model.__dict__["_last_run"]``) for its loss and metrics: part of the model, freed with
    it, but neither pickled nor copied with it (they hold the batch's Tensors)."""
    __slots__ = ("values",)

    def __init__(self, values=None):
        self.values = values

    def __reduce__(self):
        return (LastRun, ())


def _run_holding(key):
    for values in reversed(_RUN_VALUES):
        if key in values:
            return values
    return None


def _value_of(t, what):
    """(values of the run that computed ``t``, id of t there, t's value)."""
    if isinstance(t, KerasTensor):
        values = _run_holding(id(t))
        if values is None:
            raise ValueError(f"gradients: the {what} {t.name} (shape {t.shape}) is not computed "
                             "by the model whose loss is being computed")
        return values, id(t), values[id(t)]
    if not isinstance(t, Tensor):
        raise TypeError(f"gradients: {what} must be a tensor, got {type(t).__name__}")
    for values in reversed(_RUN_VALUES):
        for k, v in values.items():
            if v is t:
                return values, k, t
    return None, None, t


def gradients(loss, variables):
    """The list of d(sum of ``loss``)/d(each of ``variables``) in the batch being trained (None
    for one ``loss`` does not depend on). See Note [gradients of graph tensors]."""
    if not keeps_inputs():
        raise NeedsSecondOrder("gradients: called in a training step that records a "
                               "first-order graph (Note [what a node keeps])")
    xs = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    y_values, y_id, y = _value_of(loss, "loss")
    out = []
    for x in xs:
        values, x_id, xv = _value_of(x, "variable")
        if xv.requires_grad or values is None:
            g = _grad(y, [xv], grad_outputs=_ones(y), create_graph=True)[0]
        else:
            if y_values is not values or y_id is None or RERUN not in values:
                raise ValueError(f"gradients: {getattr(x, 'name', 'the variable')} and the loss "
                                 "are not computed in the same run of the model")
            leaf = Tensor(xv.data, requires_grad=True)
            again = rerun_from(values, x_id, leaf)
            g = _grad(again[y_id], [leaf], grad_outputs=_ones(y), create_graph=True)[0]
        out.append(g)
    return out


def rerun_from(values, x_id, x_new):
    """A copy of a kept run's ``values`` where the tensor ``x_id`` is ``x_new`` and the steps
    downstream of it ran again; the layers' call losses and non-trainable weights as they were
    (See Note [gradients of graph tensors])."""
    plan, masks, training = values[RERUN]
    vals, masks, dirty = dict(values), dict(masks), {x_id}
    vals[x_id] = x_new
    steps = []
    for st in plan:
        kw_ids = [id(t) for v in st.tensor_kwargs.values() for t in flatten(v)]
        if dirty.intersection(st.in_ids) or dirty.intersection(kw_ids):
            steps.append(st)
            dirty.update(st.out_ids)
    layers = {id(l): l for st in steps for l in st.layer._flatten_layers()}.values()
    losses = [(l, list(l._call_losses)) for l in layers]
    states = [(t, t.data.copy()) for l in layers for t in l.non_trainable_weights]
    _RUN_VALUES.append(vals)
    try:
        with call_context(training):
            for st in steps:
                st.run(vals, masks, training)
    finally:
        _RUN_VALUES.pop()
        for l, kept in losses:
            l._call_losses = kept
        for t, a in states:
            t.data[...] = a
    return vals


def _ones(y):
    return Tensor(np.ones(y.shape, dtype=y.dtype) if isinstance(y.data, np.ndarray)
                  else y.data * 0 + 1)


ENGINE["gradients"] = gradients
