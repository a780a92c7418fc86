"""``tf.io`` / ``tf.image`` image codecs: ``decode_png`` / ``encode_png`` (pure Python,
tf_png.py: TensorFlow's pixels and, for the images tried, TensorFlow's bytes), ``decode_bmp``
(pure Python, TensorFlow's rules), ``decode_jpeg`` / ``encode_jpeg`` / ``decode_gif`` through
Pillow (the optional ``image`` extra), ``decode_image`` choosing by the data's signature,
``is_jpeg`` and ``extract_jpeg_shape`` (the JPEG frame header, read here).

Decoded images are Tensors (height, width, channels) (GIFs: (frames, height, width, 3)).
JPEG pixels come from Pillow's libjpeg and may differ from TensorFlow's libjpeg-turbo by a
few levels (tests compare with a tolerance); ``dct_method`` and ``fancy_upscaling`` are
accepted and change nothing. A corrupt file is an ``InvalidArgumentError`` (a ValueError)
naming the op.
"""
import io as _io
import struct

import numpy as np

from . import tf_png
from ._text import as_bytes_array
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError

__all__ = ["decode_png", "encode_png", "decode_bmp", "decode_jpeg", "encode_jpeg", "decode_gif",
           "decode_image", "decode_and_crop_jpeg", "is_jpeg", "extract_jpeg_shape"]


def _contents(op, contents):
    a = contents.numpy() if isinstance(contents, Tensor) else contents
    if isinstance(a, (bytes, bytearray, str)):
        return a.encode("latin-1") if isinstance(a, str) else bytes(a)
    a = as_bytes_array(np.asarray(a, dtype=object), f"tf.io.{op}")
    if a.size != 1 or a.ndim:
        raise ValueError(f"tf.io.{op}: contents must be one string (a scalar), got shape "
                         f"{tuple(a.shape)}")
    return a.item()


def _bad(op, why):
    return InvalidArgumentError(None, None, f"tf.io.{op}: the contents are not a decodable "
                                            f"image ({why})")


def _dtype(op, dtype):
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt not in (np.uint8, np.uint16) and dt.kind != "f":
        raise TypeError(f"tf.io.{op}: dtype must be uint8, uint16 or a float type, got {dt}")
    return dt


def _channels(op, channels, allowed=(0, 1, 3, 4)):
    if channels not in allowed:
        raise InvalidArgumentError(None, None, f"tf.io.{op}: `channels` must be "
                                   f"{', '.join(map(str, allowed[:-1]))} or {allowed[-1]} but "
                                   f"got {channels}")
    return int(channels)


def _as(a, dt):
    """uint8 / uint16 samples as ``dt``: floats scaled to [0, 1] (convert_image_dtype)."""
    if dt == a.dtype:
        return a
    if dt.kind == "f":
        return (a.astype(np.float64) / np.iinfo(a.dtype).max).astype(dt)
    if dt == np.uint16:
        return a.astype(np.uint16) * 257
    return (a >> 8).astype(np.uint8)


# ---- PNG ------------------------------------------------------------------------------------
def decode_png(contents, channels=0, dtype="uint8", name=None):
    op = "decode_png"
    data = _contents(op, contents)
    ch = _channels(op, channels)
    dt = _dtype(op, dtype)
    if dt.kind == "f":
        raise TypeError(f"tf.io.{op}: dtype must be uint8 or uint16, got {dt}")
    try:
        return Tensor(tf_png.decode(data, ch, sixteen=dt == np.uint16))
    except tf_png.PNGError as e:
        raise _bad(op, e) from None


def encode_png(image, compression=-1, name=None):
    """PNG bytes of a (height, width, channels) uint8 / uint16 image, channels 1-4;
    ``compression`` -1 (zlib's default) or 0-9."""
    op = "tf.io.encode_png"
    a = image.numpy() if isinstance(image, Tensor) else np.asarray(image)
    if a.ndim != 3 or not 1 <= a.shape[2] <= 4:
        raise ValueError(f"{op}: image must be 3-D (height, width, channels) with 1-4 channels, "
                         f"got shape {tuple(a.shape)}")
    if a.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"{op}: image must be uint8 or uint16, got {a.dtype}")
    if not -1 <= int(compression) <= 9:
        raise ValueError(f"{op}: compression must be in [-1, 9], got {compression}")
    out = np.empty((), dtype=object)
    out[()] = tf_png.encode(a, int(compression))
    return Tensor(out)


# ---- BMP ------------------------------------------------------------------------------------
def _bmp(op, data, channels):
    if len(data) < 32 or data[:2] != b"BM":
        raise _bad(op, f"Incomplete bmp content, requires at least 32 bytes to find the header "
                       f"size, width, height, and bpp, got {len(data)} bytes"
                   if len(data) < 32 else "no 'BM' signature")
    offset, = struct.unpack("<I", data[10:14])
    width, height = struct.unpack("<ii", data[18:26])
    bpp, = struct.unpack("<H", data[28:30])
    depth = bpp // 8 if bpp in (8, 24, 32) else 0
    if depth == 0:
        raise _bad(op, f"Number of channels inherent in the image must be 1, 3 or 4, was 0 "
                       f"({bpp} bits per pixel)")
    if len(data) >= 34 and struct.unpack("<I", data[30:34])[0] not in (0, 3):
        raise _bad(op, "compressed BMP data is not supported")
    if width <= 0 or height == 0:
        raise _bad(op, f"image size {width}x{height} out of range")
    h = abs(height)
    row = (width * depth + 3) // 4 * 4
    if offset + row * h > len(data) or offset < 14:
        raise _bad(op, f"Input size should match (header_size + row_size * abs_height) but "
                       f"they differ by {len(data) - offset - row * h}")
    rows = np.frombuffer(data, np.uint8, row * h, offset).reshape(h, row)[:, :width * depth]
    px = rows.reshape(h, width, depth)
    if height > 0:  # bottom-up rows
        px = px[::-1]
    if depth >= 3:  # BGR(A) -> RGB(A)
        px = np.concatenate([px[..., 2::-1], px[..., 3:]], axis=2)
    ch = channels or depth
    if ch == depth:
        return np.ascontiguousarray(px)
    if depth == 1:
        px = np.repeat(px, 3, axis=2)
    if ch == 3:
        return np.ascontiguousarray(px[..., :3])
    return np.concatenate([px[..., :3], np.full(px.shape[:2] + (1,), 255, np.uint8)], axis=2)


def decode_bmp(contents, channels=0, name=None):
    """A 24- or 32-bit BMP as RGB / RGBA, an 8-bit one as its raw index byte (TensorFlow reads
    no palette); ``channels`` 0, 3 or 4."""
    op = "decode_bmp"
    ch = _channels(op, channels, (0, 3, 4))
    return Tensor(_bmp(op, _contents(op, contents), ch))


# ---- JPEG / GIF through Pillow ----------------------------------------------------------------
def _pillow(op):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"tf.io.{op} needs Pillow: pip install Pillow (or "
                          "'tensorforge[image]')") from None
    return Image


def is_jpeg(contents, name=None):
    """True when the data starts with JPEG's SOI marker and a third 0xFF byte."""
    data = _contents("is_jpeg", contents)
    return Tensor(np.asarray(data[:3] == b"\xff\xd8\xff"))


def _jpeg_frame(op, data):
    """(height, width, components) from the first SOF marker."""
    if data[:2] != b"\xff\xd8":
        raise _bad(op, f"Not a JPEG file: starts with 0x{data[0]:02x} 0x{data[1]:02x}"
                   if len(data) >= 2 else "Not a JPEG file")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise _bad(op, f"Invalid JPEG data, size {len(data)}")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        n, = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                      0xCF):
            if pos + 10 > len(data):
                break
            h, w = struct.unpack(">HH", data[pos + 5:pos + 9])
            return h, w, data[pos + 9]
        if marker in (0xD9, 0xDA):
            break
        pos += 2 + n
    raise _bad(op, f"Invalid JPEG data, size {len(data)}")


def extract_jpeg_shape(contents, output_type="int32", name=None):
    """(height, width, channels) of a JPEG, read from its frame header without decoding."""
    op = "extract_jpeg_shape"
    dt = np.dtype(getattr(output_type, "name", output_type))
    if dt not in (np.int32, np.int64):
        raise TypeError(f"tf.image.{op}: output_type must be int32 or int64, got {dt}")
    return Tensor(np.asarray(_jpeg_frame(op, _contents(op, contents)), dt))


def _wrong_op(op, data, kinds):
    """TensorFlow's error when a decoder gets another format's data."""
    for sig, fmt, use in ((b"\x89PNG", "PNG", "decode_png"), (b"BM", "BMP", "decode_bmp"),
                          (b"GIF8", "GIF", "decode_gif"), (b"\xff\xd8\xff", "JPEG",
                                                             "decode_jpeg")):
        if data.startswith(sig) and fmt not in kinds:
            raise InvalidArgumentError(None, None, f"tf.io.{op}: Trying to decode {fmt} format "
                                       f"using a wrong op. Use `{use}` or `decode_image` instead.")


def _pillow_decode(op, data, mode):
    Image = _pillow(op)
    try:
        img = Image.open(_io.BytesIO(data))
        img.load()
    except Exception as e:  # noqa: BLE001 -- Pillow raises several types for a bad file
        raise _bad(op, e) from None
    return img if mode is None else img.convert(mode)


_JPEG_MODES = {1: "L", 3: "RGB"}


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    op = "decode_jpeg"
    ch = _channels(op, channels, (0, 1, 3))
    if ratio not in (1, 2, 4, 8):
        raise ValueError(f"tf.io.{op}: ratio must be 1, 2, 4 or 8, got {ratio!r}")
    data = _contents(op, contents)
    _wrong_op(op, data, ("JPEG",))
    img = _pillow_decode(op, data, None)
    if ratio != 1:
        img.draft(img.mode, (img.width // ratio, img.height // ratio))
        img = img.resize(((img.width + ratio - 1) // ratio, (img.height + ratio - 1) // ratio))
    mode = _JPEG_MODES.get(ch) or ("L" if img.mode in ("L", "1") else "RGB")
    a = np.asarray(img.convert(mode) if img.mode != mode else img, dtype=np.uint8)
    return Tensor(np.ascontiguousarray(a if a.ndim == 3 else a[:, :, None]))


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    """The window ``[y, x, height, width]`` of the decoded JPEG."""
    y, x, h, w = (int(v) for v in np.ravel(crop_window.numpy() if isinstance(
        crop_window, Tensor) else crop_window))
    img = decode_jpeg(contents, channels, ratio).numpy()
    if y < 0 or x < 0 or y + h > img.shape[0] or x + w > img.shape[1] or h <= 0 or w <= 0:
        raise InvalidArgumentError(None, None, f"tf.io.decode_and_crop_jpeg: crop window "
                                   f"{[y, x, h, w]} is not inside the image of shape "
                                   f"{img.shape[:2]}")
    return Tensor(np.ascontiguousarray(img[y:y + h, x:x + w]))


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """JPEG bytes of a (height, width, 1 or 3) uint8 image, by Pillow (not TensorFlow's bytes)."""
    op = "tf.io.encode_jpeg"
    a = image.numpy() if isinstance(image, Tensor) else np.asarray(image)
    if a.ndim != 3 or a.shape[2] not in (1, 3) or a.dtype != np.uint8:
        raise ValueError(f"{op}: image must be a 3-D uint8 (height, width, 1 or 3), got "
                         f"{a.dtype} of shape {tuple(a.shape)}")
    if not 0 <= int(quality) <= 100:
        raise ValueError(f"{op}: quality must be in [0, 100], got {quality}")
    Image = _pillow("encode_jpeg")
    img = Image.fromarray(a[:, :, 0] if a.shape[2] == 1 else a)
    buf = _io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality), progressive=bool(progressive),
             optimize=bool(optimize_size), subsampling=2 if chroma_downsampling else 0,
             dpi=(int(x_density), int(y_density)))
    out = np.empty((), dtype=object)
    out[()] = buf.getvalue()
    return Tensor(out)


def _gif(op, data):
    from PIL import ImageSequence
    img = _pillow_decode(op, data, None)
    frames = [np.asarray(f.convert("RGB"), dtype=np.uint8) for f in ImageSequence.Iterator(img)]
    return np.stack(frames)


def decode_gif(contents, name=None):
    """All frames, (frames, height, width, 3)."""
    op = "decode_gif"
    data = _contents(op, contents)
    _wrong_op(op, data, ("GIF",))
    _pillow(op)
    return Tensor(_gif(op, data))


def decode_image(contents, channels=None, dtype="uint8", name=None, expand_animations=True):
    """PNG, BMP, JPEG or GIF by the data's signature; ``dtype`` uint8, uint16 or a float type
    (scaled to [0, 1]); a GIF is (frames, h, w, 3), or its first frame when not
    ``expand_animations``."""
    op = "decode_image"
    data = _contents(op, contents)
    dt = _dtype(op, dtype)
    ch = 0 if channels is None else int(channels)
    if tf_png.is_png(data):
        _channels(op, ch)
        try:
            a = tf_png.decode(data, ch, sixteen=True)
        except tf_png.PNGError as e:
            raise _bad(op, e) from None
        eight = struct.unpack(">B", data[24:25])[0] != 16 if len(data) > 24 else True
        a = (a >> 8).astype(np.uint8) if eight else a
    elif data[:2] == b"BM":
        a = _bmp(op, data, _channels(op, ch, (0, 3, 4)))
    elif data[:3] == b"\xff\xd8\xff":
        a = decode_jpeg(data, _channels(op, ch, (0, 1, 3))).numpy()
    elif data[:4] == b"GIF8":
        if ch not in (0, 3):
            raise InvalidArgumentError(None, None, f"tf.io.{op}: channels must be 0 or 3 for "
                                                   f"GIF, got {ch}")
        _pillow(op)
        a = _gif(op, data)
        if not expand_animations:
            a = a[0]
    else:
        raise InvalidArgumentError(None, None, f"tf.io.{op}: Unknown image file format. One of "
                                               "JPEG, PNG, GIF, BMP required.")
    return Tensor(np.ascontiguousarray(_as(a, dt)))
