"""Argument coercion and checks shared by the Keras backend functions.

Keras backend functions take Tensors, arrays, Python numbers or nested lists and return Tensors.
Every bad argument is a TypeError or ValueError naming the function and the argument.
"""
import numpy as np

from .. import backend_config as _backend
from .._dispatch import get_backend
from .._xp import array_module
from ..autograd import Tensor
from ..tf_dtypes import tf_name
from ..kernels._common import is_array, shape_str
from ..ops.reduce import normalize_axis

__all__ = ["tensor", "host_float", "host_floats", "data", "device_xp", "shape_arg", "axis_arg",
           "dtype_arg", "int_arg", "shape_str"]


def device_xp():
    """The array module the current backend keeps Tensors in (cupy on 'cuda', else numpy)."""
    if get_backend() == "cuda":
        import cupy
        return cupy
    return np


def host_float(x):
    """Note [array fast path]: an exact, C-contiguous float32 / float64 NumPy array becomes a
    Tensor on a host backend (no copy: it shares the array, as ``tensor()`` does), so the
    Tensor fast paths (Note [backend fast paths] in math_ops.py) take it; anything else is
    returned unchanged for the general path and its conversions and error messages. Users call
    tf.* / K.* on arrays in losses, metrics and preprocessing."""
    if type(x) is np.ndarray and x.dtype in _HOST_FLOATS and x.flags.c_contiguous \
            and get_backend() != "cuda":
        return Tensor(x)
    return x


def host_floats(xs):
    """``host_float`` over a list or tuple (one backend check, the test inlined), as a list."""
    if get_backend() == "cuda":
        return list(xs)
    return [Tensor(x) if type(x) is np.ndarray and x.dtype in _HOST_FLOATS and x.flags.c_contiguous
            else x for x in xs]


# native float32 / float64 (a tuple: `in` finds the dtype singletons by identity first)
_HOST_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def tensor(fn, name, x, dtype=None):
    """``x`` as a Tensor (a Tensor is returned as it is). Python floats and float lists become
    floatx; NumPy arrays keep their dtype and move to the device on the cuda backend."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else Tensor(x.data.astype(dtype))
    if type(x) is np.ndarray and x.dtype.kind in "biufc" and get_backend() != "cuda":
        # a numeric host array on a host backend: the checks below pass (and of its own dtype,
        # Tensor's np.asarray returns the array itself: Tensor(x) without the dtype ladder)
        return Tensor(x) if dtype is None or x.dtype == dtype else Tensor(x, dtype=dtype)
    if not is_array(x) and hasattr(x, "__array__") and not isinstance(x, (str, bytes)):
        x = np.asarray(x)  # a pandas Series / DataFrame: TensorFlow reads its __array__ too
    if is_array(x) or isinstance(x, (np.generic, int, float, bool, list, tuple)):
        try:
            t = Tensor(x, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{fn}: {name} must be a Tensor, an array or a number; "
                            f"{type(x).__name__} could not be converted ({e})") from None
        if t.dtype == object:
            raise TypeError(f"{fn}: {name} must be numeric, got a ragged or non-numeric "
                            f"{type(x).__name__}")
        xp = device_xp()
        if xp is not np and array_module(t.data) is np:
            t.data = xp.asarray(t.data)
        return t
    raise TypeError(f"{fn}: {name} must be a Tensor, an array or a number, got {type(x).__name__}")


def data(x):
    return x.data if isinstance(x, Tensor) else x


def int_arg(fn, name, v, minimum=None):
    if isinstance(v, Tensor) and v.size == 1:
        v = v.item()
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fn}: {name} must be an int, got {v!r}")
    v = int(v)
    if minimum is not None and v < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {v}")
    return v


def shape_arg(fn, name, shape, allow_minus_one=False):
    """A shape given as ints, 0-d int Tensors (K.shape(x)[0]) or a 1-D int Tensor / array, as a
    tuple of ints."""
    if isinstance(shape, Tensor) or is_array(shape):
        arr = data(shape)
        arr = arr.get() if hasattr(arr, "get") and not isinstance(arr, np.ndarray) else np.asarray(arr)
        if arr.ndim > 1 or arr.dtype.kind not in "iu":
            raise TypeError(f"{fn}: {name} must be a 1-D integer shape, got {arr.dtype} "
                            f"with shape {shape_str(arr.shape)}")
        shape = arr.reshape(-1).tolist()
    elif isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"{fn}: {name} must be a tuple of ints, got {type(shape).__name__}")
    out = []
    for s in shape:
        s = int_arg(fn, name, s)
        if s < 0 and not (allow_minus_one and s == -1):
            raise ValueError(f"{fn}: {name} must not contain negative sizes, got {tuple(shape)}")
        out.append(s)
    if allow_minus_one and out.count(-1) > 1:
        raise ValueError(f"{fn}: {name} may contain -1 at most once, got {tuple(out)}")
    return tuple(out)


def axis_arg(fn, axis, x):
    """None or a sorted tuple of non-negative axes of ``x`` (see ops.reduce.normalize_axis)."""
    if axis is None:
        return None
    if type(axis) is int:  # the common K.mean(x, axis=-1), in two tests
        nd = x.ndim
        if -nd <= axis < nd:
            return (axis % nd,)
    return normalize_axis(fn, axis, x.ndim, x.shape)


def dtype_arg(fn, dtype, default=None):
    """A NumPy dtype from a Keras dtype name ('float32', 'int64', 'bool', ...) or a dtype."""
    if dtype is None:
        dtype = default if default is not None else _backend.floatx()
    try:
        return np.dtype(tf_name(getattr(dtype, "name", dtype)) if not isinstance(dtype, np.dtype)
                        else dtype)
    except TypeError:
        raise TypeError(f"{fn}: dtype must be a dtype name such as 'float32', got {dtype!r}") from None
