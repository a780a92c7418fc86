"""Keras 2's ``metrics.serialize`` / ``metrics.deserialize``: a Metric object as tf_keras 2.13+
writes it ({'module': 'keras.metrics', 'class_name', 'config', 'registered_name': None}) and
back; a metric function by its name (tf_keras 2 warns that serialize() is for Metric objects
and writes a function as {'module': 'builtins', 'class_name': 'function', 'config': name})."""
import warnings

from .._custom_objects import class_config, from_class_config
from .base import Metric
from .compile_utils import _CLASSES
from .functions import get

__all__ = ["serialize", "deserialize"]


def serialize(metric, use_legacy_format=False):
    if isinstance(metric, Metric):
        return class_config(metric, "keras.metrics", _CLASSES, use_legacy_format)
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
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize(config["config"], custom_objects)
    return from_class_config("metrics", config, _CLASSES, custom_objects, "metric class")
