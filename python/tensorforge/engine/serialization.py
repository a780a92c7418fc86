"""Layer names, the registry of layer classes, custom objects, and the JSON form of layer
arguments in Keras 2's config layout (``{"class_name": "GlorotUniform", "config": {...}}`` for
initializers, regularizers and nested layers; activations by name).

A Keras 2 ``model.get_config()`` / ``model.to_json()`` also carries keys tensorforge ignores
("module", "registered_name", "build_config"); ``from_config`` accepts them.
"""
import inspect
import re

import numpy as np

from .. import activations as _act
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
# custom objects live in _custom_objects.py (activations.py and constraints.py read them too)
from .._custom_objects import custom_object, custom_object_scope, get_custom_objects  # noqa: F401

_name_counts = {}
_LAYER_CLASSES = {}


def _snake(name):
    """Keras 2's to_snake_case: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d,
    UpSampling2D -> up_sampling2d, LSTM -> lstm, ConvLSTM2D -> conv_lstm2d (tf_keras 2.21's
    pattern: an upper-case letter followed by lower-case ones, digits not included)."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def _unique_name(base, zero_based=True):
    """Keras 2 (tf.keras) naming: dense, dense_1, dense_2, ... (input_1, input_2, ... for
    ``zero_based=False``)."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    if not zero_based:
        return f"{base}_{n + 1}"
    return base if n == 0 else f"{base}_{n}"


def get_layer_class(name):
    """The Layer subclass registered under ``name`` (its class name, a Keras alias, or a custom
    object in scope)."""
    cls = custom_object(name) or _LAYER_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"unknown layer class {name!r}: pass it to load_model / from_config as "
                         f"custom_objects={{{name!r}: {name}}}")
    return cls


_REG_CLASSES = {"L1L2": lambda l1=0.0, l2=0.0: _reg.L1L2(l1=l1, l2=l2),
                "L1": lambda l1=0.01: _reg.L1(l1=l1), "L2": lambda l2=0.01: _reg.L2(l2=l2),
                "OrthogonalRegularizer": _reg.OrthogonalRegularizer}


def _ser(v):
    """A JSON-able form of a constructor argument, in Keras 2's layout."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [_ser(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, _init.Initializer):
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, (_reg.L1L2, _reg.OrthogonalRegularizer)):  # by their own names (tf.keras 2's)
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _constraints.Constraint):
        return _constraints.serialize(v)
    if isinstance(v, _reg.Regularizer):  # a user's subclass: serialized by get_config, which
        return v  # Keras 2 calls when the model is saved (finish_config), not at construction
    if hasattr(v, "get_config") and type(v).__name__ in _LAYER_CLASSES:
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if callable(v):
        name = getattr(v, "__name__", None)
        if name and custom_object(name) is v:
            return name
        return _act.serialize(v)
    raise ValueError(f"cannot serialize layer argument {v!r}")


def finish_config(v):
    """A recorded constructor argument as get_config returns it: ``_ser``'s form, with a user's
    Regularizer subclass (kept as is by ``_ser``) now written as Keras 2 writes it, by its class
    name and ``get_config()`` (NotImplementedError if it has none, as in Keras 2)."""
    if isinstance(v, _reg.Regularizer):
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, list):
        return [finish_config(x) for x in v]
    return v


def _deser(v, key=""):
    """Inverse of ``_ser``; ``key`` (the argument name) says what a {"class_name": ...} dict is."""
    if isinstance(v, dict) and "class_name" in v:
        if key == "dtype":  # a mixed precision Policy: Layer reads it (dtype_policy.layer_dtype)
            return v
        name, cfg = v["class_name"], v.get("config", {}) or {}
        custom = custom_object(name)
        if key.endswith("initializer"):
            cls = custom or _init._BY_NAME.get(name)
            if cls is None:
                raise ValueError(f"unknown initializer {name!r} in argument {key!r}")
            return cls(**cfg)
        if key.endswith("regularizer"):
            fn = custom or _REG_CLASSES.get(name)
            if fn is None:
                raise ValueError(f"unknown regularizer {name!r} in argument {key!r}")
            return fn(**cfg)
        if key.endswith("constraint"):
            return _constraints.deserialize(v)
        return get_layer_class(name).from_config(cfg)
    if isinstance(v, dict):  # old tensorforge files (format 1)
        if "__initializer__" in v:
            return _init._BY_NAME[v["__initializer__"]](**v["config"])
        if "__regularizer__" in v:
            return _reg.L1L2(**v["config"])
    if isinstance(v, str) and key == "activation" and custom_object(v) is not None:
        return custom_object(v)
    return v


# ---- what a layer's from_config takes of a Keras 2 config -------------------------------------
_KERAS_ONLY = ("module", "registered_name", "build_config", "compile_config", "sparse",
               "optional")  # (an InputLayer's "ragged" is its own: Note [ragged inputs])


# Keras 2 config entries that change nothing here: dropped when a class does not take them.
_BENIGN = {("implementation", 1), ("implementation", 2), ("groups", 1)}


def _init_params(cls, root):
    """The keyword names ``cls(...)`` accepts (following **kwargs up the MRO to ``root``,
    Layer, whose own **kwargs takes nothing)."""
    names = set()
    for c in cls.__mro__:
        init = c.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters
        names.update(k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                                   p.KEYWORD_ONLY))
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()) or c is root:
            return names
    return None


def _accepted(cls, config, root):
    """``config`` without the entries Keras 2 writes that ``cls`` does not take, when they hold
    a default (None, False, 0) or change nothing here; any other unknown entry is an error."""
    names = _init_params(cls, root)
    if names is None:
        return config
    out = {}
    for k, v in config.items():
        if k in names:
            out[k] = v
        elif not (v is None or v is False or (isinstance(v, (int, float)) and v == 0) or
                  (k, v) in _BENIGN):
            raise ValueError(f"{cls.__name__}.from_config: unsupported argument {k}={v!r}")
    return out


def _strip_keras_only(config):
    return {k: v for k, v in config.items() if k not in _KERAS_ONLY}
