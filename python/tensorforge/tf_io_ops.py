"""``tf.io``'s string-to-tensor decoders: ``decode_raw``, ``decode_csv``, ``encode_base64`` /
``decode_base64`` (web-safe), ``decode_compressed`` (ZLIB / GZIP), ``decode_json_example`` and
``matching_files``.

Strings are object arrays of bytes (tensorforge/_text.py); outputs keep the input's shape, as
TensorFlow's (``decode_raw`` adds the values' axis at the end). Errors are TensorFlow's
``tf.errors`` classes with its messages, prefixed by the op's name.
"""
import base64
import binascii
import glob as _glob
import gzip
import zlib

import numpy as np

from ._text import as_bytes_array
from .autograd import Tensor
from .tf_debugging import DataLossError, InvalidArgumentError
from .tf_dtypes import as_dtype

__all__ = ["decode_raw", "decode_csv", "encode_base64", "decode_base64", "decode_compressed",
           "matching_files", "decode_json_example"]


def _strings(op, x):
    a = x.numpy() if isinstance(x, Tensor) else x
    if type(a) is bytes:  # one record (a text line dataset's element): no array walk
        out = np.empty((), dtype=object)
        out[()] = a
        return out
    if isinstance(a, (bytes, str)):
        a = np.asarray(a, dtype=object)
    return as_bytes_array(a, f"tf.io.{op}")


def _string_tensor(values, shape):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return Tensor(out.reshape(shape))


def _invalid(op, msg):
    return InvalidArgumentError(None, None, f"tf.io.{op}: {msg}")


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Each string's bytes as values of ``out_type``: shape ``input.shape + (n,)``. All strings
    must have one length (a multiple of the type's size), or give ``fixed_length``: each is
    cut or zero-padded to it."""
    op = "decode_raw"
    s = _strings(op, input_bytes)
    dt = np.dtype(as_dtype(out_type))
    if dt.kind not in "biuf" and dt.kind != "c":
        raise TypeError(f"tf.io.{op}: out_type must be a number type, got {dt}")
    dt = dt.newbyteorder("<" if little_endian else ">")
    flat = list(s.reshape(-1))
    if fixed_length is not None:
        n = int(fixed_length)
        if n % dt.itemsize:
            raise _invalid(op, f"fixed_length ({n}) must be a multiple of the size of out_type "
                               f"({dt.itemsize})")
        flat = [b[:n].ljust(n, b"\0") for b in flat]
    else:
        n = len(flat[0]) if flat else 0
        for i, b in enumerate(flat):
            if len(b) != n:
                raise _invalid(op, f"DecodeRaw requires input strings to all be the same size, "
                                   f"but element {i} has size {len(b)} != {n}")
        if n % dt.itemsize:
            raise _invalid(op, f"Input to DecodeRaw has length {n} that is not a multiple of "
                               f"{dt.itemsize}, the size of {dt.newbyteorder('=').name}")
    vals = np.frombuffer(b"".join(flat), dt).astype(dt.newbyteorder("="))
    return Tensor(vals.reshape(s.shape + (n // dt.itemsize,)))


# ---- CSV ---------------------------------------------------------------------------------------
_CSV_TYPES = ("float32", "float64", "int32", "int64", "object")


_F32, _I32 = np.dtype(np.float32), np.dtype(np.int32)


def _csv_default(op, i, d):
    """(dtype, default value or None when the field is required) of record_defaults[i]."""
    if type(d) is float:  # Python numbers: float32 / int32, as TensorFlow's (the common case)
        return _F32, np.float32(d)
    if type(d) is int and -2**31 <= d < 2**31:
        return _I32, np.int32(d)
    if isinstance(d, type) or isinstance(d, np.dtype) or (isinstance(d, str) and d in (
            "float32", "float64", "int32", "int64", "string")):
        dt = np.dtype(object) if d in ("string", np.dtype(object)) else np.dtype(as_dtype(d))
        if dt.name not in _CSV_TYPES:
            raise TypeError(f"tf.io.{op}: record_defaults[{i}] must be float32, float64, int32, "
                            f"int64 or string, got {dt}")
        return dt, None
    a = d.numpy() if isinstance(d, Tensor) else d
    if isinstance(a, (bytes, str)) or (isinstance(a, (list, tuple)) and a and
                                       isinstance(a[0], (bytes, str))):
        a = as_bytes_array(np.asarray(a, dtype=object), f"tf.io.{op}")
    elif isinstance(d, Tensor) or isinstance(a, np.ndarray):
        a = np.asarray(a)
    else:
        typed = isinstance(a, np.generic) or (isinstance(a, (list, tuple)) and a and
                                              isinstance(a[0], np.generic))
        a = np.asarray(a)
        if a.dtype.kind in "if" and not typed:  # Python numbers: int32 / float32, as TF's
            a = a.astype(np.int32 if a.dtype.kind == "i" else np.float32)
    if a.dtype.kind in "SU":
        a = as_bytes_array(a, f"tf.io.{op}")
    if a.size > 1:
        raise ValueError(f"tf.io.{op}: record_defaults[{i}] must have at most one value, got "
                         f"shape {a.shape}")
    dt = np.dtype(object) if a.dtype.kind == "O" else a.dtype
    if dt.name not in _CSV_TYPES:
        raise TypeError(f"tf.io.{op}: record_defaults[{i}] must be float32, float64, int32, "
                        f"int64 or string, got {dt}")
    return dt, (a.reshape(-1)[0] if a.size else None)


def _split_record(rec, delim, quotes):
    if not quotes or b'"' not in rec:
        return rec.split(delim)
    fields, cur, i, n = [], bytearray(), 0, len(rec)
    quoted = False
    while i <= n:
        if i == n:
            fields.append((bytes(cur), quoted))
            break
        c = rec[i:i + 1]
        if not cur and not quoted and c == b'"':
            quoted, i = True, i + 1
            while True:
                if i >= n:
                    raise ValueError("Quoted field has to end with quote")
                if rec[i:i + 1] == b'"':
                    if rec[i + 1:i + 2] == b'"':
                        cur += b'"'
                        i += 2
                        continue
                    i += 1
                    break
                cur += rec[i:i + 1]
                i += 1
            if i < n and rec[i:i + len(delim)] != delim:
                raise ValueError("Quote inside a string has to be escaped by another quote")
            continue
        if rec[i:i + len(delim)] == delim:
            fields.append((bytes(cur), quoted))
            cur, quoted, i = bytearray(), False, i + len(delim)
            continue
        cur += c
        i += 1
    return [f for f, _ in fields]


def _parse_number(dt, text):
    t = text.strip()
    if dt.kind == "i":
        if not t or not t.lstrip(b"+-").isdigit():
            raise ValueError
        v = int(t)
        info = np.iinfo(dt)
        if not info.min <= v <= info.max:
            raise ValueError
        return v
    return float(t)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """``tf.io.decode_csv``: one Tensor per column (``record_defaults[i]``'s type, the
    records' shape). A default value fills an empty field (or one equal to ``na_value``); a
    dtype or an empty tensor makes the field required. ``select_cols`` (strictly increasing)
    picks columns; ``record_defaults`` then has one entry per selected column."""
    op = "decode_csv"
    recs = _strings(op, records)
    specs = [_csv_default(op, i, d) for i, d in enumerate(record_defaults)]
    delim = field_delim.encode("utf-8") if isinstance(field_delim, str) else bytes(field_delim)
    if len(delim) != 1:
        raise ValueError(f"tf.io.{op}: field_delim must be one character, got {field_delim!r}")
    na = na_value.encode("utf-8") if isinstance(na_value, str) else bytes(na_value)
    if select_cols is not None:
        cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(cols, cols[1:])) or (cols and cols[0] < 0):
            raise ValueError(f"tf.io.{op}: select_cols is not strictly increasing.")
        if len(cols) != len(specs):
            raise ValueError(f"tf.io.{op}: Length of select_cols and record_defaults do not "
                             f"match ({len(cols)} vs {len(specs)})")
    else:
        cols = None
    outs = [[] for _ in specs]
    for r, rec in enumerate(recs.reshape(-1)):
        try:
            fields = _split_record(rec, delim, use_quote_delim)
        except ValueError as e:
            raise _invalid(op, f"{e}: {rec!r} in record {r}") from None
        if cols is None:
            if len(fields) != len(specs):
                raise _invalid(op, f"Expect {len(specs)} fields but have {len(fields)} in "
                                   f"record {r}")
            picked = fields
        else:
            if cols and cols[-1] >= len(fields):
                raise _invalid(op, f"Expect {cols[-1] + 1} fields but have {len(fields)} in "
                                   f"record {r}")
            picked = [fields[c] for c in cols]
        for f, (field, (dt, default)) in enumerate(zip(picked, specs)):
            if field == b"" or field == na:
                if default is None:
                    raise _invalid(op, f"Field {f} is required but missing in record {r}!")
                outs[f].append(default)
            elif dt.kind == "O":
                outs[f].append(field)
            else:
                try:
                    outs[f].append(_parse_number(dt, field))
                except ValueError:
                    raise _invalid(op, f"Field {f} in record {r} is not a valid {dt.name}: "
                                       f"{field.decode('utf-8', 'replace')}") from None
    result = []
    for (dt, _), vals in zip(specs, outs):
        if dt.kind == "O":
            result.append(_string_tensor(vals, recs.shape))
        else:
            result.append(Tensor(np.asarray(vals, dt).reshape(recs.shape)))
    return result


# ---- base64, compression, files ------------------------------------------------------------
def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Web-safe base64 (``-`` and ``_``), without ``=`` padding unless ``pad``."""
    s = _strings("encode_base64", input)
    enc = [base64.urlsafe_b64encode(b) for b in s.reshape(-1)]
    return _string_tensor([e if pad else e.rstrip(b"=") for e in enc], s.shape)


def decode_base64(input, name=None):  # noqa: A002
    """Web-safe base64, with or without padding."""
    op = "decode_base64"
    s = _strings(op, input)
    out = []
    for b in s.reshape(-1):
        body = b.rstrip(b"=")
        if len(body) % 4 == 1:
            raise _invalid(op, "Base64 string length cannot be 1 modulo 4.")
        if body.translate(None, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                b"0123456789-_"):
            raise _invalid(op, "Invalid character found in base64.")
        out.append(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
    return _string_tensor(out, s.shape)


def decode_compressed(bytes, compression_type="", name=None):  # noqa: A002
    """Each string inflated: ``compression_type`` ``""`` (as is), ``"ZLIB"`` or ``"GZIP"``;
    a corrupt string is a ``tf.errors.DataLossError``."""
    op = "decode_compressed"
    s = _strings(op, bytes)
    kind = (compression_type or "").upper()
    if kind not in ("", "NONE", "ZLIB", "GZIP"):
        raise _invalid(op, f"Only ZLIB, GZIP or NONE are supported compressions, got "
                           f"{compression_type!r}")
    out = []
    for b in s.reshape(-1):
        try:
            out.append(b if kind in ("", "NONE") else
                       zlib.decompress(b) if kind == "ZLIB" else gzip.decompress(b))
        except (zlib.error, OSError, EOFError) as e:
            raise DataLossError(None, None, f"tf.io.{op}: the {kind} data is corrupt ({e})") \
                from None
    return _string_tensor(out, s.shape)


def matching_files(pattern, name=None):
    """The sorted file names matching ``pattern`` (a string or a vector of them), a 1-D string
    Tensor (empty when nothing matches, as TensorFlow's)."""
    s = _strings("matching_files", pattern)
    names = set()
    for p in s.reshape(-1):
        names.update(_glob.glob(p.decode("utf-8")))
    return _string_tensor([n.encode("utf-8") for n in sorted(names)], (len(names),))


def _json_feature(key, f):
    """The Feature message bytes of one JSON feature, its numbers unpacked (one field per
    value), as TensorFlow's DecodeJSONExample writes them."""
    from .tf_example import _field, _varint
    if not isinstance(f, dict) or len(f) > 1:
        raise ValueError(f"feature {key!r} must hold one of bytesList / floatList / int64List")
    if not f:
        return b""
    kind, body = next(iter(f.items()))
    vals = (body or {}).get("value", [])
    if kind in ("bytesList", "bytes_list"):
        items = [_field(1, 2, base64.b64decode(v.replace("-", "+").replace("_", "/") +
                                               "=" * (-len(v) % 4), validate=True))
                 for v in vals]
        return _field(1, 2, b"".join(items))
    if kind in ("floatList", "float_list"):
        special = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
        fl = np.asarray([special[v] if isinstance(v, str) else float(v) for v in vals], "<f4")
        return _field(2, 2, b"".join(_field(1, 5, v.tobytes()) for v in fl))
    if kind in ("int64List", "int64_list"):
        return _field(3, 2, b"".join(_field(1, 0, _varint(int(v))) for v in vals))
    raise ValueError(f"feature {key!r}: unknown kind {kind!r}")


def decode_json_example(json_examples, name=None):
    """Each JSON-encoded ``tf.train.Example`` (protobuf's JSON mapping: ``{"features":
    {"feature": {"k": {"int64List": {"value": ["1"]}}}}}``, bytes in base64) as its
    serialized bytes, TensorFlow's (repeated numbers unpacked; several features in the JSON's
    order); malformed JSON is an InvalidArgumentError."""
    import json
    from .tf_example import _field
    op = "decode_json_example"
    s = _strings(op, json_examples)
    out = []
    for j in s.reshape(-1):
        try:
            doc = json.loads(j.decode("utf-8"))
            feats = (doc.get("features") or {}).get("feature") or {}
            body = b"".join(_field(1, 2, _field(1, 2, k.encode("utf-8")) +
                                   _field(2, 2, _json_feature(k, f)))
                            for k, f in feats.items())
        except (ValueError, AttributeError, TypeError, KeyError, binascii.Error) as e:
            raise _invalid(op, f"could not read a tf.train.Example from the JSON ({e})") \
                from None
        out.append(_field(1, 2, body) if "features" in doc else b"")
    return _string_tensor(out, s.shape)
