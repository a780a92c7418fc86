"""TensorFlow 2's image augmentation and image measures beyond tf_image.py's resizing and boxes:
flips, rot90, transpose, central_crop, resize_with_crop_or_pad, random_crop, the brightness /
gamma / saturation / hue adjustments and their random forms, per_image_standardization,
grayscale and HSV conversions, total_variation, image_gradients, sobel_edges and ssim.

Images are (height, width, channels) or (batch, height, width, channels). Geometry and the
float arithmetic are differentiable (index maps and compositions of differentiable ops); the
HSV-based adjustments have no gradient, as in TensorFlow. Integer images are computed in
float32 and converted back with saturation, as TensorFlow does. The random forms draw from
tensorforge's seeded stream (``tf.random.set_seed``), so their choices differ from
TensorFlow's for the same seed; one draw covers the whole call, per image for the flips.
"""
import numpy as np

from . import backend_ops as K
from . import ops as _ops
from . import _random
from ._xp import array_module
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_array import pad
from .tf_image import adjust_contrast, convert_image_dtype

__all__ = ["flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down",
           "rot90", "transpose", "central_crop", "resize_with_crop_or_pad", "random_crop",
           "adjust_brightness", "random_brightness", "random_contrast", "adjust_gamma",
           "per_image_standardization", "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv",
           "hsv_to_rgb", "adjust_saturation", "random_saturation", "adjust_hue", "random_hue",
           "total_variation", "image_gradients", "sobel_edges", "ssim"]


def _image(op, image, ndims=(3, 4)):
    t = image if isinstance(image, Tensor) else _tensor(f"tf.image.{op}", "image", image)
    if t.ndim not in ndims:
        raise ValueError(f"tf.image.{op}: image must be {' or '.join(f'{n}-D' for n in ndims)} "
                         f"((batch,) height, width, channels), got shape {tuple(t.shape)}")
    return t


def _as_float(t):
    """(float image, original dtype): integer images scaled to [0, 1] float32."""
    if t.dtype.kind == "f":
        return t, t.dtype
    return convert_image_dtype(t, np.float32), t.dtype


def _back(t, dtype):
    return t if dtype.kind == "f" else convert_image_dtype(t, dtype, saturate=True)


def _scalar(v):
    return float(np.asarray(v.numpy() if isinstance(v, Tensor) else v))


# ---- geometry --------------------------------------------------------------------------------
def flip_left_right(image):
    t = _image("flip_left_right", image)
    return K.reverse(t, t.ndim - 2)


def flip_up_down(image):
    t = _image("flip_up_down", image)
    return K.reverse(t, t.ndim - 3)


def _random_flip(op, image, seed, axis_from_end):
    t = _image(op, image)
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    ax = t.ndim - axis_from_end
    if t.ndim == 3:
        return K.reverse(t, ax) if rng.random() < 0.5 else t
    flip = rng.random(t.shape[0]) < 0.5  # one draw per image
    if not flip.any():
        return t
    mask = Tensor(array_module(t.data).asarray(flip.reshape(-1, 1, 1, 1).astype(t.dtype)))
    return K.reverse(t, ax) * mask + t * (1 - mask) if t.dtype.kind == "f" else \
        Tensor(np.where(flip.reshape(-1, 1, 1, 1), np.flip(t.numpy(), ax), t.numpy()))


def random_flip_left_right(image, seed=None):
    return _random_flip("random_flip_left_right", image, seed, 2)


def random_flip_up_down(image, seed=None):
    return _random_flip("random_flip_up_down", image, seed, 3)


def transpose(image, name=None):
    t = _image("transpose", image)
    perm = [1, 0, 2] if t.ndim == 3 else [0, 2, 1, 3]
    return K.permute_dimensions(t, perm)


def rot90(image, k=1, name=None):
    """Counter-clockwise by 90 degrees ``k`` times."""
    t = _image("rot90", image)
    k = int(_scalar(k)) % 4
    for _ in range(k):
        t = flip_up_down(transpose(t))
    return t


def central_crop(image, central_fraction):
    t = _image("central_crop", image)
    f = _scalar(central_fraction)
    if not 0.0 < f <= 1.0:
        raise ValueError(f"tf.image.central_crop: central_fraction must be in (0, 1], got {f}")
    if f == 1.0:
        return t
    h, w = t.shape[-3], t.shape[-2]
    top, left = int((h - h * f) / 2), int((w - w * f) / 2)
    idx = (slice(top, h - top), slice(left, w - left), slice(None))
    return t[idx] if t.ndim == 3 else t[(slice(None),) + idx]


def resize_with_crop_or_pad(image, target_height, target_width):
    """Center crop or zero pad (both per axis) to the target size."""
    t = _image("resize_with_crop_or_pad", image)
    th, tw = int(_scalar(target_height)), int(_scalar(target_width))
    if th < 1 or tw < 1:
        raise ValueError(f"tf.image.resize_with_crop_or_pad: target size ({th}, {tw}) must be > 0")
    h, w = t.shape[-3], t.shape[-2]
    ch, cw = max(-(th - h) // 2, 0), max(-(tw - w) // 2, 0)
    ph, pw = max((th - h) // 2, 0), max((tw - w) // 2, 0)
    lead = (slice(None),) * (t.ndim - 3)
    t = t[lead + (slice(ch, ch + min(th, h)), slice(cw, cw + min(tw, w)), slice(None))]
    pads = [[0, 0]] * (t.ndim - 3) + [[ph, th - ph - t.shape[-3]], [pw, tw - pw - t.shape[-2]], [0, 0]]
    return pad(t, pads) if any(p for pr in pads for p in pr) else t


def random_crop(value, size, seed=None, name=None):
    t = _tensor("tf.image.random_crop", "value", value)
    size = [int(s) for s in np.ravel(size.numpy() if isinstance(size, Tensor) else size)]
    if len(size) != t.ndim or any(s < 0 or s > d for s, d in zip(size, t.shape)):
        raise ValueError(f"tf.image.random_crop: size {size} must fit the value's shape "
                         f"{tuple(t.shape)} axis by axis")
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    off = [int(rng.integers(0, d - s + 1)) for s, d in zip(size, t.shape)]
    return t[tuple(slice(o, o + s) for o, s in zip(off, size))]


# ---- brightness, contrast, gamma, standardization ----------------------------------------------
def adjust_brightness(image, delta):
    f, dt = _as_float(_image("adjust_brightness", image, (2, 3, 4)))
    return _back(f + np.float32(_scalar(delta)), dt)


def random_brightness(image, max_delta, seed=None):
    if max_delta < 0:
        raise ValueError(f"tf.image.random_brightness: max_delta must be >= 0, got {max_delta}")
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    return adjust_brightness(image, rng.uniform(-max_delta, max_delta))


def random_contrast(image, lower, upper, seed=None):
    if not 0 <= lower < upper:
        raise ValueError(f"tf.image.random_contrast: need 0 <= lower < upper, got {lower}, {upper}")
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    return adjust_contrast(image, rng.uniform(lower, upper))


def adjust_gamma(image, gamma=1, gain=1):
    if _scalar(gamma) < 0:
        raise ValueError(f"tf.image.adjust_gamma: gamma must be >= 0, got {gamma}")
    f, dt = _as_float(_image("adjust_gamma", image, (2, 3, 4)))
    return _back(K.pow(f, _scalar(gamma)) * np.float32(_scalar(gain)), dt)


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1 / sqrt(N)) per image (N = height * width * channels); float32."""
    t = _image("per_image_standardization", image)
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float32))
    axes = [-3, -2, -1]
    n = int(np.prod(t.shape[-3:]))
    mean = K.mean(t, axis=axes, keepdims=True)
    sd = K.sqrt(K.mean(K.square(t - mean), axis=axes, keepdims=True))
    return (t - mean) / K.maximum(sd, np.float32(1.0 / np.sqrt(n)) + 0 * sd)


# ---- color spaces --------------------------------------------------------------------------------
_GRAY = np.array([0.2989, 0.5870, 0.1140], np.float32)


def _rgb(op, images):
    t = _image(op, images, (1, 2, 3, 4))
    if t.shape[-1] != 3:
        raise ValueError(f"tf.image.{op}: the last axis must hold 3 channels, got shape "
                         f"{tuple(t.shape)}")
    return t


def rgb_to_grayscale(images, name=None):
    f, dt = _as_float(_rgb("rgb_to_grayscale", images))
    w = Tensor(array_module(f.data).asarray(_GRAY.astype(f.dtype)))
    return _back(K.sum(f * w, axis=-1, keepdims=True), dt)


def grayscale_to_rgb(images, name=None):
    t = _image("grayscale_to_rgb", images, (2, 3, 4))
    if t.shape[-1] != 1:
        raise ValueError(f"tf.image.grayscale_to_rgb: the last axis must hold 1 channel, got "
                         f"shape {tuple(t.shape)}")
    return K.concatenate([t, t, t], axis=-1)


def _hsv(a):
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    v = a.max(-1)
    rng_ = v - a.min(-1)
    s = np.where(v > 0, rng_ / np.where(v > 0, v, 1), 0)
    safe = np.where(rng_ > 0, rng_, 1)
    h = np.where(v == r, (g - b) / safe, np.where(v == g, 2 + (b - r) / safe, 4 + (r - g) / safe))
    h = np.where(rng_ > 0, (h / 6) % 1.0, 0)
    return np.stack([h, s, v], -1)


def _rgb_from_hsv(a):
    h, s, v = a[..., 0], a[..., 1], a[..., 2]
    h6 = (h % 1.0) * 6
    c = v * s
    x = c * (1 - np.abs(h6 % 2 - 1))
    m = v - c
    z = np.zeros_like(h)
    sector = np.floor(h6).astype(int) % 6
    choices = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    out = np.zeros(a.shape, a.dtype)
    for k, (rr, gg, bb) in enumerate(choices):
        sel = sector == k
        out[..., 0] = np.where(sel, rr + m, out[..., 0])
        out[..., 1] = np.where(sel, gg + m, out[..., 1])
        out[..., 2] = np.where(sel, bb + m, out[..., 2])
    return out


def rgb_to_hsv(images, name=None):
    t = _rgb("rgb_to_hsv", images)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.image.rgb_to_hsv: images must be float, got {t.dtype}")
    return Tensor(_hsv(t.numpy().astype(np.float64)).astype(t.dtype))


def hsv_to_rgb(images, name=None):
    t = _rgb("hsv_to_rgb", images)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.image.hsv_to_rgb: images must be float, got {t.dtype}")
    return Tensor(_rgb_from_hsv(t.numpy().astype(np.float64)).astype(t.dtype))


def _hsv_adjust(op, image, fn):
    f, dt = _as_float(_rgb(op, image))
    hsv = _hsv(f.numpy().astype(np.float64))
    fn(hsv)
    return _back(Tensor(_rgb_from_hsv(hsv).astype(f.dtype)), dt)


def adjust_saturation(image, saturation_factor, name=None):
    k = _scalar(saturation_factor)
    if k < 0:
        raise ValueError(f"tf.image.adjust_saturation: saturation_factor must be >= 0, got {k}")

    def fn(hsv):
        hsv[..., 1] = np.clip(hsv[..., 1] * k, 0, 1)
    return _hsv_adjust("adjust_saturation", image, fn)


def random_saturation(image, lower, upper, seed=None):
    if not 0 <= lower < upper:
        raise ValueError(f"tf.image.random_saturation: need 0 <= lower < upper, got {lower}, {upper}")
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    return adjust_saturation(image, rng.uniform(lower, upper))


def adjust_hue(image, delta, name=None):
    d = _scalar(delta)
    if not -1 <= d <= 1:
        raise ValueError(f"tf.image.adjust_hue: delta must be in [-1, 1], got {d}")

    def fn(hsv):
        hsv[..., 0] = (hsv[..., 0] + d) % 1.0
    return _hsv_adjust("adjust_hue", image, fn)


def random_hue(image, max_delta, seed=None):
    if not 0 <= max_delta <= 0.5:
        raise ValueError(f"tf.image.random_hue: max_delta must be in [0, 0.5], got {max_delta}")
    rng = np.random.default_rng(seed) if seed is not None else _random.rng()
    return adjust_hue(image, rng.uniform(-max_delta, max_delta))


# ---- measures ------------------------------------------------------------------------------------
def total_variation(images, name=None):
    t = _image("total_variation", images)
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float32))
    lead = (slice(None),) * (t.ndim - 3)
    dh = t[lead + (slice(1, None),)] - t[lead + (slice(None, -1),)]
    dw = t[lead + (slice(None), slice(1, None))] - t[lead + (slice(None), slice(None, -1))]
    axes = [-3, -2, -1]
    return K.sum(K.abs(dh), axis=axes) + K.sum(K.abs(dw), axis=axes)


def image_gradients(image):
    """(dy, dx): forward differences, zero in the last row / column; 4-D images."""
    t = _image("image_gradients", image, (4,))
    dy = t[:, 1:] - t[:, :-1]
    dx = t[:, :, 1:] - t[:, :, :-1]
    return pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]]), pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]])


def sobel_edges(image):
    """(batch, height, width, channels, 2): the Sobel y and x responses, edges reflected."""
    t = _image("sobel_edges", image, (4,))
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float32))
    p = pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    h, w = t.shape[1], t.shape[2]
    ky = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    outs = []
    for k in (ky, [list(r) for r in zip(*ky)]):
        acc = None
        for i in range(3):
            for j in range(3):
                if k[i][j]:
                    term = p[:, i:i + h, j:j + w, :] * float(k[i][j])
                    acc = term if acc is None else acc + term
        outs.append(acc)
    return K.stack(outs, axis=-1)


def _gaussian(size, sigma):
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-x * x / (2 * sigma * sigma))
    g /= g.sum()
    return np.outer(g, g).astype(np.float32)


def _ssim_maps(a, b, max_val, size, filter_sigma, k1, k2):
    """The luminance and contrast-structure maps of SSIM of (batch, h, w, c) float images
    (Gaussian window ``size`` x ``filter_sigma``, valid positions); differentiable."""
    c = a.shape[-1]
    win = Tensor(np.repeat(_gaussian(size, float(filter_sigma))[:, :, None, None], c, axis=2))

    def blur(x):
        return _ops.depthwise_conv2d(x, win, strides=1, padding="valid")
    m = float(max_val)
    c1, c2 = (k1 * m) ** 2, (k2 * m) ** 2
    mu1, mu2 = blur(a), blur(b)
    s11 = blur(a * a) - mu1 * mu1
    s22 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    lum = (2 * mu1 * mu2 + c1) / (mu1 * mu1 + mu2 * mu2 + c1)
    cs = (2 * s12 + c2) / (s11 + s22 + c2)
    return lum, cs


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity per image (mean over the valid window positions and channels),
    Gaussian window ``filter_size`` x ``filter_sigma``; differentiable."""
    a = _image("ssim", img1)
    b = _image("ssim", img2)
    if a.shape != b.shape:
        raise ValueError(f"tf.image.ssim: img1 {tuple(a.shape)} and img2 {tuple(b.shape)} must "
                         "have the same shape")
    if a.dtype.kind != "f":
        a, b = Tensor(a.data.astype(np.float32)), Tensor(b.data.astype(np.float32))
    three = a.ndim == 3
    if three:
        a, b = K.expand_dims(a, 0), K.expand_dims(b, 0)
    size = int(filter_size)
    if min(a.shape[1], a.shape[2]) < size:
        raise ValueError(f"tf.image.ssim: images of {a.shape[1]} x {a.shape[2]} are smaller than "
                         f"filter_size {size}")
    lum, cs = _ssim_maps(a, b, max_val, size, filter_sigma, k1, k2)
    smap = lum * cs
    if return_index_map:
        return smap[0] if three else smap
    out = K.mean(smap, axis=[1, 2, 3])
    return out[0] if three else out
