"""``keras.layers.experimental`` of Keras 2 (TF 2.x): the layers Keras 2 programs import from
there. RandomFourierFeatures lives in kernelized.py; ``experimental.preprocessing`` is the
TF 2.3-2.5 home of the preprocessing layers (the same classes as ``keras.layers``)."""
import sys
import types

from .kernelized import RandomFourierFeatures  # noqa: F401
from .preprocessing import Rescaling
from .preprocessing_base import PreprocessingLayer
from .preprocessing_lookup import CategoryEncoding, IntegerLookup, StringLookup
from .preprocessing_normalization import Normalization
from .text_vectorization import TextVectorization

preprocessing = types.ModuleType(__name__ + ".preprocessing",
                                 "keras.layers.experimental.preprocessing of Keras 2.3-2.5")
for _cls in (Rescaling, PreprocessingLayer, CategoryEncoding, IntegerLookup, StringLookup,
             Normalization, TextVectorization):
    setattr(preprocessing, _cls.__name__, _cls)
sys.modules[preprocessing.__name__] = preprocessing

__all__ = ["RandomFourierFeatures", "preprocessing"]
