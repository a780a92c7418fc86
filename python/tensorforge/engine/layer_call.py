"""How Layer.__call__ invokes a layer's ``call`` (Keras 2's conventions, engine/base_layer.py
holds the Layer class that follows them): the training flag of the running model call
(``call_context``), which arguments ``call`` receives (its signature decides), masks carried
on tensors as ``_keras_mask``, the error message that names the failing layer, and the call
on an empty batch.
"""
import inspect
import threading

import numpy as np

from .._text import dtype_name
from .._xp import array_module, raw
from ..autograd import Tensor, no_grad
from .input_spec import _shape_str
from ..symbolic.node import flatten, pack_like


# ---- the training flag of the running model call -----------------------------------------------
_ctx = threading.local()


def learning_phase():
    """The training flag of the model call in progress (False outside any call)."""
    return bool(getattr(_ctx, "training", False))


def training_given():
    """Whether the training flag of the call in progress was set by someone: fit / evaluate /
    predict, or a ``training=`` argument of this or an enclosing layer call. See Note [training
    left unset]."""
    return bool(getattr(_ctx, "given", True)) if _in_call() else False


# Note [training left unset]: Keras 2 resolves a layer's ``training`` from the call's argument,
# else from an enclosing call that received one, else from the default of the layer's own
# ``call`` signature. Most layers default to inference, which ``learning_phase()`` (False) gives;
# the random augmentation layers (RandomFlip, ...) default to ``training=True``, so a bare
# ``data_augmentation(images)`` outside fit augments, as in Keras 2. call_context therefore also
# records whether the flag was given; ``given=None`` inherits it from the enclosing call (a
# functional graph run inside Layer.__call__), and is True at the outermost level (fit, predict).
# Where nobody gave it, the call method receives its own default, as in tf_keras
# (default_training): a ``call(self, x, training=None)`` sees None on an eager ``layer(x)`` or
# ``model(x)`` (a functional model's run hands None on to the layers of its graph, each of
# which then receives its own default), and a Lambda's function ``f(x, training=None)`` too.


class call_context:
    """``with call_context(training, given=None):`` -- the training flag of the model call that
    runs inside (a plain class: it is entered once per training step)."""

    __slots__ = ("training", "given", "prev")

    def __init__(self, training, given=None):
        self.training = bool(training)
        self.given = given

    def __enter__(self):
        self.prev = (getattr(_ctx, "training", None), getattr(_ctx, "depth", 0),
                     getattr(_ctx, "given", True))
        given = self.given if self.given is not None else (
            self.prev[2] if self.prev[1] > 0 else True)
        _ctx.training, _ctx.depth, _ctx.given = self.training, self.prev[1] + 1, given
        return self

    def __exit__(self, *exc):
        _ctx.training, _ctx.depth, _ctx.given = self.prev
        return False


def _in_call():
    return getattr(_ctx, "depth", 0) > 0


_SIGS = {}


def _call_args(fn):
    """(accepts training, accepts mask, accepts **kwargs) for a call method (cached per function)."""
    key = getattr(fn, "__func__", fn)
    got = _SIGS.get(key)
    if got is None:
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        got = ("training" in params or var_kw, "mask" in params or var_kw, var_kw, set(params))
        _SIGS[key] = got
    return got


def _training_default(fn):
    """The default of a call method's ``training`` parameter (cached per function): None
    without the parameter (or taking it through **kwargs), inspect's ``empty`` without a
    default."""
    key = getattr(fn, "__func__", fn)
    got = _DEFAULTS.get(key, _DEFAULTS)
    if got is _DEFAULTS:
        try:
            p = inspect.signature(fn).parameters.get("training")
        except (TypeError, ValueError):
            p = None
        got = _DEFAULTS[key] = None if p is None else p.default
    return got


_DEFAULTS = {}


def traced_training(fn):
    """The ``training`` a symbolic call passes a call method not given one (See Note [training
    of a symbolic call]): None where its signature defaults training to None (or takes it
    through **kwargs), else False."""
    return None if _training_default(fn) is None else False


def default_training(fn):
    """The ``training`` a call method receives when no call gave one (Note [training left
    unset]): its signature's default (None without one, or taking it through **kwargs)."""
    d = _training_default(fn)
    return None if d is inspect.Parameter.empty else d

# Note [training of a symbolic call]: tf_keras traces a layer called on KerasTensors with the
# training argument given, else with the default of its call signature: a Lambda's function
# ``f(x, training=None)`` sees None while the model is built, then the flag of each fit /
# predict step. The stand-in run that finds the output shape here (shape_inference.py) passes
# None the same way; it passes False where tf_keras would pass True (a given training=True, a
# default of True: the random augmentation layers), since the stand-ins are real values that a
# training step would learn from (BatchNormalization's moving statistics) or draw on (the
# layers' random generators), where tf_keras's trace runs nothing.


_POSITIONAL = {}


def _positional_names(fn):
    """The names call() gives its positional arguments after the inputs (cached per function):
    Keras 2 passes ``layer(x, a, b)`` on to ``call(x, a, b)``, so ``MultiHeadAttention(q, v)``
    binds v to ``value`` and a plain ``layer(x, True)`` binds True to ``training``."""
    key = getattr(fn, "__func__", fn)
    got = _POSITIONAL.get(key)
    if got is None:
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            params = []
        got = tuple(p.name for p in params[1:]
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        if not params or any(p.kind is p.VAR_POSITIONAL for p in params):
            got = ("training", "mask")
        _POSITIONAL[key] = got
    return got


def _bind_positional(layer, args, kwargs):
    names = _positional_names(layer.call)
    if len(args) > len(names):
        raise TypeError(f'Layer "{layer.name}": call() takes {len(names)} argument(s) after the '
                        f"inputs ({', '.join(names) or 'none'}), got {len(args)} positional")
    for name, value in zip(names, args):
        if name in kwargs:
            raise TypeError(f'Layer "{layer.name}": got multiple values for argument {name!r}')
        kwargs[name] = value
    return kwargs


_FIRST = {}


def _pop_inputs(layer, kwargs):
    """The inputs of a call given by keyword: ``inputs=``, or the name call() gives its first
    argument (``layer(logits=x, targets=t)`` for ``call(self, logits, targets=None)``)."""
    if "inputs" in kwargs:
        return kwargs.pop("inputs")
    fn = layer.call
    key = getattr(fn, "__func__", fn)
    name = _FIRST.get(key)
    if name is None:
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            params = []
        name = _FIRST[key] = (params[0].name if params and params[0].kind in (
            params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD) else "inputs")
    if name not in kwargs:
        raise TypeError(f'Layer "{layer.name}" ({type(layer).__name__}) was called without '
                        f"inputs: pass them first, or as inputs= or {name}=")
    return kwargs.pop(name)


def invoke_call(layer, inputs, training=False, mask=None, **kwargs):
    """``layer.call(inputs, ...)`` passing training / mask only where its signature takes them."""
    tr, mk, _, _ = _call_args(layer.call)
    if tr:
        kwargs["training"] = training
    if mk and mask is not None:
        kwargs["mask"] = mask
    return layer.call(inputs, **kwargs)


# Note [mask metadata]
# Keras 2 attaches a layer's output mask to its output tensors as ``_keras_mask``, and a layer
# called without ``mask=`` receives its inputs' ``_keras_mask`` (when its call takes a mask).
# The engine does the same on every call: eagerly in Layer.__call__, in a functional graph's run
# (network._Step.run), and symbolically (a bool KerasTensor of the output's shape without its
# last axis, on outputs whose layer makes a mask). Layers that read several inputs' masks
# themselves (MultiHeadAttention: query, value and key) read them from there.
def input_mask(x):
    """The implicit mask of a call's inputs: their ``_keras_mask`` (a list for several inputs;
    None when none has one)."""
    if isinstance(x, (list, tuple)):
        ms = [getattr(t, "_keras_mask", None) for t in x]
        return None if all(m is None for m in ms) else ms
    return getattr(x, "_keras_mask", None)


def set_output_mask(y, mask):
    """Attach ``mask`` (one per output for several) to the output Tensors as ``_keras_mask``."""
    if isinstance(y, Tensor):
        y._keras_mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        return
    if isinstance(y, (list, tuple)):
        ms = mask if isinstance(mask, (list, tuple)) else [mask] + [None] * (len(y) - 1)
        for t, m in zip(y, ms):
            if isinstance(t, Tensor):
                t._keras_mask = m


def _training_arg(layer, training):
    """A call's ``training`` as None or a bool. Keras 2 hands any value on to the layers and
    only a layer that branches on it fails; so an array of several values (the masking guide
    calls ``model(x, array)``, binding the array to ``training``) runs in inference mode, with
    a warning saying so."""
    if training is None or isinstance(training, (bool, np.bool_)):
        return training
    v = raw(training)
    if np.ndim(v) == 0 or np.size(v) == 1:
        return bool(np.asarray(v).reshape(()))
    import warnings
    warnings.warn(f'Layer "{layer.name}": training={type(training).__name__} of shape '
                  f"{np.shape(v)} is not a boolean; running in inference mode (training=False)",
                  UserWarning, stacklevel=3)
    return False


# Note [call errors]
# Keras 2 reports an error raised inside a layer call as 'Exception encountered when calling
# layer "dense" (type Dense).' followed by the error and the call's arguments (their shapes and
# dtypes), once, at the innermost layer whose call failed. Layer.__call__ does the same for
# ValueError / TypeError (an IndexError from inside, a NumPy indexing error on a rank the
# layer does not handle, becomes a ValueError): the message then names the layer and the shapes
# whatever op deep inside raised. The error path only: the call itself pays one try block.
def _describe(v):
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_describe(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(e)}" for k, e in v.items()) + "}"
    shape, dtype = getattr(v, "shape", None), getattr(v, "dtype", None)
    if shape is not None and not callable(shape):
        kind = "tf.Tensor" if type(v).__name__ == "Tensor" else type(v).__name__  # Keras 2's
        return (f"{kind}(shape={_shape_str(tuple(shape))}, "
                f"dtype={'?' if dtype is None else dtype_name(dtype)})")
    r = repr(v)
    return r if len(r) <= 80 else r[:77] + "..."


def _with_call_info(layer, e, args, kwargs):
    if getattr(e, "_keras_call_info_injected", False):
        return e  # an inner layer already said where
    head = f"Exception encountered when calling layer '{layer.name}' (type {type(layer).__name__})."
    lines = [f"  \u2022 inputs={_describe(args[0])}" if args else None]
    lines += [f"  \u2022 {k}={_describe(v)}" for k, v in kwargs.items()]
    lines += [f"  \u2022 arg{i}={_describe(v)}" for i, v in enumerate(args[1:], 1)]
    msg = (f"{head}\n\n{e}\n\nCall arguments received by layer '{layer.name}' (type "
           f"{type(layer).__name__}):\n" + "\n".join(l for l in lines if l))
    if isinstance(e, IndexError):
        e = ValueError(msg)
    else:
        try:
            e.args = (msg,) + tuple(e.args[1:])
        except (AttributeError, TypeError):  # an exception class that will not take it
            return e
    try:
        e._keras_call_info_injected = True
    except AttributeError:
        pass
    return e


# Note [empty batch]
# Keras 2 computes a layer on a batch of 0 samples and returns an empty output of the right
# shape (a filtered batch can be empty). The kernels here refuse empty inputs (an empty GEMM or
# convolution is almost always a bug at the op level), so Layer.__call__ computes a layer called
# on a batch of 0 once on one sample of zeros, in inference mode and without gradient (a
# BatchNormalization's moving statistics, a regularizer's loss stay untouched), and returns the
# first 0 rows of each output. Only this path pays: a call checks the first input's batch size.
def _empty_batch_call(layer, x, mask, kwargs, given):
    def one(t):
        d = raw(t)
        shape = (1,) + tuple(d.shape[1:])
        if d.dtype.kind in "OSU":  # text: one empty string per element
            return Tensor(np.full(shape, b"", dtype=object if d.dtype.kind == "O" else "S1"))
        return Tensor(array_module(d).zeros(shape, dtype=d.dtype))

    def empty(v):
        return v if not isinstance(v, Tensor) or v.ndim == 0 else Tensor(v.data[:0])
    x1 = pack_like(x, [one(t) for t in flatten(x)])
    if isinstance(x1, tuple):
        x1 = list(x1)
    m1 = None if mask is None else pack_like(mask, [None if m is None else one(m)
                                                    for m in flatten(mask)])
    kw = {k: (pack_like(v, [one(t) if getattr(t, "shape", (1,))[:1] == (0,) else t
                            for t in flatten(v)]) if not isinstance(v, (str, bool)) else v)
          for k, v in kwargs.items()}
    outer = not _in_call()
    with no_grad(), call_context(False, given):
        y = invoke_call(layer, x1, training=False, mask=m1, **kw)
    if outer:
        layer._clear_call_losses()
    if isinstance(y, (list, tuple)):
        return type(y)(empty(t) for t in y)
    if isinstance(y, dict):
        return {k: empty(t) for k, t in y.items()}
    return empty(y)
