"""Host-side image resampling in NumPy, with TensorFlow 2's arithmetic: the image
preprocessing layers (layers/preprocessing_image.py) and ``image_dataset_from_directory``
(utils/image_dataset.py) call these. Images are (N, H, W, C) or (H, W, C), float32 out.

    transform(images, transforms, fill_mode, fill_value, interpolation, output_shape)
        tf.raw_ops.ImageProjectiveTransformV3, as Keras 2's ``transform()``: per image a row
        [a0, a1, a2, b0, b1, b2, c0, c1] maps an output pixel (x, y) to the input point
        ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1. Points outside
        the image are mapped back by ``fill_mode`` (See Note [fill modes] in
        reference/image.py) and read with 'nearest' (std::round) or 'bilinear' interpolation;
        reads outside it give fill_value. On kernels (kernels.image_transform).
    rotation_matrix / translation_matrix / zoom_matrix: the per-image rows Keras 2's
        RandomRotation / RandomTranslation / RandomZoom build.
    resize(images, (h, w), interpolation)
        tf.image.resize (half-pixel centres, no antialias): 'bilinear' and 'nearest'.
    smart_resize(images, (h, w), interpolation)
        keras.utils.smart_resize: the largest centred crop of the target aspect ratio, resized.
    adjust_contrast(images, factor)
        tf.image.adjust_contrast.

No gradient flows through these (augmentation runs on the input, before any trainable layer).
"""
import numpy as np

from . import kernels
from .kernels.image import FILL_MODES, INTERPOLATIONS, check_modes
from .ops.spatial import bilinear_matrix

__all__ = ["transform", "rotation_matrix", "translation_matrix", "zoom_matrix", "resize",
           "smart_resize", "adjust_contrast", "FILL_MODES", "INTERPOLATIONS",
           "RESIZE_INTERPOLATIONS"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest")


def _batched(where, images):
    a = np.asarray(images)
    if a.ndim == 3:
        return a[None], True
    if a.ndim != 4:
        raise ValueError(f"{where}: images must be (N, H, W, C) or (H, W, C), got shape {a.shape}")
    return a, False


def transform(images, transforms, fill_mode="reflect", fill_value=0.0, interpolation="bilinear",
              output_shape=None):
    """``images`` (N, H, W, C) resampled through the projective ``transforms`` (N, 8) or (8,)
    (one row for every image): (N, out_h, out_w, C) float32. See the module docstring."""
    where = "transform"
    check_modes(where, fill_mode, interpolation)
    x, unbatched = _batched(where, images)
    x = x.astype(np.float32, copy=False)
    N, H, W, C = x.shape
    t = np.asarray(transforms, dtype=np.float32)
    if t.ndim == 1:
        t = t[None]
    if t.ndim != 2 or t.shape[1] != 8 or t.shape[0] not in (1, N):
        raise ValueError(f"{where}: transforms must be (8,) or (N, 8) with N = {N} images, got "
                         f"shape {t.shape}")
    t = np.ascontiguousarray(np.broadcast_to(t, (N, 8)))
    Ho, Wo = (H, W) if output_shape is None else (int(output_shape[0]), int(output_shape[1]))
    out = kernels.image_transform(np.ascontiguousarray(x), t, fill_mode, float(fill_value),
                                  interpolation, Ho, Wo)
    return out[0] if unbatched else out


def rotation_matrix(angles, height, width):
    """(N, 8) rows rotating each image by ``angles`` (radians, counter-clockwise) about its
    centre, as Keras 2's get_rotation_matrix."""
    a = np.asarray(angles, dtype=np.float32).reshape(-1)
    cos, sin = np.cos(a), np.sin(a)
    h, w = np.float32(height - 1), np.float32(width - 1)
    x_off = (w - (cos * w - sin * h)) / 2
    y_off = (h - (sin * w + cos * h)) / 2
    z = np.zeros_like(a)
    return np.stack([cos, -sin, x_off, sin, cos, y_off, z, z], axis=1)


def translation_matrix(translations):
    """(N, 8) rows for (N, 2) translations (dx, dy) in pixels, as get_translation_matrix."""
    d = np.asarray(translations, dtype=np.float32).reshape(-1, 2)
    one, z = np.ones(len(d), np.float32), np.zeros(len(d), np.float32)
    return np.stack([one, z, -d[:, 0], z, one, -d[:, 1], z, z], axis=1)


def zoom_matrix(zooms, height, width):
    """(N, 8) rows for (N, 2) zooms (zx, zy) about the centre, as get_zoom_matrix (a zoom
    above 1 shows more of the image)."""
    zm = np.asarray(zooms, dtype=np.float32).reshape(-1, 2)
    x_off = np.float32((width - 1.0) / 2.0) * (1 - zm[:, 0])
    y_off = np.float32((height - 1.0) / 2.0) * (1 - zm[:, 1])
    z = np.zeros(len(zm), np.float32)
    return np.stack([zm[:, 0], z, x_off, z, zm[:, 1], y_off, z, z], axis=1)


def adjust_contrast(images, factor):
    """tf.image.adjust_contrast: (x - mean) * factor + mean, the mean per image and channel."""
    x, unbatched = _batched("adjust_contrast", images)
    x = x.astype(np.float32, copy=False)
    mean = x.mean(axis=(1, 2), keepdims=True, dtype=np.float32)
    out = (x - mean) * np.float32(factor) + mean
    return out[0] if unbatched else out


def nearest_index(n_in, n_out):
    """TensorFlow's half-pixel nearest-neighbour source index along one axis."""
    scale = np.float32(n_in / n_out)
    src = np.floor((np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale)
    return np.clip(src.astype(np.int64), 0, n_in - 1)


def resize(images, size, interpolation="bilinear"):
    """tf.image.resize(images, size, method) for 'bilinear' and 'nearest': float32 out."""
    where = "resize"
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"{where}: interpolation {interpolation!r} is not supported; "
                         f"expected one of {', '.join(map(repr, RESIZE_INTERPOLATIONS))}")
    x, unbatched = _batched(where, images)
    h, w = int(size[0]), int(size[1])
    if h < 1 or w < 1:
        raise ValueError(f"{where}: size must be positive, got {tuple(size)}")
    H, W = x.shape[1:3]
    if H == 0 or W == 0:
        raise ValueError(f"{where}: cannot resize an empty image of shape {x.shape[1:]}")
    x = x.astype(np.float32, copy=False)
    if interpolation == "nearest":
        out = x[:, nearest_index(H, h)][:, :, nearest_index(W, w)]
    elif (h, w) == (H, W):
        out = x.copy()
    else:
        out = np.einsum("oh,nhwc->nowc", bilinear_matrix(H, h), x, optimize=True)
        out = np.einsum("pw,nowc->nopc", bilinear_matrix(W, w), out, optimize=True)
    out = np.ascontiguousarray(out, dtype=np.float32)
    return out[0] if unbatched else out


def smart_resize(images, size, interpolation="bilinear"):
    """keras.utils.smart_resize: crop the centre to the aspect ratio of ``size``, then resize."""
    x, unbatched = _batched("smart_resize", images)
    H, W = x.shape[1:3]
    th, tw = int(size[0]), int(size[1])
    crop_h = min(H, int(np.float32(W * th) / np.float32(tw)))
    crop_w = min(W, int(np.float32(H * tw) / np.float32(th)))
    h0, w0 = int(np.float32(H - crop_h) / 2), int(np.float32(W - crop_w) / 2)
    out = resize(x[:, h0:h0 + crop_h, w0:w0 + crop_w], (th, tw), interpolation)
    return out[0] if unbatched else out
