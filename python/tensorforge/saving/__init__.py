"""Model files in other frameworks' formats: Keras 2 HDF5 (``hdf5_format``), with the Keras
config translation (``keras_config``, ``keras_model``) and per-layer weight conversions
(``weights``). tensorforge's own .npz format is engine/saving.py's."""
from .hdf5_format import is_hdf5_file, is_hdf5_path  # noqa: F401
from .keras_config import supported_layer_classes  # noqa: F401

__all__ = ["is_hdf5_file", "is_hdf5_path", "supported_layer_classes"]
