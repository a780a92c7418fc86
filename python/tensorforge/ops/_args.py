"""Argument checks at the public op boundary, one call site per op (issue 16): arrays and their
dtypes, single axes, counts, flags, output sizes. Every failure is a TypeError (wrong kind of
value) or a ValueError (right kind, wrong value) naming the op, the argument and the shapes.
"""
import numpy as np

from ..autograd import Tensor
from ..kernels._common import check_output_size, shape_str  # noqa: F401  (re-exported)
from .basic import _checked

_KINDS = {"b": "bool", "i": "int", "u": "uint", "f": "float", "c": "complex"}


def data(a):
    return a.data if isinstance(a, Tensor) else a


def array_arg(op, name, a, kinds="biuf"):
    """(a, its array): a stays a Tensor when it is one (for autograd); numbers and nested lists
    become arrays. A dtype whose kind is not in ``kinds`` is a TypeError."""
    a = _checked(op, a, name)
    d = data(a)
    if d.dtype.kind not in kinds:
        want = " or ".join(_KINDS[k] for k in kinds)
        raise TypeError(f"{op}: {name} must be a {want} array, got dtype {d.dtype} with shape "
                        f"{shape_str(d.shape)}")
    return a, d


def int_arg(op, name, v, minimum=None):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {type(v).__name__} {v!r}")
    v = int(v)
    if minimum is not None and v < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v}")
    return v


def bool_arg(op, name, v):
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be a bool, got {type(v).__name__} {v!r}")
    return bool(v)


def axis_arg(op, name, axis, ndim, shape):
    """One axis in [-ndim, ndim) -> its non-negative value."""
    a = int_arg(op, name, axis)
    if not -ndim <= a < ndim:
        raise ValueError(f"{op}: {name} {a} is out of range for a tensor of shape {shape_str(shape)}")
    return a % ndim


def int_seq(op, name, v, minimum=0):
    """A list or tuple of ints >= minimum (an int alone is a 1-tuple)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        v = (v,)
    if not isinstance(v, (list, tuple)):
        raise TypeError(f"{op}: {name} must be a list of ints, got {type(v).__name__} {v!r}")
    return tuple(int_arg(op, f"{name}[{i}]", e, minimum) for i, e in enumerate(v))
