"""A bare ``tf.Module`` in ``tf.saved_model.save`` / ``load`` (the TF guides "TensorFlow basics"
and "Introduction to modules": a module of ``tf.Variable`` s with ``@tf.function`` methods,
saved, loaded back and called).

TensorFlow stores the module's traced graphs and variables; tensorforge traces no graph. It
stores instead what the module *is*: its class, by reference (``module:qualname``), and its
attributes -- variables (values, names, trainable flags), other tensors, sub-modules and plain
values (numbers, strings, None and lists / tuples / dicts of them) -- in one file of
tensorforge's format (``export_dir/saved_module.tfm``). ``load`` rebuilds the object without
running its ``__init__`` and sets those attributes, so its methods run as they did. Nothing is
unpickled and nothing is imported: the class must already be defined in the loading program
(as it is in the one that saved it) and be a ``tf.Module``; otherwise a ValueError names it.
An attribute of another kind (a Keras layer, a function) is refused at save time, naming it.
"""
import os
import sys

import numpy as np

from . import _fileio
from ._variables import VARIABLES
from ._xp import host
from .autograd import Tensor
from .tf_module import Module

MODULE_FILE = "saved_module.tfm"
FORMAT, VERSION = "tensorforge-saved-module", 1

__all__ = ["save_module", "load_module", "MODULE_FILE"]


def _class_ref(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def _encode(value, arrays, where):
    if isinstance(value, Tensor):
        key = f"t/{len(arrays)}"
        arrays[key] = np.asarray(host(value.data))
        spec = {"tensor": key, "name": getattr(value, "name", None)}
        if value in VARIABLES:
            spec["trainable"] = bool(VARIABLES[value])
        return spec
    if isinstance(value, Module) and not hasattr(value, "weights"):
        return {"module": _encode_module(value, arrays, where)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(v, arrays, f"{where}[{i}]")
                                       for i, v in enumerate(value)]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: _encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    raise NotImplementedError(
        f"tf.saved_model.save: cannot save {where} ({type(value).__name__}): a tf.Module is "
        f"saved as its variables, tensors, sub-modules and plain values (tensorforge traces "
        f"no graph)")


def _encode_module(module, arrays, where=None):
    where = where or type(module).__name__
    return {"class": _class_ref(type(module)),
            "attrs": {k: _encode(v, arrays, f"{where}.{k}") for k, v in vars(module).items()}}


def save_module(module, export_dir):
    arrays = {}
    meta = {"format": FORMAT, "version": VERSION, "root": _encode_module(module, arrays)}
    os.makedirs(export_dir, exist_ok=True)
    _fileio.atomic_savez(os.path.join(export_dir, MODULE_FILE), meta, arrays)


def _find_class(ref, path):
    """The class named ``module:qualname``, looked up among the modules already imported."""
    mod_name, _, qualname = ref.partition(":")
    obj = sys.modules.get(mod_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    if not (isinstance(obj, type) and issubclass(obj, Module)):
        raise ValueError(f"tf.saved_model.load: {path} holds a tf.Module of class {qualname} "
                         f"(from {mod_name}), which this program does not define; tensorforge "
                         f"keeps a module's class by reference, not as a graph")
    return obj


def _decode(spec, arrays, path):
    if "tensor" in spec:
        t = Tensor(np.array(arrays[spec["tensor"]]), name=spec.get("name"))
        if "trainable" in spec:
            VARIABLES[t] = spec["trainable"]
        return t
    if "module" in spec:
        return _decode_module(spec["module"], arrays, path)
    if "value" in spec:
        return spec["value"]
    if "list" in spec:
        return [_decode(s, arrays, path) for s in spec["list"]]
    if "tuple" in spec:
        return tuple(_decode(s, arrays, path) for s in spec["tuple"])
    if "dict" in spec:
        return {k: _decode(s, arrays, path) for k, s in spec["dict"].items()}
    raise ValueError(f"tf.saved_model.load: {path} is corrupt: an attribute of no known kind")


def _decode_module(node, arrays, path):
    cls = _find_class(node["class"], path)
    obj = cls.__new__(cls)
    for k, spec in node["attrs"].items():
        object.__setattr__(obj, k, _decode(spec, arrays, path))
    return obj


def load_module(path):
    meta, members = _fileio.read(path, FORMAT, VERSION)
    with members as arrays:
        stored = {k: arrays[k] for k in arrays if k != _fileio._CONFIG}
    return _decode_module(meta["root"], stored, path)
