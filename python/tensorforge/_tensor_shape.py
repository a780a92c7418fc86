"""TensorShape: the shape object Keras 2 programs get from ``x.shape`` of a symbolic tensor and
from ``x.get_shape()`` of any tensor (a tuple, None where unknown, with TensorFlow's methods);
ReshapeSizeError, what K.reshape (backend_ops) raises and the engine's shape inference reads."""


class TensorShape(tuple):
    """A tuple (None where unknown) with the TensorShape methods Keras 2 programs call
    (``as_list()``, ``rank`` / ``ndims``, ``is_fully_defined()``). A slice is a TensorShape
    too, as TensorFlow's: ``x.shape[1:3].as_list()`` (the zoo's Inception v3 sizes its pooling
    window so)."""

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return TensorShape(item) if isinstance(key, slice) else item

    def as_list(self):
        return list(self)

    @property
    def rank(self):
        return len(self)

    ndims = rank

    def is_fully_defined(self):
        return all(d is not None for d in self)


class ReshapeSizeError(ValueError):
    """reshape's element-count mismatch, with the two counts (``size``; ``target``, the product of
    the given sizes, or None where a -1 stands in it): engine/shape_inference.py reads them to
    find the stand-in batch a layer that fixes its token count is written for."""

    def __init__(self, msg, size, target):
        super().__init__(msg)
        self.size, self.target = size, target
