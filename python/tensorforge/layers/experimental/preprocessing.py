"""``keras.layers.experimental.preprocessing`` of Keras 2.3-2.5: the preprocessing layers under
their older import path (the same classes as ``keras.layers``)."""
from ..preprocessing import Rescaling  # noqa: F401
from ..preprocessing_image import (CenterCrop, RandomContrast, RandomCrop,  # noqa: F401
                                   RandomFlip, RandomHeight, RandomRotation, RandomTranslation,
                                   RandomWidth, RandomZoom, Resizing)
from ..preprocessing_base import PreprocessingLayer  # noqa: F401
from ..preprocessing_lookup import CategoryEncoding, IntegerLookup, StringLookup  # noqa: F401
from ..preprocessing_normalization import Normalization  # noqa: F401
from ..preprocessing_hashing import HashedCrossing, Hashing  # noqa: F401
from ..preprocessing_discretization import Discretization  # noqa: F401
from ..text_vectorization import TextVectorization  # noqa: F401

__all__ = ["Rescaling", "PreprocessingLayer", "CategoryEncoding", "IntegerLookup", "StringLookup",
           "Normalization", "TextVectorization", "Hashing", "HashedCrossing", "Discretization", "Resizing",
           "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "RandomContrast", "RandomCrop", "RandomHeight", "RandomWidth"]
