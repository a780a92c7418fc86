"""Array exchange with other libraries (NumPy, CuPy, PyTorch, JAX, ...), without copies where
the layouts allow.

Reading (``as_array``; Tensor() and every public op call it on arguments that are not already
NumPy / CuPy arrays or Tensors), protocols in this order:
  1. ``__cuda_array_interface__`` (CuPy, Numba, PyTorch CUDA tensors): ``cupy.asarray`` views the
     device memory (no copy). Needs CuPy.                                  [GPU: not verified here]
  2. ``__dlpack__`` + ``__dlpack_device__``: a CPU producer (device type 1, kDLCPU) is viewed by
     ``numpy.from_dlpack`` (no copy); a CUDA producer (type 2) by ``cupy.from_dlpack`` (no copy).
                                                                           [GPU: not verified here]
  3. ``__array_interface__`` / ``__array__``: ``numpy.asarray`` (no copy when the object hands out
     a view of its memory, as PyTorch CPU tensors and JAX CPU arrays do).
A strided (non-contiguous) view stays a view: kernels that need C-contiguous data copy it then,
as they do for NumPy views. dtypes are kept (Keras' float32 cast happens at the model boundary).

Writing: ``Tensor.__dlpack__`` / ``Tensor.__dlpack_device__`` hand out the Tensor's own buffer
(NumPy's or CuPy's DLPack export), so ``torch.from_dlpack(t)``, ``jax.dlpack.from_dlpack(t)``,
``np.from_dlpack(t)`` and ``cupy.from_dlpack(t)`` read a Tensor without a copy;
``tensorforge.from_dlpack(obj)`` is the reverse.
"""
import functools

import numpy as np

__all__ = ["as_array", "is_foreign", "accepting_foreign", "reads_foreign", "convert",
           "tensor_dlpack", "tensor_dlpack_device"]

_KDLCPU, _KDLCUDA, _KDLCUDAHOST, _KDLCUDAMANAGED = 1, 2, 3, 13


def _classify(t):
    if issubclass(t, (np.ndarray, np.generic, int, float, bool, complex, str, bytes, list, tuple,
                      dict, type(None))):
        return False
    mod = getattr(t, "__module__", "") or ""
    if mod.startswith("cupy") or mod.startswith("tensorforge"):
        return False  # CuPy arrays are native on the cuda backend; our Tensor is handled apart
    return any(hasattr(t, p) for p in ("__dlpack__", "__cuda_array_interface__",
                                       "__array_interface__", "__array__"))


_FOREIGN_BY_TYPE = {}  # type -> bool: every test above depends on the type alone


def is_foreign(x):
    """True for an array-like of another library (it speaks one of the exchange protocols)."""
    t = type(x)
    r = _FOREIGN_BY_TYPE.get(t)
    if r is None:
        r = _FOREIGN_BY_TYPE[t] = _classify(t)
    return r


def _cupy(what):
    try:
        import cupy
    except ImportError:
        raise TypeError(f"{what} lives on a CUDA device; reading it needs CuPy "
                        "(pip install 'tensorforge[cuda]')") from None
    return cupy


def _from_dlpack(x, name):
    try:
        dev_type = int(x.__dlpack_device__()[0])
    except Exception:  # noqa: BLE001 -- a producer without a usable device query: assume CPU
        dev_type = _KDLCPU
    try:
        if dev_type in (_KDLCUDA, _KDLCUDAMANAGED):
            return _cupy(name).from_dlpack(x)  # [GPU: not verified here]
        return np.from_dlpack(x)
    except TypeError:
        raise
    except Exception as e:  # e.g. PyTorch: "Can't export tensors that require gradient"
        raise TypeError(f"cannot read {name} through DLPack: {e}") from None


def as_array(x, dtype=None):
    """A NumPy (or CuPy, for device data) array viewing ``x``'s memory where possible."""
    name = f"a {type(x).__module__}.{type(x).__name__}"
    t = type(x)
    if hasattr(t, "__cuda_array_interface__") and hasattr(x, "__cuda_array_interface__"):
        arr = _cupy(name).asarray(x)  # a view of the device memory [GPU: not verified here]
    elif hasattr(t, "__dlpack__") and hasattr(t, "__dlpack_device__"):
        arr = _from_dlpack(x, name)
    else:
        try:
            arr = np.asarray(x)
        except Exception as e:  # noqa: BLE001
            raise TypeError(f"cannot read {name} as an array: {e}") from None
        if arr.dtype == object:
            raise TypeError(f"cannot read {name} as a numeric array (it converts to dtype object)")
    if dtype is not None and arr.dtype != np.dtype(dtype):
        arr = arr.astype(dtype)
    return arr


def tensor_dlpack(data, stream=None, max_version=None, dl_device=None, copy=None):
    """``data.__dlpack__`` with the keywords the array's library understands."""
    kw = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                             ("dl_device", dl_device), ("copy", copy)) if v is not None}
    try:
        return data.__dlpack__(**kw)
    except TypeError:
        if "max_version" in kw or "dl_device" in kw or "copy" in kw:  # an older NumPy / CuPy
            return data.__dlpack__(**({"stream": stream} if stream is not None else {}))
        raise


def tensor_dlpack_device(data):
    return data.__dlpack_device__()


def reads_foreign(fn):
    """Mark ``fn`` as reading other libraries' arrays itself (its common cases test the exact
    types of its arguments, and anything else takes a path that calls ``convert``), so that
    ``accepting_foreign`` leaves it unwrapped: the wrapper's pass over the arguments was a third
    of a small op's Python overhead (issue 15)."""
    fn._reads_foreign = True
    return fn


def convert(v):
    """``v`` read as an array when it is another library's array-like, else ``v`` itself."""
    return as_array(v) if is_foreign(v) else v


def accepting_foreign(fn):
    """``fn`` with array-likes of other libraries among its arguments read as arrays first
    (``fn`` itself when it does that already: ``reads_foreign``)."""
    if getattr(fn, "_reads_foreign", False):
        return fn
    known = _FOREIGN_BY_TYPE.get

    def convert_and_call(args, kwargs):
        args = tuple(convert(a) for a in args)
        kwargs = {k: convert(v) for k, v in kwargs.items()}
        return fn(*args, **kwargs)

    @functools.wraps(fn)
    def op(*args, **kwargs):
        for a in args:  # the common case costs one dict lookup per argument
            if known(type(a)) is not False and is_foreign(a):
                return convert_and_call(args, kwargs)
        if kwargs:
            for v in kwargs.values():
                if known(type(v)) is not False and is_foreign(v):
                    return convert_and_call(args, kwargs)
        return fn(*args, **kwargs)
    return op
