"""The NumPy reference implementation of every op: the fallback backend and the tests' oracle.

Each submodule holds one op family and lists its ops in ``__all__``; the names and signatures are
those of the native module ``tensorforge._C`` (and ``_C_cuda``), so the dispatch table
(``tensorforge.backend``) can swap one for the other. Functions take and return arrays, validate
nothing (``tensorforge.kernels`` does) and are written on ``xp`` (NumPy, or CuPy for GPU arrays)
where that costs nothing. Everything is vectorized: no Python loops over pixels or batch rows.
"""
from . import gemm as _gemm
from .gemm import *  # noqa: F401,F403

OPS = list(_gemm.__all__)


def _extend(mod):
    OPS.extend(n for n in mod.__all__ if n not in OPS)
    globals().update({n: getattr(mod, n) for n in mod.__all__})


# Op families register themselves here, one line each.
for _name in ("conv", "conv3d", "pool", "rnn", "rnn_dropout", "pointwise", "optim", "norm",
              "norm_group", "embedding", "image"):
    try:
        _mod = __import__(f"{__name__}.{_name}", fromlist=["__all__"])
    except ModuleNotFoundError as _e:
        if _e.name != f"{__name__}.{_name}":
            raise
        continue
    _extend(_mod)
