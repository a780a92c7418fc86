"""Keras activations: functions on arrays or Tensors, also selectable by name.

Each one calls the op of the same name, ``tensorforge.ops.<name>`` (native pointwise kernels on the cpu
backend). ``get('relu')`` / ``get(None)`` / ``get(callable)`` resolve an ``activation=`` argument.
"""
import functools

from . import ops as _ops
from .autograd import Tensor
from .autograd.function import _symbolic_types
from .ops import smooth as _smooth

__all__ = ["relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh",
           "softmax", "linear", "gelu", "swish", "silu", "mish", "softsign", "exponential",
           "get", "serialize", "deserialize"]


# On a KerasTensor an activation that calls one TF op records tf_keras 2's TFOpLambda layer of
# that op (``tf.math.sigmoid``, ``tf.nn.relu``: engine/tf_op_symbols.py's ACTIVATIONS). The
# engine fills this in when imported (``fn`` -> its recording), so this module imports nothing
# from the engine.
_record_tf_op = [None]


def _tf_op(fn):
    """``fn``, recording its TF op's layer on a KerasTensor (a call the op cannot express, such
    as relu's alpha, records the anonymous op layer, as before); on anything else ``fn`` after
    one type check."""
    recording = []

    @functools.wraps(fn)
    def activation(*args, **kwargs):
        x = args[0] if args else kwargs.get("x")
        if _symbolic_types and type(x) is _symbolic_types[0]:
            if not recording:
                recording.append(_record_tf_op[0](fn))
            return recording[0](*args, **kwargs)
        return fn(*args, **kwargs)
    return activation


@_tf_op
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    return _ops.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def leaky_relu(x, alpha=0.3): return _ops.leaky_relu(x, alpha=alpha)
@_tf_op
def elu(x, alpha=1.0): return _ops.elu(x, alpha=alpha)
@_tf_op
def selu(x): return _ops.selu(x)
@_tf_op
def softplus(x): return _ops.softplus(x)
@_tf_op
def sigmoid(x): return tag_logits(_ops.sigmoid(x), x)
def hard_sigmoid(x): return _ops.hard_sigmoid(x)
@_tf_op
def tanh(x): return _ops.tanh(x)
@_tf_op
def softmax(x, axis=-1): return tag_logits(_ops.softmax(x, axis=axis), x)
def linear(x): return x
@_tf_op
def gelu(x, approximate=False): return _smooth.gelu(x, approximate=approximate)
@_tf_op
def swish(x): return _smooth.swish(x)
def mish(x): return _smooth.mish(x)
@_tf_op
def softsign(x): return _smooth.softsign(x)
@_tf_op
def exponential(x): return _smooth.exponential(x)


silu = swish  # TensorFlow's name (tf.nn.silu); saved as 'swish', tf_keras 2's name


def tag_logits(out, x):
    """``out`` (a softmax or sigmoid of the Tensor ``x``) remembers ``x``, as tf_keras 2's
    softmax and sigmoid tag their output (``_keras_logits``): its categorical, sparse
    categorical and binary cross-entropies then compute from those logits, whichever of the
    two activations made them (_loss_inputs._logits_of)."""
    if isinstance(out, Tensor) and isinstance(x, Tensor) and out is not x:
        out._keras_logits = x
    return out


_BY_NAME = {f.__name__: f for f in (relu, leaky_relu, elu, selu, softplus, sigmoid, hard_sigmoid,
                                    tanh, softmax, linear, gelu, swish, mish, softsign,
                                    exponential)}
_ALIASES = {"silu": swish}  # names get() also knows (not what serialize() writes)


def get(identifier):
    """An activation function from a name, a function, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME.get(identifier) or _ALIASES[identifier]
        except KeyError:
            from ._custom_objects import custom_object
            fn = custom_object(identifier)  # a custom activation saved by name (Keras 2)
            if callable(fn):
                return fn
            raise ValueError(f"activations.get: unknown activation {identifier!r}; known: "
                             f"{', '.join(sorted(_BY_NAME))}; a custom one: pass "
                             f"custom_objects={{{identifier!r}: function}}") from None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"activations.get: expected a name or a callable, got {type(identifier).__name__}")


def serialize(fn):
    """A built-in activation's name; a custom function's registered name
    (``register_keras_serializable``: 'package>name') or its ``__name__``, found again through
    ``custom_objects`` when loaded, as Keras 2 does. A lambda has no name to find it by."""
    name = getattr(fn, "__name__", None)
    if _BY_NAME.get(name) is fn:
        return name
    if not callable(fn) or not name or name == "<lambda>":
        raise ValueError(f"activations.serialize: cannot save the activation {fn!r}: define it "
                         "with def (and pass it as custom_objects when loading)")
    from ._custom_objects import get_custom_objects
    for key, obj in get_custom_objects().items():
        if obj is fn and ">" in key:
            return key
    return name


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """The activation function of a name serialize() wrote (a built-in's name, a registered
    'package>name' or a custom function's name found in ``custom_objects``), or of a Keras 2
    config dict {'class_name': name, 'config': ...}."""
    if isinstance(name, dict):
        if "class_name" not in name:
            raise ValueError(f"activations.deserialize: a config dict needs 'class_name', got "
                             f"{name!r}")
        name = name["class_name"]
    if not isinstance(name, str):
        raise TypeError(f"activations.deserialize: expected a name, got {type(name).__name__}")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)
