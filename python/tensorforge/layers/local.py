"""Keras 2.0-2.2's ``keras.layers.local``: the locally-connected layers (locally_connected.py)."""
from .locally_connected import LocallyConnected1D, LocallyConnected2D  # noqa: F401

__all__ = ["LocallyConnected1D", "LocallyConnected2D"]
