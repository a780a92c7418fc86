"""``tf.random`` draws that are not a backend op: ``categorical`` (sampling class ids from
logits, the text-generation tutorials' next-character step).

``tf.random.categorical(logits, num_samples)`` takes 2-D logits ``(batch, classes)``
(unnormalized log-probabilities; ``-inf`` is probability 0) and returns ``(batch, num_samples)``
class ids, int64 unless ``dtype`` is int32 (TensorFlow's two choices). Draws come from
tensorforge's seeded stream (``tf.random.set_seed`` / ``keras.utils.set_random_seed``), or from
``seed`` when given; they are not TensorFlow's numbers, only its distribution.
"""
import numpy as np

from ._xp import host
from .autograd import Tensor
from .backend_ops._args import device_xp, int_arg
from .backend_ops.variables import _gen


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``num_samples`` class ids per row of ``logits``, drawn with probabilities softmax(row)."""
    x = np.asarray(host(logits.data if isinstance(logits, Tensor) else logits), dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"tf.random.categorical: logits must be 2-D (batch_size, num_classes), "
                         f"got shape {x.shape}")
    n = int_arg("tf.random.categorical", "num_samples", num_samples, minimum=0)
    dt = np.dtype("int64" if dtype is None else getattr(dtype, "name", dtype))
    if dt not in (np.dtype("int32"), np.dtype("int64")):
        raise ValueError(f"tf.random.categorical: dtype must be int32 or int64, got {dt}")
    if x.shape[1] == 0:
        raise ValueError("tf.random.categorical: logits have no classes (shape "
                         f"{x.shape})")
    top = x.max(axis=1, keepdims=True)
    top[~np.isfinite(top)] = 0.0  # a row of -inf only: uniform below, as the ratios are undefined
    p = np.exp(x - top)
    s = p.sum(axis=1, keepdims=True)
    p = np.where(s > 0, p / np.where(s > 0, s, 1.0), 1.0 / x.shape[1])
    cdf = np.cumsum(p, axis=1)
    u = _gen("tf.random.categorical", seed).random((x.shape[0], n)) * cdf[:, -1:]
    ids = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), x.shape[1] - 1)
    return Tensor(device_xp().asarray(ids.astype(dt)))
