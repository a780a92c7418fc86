"""``tf.strings`` conversions and n-grams beyond tf_strings.py's text cleaning: to_number,
as_string, substr, bytes_split, unicode_decode / unicode_encode, ngrams, and the FarmHash /
SipHash buckets (to_hash_bucket_fast / _strong, the Hashing layer's functions). A batch that
TensorFlow returns ragged (bytes_split, unicode_decode of a vector) is a RaggedTensor here too.
"""
import numpy as np

from . import _hash, _static_shapes
from ._text import as_bytes_array
from .autograd import Tensor
from .tf_ragged import RaggedTensor
from .tf_strings import _map

__all__ = ["to_number", "as_string", "substr", "bytes_split", "unicode_decode",
           "unicode_encode", "ngrams", "to_hash_bucket_fast", "to_hash_bucket_strong"]


def to_number(string_tensor, out_type=np.float32, name=None):
    dt = np.dtype(getattr(out_type, "name", out_type))
    if dt.kind not in "fi":
        raise TypeError(f"tf.strings.to_number: out_type must be a float or int type, got {dt}")

    def conv(v):
        s = v.decode("utf-8", "replace").strip()
        try:
            return (float(s) if dt.kind == "f" else int(s, 10))
        except ValueError:
            raise ValueError(f"tf.strings.to_number: StringToNumberOp could not correctly "
                             f"convert string: {s}") from None
    return _map(conv, string_tensor, "to_number", dt)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",  # noqa: A002
              name=None):
    """Numbers as strings, TensorFlow's formats: ints %d, floats %f (or %e / %g), bools
    true / false; ``width`` pads with ``fill`` (a space, or "0")."""
    x = input.numpy() if isinstance(input, Tensor) else np.asarray(input)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"tf.strings.as_string: input must be numeric or bool, got {x.dtype}")
    if scientific and shortest:
        raise ValueError("tf.strings.as_string: scientific and shortest are exclusive")
    if fill not in ("", " ", "0"):
        raise ValueError(f"tf.strings.as_string: fill must be '', ' ' or '0', got {fill!r}")
    flag = "0" if fill == "0" else ""
    w = str(width) if width > -1 else ""
    if x.dtype.kind == "b":
        spec = None
    elif x.dtype.kind in "iu":
        spec = f"%{flag}{w}d"
    else:
        p = f".{precision}" if precision > -1 else ""
        spec = f"%{flag}{w}{p}" + ("e" if scientific else "g" if shortest else "f")
    out = np.empty(x.shape, dtype=object)
    for i, v in np.ndenumerate(x):
        out[i] = (("true" if v else "false") if spec is None else spec % v).encode()
    return Tensor(out)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """``len`` bytes (or UTF-8 characters) from ``pos`` (negative: from the end)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"tf.strings.substr: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    p, n = int(pos), int(len)

    def cut(v):
        s = v if unit == "BYTE" else v.decode("utf-8")
        size = s.__len__()
        start = p + size if p < 0 else p
        if not 0 <= start <= size:
            raise ValueError(f"tf.strings.substr: pos {p} out of range for a string of length "
                             f"{size}")
        part = s[start:start + n]
        return part if unit == "BYTE" else part.encode("utf-8")
    return _map(cut, input, "substr")


def _ragged(rows, dtype):
    values = np.empty(sum(len(r) for r in rows), dtype=dtype)
    values[:] = [t for r in rows for t in r]
    return RaggedTensor(values, np.concatenate([[0], np.cumsum([len(r) for r in rows])]))


def _per_text(op, input, fn, dtype):  # noqa: A002
    a = as_bytes_array(input, f"tf.strings.{op}")
    if a.ndim > 1:
        raise ValueError(f"tf.strings.{op}: input must be a string or a vector of them, got "
                         f"shape {tuple(a.shape)}")
    rows = [fn(v) for v in a.reshape(-1)]
    if a.ndim == 0:
        out = np.empty(len(rows[0]), dtype=dtype)
        out[:] = rows[0]
        return _static_shapes.noted(Tensor(out), (None,))  # (its length: the text's)
    return _ragged(rows, dtype)


def bytes_split(input, name=None):  # noqa: A002
    return _per_text("bytes_split", input, lambda v: [bytes([b]) for b in v], object)


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    enc = input_encoding.replace("-", "").upper()
    if enc != "UTF8":
        raise ValueError(f"tf.strings.unicode_decode: only UTF-8 input is supported, got "
                         f"{input_encoding!r}")

    def points(v):
        text = v.decode("utf-8", "strict" if errors == "strict" else "replace")
        if errors == "ignore":
            text = text.replace("\ufffd", "")
        return [replacement_char if c == "\ufffd" else ord(c) for c in text]
    return _per_text("unicode_decode", input, points, np.int32)


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   name=None):
    """Code points (..., n) -> UTF-8 strings (...)."""
    if output_encoding.replace("-", "").upper() != "UTF8":
        raise ValueError(f"tf.strings.unicode_encode: only UTF-8 output is supported, got "
                         f"{output_encoding!r}")
    from .tf_ragged import RaggedTensor
    if isinstance(input, RaggedTensor):  # one string a row (TensorFlow's, Hands-On ML 2 ch. 12)
        rows = ["".join(chr(c) if 0 <= c <= 0x10FFFF else chr(replacement_char)
                        for c in input._values[a:b].tolist()).encode("utf-8")
                for a, b in zip(input._splits[:-1], input._splits[1:])]
        out = np.empty(len(rows), dtype=object)
        out[:] = rows
        return Tensor(out)
    x = input.numpy() if isinstance(input, Tensor) else np.asarray(input)
    if x.ndim < 1 or x.dtype.kind not in "iu":
        raise TypeError(f"tf.strings.unicode_encode: input must be integer code points of rank "
                        f">= 1, got {x.dtype} of shape {x.shape}")
    flat = x.reshape(-1, x.shape[-1])
    out = np.empty(flat.shape[0], dtype=object)
    for i, row in enumerate(flat):
        out[i] = "".join(chr(c) if 0 <= c <= 0x10FFFF else chr(replacement_char)
                         for c in row).encode("utf-8")
    return Tensor(out.reshape(x.shape[:-1]))


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The ``ngram_width``-grams (an int, or several) of each row's tokens, joined by
    ``separator``; the last axis holds the tokens (1-D: one sequence, 2-D: one per row)."""
    a = as_bytes_array(data, "tf.strings.ngrams")
    widths = [int(ngram_width)] if np.ndim(ngram_width) == 0 else [int(w) for w in ngram_width]
    if a.ndim not in (1, 2) or min(widths) < 1:
        raise ValueError(f"tf.strings.ngrams: data must be 1-D or 2-D and widths >= 1, got shape "
                         f"{tuple(a.shape)} and {widths}")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    if pad_values is not None:
        pads = pad_values if isinstance(pad_values, (tuple, list)) else (pad_values, pad_values)
        pads = [p.encode("utf-8") if isinstance(p, str) else bytes(p) for p in pads]

    def grams(row):
        out = []
        for w in widths:
            toks = list(row)
            if pad_values is not None:
                k = w - 1 if padding_width is None else min(int(padding_width), w - 1)
                toks = [pads[0]] * k + toks + [pads[1]] * k
            n = len(toks) - w + 1
            if n <= 0 and preserve_short_sequences and len(row):
                out.append(sep.join(toks))
            out.extend(sep.join(toks[i:i + w]) for i in range(max(n, 0)))
        return out
    rows = [grams(r) for r in (a[None] if a.ndim == 1 else a)]
    if a.ndim == 1:
        out = np.empty(len(rows[0]), dtype=object)
        out[:] = rows[0]
        return Tensor(out)
    if len({len(r) for r in rows}) > 1:
        return _ragged(rows, object)
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, r in enumerate(rows):
        out[i, :] = r
    return Tensor(out)


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    a = as_bytes_array(input, "tf.strings.to_hash_bucket_fast")
    return Tensor(_hash.to_hash_bucket_fast(a.reshape(-1), int(num_buckets)).reshape(a.shape))


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    a = as_bytes_array(input, "tf.strings.to_hash_bucket_strong")
    return Tensor(_hash.to_hash_bucket_strong(a.reshape(-1), int(num_buckets), key).reshape(a.shape))
