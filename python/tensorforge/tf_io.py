"""``tf.io.read_file`` / ``write_file``: a file's bytes as a scalar string Tensor, as the keras-io
image examples read them inside a ``tf.data`` map (``tf.io.read_file`` then
``tf.io.decode_png``: the image codecs are in tf_codecs.py).

Strings are object arrays of bytes (tensorforge/_text.py).
"""
import numpy as np

from ._text import as_bytes_array
from .autograd import Tensor

__all__ = ["read_file", "write_file"]


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
