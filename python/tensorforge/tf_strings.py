"""``tf.strings``: the string ops Keras 2 programs call on text (a TextVectorization layer's
custom ``standardize``: ``tf.strings.lower`` and ``tf.strings.regex_replace``). Strings are
object arrays of bytes (tensorforge/_text.py); each op maps over the elements and returns a
Tensor of the same shape. Patterns are Python ``re`` patterns; as RE2 (what TensorFlow uses) in
its UTF-8 mode they match code points of the decoded text (a character class holding "¿" strips
that character, not one of its two bytes), with ASCII-only ``\\w`` / ``\\d`` / ``\\s``; an
element that is not valid UTF-8 is matched byte by byte.
"""
import re

import numpy as np

from . import _static_shapes
from ._text import as_bytes_array
from .autograd import Tensor
from .tf_ragged import RaggedTensor


def _map(fn, x, name, out_dtype=object):
    """``fn`` on each string of ``x``; a RaggedTensor keeps its rows (TensorFlow dispatches
    the elementwise string ops over ragged values: ``to_number(strings.split(batch, ","))``)."""
    if isinstance(x, RaggedTensor):
        return RaggedTensor(_map(fn, x._values, name, out_dtype).numpy(), x._splits)
    a = as_bytes_array(x, f"tf.strings.{name}")
    flat = a.reshape(-1)
    out = np.empty(flat.shape, dtype=out_dtype)
    for i, v in enumerate(flat):
        out[i] = fn(v)
    return Tensor(out.reshape(a.shape))


class _Regex:
    """A pattern compiled twice: on code points (valid UTF-8 elements) and on bytes."""

    def __init__(self, pattern):
        self.text = re.compile(pattern.decode("utf-8"), re.ASCII)
        self.raw = re.compile(pattern)

    def sub(self, rewrite, v, count=0):
        try:
            s = v.decode("utf-8")
        except UnicodeDecodeError:
            return self.raw.sub(rewrite, v, count=count)
        return self.text.sub(rewrite.decode("utf-8"), s, count=count).encode("utf-8")

    def fullmatch(self, v):
        try:
            return self.text.fullmatch(v.decode("utf-8"))
        except UnicodeDecodeError:
            return self.raw.fullmatch(v)


def _pattern(name, pattern):
    if isinstance(pattern, Tensor):
        pattern = pattern.data.reshape(()).item() if pattern.data.size == 1 else None
    if isinstance(pattern, str):
        pattern = pattern.encode("utf-8")
    if not isinstance(pattern, bytes):
        raise TypeError(f"tf.strings.{name}: pattern must be a string, got {pattern!r}")
    try:
        return _Regex(pattern)
    except (re.error, UnicodeDecodeError) as e:
        raise ValueError(f"tf.strings.{name}: invalid pattern {pattern!r}: {e}") from None


def lower(input, encoding="", name=None):  # noqa: A002
    """ASCII lower case (TensorFlow's default, encoding="")."""
    return _map(lambda v: v.lower(), input, "lower")


def upper(input, encoding="", name=None):  # noqa: A002
    return _map(lambda v: v.upper(), input, "upper")


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    rx = _pattern("regex_replace", pattern)
    rw = rewrite.encode("utf-8") if isinstance(rewrite, str) else bytes(rewrite)
    rw = re.sub(rb"\\(\d)", rb"\\g<\1>", rw)  # RE2's \1 backreferences
    count = 0 if replace_global else 1
    return _map(lambda v: rx.sub(rw, v, count=count), input, "regex_replace")


def regex_full_match(input, pattern, name=None):  # noqa: A002
    rx = _pattern("regex_full_match", pattern)
    return _map(lambda v: rx.fullmatch(v) is not None, input, "regex_full_match", bool)


def strip(input, name=None):  # noqa: A002
    return _map(lambda v: v.strip(), input, "strip")


def length(input, unit="BYTE", name=None):  # noqa: A002
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"tf.strings.length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    count = len if unit == "BYTE" else (lambda v: len(v.decode("utf-8")))
    return _map(count, input, "length", np.int32)


def join(inputs, separator="", name=None):
    parts = [as_bytes_array(x, "tf.strings.join") for x in inputs]
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    shape = np.broadcast_shapes(*[p.shape for p in parts])
    parts = [np.broadcast_to(p, shape).reshape(-1) for p in parts]
    out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
    for i in range(out.size):
        out[i] = sep.join(p[i] for p in parts)
    return Tensor(out.reshape(shape))


__all__ = ["lower", "upper", "regex_replace", "regex_full_match", "strip", "length", "join",
           "unicode_split", "reduce_join", "split"]


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """One text's characters, a 1-D string Tensor (each character's UTF-8 bytes). TensorFlow
    returns a RaggedTensor for a batch of texts; tensorforge has none: one text at a time."""
    a = as_bytes_array(input, "tf.strings.unicode_split")
    if a.ndim != 0 and a.size != 1:
        raise ValueError("tf.strings.unicode_split: only one text (a scalar string) is "
                         f"supported (TensorFlow returns a RaggedTensor for a batch), got shape "
                         f"{tuple(a.shape)}")
    enc = input_encoding.replace("-", "").upper()
    if enc not in ("UTF8", "UTF16BE", "UTF32BE"):
        raise ValueError(f"tf.strings.unicode_split: unsupported input_encoding {input_encoding!r}")
    codec = {"UTF8": "utf-8", "UTF16BE": "utf-16-be", "UTF32BE": "utf-32-be"}[enc]
    text = a.reshape(-1)[0].decode(codec, "replace" if errors != "strict" else "strict")
    if errors == "ignore":
        text = text.replace("\ufffd", "")
    elif errors == "replace" and replacement_char != 65533:
        text = text.replace("\ufffd", chr(replacement_char))
    out = np.empty(len(text), dtype=object)
    for i, ch in enumerate(text):
        out[i] = ch.encode("utf-8")
    return Tensor(out)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """The strings joined along ``axis`` (all of them when None)."""
    a = as_bytes_array(inputs, "tf.strings.reduce_join")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    if axis is None:
        out = np.empty((1,) * a.ndim if keepdims else (), dtype=object)
        out[...] = sep.join(a.reshape(-1).tolist())
        return Tensor(out)
    ax = int(axis)
    if not -a.ndim <= ax < a.ndim:
        raise ValueError(f"tf.strings.reduce_join: axis {axis} is out of range for shape "
                         f"{tuple(a.shape)}")
    moved = np.moveaxis(a, ax, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty(flat.shape[0], dtype=object)
    for i, row in enumerate(flat):
        out[i] = sep.join(row.tolist())
    out = out.reshape(moved.shape[:-1])
    return Tensor(np.expand_dims(out, ax) if keepdims else out)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Each string split at ``sep`` (None: runs of whitespace, no empty tokens), at most
    ``maxsplit`` times (-1: no limit). A scalar string gives a 1-D string Tensor of its tokens,
    a batch of shape (N,) a RaggedTensor of N rows, as TensorFlow (a TextVectorization's custom
    ``split``)."""
    from .tf_ragged import RaggedTensor
    a = as_bytes_array(input, "tf.strings.split")
    if isinstance(sep, str):
        sep = sep.encode("utf-8")
    if sep is not None and not isinstance(sep, bytes):
        raise TypeError(f"tf.strings.split: sep must be a string or None, got {sep!r}")
    if sep == b"":
        sep = None  # TensorFlow: an empty sep splits on whitespace too
    if a.ndim > 1:
        raise ValueError(f"tf.strings.split: input must be a string or a batch of shape (N,), "
                         f"got shape {tuple(a.shape)}")
    m = int(maxsplit)
    rows = [v.split(sep, m) for v in a.reshape(-1)]
    if a.ndim == 0:
        out = np.empty(len(rows[0]), dtype=object)
        out[:] = rows[0]
        return _static_shapes.noted(Tensor(out), (None,))  # (its length: the text's)
    values = np.empty(sum(len(r) for r in rows), dtype=object)
    values[:] = [t for r in rows for t in r]
    return RaggedTensor(values, np.concatenate([[0], np.cumsum([len(r) for r in rows])]))
