"""``tf.Module`` (TensorFlow 2): a named container whose ``variables`` are the ``tf.Variable``
objects found in its attributes, walked as TensorFlow walks them -- the attributes in sorted
name order, through lists, tuples and dicts, each variable once, then the sub-modules'
variables. A Keras layer held by a Module contributes its weights (a Keras Layer is a
tf.Module in TensorFlow). The TensorFlow guides' ``class MyModel(tf.Module)`` (guide
basic_training_loops) use nothing more."""
import re

from . import _variables

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def _snake(name):
    """TensorFlow's default module name: the class name in snake case (MyModel -> my_model)."""
    return _CAMEL.sub(r"_\1", name).lower()


def _leaves(value):
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k])
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _is_layer(value):
    from .engine.base_layer import Layer
    return isinstance(value, Layer)


class _ModuleType(type):
    """Keras 2's Layer (and so Model) derives from tf.Module: ``isinstance(layer, tf.Module)``
    holds here too, without the Layer class depending on this module."""

    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or (cls is Module and _is_layer(obj))

    def __subclasscheck__(cls, sub):
        if type.__subclasscheck__(cls, sub):
            return True
        if cls is not Module or not isinstance(sub, type):
            return False
        from .engine.base_layer import Layer
        return issubclass(sub, Layer)


class Module(metaclass=_ModuleType):
    def __init__(self, name=None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"tf.Module: {name!r} is not a valid module name (letters, digits, "
                             f"'_', '.', '-', not starting with a digit)")
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        import contextlib
        return contextlib.nullcontext(self._name)

    def _walk(self, want, seen=None):
        """(variable, trainable) pairs, or sub-modules, in TensorFlow's order: this module's
        own variables (attributes in sorted name order, through containers), then each
        sub-module's, depth first; each object once."""
        seen = set() if seen is None else seen
        found, subs = [], []
        for key in sorted(vars(self)):
            for leaf in _leaves(vars(self)[key]):
                if id(leaf) in seen or leaf is self:
                    continue
                if leaf in _variables.VARIABLES:
                    seen.add(id(leaf))
                    if want == "variables":
                        found.append((leaf, _variables.VARIABLES[leaf]))
                elif isinstance(leaf, Module) or _is_layer(leaf):
                    seen.add(id(leaf))
                    subs.append(leaf)
        for sub in subs:
            if want == "submodules":
                found.append(sub)
            if not _is_layer(sub):  # a tf.Module of the program's
                found.extend(sub._walk(want, seen))
            elif want == "variables":  # a Keras layer: its weights, trainable ones flagged
                trainable = {id(w) for w in sub.trainable_weights}
                found.extend((w, id(w) in trainable) for w in sub.weights if id(w) not in seen)
                seen.update(id(w) for w in sub.weights)
        return found

    @property
    def variables(self):
        return tuple(v for v, _ in self._walk("variables"))

    @property
    def trainable_variables(self):
        return tuple(v for v, t in self._walk("variables") if t)

    @property
    def non_trainable_variables(self):
        return tuple(v for v, t in self._walk("variables") if not t)

    @property
    def submodules(self):
        return tuple(self._walk("submodules"))

    @classmethod
    def with_name_scope(cls, method):
        return method
