"""The library behaviour of the Keras 2 era the programs were written for, where a later
release of a library both sides share changed it (the same on both sides).

pandas 2.0 made ``get_dummies`` return bool columns (pandas 0.x / 1.x: uint8). A program that
concatenates the dummies to its numeric columns and takes ``df.values`` (Jeff Heaton's T81-558
course, the thirty-fifth corpus) got a float64 array then and gets an object array now, which
both tf_keras 2.21 ("Failed to convert a NumPy array to a Tensor (Unsupported object type
float)") and tensorforge refuse. ``get_dummies`` without a ``dtype`` argument gets uint8 again.

NumPy 1.24 removed the builtin-type aliases np.int, np.float, np.object, np.complex and np.str
(deprecated in 1.20). Keras 2 era programs allocate with them (Hvass-Labs' machine-translation
tutorial: ``np.zeros(shape=shape, dtype=np.int)``, the fortieth corpus): they name the builtins
again, as they did then."""
import builtins
import functools


def install():
    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        return
    for name in ("int", "float", "object", "complex", "str"):
        if name not in np.__dict__:
            setattr(np, name, getattr(builtins, name))
    if getattr(pd.get_dummies, "_kp_era", False):
        return
    orig = pd.get_dummies

    @functools.wraps(orig)
    def get_dummies(*a, **kw):
        if kw.get("dtype") is None:
            kw["dtype"] = np.uint8
        return orig(*a, **kw)
    get_dummies._kp_era = True
    pd.get_dummies = get_dummies
