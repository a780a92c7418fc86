"""The input layer (Keras 2's keras/engine/input_layer.py)."""
from .base_layer import Layer


class InputLayer(Layer):
    """Declares the input shape of a Sequential model (shown nowhere in its summary, as Keras)."""

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(name=name, input_shape=input_shape, batch_size=batch_size,
                         batch_input_shape=batch_input_shape, **kwargs)

    def call(self, x, training=False, mask=None):
        return x
