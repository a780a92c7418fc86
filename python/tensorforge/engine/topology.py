"""Keras 2.0-2.2's ``keras.engine.topology`` (Layer, Input, InputLayer, InputSpec, Network)."""
from .base_layer import InputSpec, Layer  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
