"""Keras 2's ``metrics.serialize`` / ``metrics.deserialize``: a Metric object as tf_keras 2.13+
writes it ({'module': 'keras.metrics', 'class_name', 'config', 'registered_name': None}) and
back; a metric function by its name (tf_keras 2 warns that serialize() is for Metric objects
and writes a function as {'module': 'builtins', 'class_name': 'function', 'config': name})."""
import warnings

from .._custom_objects import custom_object
from .base import Metric
from .compile_utils import _CLASSES
from .functions import get

__all__ = ["serialize", "deserialize"]


def serialize(metric, use_legacy_format=False):
    if isinstance(metric, Metric):
        name = type(metric).__name__
        config = {"class_name": name, "config": metric.get_config()}
        if use_legacy_format:
            return config
        registered = None if _CLASSES.get(name) is type(metric) else name
        return dict({"module": "keras.metrics"}, **config, registered_name=registered)
    name = getattr(metric, "__name__", None)
    if callable(metric) and name and name != "<lambda>":
        warnings.warn("The `keras.metrics.serialize()` API should only be used for objects of "
                      f"type `keras.metrics.Metric`. Found {type(metric).__name__} {name!r}",
                      stacklevel=2)
        if use_legacy_format:
            return name
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError(f"metrics.serialize: cannot serialize {metric!r}")


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A Metric from a config dict, or a metric function from its name (or a function config)."""
    if isinstance(config, str):
        return (custom_objects or {}).get(config) or get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"metrics.deserialize: expected a name or a config dict with "
                         f"'class_name', got {config!r}")
    name = config["class_name"]
    if name == "function":
        return deserialize(config["config"], custom_objects)
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name) or custom_object(name)
    if cls is None:
        raise ValueError(f"metrics.deserialize: unknown metric class {name!r}; known: "
                         f"{', '.join(sorted(_CLASSES))} (pass a custom one in custom_objects)")
    cfg = config.get("config", {})
    return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)
