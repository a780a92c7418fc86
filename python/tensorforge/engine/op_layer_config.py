"""The config of an OpLayer (base_layer.py): a TensorFlow-style op recorded on KerasTensors
(``tf.one_hot(inputs, depth=20000)``) saved with its model, as Keras 2 saves a TFOpLambda layer.

The config names the function by module and qualified name (only functions of tensorforge's own
modules: a file never imports other code) and keeps the call's arguments with each KerasTensor
replaced by its position among the layer's inputs: ``{"__keras_tensor__": i}``. Tuples and
dtypes are tagged so that JSON keeps them; anything else (arrays, objects) cannot be saved and
raises, as before. Rebuilt, the layer's inputs arrive in the same order (the graph's inbound
nodes list them in the order the layer recorded them), and each slot takes its input's value.
"""
import importlib

import numpy as np

from ..symbolic.node import KerasTensor, flatten


class Slot:
    """The i-th input of a rebuilt OpLayer, standing where a KerasTensor stood."""

    def __init__(self, index):
        self.index = index


def _cannot(name, why):
    return ValueError(f"{name}: an op recorded on symbolic tensors cannot be saved ({why}); wrap "
                      "the computation in a Lambda layer (with a named function) to save the "
                      "model architecture")


def function_name(layer):
    fn = layer.fn
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):  # a classmethod (an autograd Function's apply): its own class
        mod, qual = owner.__module__, f"{owner.__qualname__}.{fn.__name__}"
    else:
        mod, qual = getattr(fn, "__module__", None) or "", getattr(fn, "__qualname__", None) or ""
    if not mod.startswith("tensorforge.") or not qual or "<" in qual:
        raise _cannot(layer.name, f"{getattr(fn, '__name__', fn)!r} is not a tensorforge function")
    return f"{mod}:{qual}"


def encode(layer, value, kts):
    """``value`` (the call's args / kwargs) as JSON data; ``kts`` the layer's KerasTensors."""
    index = {id(t): i for i, t in enumerate(kts)}

    def enc(v):
        if isinstance(v, (KerasTensor, Slot)):  # a rebuilt layer holds Slots
            return {"__keras_tensor__": index[id(v)]}
        if isinstance(v, (bool, int, float, str)) or v is None:
            return v
        if isinstance(v, (np.bool_, np.integer, np.floating)):
            return v.item()
        if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
            return {"__dtype__": np.dtype(v).name}
        if isinstance(v, tuple):
            return {"__tuple__": [enc(e) for e in v]}
        if isinstance(v, list):
            return [enc(e) for e in v]
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {"__dict__": {k: enc(e) for k, e in v.items()}}
        raise _cannot(layer.name, f"an argument of type {type(v).__name__}")
    return enc(value)


def decode(value):
    if isinstance(value, list):
        return [decode(e) for e in value]
    if isinstance(value, dict):
        if set(value) == {"__keras_tensor__"}:
            return Slot(int(value["__keras_tensor__"]))
        if set(value) == {"__tuple__"}:
            return tuple(decode(e) for e in value["__tuple__"])
        if set(value) == {"__dtype__"}:
            return np.dtype(value["__dtype__"])
        if set(value) == {"__dict__"}:
            return {k: decode(e) for k, e in value["__dict__"].items()}
        raise ValueError(f"OpLayer.from_config: unexpected argument data {value!r}")
    return value


def resolve(name):
    """The function a config names (``module:qualified.name``), from tensorforge's modules only."""
    mod, _, qual = str(name).partition(":")
    if not mod.startswith("tensorforge.") or not qual:
        raise ValueError(f"OpLayer.from_config: {name!r} does not name a tensorforge function")
    # Only a function or an autograd Function's classmethod *defined* in tensorforge: no dunder
    # attributes and no walk through a module another module imported (`tensorforge.x:os.system`)
    # or through a class's bases, so that a model file can name nothing else.
    parts = qual.split(".")
    if any(not p or p.startswith("__") for p in parts):
        raise ValueError(f"OpLayer.from_config: {name!r} does not name a tensorforge function")
    try:
        obj = importlib.import_module(mod)
    except ImportError:
        raise ValueError(f"OpLayer.from_config: {name!r} does not name a tensorforge function") from None
    for i, part in enumerate(parts):
        if i and not (isinstance(obj, type) and _ours(obj)):
            raise ValueError(f"OpLayer.from_config: {name!r} does not name a tensorforge function")
        obj = getattr(obj, part, None)
    owner = getattr(obj, "__self__", None)
    defined = getattr(obj, "__func__", None) if isinstance(owner, type) else obj  # a classmethod's
    if not callable(obj) or isinstance(obj, type) or not _ours(defined):
        raise ValueError(f"OpLayer.from_config: {name!r} does not name a tensorforge function")
    return obj


def _ours(obj):
    return str(getattr(obj, "__module__", None) or "").startswith("tensorforge.")


def slots_in_order(template):
    """A rebuilt layer's Slots in input order (their flatten order is the recorded order)."""
    slots = [t for t in flatten(list(template)) if isinstance(t, Slot)]
    return sorted(slots, key=lambda s: s.index)
