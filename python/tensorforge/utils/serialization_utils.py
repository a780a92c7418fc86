"""Keras 2's generic serialization helpers in ``keras.utils``: serialize_keras_object /
deserialize_keras_object (tf_keras 2.13+'s layout: {'module', 'class_name', 'config',
'registered_name'}), get_registered_object / get_registered_name, CustomObjectScope.

A config's 'module' says where its class lives ('keras.layers', 'keras.initializers', ...);
without one (the legacy layout), the class is looked up among custom objects, then layers.
"""
import importlib

from .. import _custom_objects
from .._custom_objects import custom_object, custom_object_scope, get_custom_objects
from ..engine.serialization import get_layer_class

__all__ = ["serialize_keras_object", "deserialize_keras_object", "get_registered_object",
           "get_registered_name", "CustomObjectScope"]

CustomObjectScope = custom_object_scope  # Keras 2's class name for the same context manager

# the module a config names -> tensorforge's module with serialize / deserialize
_MODULES = {"keras.initializers": "initializers", "keras.regularizers": "regularizers",
            "keras.constraints": "constraints", "keras.losses": "losses",
            "keras.metrics": "metrics", "keras.activations": "activations",
            "keras.optimizers": "optimizers"}


def _module(short):
    return importlib.import_module("tensorforge." + short)


def get_registered_name(obj):
    """The name ``obj`` is registered under ('package>name' via register_keras_serializable),
    else its class or function name."""
    for key, value in get_custom_objects().items():
        if value is obj and ">" in key:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered as ``name``: in a custom object scope, the global custom objects,
    ``custom_objects``, then ``module_objects``; None when none has it."""
    found = custom_object(name)
    if found is not None:
        return found
    for table in (get_custom_objects(), custom_objects or {}, module_objects or {}):
        if name in table:
            return table[name]
    return None


def serialize_keras_object(instance):
    """A layer, initializer, regularizer, constraint, loss, metric or optimizer as
    {'module', 'class_name', 'config', 'registered_name'}; a function as its name config
    ({'module': ..., 'class_name': 'function', 'config': name}); None and plain values as they
    are."""
    if instance is None or isinstance(instance, (bool, int, float, str)):
        return instance
    if isinstance(instance, (list, tuple)):
        return [serialize_keras_object(x) for x in instance]
    if isinstance(instance, dict):
        return {k: serialize_keras_object(v) for k, v in instance.items()}
    registered = get_registered_name(type(instance) if not callable(instance) or hasattr(
        instance, "get_config") else instance)
    if hasattr(instance, "get_config"):
        cls = type(instance)
        module = _keras_module(cls)
        return {"module": module, "class_name": cls.__name__, "config": instance.get_config(),
                "registered_name": registered if ">" in registered else None}
    if callable(instance):
        name = getattr(instance, "__name__", None)
        if not name or name == "<lambda>":
            raise ValueError(f"serialize_keras_object: cannot serialize {instance!r} (a lambda)")
        return {"module": _keras_module(instance), "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError(f"serialize_keras_object: cannot serialize {instance!r}")


def _keras_module(obj):
    """'keras.layers' etc. for tensorforge's own classes and functions, else their module."""
    mod = getattr(obj, "__module__", "") or ""
    if mod.startswith("tensorforge.layers") or mod.startswith("tensorforge.engine"):
        return "keras.layers"
    for keras_mod, short in _MODULES.items():
        if mod == "tensorforge." + short or mod.startswith("tensorforge." + short + "."):
            return keras_mod
    return mod


def deserialize_keras_object(config, custom_objects=None, **kwargs):
    """Inverse of serialize_keras_object (and of tf_keras 2's own configs): the object a
    {'class_name', 'config'} dict (or a name) describes."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects) for c in config]
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects)
        if found is None:
            raise ValueError(f"deserialize_keras_object: unknown object {config!r}; pass it "
                             "in custom_objects")
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize_keras_object: expected a config dict with 'class_name', "
                         f"got {config!r}")
    name, module, inner = config["class_name"], config.get("module"), config.get("config", {})
    with _custom_objects.custom_object_scope(custom_objects or {}):
        if name == "function":
            short = _MODULES.get(module)
            found = get_registered_object(inner, custom_objects)
            if found is None and short is not None:
                found = getattr(_module(short), inner, None)
            if found is None:
                raise ValueError(f"deserialize_keras_object: unknown function {inner!r}")
            return found
        registered = config.get("registered_name")
        cls = get_registered_object(registered or name, custom_objects)
        if cls is None and module in _MODULES:
            return _module(_MODULES[module]).deserialize(
                {"class_name": name, "config": inner})
        if cls is None:
            cls = get_layer_class(name)
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
