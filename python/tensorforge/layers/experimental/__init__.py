"""``keras.layers.experimental`` of Keras 2 (TF 2.x): the layers Keras 2 programs import from
there. RandomFourierFeatures lives in kernelized.py, EinsumDense (TF 2.3-2.8's home) in
einsum_dense.py; ``experimental.preprocessing`` is the TF 2.3-2.5 home of the preprocessing
layers (the same classes as ``keras.layers``)."""
from ..einsum_dense import EinsumDense  # noqa: F401
from ..kernelized import RandomFourierFeatures  # noqa: F401
from . import preprocessing  # noqa: F401

__all__ = ["RandomFourierFeatures", "EinsumDense", "preprocessing"]
