"""``tf.data.Iterator`` and ``tf.data.NumpyIterator``: what ``iter(dataset)`` and
``dataset.as_numpy_iterator()`` return. Both are Python iterators; ``Iterator`` adds
TensorFlow's ``get_next()`` (``tf.errors.OutOfRangeError`` at the end),
``get_next_as_optional()`` and ``element_spec``."""

import numpy as np

from .autograd import Tensor
from .tf_debugging import OutOfRangeError

__all__ = ["Iterator", "NumpyIterator", "Optional"]


class Optional:
    """``tf.experimental.Optional``: ``has_value()`` (a bool) and ``get_value()``."""

    def __init__(self, value=None, has=False):
        self._value, self._has = value, has

    def has_value(self):
        return Tensor(np.asarray(self._has))

    def get_value(self):
        if not self._has:
            raise OutOfRangeError(None, None, "Optional.get_value: the optional has no value")
        return self._value


class NumpyIterator:
    """The elements as NumPy values (``dataset.as_numpy_iterator()``)."""

    def __init__(self, elements):
        self._it = iter(elements)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    next = __next__


class Iterator(NumpyIterator):
    """The elements as Tensors (``iter(dataset)``), with ``get_next`` /
    ``get_next_as_optional``; ``element_spec`` is the dataset's."""

    def __init__(self, elements, element_spec=None):
        super().__init__(elements)
        self._spec = element_spec

    @property
    def element_spec(self):
        return self._spec() if callable(self._spec) else self._spec

    def get_next(self):
        try:
            return next(self._it)
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        try:
            return Optional(next(self._it), True)
        except StopIteration:
            return Optional()
