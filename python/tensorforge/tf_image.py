"""``tf.image``: the image ops keras-io examples call inside a ``tf.data`` map before the model
or on their results: ``convert_image_dtype``, ``resize`` (bilinear or nearest with TensorFlow 2's
half-pixel centres and no antialiasing, or area averaging), ``rgb_to_yuv`` / ``yuv_to_rgb``,
``psnr`` and ``crop_to_bounding_box`` / ``pad_to_bounding_box`` (CutMix's patch pasting). They
take and return Tensors of shape (height, width, channels) or a batch (n, height, width,
channels); no gradient (preprocessing and evaluation). ``extract_patches``, which custom
layers call inside the model (keras-io involution.py), is differentiable and records itself in a
functional graph. ``adjust_contrast`` is recorded but, as in TensorFlow (whose
AdjustContrastv2 has no registered gradient), differentiating through it raises LookupError.
"""
import numpy as np

from . import image_ops
from .autograd import Function, Tensor

__all__ = ["convert_image_dtype", "resize", "rgb_to_yuv", "yuv_to_rgb", "psnr",
           "extract_patches", "crop_to_bounding_box", "pad_to_bounding_box", "adjust_contrast"]


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


def _area_weights(n_in, n_out):
    """(n_out, n_in): the share of each source pixel in each output pixel's span
    [i * scale, (i + 1) * scale), scale = n_in / n_out (TensorFlow's ResizeArea)."""
    scale = n_in / n_out
    lo = np.arange(n_out)[:, None] * scale
    hi = lo + scale
    src = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, src + 1) - np.maximum(lo, src), 0, None)
    return overlap / scale


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
    if antialias:
        raise ValueError("tf.image.resize: antialias is not supported")
    method = getattr(method, "value", method)
    batch = a if a.ndim == 4 else a[None]
    H, W = batch.shape[1:3]
    h, w = size
    if preserve_aspect_ratio:  # TensorFlow's: the largest size within ``size`` (float32
        # scale, round half to even) -- keras-io's handwriting_recognition.py resizes words so
        scale = min(np.float32(h) / np.float32(H), np.float32(w) / np.float32(W))
        h, w = (int(np.round(np.float32(scale) * np.float32(n))) for n in (H, W))
    if method == "nearest":  # keeps the dtype, as TensorFlow's nearest does
        out = batch[:, image_ops.nearest_index(H, h)][:, :, image_ops.nearest_index(W, w)]
    elif method == "bilinear":
        out = image_ops.resize(batch, (h, w), "bilinear")
    elif method == "area":
        wy, wx = _area_weights(H, h), _area_weights(W, w)
        # two matrix products, rows then columns (a three-operand einsum contracts naively:
        # n*h*w*c*H*W multiplies, minutes for a batch of 300x300 pictures)
        rows = np.tensordot(wy, batch.astype(np.float64), axes=([1], [1]))    # (h, n, W, c)
        out = np.tensordot(rows, wx, axes=([2], [1]))                          # (h, n, c, w)
        out = out.transpose(1, 0, 3, 2).astype(np.float32)
    else:
        raise ValueError(f"tf.image.resize: method must be 'bilinear', 'nearest' or 'area', "
                         f"got {method!r}")
    return Tensor(np.ascontiguousarray(out if a.ndim == 4 else out[0]))


_RGB_TO_YUV = np.array([[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                        [0.114, 0.43601035, -0.10001026]], dtype=np.float32)
_YUV_TO_RGB = np.array([[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]],
                       dtype=np.float32)


def _box_args(op, image, offset_height, offset_width, target_height, target_width):
    """The image as a 4-D array (and whether it was 3-D) and the four box numbers as ints
    (scalar Tensors accepted: CutMix computes them with tf ops)."""
    a = _array(op, image)
    if a.ndim not in (3, 4):
        raise ValueError(f"tf.image.{op}: image must be 3-D (height, width, channels) or 4-D "
                         f"(batch, height, width, channels), got shape {a.shape}")
    box = [int(v.numpy() if isinstance(v, Tensor) else v)
           for v in (offset_height, offset_width, target_height, target_width)]
    return (a if a.ndim == 4 else a[None]), a.ndim == 3, box


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The ``target_height x target_width`` window whose top-left corner is at
    (``offset_height``, ``offset_width``); TensorFlow's ValueErrors for a box outside the image."""
    op = "crop_to_bounding_box"
    a, was3, (oh, ow, th, tw) = _box_args(op, image, offset_height, offset_width, target_height,
                                          target_width)
    h, w = a.shape[1:3]
    for what, ok in (("offset_width must be >= 0.", ow >= 0),
                     ("offset_height must be >= 0.", oh >= 0),
                     ("target_width must be > 0.", tw > 0),
                     ("target_height must be > 0.", th > 0),
                     ("width must be >= target + offset.", w >= tw + ow),
                     ("height must be >= target + offset.", h >= th + oh)):
        if not ok:
            raise ValueError(f"tf.image.{op}: {what} (image {a.shape[1:3]}, offset ({oh}, {ow}), "
                             f"target ({th}, {tw}))")
    out = a[:, oh:oh + th, ow:ow + tw, :]
    return Tensor(np.ascontiguousarray(out[0] if was3 else out))


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The image placed at (``offset_height``, ``offset_width``) in a zero image of
    ``target_height x target_width``; TensorFlow's ValueErrors when it does not fit."""
    op = "pad_to_bounding_box"
    a, was3, (oh, ow, th, tw) = _box_args(op, image, offset_height, offset_width, target_height,
                                          target_width)
    h, w = a.shape[1:3]
    for what, ok in (("offset_height must be >= 0", oh >= 0),
                     ("offset_width must be >= 0", ow >= 0),
                     ("height must be <= target - offset", th - oh - h >= 0),
                     ("width must be <= target - offset", tw - ow - w >= 0)):
        if not ok:
            raise ValueError(f"tf.image.{op}: {what} (image {a.shape[1:3]}, offset ({oh}, {ow}), "
                             f"target ({th}, {tw}))")
    out = np.zeros((a.shape[0], th, tw, a.shape[3]), a.dtype)
    out[:, oh:oh + h, ow:ow + w, :] = a
    return Tensor(out[0] if was3 else out)


def _colors(op, images, kernel):
    a = _array(op, images)
    if a.dtype.kind != "f" or a.shape[-1:] != (3,):
        raise ValueError(f"tf.image.{op}: images must be float with 3 channels last, got "
                         f"{a.dtype} of shape {a.shape}")
    return Tensor((a @ kernel.astype(a.dtype)).astype(a.dtype))


def rgb_to_yuv(images):
    """RGB in [0, 1] to YUV (TensorFlow's matrix: Y in [0, 1], U and V about 0)."""
    return _colors("rgb_to_yuv", images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    return _colors("yuv_to_rgb", images, _YUV_TO_RGB)


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio over the last three axes: 20 log10(max_val) - 10 log10(mse)."""
    x = _array("psnr", a).astype(np.float32)
    y = _array("psnr", b).astype(np.float32)
    if x.shape != y.shape or x.ndim < 3:
        raise ValueError(f"tf.image.psnr: a and b must have the same shape (at least 3-D), got "
                         f"{x.shape} and {y.shape}")
    mse = np.mean(np.square(x - y), axis=(-3, -2, -1))
    return Tensor(np.float32(20 * np.log10(float(max_val))) - np.float32(10 / np.log(10))
                  * np.log(mse).astype(np.float32))


def _four(op, arg, value):
    v = [int(t) for t in value]
    if len(v) != 4 or v[0] != 1 or v[3] != 1 or min(v) < 1:
        raise ValueError(f"tf.image.{op}: {arg} must be [1, rows, cols, 1] of positive "
                         f"integers, got {value}")
    return v[1], v[2]


def _patch_axis(n, k, stride, rate, padding):
    """(output size, padding before, padding after) of one spatial axis, as TensorFlow's
    SAME / VALID windows: SAME keeps ceil(n / stride) outputs, padding split low-side first."""
    eff = (k - 1) * rate + 1
    if padding == "SAME":
        out = -(-n // stride)
        total = max((out - 1) * stride + eff - n, 0)
        return out, total // 2, total - total // 2
    return max(-(-(n - eff + 1) // stride), 0), 0, 0


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """``tf.image.extract_patches``: (n, h, w, c) -> (n, out_h, out_w, rows*cols*c), each
    output pixel the ``rows x cols`` window (dilated by ``rates``) at its strided position,
    flattened row, column, channel; SAME pads with zeros, VALID keeps whole windows.
    Differentiable (padding, strided slices and a concatenation)."""
    from . import backend_ops as K
    if K.array_ops._symbolic(images):
        from . import autograd
        return autograd._record_symbolic[0](extract_patches, images, sizes, strides, rates,
                                            padding)
    from .backend_ops._args import tensor
    x = tensor("image.extract_patches", "images", images)
    if x.ndim != 4:
        raise ValueError(f"tf.image.extract_patches: images must be 4-D (batch, height, width, "
                         f"channels), got shape {tuple(x.shape)}")
    kr, kc = _four("extract_patches", "sizes", sizes)
    sr, sc = _four("extract_patches", "strides", strides)
    rr, rc = _four("extract_patches", "rates", rates)
    pad = str(padding).upper()
    if pad not in ("SAME", "VALID"):
        raise ValueError(f"tf.image.extract_patches: padding must be 'SAME' or 'VALID', got "
                         f"{padding!r}")
    _, h, w, _ = x.shape
    oh, top, bottom = _patch_axis(h, kr, sr, rr, pad)
    ow, left, right = _patch_axis(w, kc, sc, rc, pad)
    if top or bottom or left or right:
        x = K.spatial_2d_padding(x, ((top, bottom), (left, right)), data_format="channels_last")
    parts = [x[:, i * rr:i * rr + (oh - 1) * sr + 1:sr, j * rc:j * rc + (ow - 1) * sc + 1:sc, :]
             for i in range(kr) for j in range(kc)]
    return parts[0] if len(parts) == 1 else K.concatenate(parts, axis=-1)


class _AdjustContrast(Function):
    """(x - mean) * factor + mean, the mean of each image's channel over its height and
    width. TensorFlow registers no gradient for it (AdjustContrastv2): a tape that reaches it
    raises LookupError there, with this message, and here (the autodiff guide catches it)."""

    @staticmethod
    def forward(ctx, x, factor):
        mean = x.mean(axis=(-3, -2), keepdims=True, dtype=np.float64)
        return ((x - mean) * np.float64(factor) + mean).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        raise LookupError("gradient registry has no entry for: AdjustContrastv2")


def adjust_contrast(images, contrast_factor):
    """``tf.image.adjust_contrast``: images of shape (..., height, width, channels); integer
    images are computed in float32 and converted back with saturation, as TensorFlow does."""
    x = images if isinstance(images, Tensor) else Tensor(np.asarray(images))
    if x.ndim < 3:
        raise ValueError(f"tf.image.adjust_contrast: images must be at least 3-D (height, "
                         f"width, channels), got shape {tuple(x.shape)}")
    f = contrast_factor
    if np.ndim(f.numpy() if isinstance(f, Tensor) else f) != 0:
        raise ValueError("tf.image.adjust_contrast: contrast_factor must be a scalar")
    kind = np.dtype(x.data.dtype).kind
    if kind == "f":
        return _AdjustContrast.apply(x, f)
    if kind not in "iu":
        raise TypeError(f"tf.image.adjust_contrast: images must be numeric, got {x.dtype}")
    out = _AdjustContrast.apply(convert_image_dtype(x, "float32"), f)
    return convert_image_dtype(out, x.data.dtype, saturate=True)
