"""Keras 2.0-2.2's ``keras.objectives``: the legacy name of ``keras.losses`` (its functions)."""
from .losses import *  # noqa: F401,F403
from .losses import __all__  # noqa: F401
