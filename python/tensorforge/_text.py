"""String data as Keras 2 / TensorFlow hold it (``tf.string``): NumPy object arrays of ``bytes``.

Numeric data is cast to floatx at the model boundary; string data (a ``dtype="string"`` Input,
a DataFrame's text column, raw reviews) passes through unchanged to the layers that read it
(StringLookup, TextVectorization), as TensorFlow feeds ``tf.string`` tensors.
"""
import numpy as np

from .tf_dtypes import tf_name


def is_text(a):
    """True for an array (or Tensor) of strings: NumPy kinds U, S and O (Python objects)."""
    dt = getattr(a, "dtype", None)
    if dt is None:
        return False
    try:
        return np.dtype(dt).kind in "USO"
    except TypeError:
        return False


def as_bytes_array(a, where="strings"):
    """``a`` (str / bytes, or a nested list / array of them) as an object array of bytes; a
    TypeError naming ``where`` for anything else."""
    arr = np.asarray(getattr(a, "data", a), dtype=object)
    flat = arr.reshape(-1)
    out = np.empty(flat.shape, dtype=object)
    for i, v in enumerate(flat):
        if isinstance(v, bytes):
            out[i] = v
        elif isinstance(v, str):
            out[i] = v.encode("utf-8")
        elif isinstance(v, np.bytes_):
            out[i] = bytes(v)
        else:
            raise TypeError(f"{where}: expected strings, got {type(v).__name__} {v!r}")
    return out.reshape(arr.shape)


def as_str(v):
    """One token as str (bytes decoded as UTF-8): the form vocabularies are kept in."""
    return v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else str(v)


def dtype_of(dtype):
    """A dtype argument as a NumPy dtype: ``"string"`` (``tf.string``) is the object dtype."""
    if isinstance(dtype, str) and dtype == "string":
        return np.dtype(object)
    return np.dtype(tf_name(dtype))  # TensorFlow's "float" is float32


def dtype_name(dtype):
    """A dtype's Keras 2 name: ``"string"`` for text, else NumPy's name (``"float32"``)."""
    dt = dtype_of(dtype)
    return "string" if dt == np.dtype(object) else dt.name


def _string_leaves(x):
    """A nested list with its string Tensors replaced by their values (NumPy reads a list of
    them as a sequence of sequences)."""
    if isinstance(x, (list, tuple)):
        return [_string_leaves(v) for v in x]
    d = getattr(x, "data", None)
    return d.tolist() if isinstance(d, np.ndarray) and d.dtype == object else x


def text_values(x):
    """The strings of ``x`` (a string Tensor, a str / bytes array or nested list) as a bytes
    object array -- what the structural tf ops (stack, tile, transpose, gather) move as they
    are -- or None when ``x`` holds no strings."""
    data = getattr(x, "data", x)
    if not isinstance(data, (np.ndarray, str, bytes, list, tuple)):
        return None
    if isinstance(data, (list, tuple)):  # a list of string Tensors: ``tf.pad([text], ...)``
        data = _string_leaves(data)      # in keras-io's multi_label_trainer_tfidf.py
    try:
        a = data if isinstance(data, np.ndarray) else np.asarray(data)
    except ValueError:  # ragged nesting: not a string array either
        return None
    if a.dtype.kind in "US" or (a.dtype.kind == "O" and a.size and isinstance(
            a.reshape(-1)[0], (str, bytes, np.bytes_))):
        return as_bytes_array(a, "text")
    return None
