"""Keras 2's array <-> image helpers (``keras.utils.image_utils``: img_to_array, array_to_img,
load_img, save_img, also ``keras.utils.*`` and ``keras.preprocessing.image.*``), which the image
iterators and ImageDataGenerator share.
Image files need Pillow (``pip install 'tensorforge[image]'``); without it those calls raise
ImportError naming the package."""
import warnings

import numpy as np

_IMAGE_EXTS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


def _data_format(data_format):
    if data_format is None:
        from ..backend import image_data_format
        data_format = image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got "
                         f"{data_format!r}")
    return data_format



def _pil():
    try:
        from PIL import Image, ImageEnhance
    except ImportError:
        raise ImportError("image files and brightness shifts need Pillow: pip install Pillow "
                          "(or 'tensorforge[image]')") from None
    return Image, ImageEnhance




# ---- arrays <-> images -----------------------------------------------------------------------

def img_to_array(img, data_format=None, dtype="float32"):
    """A PIL image (or array) -> a 3-D array (rows, cols, channels) or channels first."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 2:
        x = x[None] if data_format == "channels_first" else x[..., None]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}")
    return x


def array_to_img(x, data_format=None, scale=True, dtype="float32"):
    """A 3-D array -> a PIL image (scaled to 0..255 when ``scale``); needs Pillow."""
    Image, _ = _pil()
    data_format = _data_format(data_format)
    x = np.array(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected one image of rank 3, got shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        if np.max(x) != 0:
            x /= np.max(x)
        x *= 255
    c = x.shape[2]
    if c == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if c == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if c == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: unsupported number of channels {c} (1, 3 or 4)")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """A PIL image from a file, converted to ``color_mode`` ('grayscale', 'rgb', 'rgba') and
    resized to ``target_size`` (height, width) with ``interpolation``; needs Pillow."""
    Image, _ = _pil()
    if grayscale:
        warnings.warn("grayscale is deprecated. Please use color_mode = 'grayscale'")
        color_mode = "grayscale"
    modes = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
    if color_mode not in modes:
        raise ValueError(f"load_img: color_mode must be 'grayscale', 'rgb' or 'rgba', got "
                         f"{color_mode!r}")
    with open(path, "rb") as f:
        img = Image.open(f)
        img.load()
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != modes[color_mode]:
        img = img.convert(modes[color_mode])
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            methods = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR,
                       "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS, "box": Image.BOX,
                       "hamming": Image.HAMMING}
            if interpolation not in methods:
                raise ValueError(f"load_img: interpolation must be one of {sorted(methods)}, got "
                                 f"{interpolation!r}")
            if keep_aspect_ratio:
                w, h = img.size
                tw, th = size
                cw, ch = min(w, int(h * tw / th)), min(h, int(w * th / tw))
                left, top = (w - cw) // 2, (h - ch) // 2
                img = img.crop((left, top, left + cw, top + ch))
            img = img.resize(size, methods[interpolation])
    return img

