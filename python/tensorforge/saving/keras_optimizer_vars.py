"""A tf_keras 2.21 ``.keras`` archive's optimizer variables (``optimizer/vars/<i>`` of its
model.weights.h5): read into a tensorforge optimizer, so training continues where tf_keras left
it, and written from one, so tf_keras continues where tensorforge left it
(keras_archive.load_model / save_model; Note [optimizer state in an archive]).

tf_keras 2.11+'s optimizers keep ``iterations`` first, then their slot variables, each class in
its own order over the model's trainable variables: a group of slot names taken per variable
in turn, group after group. Adam's is [(m, v)], then [(vhat)] with amsgrad: m0 v0 m1 v1 ...
vhat0 vhat1 ...; RMSprop's [(velocity)], [(momentum)] when momentum > 0, [(average_gradient)]
when centered. The legacy optimizers (``optimizers.legacy``) write none. Every slot is there
for every trainable variable whatever the settings (SGD without momentum keeps an ``m``: tf_keras
its last -lr * g, multiplied by the momentum 0; tensorforge writes zeros), and
Nadam's running product of its momentum schedule is not among them (tf_keras restarts it at the
first step after a load; tensorforge recomputes it from ``iterations``).
"""
import warnings

import numpy as np

# the names tf_keras gives the slots of each optimizer, in the order of tensorforge's state
# (the class's _init_state; a slot tensorforge keeps as None is left out)
_STATE_NAMES = {"SGD": ("m",), "RMSprop": ("velocity", "average_gradient", "momentum"),
                "Adam": ("m", "v", "vhat"), "AdamW": ("m", "v", "vhat"), "Adamax": ("m", "u"),
                "Nadam": ("m", "v"), "Adagrad": ("accumulator",),
                "Adadelta": ("accumulated_grad", "accumulated_delta_var"),
                "Ftrl": ("accumulator", "linear"), "Lion": ("m",)}


def _groups(opt):
    """tf_keras' slot groups of ``opt`` (See the module's docstring), or None if unknown."""
    name = type(opt).__name__
    if name in ("Adam", "AdamW"):
        return [("m", "v")] + ([("vhat",)] if opt.amsgrad else [])
    if name == "RMSprop":
        return [("velocity",)] + ([("momentum",)] if opt.momentum else []) + \
            ([("average_gradient",)] if opt.centered else [])
    if name in ("Adamax", "Nadam", "Adadelta", "Ftrl"):  # the slots of a variable together
        return [_STATE_NAMES[name]]
    if name in ("SGD", "Adagrad", "Lion"):  # one slot each
        return [_STATE_NAMES[name]]
    return None


def tf_keras_legacy(class_name, config):
    """Whether tf_keras 2.21 builds its ``optimizers.legacy`` class from this Keras 2 optimizer
    config in a .keras archive: a time-based decay, or an RMSprop / Nadam config without the
    default classes' mark (Note [legacy optimizer configs])."""
    return bool(config.get("decay")) or (class_name in ("RMSprop", "Nadam")
                                         and "is_legacy_optimizer" not in config)


def _layout(opt):
    """tf_keras' slot groups of ``opt``, or None where tf_keras keeps no such variables (its
    legacy class, moving averages) or the class is not one of its own."""
    from ..optimizers import keras_config, legacy_updates
    if type(opt).__module__ == "tensorforge.optimizers.legacy" or \
            getattr(opt, "use_ema", False) or legacy_updates.is_own(opt) or \
            tf_keras_legacy(type(opt).__name__, keras_config(opt)):
        return None
    return _groups(opt)


def variables(opt, params):
    """``opt``'s state as tf_keras' optimizer variables of the same class over ``params``, in
    order: [(slot name, weight index, array)], the iterations first as ("iteration", None, n),
    a weight never stepped at its initial value; None where tf_keras has no such layout."""
    from .. import _device
    groups = _layout(opt)
    if groups is None or type(opt).__name__ not in _STATE_NAMES:
        return None
    names = _STATE_NAMES[type(opt).__name__]
    slots = []
    for p, st in zip(params, opt.get_state(params)):
        it = iter(st)
        full = [None if s is None else (next(it) if st else s) for s in opt._init_state(p.data)]
        slots.append({n: np.zeros(tuple(p.shape), dtype=p.data.dtype) if a is None else
                      np.asarray(_device.to_host(a)) for n, a in zip(names, full)})
    out = [("iteration", None, np.int64(int(opt.iterations)))]
    for group in groups:
        for i, s in enumerate(slots):
            out += [(n, i, s[n]) for n in group]
    return out


def _refuse(source, why):
    warnings.warn(f"load_model: {source!r}: the optimizer's state is not restored ({why}); the "
                  "optimizer starts afresh", stacklevel=4)


def restore(model, arrays, source):
    """Set ``model.optimizer``'s iterations and slots from ``arrays``, tf_keras' optimizer
    variables in order; a layout this cannot place warns and leaves the optimizer as it is."""
    opt, params = model.optimizer, model.trainable_weights
    cls = type(opt).__name__
    groups = _layout(opt)
    if groups is None:
        return _refuse(source, f"tf_keras' variables of {cls} are not read here")
    n = len(params)
    if len(arrays) == 1:  # built but never stepped: iterations alone
        opt.iterations = int(arrays[0])
        return None
    want = 1 + n * sum(len(g) for g in groups)
    if len(arrays) != want:
        return _refuse(source, f"{len(arrays)} variables where {cls} over {n} trainable weights "
                               f"has {want}")
    slots, k = {}, 1
    for group in groups:
        for i in range(n):
            for name in group:
                slots[name, i] = arrays[k]
                k += 1
    states = []
    for i, p in enumerate(params):
        proto = opt._init_state(p.data)
        got = []
        for name, s in zip(_STATE_NAMES[cls], proto):
            if s is None:
                continue
            a = slots.get((name, i))
            if a is None or a.shape != tuple(p.shape):
                return _refuse(source, f"no {name} slot of shape {tuple(p.shape)} for weight "
                                       f"{p.name}")
            got.append(np.asarray(a, dtype=s.dtype))
        states.append(got)
    opt.iterations = int(arrays[0])
    opt.set_state(params, states)
    return None
