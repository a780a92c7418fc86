"""``tf.experimental`` and ``keras.experimental`` (``keras`` is this package too): the ``numpy``
module (``import tensorflow.experimental.numpy as tnp``), tf.keras 2.1-2.3's home of the
cosine schedules (``keras.experimental.CosineDecay``) and tf.keras 2.0-2.10's
``PeepholeLSTMCell``."""
from ..layers.rnn_cells import PeepholeLSTMCell
from ..optimizers.schedules import CosineDecay, CosineDecayRestarts
from . import numpy  # noqa: F401

__all__ = ["numpy", "CosineDecay", "CosineDecayRestarts", "PeepholeLSTMCell"]
