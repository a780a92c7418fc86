"""Keras 2's PreprocessingLayer (keras/engine/base_preprocessing_layer.py): a layer whose state is
computed from data by ``adapt(data, batch_size=None, steps=None)`` before training, not by
gradient descent. ``adapt`` resets the state, feeds every batch of ``data`` to
``update_state`` and then calls ``finalize_state``; ``is_adapted`` says whether it ran.

``data`` is what Keras 2 accepts: a NumPy array (or list, or Tensor), or a ``tf.data.Dataset``
of batches (tensorforge/tf_data.py); a Dataset whose elements are tuples is refused, as Keras 2
refuses it (adapt takes inputs only, no labels).
"""
import numpy as np

from .._text import as_bytes_array, is_text
from ..autograd import Tensor
from ..engine.base_layer import Layer
from ..tf_ragged import RaggedTensor


def _host_array(x):
    """A batch as a host NumPy array: Tensors unwrapped; strings as object arrays of bytes."""
    x = x.numpy() if isinstance(x, Tensor) else x
    a = np.asarray(x)
    return as_bytes_array(a, "adapt") if is_text(a) else a


def iter_batches(layer_name, data, batch_size=None, steps=None):
    """The batches ``adapt`` reads from ``data``, as host arrays."""
    from ..tf_data import Dataset
    if steps is not None and (not isinstance(steps, (int, np.integer)) or steps < 1):
        raise ValueError(f"{layer_name}.adapt: steps must be a positive integer, got {steps!r}")
    if isinstance(data, Dataset):
        if batch_size is not None:
            raise ValueError(f"{layer_name}.adapt: batch_size must not be given for a Dataset "
                             "(it is batched already), as Keras 2 says")
        for k, e in enumerate(data.as_numpy_iterator()):
            if steps is not None and k >= steps:
                return
            if isinstance(e, (tuple, list, dict)):
                raise ValueError(f"{layer_name}.adapt: the Dataset's elements must be single "
                                 f"tensors (inputs only, no labels), got a {type(e).__name__}")
            yield _host_array(e)
        return
    if isinstance(data, RaggedTensor):  # whole rows per batch (a row is one document)
        bs = int(batch_size) if batch_size is not None else 32
        for k, i in enumerate(range(0, len(data), bs)):
            if steps is not None and k >= steps:
                return
            yield data[i:i + bs]
        return
    if isinstance(data, tuple) and data and all(np.ndim(e) == 0 for e in data):
        data = list(data)  # a tuple of strings / numbers is a list to Keras 2 (its lists-of-
        # scalars adapter: Hands-On ML 3 ch. 16 adapts the tuple zip(*pairs) gives)
    if isinstance(data, (dict, tuple)) or data is None:
        raise TypeError(f"{layer_name}.adapt: data must be an array, a list, a Tensor or a "
                        f"Dataset, got {type(data).__name__}")
    a = _host_array(data)
    if a.ndim == 0:
        a = a.reshape(1)
    bs = int(batch_size) if batch_size is not None else 32
    if bs < 1:
        raise ValueError(f"{layer_name}.adapt: batch_size must be positive, got {batch_size}")
    for k, i in enumerate(range(0, len(a), bs)):
        if steps is not None and k >= steps:
            return
        yield a[i:i + bs]


class PreprocessingLayer(Layer):
    """Base of the adaptable preprocessing layers: subclasses define reset_state(),
    update_state(batch) and finalize_state()."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._is_adapted = False

    @property
    def is_adapted(self):
        return self._is_adapted

    def reset_state(self):
        raise NotImplementedError(f"{type(self).__name__} defines no adapt state")

    def update_state(self, data):
        raise NotImplementedError(f"{type(self).__name__} defines no adapt state")

    def finalize_state(self):
        pass

    def adapt(self, data, batch_size=None, steps=None):
        """Compute the layer's state from ``data`` (see the module docstring)."""
        self.reset_state()
        seen = False
        for batch in iter_batches(type(self).__name__, data, batch_size, steps):
            if (batch._values if isinstance(batch, RaggedTensor) else batch).size == 0:
                continue
            self.update_state(batch)
            seen = True
        if not seen:
            raise ValueError(f"{type(self).__name__}.adapt: the data is empty")
        self.finalize_state()
        self._is_adapted = True
