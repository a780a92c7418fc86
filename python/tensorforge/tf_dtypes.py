"""TensorFlow 2's dtype names (``tf.float32``, ``tf.as_dtype``, ...) and the dtype TensorFlow
gives a constant made from a Python value (``tf.constant([1, 2])`` is int32)."""
import numpy as np

__all__ = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
           "string", "DType", "as_dtype", "python_dtype", "uint16", "uint32", "uint64", "half",
           "double", "complex64", "complex128"]

# ---- dtypes (NumPy dtypes compare equal to a Tensor's .dtype and to their names) -------------
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = (np.dtype(n) for n in ("int8", "int16", "int32", "int64"))
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
uint16, uint32, uint64 = np.dtype("uint16"), np.dtype("uint32"), np.dtype("uint64")
half, double = float16, float64  # TensorFlow's aliases
complex64, complex128 = np.dtype("complex64"), np.dtype("complex128")  # tf.signal's FFTs
string = np.dtype(object)  # tf.string: object arrays of bytes (tensorforge/_text.py)
DType = np.dtype


# TensorFlow's DataType enum values (tf.zeros(1, 1) passes dtype=1, float32)
_TF_ENUM = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
            9: "int64", 10: "bool", 19: "float16", 8: "complex64", 17: "uint16",
            18: "complex128", 22: "uint32", 23: "uint64"}


# TensorFlow's own names that NumPy reads otherwise: NumPy's "float" is float64, TensorFlow's
# (and so Keras 2's K.placeholder(dtype="float"), K.variable(..., dtype="float")) float32
_TF_NAMES = {"float": "float32", "double": "float64", "half": "float16"}


def tf_name(dtype):
    """``dtype`` with TensorFlow's reading of the names "float", "double" and "half"."""
    return _TF_NAMES.get(dtype, dtype) if isinstance(dtype, str) else dtype


def as_dtype(dtype):
    if isinstance(dtype, (int, np.integer)) and not isinstance(dtype, bool):
        if int(dtype) not in _TF_ENUM:
            raise TypeError(f"as_dtype: {dtype} is not a supported TensorFlow dtype enum value")
        return np.dtype(_TF_ENUM[int(dtype)])
    try:
        return np.dtype(tf_name(getattr(dtype, "name", dtype)))
    except TypeError:
        raise TypeError(f"as_dtype: cannot interpret {dtype!r} as a dtype") from None


def python_dtype(value):
    """TensorFlow's dtype for a constant of ``value`` where it is not floatx: Python bools (and
    lists of them) bool, Python ints int32 (int64 past its range), NumPy integers and bools
    their own, NumPy float scalars their own (``np.float64(1.5)``: float64; a list takes its
    first element's, as TensorFlow's: ``[np.float64(2), 1.5]`` float64, ``[1.5, np.float64(2)]``
    float32); None for the rest (floats: floatx)."""
    if isinstance(value, np.floating):  # before int / float: np.float64 subclasses float
        return value.dtype
    if isinstance(value, (bool, int, list, tuple)):
        try:
            a = np.asarray(value)
        except (ValueError, TypeError):
            return None  # ragged: K.constant names the problem
        if a.dtype.kind == "b":
            return a.dtype
        if a.dtype.kind in "iu":
            fits = a.size == 0 or (a.min() >= -2**31 and a.max() < 2**31)
            return np.dtype(np.int32 if fits else np.int64)
        if a.dtype.kind == "f" and a.size:
            first = value
            while isinstance(first, (list, tuple)) and first:
                first = first[0]
            if isinstance(first, np.floating):
                return first.dtype
        return None
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "iub":
        return value.dtype
    return None
