"""Constructor argument checks shared by the layers: Keras 2 raises for these at construction
(or at the first build), so a layer built from nonsense never runs silently."""
import numbers


def is_int(v):
    """An int or NumPy integer (not a bool, not a float, not a string)."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def positive_int(layer, name, v, minimum=1):
    """``v`` as an int >= ``minimum`` (1; Dense's units take 0, as tf_keras builds a zero-unit
    layer), else a TypeError / ValueError naming the layer and the argument."""
    what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if not is_int(v):
        raise TypeError(f"{layer}: {name} must be {what}, got {type(v).__name__} {v!r}")
    if v < minimum:
        raise ValueError(f"{layer}: {name} must be {what}, got {v}")
    return int(v)


def int_units(v):
    """Keras 2's Dense takes ``int(units)`` of a non-int count (``neuronCount * 0.2``, 200.0:
    200 units; ``'3'``: 3), as tf_keras' ``int(units) if not isinstance(units, int)``; a string
    int() refuses raises its ValueError, as there; anything else int() refuses, a bool or a
    non-numeric value, is left for positive_int to reject."""
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError as e:
            raise ValueError(f"Dense: units must be an integer, got {v!r} ({e})") from None
    return int_filters(v)


def int_filters(v):
    """tf_keras' conv layers take ``int(filters)`` of a float (Conv2D(8.0, 3): 8 filters); a
    string, a bool or a NaN is left for positive_int to reject (tf_keras: TypeError)."""
    if isinstance(v, numbers.Real) and not isinstance(v, (bool, numbers.Integral)) and v == v \
            and abs(v) != float("inf"):
        return int(v)
    return v


def int_pair(layer, name, v, minimum=1):
    """An int or a pair of ints -> (a, b), each >= minimum (Keras' conv_utils.normalize_tuple)."""
    if is_int(v):
        v = (v, v)
    elif isinstance(v, (tuple, list)) and len(v) == 2 and all(is_int(e) for e in v):
        v = tuple(v)
    else:
        raise ValueError(f"{layer}: {name} must be an int or a tuple of 2 integers, got {v!r}")
    if v[0] < minimum or v[1] < minimum:
        raise ValueError(f"{layer}: {name} must be >= {minimum}, got {tuple(int(e) for e in v)}")
    return int(v[0]), int(v[1])


def rate(layer, name, v):
    """A float in [0, 1)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{layer}: {name} must be a number in [0, 1), got {type(v).__name__} {v!r}")
    if not 0 <= v < 1:
        raise ValueError(f"{layer}: {name} must be in [0, 1), got {v}")
    return float(v)


def axis(layer, v):
    if not is_int(v):
        raise TypeError(f"{layer}: axis must be an int, got {type(v).__name__} {v!r}")
    return int(v)
