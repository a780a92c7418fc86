"""More of ``tf.strings``: ``format`` (tensors printed as TensorFlow's summaries),
``to_hash_bucket`` (TensorFlow's legacy Hash64, a MurmurHash64A variant seeded 0xDECAFCAFFE),
``unicode_split_with_offsets`` / ``unicode_decode_with_offsets`` (characters or code points
and their byte offsets), ``unicode_transcode`` and ``unsorted_segment_join``.

Decoding replaces an invalid sequence (its maximal valid prefix, as Python's and ICU's
decoders) by ``replacement_char`` (errors='replace'), drops it ('ignore') or raises
InvalidArgumentError ('strict'). A scalar text gives dense Tensors, a vector of texts
RaggedTensors (one ragged axis: higher ranks are refused).
"""
import numpy as np

from ._text import as_bytes_array
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_ragged import RaggedTensor

__all__ = ["format", "to_hash_bucket", "unicode_split_with_offsets",
           "unicode_decode_with_offsets", "unicode_transcode", "unsorted_segment_join"]

_M = np.uint64(0xc6a4a7935bd1e995)
_SEED = 0xDECAFCAFFE
_MASK = 0xFFFFFFFFFFFFFFFF


def _hash64(data, seed=_SEED):
    """TensorFlow's Hash64 (tensorflow/core/platform/hash.cc) of one bytes string."""
    m, r = 0xc6a4a7935bd1e995, 47
    n = len(data)
    h = (seed ^ (n * m)) & _MASK
    full = n - n % 8
    for i in range(0, full, 8):
        k = int.from_bytes(data[i:i + 8], "little")
        k = (k * m) & _MASK
        k ^= k >> r
        k = (k * m) & _MASK
        h = ((h ^ k) * m) & _MASK
    tail = data[full:]
    if tail:
        for j in range(len(tail) - 1, -1, -1):
            h ^= tail[j] << (8 * j)
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    h ^= h >> r
    return h


def to_hash_bucket(string_tensor, num_buckets, name=None):
    """``Hash64(s) % num_buckets`` of each string, int64 (TensorFlow's legacy bucketing; the
    fast / strong variants are tf_strings_convert's)."""
    a = as_bytes_array(string_tensor, "tf.strings.to_hash_bucket")
    n = int(num_buckets)
    if n < 1:
        raise InvalidArgumentError(f"tf.strings.to_hash_bucket: num_buckets must be >= 1, "
                                   f"got {n}")
    out = np.array([_hash64(v) % n for v in a.reshape(-1).tolist()], np.int64)
    return Tensor(out.reshape(a.shape))


# ---- tf.strings.format -------------------------------------------------------------------------
def _scalar(v, dt):
    v = v.item() if isinstance(v, (np.generic, np.ndarray)) else v
    if dt == object:
        return '"' + bytes(v).decode("utf-8", "replace") + '"'
    if dt.kind == "b":
        return "1" if v else "0"
    if dt.kind == "f":
        digits = (6, 9) if dt.itemsize <= 4 else (15, 17)
        s = f"%.{digits[0]}g" % v
        if float(dt.type(s)) != float(v) and np.isfinite(v):
            s = f"%.{digits[1]}g" % v
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(s, s)
    return str(v)


def _spacing(dim, ndim):
    """TensorFlow's PrintDimSpacing: ' ' inside the last dimension, else newlines (one per
    inner dimension) and an indent of dim + 1 spaces."""
    return " " if dim == ndim - 1 else "\n" * (ndim - dim - 1) + " " * (dim + 1)


def _one_dim(a, dim, ends, dtype):
    """TensorFlow's PrintOneDimV2 of the sub-array ``a`` at depth ``dim``: ``ends`` entries
    at each end of a dimension, '...' between when it is longer than 2 * ends."""
    if not isinstance(a, np.ndarray) or a.ndim == 0:  # an entry (bytes, for strings)
        return _scalar(a, dtype)
    ndim = dim + a.ndim
    n = a.shape[0]
    out = "[" + _spacing(dim, ndim).join(_one_dim(a[i], dim + 1, ends, dtype)
                                         for i in range(min(ends, n)))
    if n > 2 * ends:
        out += _spacing(dim, ndim) + "..."
    for i in range(max(ends, n - ends), n):
        out += _spacing(dim, ndim) + _one_dim(a[i], dim + 1, ends, dtype)
    return out + "]"


def _summary(a, summarize):
    """TensorFlow's SummarizeValue(summarize, print_v2=True) of an array."""
    limit = a.size if summarize < 0 else min(summarize, a.size)
    if a.ndim == 0:
        return _scalar(a, a.dtype) if limit else "..."
    return _one_dim(a, 0, limit, a.dtype)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """``template`` with each ``placeholder`` replaced by the next input's summary (a tensor
    prints as TensorFlow prints it in tf.print: ``summarize`` entries at each end of a long
    dimension, -1 all): a scalar string Tensor."""
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    parts = template.split(placeholder)
    if len(parts) - 1 != len(items):
        raise InvalidArgumentError(f"tf.strings.format: {len(parts) - 1} placeholders "
                                   f"{placeholder!r} in the template but {len(items)} inputs")
    out = parts[0]
    for item, rest in zip(items, parts[1:]):
        if isinstance(item, Tensor):
            a = np.asarray(item.numpy(), dtype=item.dtype)
        else:
            a = np.asarray(item)
            a = as_bytes_array(a) if a.dtype.kind in "SUO" else a
        out += _summary(a, int(summarize)) + rest
    return Tensor(np.asarray(out.encode("utf-8"), dtype=object))


# ---- unicode -----------------------------------------------------------------------------------
_CODECS = {"UTF8": "utf-8", "UTF16BE": "utf-16-be", "UTF32BE": "utf-32-be"}


def _codec(op, encoding, arg):
    enc = str(encoding).replace("-", "").replace("_", "").upper()
    if enc not in _CODECS:
        raise InvalidArgumentError(f"tf.strings.{op}: {arg} must be UTF-8, UTF-16-BE or "
                                   f"UTF-32-BE, got {encoding!r}")
    return _CODECS[enc]


def _utf8_points(op, v, errors, replacement_char):
    """[(code point, byte offset)] of the UTF-8 bytes ``v``."""
    out, i = [], 0
    while i < len(v):
        lead = v[i]
        n = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else \
            4 if lead >> 3 == 30 else 0
        try:
            ch = v[i:i + n].decode("utf-8") if n else ""
        except UnicodeDecodeError:
            ch = ""
        if len(ch) == 1:
            out.append((ord(ch), i))
            i += n
            continue
        try:
            v[i:].decode("utf-8")
            bad = 1
        except UnicodeDecodeError as e:
            bad = max(e.end - e.start, 1)
        if errors == "strict":
            raise InvalidArgumentError(f"tf.strings.{op}: invalid UTF-8 at byte {i} of "
                                       f"{v[:40]!r}")
        if errors == "replace":
            out.append((int(replacement_char), i))
        i += bad
    return out


def _decode(op, input, input_encoding, errors, replacement_char, control):  # noqa: A002
    if errors not in ("strict", "replace", "ignore"):
        raise ValueError(f"tf.strings.{op}: errors must be 'strict', 'replace' or 'ignore', "
                         f"got {errors!r}")
    codec = _codec(op, input_encoding, "input_encoding")
    a = as_bytes_array(input, f"tf.strings.{op}")
    if a.ndim > 1:
        raise ValueError(f"tf.strings.{op}: input must be a string or a vector of them (one "
                         f"ragged axis), got shape {tuple(a.shape)}")
    rows = []
    for v in a.reshape(-1).tolist():
        if codec == "utf-8":
            pts = _utf8_points(op, v, errors, replacement_char)
        else:
            width = 2 if codec == "utf-16-be" else 4
            text = v.decode(codec, "strict" if errors == "strict" else "replace")
            pts, pos = [], 0
            for ch in text:
                pts.append((int(replacement_char) if ch == "\ufffd" else ord(ch), pos))
                pos += len(ch.encode(codec, "surrogatepass")) if ch != "\ufffd" else width
            if errors == "ignore":
                pts = [p for p in pts if p[0] != int(replacement_char)]
        if control:
            pts = [(int(replacement_char) if c < 0x20 or 0x7F <= c < 0xA0 else c, o)
                   for c, o in pts]
        rows.append(pts)
    return a, rows


def _rows_out(a, rows, dtype):
    values = np.empty(sum(len(r) for r in rows), dtype=dtype)
    values[:] = [x for r in rows for x in r]
    if a.ndim == 0:
        return Tensor(values)
    return RaggedTensor(values, np.concatenate([[0], np.cumsum([len(r) for r in rows])])
                        .astype(np.int64))


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """(code points int32, their byte offsets int64) of each text."""
    a, rows = _decode("unicode_decode_with_offsets", input, input_encoding, errors,
                      replacement_char, replace_control_characters)
    return (_rows_out(a, [[c for c, _ in r] for r in rows], np.int32),
            _rows_out(a, [[o for _, o in r] for r in rows], np.int64))


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """(characters as strings in the input's encoding, their byte offsets int64)."""
    codec = _codec("unicode_split_with_offsets", input_encoding, "input_encoding")
    a, rows = _decode("unicode_split_with_offsets", input, input_encoding, errors,
                      replacement_char, False)
    chars = [[chr(c).encode(codec, "surrogatepass") for c, _ in r] for r in rows]
    return _rows_out(a, chars, object), _rows_out(a, [[o for _, o in r] for r in rows],
                                                  np.int64)


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Each text decoded from ``input_encoding`` and encoded in ``output_encoding`` (invalid
    sequences as ``errors`` says); the same shape."""
    out_codec = _codec("unicode_transcode", output_encoding, "output_encoding")
    a = as_bytes_array(input, "tf.strings.unicode_transcode")
    flat = a.reshape(-1)
    _, rows = _decode("unicode_transcode", flat, input_encoding, errors, replacement_char,
                      replace_control_characters)
    out = np.empty(len(rows), dtype=object)
    out[:] = ["".join(chr(c) for c, _ in r).encode(out_codec, "surrogatepass") for r in rows]
    return Tensor(out.reshape(a.shape))


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """The strings of each segment joined by ``separator`` in input order; segments without
    strings are empty; shape [num_segments] + inputs.shape[segment_ids.ndim:]."""
    a = as_bytes_array(inputs, "tf.strings.unsorted_segment_join")
    ids = np.asarray(segment_ids.numpy() if isinstance(segment_ids, Tensor) else segment_ids)
    n = int(np.asarray(num_segments.numpy() if isinstance(num_segments, Tensor)
                       else num_segments))
    if ids.dtype.kind not in "iu":
        raise TypeError(f"tf.strings.unsorted_segment_join: segment_ids must be integers, got "
                        f"{ids.dtype}")
    if a.shape[:ids.ndim] != ids.shape:
        raise InvalidArgumentError(f"tf.strings.unsorted_segment_join: segment_ids shape "
                                   f"{ids.shape} must be a prefix of inputs shape {a.shape}")
    if ids.size and ids.max() >= n:
        raise InvalidArgumentError(f"tf.strings.unsorted_segment_join: segment_ids must be < "
                                   f"num_segments = {n}, got {int(ids.max())}")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    inner = a.shape[ids.ndim:]
    flat = a.reshape((-1,) + inner)
    groups = [[] for _ in range(n)]
    for i, s in enumerate(ids.reshape(-1).tolist()):
        if s >= 0:
            groups[s].append(i)
    out = np.empty((n,) + inner, dtype=object)
    for s in range(n):
        for pos in np.ndindex(*inner):
            out[(s,) + pos] = sep.join(flat[(i,) + pos] for i in groups[s])
    return Tensor(out)
