"""Optimizer update entry points: one fused in-place step on one parameter (Keras 2 formulas).

The Python optimizers (``tensorforge.optimizers``) own the state arrays (zeros, except Adagrad's
accumulator which starts at 0.1) and call these once per parameter per step. ``param`` and the
state arrays are updated IN PLACE, so they must be float32 (or all float64, run by the reference:
Note [float64 kernels] in kernels/_common.py), C-contiguous, writable, of one shape
and distinct (a copy would silently drop the update, so a view is a ValueError, not copied);
``grad`` must match in dtype and shape and is made contiguous if needed. Every function returns
None. Formulas: ``tensorforge.reference.optim``. Adam with amsgrad, Adamax, Adadelta, Nadam and RMSprop
with momentum / centered / eps inside the root (rmsprop_ext_update) have no native kernel: every backend runs the array-module reference (vectorized NumPy / CuPy). On the cpu backend the binding is called first
and checks everything itself (Note [native fast path] in kernels/pointwise.py): a step on a small
bias costs well under a microsecond of Python.
"""
import numpy as np

from .. import _dispatch as backend
from .._xp import array_module
from ._common import FLOAT_DTYPES, check_array, is_native as _is_native, kernel_for, num, shape_str

__all__ = ["sgd_update", "rmsprop_update", "adam_update", "adagrad_update", "adam_amsgrad_update",
           "adamax_update", "adadelta_update", "nadam_update", "rmsprop_ext_update"]

def _param(op, p):
    check_array(op, "param", p, None, "", FLOAT_DTYPES)
    _inplace_ok(op, "param", p)
    return p


def _inplace_ok(op, name, a):
    if not a.flags.c_contiguous:
        raise ValueError(f"{op}: {name} must be C-contiguous (it is updated in place), got a strided "
                         f"view with shape {shape_str(a.shape)}")
    if isinstance(a, np.ndarray) and not a.flags.writeable:
        raise ValueError(f"{op}: {name} must be writable, got a read-only array with shape "
                         f"{shape_str(a.shape)}")


def _like(op, name, a, p, state):
    check_array(op, name, a, None, "", (p.dtype,), allow_empty=True)
    if a.shape != p.shape:
        raise ValueError(f"{op}: {name} must have the shape of param {shape_str(p.shape)}, got "
                         f"{shape_str(a.shape)}")
    if state:
        _inplace_ok(op, name, a)
    elif not a.flags.c_contiguous:
        a = array_module(a).ascontiguousarray(a)
    return a


def _distinct(op, grad, **written):
    """Note [optimizer aliasing] (csrc/bindings/optim.cpp): arrays updated in place must not share
    memory; a grad sharing memory with one of them is read from a copy. Returns grad."""
    items = [(k, v) for k, v in written.items() if v is not None]
    xp = array_module(items[0][1])
    for i, (an, a) in enumerate(items):
        for bn, b in items[i + 1:]:
            if xp.may_share_memory(a, b):
                raise ValueError(f"{op}: {bn} must not share memory with {an} (both are updated "
                                 "in place)")
    if any(xp.may_share_memory(grad, v) for _, v in items):
        grad = grad.copy()
    return grad


def _step(op, t):
    if isinstance(t, bool) or not hasattr(t, "__index__"):
        raise TypeError(f"{op}: t (the step count) must be an int, got {type(t).__name__} {t!r}")
    return int(t)


def _unit_interval(op, name, v, closed):
    v = num(op, name, v)
    if not (0.0 <= v <= 1.0 if closed else 0.0 <= v < 1.0):
        raise ValueError(f"{op}: {name} must be in [0, 1{']' if closed else ')'}, got {v}")
    return v


def sgd_update(param, grad, velocity, lr, momentum=0.0, nesterov=False):
    """v = momentum*v - lr*g; p += v (nesterov: p += momentum*v - lr*g); momentum 0: p -= lr*g."""
    op = "sgd_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, velocity, lr, momentum, nesterov)
        except (TypeError, ValueError):
            pass
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    if momentum != 0:
        if velocity is None:
            raise ValueError(f"{op}: velocity is None but momentum = {momentum}")
        velocity = _like(op, "velocity", velocity, param, True)
    grad = _distinct(op, grad, param=param, velocity=velocity if momentum != 0 else None)
    kernel_for(op, op, param.dtype)(param, grad, velocity, num(op, "lr", lr), num(op, "momentum", momentum), bool(nesterov))


def rmsprop_update(param, grad, ms, lr, rho=0.9, eps=1e-7, eps_in_sqrt=False):
    """ms = rho*ms + (1-rho)*g^2; p -= lr*g/(sqrt(ms)+eps) (eps_in_sqrt: lr*g/sqrt(ms+eps),
    tf_keras 2.11+'s RMSprop: the cpu kernel has both; other backends run it as
    rmsprop_ext_update)."""
    op = "rmsprop_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, ms, lr, rho, eps, None, bool(eps_in_sqrt))
        except (TypeError, ValueError):
            pass
    if eps_in_sqrt:
        return rmsprop_ext_update(param, grad, ms, None, None, lr, rho, 0.0, eps, eps_in_sqrt=True)
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    ms = _like(op, "ms", ms, param, True)
    rho = _unit_interval(op, "rho", rho, True)
    grad = _distinct(op, grad, param=param, ms=ms)
    kernel_for(op, op, param.dtype)(param, grad, ms, num(op, "lr", lr), num(op, "rho", rho), num(op, "eps", eps))


def adam_update(param, grad, m, v, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps)."""
    op = "adam_update"
    fn = backend.lookup(op)
    if t is True or t is False:  # (the binding would read a bool as 0 / 1)
        raise TypeError(f"{op}: t (the step count) must be an int, got bool {t}")
    if _is_native(fn):
        try:
            return fn(param, grad, m, v, lr, beta1, beta2, eps, t)
        except (TypeError, ValueError):
            pass
    t = _step(op, t)
    if t < 1:
        raise ValueError(f"{op}: t (the step count) must be >= 1, got {t}")
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    m = _like(op, "m", m, param, True)
    v = _like(op, "v", v, param, True)
    beta1 = _unit_interval(op, "beta1", beta1, False)
    beta2 = _unit_interval(op, "beta2", beta2, True)
    grad = _distinct(op, grad, param=param, m=m, v=v)
    kernel_for(op, op, param.dtype)(param, grad, m, v, num(op, "lr", lr), num(op, "beta1", beta1), num(op, "beta2", beta2), num(op, "eps", eps), t)


def adagrad_update(param, grad, acc, lr, eps=1e-7):
    """acc += g^2; p -= lr*g/(sqrt(acc)+eps)."""
    op = "adagrad_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, acc, lr, eps)
        except (TypeError, ValueError):
            pass
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    acc = _like(op, "acc", acc, param, True)
    grad = _distinct(op, grad, param=param, acc=acc)
    kernel_for(op, op, param.dtype)(param, grad, acc, num(op, "lr", lr), num(op, "eps", eps))


def _checked_step(op, param, grad, states, *scalars):
    """Validate a reference-only update (param, grad, in-place states) and run it."""
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    checked = {name: _like(op, name, a, param, True) for name, a in states}
    grad = _distinct(op, grad, param=param, **checked)
    kernel_for(op, op, param.dtype)(param, grad, *checked.values(), *scalars)


def _step_count(op, t):
    t = _step(op, t)
    if t < 1:
        raise ValueError(f"{op}: t (the step count) must be >= 1, got {t}")
    return t


def adam_amsgrad_update(param, grad, m, v, vhat, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """Adam's m, v; vhat = max(vhat, v); p -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(vhat)+eps)."""
    op = "adam_amsgrad_update"
    _checked_step(op, param, grad, (("m", m), ("v", v), ("vhat", vhat)), num(op, "lr", lr),
                  _unit_interval(op, "beta1", beta1, False), _unit_interval(op, "beta2", beta2, True),
                  num(op, "eps", eps), _step_count(op, t))


def adamax_update(param, grad, m, u, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """m = b1*m + (1-b1)*g; u = max(b2*u, |g|); p -= lr/(1-b1^t) * m/(u+eps)."""
    op = "adamax_update"
    _checked_step(op, param, grad, (("m", m), ("u", u)), num(op, "lr", lr),
                  _unit_interval(op, "beta1", beta1, False), _unit_interval(op, "beta2", beta2, True),
                  num(op, "eps", eps), _step_count(op, t))


def adadelta_update(param, grad, acc, acc_delta, lr, rho=0.95, eps=1e-7):
    """acc = rho*acc + (1-rho)*g^2; d = sqrt(acc_delta+eps)/sqrt(acc+eps)*g;
    acc_delta = rho*acc_delta + (1-rho)*d^2; p -= lr*d."""
    op = "adadelta_update"
    _checked_step(op, param, grad, (("acc", acc), ("acc_delta", acc_delta)), num(op, "lr", lr),
                  _unit_interval(op, "rho", rho, True), num(op, "eps", eps))


def nadam_update(param, grad, m, v, lr, beta1, beta2, eps, mu_t, mu_next, sched, sched_next, t):
    """Keras 2 Nadam step (formula in tensorforge.reference.optim)."""
    op = "nadam_update"
    _checked_step(op, param, grad, (("m", m), ("v", v)), num(op, "lr", lr),
                  _unit_interval(op, "beta1", beta1, False), _unit_interval(op, "beta2", beta2, True),
                  num(op, "eps", eps), num(op, "mu_t", mu_t), num(op, "mu_next", mu_next),
                  num(op, "sched", sched), num(op, "sched_next", sched_next), _step_count(op, t))


def rmsprop_ext_update(param, grad, ms, mg, mom, lr, rho=0.9, momentum=0.0, eps=1e-7,
                       eps_in_sqrt=False):
    """tf.keras 2 RMSprop with momentum (mom) and/or centered (mg); either may be None.
    eps_in_sqrt: without momentum, divide by sqrt(d+eps) (tf_keras 2.11+'s RMSprop) in place
    of sqrt(d)+eps (the legacy class); with momentum it is always sqrt(d+eps)."""
    op = "rmsprop_ext_update"
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    states = [(n, a) for n, a in (("ms", ms), ("mg", mg), ("mom", mom)) if a is not None]
    checked = {n: _like(op, n, a, param, True) for n, a in states}
    grad = _distinct(op, grad, param=param, **checked)
    kernel_for(op, op, param.dtype)(param, grad, checked["ms"], checked.get("mg"), checked.get("mom"),
                       num(op, "lr", lr), _unit_interval(op, "rho", rho, True),
                       num(op, "momentum", momentum), num(op, "eps", eps), bool(eps_in_sqrt))
