"""TensorFlow 1's session names that Keras 2.0-2.2 programs wrap around Keras (Note [TF1
session boilerplate]).

Note [TF1 session boilerplate]
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
Programs of the Keras 2.2 / TensorFlow 1 years open with a few lines that configure the session
Keras runs in, then never touch it again::

    config = tf.ConfigProto(); config.gpu_options.allow_growth = True
    set_session(tf.Session(config=config))      # keras.backend.tensorflow_backend

or keep the default graph for a web server's threads (``graph = tf.get_default_graph()`` ...
``with graph.as_default(): model.predict(x)``), or run ``sess.run(tf.global_variables_initializer())``.
tensorforge runs eagerly and has no graph, so these are what they amount to here: ``ConfigProto``
/ ``GPUOptions`` hold their fields (``intra_op_parallelism_threads`` given to ``set_session`` sets
tensorforge's thread count, as it sized TensorFlow's pool); a ``Session`` evaluates what it is
asked to run (Tensors, variables, nested lists / tuples / dicts of them) to NumPy, and Keras
tensors (``sess.run(model.output, feed_dict={model.input: x, K.learning_phase(): 0})``) as
``K.function`` of the fed ones (TensorFlow 1 graphs' own placeholders are not Keras); ``Graph`` is
one process-wide graph whose ``as_default()`` changes nothing; the variable initializers are
no-ops (a variable holds its value from creation). tf_keras 2.21 has only
``tf.compat.v1``'s spellings and refuses ``keras.backend.tensorflow_backend``.
"""
import contextlib

import numpy as np

from . import _default_session
from ._xp import host
from .autograd import Tensor
from .symbolic.node import KerasTensor, flatten, pack_like


class _Fields:
    """A protocol-buffer message's fields as attributes (unknown ones are refused)."""
    _fields = {}

    def __init__(self, **kwargs):
        for k, v in self._fields.items():
            object.__setattr__(self, k, v() if callable(v) else v)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no field {name!r} (known: "
                                 f"{', '.join(sorted(self._fields))})")
        object.__setattr__(self, name, value)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._fields)})"


class GPUOptions(_Fields):
    """``tf.GPUOptions``: kept; tensorforge's CUDA backend allocates from its own pool."""
    _fields = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0,
               "visible_device_list": "", "force_gpu_compatible": False}


class ConfigProto(_Fields):
    """``tf.ConfigProto``: the session's settings (Note [TF1 session boilerplate])."""
    _fields = {"gpu_options": GPUOptions, "allow_soft_placement": False,
               "log_device_placement": False, "intra_op_parallelism_threads": 0,
               "inter_op_parallelism_threads": 0, "device_count": dict,
               "use_per_session_threads": False, "operation_timeout_in_ms": 0}


class Graph:
    """TensorFlow 1's graph: here one per process, which programs only enter and pass around."""

    @contextlib.contextmanager
    def as_default(self):
        yield self

    def finalize(self):
        pass

    def get_operations(self):
        return []


_GRAPH = Graph()


def get_default_graph():
    return _GRAPH


def reset_default_graph():
    """Accepted: there is no graph to reset (``keras.backend.clear_session`` forgets Keras'
    names and state)."""


class _NoOp:
    """What the variable initializers return: running it does nothing."""

    def __repr__(self):
        return "<no-op>"


def global_variables_initializer():
    return _NoOp()


local_variables_initializer = tables_initializer = initialize_all_variables = \
    global_variables_initializer


def _value(a):
    """A fetched value as TensorFlow 1's ``sess.run`` gives it: a 0-d array as its NumPy
    scalar (``np.int32(1)``), other arrays unchanged."""
    a = np.asarray(a)
    return a[()] if a.ndim == 0 else a


def _fetch(x, fn):
    if isinstance(x, _NoOp) or x is None:
        return None
    if isinstance(x, Tensor):
        return _value(host(x.data))
    if isinstance(x, (list, tuple)):
        return type(x)(_fetch(v, fn) for v in x)
    if isinstance(x, dict):
        return {k: _fetch(v, fn) for k, v in x.items()}
    if callable(getattr(x, "numpy", None)):  # an optimizer's step count, a hyperparameter
        return np.asarray(x.numpy())
    if isinstance(x, (int, float, bool, np.ndarray, np.generic)):
        return np.asarray(x)
    raise TypeError(f"{fn}: cannot fetch a {type(x).__name__}; fetches are Tensors (or lists, "
                    "tuples, dicts of them)")


class Session:
    """``tf.Session`` (Note [TF1 session boilerplate]): ``run`` evaluates eager values."""

    def __init__(self, target="", graph=None, config=None):
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(f"Session: config must be a ConfigProto, got {type(config).__name__}")
        self.graph = graph if graph is not None else _GRAPH
        self.config = config if config is not None else ConfigProto()
        self._closed = False

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self._closed:
            raise RuntimeError("Session.run: attempted to use a closed Session.")
        flat = flatten(fetches)
        symbolic = [t for t in flat if isinstance(t, KerasTensor)]
        if not symbolic:
            if feed_dict:
                raise NotImplementedError(
                    "Session.run: feed_dict feeds Keras tensors (model.input, K.placeholder, "
                    "K.learning_phase()) of the fetched Keras tensors; these fetches are values")
            return _fetch(fetches, "Session.run")
        values = self._run_graph(symbolic, feed_dict or {})
        got = iter(values)
        return pack_like(fetches, [_value(next(got)) if isinstance(t, KerasTensor) else
                                   _fetch(t, "Session.run") for t in flat])

    @staticmethod
    def _run_graph(fetches, feed_dict):
        """The fetched Keras tensors' values for the fed ones: K.function of them (a TF 1
        program's ``sess.run(model.output, feed_dict={model.input: x, K.learning_phase(): 0})``)."""
        from .backend_ops.graph_ops import function
        from .backend_ops.variables import LearningPhase
        keys, vals = [], []
        for k, v in feed_dict.items():
            if not isinstance(k, (KerasTensor, LearningPhase)):
                raise TypeError(f"Session.run: feed_dict keys must be Keras tensors (Inputs, "
                                f"placeholders) or K.learning_phase(), got {type(k).__name__}")
            keys.append(k)
            vals.append(np.asarray(v) if isinstance(v, (int, float, bool)) else v)  # a scalar feed
        if not any(isinstance(k, KerasTensor) for k in keys):
            raise ValueError(f"Session.run: the fetches {[t.name for t in fetches]} need the "
                             "Inputs they are computed from in feed_dict")
        return function(keys, list(fetches))(vals)

    def close(self):
        self._closed = True

    def as_default(self):
        return _as_default(self)

    def __enter__(self):
        _DEFAULT.append(self)
        return self

    def __exit__(self, *exc):
        if _DEFAULT and _DEFAULT[-1] is self:
            _DEFAULT.pop()
        self.close()
        return False


class InteractiveSession(Session):
    """``tf.InteractiveSession``: a session that makes itself the default when made."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _DEFAULT.append(self)

    def close(self):
        if self in _DEFAULT:
            _DEFAULT.remove(self)
        super().close()


_DEFAULT = _default_session.STACK  # the sessions entered, innermost last


@contextlib.contextmanager
def _as_default(sess):
    _DEFAULT.append(sess)
    try:
        yield sess
    finally:
        _DEFAULT.remove(sess)


def get_default_session():
    """``tf.compat.v1.get_default_session()``: the innermost session entered, or None."""
    return _default_session.get()


# ---- Keras 2.2's keras.backend.tensorflow_backend session ----------------------------------------
_session = {"current": None}


def get_session():
    """Keras 2.2's ``K.get_session()``: the session set by ``set_session``, else a default one."""
    if _session["current"] is None:
        _session["current"] = Session()
    return _session["current"]


def set_session(session):
    """Keras 2.2's ``K.set_session(sess)``; its config's ``intra_op_parallelism_threads`` (when
    set) becomes tensorforge's thread count."""
    if not isinstance(session, Session):
        raise TypeError(f"set_session: expected a Session, got {type(session).__name__}")
    _session["current"] = session
    n = session.config.intra_op_parallelism_threads
    if n:
        from . import tf_config
        tf_config.set_intra_op_parallelism_threads(int(n))


def _get_available_gpus():
    """Keras 2.2's tensorflow_backend helper: the GPU device names (``/device:GPU:0`` ...)."""
    from . import tf_config
    return [f"/device:GPU:{i}" for i, _ in enumerate(tf_config.list_physical_devices("GPU"))]


__all__ = ["ConfigProto", "GPUOptions", "Graph", "InteractiveSession", "Session",
           "get_default_graph", "get_default_session", "global_variables_initializer",
           "initialize_all_variables", "local_variables_initializer", "reset_default_graph", "tables_initializer"]
