"""Model files in other frameworks' formats: Keras 2 HDF5 (``hdf5_format``), with the Keras
config translation (``keras_config``, ``keras_model``) and per-layer weight conversions
(``weights``). tensorforge's own .npz format is engine/saving.py's.

Also tf.keras 2.13+'s ``keras.saving`` namespace (``keras`` is this package): load_model,
save_model, register_keras_serializable, the custom-object registry and the (de)serializers,
the same functions as keras.models / keras.utils, looked up when first asked for
(engine/saving.py imports this package, so they cannot be imported here)."""
import importlib

from .hdf5_format import is_hdf5_file, is_hdf5_path  # noqa: F401
from .keras_config import supported_layer_classes  # noqa: F401

_PUBLIC = {  # name -> the module (of tensorforge) that defines it
    "load_model": "models", "save_model": "models",
    "register_keras_serializable": "utils", "custom_object_scope": "utils",
    "get_custom_objects": "utils", "get_registered_name": "utils",
    "get_registered_object": "utils", "serialize_keras_object": "utils",
    "deserialize_keras_object": "utils",
}

__all__ = ["is_hdf5_file", "is_hdf5_path", "supported_layer_classes"] + sorted(_PUBLIC)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tensorforge.saving' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tensorforge.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
