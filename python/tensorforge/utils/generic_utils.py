"""Keras 2 ``keras.utils.generic_utils``: Progbar (defined with the callbacks that draw it)."""
from ..callbacks import Progbar  # noqa: F401

__all__ = ["Progbar"]
