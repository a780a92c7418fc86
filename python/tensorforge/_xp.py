"""Array-module lookup with no other tensorforge imports (so reference ops can use it)."""
import numpy as np


def array_module(*arrays):
    """numpy, or cupy when any argument is a CuPy array (the reference ops are written on it)."""
    for a in arrays:
        if type(a).__module__.startswith("cupy"):
            import cupy
            return cupy
    return np
