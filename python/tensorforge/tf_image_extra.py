"""More of ``tf.image``: ``ResizeMethod``, ``resize_with_pad``, ``rgb_to_yiq`` / ``yiq_to_rgb``,
``sample_distorted_bounding_box`` (and its stateless form), ``adjust_jpeg_quality`` and the
``stateless_random_*`` augmentations (brightness, contrast, crop, flips, hue, saturation, JPEG
quality) and ``ssim_multiscale``.

The ``stateless_random_*`` ops take TensorFlow's ``seed`` (two integers) and draw TensorFlow's
numbers for it (_philox.py reproduces its Philox stream bit for bit), so brightness, contrast,
saturation, hue, the flips and the crop equal TensorFlow's for the same seed (the JPEG quality
draw too; the JPEG codec is Pillow's). ``sample_distorted_bounding_box`` is TensorFlow's
algorithm (GenerateRandomCrop): an aspect ratio and a height drawn per attempt, the crop kept
when it covers at least ``min_object_covered`` of some bounding box, the whole image after
``max_attempts`` failures; the stateless form draws TensorFlow's numbers (its SimplePhilox),
so its crops are TensorFlow's.
"""
import numpy as np

from . import _philox
from . import tf_image_ops as ops
from .autograd import Tensor
from .tf_image import _colors, adjust_contrast, pad_to_bounding_box, resize

__all__ = ["ResizeMethod", "resize_with_pad", "rgb_to_yiq", "yiq_to_rgb",
           "sample_distorted_bounding_box", "stateless_sample_distorted_bounding_box",
           "adjust_jpeg_quality", "stateless_random_brightness", "stateless_random_contrast",
           "stateless_random_crop", "stateless_random_flip_left_right",
           "stateless_random_flip_up_down", "stateless_random_hue",
           "stateless_random_saturation", "stateless_random_jpeg_quality", "ssim_multiscale"]


class ResizeMethod:
    """``tf.image.ResizeMethod``: the ``method`` names of ``tf.image.resize``."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def resize_with_pad(image, target_height, target_width, method="bilinear", antialias=False):
    """Resized to fit (height, width) keeping its aspect ratio, then zero-padded around to
    exactly that size, with TensorFlow's float32 arithmetic for the sizes and offsets."""
    t = image if isinstance(image, Tensor) else Tensor(np.asarray(image))
    if t.ndim not in (3, 4):
        raise ValueError(f"tf.image.resize_with_pad: image must be 3-D or 4-D, got shape "
                         f"{tuple(t.shape)}")
    th, tw = int(target_height), int(target_width)
    if th <= 0 or tw <= 0:
        raise ValueError(f"tf.image.resize_with_pad: target size must be positive, got "
                         f"{[th, tw]}")
    h, w = t.shape[-3], t.shape[-2]
    f32 = np.float32
    ratio = max(f32(w) / f32(tw), f32(h) / f32(th))
    rh, rw = f32(h) / ratio, f32(w) / ratio
    ph = max(0, int(np.floor((f32(th) - rh) / f32(2))))
    pw = max(0, int(np.floor((f32(tw) - rw) / f32(2))))
    resized = resize(t, [int(np.floor(rh)), int(np.floor(rw))], method=method,
                     antialias=antialias)
    return pad_to_bounding_box(resized, ph, pw, th, tw)


_RGB_TO_YIQ = np.array([[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                        [0.114, -0.32134392, 0.31119955]])
_YIQ_TO_RGB = np.array([[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
                        [0.6208248, -0.64720424, 1.70423049]])


def rgb_to_yiq(images):
    """RGB in [0, 1] to YIQ (TensorFlow's matrix)."""
    return _colors("rgb_to_yiq", images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    return _colors("yiq_to_rgb", images, _YIQ_TO_RGB)


# ---- sample_distorted_bounding_box --------------------------------------------------------------
_F32 = np.float32


def _lrint(v):
    return int(np.rint(_F32(v)))  # lrintf: to nearest, ties to even


def _random_crop_rect(rng, ratio, W, H, lo, hi):
    """TensorFlow's GenerateRandomCrop (float32 areas, lrintf): (x, y, width, height) or
    None; ``rng`` a _philox.SimplePhilox."""
    min_area, max_area = _F32(lo) * _F32(W) * _F32(H), _F32(hi) * _F32(W) * _F32(H)
    height = _lrint(np.sqrt(_F32(min_area / _F32(ratio))))
    max_height = _lrint(np.sqrt(_F32(max_area / _F32(ratio))))
    if _lrint(_F32(max_height) * _F32(ratio)) > W:
        max_height = int((W + 0.5 - 0.0000001) / ratio)
        if _lrint(_F32(max_height) * _F32(ratio)) > W:
            max_height -= 1
    max_height = min(max_height, H)
    height = min(height, max_height)
    if height < max_height:
        height += rng.uniform(max_height - height + 1)
    width = _lrint(_F32(height) * _F32(ratio))
    area = _F32(width * height)
    if area < min_area:
        height += 1
        width = _lrint(_F32(height) * _F32(ratio))
        area = _F32(width * height)
    if area > max_area:
        height -= 1
        width = _lrint(_F32(height) * _F32(ratio))
        area = _F32(width * height)
    if area < min_area or area > max_area or width > W or height > H or width <= 0 or \
            height <= 0:
        return None
    y = rng.uniform(H - height) if height < H else 0
    x = rng.uniform(W - width) if width < W else 0
    return x, y, width, height


def _distorted_box(op, rng, image_size, bounding_boxes, min_object_covered, aspect_ratio_range,
                   area_range, max_attempts, use_image_if_no_bounding_boxes):
    size = np.ravel(np.asarray(image_size.numpy() if isinstance(image_size, Tensor)
                               else image_size)).astype(np.int64)
    if size.shape != (3,) or size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"tf.image.{op}: image_size must be [height, width, channels], got "
                         f"{size.tolist()}")
    H, W = int(size[0]), int(size[1])
    boxes = np.asarray(bounding_boxes.numpy() if isinstance(bounding_boxes, Tensor)
                       else bounding_boxes, np.float32).reshape(-1, 4)
    if not len(boxes):
        if not use_image_if_no_bounding_boxes:
            raise ValueError(f"tf.image.{op}: no bounding box given and "
                             f"use_image_if_no_bounding_boxes is not True")
        boxes = np.array([[0, 0, 1, 1]], np.float32)
    lo_r, hi_r = (float(v) for v in aspect_ratio_range)
    lo_a, hi_a = (float(v) for v in area_range)
    cover = float(np.asarray(min_object_covered.numpy() if isinstance(
        min_object_covered, Tensor) else min_object_covered))
    if not 0 < lo_r <= hi_r or not 0 < lo_a <= hi_a <= 1 or cover < 0:
        raise ValueError(f"tf.image.{op}: need 0 < aspect_ratio_range[0] <= [1], 0 < "
                         f"area_range[0] <= [1] <= 1 and min_object_covered >= 0, got "
                         f"{aspect_ratio_range}, {area_range}, {cover}")
    # the boxes in whole pixels, truncated as TensorFlow's Rectangle
    rects = [(int(b[1] * _F32(W)), int(b[0] * _F32(H)), int(b[3] * _F32(W)),
              int(b[2] * _F32(H))) for b in boxes]
    crop = None
    for _ in range(int(max_attempts)):
        ratio = rng.rand_float() * (_F32(hi_r) - _F32(lo_r)) + _F32(lo_r)
        rect = _random_crop_rect(rng, ratio, W, H, lo_a, hi_a)
        if rect is None or rect[2] * rect[3] < 1:
            continue
        x, y, w, h = rect
        for x0, y0, x1, y1 in rects:  # SatisfiesOverlapConstraints
            area = (x1 - x0) * (y1 - y0)
            if area < 1:
                continue
            inter = max(0, min(x + w, x1) - max(x, x0)) * max(0, min(y + h, y1) - max(y, y0))
            if _F32(inter) / _F32(area) >= _F32(cover):
                crop = rect
                break
        if crop is not None:
            break
    x, y, w, h = crop if crop is not None else (0, 0, W, H)
    begin = Tensor(np.array([y, x, 0], np.int32))
    sz = Tensor(np.array([h, w, -1], np.int32))
    box = Tensor(np.array([[[_F32(y) / _F32(H), _F32(x) / _F32(W), _F32(y + h) / _F32(H),
                             _F32(x + w) / _F32(W)]]], np.float32))
    return begin, sz, box


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=0, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """(begin [y, x, 0], size [h, w, -1], box (1, 1, 4)): a random crop for
    ``tf.slice(image, begin, size)``. TensorFlow's algorithm on the stream of the seed pair
    (``seed``, 0), or of one drawn from tensorforge's seeded stream when ``seed`` is 0 (the
    stateful op's numbers are not TensorFlow's; the stateless op's are)."""
    from . import _random
    pair = [int(seed), 0] if seed else [int(v) for v in _random.rng().integers(0, 2 ** 62, 2)]
    return _distorted_box("sample_distorted_bounding_box", _philox.SimplePhilox(pair),
                          image_size, bounding_boxes, min_object_covered,
                          aspect_ratio_range or (0.75, 1.33), area_range or (0.05, 1.0),
                          max_attempts or 100, use_image_if_no_bounding_boxes)


def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed,
                                            min_object_covered=0.1, aspect_ratio_range=None,
                                            area_range=None, max_attempts=None,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """TensorFlow's crop for ``seed``, bit for bit (its SimplePhilox draws)."""
    rng = _philox.SimplePhilox(_seed("stateless_sample_distorted_bounding_box", seed))
    return _distorted_box("stateless_sample_distorted_bounding_box", rng, image_size,
                          bounding_boxes, min_object_covered, aspect_ratio_range or (0.75, 1.33),
                          area_range or (0.05, 1.0), max_attempts or 100,
                          use_image_if_no_bounding_boxes)


# ---- JPEG quality ---------------------------------------------------------------------------
def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None):
    """The image after a JPEG round trip at ``jpeg_quality`` (0-100) through Pillow; float
    images come back as float32 in [0, 1], uint8 ones as uint8."""
    from .tf_codecs import decode_jpeg, encode_jpeg
    t = image if isinstance(image, Tensor) else Tensor(np.asarray(image))
    a = t.numpy()
    if a.ndim != 3 or a.shape[2] not in (1, 3):
        raise ValueError(f"tf.image.adjust_jpeg_quality: image must be (h, w, 1 or 3), got "
                         f"shape {a.shape}")
    q = int(np.asarray(jpeg_quality.numpy() if isinstance(jpeg_quality, Tensor) else
                       jpeg_quality))
    u8 = a if a.dtype == np.uint8 else np.clip(np.round(a * 255.0), 0, 255).astype(np.uint8)
    out = decode_jpeg(encode_jpeg(u8, quality=q), channels=a.shape[2]).numpy()
    return Tensor(out if a.dtype == np.uint8 else (out / np.float32(255)).astype(np.float32))


# ---- stateless random augmentations -------------------------------------------------------------
def _seed(op, seed):
    s = np.asarray(seed.numpy() if isinstance(seed, Tensor) else seed).reshape(-1)
    if s.size != 2 or s.dtype.kind not in "iu":
        raise ValueError(f"tf.image.{op}: seed must be a pair of integers (shape [2]), got "
                         f"{s.tolist()}")
    return [int(v) for v in s]


def _draw(op, seed, lo, hi):
    """TensorFlow's ``stateless_random_uniform(shape=[], minval=lo, maxval=hi, seed=seed)``."""
    return float(_philox.uniform_float32(_seed(op, seed), (), lo, hi))


def stateless_random_brightness(image, max_delta, seed):
    if max_delta < 0:
        raise ValueError("tf.image.stateless_random_brightness: max_delta must be non-negative.")
    delta = _draw("stateless_random_brightness", seed, -max_delta, max_delta)
    return ops.adjust_brightness(image, delta)


def stateless_random_contrast(image, lower, upper, seed):
    if upper <= lower:
        raise ValueError("tf.image.stateless_random_contrast: upper must be > lower.")
    if lower < 0:
        raise ValueError("tf.image.stateless_random_contrast: lower must be non-negative.")
    return adjust_contrast(image, _draw("stateless_random_contrast", seed, lower, upper))


def stateless_random_saturation(image, lower, upper, seed):
    if upper <= lower:
        raise ValueError("tf.image.stateless_random_saturation: upper must be > lower.")
    if lower < 0:
        raise ValueError("tf.image.stateless_random_saturation: lower must be non-negative.")
    return ops.adjust_saturation(image, _draw("stateless_random_saturation", seed, lower,
                                              upper))


def stateless_random_hue(image, max_delta, seed):
    if not 0 <= max_delta <= 0.5:
        raise ValueError("tf.image.stateless_random_hue: max_delta must be in the interval "
                         "[0, 0.5].")
    return ops.adjust_hue(image, _draw("stateless_random_hue", seed, -max_delta, max_delta))


def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed):
    """A JPEG round trip (Pillow's) at TensorFlow's quality draw for ``seed``."""
    if not 0 <= min_jpeg_quality < max_jpeg_quality <= 100:
        raise ValueError("tf.image.stateless_random_jpeg_quality: need 0 <= min_jpeg_quality < "
                         "max_jpeg_quality <= 100")
    q = int(_philox.uniform_int32(_seed("stateless_random_jpeg_quality", seed), (),
                                  min_jpeg_quality, max_jpeg_quality))
    return adjust_jpeg_quality(image, q)


def _stateless_flip(op, image, seed, flip):
    """TensorFlow's _random_flip: one image flips when its draw is below 0.5; in a batch,
    image i flips when round(draw i) is 1 (above 0.5)."""
    t = image if isinstance(image, Tensor) else Tensor(np.asarray(image))
    s = _seed(op, seed)
    if t.ndim == 3:
        return flip(t) if float(_philox.uniform_float32(s, ())) < 0.5 else t
    if t.ndim != 4:
        raise ValueError(f"tf.image.{op}: image must be 3-D or 4-D, got shape {tuple(t.shape)}")
    which = np.round(_philox.uniform_float32(s, (t.shape[0],))) == 1
    a, f = t.numpy(), flip(t).numpy()
    return Tensor(np.where(which.reshape(-1, 1, 1, 1), f, a))


def stateless_random_flip_left_right(image, seed):
    return _stateless_flip("stateless_random_flip_left_right", image, seed, ops.flip_left_right)


def stateless_random_flip_up_down(image, seed):
    return _stateless_flip("stateless_random_flip_up_down", image, seed, ops.flip_up_down)


def stateless_random_crop(value, size, seed, name=None):
    """A ``size`` window of ``value`` at TensorFlow's offset for ``seed``: an int32 draw in
    [0, 2**31 - 1) per dimension, modulo the room left."""
    t = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
    sz = [int(v) for v in np.ravel(np.asarray(size.numpy() if isinstance(size, Tensor)
                                              else size))]
    if len(sz) != t.ndim or any(s > d or s < 0 for s, d in zip(sz, t.shape)):
        raise ValueError(f"tf.image.stateless_random_crop: size {sz} must not exceed the "
                         f"value's shape {tuple(t.shape)}")
    draws = _philox.uniform_int32(_seed("stateless_random_crop", seed), (t.ndim,), 0,
                                  2 ** 31 - 1)
    start = [int(r) % (d - s + 1) for r, s, d in zip(draws, sz, t.shape)]
    return t[tuple(slice(b, b + s) for b, s in zip(start, sz))]


# ---- multi-scale SSIM --------------------------------------------------------------------------
_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """TensorFlow's MS-SSIM per image: at each scale (the images halved by 2x2 average
    pooling, a side of odd size first padded symmetrically, as TensorFlow) the per-channel
    mean contrast-structure term, relu'd; at the last scale the SSIM; their product weighted by
    ``power_factors`` as exponents, averaged over channels. Differentiable."""
    from . import backend_ops as K
    from .tf_array import pad
    op = "tf.image.ssim_multiscale"
    a = img1 if isinstance(img1, Tensor) else Tensor(np.asarray(img1))
    b = img2 if isinstance(img2, Tensor) else Tensor(np.asarray(img2))
    if a.shape != b.shape or a.ndim not in (3, 4):
        raise ValueError(f"{op}: img1 and img2 must be (batch,) height, width, channels of one "
                         f"shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.dtype.kind != "f":
        a, b = Tensor(a.numpy().astype(np.float32)), Tensor(b.numpy().astype(np.float32))
    three = a.ndim == 3
    if three:
        a, b = K.expand_dims(a, 0), K.expand_dims(b, 0)
    size, n = int(filter_size), len(power_factors)
    need = size * 2 ** (n - 1)
    if min(a.shape[1], a.shape[2]) < need:
        raise ValueError(f"{op}: images of {a.shape[1]} x {a.shape[2]} are too small for "
                         f"{n} scales of filter_size {size} (need {need})")
    terms = []
    for k in range(n):
        if k:
            rem = [a.shape[1] % 2, a.shape[2] % 2]
            if any(rem):
                pads = [[0, 0], [0, rem[0]], [0, rem[1]], [0, 0]]
                a, b = pad(a, pads, mode="SYMMETRIC"), pad(b, pads, mode="SYMMETRIC")
            a = K.pool2d(a, (2, 2), strides=(2, 2), padding="valid", pool_mode="avg")
            b = K.pool2d(b, (2, 2), strides=(2, 2), padding="valid", pool_mode="avg")
        lum, cs = ops._ssim_maps(a, b, max_val, size, filter_sigma, k1, k2)
        term = lum * cs if k == n - 1 else cs
        terms.append(K.relu(K.mean(term, axis=[1, 2])))  # (batch, channels)
    out = None
    for t, p in zip(terms, power_factors):
        f = K.pow(t, float(p))
        out = f if out is None else out * f
    out = K.mean(out, axis=-1)
    return out[0] if three else out
