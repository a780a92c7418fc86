"""Keras 2's ``image_dataset_from_directory`` (keras/utils/image_dataset.py), also exported as
``keras.preprocessing.image_dataset_from_directory``.

``directory/<class>/*.{jpg,jpeg,png,bmp,gif}`` as a ``tf.data.Dataset`` (tensorforge/tf_data.py)
of (images, labels) batches: images float32 (N, height, width, channels) resized with
tf.image.resize's arithmetic (image_ops.py; ``crop_to_aspect_ratio`` crops the centre first),
labels int32 ('int'), float32 one-hot ('categorical') or float32 (N, 1) ('binary'). Files are
indexed, shuffled and split as Keras 2 does (utils/dataset_utils.index_directory) and decoded
lazily, one batch at a time, with Pillow (the ``image`` extra). ``class_names`` and
``file_paths`` are attributes of the result; ``subset='both'`` returns (training, validation).
"""
import numpy as np

from .. import image_ops
from ..tf_data import Dataset
from .dataset_utils import check_validation_split_arg, index_directory, \
    training_or_validation_split

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_NAME = "image_dataset_from_directory"
_MODES = {"rgb": ("RGB", 3), "rgba": ("RGBA", 4), "grayscale": ("L", 1)}


def _pil_image():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{_NAME}: reading image files needs Pillow: "
                          "pip install tensorforge[image] (or pip install Pillow)") from None
    return Image


def load_image(path, image_size, color_mode="rgb", interpolation="bilinear",
               crop_to_aspect_ratio=False):
    """One file as a float32 (height, width, channels) array, as Keras 2's load_image (the
    first frame of an animation)."""
    Image = _pil_image()
    mode, _ = _MODES[color_mode]
    try:
        with Image.open(path) as img:
            img.seek(0)
            a = np.asarray(img.convert(mode))
    except (OSError, ValueError, SyntaxError) as e:
        raise ValueError(f"{_NAME}: cannot decode the image file {path!r}: {e}") from None
    if a.ndim == 2:
        a = a[:, :, None]
    f = image_ops.smart_resize if crop_to_aspect_ratio else image_ops.resize
    return f(a, image_size, interpolation)


def _labels_out(labs, label_mode, num_classes):
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labs]
    if label_mode == "binary":
        return labs.astype(np.float32)[:, None]
    return labs.astype(np.int32)


def _dataset(paths, labs, label_mode, num_classes, load):
    """Elements (image, label) (or image alone without labels), decoded when iterated."""
    ys = None if label_mode is None else _labels_out(np.asarray(labs), label_mode, num_classes)

    def it():
        for i, p in enumerate(paths):
            yield load(p) if ys is None else (load(p), ys[i])
    return Dataset(it, len(paths))


def _finish(ds, paths, class_names, batch_size, shuffle, seed):
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(buffer_size=1024, seed=seed)
    ds.class_names = list(class_names)
    ds.file_paths = list(paths)
    return ds


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False, **kwargs):
    """See the module docstring; arguments, defaults and printed lines as Keras 2."""
    if "smart_resize" in kwargs:
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"{_NAME}: unknown keyword arguments {sorted(kwargs)}")
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{_NAME}: labels must be 'inferred', None or a list/tuple of "
                             f"integer labels, one per image file, got {labels!r}")
        if class_names:
            raise ValueError(f"{_NAME}: class_names may only be given with labels='inferred'")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"{_NAME}: label_mode must be 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    if labels is None or label_mode is None:
        labels = label_mode = None
    if color_mode not in _MODES:
        raise ValueError(f"{_NAME}: color_mode must be one of 'rgb', 'rgba', 'grayscale', got "
                         f"{color_mode!r}")
    if interpolation not in image_ops.RESIZE_INTERPOLATIONS:
        raise ValueError(f"{_NAME}: interpolation must be one of "
                         f"{', '.join(map(repr, image_ops.RESIZE_INTERPOLATIONS))} in "
                         f"tensorforge, got {interpolation!r}")
    try:
        image_size = (int(image_size[0]), int(image_size[1]))
        assert len(tuple(image_size)) == 2 and min(image_size) > 0
    except (TypeError, IndexError, ValueError, AssertionError):
        raise ValueError(f"{_NAME}: image_size must be a pair of positive integers (height, "
                         f"width), got {image_size!r}") from None
    if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) < 1):
        raise ValueError(f"{_NAME}: batch_size must be a positive integer or None, got "
                         f"{batch_size!r}")
    check_validation_split_arg(_NAME, validation_split, subset, shuffle, seed)
    _pil_image()  # fail now, not at the first batch, without Pillow
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labs, class_names = index_directory(_NAME, directory, labels, ALLOWLIST_FORMATS,
                                               class_names, shuffle, seed, follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{_NAME}: label_mode='binary' needs exactly 2 classes, got "
                         f"{class_names}")

    def load(p):
        return load_image(p, image_size, color_mode, interpolation, crop_to_aspect_ratio)

    def build(sub):
        ps, ls = training_or_validation_split(paths, labs, validation_split, sub)
        if not ps:
            what = {"training": "training images", "validation": "validation images"}.get(
                sub, "images")
            raise ValueError(f"{_NAME}: no {what} found in directory {directory!r}; allowed "
                             f"formats: {ALLOWLIST_FORMATS}")
        ds = _dataset(ps, ls, label_mode, len(class_names), load)
        return ds, ps

    if subset == "both":
        (tr, tr_paths), (va, va_paths) = build("training"), build("validation")
        return [_finish(tr, tr_paths, class_names, batch_size, shuffle, seed),
                _finish(va, va_paths, class_names, batch_size, False, seed)]
    ds, ps = build(subset)
    return _finish(ds, ps, class_names, batch_size, shuffle, seed)
