"""Restores waiting for their variables (Note [deferred restoration]).

Note [deferred restoration]
TensorFlow's ``tf.train.Checkpoint.restore`` queues the values of variables that do not exist
yet and assigns each as soon as it is created (the TF checkpoint guide restores into a new,
uncalled subclassed model, then trains it: its first forward pass already uses the restored
weights, and Adam's slots are restored when they are made). Here a restore into a model or
layer that has no weights yet leaves a ``Pending`` entry: after any layer builds
(base_layer._maybe_build calls ``after_build``), the entry assigns the variables that now
exist, by their object-graph paths (tf_checkpoint_graph.py), with their optimizer slots, and
leaves when every stored value under its path has found its variable.
A layer's weights are created in its build, just before its first call computes, so every
layer computes with restored weights. The queue is empty unless a restore is waiting: a
build costs one list test."""
import weakref

_PENDING = []


class Pending:
    """One waiting restore: ``restore()`` assigns what exists and says whether it is done."""

    def __init__(self, obj, name, restore):
        self._ref = weakref.ref(obj)
        self.name, self._restore = name, restore

    def apply(self):
        """True when finished (or the object is gone)."""
        return self._ref() is None or self._restore()


def defer(obj, name, restore):
    """Queue ``restore`` (a function: assign what exists of ``obj``'s variables, True when all
    are) for ``obj``; runs it at once first."""
    p = Pending(obj, name, restore)
    if not p.apply():
        _PENDING.append(p)


class RestoreError(ValueError):
    """A waiting restore whose stored values do not fit the variables made (a shape): raised
    by the build that made them; the restore is dropped."""


def after_build():
    if _PENDING:
        for p in list(_PENDING):
            try:
                done = p.apply()
            except Exception:  # dropped, so that it does not fail every later build
                if p in _PENDING:
                    _PENDING.remove(p)
                raise
            if done and p in _PENDING:
                _PENDING.remove(p)
