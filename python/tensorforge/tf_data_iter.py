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
    ``get_next_as_optional``; ``element_spec`` is the dataset's.

    A ``tf.train.Checkpoint`` saves an iterator as its position (how many elements it has
    given) and restores it by restarting the dataset (``restart``: a function making the
    element stream anew) and skipping that many, as TensorFlow restores an iterator's state
    (the TF checkpoint guide's ``Checkpoint(..., iterator=iterator)``). The restored stream
    is the saved one for a deterministic pipeline; a dataset reshuffled on each pass without
    a seed gives another order (TensorFlow also saves the shuffle's random state)."""

    def __init__(self, elements, element_spec=None, restart=None):
        super().__init__(elements)
        self._spec = element_spec
        self._restart = restart
        self._consumed = 0

    def __next__(self):
        value = next(self._it)
        self._consumed += 1
        return value

    next = __next__

    def _position(self):
        return self._consumed

    def _restore_position(self, n):
        if self._restart is None:
            raise ValueError("tf.train.Checkpoint: this iterator cannot be restored (it was not "
                             "made by iter(dataset))")
        self._it, self._consumed = iter(self._restart()), 0
        for _ in range(int(n)):
            try:
                self.__next__()
            except StopIteration:
                break

    @property
    def element_spec(self):
        return self._spec() if callable(self._spec) else self._spec

    def get_next(self):
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        try:
            return Optional(self.__next__(), True)
        except StopIteration:
            return Optional()
