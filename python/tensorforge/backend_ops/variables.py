"""Keras backend state: variables and their values, the learning phase, random tensors.

A Keras variable is a Tensor that requires grad; ``get_value`` / ``set_value`` read and write
its array in place (the Tensor keeps its identity, so an optimizer holding it sees the change).
Random tensors are drawn on the host from NumPy's PCG64 (seeded by ``seed``, else from
``tensorforge._random``, which ``utils.set_random_seed`` reseeds) and moved to the device.
"""
import threading

import numpy as np

from .. import _random as _random_state
from .. import _variables
from .._xp import array_module, host
from ..autograd import Tensor
from . import update_scope
from ._args import device_xp, dtype_arg, int_arg, shape_arg, shape_str, tensor

__all__ = ["variable", "is_variable", "eval", "get_value", "batch_get_value", "set_value",
           "batch_set_value", "update", "update_add", "update_sub", "learning_phase",
           "set_learning_phase", "learning_phase_scope", "in_train_phase", "in_test_phase",
           "random_normal", "random_uniform", "random_binomial", "random_bernoulli",
           "truncated_normal", "random_normal_variable", "random_uniform_variable", "is_tensor",
           "manual_variable_initialization"]


_manual_init = {"value": False}


def manual_variable_initialization(value):
    """Keras 2's flag for TF1 sessions (initialize variables yourself): kept and ignored, as in
    TensorFlow 2 eager mode, where variables hold their values from creation."""
    _manual_init["value"] = bool(value)


def variable(value, dtype=None, name=None, constraint=None):
    """A trainable Tensor holding a copy of ``value`` (floatx by default); ``constraint``
    projects it after each optimizer update."""
    scope = update_scope.current()
    if scope is not None:  # a Keras 2.2 optimizer's slot, made by its first step
        return scope.slot(lambda: variable(value, dtype, name, constraint))
    dt = dtype_arg("variable", dtype)
    v = tensor("variable", "value", value, dtype=dt).data
    t = Tensor(array_module(v).array(v, dtype=dt, copy=True), requires_grad=dt.kind == "f",
               name=_variables.variable_name(name))
    if constraint is not None:  # applied by the optimizers after each update, as Keras 2
        t._constraint = constraint
    return t


def is_variable(x):
    return isinstance(x, Tensor) and x._node is None and x.requires_grad


def is_tensor(x):
    return isinstance(x, Tensor)


def _host(a):
    return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else np.asarray(a)


def get_value(x):
    """The value as a NumPy array (a non-Tensor is returned unchanged)."""
    return _host(x.data) if isinstance(x, Tensor) else x


def eval(x):  # noqa: A001
    """The value of a Tensor as a NumPy array."""
    return _host(tensor("eval", "x", x).data)


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def set_value(x, value):
    """Write ``value`` into variable ``x`` in place (cast to x's dtype; shape must match). An
    optimizer hyperparameter (``K.set_value(model.optimizer.lr, 0.01)``) is set through its
    ``assign``."""
    if not isinstance(x, Tensor) and callable(getattr(x, "assign", None)):
        x.assign(float(host(value)))
        return
    if not isinstance(x, Tensor):
        raise TypeError(f"set_value: x must be a Tensor (a variable), got {type(x).__name__}")
    v = np.asarray(host(value), dtype=x.dtype)  # (a Tensor, an array of any device, a list)
    if v.shape != x.shape:
        raise ValueError(f"set_value: value with shape {shape_str(v.shape)} does not match the "
                         f"variable's shape {shape_str(x.shape)}")
    xp = array_module(x.data)
    if isinstance(x.data, np.ndarray) and not x.data.flags.writeable:
        x.data = np.array(v)  # a read-only view (e.g. of a loaded file): replace the array
    else:
        x.data[...] = xp.asarray(v)


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def _update(fn, x, new, op):
    # an optimizer's step count or hyperparameter (opt.iterations, opt.lr): a number that assigns
    number = not isinstance(x, Tensor) and callable(getattr(x, "assign", None)) and \
        isinstance(x, (int, float))
    if not isinstance(x, Tensor) and not number:
        raise TypeError(f"{fn}: x must be a Tensor (a variable), got {type(x).__name__}")
    n = tensor(fn, "new_x" if fn == "update" else "increment", new).data
    scope = update_scope.current()
    if scope is not None:  # inside a Keras 2.2 optimizer's get_updates: applied at its end
        return scope.defer(fn, x, n, op)
    apply_update(x, n, op)
    return x


def apply_update(x, value, op):
    """x <- op(x, value): a variable in place, or an optimizer's number through its assign."""
    if isinstance(x, Tensor):
        set_value(x, op(x.data, value))
    else:
        kind = int if isinstance(x, int) else float
        x.assign(kind(op(kind(x), kind(np.asarray(value)))))


def update(x, new_x): return _update("update", x, new_x, lambda a, b: b)
def update_add(x, increment): return _update("update_add", x, increment, lambda a, b: a + b)
def update_sub(x, decrement): return _update("update_sub", x, decrement, lambda a, b: a - b)


# ---- learning phase --------------------------------------------------------------------------
# set_learning_phase is process-wide (Keras 2); a learning_phase_scope (fit runs its batches in
# one) holds for the calling Python thread only, so models trained and evaluated from several
# threads at once (tests/test_reliability.py) cannot leave each other's phase behind.
_phase = {"value": 0}
_scoped = threading.local()


class LearningPhase(int):
    """What ``K.learning_phase()`` returns: the int 0 or 1, which also marks, in
    ``K.function``'s inputs, the place of the learning-phase value a call passes (Keras 2.2's
    placeholder: ``K.function([model.input, K.learning_phase()], [out])([x, 0])``, the Keras
    FAQ's intermediate outputs; tf_keras 2 refuses it)."""

    def __repr__(self):
        return repr(int(self))


_PHASES = (LearningPhase(0), LearningPhase(1))


def learning_phase():
    """1 while training (inside ``learning_phase_scope(1)`` or after ``set_learning_phase(1)``),
    else 0 (a LearningPhase)."""
    v = getattr(_scoped, "value", None)
    return _PHASES[_phase["value"] if v is None else v]


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: value must be 0 or 1, got {value!r}")
    _phase["value"] = int(value)


class learning_phase_scope:
    """Set the learning phase for the duration of a ``with`` block (in this thread); ``as``
    gives the value. A plain class: every training step enters one, where a generator-based
    context manager costs several times more."""

    __slots__ = ("value", "prev")

    def __init__(self, value):
        if value not in (0, 1):
            raise ValueError(f"learning_phase_scope: value must be 0 or 1, got {value!r}")
        self.value = value

    def __enter__(self):
        self.prev = getattr(_scoped, "value", None)
        _scoped.value = int(self.value)
        return self.value

    def __exit__(self, *exc):
        _scoped.value = self.prev
        return False


def in_train_phase(x, alt, training=None):
    """``x`` when training (``training``, else the learning phase, is 1/True), else ``alt``;
    callables are called only when chosen."""
    if training is None:
        training = learning_phase()
    if isinstance(training, Tensor):
        training = bool(training.item())
    chosen = x if training in (1, True) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


# ---- random ----------------------------------------------------------------------------------
def _gen(fn, seed):
    if seed is None:
        return np.random.default_rng(_random_state.next_seed())
    return np.random.default_rng(int_arg(fn, "seed", seed, minimum=0))


def _random(fn, shape, dtype, seed, draw):
    shp = shape_arg(fn, "shape", shape)
    dt = dtype_arg(fn, dtype)
    return Tensor(device_xp().asarray(draw(_gen(fn, seed), shp).astype(dt)))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev^2) (floatx by default)."""
    return _random("random_normal", shape, dtype, seed,
                   lambda g, s: g.normal(float(mean), float(stddev), s))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval)."""
    return _random("random_uniform", shape, dtype, seed,
                   lambda g, s: g.uniform(float(minval), float(maxval), s))


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability p, else 0."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"random_bernoulli: p must be in [0, 1], got {p}")
    return _random("random_bernoulli", shape, dtype, seed, lambda g, s: g.random(s) < p)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Keras 2's name for random_bernoulli."""
    return random_bernoulli(shape, p, dtype, seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) redrawn until within two standard deviations of the mean."""
    def draw(g, s):
        z = g.standard_normal(s)
        bad = np.abs(z) > 2
        while bad.any():
            z[bad] = g.standard_normal(int(bad.sum()))
            bad = np.abs(z) > 2
        return z * float(stddev) + float(mean)
    return _random("truncated_normal", shape, dtype, seed, draw)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return variable(random_normal(shape, mean, scale, dtype, seed), dtype, name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return variable(random_uniform(shape, low, high, dtype, seed), dtype, name)
