"""``tf.compat.v1``: the TensorFlow 1 names Keras 2 programs written for TensorFlow 2 still call.

``disable_eager_execution()`` / ``enable_eager_execution()`` are accepted and ignored:
tensorforge always runs eagerly; a Keras 2 program that switches TensorFlow to graph mode (Deep
Learning with Python 8.4's VAE) builds, fits and predicts the same models, and
``executing_eagerly()`` stays True. The TensorFlow 1 names Keras programs of that time use
are here: the session boilerplate around Keras (``ConfigProto``, ``Session``,
``get_default_graph``: tf_session.py), ``logging``, ``gfile``, and ``placeholder`` (a Keras
placeholder, which ``Session.run``'s feed_dict feeds: tf_v1_names.py).

``keras``: ``tf.compat.v1.keras.X`` is ``tensorforge.X``, as ``tf.keras.X`` is (the import hook
of _keras_alias.py), so ``from tensorflow.compat.v1.keras.initializers import glorot_uniform``
(the keras-idiomatic-programmer zoo's models_c.py) ports by the import swap. TensorFlow's v1
initializer classes there also take ``dtype=``; these are the Keras 2 ones (the same
distributions).

``train``: TensorFlow 1's optimizers, for ``compile(optimizer=tf.compat.v1.train.AdamOptimizer())``
(train.py); ``losses``: its loss functions with weights and reductions (losses.py); the
``*_initializer`` classes and ``initializers``: its initializers (initializers.py);
``get_variable`` / ``variable_scope`` as TensorFlow 2 runs them eagerly (variables.py). The other names: a v1 name that TensorFlow implements as the same function as a
TensorFlow 2 name (``random_normal`` is ``tf.random.normal``, ``nn.relu`` is ``tf.nn.relu``:
_v2_aliases.py, generated from TensorFlow) is served from that name; the common v1 functions
whose TensorFlow 1 signature differs (``reduce_sum(..., keep_dims=)``, ``argmax(dimension=)``,
``nn.dropout(x, keep_prob)``, ``nn.softmax(dim=)``...) are TensorFlow 1's signature over the v2
function (_v1_ops.py); the v1 / v2 behaviour switches (``disable_v2_behavior()``...) are accepted
and ignored, as disable_eager_execution is. Any other v1 name raises AttributeError."""
import importlib
import sys
import types

from ._v2_aliases import ALIASES as _ALIASES
from ... import tf_random as _tf_random

# the tf.compat.v1 sub-namespaces served (nn, math, ...: their names from _ALIASES, nn's v1
# signatures from _v1_ops.NN first)
_NAMESPACES = sorted(k for k in _ALIASES if k)

set_random_seed = _tf_random.set_seed  # TensorFlow 1's name of tf.random.set_seed


def disable_eager_execution():
    """Accepted and ignored (see the module docstring)."""


def enable_eager_execution(*args, **kwargs):
    """Accepted and ignored (see the module docstring)."""


def executing_eagerly():
    return True


def __getattr__(name):
    if name == "keras":
        return importlib.import_module(__name__ + ".keras")
    session = importlib.import_module("tensorforge.tf_session")
    if name in session.__all__:  # Note [TF1 session boilerplate]
        return getattr(session, name)
    if name in ("logging", "gfile", "placeholder"):  # TensorFlow 1's (tf_v1_names.py)
        return getattr(importlib.import_module("tensorforge.tf_v1_names"), name)
    if name in ("train", "losses"):  # TensorFlow 1's optimizers and loss functions
        return importlib.import_module(__name__ + "." + name)
    ops = importlib.import_module(__name__ + "._v1_ops")
    if name in ops.__all__:
        return getattr(ops, name)
    if name in ("get_variable", "variable_scope", "AUTO_REUSE", "get_variable_scope"):
        return getattr(importlib.import_module(__name__ + ".variables"), name)
    if name == "initializers" or name.endswith("_initializer"):  # TensorFlow 1's classes
        init = importlib.import_module(__name__ + ".initializers")
        if name == "initializers":
            return init
        if name in init.__all__:
            return getattr(init, name)
    if name in _NAMESPACES:
        value = globals()[name] = _Namespace(name)
        return value
    return _v2_name(__name__, "", name)


# Note [compat.v1 reads the package namespace]: the v1 names are the package's own TensorFlow 2
# names (tensorforge.random.normal, tensorforge.nn.relu, ...) under TensorFlow 1's spelling.
# They are looked up in the package's namespace when first asked for: the package is always
# loaded before its subpackages, so the lookup imports nothing (an import of the package from
# here would close a circle through the namespace, which serves this subpackage as tf.compat).
def _v2_name(module, sub, name):
    """tf.compat.v1[.sub].name served from the TensorFlow 2 name it is (_ALIASES)."""
    path = _ALIASES.get(sub, {}).get(name)
    if path is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    obj = sys.modules["tensorforge"]  # Note [compat.v1 reads the package namespace]
    try:
        for part in path.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise AttributeError(f"module {module!r} has no attribute {name!r} (TensorFlow's "
                             f"tf.compat.v1.{sub + '.' if sub else ''}{name} is tf.{path}, "
                             "which tensorforge does not have)") from None
    return obj


class _Namespace(types.ModuleType):
    """tf.compat.v1.nn, .math, .image, ...: TensorFlow 1's signatures where they differ
    (_v1_ops.NN and MATH), else the TensorFlow 2 function TensorFlow serves the name from."""

    def __init__(self, sub):
        super().__init__(f"{__name__}.{sub}")
        self._sub = sub

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        ops = importlib.import_module(__name__ + "._v1_ops")
        if (self._sub == "nn" and name in ops.NN) or (self._sub == "math" and name in ops.MATH):
            value = getattr(ops, name)
        else:
            value = _v2_name(self.__name__, self._sub, name)
        setattr(self, name, value)
        return value

    def __dir__(self):
        ops = importlib.import_module(__name__ + "._v1_ops")
        own = {"nn": ops.NN, "math": ops.MATH}.get(self._sub, [])
        return sorted(set(_ALIASES[self._sub]) | set(own))
