"""Keras 2 ``keras.utils.generic_utils``: Progbar (defined with the callbacks that draw it) and
the custom-object registry and (de)serializers Keras 2 programs import from here
(``get_custom_objects().update({'swish': swish})``)."""
from ..callbacks import Progbar  # noqa: F401
from ..engine.serialization import custom_object_scope, get_custom_objects  # noqa: F401
from .serialization_utils import (CustomObjectScope, deserialize_keras_object,  # noqa: F401
                                  serialize_keras_object)

__all__ = ["Progbar", "custom_object_scope", "get_custom_objects", "CustomObjectScope",
           "serialize_keras_object", "deserialize_keras_object"]
