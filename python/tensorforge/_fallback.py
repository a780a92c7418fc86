"""TEMPORARY stand-ins for the pinned pointwise ops (CONTRACTS.md) until the pointwise branch lands.

Same names and signatures as tensorforge.ops.{relu, ..., softmax_cross_entropy, dropout}; the
library resolves ``tensorforge.ops.<name>`` first and only falls back to these when it is absent.
Delete this file once pointwise is merged.
"""
import numpy as np

from ._xp import array_module
from .autograd import Function


def _act_fwd(x, kind, alpha):
    xp = array_module(x)
    if kind == "relu":
        return xp.maximum(x, 0).astype(x.dtype) if alpha == 0 else xp.where(x > 0, x, alpha * x).astype(x.dtype)
    if kind == "leaky_relu":
        return xp.where(x > 0, x, x.dtype.type(alpha) * x)
    if kind == "elu":
        return xp.where(x > 0, x, x.dtype.type(alpha) * xp.expm1(xp.minimum(x, 0)))
    if kind == "selu":
        a, s = 1.6732632423543772, 1.0507009873554805
        return (s * xp.where(x > 0, x, a * xp.expm1(xp.minimum(x, 0)))).astype(x.dtype)
    if kind == "softplus":
        return (xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype)
    if kind == "sigmoid":
        return (0.5 * (1 + xp.tanh(0.5 * x))).astype(x.dtype)
    if kind == "hard_sigmoid":
        return xp.clip(x.dtype.type(0.2) * x + x.dtype.type(0.5), 0, 1)
    if kind == "tanh":
        return xp.tanh(x)
    return x


def _act_bwd(g, x, y, kind, alpha):
    xp = array_module(x)
    if kind in ("relu", "leaky_relu"):
        return g * xp.where(x > 0, 1, alpha).astype(g.dtype)
    if kind == "elu":
        return g * xp.where(x > 0, 1, y + alpha).astype(g.dtype)
    if kind == "selu":
        a, s = 1.6732632423543772, 1.0507009873554805
        return g * xp.where(x > 0, s, y + s * a).astype(g.dtype)
    if kind == "softplus":
        return g * (0.5 * (1 + xp.tanh(0.5 * x))).astype(g.dtype)
    if kind == "sigmoid":
        return g * y * (1 - y)
    if kind == "hard_sigmoid":
        return g * ((x > -2.5) & (x < 2.5)) * g.dtype.type(0.2)
    if kind == "tanh":
        return g * (1 - y * y)
    return g


class _Act(Function):
    @staticmethod
    def forward(ctx, x, kind, alpha):
        y = _act_fwd(x, kind, alpha)
        ctx.save_for_backward(x, y)
        ctx.meta = (kind, alpha)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved
        return _act_bwd(g, x, y, *ctx.meta), None, None


def _act(x, kind, alpha=0.0):
    from .autograd import Tensor
    if isinstance(x, Tensor):
        return _Act.apply(x, kind, alpha)
    return _act_fwd(x, kind, alpha)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    y = _act(x, "relu" if alpha == 0 else "leaky_relu", alpha)
    if max_value is not None:
        from .ops import basic
        y = basic.clip(y, -np.inf, max_value)
    return y


def leaky_relu(x, alpha=0.3): return _act(x, "leaky_relu", alpha)
def elu(x, alpha=1.0): return _act(x, "elu", alpha)
def selu(x): return _act(x, "selu")
def softplus(x): return _act(x, "softplus")
def sigmoid(x): return _act(x, "sigmoid")
def hard_sigmoid(x): return _act(x, "hard_sigmoid")
def tanh(x): return _act(x, "tanh")
def linear(x): return x


class _Softmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


def softmax(x, axis=-1):
    from .autograd import Tensor
    if isinstance(x, Tensor):
        return _Softmax.apply(x, axis)
    return _Softmax.forward(type("C", (), {"save_for_backward": lambda *a: None})(), x, axis)


class _SoftmaxXent(Function):
    @staticmethod
    def forward(ctx, logits, targets, sparse, reduction):
        xp = array_module(logits)
        z = logits - logits.max(axis=1, keepdims=True)
        lse = xp.log(xp.exp(z).sum(axis=1, keepdims=True))
        logp = z - lse
        n = logits.shape[0]
        if sparse:
            t = targets.astype(np.int64).reshape(-1)
            loss = -logp[xp.arange(n), t]
        else:
            loss = -(targets * logp).sum(axis=1)
        ctx.save_for_backward(xp.exp(logp), targets)
        ctx.meta = (sparse, reduction, n)
        out = loss.mean() if reduction == "mean" else (loss.sum() if reduction == "sum" else loss)
        return xp.asarray(out, dtype=logits.dtype)

    @staticmethod
    def backward(ctx, g):
        probs, targets = ctx.saved
        sparse, reduction, n = ctx.meta
        xp = array_module(probs)
        d = probs.copy()
        if sparse:
            d[xp.arange(n), targets.astype(np.int64).reshape(-1)] -= 1
        else:
            d -= targets
        if reduction == "mean":
            d *= g / n
        elif reduction == "sum":
            d *= g
        else:
            d *= g[:, None]
        return d, None, None, None


def softmax_cross_entropy(logits, targets, sparse=False, reduction="mean"):
    from .autograd import Tensor
    t = targets.data if isinstance(targets, Tensor) else targets
    if isinstance(logits, Tensor):
        return _SoftmaxXent.apply(logits, t, sparse, reduction)
    ctx = type("C", (), {"save_for_backward": lambda *a: None})()
    return _SoftmaxXent.forward(ctx, logits, t, sparse, reduction)


class _Dropout(Function):
    @staticmethod
    def forward(ctx, x, rate, seed):
        keep = np.random.default_rng(seed).random(x.shape) >= rate
        scale = x.dtype.type(1.0 / (1.0 - rate))
        m = keep.astype(x.dtype) * scale
        ctx.save_for_backward(m)
        return x * m

    @staticmethod
    def backward(ctx, g):
        (m,) = ctx.saved
        return g * m, None, None


def dropout(x, rate, training=True, seed=None):
    if not training or rate == 0:
        return x
    from .autograd import Tensor
    if isinstance(x, Tensor):
        return _Dropout.apply(x, rate, seed)
    return _Dropout.forward(type("C", (), {"save_for_backward": lambda *a: None})(), x, rate, seed)


# ---- optimizer updates (kernels.optim contract), in place, NumPy ------------------------------
def sgd_update(param, grad, velocity, lr, momentum, nesterov):
    if momentum == 0 or velocity is None:
        param -= np.float32(lr) * grad
        return
    velocity *= np.float32(momentum)
    velocity -= np.float32(lr) * grad
    if nesterov:
        param += np.float32(momentum) * velocity - np.float32(lr) * grad
    else:
        param += velocity


def rmsprop_update(param, grad, ms, lr, rho, eps):
    ms *= np.float32(rho)
    ms += np.float32(1 - rho) * grad * grad
    param -= np.float32(lr) * grad / (np.sqrt(ms) + np.float32(eps))


def adam_update(param, grad, m, v, lr, beta1, beta2, eps, t):
    m *= np.float32(beta1)
    m += np.float32(1 - beta1) * grad
    v *= np.float32(beta2)
    v += np.float32(1 - beta2) * grad * grad
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    param -= np.float32(lr_t) * m / (np.sqrt(v) + np.float32(eps))


def adagrad_update(param, grad, acc, lr, eps):
    acc += grad * grad
    param -= np.float32(lr) * grad / (np.sqrt(acc) + np.float32(eps))
