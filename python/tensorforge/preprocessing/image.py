"""Keras 2 ``preprocessing.image``: ImageDataGenerator (random augmentation, feature-wise
normalisation, ``flow`` over arrays and ``flow_from_directory`` over image folders), the affine
helpers (apply_affine_transform, random_rotation/shift/shear/zoom, flip_axis, channel shifts) and
the array <-> image helpers (img_to_array, array_to_img, load_img, save_img).

Semantics are Keras 2's, call for call: the same random draws in the same order from NumPy's
global RNG (seeded with ``seed + batches seen`` by the iterators), so a generator with a seed
gives the same batches as Keras 2 does. Geometric transforms need SciPy (``scipy.ndimage``, as
Keras; ``pip install 'tensorforge[image]'``), image files and brightness shifts need Pillow;
without them those calls raise ImportError naming the package. Flips, rescale and the
normalisations need neither.
"""
import warnings

import numpy as np

from ..image_ops import smart_resize  # noqa: F401  (keras.preprocessing.image.smart_resize)
from .image_dataframe import DataFrameIterator
from ..utils.image_utils import _data_format, _pil, array_to_img, img_to_array, load_img, save_img
from .image_iterators import DirectoryIterator, Iterator, NumpyArrayIterator

__all__ = ["ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
           "DataFrameIterator", "apply_affine_transform", "transform_matrix_offset_center",
           "flip_axis", "random_rotation", "random_shift", "random_shear", "random_zoom",
           "apply_channel_shift", "random_channel_shift", "apply_brightness_shift",
           "random_brightness", "img_to_array", "array_to_img", "load_img", "save_img",
           "smart_resize"]

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")



def _ndimage():
    try:
        from scipy import ndimage
    except ImportError:
        raise ImportError("image transformations (rotation, shift, shear, zoom) need SciPy: "
                          "pip install scipy (or 'tensorforge[image]')") from None
    return ndimage





def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` conjugated so that it acts about the image centre ((x-1)/2, (y-1)/2)."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2,
                           channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Rotate by ``theta`` degrees, shift by (tx rows, ty columns), shear by ``shear`` degrees,
    zoom by (zx, zy) -- in that order, about the centre -- one 3-D image (Keras 2 formula,
    interpolated by scipy.ndimage.affine_transform of ``order`` with ``fill_mode``; Note
    [affine transforms on the kernel])."""
    op = "apply_affine_transform"
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"{op}: x must be one 3-D image (rows, cols, channels), got shape {x.shape}")
    if sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2]:
        raise ValueError(f"{op}: row_axis, col_axis and channel_axis must be 0, 1, 2 in some order, "
                         f"got {row_axis}, {col_axis}, {channel_axis}")
    if channel_axis not in (0, 2):
        raise ValueError(f"{op}: channel_axis must be 0 or 2, got {channel_axis}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"{op}: fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
    m = _affine_matrix(theta, tx, ty, shear, zx, zy, x.shape[row_axis], x.shape[col_axis],
                       col_axis > row_axis)
    if m is None:
        return x
    x = np.rollaxis(x, channel_axis, 0)
    if _native_affine_ok(x.dtype, order, fill_mode):
        out = _native_affine(np.moveaxis(x, 0, -1)[None], [m], fill_mode, cval)[0]
        return np.rollaxis(np.moveaxis(out, -1, 0), 0, channel_axis + 1)
    ndimage = _ndimage()
    chans = [ndimage.affine_transform(c, m[:2, :2], m[:2, 2], order=order, mode=fill_mode,
                                      cval=cval) for c in x]
    return np.rollaxis(np.stack(chans, axis=0), 0, channel_axis + 1)


def _affine_matrix(theta, tx, ty, shear, zx, zy, h, w, swap):
    """Keras 2's 3x3 transform of a (h, w) image about its centre, acting on the channel
    image's (axis 0, axis 1) coordinates (``swap``: the columns come after the rows in the
    image's axes, Keras' transposition for ndimage); None when it is the identity."""
    m = None

    def compose(a):
        return a if m is None else m @ a

    if theta != 0:
        t = np.deg2rad(theta)
        m = compose(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        m = compose(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        m = compose(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        m = compose(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if m is None:
        return None
    m = transform_matrix_offset_center(m, h, w)
    if swap:
        m[:, [0, 1]] = m[:, [1, 0]]
        m[[0, 1]] = m[[1, 0]]
    return m


# Note [affine transforms on the kernel]: scipy.ndimage.affine_transform of order 1 with
# mode 'nearest' (Keras 2's default) or 'reflect' is the bilinear projective transform of
# kernels/image.py (tf.raw_ops.ImageProjectiveTransformV3's) with the same fill mode: both read
# the input point M @ (row, col) + offset, with the edge pixel repeated ('nearest') or the image
# mirrored about its edge ('reflect'), and interpolate linearly between the four neighbours.
# ndimage forms the point in float64, the kernel in float32: pixels differ by float32 rounding
# of the coordinate (~1e-6 of the pixel range for images tens of pixels wide). Float32 images
# (ImageDataGenerator's, floatx) run on the native kernel, and the generator's iterators hand
# it a whole batch in one call (ImageDataGenerator._affine_batch); other dtypes, orders and
# modes ('constant' and 'wrap', whose border conventions differ from TensorFlow's) stay on
# ndimage, one channel at a time, as Keras 2 runs them.
def _native_affine_ok(dtype, order, fill_mode):
    if order != 1 or fill_mode not in ("nearest", "reflect") or dtype != np.float32:
        return False
    from .. import _dispatch
    from ..kernels._common import NATIVE_MODULE
    return getattr(_dispatch.lookup("image_transform", "cpu"), "__module__", None) == NATIVE_MODULE


def _native_affine(imgs, ms, fill_mode, cval):
    """(N, A0, A1, C) float32 images, each through its 3x3 matrix of ``ms`` (acting on (axis 0,
    axis 1) as ndimage's), on the native kernel."""
    from .. import _dispatch
    # kernel row [a0, a1, a2, b0, b1, b2, c0, c1]: column (x) = a0 x + a1 y + a2,
    # row (y) = b0 x + b1 y + b2, with y along axis 0 and x along axis 1
    t = np.array([[m[1, 1], m[1, 0], m[1, 2], m[0, 1], m[0, 0], m[0, 2], 0.0, 0.0] for m in ms],
                 np.float32)
    imgs = np.ascontiguousarray(imgs)
    return _dispatch.lookup("image_transform", "cpu")(imgs, t, fill_mode, float(cval), "bilinear",
                                                      imgs.shape[1], imgs.shape[2])


def flip_axis(x, axis):
    return np.flip(np.asarray(x), axis)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                    interpolation_order=1):
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    if len(zoom_range) != 2:
        raise ValueError(f"random_zoom: zoom_range must be two floats, got {zoom_range!r}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Add ``intensity`` to every channel, clipped to the image's original [min, max]."""
    x = np.rollaxis(x, channel_axis, 0)
    lo, hi = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, lo, hi) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def random_channel_shift(x, intensity_range, channel_axis=0):
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def apply_brightness_shift(x, brightness, scale=True):
    """PIL's ImageEnhance.Brightness on the image (needs Pillow)."""
    _, ImageEnhance = _pil()
    lo, hi = np.min(x), np.max(x)
    local_scale = lo < 0 or hi > 255
    img = array_to_img(x, scale=local_scale or scale)
    x = img_to_array(ImageEnhance.Brightness(img).enhance(brightness))
    if not scale and local_scale:
        x = x / 255 * (hi - lo) + lo
    return x


def random_brightness(x, brightness_range, scale=True):
    if len(brightness_range) != 2:
        raise ValueError(f"random_brightness: brightness_range must be two floats, got "
                         f"{brightness_range!r}")
    return apply_brightness_shift(x, np.random.uniform(*brightness_range), scale)




def _range_arg(cls, name, v):
    """A non-negative number (or, for the shifts, a list of numbers, as Keras 2 takes)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        if v < 0 or not np.isfinite(v):
            raise ValueError(f"{cls}: {name} must be a non-negative number, got {v}")
    elif not (isinstance(v, (list, tuple, np.ndarray)) and name.endswith("shift_range") and all(
            isinstance(e, (int, float, np.integer, np.floating)) and not isinstance(e, bool)
            for e in v)):
        raise TypeError(f"{cls}: {name} must be a number, got {type(v).__name__} {v!r}")
    return v


class ImageDataGenerator:
    """Keras 2 real-time data augmentation: per image, a random affine transform (rotation,
    shifts, shear, zoom), channel shift, flips and brightness, then standardisation (rescale,
    preprocessing_function, sample-/feature-wise centring and scaling, ZCA)."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype="float32"):
        c = "ImageDataGenerator"
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range = _range_arg(c, "rotation_range", rotation_range)
        self.width_shift_range = _range_arg(c, "width_shift_range", width_shift_range)
        self.height_shift_range = _range_arg(c, "height_shift_range", height_shift_range)
        self.shear_range = _range_arg(c, "shear_range", shear_range)
        self.channel_shift_range = channel_shift_range
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"{c}: fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.dtype, self.interpolation_order = dtype, interpolation_order
        self.data_format = _data_format(data_format)
        if self.data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"{c}: validation_split must be strictly between 0 and 1, got "
                             f"{validation_split}")
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None
        if isinstance(zoom_range, (float, int)) and not isinstance(zoom_range, bool):
            if not 0 <= zoom_range < np.inf:
                raise ValueError(f"{c}: zoom_range must be >= 0, got {zoom_range}")
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif (isinstance(zoom_range, (list, tuple)) and len(zoom_range) == 2 and
              all(isinstance(v, (float, int)) for v in zoom_range)):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"{c}: zoom_range must be a float or a pair of floats, got "
                             f"{zoom_range!r}")
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which overrides "
                              "setting of `featurewise_center`.")
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which overrides "
                              "setting of `featurewise_std_normalization`.")
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.")
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.")
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list))
                                             or len(brightness_range) != 2):
            raise ValueError(f"{c}: brightness_range must be a pair of floats, got "
                             f"{brightness_range!r}")
        self.brightness_range = brightness_range

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """A NumpyArrayIterator (a Keras Sequence) over ``x`` (rank 4) and ``y``."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  ignore_class_split=ignore_class_split, subset=subset,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest",
                            keep_aspect_ratio=False):
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, data_format=self.data_format,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation,
                                 keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            subset=None, interpolation="nearest", validate_filenames=True,
                            **kwargs):
        """Batches of the images a DataFrame names (preprocessing/image_dataframe.py)."""
        for old in ("has_ext", "sort", "drop_duplicates"):  # keras_preprocessing 1.0's
            if kwargs.pop(old, None) is not None:
                warnings.warn(f"{old} is deprecated, it will be ignored.", DeprecationWarning)
        if kwargs:
            raise TypeError(f"flow_from_dataframe: unexpected arguments {sorted(kwargs)}")
        return DataFrameIterator(dataframe, directory, self, x_col=x_col, y_col=y_col,
                                 weight_col=weight_col, target_size=target_size,
                                 color_mode=color_mode, classes=classes, class_mode=class_mode,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 data_format=self.data_format, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format, subset=subset,
                                 interpolation=interpolation, dtype=self.dtype,
                                 validate_filenames=validate_filenames)

    def standardize(self, x):
        """Normalisation of one image (or a batch) in place where possible, as Keras 2."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, stat, what in ((self.featurewise_center, self.mean, "featurewise_center"),
                                 (self.featurewise_std_normalization, self.std,
                                  "featurewise_std_normalization"),
                                 (self.zca_whitening, self.zca_whitening_matrix, "zca_whitening")):
            if flag and stat is None:
                warnings.warn(f"This ImageDataGenerator specifies `{what}`, but it hasn't been fit "
                              "on any training data. Fit it first by calling `.fit(numpy_data)`.")
        if self.featurewise_center and self.mean is not None:
            x -= self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x /= self.std + 1e-6
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            flat = x.reshape(-1, np.prod(x.shape[-3:]))
            x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
        return x

    def get_random_transform(self, img_shape, seed=None):
        """The random parameters for one image (the draws of Keras 2, in its order)."""
        row, col = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0

        def shift(rng, size):
            if not rng:
                return 0
            try:  # a list of allowed shifts (or an int: pixels)
                t = np.random.choice(rng)
                t *= np.random.choice([-1, 1])
            except ValueError:  # a float: a fraction of the size
                t = np.random.uniform(-rng, rng)
            if np.max(rng) < 1:
                t *= size
            return t

        tx = shift(self.height_shift_range, img_shape[row])
        ty = shift(self.width_shift_range, img_shape[col])
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_h = (np.random.random() < 0.5) * self.horizontal_flip
        flip_v = (np.random.random() < 0.5) * self.vertical_flip
        csi = (np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
               if self.channel_shift_range != 0 else None)
        brightness = (np.random.uniform(self.brightness_range[0], self.brightness_range[1])
                      if self.brightness_range is not None else None)
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_h, "flip_vertical": flip_v,
                "channel_shift_intensity": csi, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """One 3-D image transformed by the given parameters (keys as get_random_transform)."""
        p = transform_parameters
        row, col, ch = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0),
                                   p.get("shear", 0), p.get("zx", 1), p.get("zy", 1),
                                   row_axis=row, col_axis=col, channel_axis=ch,
                                   fill_mode=self.fill_mode, cval=self.cval,
                                   order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], ch)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, col)
        if p.get("flip_vertical", False):
            x = flip_axis(x, row)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def _transform_batch(self, images, dtype):
        """The iterators' batch, as their per-image loop makes it (get_random_transform,
        apply_transform, standardize, image by image: the same draws in the same order), with
        the affine transforms of the whole batch in one kernel call (Note [affine transforms on
        the kernel]). None, leaving the loop to the iterator, for a subclass with its own
        transform methods, a preprocessing_function (it may draw random numbers between two
        images' draws) or a transform the kernel does not run."""
        cls = type(self)
        if any(getattr(cls, k) is not getattr(ImageDataGenerator, k) for k in
               ("get_random_transform", "apply_transform", "standardize", "random_transform")) \
                or self.preprocessing_function is not None or np.dtype(dtype) != np.float32 \
                or not _native_affine_ok(np.float32, self.interpolation_order, self.fill_mode):
            return None
        row, col, ch = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = np.array(images, dtype=np.float32)  # (a copy, as each image's astype)
        if x.ndim != 4:
            return None
        params = [self.get_random_transform(x.shape[1:]) for _ in range(len(x))]
        geometric = ("theta", "tx", "ty", "shear", "zx", "zy")
        ms = [_affine_matrix(*(p.get(k, 1 if k in ("zx", "zy") else 0) for k in geometric),
                             x.shape[1 + row], x.shape[1 + col], col > row) for p in params]
        moved = [i for i, m in enumerate(ms) if m is not None]
        if moved:
            out = _native_affine(np.moveaxis(x[moved], 1 + ch, -1), [ms[i] for i in moved],
                                 self.fill_mode, self.cval)
            x[moved] = np.moveaxis(out, -1, 1 + ch)
        rest = dict(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1)
        for i, p in enumerate(params):
            x[i] = self.standardize(self.apply_transform(x[i], dict(p, **rest)))
        return x

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the feature-wise mean / std / ZCA matrix from sample images (rank 4)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit: x must be a rank-4 array of images, got "
                             f"shape {x.shape}")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(f"ImageDataGenerator.fit: expected 1, 3 or 4 channels on axis "
                          f"{self.channel_axis} ({self.data_format}), got shape {x.shape}")
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            ax = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    ax[i + r * x.shape[0]] = self.random_transform(x[i])
            x = ax
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(np.reshape(x, (n, -1)).T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(n) / (s + self.zca_epsilon))) @ u.T
