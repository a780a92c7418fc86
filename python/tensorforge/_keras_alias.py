"""``tensorforge.keras``: the package under the name TensorFlow 2 Keras programs use.

Keras 2 programs written for TensorFlow 2 import ``from tensorflow import keras`` or
``from tensorflow.keras.layers import Dense``; swapping the import lines gives
``from tensorforge import keras`` and ``from tensorforge.keras.layers import Dense``. Both resolve
here to the package itself: ``tensorforge.keras.X`` *is* ``tensorforge.X`` (the same module
objects, so classes and isinstance checks are shared), through this import hook.
``tensorforge.compat.v1.keras.X`` (``tf.compat.v1.keras``, compat/v1/) and
``tensorforge.python.keras.X`` (TensorFlow 2.0-2.5's internal ``tensorflow.python.keras``)
resolve the same way.
"""
import importlib
import importlib.abc
import importlib.util
import sys

_PREFIXES = ("tensorforge.keras", "tensorforge.compat.v1.keras", "tensorforge.python.keras")


def _own_name(name):
    """The package's own module a name under one of _PREFIXES stands for, else None."""
    for prefix in _PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            return "tensorforge" + name[len(prefix):]
    return None


class _KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    _own = {}

    def find_spec(self, name, path=None, target=None):
        own = _own_name(name)
        if own is None:
            return None
        try:
            real = importlib.import_module(own)
        except ModuleNotFoundError as e:
            if e.name != own:
                raise
            raise ModuleNotFoundError(f"No module named {name!r} ({own!r} does not exist)",
                                      name=name) from None
        return importlib.util.spec_from_loader(name, self, is_package=hasattr(real, "__path__"))

    def create_module(self, spec):
        module = importlib.import_module(_own_name(spec.name))
        self._own[id(module)] = (module.__name__, module.__spec__, module.__loader__)
        return module

    def exec_module(self, module):
        # the module is tensorforge's own, already executed; importlib has just given it the
        # alias' name and spec: put its own back
        module.__name__, module.__spec__, module.__loader__ = self._own.pop(id(module))


def install():
    if not any(isinstance(f, _KerasAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasAlias())  # before PathFinder, which would load a copy


def register_module(own, module):
    """Put ``module`` in sys.modules as ``own`` (a tensorforge.X name) and under the names
    _PREFIXES give it: for a module below one that is not a package (keras.backend's
    tensorflow_backend), which the import system finds only there."""
    sys.modules[own] = module
    for prefix in _PREFIXES:
        sys.modules[prefix + own[len("tensorforge"):]] = module
