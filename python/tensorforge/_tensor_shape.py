"""TensorShape: the shape object Keras 2 programs get from ``x.shape`` of a symbolic tensor and
from ``x.get_shape()`` of any tensor (a tuple, None where unknown, with TensorFlow's methods)."""


class TensorShape(tuple):
    """A tuple (None where unknown) with the TensorShape methods Keras 2 programs call
    (``as_list()``, ``rank`` / ``ndims``, ``is_fully_defined()``)."""

    def as_list(self):
        return list(self)

    @property
    def rank(self):
        return len(self)

    ndims = rank

    def is_fully_defined(self):
        return all(d is not None for d in self)
