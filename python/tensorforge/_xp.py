"""Array-module lookup with no other tensorforge imports (so reference ops can use it)."""
import numpy as np


def array_module(*arrays):
    """numpy, or cupy when any argument is a CuPy array (the reference ops are written on it)."""
    for a in arrays:
        if type(a).__module__.startswith("cupy"):
            import cupy
            return cupy
    return np


def _is_device(a):
    return type(a).__module__.split(".")[0] == "cupy"


def raw(x):
    """A Tensor's array, or ``x`` itself: an array as it is (a CuPy array's own ``.data`` is its
    memory pointer, so ``getattr(x, "data", x)`` is wrong for one), anything else unchanged."""
    if hasattr(x, "__array_interface__") or hasattr(x, "__cuda_array_interface__"):
        return x
    return getattr(x, "data", x)


def host(x):
    """``raw(x)`` as a host value: a CuPy array copied to a NumPy one."""
    x = raw(x)
    return x.get() if _is_device(x) else x


def like(a, ref):
    """``a`` as an array of ``ref``'s module (one copy when they live on different devices)."""
    a = raw(a)
    if _is_device(ref):
        if _is_device(a):
            return a
        import cupy
        return cupy.asarray(a)
    return a.get() if _is_device(a) else a


def to_one_device(args):
    """Where ``args`` (a list, changed in place) mixes CuPy and NumPy arrays, copy the NumPy ones
    (also inside a tuple argument, e.g. an index) to the GPU and return True; else False.

    Note [mixed host and device operands]: an op given a GPU array and a NumPy array (a constant
    in a Keras loss, labels, an index) runs on the GPU with the host operand copied there, as
    TensorFlow converts an eager op's NumPy constants; results then live on the GPU. Called only
    after an op failed with the TypeError that mixing raises, so it costs nothing otherwise."""
    flat = [x for a in args for x in (a if type(a) is tuple else (a,))]
    if not any(_is_device(x) for x in flat) or not any(type(x) is np.ndarray for x in flat):
        return False
    import cupy

    def move(x):
        return cupy.asarray(x) if type(x) is np.ndarray else x
    for i, a in enumerate(args):
        args[i] = tuple(move(x) for x in a) if type(a) is tuple else move(a)
    return True
