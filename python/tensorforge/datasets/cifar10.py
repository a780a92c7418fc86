"""CIFAR-10, Keras 2's ``cifar10.load_data()``: ((x_train, y_train), (x_test, y_test)), x uint8
(50000, 32, 32, 3) / (10000, 32, 32, 3), y uint8 (N, 1) in 0..9. Read from
``cifar-10-batches-py`` (the directory Keras 2 leaves in ~/.keras/datasets) or the downloaded
``cifar-10-python.tar.gz``; see _files.py for where it is looked for. Nothing is downloaded."""
from . import _cifar

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def load_data(path=None):
    """``path``: the batches' directory or the .tar.gz (default: found by name)."""
    what = "cifar10.load_data"
    path = _cifar.locate(what, path, "cifar-10-batches-py", ORIGIN)
    return _cifar.load(what, path, [f"data_batch_{i}" for i in range(1, 6)], "test_batch", "labels")
