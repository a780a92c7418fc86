"""Argument checks shared by every kernel entry point."""
import os

import numpy as np

from .. import _dispatch as backend
from .._xp import array_module

FLOAT_DTYPES = (np.float32, np.float64)
_F64 = np.dtype(np.float64)
ACTIVATIONS = (None, "linear", "relu")


def shape_str(shape):
    shape = tuple(int(s) for s in shape)
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def is_array(x):
    return isinstance(x, np.ndarray) or type(x).__module__.startswith("cupy")


def check_array(op, name, x, ndim=None, layout="", dtypes=FLOAT_DTYPES, allow_empty=False):
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


def kernel_for(op, name, dtype):
    """The current backend's kernel ``name`` for arrays of ``dtype``: float64 runs the NumPy
    reference on the cpu and numpy backends and is a TypeError naming ``op`` on the cuda backend.
    See Note [float64 kernels]."""
    if dtype != _F64:
        return backend.lookup(name)
    if backend.get_backend() == "cuda":
        raise TypeError(f"{op}: float64 is not supported on the cuda backend (it has no float64 "
                        "kernels); compute in float32 (K.set_floatx('float32'), dtype='float32') "
                        "or select the cpu backend (tensorforge.set_backend('cpu'))")
    return backend.lookup(name, "numpy")


# Note [float64 kernels]
# Keras 2 programs that ask for float64 (K.set_floatx('float64'), a layer's dtype='float64':
# PINNs, ODE and regression fits, tests against float64 NumPy) get float64 weights and outputs
# and float64 arithmetic, never a silent float32. The native kernels are float32 (gemm aside:
# it has an fp64 kernel, dgemm), so every kernel entry point routes float64 arrays to the NumPy
# reference (kernel_for): the same formulas as the native kernels, in float64. The native
# fast path tries the binding first and the binding refuses float64 (a TypeError), so float32
# calls cost nothing more. The CUDA kernels are float32 only: float64 there is a TypeError
# naming the op (and, earlier, the layer: engine/dtype_policy.py).


NATIVE_MODULE = "tensorforge._C"  # the __module__ of the native CPU module's kernels


def is_native(fn):
    """True for a kernel of the native CPU module, whose binding checks every argument itself
    (See Note [native fast path] in kernels/pointwise.py)."""
    return getattr(fn, "__module__", None) == NATIVE_MODULE


def takes_outputs(fn):
    """True when the native kernel ``fn`` accepts output arrays for its gradients (a module
    built before they existed does not: the caller then copies, See Note [gradient outputs])."""
    ok = _TAKES_OUTPUTS.get(fn)
    if ok is None:
        ok = _TAKES_OUTPUTS[fn] = "_out" in (getattr(fn, "__doc__", None) or "")
    return ok


_TAKES_OUTPUTS = {}


def check_output(op, arg, out, shape, dtype):
    """``out`` (None, or where a kernel must write a result of ``shape`` and ``dtype``) checked:
    a writable array of exactly that shape and dtype, else a ValueError / TypeError naming it."""
    if out is None:
        return
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        raise TypeError(f"{op}: {arg} must be an array, got {type(out).__name__}")
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"{op}: {arg} must have shape {shape_str(tuple(shape))}, got "
                         f"{shape_str(tuple(out.shape))}")
    if out.dtype != dtype:
        raise TypeError(f"{op}: {arg} must be {dtype}, got {out.dtype} with shape "
                        f"{shape_str(tuple(out.shape))}")
    if isinstance(out, np.ndarray) and not out.flags.writeable:
        raise ValueError(f"{op}: {arg} must be writable, got a read-only array with shape "
                         f"{shape_str(tuple(out.shape))}")


def into_output(result, out):
    """``result`` written into ``out`` (returned), or ``result`` itself when out is None or is it."""
    if out is None or result is None or result is out:
        return result
    if array_module(out) is not array_module(result):  # a gradient into a buffer on another device
        result = result.get() if array_module(out) is np else array_module(out).asarray(result)
    out[...] = result
    return out


# Note [gradient outputs]
# Data-parallel training reduces every parameter's gradient over the ranks from a few large
# buffers (tensorforge.distributed's buckets). Copying each gradient into its buffer would cost
# a pass over all of them per step, so the kernels that produce weight gradients (gemm's c,
# conv2d_backward's dw_out / db_out) can write a result straight into a caller's array: autograd
# hands a parameter's buffer view to the op producing its gradient (Context.grad_out, See Note
# [gradient outputs] in autograd/backward.py). The native CPU kernels write there directly; the other
# backends compute as usual and copy (into_output), so the contract is the same everywhere.


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


def _read_int(path, key=None):
    """The integer in a /proc or /sys file (the number after `key` when given), or None."""
    try:
        with open(path) as f:
            for line in f:
                if key is None or line.startswith(key):
                    return int(line.split()[1 if key else 0])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _available_memory():
    """Bytes a new allocation can take without swapping or meeting the OOM killer: MemAvailable
    (free memory plus the page cache the kernel can reclaim), capped by the cgroup v2 limit's
    headroom when the process runs under one; MemFree when /proc/meminfo is unreadable; None
    when unknown. (MemFree, what SC_AVPHYS_PAGES reports, leaves out the reclaimable page cache; half
    of it refused DLwP2 ch. 12's 1.52 GB Dense output on a busy 24 GB machine.)"""
    kb = _read_int("/proc/meminfo", "MemAvailable:")
    avail = None if kb is None else kb * 1024
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            pass
    cap, used = _read_int("/sys/fs/cgroup/memory.max"), _read_int("/sys/fs/cgroup/memory.current")
    if cap is not None and used is not None:  # ("max", no limit, does not parse)
        room = max(cap - used, 0)
        avail = room if avail is None else min(avail, room)
    return avail


def _output_limit():
    cap = os.environ.get("TENSORFORGE_MAX_OUTPUT_BYTES")
    if cap:
        try:
            return int(cap)
        except ValueError:
            pass
    avail = _available_memory()
    return 2 ** 62 if avail is None else avail


def check_output_size(op, what, shape, itemsize=4):
    """An output larger than the memory available (_available_memory), or than
    TENSORFORGE_MAX_OUTPUT_BYTES when set, is a ValueError naming it (huge but legal geometry,
    e.g. a pad of 2**40, would otherwise fail deep inside NumPy with MemoryError or meet the
    OOM killer). Outputs up to 1 GiB are never refused."""
    n = nz = itemsize
    for s in shape:
        n *= int(s)
        nz *= max(int(s), 1)
    if nz >= 2 ** 63:  # NumPy refuses such a shape even with a zero in it
        raise ValueError(f"{op}: {what} would have shape {shape_str(shape)}, beyond any array's size")
    if n > 2 ** 30 and n > _output_limit():  # (sysconf only for big outputs)
        raise ValueError(f"{op}: {what} would have shape {shape_str(shape)} ({n / 1e9:.3g} GB), "
                         "more than the memory available (or TENSORFORGE_MAX_OUTPUT_BYTES)")


def num(op, name, v):
    """float(v) for a real number; anything else (None, a string, a bool) is a TypeError naming
    the op and the argument."""
    if isinstance(v, (bool, str, bytes)) or v is None:
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__}") from None
