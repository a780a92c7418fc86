"""``keras.backend.tensorflow_backend`` of Keras 2.0-2.2, where programs found the session
functions (``from keras.backend.tensorflow_backend import set_session``: Note [TF1 session
boilerplate], tf_session.py); any other name is the Keras backend's (``keras.backend``), as
that module held all of them. The package imports it after backend.py; it registers itself
under ``tensorforge.backend.tensorflow_backend`` (a name under a module that is not a package,
which the import system finds only in sys.modules) and as ``K.tensorflow_backend``, the
attribute Keras 2.0-2.2's load_backend left (``K.tensorflow_backend._get_available_gpus()``,
the Advanced NLP course's CuDNNLSTM switch). backend.py does not know it."""
import sys

from . import _keras_alias, backend
from .tf_session import _get_available_gpus, get_session, set_session  # noqa: F401


def __getattr__(name):
    return getattr(backend, name)


_keras_alias.register_module(backend.__name__ + ".tensorflow_backend", sys.modules[__name__])
backend.tensorflow_backend = sys.modules[__name__]
