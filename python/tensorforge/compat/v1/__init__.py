"""``tf.compat.v1``: the TensorFlow 1 names Keras 2 programs written for TensorFlow 2 still call.

``disable_eager_execution()`` / ``enable_eager_execution()`` are accepted and ignored:
tensorforge always runs eagerly; a Keras 2 program that switches TensorFlow to graph mode (Deep
Learning with Python 8.4's VAE) builds, fits and predicts the same models, and
``executing_eagerly()`` stays True. The TensorFlow 1 names Keras programs of that time use
are here: the session boilerplate around Keras (``ConfigProto``, ``Session``,
``get_default_graph``: tf_session.py), ``logging``, ``gfile``, and ``placeholder`` (a Keras
placeholder, which ``Session.run``'s feed_dict feeds: tf_v1_names.py).

``keras``: ``tf.compat.v1.keras.X`` is ``tensorforge.X``, as ``tf.keras.X`` is (the import hook
of _keras_alias.py), so ``from tensorflow.compat.v1.keras.initializers import glorot_uniform``
(the keras-idiomatic-programmer zoo's models_c.py) ports by the import swap. TensorFlow's v1
initializer classes there also take ``dtype=``; these are the Keras 2 ones (the same
distributions)."""
import importlib

from ...tf_random import set_seed as set_random_seed  # noqa: F401  (tf.random.set_seed)

def disable_eager_execution():
    """Accepted and ignored (see the module docstring)."""


def enable_eager_execution(*args, **kwargs):
    """Accepted and ignored (see the module docstring)."""


def executing_eagerly():
    return True


def __getattr__(name):
    if name == "keras":
        return importlib.import_module(__name__ + ".keras")
    session = importlib.import_module("tensorforge.tf_session")
    if name in session.__all__:  # Note [TF1 session boilerplate]
        return getattr(session, name)
    if name in ("logging", "gfile", "placeholder"):  # TensorFlow 1's (tf_v1_names.py)
        return getattr(importlib.import_module("tensorforge.tf_v1_names"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
