"""``keras.backend.tensorflow_backend`` of Keras 2.0-2.2, where programs found the session
functions (``from keras.backend.tensorflow_backend import set_session``: Note [TF1 session
boilerplate], tf_session.py); any other name is the Keras backend's (``keras.backend``), as
that module held all of them. Registered under ``tensorforge.backend.tensorflow_backend`` by
backend.py."""
from .tf_session import _get_available_gpus, get_session, set_session  # noqa: F401


def __getattr__(name):
    from . import backend
    return getattr(backend, name)
