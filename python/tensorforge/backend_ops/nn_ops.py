"""Keras backend neural-network functions: activations, cross-entropies, l2_normalize,
bias_add, dropout, batch_normalization.

float32 tensors run the fused native kernels (ops.activations, ops.softmax_cross_entropy,
ops.dropout); other float dtypes run the same formulas on the array module
(ops.elementwise.generic_act / generic_softmax). Names, arguments and defaults are Keras 2's.
"""
import numpy as np

from .. import _random as _random_state
from .. import backend_config as _backend
from .. import losses as _losses
from ..activations import tag_logits
from .._xp import array_module
from ..ops import activations as A
from ..ops import basic as B
from ..ops import complex as C
from ..ops import elementwise as E
from ..ops import losses_ops as L
from ..ops import reduce as R
from ._args import axis_arg, device_xp, int_arg, shape_arg, shape_str, tensor

__all__ = ["softmax", "sigmoid", "hard_sigmoid", "relu", "elu", "tanh", "softplus", "softsign",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
           "l2_normalize", "bias_add", "dropout", "batch_normalization"]


def _float(fn, x):
    x = tensor(fn, "x", x)
    if x.dtype.kind == "c":  # a cast would drop the imaginary part
        raise TypeError(f"{fn}: x must be real, got {x.dtype} with shape {shape_str(x.shape)} "
                        f"(tanh and sigmoid take complex values)")
    if x.dtype.kind != "f":
        x = E.cast(x, _backend.floatx())
    return x


def _act(fn, x, kind, alpha=0.0):
    if kind in ("tanh", "sigmoid") and getattr(x, "dtype", None) is not None \
            and np.dtype(x.dtype).kind == "c":
        return C.holomorphic(tensor(fn, "x", x), kind)
    x = _float(fn, x)
    if x.dtype == np.float32:
        return getattr(A, kind)(x)
    return E.generic_act(x, kind, alpha)


def sigmoid(x):
    return tag_logits(_act("sigmoid", x, "sigmoid"), x)


def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1)."""
    return _act("hard_sigmoid", x, "hard_sigmoid")


def tanh(x):
    return _act("tanh", x, "tanh")


def softplus(x):
    return _act("softplus", x, "softplus")


def softsign(x):
    """x / (1 + |x|)."""
    x = _float("softsign", x)
    return x / (B.abs(x) + 1.0)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    x = _float("elu", x)
    if x.dtype == np.float32:
        return A.elu(x, alpha)
    return E.generic_act(x, "elu", alpha)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras relu: max(x, 0); ``alpha`` is the slope below ``threshold``; ``max_value`` caps."""
    x = _float("relu", x)
    if x.dtype == np.float32:
        return A.relu(x, alpha, max_value, threshold)
    if max_value is None and threshold == 0:
        return E.generic_act(x, "relu" if alpha == 0 else "leaky_relu", alpha)
    # the general form on differentiable pieces (float64 and others)
    pos = E.where(x.data > threshold, x, 0.0) if threshold != 0 else E.generic_act(x, "relu", 0.0)
    if max_value is not None:
        pos = B.clip(pos, 0.0, float(max_value))
    if alpha != 0:
        pos = pos - float(alpha) * E.generic_act(float(threshold) - x, "relu", 0.0)
    return pos


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (stable); x must be at least 2-D, as in Keras."""
    x = _float("softmax", x)
    if x.ndim <= 1:
        raise ValueError(f"softmax: cannot apply softmax to a tensor of rank {x.ndim} "
                         f"(shape {shape_str(x.shape)}); it must be at least 2-D")
    axes = axis_arg("softmax", axis, x)
    if x.dtype == np.float32 and len(axes) == 1:
        return tag_logits(A.softmax(x, axes[0]), x)
    return tag_logits(E.generic_softmax(x, axes), x)


def _clip_eps(p):
    eps = _backend.epsilon()
    return B.clip(p, eps, 1.0 - eps)


def _target_output(fn, target, output, same_shape=True):
    out = _float(fn, output)
    tgt = tensor(fn, "target", target)
    if tgt.dtype != out.dtype:
        tgt = E.cast(tgt, out.dtype)
    if same_shape and tgt.shape != out.shape:
        raise ValueError(f"{fn}: target and output must have the same shape, got "
                         f"{shape_str(tgt.shape)} and {shape_str(out.shape)}")
    return tgt, out


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output)) over ``axis``, one value per sample (no batch mean).

    output is rescaled to sum to 1 and clipped to [epsilon, 1 - epsilon] as Keras does; with
    from_logits=True the softmax is fused in (stable; the native kernel for float32, last axis).
    """
    fn = "categorical_crossentropy"
    tgt, out = _target_output(fn, target, output)
    if out.ndim == 0:
        raise ValueError(f"{fn}: output must be at least 1-D, got a scalar")
    (ax,) = axis_arg(fn, axis, out)
    if from_logits:
        if out.dtype == np.float32 and ax == out.ndim - 1 and _rows_sum_to_one(tgt.data):
            # the fused kernel's gradient softmax - target assumes rows of target sum to 1
            # (a target that requires grad gets -log_softmax(output) from it too)
            return L.softmax_cross_entropy(out, tgt, sparse=False, reduction="none")
        return B.sum(tgt * (R.logsumexp(out, (ax,), True) - out), (ax,), False)
    p = out / B.sum(out, (ax,), True)
    return -B.sum(tgt * B.log(_clip_eps(p)), (ax,), False)


def _rows_sum_to_one(t):
    xp = array_module(t)
    return t.size > 0 and bool(xp.all(xp.abs(t.sum(axis=-1) - 1) <= 1e-4))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """Cross-entropy of integer labels ``target`` against ``output`` over ``axis``; labels may
    carry a trailing axis of 1. Probabilities are clipped to [epsilon, 1 - epsilon] and their log
    taken as logits, exactly as Keras. Samples whose label is ``ignore_class`` give 0."""
    fn = "sparse_categorical_crossentropy"
    out = _float(fn, output)
    tgt = tensor(fn, "target", target).data
    if out.ndim == 0:
        raise ValueError(f"{fn}: output must be at least 1-D, got a scalar")
    (ax,) = axis_arg(fn, axis, out)
    if ax != out.ndim - 1:
        perm = tuple(i for i in range(out.ndim) if i != ax) + (ax,)
        out = B.transpose(out, perm)
    lead, C = out.shape[:-1], out.shape[-1]
    if tgt.dtype.kind == "f":
        tgt = tgt.astype(np.int64)
    if tgt.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must hold integer class labels, got {tgt.dtype}")
    if tgt.size != int(np.prod(lead, dtype=np.int64)):
        raise ValueError(f"{fn}: target with shape {shape_str(tgt.shape)} does not match output "
                         f"with shape {shape_str(out.shape)} (one label per row of {C} classes)")
    tgt = tgt.reshape(lead).astype(np.int64)
    xp = array_module(tgt)
    valid = None
    if ignore_class is not None:
        valid = tgt != ignore_class
        tgt = xp.where(valid, tgt, 0)
    if tgt.size and bool((tgt.min() < 0) | (tgt.max() >= C)):  # on the GPU: one sync a call
        raise ValueError(f"{fn}: labels must be in [0, {C}), got values in "
                         f"[{int(tgt.min())}, {int(tgt.max())}]")
    if from_logits and out.dtype == np.float32:
        loss = L.softmax_cross_entropy(out, tgt, sparse=True, reduction="none")
    else:
        logits = out if from_logits else B.log(_clip_eps(out))
        picked = B.getitem(logits, tuple(xp.indices(lead)) + (tgt,))
        loss = R.logsumexp(logits, (logits.ndim - 1,), False) - picked
    if valid is not None:
        loss = loss * valid.astype(loss.dtype)
    return loss


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise -(t log(p + eps) + (1 - t) log(1 - p + eps)) with p clipped to
    [eps, 1 - eps] (Keras' exact formula, eps = epsilon()); from_logits=True is the stable
    softplus(z) - z t = max(z, 0) - z t + log(1 + exp(-|z|)). No reduction."""
    fn = "binary_crossentropy"
    tgt, out = _target_output(fn, target, output, same_shape=False)
    try:
        np.broadcast_shapes(tgt.shape, out.shape)
    except ValueError:
        raise ValueError(f"{fn}: target {shape_str(tgt.shape)} and output {shape_str(out.shape)} "
                         "do not broadcast") from None
    if tgt.dtype != out.dtype:
        tgt = E.cast(tgt, out.dtype)
    if from_logits:
        return softplus(out) - out * tgt
    eps = _backend.epsilon()
    p = _clip_eps(out)
    return -(tgt * B.log(p + eps) + (1.0 - tgt) * B.log(1.0 - p + eps))


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x^2, axis), 1e-12)) (tf.linalg.l2_normalize)."""
    x = _float("l2_normalize", x)
    ax = axis_arg("l2_normalize", axis, x)
    ss = B.sum(E.square(x), ax, True)
    return x / B.sqrt(B.maximum(ss, 1e-12))


def bias_add(x, bias, data_format=None):
    """x + bias on the channel axis (last for 'channels_last', 1 for 'channels_first')."""
    fn = "bias_add"
    x, b = _float(fn, x), tensor(fn, "bias", bias)
    fmt = data_format or _backend.image_data_format()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{fn}: data_format must be 'channels_last' or 'channels_first', got {fmt!r}")
    ch = x.ndim - 1 if fmt == "channels_last" else 1
    if x.ndim < 2:
        raise ValueError(f"{fn}: x must be at least 2-D, got shape {shape_str(x.shape)}")
    if b.ndim != 1 and b.ndim != x.ndim - 1:
        raise ValueError(f"{fn}: bias must be 1-D or of rank ndim(x) - 1, got {shape_str(b.shape)}")
    if b.ndim == 1:
        if b.shape[0] != x.shape[ch]:
            raise ValueError(f"{fn}: bias {shape_str(b.shape)} does not match the channel axis "
                             f"of x {shape_str(x.shape)} ({fmt})")
        if fmt == "channels_first":
            b = B.reshape(b, (b.shape[0],) + (1,) * (x.ndim - 2))
        return x + b
    if fmt == "channels_first":
        b = B.transpose(b, (b.ndim - 1,) + tuple(range(b.ndim - 1)))
    return x + b


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: each element kept with probability 1 - level and scaled by
    1 / (1 - level); ``noise_shape`` broadcasts one mask entry over axes of size 1."""
    fn = "dropout"
    x = _float(fn, x)
    level = float(level)
    if not 0.0 <= level < 1.0:
        raise ValueError(f"{fn}: level must be in [0, 1), got {level}")
    seed = _random_state.next_seed() if seed is None else int_arg(fn, "seed", seed, minimum=0)
    if noise_shape is None and x.dtype == np.float32:
        return L.dropout(x, level, training=True, seed=seed)
    shp = x.shape if noise_shape is None else shape_arg(fn, "noise_shape", noise_shape)
    try:
        np.broadcast_shapes(shp, x.shape)
    except ValueError:
        raise ValueError(f"{fn}: noise_shape {shp} does not broadcast to x {shape_str(x.shape)}") from None
    keep = np.random.default_rng(seed).random(shp) >= level
    mask = device_xp().asarray(keep.astype(x.dtype) / x.dtype.type(1.0 - level))
    return x * mask


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta. mean/var/beta/gamma are given for
    ``axis`` (shape (C,)) or already broadcastable to x; beta/gamma may be None."""
    fn = "batch_normalization"
    x = _float(fn, x)
    (ax,) = axis_arg(fn, axis, x)

    def param(name, v):
        if v is None:
            return None
        v = tensor(fn, name, v)
        if v.ndim == 1 and x.ndim > 1:
            if v.shape[0] != x.shape[ax]:
                raise ValueError(f"{fn}: {name} {shape_str(v.shape)} does not match axis {ax} of x "
                                 f"{shape_str(x.shape)}")
            v = B.reshape(v, tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim)))
        return v
    y = (x - param("mean", mean)) / B.sqrt(param("var", var) + float(epsilon))
    g, b = param("gamma", gamma), param("beta", beta)
    if g is not None:
        y = y * g
    return y if b is None else y + b


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Keras 2 K.normalize_batch_in_training: (normalized x, mean, variance), the statistics
    over ``reduction_axes`` (shaped as the kept axes). The normalisation uses the biased
    variance; the variance returned is Bessel-corrected where tf_keras 2 on a CPU takes
    TensorFlow's fused kernel (4-D x, reduction_axes [0, 1, 2]), biased elsewhere, as there."""
    fn = "normalize_batch_in_training"
    x = _float(fn, x)
    axes = axis_arg(fn, list(reduction_axes), x)
    keep = tuple(1 if i in axes else x.shape[i] for i in range(x.ndim))
    mean = B.mean(x, axis=axes, keepdims=True)
    xc = x - mean
    var = B.mean(xc * xc, axis=axes, keepdims=True)
    y = xc / B.sqrt(var + float(epsilon))
    for name, p, op in (("gamma", gamma, B.mul), ("beta", beta, B.add)):
        if p is not None:
            p = tensor(fn, name, p)
            if p.size != int(np.prod(keep)):
                raise ValueError(f"{fn}: {name} {shape_str(p.shape)} does not match the kept axes "
                                 f"{shape_str(tuple(k for k in keep if k != 1) or (1,))} of x "
                                 f"{shape_str(x.shape)}")
            y = op(y, B.reshape(p, keep))
    out_shape = tuple(x.shape[i] for i in range(x.ndim) if i not in axes)
    if x.ndim == 4 and list(axes) == [0, 1, 2]:
        n = x.shape[0] * x.shape[1] * x.shape[2]
        var = var * (n / max(n - 1, 1))
    return y, B.reshape(mean, out_shape), B.reshape(var, out_shape)


__all__ += ["normalize_batch_in_training"]


# ---- convolutions (Keras 2's K.conv1d / K.conv2d) ----------------------------------------------
def _conv_format(fn, data_format):
    df = _backend.image_data_format() if data_format is None else data_format
    if df not in ("channels_last", "channels_first"):
        raise ValueError(f"{fn}: data_format must be 'channels_last' or 'channels_first', got "
                         f"{data_format!r}")
    return df == "channels_first"


def _conv_pair(fn, name, v):
    v = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(v) != 2 or any(int(a) < 1 for a in v):
        raise ValueError(f"{fn}: {name} must be a positive int or a pair of them, got {v!r}")
    return tuple(int(a) for a in v)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """Keras 2 K.conv2d: x (batch, rows, cols, channels) (or channels_first), kernel (kh, kw,
    in, out); padding 'valid' or 'same'."""
    from ..ops import conv as _conv
    x, kernel = _float("conv2d", x), _float("conv2d", kernel)
    if x.ndim != 4 or kernel.ndim != 4:
        raise ValueError(f"conv2d: x and kernel must be 4-D, got {shape_str(x.shape)} and "
                         f"{shape_str(kernel.shape)}")
    if padding not in ("valid", "same"):
        raise ValueError(f"conv2d: padding must be 'valid' or 'same', got {padding!r}")
    cf = _conv_format("conv2d", data_format)
    if cf:
        x = B.transpose(x, (0, 2, 3, 1))
    if x.shape[-1] != kernel.shape[2]:
        raise ValueError(f"conv2d: x has {x.shape[-1]} channels, the kernel "
                         f"{shape_str(kernel.shape)} expects {kernel.shape[2]}")
    y = _conv.conv2d(x, kernel, None, strides=_conv_pair("conv2d", "strides", strides),
                     padding=padding, dilation=_conv_pair("conv2d", "dilation_rate",
                                                          dilation_rate))
    return B.transpose(y, (0, 3, 1, 2)) if cf else y


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Keras 2 K.conv1d: x (batch, steps, channels) (or channels_first), kernel (k, in, out);
    padding 'valid', 'same' or 'causal' (left padding only)."""
    from ..ops import conv as _conv
    x, kernel = _float("conv1d", x), _float("conv1d", kernel)
    if x.ndim != 3 or kernel.ndim != 3:
        raise ValueError(f"conv1d: x and kernel must be 3-D, got {shape_str(x.shape)} and "
                         f"{shape_str(kernel.shape)}")
    if padding not in ("valid", "same", "causal"):
        raise ValueError(f"conv1d: padding must be 'valid', 'same' or 'causal', got {padding!r}")
    s = int_arg("conv1d", "strides", strides[0] if isinstance(strides, (list, tuple)) else strides,
                1)
    d = int_arg("conv1d", "dilation_rate", dilation_rate[0] if isinstance(
        dilation_rate, (list, tuple)) else dilation_rate, 1)
    cf = _conv_format("conv1d", data_format)
    if cf:
        x = B.transpose(x, (0, 2, 1))
    if x.shape[-1] != kernel.shape[1]:
        raise ValueError(f"conv1d: x has {x.shape[-1]} channels, the kernel "
                         f"{shape_str(kernel.shape)} expects {kernel.shape[1]}")
    k = kernel.shape[0]
    pad = ((0, 0), ((k - 1) * d, 0)) if padding == "causal" else padding
    y = _conv.conv2d(B.reshape(x, (x.shape[0], 1) + tuple(x.shape[1:])),
                     B.reshape(kernel, (1,) + tuple(kernel.shape)), None, strides=(1, s),
                     padding=pad, dilation=(1, d))
    y = B.reshape(y, (y.shape[0],) + tuple(y.shape[2:]))
    return B.transpose(y, (0, 2, 1)) if cf else y


__all__ += ["conv1d", "conv2d"]


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Keras 2 K.binary_focal_crossentropy: elementwise (1 - p_t)^gamma * bce (no reduction)."""
    output = _float("binary_focal_crossentropy", output)
    target = tensor("binary_focal_crossentropy", "target", target, dtype=output.dtype)
    return _losses.binary_focal_elementwise(target, output, bool(apply_class_balancing), alpha,
                                            gamma, from_logits)


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Keras 2 K.categorical_focal_crossentropy: sum over ``axis`` of
    alpha * (1 - p)^gamma * -target * log p."""
    output = _float("categorical_focal_crossentropy", output)
    target = tensor("categorical_focal_crossentropy", "target", target, dtype=output.dtype)
    return _losses._categorical_focal_ps(target, output, alpha, gamma, from_logits, 0.0, axis)


__all__ += ["binary_focal_crossentropy", "categorical_focal_crossentropy"]
