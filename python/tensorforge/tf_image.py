"""``tf.image``: the image ops keras-io examples call inside a ``tf.data`` map before the model:
``convert_image_dtype`` and ``resize`` (bilinear or nearest, TensorFlow 2's half-pixel centres,
no antialiasing). They take and return Tensors of shape (height, width, channels) or a batch
(n, height, width, channels); no gradient (preprocessing).
"""
import numpy as np

from .autograd import Tensor

__all__ = ["convert_image_dtype", "resize"]


def _array(op, x):
    a = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"tf.image.{op}: images must be numeric, got {a.dtype}")
    return a


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Integer images scaled to [0, 1] when converted to float (by the integer type's maximum),
    float images to [0, max] when converted to an integer type; float to float only casts."""
    a = _array("convert_image_dtype", image)
    dt = np.dtype(getattr(dtype, "name", dtype))
    if a.dtype == dt:
        return Tensor(a)
    if dt.kind == "f":
        if a.dtype.kind in "iu":
            return Tensor((a.astype(np.float64) / np.iinfo(a.dtype).max).astype(dt))
        return Tensor(a.astype(dt))
    if dt.kind in "iu":
        top = np.iinfo(dt).max
        if a.dtype.kind == "f":
            v = a.astype(np.float64) * (top + 0.5)
            return Tensor((np.clip(v, 0, top) if saturate else v).astype(dt))
        return Tensor((a.astype(np.float64) * top / np.iinfo(a.dtype).max).round().astype(dt))
    raise TypeError(f"tf.image.convert_image_dtype: cannot convert to {dt}")


def _bilinear_axis(n_in, n_out):
    """TensorFlow's half-pixel source positions: lower / upper indices and weights."""
    scale = n_in / n_out
    pos = (np.arange(n_out) + 0.5) * scale - 0.5
    lo_f = np.floor(pos)
    lo = np.maximum(lo_f, 0).astype(np.int64)
    hi = np.minimum(np.ceil(pos), n_in - 1).astype(np.int64)
    return lo, hi, pos - lo_f


def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False,
           name=None):
    """Resized to ``size`` = (new_height, new_width); float32 out (``nearest`` keeps the
    dtype), as TensorFlow 2's tf.image.resize."""
    a = _array("resize", images)
    if a.ndim not in (3, 4):
        raise ValueError(f"tf.image.resize: images must be 3-D (h, w, c) or 4-D (n, h, w, c), "
                         f"got shape {a.shape}")
    size = [int(s) for s in (size.numpy() if isinstance(size, Tensor) else size)]
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"tf.image.resize: size must be two positive integers, got {size}")
    if preserve_aspect_ratio or antialias:
        raise ValueError("tf.image.resize: preserve_aspect_ratio and antialias are not supported")
    method = getattr(method, "value", method)
    batch = a if a.ndim == 4 else a[None]
    H, W = batch.shape[1:3]
    h, w = size
    if method == "nearest":
        ri = np.minimum(np.floor((np.arange(h) + 0.5) * H / h), H - 1).astype(np.int64)
        ci = np.minimum(np.floor((np.arange(w) + 0.5) * W / w), W - 1).astype(np.int64)
        out = batch[:, ri][:, :, ci]
    elif method == "bilinear":
        y0, y1, fy = _bilinear_axis(H, h)
        x0, x1, fx = _bilinear_axis(W, w)
        b = batch.astype(np.float32)
        fx = fx.astype(np.float32)[None, None, :, None]
        fy = fy.astype(np.float32)[None, :, None, None]
        top = b[:, y0][:, :, x0] + (b[:, y0][:, :, x1] - b[:, y0][:, :, x0]) * fx
        bot = b[:, y1][:, :, x0] + (b[:, y1][:, :, x1] - b[:, y1][:, :, x0]) * fx
        out = top + (bot - top) * fy
    else:
        raise ValueError(f"tf.image.resize: method must be 'bilinear' or 'nearest', got "
                         f"{method!r}")
    return Tensor(np.ascontiguousarray(out if a.ndim == 4 else out[0]))
