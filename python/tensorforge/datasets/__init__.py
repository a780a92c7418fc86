"""Keras-style datasets: ``tensorforge.datasets.mnist.load_data()`` and
``tensorforge.datasets.fashion_mnist.load_data()`` (uint8, Keras' shapes, no downloads).

MNIST falls back to 10,000 real digits bundled with the package (8,000 train / 2,000 test);
Fashion-MNIST reads Debian's dataset-fashion-mnist files or a given path. See each module."""
from . import fashion_mnist, mnist  # noqa: F401

__all__ = ["mnist", "fashion_mnist"]
