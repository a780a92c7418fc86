"""Optimizer update entry points: one fused in-place step on one parameter (Keras 2 formulas).

The Python optimizers (``tensorforge.optimizers``) own the state arrays (zeros, except Adagrad's
accumulator which starts at 0.1) and call these once per parameter per step. ``param`` and the
state arrays are updated IN PLACE, so they must be float32, C-contiguous, writable, of one shape
and distinct (a copy would silently drop the update, so a view is a ValueError, not copied);
``grad`` must match in dtype and shape and is made contiguous if needed. Every function returns
None. Formulas: ``tensorforge.reference.optim``. Adam with amsgrad, Adamax, Adadelta, Nadam and RMSprop
with momentum / centered have no native kernel: every backend runs the array-module reference (vectorized NumPy / CuPy). On the cpu backend the binding is called first
and checks everything itself (Note [native fast path] in kernels/pointwise.py): a step on a small
bias costs well under a microsecond of Python.
"""
import numpy as np

from .. import backend
from .._xp import array_module
from ._common import check_array, shape_str

__all__ = ["sgd_update", "rmsprop_update", "adam_update", "adagrad_update", "adam_amsgrad_update",
           "adamax_update", "adadelta_update", "nadam_update", "rmsprop_ext_update"]

_F32 = (np.float32,)


def _is_native(fn):
    return getattr(fn, "__module__", None) == "tensorforge._C"


def _param(op, p):
    check_array(op, "param", p, None, "", _F32)
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
    check_array(op, name, a, None, "", _F32, allow_empty=True)
    if a.shape != p.shape:
        raise ValueError(f"{op}: {name} must have the shape of param {shape_str(p.shape)}, got "
                         f"{shape_str(a.shape)}")
    if state:
        _inplace_ok(op, name, a)
        if array_module(a).may_share_memory(a, p):
            raise ValueError(f"{op}: {name} must not share memory with param")
    elif not a.flags.c_contiguous:
        a = array_module(a).ascontiguousarray(a)
    return a


def sgd_update(param, grad, velocity, lr, momentum=0.0, nesterov=False):
    """v = momentum*v - lr*g; p += v (nesterov: p += momentum*v - lr*g); momentum 0: p -= lr*g."""
    op = "sgd_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, velocity, float(lr), float(momentum), bool(nesterov))
        except (TypeError, ValueError):
            pass
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    if momentum != 0:
        if velocity is None:
            raise ValueError(f"{op}: velocity is None but momentum = {momentum}")
        velocity = _like(op, "velocity", velocity, param, True)
    fn(param, grad, velocity, float(lr), float(momentum), bool(nesterov))


def rmsprop_update(param, grad, ms, lr, rho=0.9, eps=1e-7):
    """ms = rho*ms + (1-rho)*g^2; p -= lr*g/(sqrt(ms)+eps)."""
    op = "rmsprop_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, ms, float(lr), float(rho), float(eps))
        except (TypeError, ValueError):
            pass
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    ms = _like(op, "ms", ms, param, True)
    fn(param, grad, ms, float(lr), float(rho), float(eps))


def adam_update(param, grad, m, v, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps)."""
    op = "adam_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, m, v, float(lr), float(beta1), float(beta2), float(eps), int(t))
        except (TypeError, ValueError):
            pass
    t = int(t)
    if t < 1:
        raise ValueError(f"{op}: t (the step count) must be >= 1, got {t}")
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    m = _like(op, "m", m, param, True)
    v = _like(op, "v", v, param, True)
    if array_module(m).may_share_memory(m, v):
        raise ValueError(f"{op}: m and v must not share memory")
    fn(param, grad, m, v, float(lr), float(beta1), float(beta2), float(eps), t)


def adagrad_update(param, grad, acc, lr, eps=1e-7):
    """acc += g^2; p -= lr*g/(sqrt(acc)+eps)."""
    op = "adagrad_update"
    fn = backend.lookup(op)
    if _is_native(fn):
        try:
            return fn(param, grad, acc, float(lr), float(eps))
        except (TypeError, ValueError):
            pass
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    acc = _like(op, "acc", acc, param, True)
    fn(param, grad, acc, float(lr), float(eps))


def _checked_step(op, param, grad, states, *scalars):
    """Validate a reference-only update (param, grad, in-place states) and run it."""
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    states = [_like(op, name, a, param, True) for name, a in states]
    for i, a in enumerate(states):
        for b in states[i + 1:]:
            if array_module(a).may_share_memory(a, b):
                raise ValueError(f"{op}: the state arrays must not share memory")
    backend.lookup(op)(param, grad, *states, *scalars)


def _step_count(op, t):
    t = int(t)
    if t < 1:
        raise ValueError(f"{op}: t (the step count) must be >= 1, got {t}")
    return t


def adam_amsgrad_update(param, grad, m, v, vhat, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """Adam's m, v; vhat = max(vhat, v); p -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(vhat)+eps)."""
    op = "adam_amsgrad_update"
    _checked_step(op, param, grad, (("m", m), ("v", v), ("vhat", vhat)), float(lr), float(beta1),
                  float(beta2), float(eps), _step_count(op, t))


def adamax_update(param, grad, m, u, lr, beta1=0.9, beta2=0.999, eps=1e-7, t=1):
    """m = b1*m + (1-b1)*g; u = max(b2*u, |g|); p -= lr/(1-b1^t) * m/(u+eps)."""
    op = "adamax_update"
    _checked_step(op, param, grad, (("m", m), ("u", u)), float(lr), float(beta1), float(beta2),
                  float(eps), _step_count(op, t))


def adadelta_update(param, grad, acc, acc_delta, lr, rho=0.95, eps=1e-7):
    """acc = rho*acc + (1-rho)*g^2; d = sqrt(acc_delta+eps)/sqrt(acc+eps)*g;
    acc_delta = rho*acc_delta + (1-rho)*d^2; p -= lr*d."""
    _checked_step("adadelta_update", param, grad, (("acc", acc), ("acc_delta", acc_delta)),
                  float(lr), float(rho), float(eps))


def nadam_update(param, grad, m, v, lr, beta1, beta2, eps, mu_t, mu_next, sched, sched_next, t):
    """Keras 2 Nadam step (formula in tensorforge.reference.optim)."""
    op = "nadam_update"
    _checked_step(op, param, grad, (("m", m), ("v", v)), float(lr), float(beta1), float(beta2),
                  float(eps), float(mu_t), float(mu_next), float(sched), float(sched_next),
                  _step_count(op, t))


def rmsprop_ext_update(param, grad, ms, mg, mom, lr, rho=0.9, momentum=0.0, eps=1e-7):
    """tf.keras 2 RMSprop with momentum (mom) and/or centered (mg); either may be None."""
    op = "rmsprop_ext_update"
    param = _param(op, param)
    grad = _like(op, "grad", grad, param, False)
    states = [(n, a) for n, a in (("ms", ms), ("mg", mg), ("mom", mom)) if a is not None]
    checked = {n: _like(op, n, a, param, True) for n, a in states}
    arrs = list(checked.values())
    for i, a in enumerate(arrs):
        for b in arrs[i + 1:]:
            if array_module(a).may_share_memory(a, b):
                raise ValueError(f"{op}: the state arrays must not share memory")
    backend.lookup(op)(param, grad, checked["ms"], checked.get("mg"), checked.get("mom"),
                       float(lr), float(rho), float(momentum), float(eps))
