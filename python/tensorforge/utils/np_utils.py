"""Keras 2 ``keras.utils.np_utils`` (``from keras.utils.np_utils import to_categorical``);
``tensorforge.utils`` re-exports both."""
import numpy as np

__all__ = ["to_categorical", "to_ordinal", "normalize"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class vector -> one-hot matrix (Keras: a trailing axis of size 1 is dropped)."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class indices")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0, got {y.min()}")
    n = int(num_classes) if num_classes is not None else (int(y.max()) + 1 if y.size else 0)
    if y.size and y.max() >= n:
        raise ValueError(f"to_categorical: class index {y.max()} out of range for num_classes={n}")
    out = np.zeros((y.size, n), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (n,))


def to_ordinal(x, num_classes=None, dtype="float32"):
    """Integer labels -> ordinal regression targets (Keras 2.13+): label k of n classes becomes
    k ones followed by n - 1 - k zeros (a trailing axis of size 1 is dropped)."""
    y = np.asarray(x)
    if y.dtype.kind not in "iub" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        raise ValueError(f"to_ordinal: x must hold integer class indices, got dtype {y.dtype}")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_ordinal: class indices must be >= 0, got {y.min()}")
    n = int(num_classes) if num_classes else (int(y.max()) + 1 if y.size else 1)
    if y.size and y.max() >= n:
        raise ValueError(f"to_ordinal: class index {y.max()} out of range for num_classes={n}")
    out = (np.arange(n - 1)[None, :] < y[:, None]).astype(dtype)
    return out.reshape(shape + (n - 1,))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as 1), as Keras 2:
    the result has NumPy's dtype for the division (float64 for integer or float64 input)."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"normalize: x must be numeric, got dtype {x.dtype}")
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)
