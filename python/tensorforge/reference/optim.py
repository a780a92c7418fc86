"""Reference optim family: one optimizer step on one parameter, IN PLACE, Keras 2 formulas.

Every function updates ``param`` and its state arrays in place and returns None. All arrays are
float32 (or all float64) of the same shape (the kernels layer checks); scalars are Python floats,
rounded to float32 before use except ``lr_t`` of Adam, whose bias correction is computed in
float64 first. With float64 arrays the hyperparameters Keras 2 keeps as float32 variables (the
learning rate, momentum, rho, beta_1, beta_2: its legacy optimizers' add_weight default) are
rounded to float32 and then computed with in float64, as tf_keras does; epsilon is not (a
Python float there). See _hypers.

    sgd_update(param, grad, velocity, lr, momentum, nesterov)
        momentum == 0: p -= lr*g   (velocity may be None and is not touched)
        else: v = momentum*v - lr*g ; p += v  (nesterov: p += momentum*v - lr*g)
    rmsprop_update(param, grad, ms, lr, rho, eps, grad2=None, eps_in_sqrt=False)
        ms = rho*ms + (1-rho)*g^2 ; p -= lr*g/(sqrt(ms)+eps)
    adam_update(param, grad, m, v, lr, beta1, beta2, eps, t)       t = step count, from 1
        m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2 ; lr_t = lr*sqrt(1-b2^t)/(1-b1^t)
        p -= lr_t*m/(sqrt(v)+eps)
    adagrad_update(param, grad, acc, lr, eps)
        acc += g^2 ; p -= lr*g/(sqrt(acc)+eps)

The optimizers below have no native kernel: these array-module (NumPy / CuPy) functions are what
every backend runs (a handful of vectorized passes over the parameter per step).

    adam_amsgrad_update(param, grad, m, v, vhat, lr, beta1, beta2, eps, t)
        Adam's m, v ; vhat = max(vhat, v) ; p -= lr_t*m/(sqrt(vhat)+eps)
    adamax_update(param, grad, m, u, lr, beta1, beta2, eps, t)
        m = b1*m + (1-b1)*g ; u = max(b2*u, |g|) ; p -= lr/(1-b1^t) * m/(u+eps)
    adadelta_update(param, grad, acc, acc_delta, lr, rho, eps)
        acc = rho*acc + (1-rho)*g^2 ; d = sqrt(acc_delta+eps)/sqrt(acc+eps)*g
        acc_delta = rho*acc_delta + (1-rho)*d^2 ; p -= lr*d
    rmsprop_ext_update(param, grad, ms, mg, mom, lr, rho, momentum, eps, eps_in_sqrt=False)
        tf.keras 2 RMSprop with momentum and/or centered (mg None: not centered; mom None:
        momentum 0). ms = rho*ms + (1-rho)*g^2 ; mg = rho*mg + (1-rho)*g ; d = ms - mg^2 (or ms)
        momentum: mom = momentum*mom + lr*g/sqrt(d+eps) ; p -= mom
        else:     p -= lr*g/(sqrt(d)+eps)   (tf_keras legacy, Keras 2.0-2.10)
                  p -= lr*g/sqrt(d+eps)     (eps_in_sqrt: tf_keras 2.11+'s default class)
    nadam_update(param, grad, m, v, lr, beta1, beta2, eps, mu_t, mu_next, sched, sched_next, t)
        (Keras 2 / tf_keras legacy Nadam: mu_t, mu_next are the momentum schedule at steps t and
        t+1, sched = prod(mu_1..mu_t), sched_next = sched*mu_next)
        m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2
        m_bar = (1-mu_t)*g/(1-sched) + mu_next*m/(1-sched_next)
        p -= lr*m_bar/(sqrt(v/(1-b2^t))+eps)
"""
import math

import numpy as np

from .._xp import array_module

__all__ = ["sgd_update", "rmsprop_update", "adam_update", "adam_update_multi", "adagrad_update",
           "adam_amsgrad_update",
           "adamax_update", "adadelta_update", "nadam_update", "rmsprop_ext_update"]


def adam_lr_t(lr, beta1, beta2, t):
    """Adam's bias-corrected step size (float64), shared with the kernels layer."""
    return float(lr) * math.sqrt(1.0 - float(beta2) ** t) / (1.0 - float(beta1) ** t)


def _hypers(param, *values):
    """``values`` as Keras 2's legacy optimizers read them for a float64 parameter: float32
    variables cast to float64 (float32 parameters: as they are; they are rounded there)."""
    if param.dtype.itemsize <= 4:
        return values
    return tuple(float(np.float32(v)) for v in values)


def sgd_update(param, grad, velocity, lr, momentum, nesterov):
    f = param.dtype.type
    lr, momentum = _hypers(param, lr, momentum)
    lr, momentum = f(lr), f(momentum)
    if momentum == 0:
        param -= lr * grad
        return None
    velocity *= momentum
    velocity -= lr * grad
    if nesterov:
        param += momentum * velocity - lr * grad
    else:
        param += velocity
    return None


def _ema(buf, x, decay):
    """buf = decay * buf + (1 - decay) * x, in place, in buf's dtype (the moment estimates)."""
    f = buf.dtype.type
    buf *= f(decay)
    buf += f(1.0 - decay) * x


def rmsprop_update(param, grad, ms, lr, rho, eps, grad2=None, eps_in_sqrt=False):
    xp = array_module(param)
    f = param.dtype.type
    lr, rho = _hypers(param, lr, rho)
    if grad2 is not None:
        grad = grad + grad2
    _ema(ms, grad * grad, rho)
    param -= f(lr) * grad / (xp.sqrt(ms + f(eps)) if eps_in_sqrt else xp.sqrt(ms) + f(eps))
    return None


def adam_update(param, grad, m, v, lr, beta1, beta2, eps, t):
    xp = array_module(param)
    f = param.dtype.type
    lr, beta1, beta2 = _hypers(param, lr, beta1, beta2)
    _ema(m, grad, beta1)
    _ema(v, grad * grad, beta2)
    param -= f(adam_lr_t(lr, beta1, beta2, t)) * m / (xp.sqrt(v) + f(eps))
    return None


def adam_update_multi(params, grads, ms, vs, lr, beta1, beta2, eps, t):
    """adam_update on each index of the four lists, in order."""
    for p, g, m, v in zip(params, grads, ms, vs):
        adam_update(p, g, m, v, lr, beta1, beta2, eps, t)
    return None


def adagrad_update(param, grad, acc, lr, eps):
    xp = array_module(param)
    f = param.dtype.type
    (lr,) = _hypers(param, lr)
    acc += grad * grad
    param -= f(lr) * grad / (xp.sqrt(acc) + f(eps))
    return None


def adam_amsgrad_update(param, grad, m, v, vhat, lr, beta1, beta2, eps, t):
    xp = array_module(param)
    f = param.dtype.type
    lr, beta1, beta2 = _hypers(param, lr, beta1, beta2)
    _ema(m, grad, beta1)
    _ema(v, grad * grad, beta2)
    xp.maximum(vhat, v, out=vhat)
    param -= f(adam_lr_t(lr, beta1, beta2, t)) * m / (xp.sqrt(vhat) + f(eps))
    return None


def adamax_update(param, grad, m, u, lr, beta1, beta2, eps, t):
    xp = array_module(param)
    f = param.dtype.type
    lr, beta1, beta2 = _hypers(param, lr, beta1, beta2)
    _ema(m, grad, beta1)
    u *= f(beta2)
    xp.maximum(u, xp.abs(grad), out=u)
    param -= f(float(lr) / (1.0 - float(beta1) ** t)) * m / (u + f(eps))
    return None


def adadelta_update(param, grad, acc, acc_delta, lr, rho, eps):
    xp = array_module(param)
    f = param.dtype.type
    lr, rho = _hypers(param, lr, rho)
    _ema(acc, grad * grad, rho)
    delta = xp.sqrt(acc_delta + f(eps)) / xp.sqrt(acc + f(eps)) * grad
    _ema(acc_delta, delta * delta, rho)
    param -= f(lr) * delta
    return None


def nadam_update(param, grad, m, v, lr, beta1, beta2, eps, mu_t, mu_next, sched, sched_next, t):
    xp = array_module(param)
    f = param.dtype.type
    lr, beta1, beta2 = _hypers(param, lr, beta1, beta2)
    _ema(m, grad, beta1)
    _ema(v, grad * grad, beta2)
    m_bar = f((1.0 - mu_t) / (1.0 - sched)) * grad + f(mu_next / (1.0 - sched_next)) * m
    v_hat = v / f(1.0 - float(beta2) ** t)
    param -= f(lr) * m_bar / (xp.sqrt(v_hat) + f(eps))
    return None


def rmsprop_ext_update(param, grad, ms, mg, mom, lr, rho, momentum, eps, eps_in_sqrt=False):
    xp = array_module(param)
    f = param.dtype.type
    lr, rho, momentum = _hypers(param, lr, rho, momentum)
    _ema(ms, grad * grad, rho)
    d = ms
    if mg is not None:
        _ema(mg, grad, rho)
        d = ms - mg * mg
    if mom is not None:
        mom *= f(momentum)
        mom += f(lr) * grad / xp.sqrt(d + f(eps))
        param -= mom
    elif eps_in_sqrt:
        param -= f(lr) * grad / xp.sqrt(d + f(eps))
    else:
        param -= f(lr) * grad / (xp.sqrt(d) + f(eps))
    return None
