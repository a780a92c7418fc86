"""Argument checks shared by every kernel entry point."""
import os

import numpy as np

from .._xp import array_module

FLOAT_DTYPES = (np.float32, np.float64)
ACTIVATIONS = (None, "linear", "relu")


def shape_str(shape):
    shape = tuple(int(s) for s in shape)
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def is_array(x):
    return isinstance(x, np.ndarray) or type(x).__module__.startswith("cupy")


def check_array(op, name, x, ndim=None, layout="", dtypes=(np.float32,), allow_empty=False):
    """Return ``x`` if it is an array of an accepted dtype, rank and non-empty; raise otherwise.

    ``ndim`` is an int or a tuple of ints; ``layout`` names the axes for the message, e.g.
    "(N, H, W, C)".
    """
    if not is_array(x):
        raise TypeError(f"{op}: {name} must be an array, got {type(x).__name__}")
    if dtypes is not None and x.dtype not in [np.dtype(d) for d in dtypes]:
        want = " or ".join(np.dtype(d).name for d in dtypes)
        raise TypeError(f"{op}: {name} must be {want}, got {x.dtype} with shape {shape_str(x.shape)}")
    if ndim is not None:
        nds = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in nds:
            want = " or ".join(f"{d}-D" for d in nds)
            raise ValueError(f"{op}: {name} must be {want} {layout}".rstrip()
                             + f", got shape {shape_str(x.shape)}")
    if not allow_empty and x.size == 0:
        raise ValueError(f"{op}: {name} must not be empty, got shape {shape_str(x.shape)}")
    return x


def is_native(fn):
    """True for a kernel of the native CPU module, whose binding checks every argument itself
    (See Note [native fast path] in kernels/pointwise.py)."""
    return getattr(fn, "__module__", None) == "tensorforge._C"


def check_activation(op, activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"{op}: activation must be None or 'relu', got {activation!r}")
    return None if activation == "linear" else activation


def contiguous(x):
    """C-contiguous version of ``x`` (no copy when it already is)."""
    return array_module(x).ascontiguousarray(x)


def same_dtype(op, **arrays):
    items = [(k, v) for k, v in arrays.items() if v is not None]
    d0 = items[0][1].dtype
    for k, v in items[1:]:
        if v.dtype != d0:
            desc = ", ".join(f"{k} {v.dtype} {shape_str(v.shape)}" for k, v in items)
            raise TypeError(f"{op}: arguments must share one dtype, got {desc}")
    return d0


def _available_memory():
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return 0


def _output_limit():
    cap = os.environ.get("TENSORFORGE_MAX_OUTPUT_BYTES")
    if cap:
        try:
            return int(cap)
        except ValueError:
            pass
    return _available_memory() or 2 ** 62


def check_output_size(op, what, shape, itemsize=4):
    """An output larger than half the memory available (or than TENSORFORGE_MAX_OUTPUT_BYTES,
    when set) is a ValueError naming it (huge but legal geometry, e.g. a pad of 2**40, would
    otherwise fail deep inside NumPy with MemoryError or thrash the machine). Outputs up to
    1 GiB are never refused."""
    n = nz = itemsize
    for s in shape:
        n *= int(s)
        nz *= max(int(s), 1)
    if nz >= 2 ** 63:  # NumPy refuses such a shape even with a zero in it
        raise ValueError(f"{op}: {what} would have shape {shape_str(shape)}, beyond any array's size")
    if n > 2 ** 30 and n > _output_limit():  # (sysconf only for big outputs)
        raise ValueError(f"{op}: {what} would have shape {shape_str(shape)} ({n / 1e9:.3g} GB), "
                         "more than half the memory available (or TENSORFORGE_MAX_OUTPUT_BYTES)")


def num(op, name, v):
    """float(v) for a real number; anything else (None, a string, a bool) is a TypeError naming
    the op and the argument."""
    if isinstance(v, (bool, str, bytes)) or v is None:
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__}") from None
