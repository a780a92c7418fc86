"""Keras' ``backend`` module (``from tensorforge import backend as K``), and tensorforge's backend
selection.

Backend selection and the dispatch table (set_backend, get_backend, register, lookup, threads,
backend_info) live in _dispatch.py, under the kernels and ops; Keras' settings (floatx, epsilon,
image_data_format) in backend_config.py, as Keras 2 lays them out: both are re-exported here.
The helpers at the end (backend, int_shape, clear_session) are Keras 2's, and the backend
functions with gradients (K.mean, K.dot, K.batch_dot, ...) live in ``tensorforge.backend_ops``,
which this module's ``__getattr__`` reaches. This module stands above the ops; nothing under
them imports it.
"""
import sys

from . import _native  # noqa: F401
from ._dispatch import (  # noqa: F401
    BACKENDS, MAX_THREADS, _current, _state, _table, backend_info, clear_alloc_cache,
    cuda_available, cuda_version_mismatch, enable_alloc_cache, generation, get_backend,
    get_num_threads, implementation, lookup, register, release_workspaces, set_backend,
    set_num_threads)
from ._xp import array_module  # noqa: F401  (re-exported)
from .backend_config import (  # noqa: F401
    epsilon, floatx, image_data_format, image_dim_ordering, set_epsilon, set_floatx,
    set_image_data_format, set_image_dim_ordering)


# ---- Keras backend helpers ---------------------------------------------------------------------
# Keras programs say `from keras import backend as K`; with tensorforge that import becomes
# `from tensorforge import backend as K`, so the commonly used K.* helpers live here too.
def backend():
    """Keras 2's K.backend(): the name of the engine running the Keras API. Programs compare it
    with 'tensorflow' / 'theano' / 'cntk' to pick engine-specific code; here none of those
    branches is taken."""
    return "tensorforge"


def int_shape(x):
    """Static shape of an array or Tensor as a tuple (ints; None where a size is unknown)."""
    if not hasattr(x, "shape"):
        raise TypeError(f"int_shape: x must be a Tensor or an array, got {type(x).__name__}")
    return tuple(None if s is None else int(s) for s in x.shape)


def clear_session():
    """Keras resets layer-name counters here; tensorforge keeps no global graph, so the
    automatic layer names and get_uid's counters restart, and the large freed arrays kept for
    reuse are given back (clear_alloc_cache)."""
    from .backend_ops import utils
    from .engine import base_layer
    base_layer._name_counts.clear()
    utils.reset_uids()
    clear_alloc_cache()


def get_session():
    """Keras 2.2's K.get_session(): the TensorFlow 1 session stand-in (tf_session.py)."""
    from . import tf_session
    return tf_session.get_session()


def set_session(session):
    """Keras 2.2's K.set_session(sess) (Note [TF1 session boilerplate], tf_session.py)."""
    from . import tf_session
    tf_session.set_session(session)


_backend_names = {}  # the backend_ops names already looked up (see __getattr__)


def __getattr__(name):
    """The Keras backend functions (K.mean, K.dot, ...) live in tensorforge.backend_ops; they
    are looked up here on first use (PEP 562): they build on the ops, which stand above
    _dispatch.py but below this module. A name found is remembered in ``_backend_names`` (not
    in this namespace, where K.sum or K.abs would shadow builtins in a later ``from
    tensorforge.backend import *``): the import and list scan cost ~2 us a K.* call, the dict
    lookup ~0.4 (bench/tfcompat_overhead.py)."""
    try:
        return _backend_names[name]
    except KeyError:
        pass
    from . import backend_ops
    if name in backend_ops.__all__:
        value = _backend_names[name] = getattr(backend_ops, name)
        return value
    if name == "tf":  # Keras 2.2's K.tf: the TensorFlow module its backend imported
        return sys.modules[__package__]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    from . import backend_ops
    return sorted(set(globals()) | set(backend_ops.__all__))
