"""``keras.layers.experimental`` of Keras 2 (TF 2.x): the layers Keras 2 programs import from
there. RandomFourierFeatures lives in kernelized.py."""
from .kernelized import RandomFourierFeatures  # noqa: F401

__all__ = ["RandomFourierFeatures"]
