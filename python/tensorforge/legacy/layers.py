"""``keras.legacy.layers``: Keras 2.0-2.2's legacy layers (defined in layers/legacy.py)."""
from ..layers.convolutional import AtrousConvolution1D, AtrousConvolution2D
from ..layers.legacy import Highway, MaxoutDense, Merge, Recurrent, merge

__all__ = ["AtrousConvolution1D", "AtrousConvolution2D", "Highway", "MaxoutDense", "Merge",
           "Recurrent", "merge"]
