"""PNG in pure Python (zlib and NumPy): the decoder and encoder behind ``tf.io.decode_png`` /
``tf.io.encode_png``, with TensorFlow's (libpng's) conversions, so decoded pixels are exactly
TensorFlow's.

Decoding reads every colour type (gray, RGB, palette, gray + alpha, RGBA), bit depths 1-16 and
Adam7 interlacing; the chunks' CRCs are checked. 8-bit gray / RGB(A) files are read by Pillow
when it is installed (the samples are the same, ~10x faster; see _pillow_samples). Then, as
TensorFlow's decoder asks libpng to: gray of 1, 2 or 4 bits is scaled to 8 (x255, x85, x17), a
palette becomes RGB (RGBA when it has a tRNS chunk), and ``channels`` converts: RGB(A) to gray
with libpng's integer weights (9797 R + 19234 G + 3737 B) / 32768 (0.299 / 0.587 as libpng keeps
them), alpha dropped or added (as the maximum value), gray replicated. A 16-bit image decoded to
uint8 keeps the high byte (libpng's ``png_set_strip_16``); an 8-bit one decoded to uint16 is
multiplied by 257.

Encoding chooses each row's filter as libpng does for 8- and 16-bit images (the filter whose
bytes, read as signed, have the smallest sum of magnitudes; ties go to the first of None, Sub,
Up, Average, Paeth) and deflates with zlib at ``compression`` (-1: zlib's default, 6).
"""
import struct
import zlib

import numpy as np

__all__ = ["decode", "encode", "is_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}          # colour type -> samples per pixel
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))                              # (x0, y0, dx, dy) of the 7 passes


class PNGError(ValueError):
    """A corrupt or unsupported PNG (the tf.io op turns it into its InvalidArgumentError)."""


def is_png(data):
    return bytes(data[:8]) == SIGNATURE


def _chunks(data):
    pos = 8
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            raise PNGError(f"the {kind.decode('latin-1')!r} chunk runs past the end of the data")
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) != crc and kind[0] < 0x61:  # critical chunks only (libpng)
            raise PNGError(f"CRC error in the {kind.decode('latin-1')!r} chunk")
        yield kind, body
        if kind == b"IEND":
            return
        pos += 12 + n
    raise PNGError("the data ends before the IEND chunk")


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter(raw, pos, height, rowbytes, bpp):
    """The (height, rowbytes) bytes of one (sub-)image whose filtered rows start at ``pos``."""
    out = np.zeros((height, rowbytes), np.uint8)
    prev = np.zeros(rowbytes, np.uint8)
    for y in range(height):
        if pos + 1 + rowbytes > len(raw):
            raise PNGError("the image data is shorter than its size needs")
        ftype = raw[pos]
        line = np.frombuffer(raw, np.uint8, rowbytes, pos + 1)
        pos += 1 + rowbytes
        if ftype == 0:
            cur = line
        elif ftype == 1:  # Sub: a running sum per byte of the pixel, mod 256
            pad = (-rowbytes) % bpp
            v = np.concatenate([line, np.zeros(pad, np.uint8)]).reshape(-1, bpp)
            cur = (np.cumsum(v, axis=0, dtype=np.uint64) % 256).astype(np.uint8).reshape(-1)
            cur = cur[:rowbytes]
        elif ftype == 2:
            cur = line + prev
        elif ftype in (3, 4):  # Average / Paeth: each byte needs the one bpp to its left
            cur = bytearray(line.tobytes())
            up = prev.tolist()
            for i in range(rowbytes):
                left = cur[i - bpp] if i >= bpp else 0
                if ftype == 3:
                    cur[i] = (cur[i] + ((left + up[i]) >> 1)) & 0xFF
                else:
                    cur[i] = (cur[i] + _paeth(left, up[i], up[i - bpp] if i >= bpp else 0)) & 0xFF
            cur = np.frombuffer(bytes(cur), np.uint8)
        else:
            raise PNGError(f"unknown filter type {ftype} in row {y}")
        out[y] = cur
        prev = out[y]
    return out, pos


def _samples(rows, width, depth, spp):
    """(height, rowbytes) bytes -> (height, width, spp) samples (uint8, or uint16 for 16 bits)."""
    h = rows.shape[0]
    if depth == 16:
        return rows.view(">u2").astype(np.uint16).reshape(h, -1)[:, :width * spp].reshape(
            h, width, spp)
    if depth == 8:
        return rows[:, :width * spp].reshape(h, width, spp)
    bits = np.unpackbits(rows, axis=1).reshape(h, -1, depth)
    vals = np.zeros(bits.shape[:2], np.uint8)
    for k in range(depth):
        vals = (vals << 1) | bits[:, :, k]
    return vals[:, :width * spp].reshape(h, width, spp)


def _pixels(raw, width, height, depth, spp, interlace):
    bpp = max(1, depth * spp // 8)
    rowbytes = lambda w: (w * depth * spp + 7) // 8  # noqa: E731
    if not interlace:
        rows, _ = _unfilter(raw, 0, height, rowbytes(width), bpp)
        return _samples(rows, width, depth, spp)
    out = np.zeros((height, width, spp), np.uint16 if depth == 16 else np.uint8)
    pos = 0
    for x0, y0, dx, dy in _ADAM7:
        pw, ph = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pw <= 0 or ph <= 0:
            continue
        rows, pos = _unfilter(raw, pos, ph, rowbytes(pw), bpp)
        out[y0::dy, x0::dx] = _samples(rows, pw, depth, spp)
    return out


def _gray(rgb):
    """libpng's png_do_rgb_to_gray with TensorFlow's weights 0.299 / 0.587 as libpng stores
    them (9797, 19234, 3737 / 32768): truncated for 8 bits, rounded for 16; a gray pixel
    (r == g == b) is kept as it is."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    s = 9797 * r + 19234 * g + 3737 * b
    s = (s + 16384) >> 15 if rgb.dtype == np.uint16 else s >> 15
    s = np.where((r == g) & (g == b), r, s)
    return s.astype(rgb.dtype)[..., None]


def _convert(a, channels, maxval):
    """(h, w, c) samples to ``channels`` (0: as they are) as TensorFlow's decoder does."""
    c = a.shape[2]
    if channels in (0, c):
        return a
    if channels == 1:
        return a[..., :1] if c <= 2 else _gray(a)
    if channels == 3:
        return np.repeat(a[..., :1], 3, axis=2) if c <= 2 else a[..., :3]
    # channels == 4
    if c == 1:
        return np.concatenate([np.repeat(a, 3, axis=2), np.full_like(a, maxval)], axis=2)
    if c == 2:
        return np.concatenate([np.repeat(a[..., :1], 3, axis=2), a[..., 1:]], axis=2)
    return np.concatenate([a, np.full_like(a[..., :1], maxval)], axis=2)


_PILLOW_MODES = {0: "L", 2: "RGB", 4: "LA", 6: "RGBA"}  # 8-bit colour types Pillow reads raw


def _pillow_samples(data):
    """The samples of an 8-bit, non-palette PNG read by Pillow (C, ~10x faster than the loop
    below), or None to read it here. A PNG's samples are fixed by the format, so any correct
    decoder gives the same array; the conversions after it are done here either way. Pillow
    is used only where it returns the file's samples as they are (no 16-bit, no palette)."""
    if len(data) < 33 or data[12:16] != b"IHDR" or data[24] != 8 or \
            data[25] not in _PILLOW_MODES:
        return None
    try:
        for _ in _chunks(data):  # TensorFlow's (libpng's) checks first: CRCs, an IEND
            pass
        import io
        from PIL import Image
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:  # noqa: BLE001 -- no Pillow, or a bad file: the loop below says why
        return None
    if img.mode != _PILLOW_MODES[data[25]]:
        return None
    a = np.asarray(img, dtype=np.uint8)
    return a[:, :, None] if a.ndim == 2 else a


def decode(data, channels=0, sixteen=False, use_pillow=True):
    """(height, width, channels) uint8 samples (uint16 when ``sixteen``) of PNG ``data``;
    ``use_pillow``: read 8-bit gray / RGB(A) files with Pillow when it is installed."""
    data = bytes(data)
    if not is_png(data):
        raise PNGError("the data does not start with the PNG signature")
    if channels not in (0, 1, 3, 4):
        raise PNGError(f"`channels` must be 0, 1, 3 or 4 but got {channels}")
    a = _pillow_samples(data) if use_pillow else None
    if a is not None:
        a = _convert(a, channels, 255)
        return a.astype(np.uint16) * 257 if sixteen else a
    ihdr, plte, trns, idat = None, None, None, []
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            if len(body) != 13:
                raise PNGError("IHDR chunk of a wrong length")
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            plte = np.frombuffer(body, np.uint8).reshape(-1, 3) if len(body) % 3 == 0 else None
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
    if ihdr is None:
        raise PNGError("no IHDR chunk")
    width, height, depth, ctype, comp, filt, interlace = ihdr
    if ctype not in _CHANNELS or depth not in _DEPTHS[ctype] or comp or filt or interlace > 1:
        raise PNGError(f"unsupported IHDR (colour type {ctype}, bit depth {depth})")
    if not 0 < width < 2 ** 31 or not 0 < height < 2 ** 31 or width * height > 2 ** 31:
        raise PNGError(f"image size {width}x{height} out of range")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise PNGError(f"the image data does not inflate ({e})") from None
    spp = _CHANNELS[ctype]
    a = _pixels(raw, width, height, depth, spp, interlace)
    if ctype == 3:
        if plte is None:
            raise PNGError("a palette image without a valid PLTE chunk")
        idx = a[..., 0]
        if idx.size and int(idx.max()) >= len(plte):
            raise PNGError("a palette index past the end of the palette")
        rgb = plte[idx]
        if trns is not None:
            alpha = np.full(len(plte), 255, np.uint8)
            t = np.frombuffer(trns, np.uint8)[:len(plte)]
            alpha[:len(t)] = t
            rgb = np.concatenate([rgb, alpha[idx][..., None]], axis=2)
        a = rgb
    elif depth < 8:
        a = (a * {1: 255, 2: 85, 4: 17}[depth]).astype(np.uint8)
    if a.dtype == np.uint16:
        a = _convert(a, channels, 65535)
        return a if sixteen else (a >> 8).astype(np.uint8)
    a = _convert(a, channels, 255)
    return a.astype(np.uint16) * 257 if sixteen else a


# ---- encoding ---------------------------------------------------------------------------------
def _filtered(img, bpp):
    """The 5 filtered versions of every row: (5, height, rowbytes) uint8."""
    x = img.astype(np.int16)
    up = np.zeros_like(x)
    up[1:] = x[:-1]
    left = np.zeros_like(x)
    left[:, bpp:] = x[:, :-bpp]
    ul = np.zeros_like(x)
    ul[1:, bpp:] = x[:-1, :-bpp]
    p = left + up - ul
    pa, pb, pc = np.abs(p - left), np.abs(p - up), np.abs(p - ul)
    pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, ul))
    return np.stack([x, x - left, x - up, x - ((left + up) >> 1), x - pred]).astype(np.uint8)


_ZBUF = 8192  # libpng's compression buffer: one IDAT chunk each time it fills


def _deflate(data, level):
    """zlib as libpng calls it: Z_FILTERED, memLevel 8, and for small data a window just
    large enough (png_deflate_claim), whose size the header then names (optimize_cmf)."""
    n = len(data)
    wbits = 15
    if n <= 16384:
        half = 1 << (wbits - 1)
        while n + 262 <= half:
            half >>= 1
            wbits -= 1
    z = zlib.compressobj(int(level), zlib.DEFLATED, max(wbits, 9), 8, zlib.Z_FILTERED)
    out = bytearray(z.compress(data) + z.flush())
    if n <= 16384 and (out[0] & 0x0F) == 8 and (out[0] & 0xF0) <= 0x70:
        cinfo = out[0] >> 4
        half = 1 << (cinfo + 7)
        if n <= half:
            while True:
                half >>= 1
                cinfo -= 1
                if not (cinfo > 0 and n <= half):
                    break
            cmf = (out[0] & 0x0F) | (cinfo << 4)
            flg = out[1] & 0xE0
            flg += 0x1F - ((cmf << 8) + flg) % 0x1F
            out[0], out[1] = cmf, flg
    return bytes(out)


def encode(image, compression=-1):
    """PNG bytes of a (height, width, channels) uint8 or uint16 array, channels 1-4."""
    h, w, c = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = image.astype(">u2").view(np.uint8).reshape(h, -1) if depth == 16 else \
        np.ascontiguousarray(image).reshape(h, -1)
    bpp = c * depth // 8
    if h and w:
        cand = _filtered(rows, bpp)
        signed = cand.astype(np.int16)
        cost = np.where(signed < 128, signed, 256 - signed).sum(axis=2)  # (5, h)
        best = np.argmin(cost, axis=0)  # the first minimum: libpng's order on ties
        body = np.concatenate([best[:, None].astype(np.uint8),
                               cand[best, np.arange(h)]], axis=1).tobytes()
    else:
        body = b""
    idat = _deflate(body, compression)
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
            ">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    return SIGNATURE + chunk(b"IHDR", ihdr) + b"".join(
        chunk(b"IDAT", idat[i:i + _ZBUF]) for i in range(0, max(len(idat), 1), _ZBUF)) + \
        chunk(b"IEND", b"")
