"""Note [a subclassed model without a config]

tf_keras 2.21 saves a subclassed model that does not override ``get_config`` to a SavedModel
path (no .h5 / .keras suffix) by tracing its ``call``, and ``load_model`` revives a model that
computes the same outputs (the TF guide "Introduction to modules":
``my_sequential_model.save("exname_of_file")``, ``load_model``, then a call). tensorforge
traces no graph. It writes instead the model's class, by reference (``module:qualname``), the
input shape it was built for and its weights by their object-graph paths
(tf_checkpoint_graph.py). ``load_model`` finds the class among the modules already imported
(nothing is imported or unpickled), makes it with no arguments -- a class whose ``__init__``
needs some cannot be rebuilt without a config, and the ValueError says to override
``get_config`` --, builds it by calling it on zeros of the saved input shape and assigns the
weights by path. The compile settings are not kept (tf_keras's revived model is not compiled
either unless its training config was traceable)."""
import inspect
import sys

import numpy as np

from .. import tf_checkpoint_graph as _graph
from .._xp import host

KIND = "subclassed_model"


def is_subclassed_without_config(model):
    from .network import Network
    return not model._is_graph_network and type(model).get_config is Network.get_config


def _input_shape(model):
    s = model.input_shape_
    if s is None or not isinstance(s, tuple) or not all(d is None or isinstance(d, int)
                                                          for d in s):
        raise NotImplementedError(f"{type(model).__name__}: a subclassed model without "
                                  f"get_config is saved for one input of known shape; this "
                                  f"one has {s!r}: override get_config to save it")
    return [d for d in s]


def contents(model):
    """(meta fields, arrays) of the file."""
    variables, _, _, _ = _graph.walk([("model", model)])
    arrays = {f"p/{path}": np.asarray(host(t.data)) for path, t in variables}
    cls = type(model)
    return {"kind": KIND, "class": f"{cls.__module__}:{cls.__qualname__}",
            "input_shape": _input_shape(model),
            "input_dtype": str(getattr(model, "_input_dtype", "float32") or "float32")}, arrays


def _find_class(ref, filepath):
    from .network import Network
    mod_name, _, qualname = ref.partition(":")
    obj = sys.modules.get(mod_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    if not (isinstance(obj, type) and issubclass(obj, Network)):
        raise ValueError(f"load_model: {filepath!r} holds the subclassed model {qualname} "
                         f"(from {mod_name}), which this program does not define; see Note "
                         f"[a subclassed model without a config]")
    return obj


def load(filepath, meta, arrays):
    from ..autograd import Tensor
    cls = _find_class(str(meta.get("class", "")), filepath)
    required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if required:
        raise ValueError(f"load_model: {cls.__name__}.__init__ needs {[p.name for p in required]}"
                         f"; a subclassed model saved without get_config is rebuilt with no "
                         f"arguments: override get_config to save it")
    model = cls()
    shape = [1 if d is None else int(d) for d in meta["input_shape"]]
    model(Tensor(np.zeros(shape, np.float32)))
    variables, _, _, _ = _graph.walk([("model", model)])
    for path, t in variables:
        key = f"p/{path}"
        if key not in arrays:
            raise ValueError(f"load_model: {filepath!r} has no value for {path} of the rebuilt "
                             f"{cls.__name__}")
        a = np.asarray(arrays[key])
        if tuple(a.shape) != tuple(t.shape):
            raise ValueError(f"load_model: {path} has shape {tuple(t.shape)} in the rebuilt "
                             f"{cls.__name__}, the file holds {tuple(a.shape)}")
        t.data[...] = a if isinstance(t.data, np.ndarray) else t.data.__class__(a)
    return model
