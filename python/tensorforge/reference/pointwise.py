"""Reference pointwise family: activations, softmax, fused softmax + cross-entropy, dropout.

Arrays in, arrays out, float32 (any shape for the elementwise ops; (N, C) for softmax). Written on
``xp`` (NumPy, or CuPy for GPU arrays). Validation happens in ``tensorforge.kernels.pointwise``.

    act_forward(x, kind, alpha) -> y
    act_backward(dy, x, y, kind, alpha) -> dx
        kind: 'relu', 'leaky_relu', 'elu', 'selu', 'softplus', 'sigmoid', 'hard_sigmoid', 'tanh',
        'relu6', 'relu_max', 'swish' (x * sigmoid(x)), 'gelu', 'gelu_tanh' (its tanh
        approximation), 'linear'; alpha is the leaky slope (leaky_relu), the elu alpha or
        relu_max's cap (ignored otherwise). Gradients at the kinks follow TensorFlow: relu'(0) =
        0, leaky_relu'(0) = alpha, relu6'(6) = 0 (tf.nn.relu6), relu_max'(cap) = 1
        (clip_by_value, as Keras 2's relu(max_value=m) for m != 6).
    softmax_forward(x) -> y                     over the last axis of a 2-D (N, C) x
    softmax_backward(dy, y) -> dx               dx = y * (dy - sum(dy * y, axis=-1))
    softmax_xent_forward(logits, targets, sparse) -> (loss (N,), probs (N, C))
        loss_i = -sum_j t_ij log softmax(logits)_ij, computed as sum_j t_ij (m_i - x_ij) + T_i log s_i
        (m_i = row max, s_i = sum_j exp(x_ij - m_i), T_i = sum_j t_ij): stable for any logits.
        sparse: targets are int32/int64 labels (N,), in [0, C).
    softmax_xent_backward(probs, targets, sparse, scale) -> dlogits = (probs - onehot) * scale
    dropout_forward(x, rate, seed) -> (y, mask)  mask uint8, 1 = kept; y = x * (mask / (1 - rate))
    dropout_backward(dy, mask, rate) -> dx       dx = dy * (mask / (1 - rate))

Note [dropout RNG]: the keep decision of element i (flat C-order index) is a pure function of
(seed, i), so a mask does not depend on the backend, the ISA, the thread count or on how the work
is split. With the SplitMix64 finalizer
    mix(z) = z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^ (z >> 31)
(all arithmetic mod 2**64):
    key = mix(seed + 0x9E3779B97F4A7C15)
    u_i = mix(key + i * 0x9E3779B97F4A7C15) >> 40          (a 24-bit integer; u_i / 2**24 in [0, 1))
    keep_i = u_i >= ceil(rate * 2**24)                       (i.e. u_i / 2**24 >= rate)
The threshold is computed in float64 (exact for rate in [0, 1)), so the native and CUDA kernels
reproduce it bit for bit. Dropped elements are multiplied by 0 (not set to 0), so NaN stays NaN.
"""
import math

import numpy as np

from .._xp import array_module

__all__ = ["act_forward", "act_backward", "softmax_forward", "softmax_backward",
           "softmax_xent_forward", "softmax_xent_backward", "xent_batch_stats", "dropout_forward",
           "dropout_backward"]

ACT_KINDS = ("linear", "relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid",
             "tanh", "relu6", "relu_max", "swish", "gelu", "gelu_tanh")

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK64 = (1 << 64) - 1


def one_plus_erf_fast(xp, x):
    """1 + erf(x) = erfc(-x) by Numerical Recipes' Chebyshev fit of erfc (relative error
    < 1.1e-7 over all x, checked against math.erfc), ~15 array passes instead of ops/smooth.py's erf_array's
    ~180: for float32 and narrower inputs, whose results it leaves within 2 ulp. Relative, so
    gelu stays accurate where 1 + erf(x) is tiny (x very negative)."""
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc_z = t * xp.exp(-z * z + p)
    return xp.where(x < 0, erfc_z, 2.0 - erfc_z)


_SQRT_2_OVER_PI = 0.79788456080286535588


def act_forward(x, kind, alpha):
    xp = array_module(x)
    f = x.dtype.type
    if kind == "linear":
        return x.copy()
    if kind == "relu":
        # where() keeps NaN (np.maximum would too, but this is the formula the kernels use)
        return xp.where(x > 0, x, xp.where(x != x, x, f(0)))
    if kind == "leaky_relu":  # (alpha rounded to float32 first, as TensorFlow's LeakyRelu
        return xp.where(x > 0, x, x * f(np.float32(alpha)))  # attribute is, for any dtype)
    if kind == "elu":
        return xp.where(x > 0, x, f(alpha) * xp.expm1(xp.minimum(x, f(0))))
    if kind == "selu":
        neg = f(SELU_SCALE * SELU_ALPHA) * xp.expm1(xp.minimum(x, f(0)))
        return xp.where(x > 0, f(SELU_SCALE) * x, neg)
    if kind == "softplus":
        # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows
        return (xp.maximum(x, f(0)) + xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)
    if kind == "sigmoid":
        # e^-|x| never overflows; sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) for x < 0
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, f(1) / (f(1) + e), e / (f(1) + e))
    if kind == "hard_sigmoid":
        t = x * f(0.2) + f(0.5)
        return xp.where(t > 1, f(1), xp.where(t < 0, f(0), t))
    if kind == "tanh":
        return xp.tanh(x)
    if kind in ("relu6", "relu_max"):  # min(max(x, 0), cap), NaN kept
        cap = f(6 if kind == "relu6" else alpha)
        return xp.where(x > cap, cap, xp.where(x > 0, x, xp.where(x != x, x, f(0))))
    if kind == "swish":
        return x * act_forward(x, "sigmoid", alpha)
    if kind == "gelu":
        return (0.5 * x * one_plus_erf_fast(xp, x.astype(np.float64) * np.sqrt(0.5))).astype(
            x.dtype, copy=False)
    if kind == "gelu_tanh":  # x / 2 (1 + tanh u) = x sigmoid(2 u): no cancellation for u < 0
        x64 = x.astype(np.float64)
        s = act_forward(2 * _SQRT_2_OVER_PI * (x64 + 0.044715 * x64 ** 3), "sigmoid", alpha)
        return (x64 * s).astype(x.dtype, copy=False)
    raise ValueError(f"act_forward: unknown kind {kind!r}")


def act_backward(dy, x, y, kind, alpha):
    xp = array_module(dy)
    f = dy.dtype.type
    if kind == "linear":
        return dy.copy()
    if kind == "relu":
        return xp.where(x > 0, dy, f(0))
    if kind == "leaky_relu":
        return xp.where(x > 0, dy, dy * f(np.float32(alpha)))
    if kind == "elu":
        return xp.where(x > 0, dy, dy * (y + f(alpha)))
    if kind == "selu":
        return xp.where(x > 0, dy * f(SELU_SCALE), dy * (y + f(SELU_SCALE * SELU_ALPHA)))
    if kind == "softplus":
        return dy * act_forward(x, "sigmoid", alpha)
    if kind == "sigmoid":
        return dy * (y * (f(1) - y))
    if kind == "hard_sigmoid":
        inside = (x > f(-2.5)) & (x < f(2.5))
        return xp.where(inside, dy * f(0.2), f(0))
    if kind == "tanh":
        return dy * (f(1) - y * y)
    if kind == "relu6":  # tf.nn.relu6's gradient: 0 at the cap
        return xp.where((x > 0) & (x < f(6)), dy, f(0))
    if kind == "relu_max":  # clip_by_value's: dy at the cap
        return xp.where((x > 0) & (x <= f(alpha)), dy, f(0))
    if kind == "swish":
        s = act_forward(x, "sigmoid", alpha)
        return dy * (s * (f(1) + x * (f(1) - s)))
    if kind == "gelu":
        x64 = x.astype(np.float64)
        d = 0.5 * one_plus_erf_fast(xp, x64 * np.sqrt(0.5)) + x64 * xp.exp(-0.5 * x64 * x64) / \
            np.sqrt(2 * np.pi)
        return dy * d.astype(dy.dtype, copy=False)
    if kind == "gelu_tanh":  # s + 2 x s (1 - s) u', s = sigmoid(2 u)
        x64 = x.astype(np.float64)
        s = act_forward(2 * _SQRT_2_OVER_PI * (x64 + 0.044715 * x64 ** 3), "sigmoid", alpha)
        d = s + x64 * s * (1.0 - s) * 2 * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x64 * x64)
        return dy * d.astype(dy.dtype, copy=False)
    raise ValueError(f"act_backward: unknown kind {kind!r}")


def softmax_forward(x):
    xp = array_module(x)
    e = xp.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dy, y):
    return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


def softmax_xent_forward(logits, targets, sparse):
    xp = array_module(logits)
    m = logits.max(axis=-1, keepdims=True)
    shifted = m - logits                      # >= 0 (NaN where the row has NaN)
    e = xp.exp(-shifted)
    s = e.sum(axis=-1, keepdims=True)
    probs = e / s
    log_s = xp.log(s)[:, 0]
    if sparse:
        rows = xp.arange(logits.shape[0])
        loss = shifted[rows, targets] + log_s
    else:
        loss = (targets * shifted).sum(axis=-1) + targets.sum(axis=-1) * log_s
    return loss.astype(logits.dtype, copy=False), probs


def xent_batch_stats(loss, logits, targets, sparse):
    """(mean, hits) of a cross-entropy batch: the float32 mean of loss (N,) as
    loss.sum(dtype=float32) / float32(N), and the number of rows whose logits argmax is the target
    class (the targets' own argmax when dense, the label when sparse)."""
    mean = loss.sum(dtype=np.float32) / np.float32(loss.size)
    true = targets.astype(np.int64) if sparse else targets.argmax(-1)
    return float(mean), int((logits.argmax(-1) == true).sum())


def softmax_xent_backward(probs, targets, sparse, scale):
    xp = array_module(probs)
    if sparse:
        d = probs.copy()
        d[xp.arange(probs.shape[0]), targets] -= probs.dtype.type(1)
    else:
        d = probs - targets
    if scale != 1.0:
        d *= probs.dtype.type(scale)
    return d


def _mix64(xp, z):
    # SplitMix64 finalizer on uint64 arrays (wrapping arithmetic). See Note [dropout RNG].
    z = z ^ (z >> xp.uint64(30))
    z = z * xp.uint64(_M1)
    z = z ^ (z >> xp.uint64(27))
    z = z * xp.uint64(_M2)
    return z ^ (z >> xp.uint64(31))


def _mix64_int(z):
    z &= _MASK64
    z = ((z ^ (z >> 30)) * _M1) & _MASK64
    z = ((z ^ (z >> 27)) * _M2) & _MASK64
    return z ^ (z >> 31)


def dropout_threshold(rate):
    """The 24-bit integer threshold of Note [dropout RNG]: keep iff u >= threshold."""
    return int(math.ceil(float(rate) * 16777216.0))


def dropout_keep_mask(xp, shape, rate, seed):
    """uint8 mask of Note [dropout RNG] for an array of ``shape`` (1 = kept)."""
    key = _mix64_int((int(seed) + _GOLDEN) & _MASK64)
    n = 1
    for s in shape:
        n *= int(s)
    with np.errstate(over="ignore"):
        i = xp.arange(n, dtype=xp.uint64)
        u = _mix64(xp, xp.uint64(key) + i * xp.uint64(_GOLDEN)) >> xp.uint64(40)
    return (u >= xp.uint64(dropout_threshold(rate))).astype(xp.uint8).reshape(shape)


def _keep_scale(rate, dtype):
    return np.dtype(dtype).type(1.0 / (1.0 - float(rate)))


def dropout_forward(x, rate, seed):
    xp = array_module(x)
    mask = dropout_keep_mask(xp, x.shape, rate, seed)
    scale = _keep_scale(rate, x.dtype)
    return x * xp.where(mask != 0, scale, x.dtype.type(0)), mask


def dropout_backward(dy, mask, rate):
    xp = array_module(dy)
    scale = _keep_scale(rate, dy.dtype)
    return dy * xp.where(mask != 0, scale, dy.dtype.type(0))
