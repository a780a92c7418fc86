"""Keras 2's keras.utils.io_utils: the interactive-logging switch and print_msg (they live in
tensorforge/_io_utils.py, where the callbacks reach them), and Keras 2.0-2.3's HDF5Matrix
(hdf5_matrix.py)."""
from .._io_utils import (disable_interactive_logging, enable_interactive_logging,  # noqa: F401
                         is_interactive_logging_enabled, print_msg)
from .hdf5_matrix import HDF5Matrix  # noqa: F401

__all__ = ["enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg", "HDF5Matrix"]
