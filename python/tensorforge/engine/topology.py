"""Keras 2.0-2.2's ``keras.engine.topology`` (Layer, Input, InputLayer, InputSpec, Network, its
Keras 2.0-2.1 name Container, get_source_inputs)."""
from .base_layer import InputSpec, Layer  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
from ..symbolic.node import get_source_inputs  # noqa: F401

Container = Network
