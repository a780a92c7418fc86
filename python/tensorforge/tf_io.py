"""``tf.io``: reading a file's bytes and decoding PNG / JPEG / BMP / GIF images, as the keras-io
image examples do inside a ``tf.data`` map (``tf.io.read_file`` then ``tf.io.decode_png``).

Strings are object arrays of bytes (tensorforge/_text.py); decoded images are uint8 Tensors of
shape (height, width, channels). Decoding uses Pillow (the ``image`` extra); ``channels`` 1, 3
or 4 converts to grayscale, RGB or RGBA (Pillow's ITU-R 601-2 luma for grayscale; a grayscale
file is returned as it is), 0 keeps the file's own channels.
"""
import io as _io

import numpy as np

from ._text import as_bytes_array
from .autograd import Tensor

__all__ = ["read_file", "write_file", "decode_png", "decode_jpeg", "decode_bmp", "decode_gif",
           "decode_image"]


def _scalar_bytes(op, x, what):
    a = as_bytes_array(x, f"tf.io.{op}")
    if a.size != 1:
        raise ValueError(f"tf.io.{op}: {what} must be one string (a scalar), got shape "
                         f"{tuple(a.shape)}")
    return a.reshape(-1)[0]


def read_file(filename, name=None):
    """The whole file's bytes, a scalar string Tensor."""
    path = _scalar_bytes("read_file", filename, "filename").decode("utf-8")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ValueError(f"tf.io.read_file: cannot read {path!r}: {e}") from None
    out = np.empty((), dtype=object)
    out[()] = data
    return Tensor(out)


def write_file(filename, contents, name=None):
    path = _scalar_bytes("write_file", filename, "filename").decode("utf-8")
    with open(path, "wb") as f:
        f.write(_scalar_bytes("write_file", contents, "contents"))


_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def _decode(op, contents, channels, dtype, expand_animations=True):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"tf.io.{op} needs Pillow: pip install Pillow (or "
                          "'tensorforge[image]')") from None
    if channels not in (0, 1, 3, 4):
        raise ValueError(f"tf.io.{op}: channels must be 0, 1, 3 or 4, got {channels!r}")
    data = _scalar_bytes(op, contents, "contents")
    try:
        img = Image.open(_io.BytesIO(data))
        img.load()
    except Exception as e:  # Pillow raises several types for a bad file
        raise ValueError(f"tf.io.{op}: the contents are not a decodable image ({e})") from None
    if channels == 0:
        mode = img.mode if img.mode in ("L", "RGB", "RGBA") else (
            "RGBA" if "A" in img.mode or "transparency" in img.info else
            "L" if img.mode in ("1", "I", "I;16", "F") else "RGB")
    else:
        mode = _MODES[channels]
    a = np.asarray(img.convert(mode) if img.mode != mode else img, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt == np.uint16:
        a = a.astype(np.uint16) * 257
    elif dt.kind == "f":  # decode_image(dtype=float32): scaled to [0, 1] as convert_image_dtype
        a = a.astype(dt) / 255.0
    elif dt != np.uint8:
        raise TypeError(f"tf.io.{op}: dtype must be uint8, uint16 or a float type, got {dt}")
    return Tensor(np.ascontiguousarray(a))


def decode_png(contents, channels=0, dtype="uint8", name=None):
    return _decode("decode_png", contents, channels, dtype)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    if ratio != 1:
        raise ValueError(f"tf.io.decode_jpeg: only ratio=1 is supported, got {ratio!r}")
    return _decode("decode_jpeg", contents, channels, "uint8")


def decode_bmp(contents, channels=0, name=None):
    return _decode("decode_bmp", contents, channels, "uint8")


def decode_gif(contents, name=None):
    """The first frame as (1, height, width, 3) (TensorFlow returns all frames)."""
    return Tensor(_decode("decode_gif", contents, 3, "uint8").data[None])


def decode_image(contents, channels=None, dtype="uint8", name=None, expand_animations=True):
    return _decode("decode_image", contents, channels or 0, dtype)
