"""Keras 2's image preprocessing layers (keras/layers/preprocessing/image_preprocessing.py):
Resizing and CenterCrop, and the augmentation layers RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomCrop, RandomHeight, RandomWidth, RandomBrightness.
(Rescaling is in preprocessing.py.)

Images are (N, H, W, C) or one (H, W, C) image, float32 out (float64 for a float64 layer). The work is host NumPy, vectorized
over the batch, in tensorforge/image_ops.py (TensorFlow's arithmetic): the geometric layers draw
one matrix per image and call the one ``transform``. The result is a constant: no gradient flows
back through a random op (these layers come before any trainable layer), as in Keras 2.

The random layers augment in training only: in fit, under ``training=True``, and -- as Keras 2,
whose ``call(inputs, training=True)`` is their default -- when called outside any model run with
``training`` unset (See Note [training left unset] in engine/base_layer.py), e.g. inside
``dataset.map(lambda x, y: (data_augmentation(x), y))``. In predict / evaluate they pass the
input through (RandomCrop: a centre crop-and-resize, as Keras 2). ``seed`` gives a layer its own
generator; without one it draws from tensorforge's random state (utils.set_random_seed).
"""
import numbers

import numpy as np

from .. import _random
from .. import image_ops
from .._xp import array_module
from ..autograd import Tensor
from ..engine.base_layer import Layer, training_given
from ..engine.dtype_policy import float_dtype as _float_dtype

H_AXIS, W_AXIS = -3, -2


def _host(layer, x):
    """The input as a NumPy array of rank 3 or 4 in the layer's float dtype (float32, or
    float64: Note [float64 layers])."""
    a = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
    dt = _float_dtype(layer)
    if dt == np.float64 and not layer._float64_ok:
        raise TypeError(f"{type(layer).__name__} (layer {layer.name!r}): float64 is not "
                        "supported (its image transforms compute in float32); give this layer "
                        "dtype='float32'")
    if a.ndim not in (3, 4):
        raise ValueError(f"{type(layer).__name__} (layer {layer.name!r}): expected images of "
                         f"shape (N, H, W, C) or (H, W, C), got shape {a.shape}")
    return a.astype(dt, copy=False)


def _back(x, a):
    """``a`` as a Tensor on ``x``'s device (a constant: no gradient through augmentation)."""
    data = x.data if isinstance(x, Tensor) else x
    dt = np.float64 if a.dtype == np.float64 else np.float32
    return Tensor(array_module(data).asarray(np.ascontiguousarray(a, dtype=dt)))


def _number(layer, what, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
        raise ValueError(f"{layer}: {what} must be a finite number, got {v!r}")
    return float(v)


def _bounds(layer, what, factor):
    """(lower, upper) of a Keras factor: a pair as given, a number f as (-f, f)."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"{layer}: {what} must be a number or a pair of numbers, got "
                             f"{factor!r}")
        lo, hi = (_number(layer, what, v) for v in factor)
    else:
        f = _number(layer, what, factor)
        lo, hi = -f, f
    if hi < lo:
        raise ValueError(f"{layer}: {what} cannot have an upper bound less than its lower "
                         f"bound, got {factor!r}")
    return lo, hi


def _size(layer, what, v):
    if isinstance(v, bool) or not isinstance(v, (numbers.Integral,)) or v < 1:
        raise ValueError(f"{layer}: {what} must be a positive integer, got {v!r}")
    return int(v)


def _resize_interpolation(layer, interpolation):
    if interpolation not in image_ops.RESIZE_INTERPOLATIONS:
        raise ValueError(f"{layer}: interpolation must be one of "
                         f"{', '.join(map(repr, image_ops.RESIZE_INTERPOLATIONS))} in "
                         f"tensorforge, got {interpolation!r}")
    return interpolation


def _fill_and_interpolation(layer, fill_mode, interpolation, fill_value):
    if fill_mode not in image_ops.FILL_MODES:
        raise ValueError(f"{layer}: unknown fill_mode {fill_mode!r}; expected one of "
                         f"{', '.join(map(repr, image_ops.FILL_MODES))}")
    if interpolation not in image_ops.INTERPOLATIONS:
        raise ValueError(f"{layer}: unknown interpolation {interpolation!r}; expected one of "
                         f"{', '.join(map(repr, image_ops.INTERPOLATIONS))}")
    _number(layer, "fill_value", fill_value)


def _with_hw(input_shape, h, w):
    s = list(input_shape)
    s[H_AXIS], s[W_AXIS] = h, w
    return tuple(s)


class Resizing(Layer):
    _float64_ok = False  # (image_ops' resize computes in float32)
    """Resizing(height, width, interpolation='bilinear', crop_to_aspect_ratio=False):
    tf.image.resize to (height, width); with crop_to_aspect_ratio, the largest centred crop of
    that aspect ratio first (smart_resize)."""
    _input_ndim = (3, 4)  # one image (H, W, C) or a batch

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.height = _size("Resizing", "height", height)
        self.width = _size("Resizing", "width", width)
        self.interpolation = _resize_interpolation("Resizing", interpolation)
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self._record(height=self.height, width=self.width, interpolation=interpolation,
                     crop_to_aspect_ratio=self.crop_to_aspect_ratio)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def call(self, x, training=False, mask=None):
        a = _host(self, x)
        f = image_ops.smart_resize if self.crop_to_aspect_ratio else image_ops.resize
        return _back(x, f(a, (self.height, self.width), self.interpolation))


def _crop_or_resize(a, start_h, start_w, height, width):
    H, W = a.shape[H_AXIS], a.shape[W_AXIS]
    if H >= height and W >= width:
        return a[..., start_h:start_h + height, start_w:start_w + width, :]
    return image_ops.smart_resize(a, (height, width))


class CenterCrop(Layer):
    _float64_ok = True
    """CenterCrop(height, width): the centred (height, width) window; an image smaller than
    that is smart-resized to it instead, as Keras 2."""
    _input_ndim = (3, 4)  # one image (H, W, C) or a batch

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = _size("CenterCrop", "height", height)
        self.width = _size("CenterCrop", "width", width)
        self._record(height=self.height, width=self.width)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def call(self, x, training=False, mask=None):
        a = _host(self, x)
        H, W = a.shape[H_AXIS], a.shape[W_AXIS]
        return _back(x, _crop_or_resize(a, (H - self.height) // 2, (W - self.width) // 2,
                                        self.height, self.width))


class _RandomLayer(Layer):
    _float64_ok = True  # False: the image transforms compute in float32 (Note [float64 layers])
    """Base of the augmentation layers (Keras 2's BaseRandomLayer): the seed and the training
    rule (See module docstring)."""
    _input_ndim = (3, 4)  # one image (H, W, C) or a batch

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{type(self).__name__}: seed must be an integer or None, got "
                             f"{seed!r}")
        self.seed = None if seed is None else int(seed)
        self._own_rng = None if seed is None else np.random.default_rng(self.seed)

    def _rng(self):
        return self._own_rng if self._own_rng is not None else _random.rng()

    def _augmenting(self, training):
        return bool(training) or not training_given()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x, training=True, mask=None):
        if not self._augmenting(training):
            return x
        a = _host(self, x)
        batched = a.ndim == 4
        out = self._augment(a if batched else a[None])
        return _back(x, out if batched else out[0])

    def _augment(self, a):  # (N, H, W, C) float32 -> augmented
        raise NotImplementedError


class RandomFlip(_RandomLayer):
    """RandomFlip(mode='horizontal_and_vertical', seed=None): each image flipped left-right
    and / or up-down with probability 1/2."""
    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip: unknown mode {mode!r}; expected one of "
                             f"{', '.join(map(repr, self._MODES))}")
        self.mode = mode
        self.horizontal = mode != "vertical"
        self.vertical = mode != "horizontal"
        self._record(mode=mode, seed=self.seed)

    def _augment(self, a):
        n, rng = len(a), self._rng()
        out = a
        if self.horizontal:
            flip = rng.random(n) < 0.5
            out = np.where(flip[:, None, None, None], out[:, :, ::-1], out)
        if self.vertical:
            flip = rng.random(n) < 0.5
            out = np.where(flip[:, None, None, None], out[:, ::-1], out)
        return out


class _AffineLayer(_RandomLayer):
    _float64_ok = False  # (image_ops' transforms compute in float32)
    """A random layer that draws one projective matrix per image and calls transform()."""

    def _setup(self, fill_mode, interpolation, fill_value):
        _fill_and_interpolation(type(self).__name__, fill_mode, interpolation, fill_value)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)

    def _augment(self, a):
        m = self._matrices(len(a), a.shape[1], a.shape[2], self._rng())
        return image_ops.transform(a, m, self.fill_mode, self.fill_value, self.interpolation)


class RandomRotation(_AffineLayer):
    """RandomRotation(factor, fill_mode='reflect', interpolation='bilinear', seed=None,
    fill_value=0.0): each image rotated by an angle drawn from [lower, upper] * 2 pi (factor f
    means (-f, f); a positive angle turns counter-clockwise)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = _bounds("RandomRotation", "factor", factor)
        self._setup(fill_mode, interpolation, fill_value)
        self._record(factor=factor, fill_mode=fill_mode, fill_value=self.fill_value,
                     interpolation=interpolation, seed=self.seed)

    def _matrices(self, n, h, w, rng):
        angles = rng.uniform(self.lower * 2 * np.pi, self.upper * 2 * np.pi, size=n)
        return image_ops.rotation_matrix(angles.astype(np.float32), h, w)


class RandomZoom(_AffineLayer):
    """RandomZoom(height_factor, width_factor=None, fill_mode='reflect',
    interpolation='bilinear', seed=None, fill_value=0.0): each image zoomed by 1 + a draw from
    the factor's range (a negative factor zooms in); width_factor=None keeps the aspect ratio."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = "RandomZoom"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _bounds(name, "height_factor", height_factor)
        if max(abs(self.height_lower), abs(self.height_upper)) > 1:
            raise ValueError(f"{name}: height_factor must have values between [-1, 1], got "
                             f"{height_factor!r}")
        if width_factor is not None:
            self.width_lower, self.width_upper = _bounds(name, "width_factor", width_factor)
            if self.width_lower < -1 or self.width_upper < -1:
                raise ValueError(f"{name}: width_factor must have values larger than -1, got "
                                 f"{width_factor!r}")
        self._setup(fill_mode, interpolation, fill_value)
        self._record(height_factor=height_factor, width_factor=width_factor,
                     fill_mode=fill_mode, fill_value=self.fill_value,
                     interpolation=interpolation, seed=self.seed)

    def _matrices(self, n, h, w, rng):
        zy = rng.uniform(1 + self.height_lower, 1 + self.height_upper, size=n)
        zx = zy if self.width_factor is None else \
            rng.uniform(1 + self.width_lower, 1 + self.width_upper, size=n)
        return image_ops.zoom_matrix(np.stack([zx, zy], 1).astype(np.float32), h, w)


class RandomTranslation(_AffineLayer):
    """RandomTranslation(height_factor, width_factor, fill_mode='reflect',
    interpolation='bilinear', seed=None, fill_value=0.0): each image shifted by a draw from the
    factor's range times its height / width (factors in [-1, 1])."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = "RandomTranslation"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _bounds(name, "height_factor", height_factor)
        self.width_lower, self.width_upper = _bounds(name, "width_factor", width_factor)
        for what, lo, hi, v in (("height_factor", self.height_lower, self.height_upper,
                                 height_factor),
                                ("width_factor", self.width_lower, self.width_upper,
                                 width_factor)):
            if max(abs(lo), abs(hi)) > 1:
                raise ValueError(f"{name}: {what} must have values between [-1, 1], got {v!r}")
        self._setup(fill_mode, interpolation, fill_value)
        self._record(height_factor=height_factor, width_factor=width_factor,
                     fill_mode=fill_mode, fill_value=self.fill_value,
                     interpolation=interpolation, seed=self.seed)

    def _matrices(self, n, h, w, rng):
        dy = rng.uniform(self.height_lower, self.height_upper, size=n).astype(np.float32) * h
        dx = rng.uniform(self.width_lower, self.width_upper, size=n).astype(np.float32) * w
        return image_ops.translation_matrix(np.stack([dx, dy], 1))


class RandomContrast(_RandomLayer):
    _float64_ok = False  # (image_ops' adjust_contrast computes in float32)
    """RandomContrast(factor, seed=None): one contrast factor per call, drawn from
    [1 - lower, 1 + upper] (factor f means (f, f)): (x - mean) * c + mean, the mean per image
    and channel, then clipped to [0, 255]."""

    def __init__(self, factor, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, (tuple, list)) and len(factor) == 2:
            self.lower, self.upper = (_number("RandomContrast", "factor", v) for v in factor)
        elif isinstance(factor, (tuple, list)):
            raise ValueError(f"RandomContrast: factor must be a number or a pair of numbers, "
                             f"got {factor!r}")
        else:
            self.lower = self.upper = _number("RandomContrast", "factor", factor)
        if self.lower < 0 or self.upper < 0 or self.lower > 1:
            raise ValueError(f"RandomContrast: factor cannot have negative values or a lower "
                             f"bound greater than 1, got {factor!r}")
        self._record(factor=factor, seed=self.seed)

    def _augment(self, a):
        c = self._rng().uniform(1 - self.lower, 1 + self.upper)
        return np.clip(image_ops.adjust_contrast(a, c), 0, 255)


class RandomBrightness(_RandomLayer):
    """RandomBrightness(factor, value_range=(0, 255), seed=None): adds to each image a draw
    from the factor's range (in [-1, 1]; f means (-f, f)) times the width of value_range, then
    clips to value_range."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = "RandomBrightness"
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(f"{name}: factor must be a number or a pair of numbers in "
                                 f"[-1, 1], got {factor!r}")
            f = sorted(_number(name, "factor", v) for v in factor)
        else:
            v = abs(_number(name, "factor", factor))
            f = [-v, v]
        if min(f) < -1 or max(f) > 1:
            raise ValueError(f"{name}: factor must be in the range [-1, 1], got {factor!r}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{name}: value_range must be a pair of numbers, got "
                             f"{value_range!r}")
        self._factor = f
        for v in value_range:
            _number(name, "value_range", v)
        self._value_range = sorted(value_range)
        self._record(factor=self._factor, value_range=self._value_range, seed=self.seed)

    def _augment(self, a):
        lo, hi = self._value_range
        delta = self._rng().uniform(self._factor[0], self._factor[1], size=(len(a), 1, 1, 1))
        return np.clip(a + (delta * (hi - lo)).astype(np.float32), lo, hi)


class RandomCrop(_RandomLayer):
    """RandomCrop(height, width, seed=None): in training one random (height, width) window
    for the whole batch; at inference (or for a smaller image) a centred crop of the target
    aspect ratio resized to (height, width), as Keras 2's smart_resize."""

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height = _size("RandomCrop", "height", height)
        self.width = _size("RandomCrop", "width", width)
        self._record(height=self.height, width=self.width, seed=self.seed)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def call(self, x, training=True, mask=None):
        a = _host(self, x)
        H, W = a.shape[H_AXIS], a.shape[W_AXIS]
        dh, dw = H - self.height, W - self.width
        if self._augmenting(training) and dh >= 0 and dw >= 0:
            rng = self._rng()
            out = _crop_or_resize(a, int(rng.integers(dh + 1)), int(rng.integers(dw + 1)),
                                  self.height, self.width)
        else:
            out = image_ops.smart_resize(a, (self.height, self.width))
        return _back(x, out)


class _RandomSide(_RandomLayer):
    _float64_ok = False  # (image_ops' resize computes in float32)
    """RandomHeight / RandomWidth: one factor per call from 1 + [lower, upper]; the side is
    resized to int(factor * side)."""
    _AXIS = H_AXIS

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = type(self).__name__
        self.factor = factor
        self.lower, self.upper = _bounds(name, "factor", factor)
        if self.lower < -1 or self.upper < -1:
            raise ValueError(f"{name}: factor must have values larger than -1, got {factor!r}")
        self.interpolation = _resize_interpolation(name, interpolation)
        self._record(factor=factor, interpolation=interpolation, seed=self.seed)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        s[self._AXIS] = None
        return tuple(s)

    def _augment(self, a):
        f = np.float32(self._rng().uniform(1 + self.lower, 1 + self.upper))
        size = [a.shape[H_AXIS], a.shape[W_AXIS]]
        size[self._AXIS - H_AXIS] = max(int(f * np.float32(size[self._AXIS - H_AXIS])), 1)
        return image_ops.resize(a, size, self.interpolation)


class RandomHeight(_RandomSide):
    """RandomHeight(factor, interpolation='bilinear', seed=None)."""
    _AXIS = H_AXIS


class RandomWidth(_RandomSide):
    """RandomWidth(factor, interpolation='bilinear', seed=None)."""
    _AXIS = W_AXIS


__all__ = ["Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomCrop",
           "RandomHeight", "RandomWidth"]
