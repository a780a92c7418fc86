"""Keras-style datasets, no downloads: ``tensorforge.datasets.mnist.load_data()`` and
``fashion_mnist`` (uint8, Keras' shapes), and Keras 2's downloadable sets read from where a
user's Keras 2 cached them (``~/.keras/datasets``): ``cifar10``, ``cifar100``, ``imdb``,
``reuters``, ``boston_housing``.

MNIST falls back to 10,000 real digits bundled with the package (8,000 train / 2,000 test);
Fashion-MNIST reads Debian's dataset-fashion-mnist files or a given path. See each module."""
from . import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters  # noqa: F401

__all__ = ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing"]
