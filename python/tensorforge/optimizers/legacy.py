"""``tensorforge.optimizers.legacy``: tf.keras 2.11+ moved the Keras 2 optimizers here
(``tf.keras.optimizers.legacy.Adam``); they are the same classes as ``tensorforge.optimizers``."""
from . import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, Optimizer, RMSprop  # noqa: F401
from .ftrl import Ftrl  # noqa: F401

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"]
