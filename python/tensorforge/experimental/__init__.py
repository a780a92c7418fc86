"""``tf.experimental`` and ``keras.experimental`` (``keras`` is this package too): the ``numpy``
module (``import tensorflow.experimental.numpy as tnp``) and tf.keras 2.1-2.3's home of the
cosine schedules (``keras.experimental.CosineDecay``)."""
from ..optimizers.schedules import CosineDecay, CosineDecayRestarts
from . import numpy  # noqa: F401

__all__ = ["numpy", "CosineDecay", "CosineDecayRestarts"]
