"""``tf.experimental``: the ``numpy`` module (``import tensorflow.experimental.numpy as tnp``)."""
from . import numpy  # noqa: F401

__all__ = ["numpy"]
