"""Keras 2 ``keras.utils.np_utils`` (``from keras.utils.np_utils import to_categorical``)."""
from . import normalize, to_categorical  # noqa: F401

__all__ = ["to_categorical", "normalize"]
