"""Loads the native extensions. Import never fails: a missing module is recorded with its reason.

``_C`` holds the CPU kernels, ``_C_cuda`` the CUDA kernels (built only where nvcc was found).
When ``_C`` cannot be imported, ``import tensorforge`` still works on the NumPy backend and warns
once with the reason (see ``warn_if_missing``).
"""
import importlib.util
import warnings

_C = None
_C_cuda = None
native_error = None
cuda_error = None

try:
    from . import _C  # noqa: F811
except ImportError as e:  # not built, wrong platform, or a broken build
    native_error = f"{type(e).__name__}: {e}"

try:
    _cuda_spec = importlib.util.find_spec(__package__ + "._C_cuda")
except ImportError as e:  # an import hook refused it
    _cuda_spec, cuda_error = None, f"{type(e).__name__}: {e}"
if _cuda_spec is None:
    cuda_error = cuda_error or ("not built: this install has no CUDA kernels (nvcc was not "
                                "found when it was built)")
else:
    try:
        from . import _C_cuda  # noqa: F811
    except ImportError as e:  # built, but it does not load here (driver, CUDA runtime, ...)
        cuda_error = f"{type(e).__name__}: {e}"

_warned = False


def warn_if_missing():
    """Warn once per process that the native CPU kernels are unavailable."""
    global _warned
    if _C is None and not _warned:
        _warned = True
        warnings.warn(
            "tensorforge: native CPU kernels unavailable, running on the NumPy fallback "
            f"({native_error})",
            RuntimeWarning,
            stacklevel=3,
        )
