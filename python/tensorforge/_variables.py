"""The Tensors made by ``tensorforge.Variable`` (TensorFlow's ``tf.Variable``), with their
``trainable`` flag: a Layer tracks one assigned as its attribute as a weight, as Keras 2 tracks
``self.w = tf.Variable(...)`` (engine/base_layer.py). A dropped variable leaves.

Keyed by identity, not by a WeakKeyDictionary: that one compares its weak references, and
weak references compare their Tensors with ``==``, which is elementwise (as TensorFlow's)."""
import weakref


class _Registry:
    """Tensor -> trainable, by identity; an entry goes when its Tensor is collected."""

    def __init__(self):
        self._flags = {}  # id(tensor) -> (weak reference, trainable)

    def __setitem__(self, t, trainable):
        key = id(t)
        self._flags[key] = (weakref.ref(t, lambda _, key=key: self._flags.pop(key, None)),
                            trainable)

    def _entry(self, t):
        e = self._flags.get(id(t))
        return e if e is not None and e[0]() is t else None

    def __contains__(self, t):
        return self._entry(t) is not None

    def __getitem__(self, t):
        e = self._entry(t)
        if e is None:
            raise KeyError(t)
        return e[1]


VARIABLES = _Registry()  # Tensor -> trainable


def variable_name(name):
    """TensorFlow's name of a variable made with ``name``: "w" -> "w:0", None -> "Variable:0"."""
    return f"{name or 'Variable'}:0"
