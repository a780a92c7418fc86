"""TensorFlow's namespaces as importable modules: ``from tensorflow.train import Example``,
``from tensorflow.data import Dataset``, ``import tensorflow.io``.

``tf.train``, ``tf.io``, ``tf.data`` ... are namespaces of tf_compat.py (loaded on first use,
See the package's ``__getattr__``), not module files, so ``import tensorforge.train`` found no
module. This finder, consulted after the path finders (so a real submodule always wins),
answers ``tensorforge.<name>`` for each such namespace with a module holding its names (the same
objects: classes and functions are shared with ``tf.<name>``)."""
import importlib
import importlib.abc
import importlib.util
import sys
import types


class _NamespaceModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def _namespace(self, name):
        prefix, _, attr = name.rpartition(".")
        if prefix != "tensorforge" or not attr or attr.startswith("_"):
            return None
        tf_compat = importlib.import_module("tensorforge.tf_compat")
        # (a module tf_compat imports may probe an optional module while tf_compat is half
        # loaded: its __all__ not yet there, no namespace is found)
        ns = getattr(tf_compat, attr, None) if attr in getattr(tf_compat, "__all__", ()) else None
        return ns if isinstance(ns, types.SimpleNamespace) else None

    def find_spec(self, name, path=None, target=None):
        if self._namespace(name) is None:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__dict__.update(vars(self._namespace(spec.name)))
        return module

    def exec_module(self, module):
        pass


def install():
    if not any(isinstance(f, _NamespaceModules) for f in sys.meta_path):
        sys.meta_path.append(_NamespaceModules())  # last: after the path finders
