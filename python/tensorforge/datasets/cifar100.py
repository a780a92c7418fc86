"""CIFAR-100, Keras 2's ``cifar100.load_data(label_mode='fine')``: x uint8 (50000, 32, 32, 3) /
(10000, 32, 32, 3), y uint8 (N, 1) in 0..99 ('fine') or 0..19 ('coarse'). Read from
``cifar-100-python`` (Keras 2's cache directory) or ``cifar-100-python.tar.gz``; see _files.py.
Nothing is downloaded."""
from . import _cifar

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"


def load_data(label_mode="fine", path=None):
    what = "cifar100.load_data"
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"{what}: label_mode must be 'fine' or 'coarse', got {label_mode!r}")
    path = _cifar.locate(what, path, "cifar-100-python", ORIGIN)
    return _cifar.load(what, path, ["train"], "test", label_mode + "_labels")
