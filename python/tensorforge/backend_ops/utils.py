"""Keras backend utilities with no graph of their own here: name scopes and uids, printing,
floatx casting, sparse no-ops, and map_fn / foldl / foldr (Python loops over the first axis,
differentiable through the ops ``fn`` uses)."""
import collections
import contextlib

import numpy as np

from .. import backend_config as _backend
from ..autograd import Tensor
from ..ops import manip as M
from ._args import tensor

__all__ = ["name_scope", "get_uid", "reset_uids", "print_tensor", "cast_to_floatx", "is_sparse",
           "to_dense", "map_fn", "foldl", "foldr", "experimental"]

_uids = collections.defaultdict(int)


@contextlib.contextmanager
def name_scope(name):
    """Accepted for compatibility: tensorforge has no graph to name, so it scopes nothing."""
    yield name


def get_uid(prefix=""):
    """1, 2, 3, ... per prefix (reset by reset_uids / clear_session)."""
    _uids[prefix] += 1
    return _uids[prefix]


def reset_uids():
    _uids.clear()


def print_tensor(x, message="", summarize=3):
    """Print ``message`` and the value of x, and return x (as Keras)."""
    t = tensor("print_tensor", "x", x)
    with np.printoptions(threshold=max(int(summarize), 1) * 2, edgeitems=max(int(summarize), 1)):
        print(message, np.asarray(t.numpy()))
    return t


def cast_to_floatx(x):
    """x as a NumPy array of floatx."""
    return np.asarray(x.numpy() if isinstance(x, Tensor) else x, dtype=_backend.floatx())


def is_sparse(tensor):  # noqa: F811  (Keras' argument name)
    return False


def to_dense(tensor):  # noqa: F811
    return tensor


def _rows(fn, elems):
    t = tensor(fn, "elems", elems)
    if t.ndim == 0:
        raise ValueError(f"{fn}: elems must be at least 1-D, got a scalar")
    return [t[i] for i in range(t.shape[0])]


def map_fn(fn, elems, name=None, dtype=None):
    """stack([fn(e) for e in elems]) over the first axis."""
    outs = [tensor("map_fn", "fn(elems[i])", fn(e)) for e in _rows("map_fn", elems)]
    if not outs:
        raise ValueError("map_fn: elems must not be empty")
    return M.stack(outs, axis=0)


def foldl(fn, elems, initializer=None, name=None):
    """fn(...fn(fn(initializer, e0), e1)..., en) left to right (initializer defaults to e0)."""
    rows = _rows("foldl", elems)
    acc, rows = (rows[0], rows[1:]) if initializer is None else (initializer, rows)
    for e in rows:
        acc = fn(acc, e)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """foldl from the last element to the first."""
    rows = _rows("foldr", elems)[::-1]
    acc, rows = (rows[0], rows[1:]) if initializer is None else (initializer, rows)
    for e in rows:
        acc = fn(acc, e)
    return acc


# ---- keras.backend.experimental: tf_keras' switch between tf.random.Generator and TF's stateful
# random ops for the layers' randomness. tensorforge has one random state (seeded by
# utils.set_random_seed) whichever is chosen: the switch is kept and reported, nothing more.
# Off by default, as in tf_keras 2.21.
_TF_RANDOM_GENERATOR = [False]


def _enable_tf_random_generator():
    _TF_RANDOM_GENERATOR[0] = True


def _disable_tf_random_generator():
    _TF_RANDOM_GENERATOR[0] = False


def _is_tf_random_generator_enabled():
    return _TF_RANDOM_GENERATOR[0]


experimental = __import__("types").SimpleNamespace(
    enable_tf_random_generator=_enable_tf_random_generator,
    disable_tf_random_generator=_disable_tf_random_generator,
    is_tf_random_generator_enabled=_is_tf_random_generator_enabled)
