"""Keras 2.0-2.2 optimizers written as ``get_updates(loss, params)`` (Note [get_updates
optimizers]).

Note [get_updates optimizers]
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
Before tf.keras 2, a custom optimizer subclassed ``keras.optimizers.Optimizer`` and overrode
``get_updates(loss, params)``: it read ``self.get_gradients(loss, params)``, made its slots with
``K.zeros`` / ``K.variable`` and returned update ops (``K.update(m, m_t)``, ``K.update_add(
self.iterations, 1)``, ``K.update(p, new_p)``). Keras 2.2 called it once to build a graph that
then ran every step; the AdamW / AdaBound / RAdam / learning-rate-multiplier optimizers of
2018-2019 and every copy of Keras 2.2's own Adam source are written so. tf_keras 2.21 never calls
it. Here, each training step runs get_updates again, eagerly, with graph semantics restored:

- ``get_gradients`` returns this step's gradients (clipped as Keras 2.2 did: ``clipnorm`` by
  the global norm of all gradients, ``clipvalue`` elementwise);
- the ``K.zeros`` / ``K.ones`` / ``K.variable`` calls of the first step make the slots; later
  steps get the same objects back, in creation order (a different shape is an error);
- ``K.update`` / ``update_add`` / ``update_sub`` are collected and applied once get_updates
  returns, in order: reads in its body see the values before the step, as the graph's did
  (Keras 2.2's Adam reads ``iterations`` after its ``update_add`` and adds 1 itself);
- ``optimizer.iterations`` is the optimizer's step count (an update_add of it counts the step);
  the body runs without recording gradients; weight constraints apply after the step;
- a saved model keeps the iterations and the slots, in the order they were made (as Keras 2.2
  saved ``optimizer.weights``); loaded, they are the slots the next step's body gets back.
"""
import functools
import inspect

import numpy as np

from .._xp import host
from ..autograd import Tensor, no_grad
from ..backend_ops import update_scope


class _Scope:
    def __init__(self, opt, grads):
        self.opt, self.grads = opt, grads
        self.slots = opt.__dict__.setdefault("_legacy_slots", [])
        self.made = 0  # slots asked for so far in this call
        self.updates = []  # (fn name, variable, value, op)

    def slot(self, make):
        """The variable a get_updates body makes with K.<fn>: made on the first step, the same
        object after."""
        i = self.made
        self.made += 1
        if i < len(self.slots):
            return self.slots[i]
        v = make()
        self.slots.append(v)
        return v

    def defer(self, fn, x, value, op):
        self.updates.append((fn, x, value, op))
        return x


def symbolic_aware(get_updates):
    """A Keras 2.2 optimizer's own ``get_updates``, which called outside a training step on a
    Keras-tensor loss (``K.function(..., updates=opt.get_updates(loss, params))``) gives the
    step K.function takes (Note [K.function updates], backend_ops/graph_ops.py); that step's
    apply_gradients then runs this get_updates inside the training step."""
    if getattr(get_updates, "_symbolic_aware", False):
        return get_updates
    sig = inspect.signature(get_updates)

    @functools.wraps(get_updates)
    def wrapper(self, *args, **kwargs):
        if update_scope.current() is None:
            try:
                a = sig.bind(self, *args, **kwargs).arguments
            except TypeError:
                a = {}
            loss, params = a.get("loss"), a.get("params")
            if getattr(loss, "_keras_history", None) is not None and params is not None:
                from ..backend_ops.graph_ops import TrainingStep
                return [TrainingStep(self, loss, params)]
        return get_updates(self, *args, **kwargs)
    wrapper._symbolic_aware = True
    return wrapper


def gradients_for(opt, params):
    """Keras 2.2's Optimizer.get_gradients inside a get_updates step: this step's gradients of
    ``params`` (Note [get_updates optimizers])."""
    scope = update_scope.current()
    name = type(opt).__name__
    if scope is None or scope.opt is not opt:
        raise RuntimeError(f"{name}.get_gradients: called outside a training step; Keras 2.2 "
                           "optimizers read their gradients inside get_updates, which fit / "
                           "train_on_batch / apply_gradients run")
    by_id = {id(p): g for p, g in scope.grads}
    missing = [tuple(p.shape) for p in params if id(p) not in by_id]
    if missing:
        raise ValueError(f"{name}.get_gradients: no gradient for the parameters of shapes "
                         f"{missing}")
    grads = [by_id[id(p)] for p in params]
    clipnorm, clipvalue = getattr(opt, "clipnorm", None), getattr(opt, "clipvalue", None)
    if clipnorm is not None and clipnorm > 0:
        norm = float(np.sqrt(sum(float((g * g).sum()) for g in grads)))
        if norm > clipnorm:
            grads = [g * g.dtype.type(clipnorm / norm) for g in grads]
    if clipvalue is not None and clipvalue > 0:
        grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return [Tensor(g) for g in grads]


def step(opt, live, raw, constrain):
    """One training step of a get_updates optimizer on parameters ``live`` with gradients
    ``raw`` (arrays); ``constrain(live)`` applies the weights' constraints after it."""
    scope = _Scope(opt, list(zip(live, raw)))
    update_scope.set_current(scope)
    kw = {"loss": None, "params": list(live)}
    if "constraints" in inspect.signature(opt.get_updates).parameters:
        kw["constraints"] = {}  # Keras 2.0's get_updates(params, constraints, loss)
    try:
        with no_grad():
            opt.updates = opt.get_updates(**kw)
    finally:
        update_scope.set_current(None)
    from ..backend_ops.variables import apply_update
    for _fn, x, value, op in scope.updates:
        apply_update(x, value, op)
    constrain(live)


def is_own(opt):
    """Whether ``opt``'s class has its own get_updates (a Keras 2.2 optimizer)."""
    return getattr(type(opt).get_updates, "_symbolic_aware", False)


def slot_arrays(opt):
    """A get_updates optimizer's slots as host arrays, in the order its first step made them:
    what a model file keeps of its state (with its iterations), as Keras 2.2 saved its weights."""
    return [np.asarray(host(v.data)) for v in opt.__dict__.get("_legacy_slots", ())]


def restore_slots(opt, arrays):
    """A get_updates optimizer's slots from a model file: its next step's K.zeros / K.variable
    calls get them back, in order (Note [get_updates optimizers])."""
    from ..backend_ops.variables import variable
    opt.__dict__["_legacy_slots"] = [variable(a, dtype=str(a.dtype)) for a in arrays]
