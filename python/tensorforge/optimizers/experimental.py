"""``tensorforge.optimizers.experimental``: tf.keras 2.9-2.10 named its new optimizers
``tf.keras.optimizers.experimental.Adam`` and so on (2.11 made them the default); here they are
the same classes as ``tensorforge.optimizers``."""
from . import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop  # noqa: F401
from .adafactor import Adafactor  # noqa: F401
from .ftrl import Ftrl  # noqa: F401

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "Ftrl", "Adafactor"]
