"""Backend selection and the dispatch table.

The table maps (op, backend) -> function. It is filled with the NumPy reference for every
backend first, then native kernels override it where they exist (as BLIS loads reference kernels
and a chip's table overrides them). Ops call ``lookup(name)``; nothing else in the Python layer
branches on the backend.

Backends: ``'numpy'`` (reference, always there), ``'cpu'`` (the _C extension), ``'cuda'`` (the
_C_cuda extension on CuPy arrays). The initial backend comes from ``TENSORFORGE_BACKEND``, else
``'cpu'`` when the native module imported, else ``'numpy'``.

This module sits under the kernels and ops; its public names are re-exported by
``tensorforge.backend`` (Keras' backend module, which stands above the ops) and ``tensorforge``.
"""
import os

import numpy as np

from . import _cuda_host
from . import _native
from . import reference

BACKENDS = ("numpy", "cpu", "cuda")

_table = {}  # op name -> {backend: fn}
_state = {"backend": None}
_current = {}  # op name -> fn on the current backend: lookup's fast path (every kernel call)
# Bumped by every register and set_backend: what caches kernels beyond _current (the compiled
# training step, engine/compiled_step.py) rebuilds when it changes.
generation = [0]


def register(op, backend, fn):
    """Set the implementation of ``op`` for ``backend`` (later registrations win)."""
    if backend not in BACKENDS:
        raise ValueError(f"register: backend must be one of {BACKENDS}, got {backend!r}")
    _table.setdefault(op, {})[backend] = fn
    _current.clear()
    generation[0] += 1


def lookup(op, backend=None):
    """The function implementing ``op`` on ``backend`` (default: the current backend)."""
    if backend is None:
        fn = _current.get(op)
        if fn is not None:
            return fn
    b = backend or get_backend()
    try:
        fn = _table[op][b]
    except KeyError:
        raise NotImplementedError(f"{op}: no implementation for backend {b!r}") from None
    if b == _state["backend"]:
        _current[op] = fn
    return fn


def implementation(op, backend=None):
    """'native' if ``op`` runs a native kernel on ``backend``, else 'reference'."""
    fn = lookup(op, backend)
    return "reference" if getattr(fn, "__module__", "").startswith("tensorforge.reference") else "native"


def _fill_table():
    for name in reference.OPS:
        ref = getattr(reference, name)
        for b in BACKENDS:
            register(name, b, ref)
        if _native._C is not None and hasattr(_native._C, name):
            register(name, "cpu", getattr(_native._C, name))
        if _native._C_cuda is not None and hasattr(_native._C_cuda, name):
            register(name, "cuda", _cuda_host.wrap(name, getattr(_native._C_cuda, name)))


def cuda_available():
    """True when the CUDA extension was built and a GPU is visible."""
    if _native._C_cuda is None:
        return False
    try:
        return _native._C_cuda.device_count() > 0
    except Exception:
        return False


def cuda_version_mismatch(built, cupy_runtime):
    """None when the CUDA major the kernels were built with (CUDART_VERSION, e.g. 13000) and the
    one CuPy runs (runtimeGetVersion()) agree or one is unknown; else the reason, naming the
    CuPy wheel to install."""
    if not built or not cupy_runtime:
        return None
    b, c = int(built) // 1000, int(cupy_runtime) // 1000
    if b == c:
        return None
    extra = "cuda" if b >= 13 else f"cuda{b}"
    return (f"tensorforge's CUDA kernels were built with CUDA {b} but CuPy runs CUDA {c}; install "
            f"the matching CuPy (pip install 'tensorforge[{extra}]', i.e. cupy-cuda{b}x)")


def set_backend(name):
    """Select 'numpy', 'cpu' or 'cuda' for every op from now on."""
    if name not in BACKENDS:
        raise ValueError(f"set_backend: backend must be one of {BACKENDS}, got {name!r}")
    if name == "cpu" and _native._C is None:
        raise RuntimeError(f"set_backend: the native CPU module is unavailable ({_native.native_error})")
    if name == "cuda":
        if _native._C_cuda is None:
            raise RuntimeError(
                "set_backend: tensorforge was built without CUDA kernels "
                f"({_native.cuda_error or 'nvcc was not found at build time'})")
        if not cuda_available():
            raise RuntimeError("set_backend: the CUDA kernels are built but no GPU is visible")
        try:
            import cupy
        except ImportError as e:
            raise RuntimeError("set_backend: the cuda backend needs CuPy "
                               "(pip install tensorforge[cuda])") from e
        msg = cuda_version_mismatch(getattr(_native._C_cuda, "cuda_build_version", None),
                                    cupy.cuda.runtime.runtimeGetVersion())
        if msg:
            raise RuntimeError("set_backend: " + msg)
    _state["backend"] = name
    _current.clear()
    generation[0] += 1


def get_backend():
    """The current backend name."""
    if _state["backend"] is None:
        _init_backend()
    return _state["backend"]


def _init_backend():
    env = os.environ.get("TENSORFORGE_BACKEND", "").strip().lower()
    if env:
        set_backend(env)
        return
    if _native._C is None:
        _native.warn_if_missing()
        _state["backend"] = "numpy"
    else:
        _state["backend"] = "cpu"


MAX_THREADS = 255  # the native module's bound (Note [thread bound] in csrc/bindings/module.cpp)


def set_num_threads(n):
    """Threads used by the native CPU kernels (their thread pool; OMP_NUM_THREADS or
    TENSORFORGE_NUM_THREADS set the default): an int in [1, MAX_THREADS]."""
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError(f"set_num_threads: n must be an int, got {type(n).__name__} {n!r}")
    n = int(n)
    limit = getattr(_native._C, "MAX_THREADS", MAX_THREADS)
    if not 1 <= n <= limit:
        raise ValueError(f"set_num_threads: n must be in [1, {limit}], got {n}")
    if _native._C is not None:
        _native._C.set_num_threads(n)
    _state["threads"] = n


def get_num_threads():
    if _native._C is not None:
        return _native._C.get_num_threads()
    return _state.get("threads", os.cpu_count() or 1)


def release_workspaces():
    """Free the native kernels' cached scratch buffers.

    The CPU kernels keep their large scratch (packed weights, RNN gate gradients, GEMM panels)
    per thread between calls, so repeated calls do not page-fault fresh memory in; the cache
    holds the largest size used so far. Call this to give that memory back after a large
    model; each thread frees its buffers at its next kernel call.
    """
    if _native._C is not None and hasattr(_native._C, "release_workspaces"):
        _native._C.release_workspaces()


def clear_alloc_cache():
    """Give back the memory of the large freed arrays that tensorforge keeps for reuse.

    NumPy allocates arrays through tensorforge's cache (Note [large array page faults] in
    csrc/include/tf/alloc_cache.h): a freed block of 128 KiB or more is kept mapped, up to a cap,
    so the next array of its size needs no fresh pages; one unused for 2 s is unmapped when the
    next large array is made or freed. This unmaps every block held (arrays in use are
    untouched); ``K.clear_session()`` calls it too. ``backend_info()['alloc_cache']`` shows what
    is held.
    """
    if _native._C is not None and hasattr(_native._C, "alloc_cache_clear"):
        _native._C.alloc_cache_clear()


def enable_alloc_cache(over_default_only=False):
    """Make the array cache NumPy's allocator in the calling thread.

    Importing tensorforge enables it for the importing thread (and the asyncio tasks it starts);
    NumPy keeps the allocator per context, so a thread started with ``threading.Thread`` begins
    with NumPy's default allocator (Note [allocator context] in csrc/bindings/alloc_cache.cpp).
    Returns False when the cache is off (``TENSORFORGE_ALLOC_CACHE=0``, no native kernels), or
    when ``over_default_only`` and the thread has an allocator other than NumPy's default (the
    training loop calls it so, for threads and notebook cells with a fresh context).
    """
    if _native._C is not None and hasattr(_native._C, "alloc_cache_install"):
        return bool(_native._C.alloc_cache_install(over_default_only))
    return False


def _alloc_cache_row(a):
    """backend_info's row for the array cache, from _C.alloc_cache_info()."""
    if not a["available"]:
        return a["off_reason"]
    return (f"{'on' if a['installed'] else 'not installed in this thread'}, blocks >= "
            f"{_size(a['min_bytes'])}, cap {_size(a['cap_bytes'])}, unused ones kept {a['max_age_s']:g} s; holds {a['cached_bytes'] >> 20} MiB "
            f"in {a['cached_blocks']} blocks; hits {a['hits']}, misses {a['misses']}, "
            f"evictions {a['evictions']} ({a['expired']} for age)")


def _size(n):
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n >> 10} KiB"


def _cpu_info(ci):
    """backend_info's CPU rows from _C.cpu_info(): model, caches, the GEMM blocking chosen."""
    shared = lambda k: f" (shared by {ci[k]} cpus)" if ci[k] > 1 else ""  # noqa: E731
    return {
        "cpu": f"{ci['brand'] or ci['vendor']} (family {ci['family']:#x}, model {ci['model']:#x})"
               + (", AVX-512 at half rate" if ci["zmm_half_rate"] else "")
               + (", 256-bit FMA at half rate" if ci.get("ymm_half_rate") else ""),
        "caches": f"L1d {_size(ci['l1d'])}, L2 {_size(ci['l2'])}{shared('l2_sharing')}, "
                  f"L3 {_size(ci['l3'])}{shared('l3_sharing')} (from {ci['cache_source']})",
        "gemm_blocking": f"MR x NR {ci['sgemm_mr']} x {ci['sgemm_nr']}, KC {ci['sgemm_kc']}, "
                         f"MC {ci['sgemm_mc']}, NC {ci['sgemm_nc']}",
    }


def _scheduler(C):
    if C is None:
        return None
    pinned = os.environ.get("TENSORFORGE_PIN_THREADS") != "0"  # Note [helpers pinned off the caller's cpu]
    return "tensorforge pool (chunks claimed dynamically" + (", helpers pinned off the caller's CPU)" if pinned else ")")


def backend_info(print_it=True):
    """Describe the runtime: backend, ISA path, threads, CPU and caches with the GEMM blocking
    chosen from them, CUDA build and GPU, versions.

    Returns a dict and (by default) prints it.
    """
    from ._version import __version__
    C = _native._C
    info = {
        "version": __version__,
        "backend": get_backend(),
        "native_cpu": C is not None,
        "native_version": getattr(C, "__version__", None),
        "isa": C.isa() if C is not None else None,
        "supported_isas": list(C.supported_isas()) if C is not None else [],
        "openmp": bool(C.openmp()) if C is not None else False,
        "threads": get_num_threads(),
        "scheduler": _scheduler(C),
        "cuda_compiled": _native._C_cuda is not None,
        "gpu_visible": cuda_available(),
        "numpy": np.__version__,
    }
    if C is not None and hasattr(C, "cpu_info"):
        info.update(_cpu_info(C.cpu_info()))
    if C is not None and hasattr(C, "alloc_cache_info"):
        info["alloc_cache"] = _alloc_cache_row(C.alloc_cache_info())
    if C is None:
        info["native_error"] = _native.native_error
    if _native._C_cuda is not None and info["gpu_visible"]:
        try:
            info["gpu"] = _native._C_cuda.device_name(0)
        except Exception:
            pass
    if print_it:
        width = max(len(k) for k in info)
        for k, v in info.items():
            print(f"{k:<{width}}  {v}")
    return info


_fill_table()
