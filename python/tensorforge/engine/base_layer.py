"""The Layer base class (Keras 2's keras/engine/base_layer.py): weights, build-on-first-call,
symbolic calls that record graph nodes, per-call and persistent losses (``add_loss``), masks,
config, layer naming, and the registry of layer classes by name (every Layer subclass registers
itself, so a config names its layers by class name).

Calling a layer:
- on KerasTensors (``Input(...)`` and what layers made from them): builds the layer for the input
  shape, checks ``input_spec``, infers the output shape at once (``compute_output_shape`` when
  the class defines it, else by running ``call`` once on zeros) and records a Node
  (engine/node.py); a mismatch is a ValueError naming the layer and both shapes.
- on arrays or Tensors: builds on the first call and computes. ``training=None`` takes the
  training flag of the model call it runs in (``call_context``), else False.
``call`` receives ``training`` and ``mask`` only when its signature names them (or takes
``**kwargs``), as Keras 2 inspects it, so a custom ``def call(self, inputs)`` works.
Layers assigned as attributes of a layer or model (also inside lists) are tracked: their weights
and losses are the owner's.
"""
import functools
import inspect
import threading

import numpy as np

from ..kernels._common import check_output_size
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module, host, raw
from .. import _variables
from .._text import as_bytes_array, dtype_name, is_text
from ..autograd import Tensor, no_grad
from ..tf_ragged import RaggedTensor
from . import node as _node_module
from .node import KerasTensor, Node, flatten, is_symbolic, pack_like
from .serialization import (_LAYER_CLASSES, _deser, _name_counts, _ser, _unique_name,  # noqa: F401
                            get_layer_class, _snake)

__all__ = ["Layer", "InputSpec", "call_context", "get_layer_class"]


# ---- structure version: caches of layer lists and weight lists are keyed on it ------------------
# Bumped whenever a layer gains a weight or a tracked sublayer, is built, or changes its trainable
# flag, and when a graph is (re)mapped; a training step then reuses its lists (no tree walks).
_VERSION = [0]


def _touch():
    _VERSION[0] += 1


# Bumped by every attribute set on any layer (Layer.__setattr__), add_loss and add_metric: the
# compiled training step (engine/compiled_step.py) rebuilds when it changes instead of reading
# every layer's configuration at every step.
_ATTRS = [0]


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


def _pair(v, what):
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {v!r}")
    return v


def _shape_str(s):
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def is_shape(s):
    """True for one shape (a tuple/list of ints and None), False for a list of shapes."""
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                for d in s)


def _spec_error(msg):
    """An input-spec mismatch: Keras 2 raises it as it is, before the call (so no call info
    is added around it: See Note [call errors])."""
    e = ValueError(msg)
    e._keras_call_info_injected = True
    return e


class InputSpec:
    """What a layer accepts (Keras 2 InputSpec): ndim, min_ndim, max_ndim, axes {axis: size},
    or a whole shape (None: any size; the batch axis is not checked), which with
    ``allow_last_axis_squeeze`` may also come with or without a trailing axis of 1 (a
    functional model's inputs, as Keras 2 checks them)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.min_ndim, self.max_ndim = min_ndim, max_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def _check_shape(self, where, shape):
        want, got = self.shape, tuple(shape)
        if self.allow_last_axis_squeeze:
            want = want[:-1] if want and want[-1] == 1 else want
            got = got[:-1] if got and got[-1] == 1 else got
        if len(want) != len(got) or any(w is not None and g is not None and w != g
                                         for w, g in zip(want[1:], got[1:])):
            raise _spec_error(f"{where}expected shape={_shape_str(self.shape)}, found "
                             f"shape={_shape_str(tuple(shape))}")

    def check(self, layer, index, shape):
        where = f'Input {index} of layer "{layer.name}" is incompatible with the layer: '
        if self.shape is not None:
            return self._check_shape(where, shape)
        nd = len(shape)
        if self.ndim is not None and nd != self.ndim:
            raise _spec_error(f"{where}expected ndim={self.ndim}, found ndim={nd}. Full shape "
                             f"received: {_shape_str(shape)}")
        if self.min_ndim is not None and nd < self.min_ndim:
            raise _spec_error(f"{where}expected min_ndim={self.min_ndim}, found ndim={nd}. Full "
                             f"shape received: {_shape_str(shape)}")
        if self.max_ndim is not None and nd > self.max_ndim:
            raise _spec_error(f"{where}expected max_ndim={self.max_ndim}, found ndim={nd}. Full "
                             f"shape received: {_shape_str(shape)}")
        for axis, value in self.axes.items():
            if value is None or not -nd <= axis < nd:
                continue
            if shape[axis] is not None and shape[axis] != value:
                raise _spec_error(f"{where}expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {_shape_str(shape)}")


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
# The engine does the same on every call: eagerly here, in a functional graph's run
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


def _symbolic_output_mask(layer, inputs, outs):
    """Bool KerasTensors for the symbolic outputs of a layer that makes a mask (See Note [mask
    metadata]); found by asking compute_mask about inputs of ones. None when it makes none."""
    in_mask = input_mask(inputs)
    if in_mask is None:  # only a mask-making layer can start one: Embedding(mask_zero=True),
        # Masking, or a user's layer with its own compute_mask
        cls = type(layer)
        if cls.compute_mask is Layer.compute_mask or not (
                getattr(layer, "mask_zero", False) or cls.__name__ == "Masking"
                or not cls.__module__.startswith("tensorforge.")):
            return None
    elif type(layer).compute_mask is Layer.compute_mask and not layer.supports_masking:
        return None

    def ones(t, dtype):
        return np.ones(tuple(1 if d is None else d for d in t.shape), dtype=dtype)
    try:
        x = pack_like(inputs, [ones(t, np.float32) for t in flatten(inputs)])
        m = None if in_mask is None else pack_like(
            in_mask, [None if k is None else ones(k, bool) for k in flatten(in_mask)])
        got = layer.compute_mask(x, m)
    except Exception:  # a user's compute_mask that cannot take stand-in inputs: no metadata
        return None
    gots = got if isinstance(got, (list, tuple)) else [got] + [None] * (len(outs) - 1)
    return [None if g is None or len(o.shape) < 1 else
            KerasTensor(o.shape[:-1] if len(o.shape) > 1 else o.shape, dtype="bool",
                        name=f"{o.name}/mask")
            for o, g in zip(outs, gots)]


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
        return (f"{type(v).__name__}(shape={_shape_str(tuple(shape))}, "
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


def _refuse_dtype(a, what):
    """A TypeError for complex or non-numeric object data, which float32 would mangle: NumPy
    casts complex to real by dropping the imaginary part (Keras 2 refuses both)."""
    kind = getattr(getattr(a, "dtype", None), "kind", None)
    if kind == "c":
        raise TypeError(f"{what}: complex input (dtype {a.dtype}) is not supported; the layers "
                        f"compute in float32 (pass the real part, or real and imaginary parts "
                        f"as separate features)")
    if kind == "O":
        raise TypeError(f"{what}: an array of Python objects (dtype object) is not a valid "
                        f"input; convert it to a numeric array first")


def _as_tensor(x):
    """An eager layer input as a float32 Tensor (Keras' floatx, cast once at the boundary)."""
    if isinstance(x, Tensor):
        if x.dtype != np.float32 and not x.requires_grad and not is_text(x):
            _refuse_dtype(x.data, "layer input")
            return Tensor(x.data.astype(np.float32))
        return x
    if getattr(x, "dtype", None) == np.float32:
        return Tensor(x)
    if is_text(x) or (isinstance(x, (list, tuple)) and is_text(np.asarray(x))):
        return Tensor(as_bytes_array(x, "layer input"))  # tf.string data stays bytes
    _refuse_dtype(x, "layer input")
    return Tensor(array_module(x).asarray(x, dtype=np.float32))  # a CuPy batch stays on the GPU


def _as_tensor_as_is(x):
    """A layer input with its own dtype (the lookup layers read integer ids and strings as
    they are, as Keras 2's do; ids above 2**24 would not survive float32)."""
    if isinstance(x, Tensor):
        return x
    if is_text(x) or (isinstance(x, (list, tuple)) and is_text(np.asarray(x))):
        return Tensor(as_bytes_array(x, "layer input"))
    if getattr(getattr(x, "dtype", None), "kind", None) == "c":
        _refuse_dtype(x, "layer input")
    return Tensor(array_module(x).asarray(x))


def _as_tensor_keep_ints(x):
    """A layer input as Keras 2's autocast leaves it: floats as float32, integer and boolean
    ids as they are (a custom layer or a Lambda behind ``Input(dtype="int32")`` sees ints)."""
    d = x.data if isinstance(x, Tensor) else x
    kind = getattr(getattr(d, "dtype", None), "kind", None)
    if kind is not None and kind in "iub":
        return x if isinstance(x, Tensor) else Tensor(array_module(d).asarray(d))
    return _as_tensor(x)


def _input_converter(layer):
    """How ``layer.__call__`` turns eager inputs into Tensors. See Note [integer inputs]."""
    if layer._keeps_input_dtype:
        return _as_tensor_as_is
    return _as_tensor_keep_ints if layer._int_inputs else _as_tensor


# Note [declared input specs]
# As Keras 2's layers set ``input_spec``, a built-in layer declares what it takes, and
# Layer.__call__ checks it on every eager and symbolic call (a graph's run does not: its
# shapes were checked when it was built): ``_input_ndim`` a fixed rank from construction
# (pooling, padding, cropping, upsampling: a 5-D batch into MaxPooling1D is refused, not
# reshaped); ``_spec_from_build`` the rank and channel axis the layer was built for
# (convolutions, recurrent wrappers: Conv1D built for 3 channels refuses 4 when a second graph
# reuses it). Layers whose rules depend on their arguments set input_spec themselves.


# Note [integer inputs]
# Keras 2 casts floating inputs to a layer's float32 and leaves integer ones alone; its own
# numeric layers (Dense, ...) then cast ints to float themselves. Here the numeric kernels take
# floats only, so integer values reach ``call`` as they are only for layers that read them:
# ``_keeps_input_dtype`` ones (lookups, Hashing, Discretization; they keep every dtype), and
# ``_int_inputs`` ones: Embedding, Lambda, and layers whose ``call`` is the program's own (a
# custom layer or subclassed model, as in Keras 2). Every other layer gets float32, both on an
# eager call and inside a functional graph (network._Step).


def _marks_built(build):
    @functools.wraps(build)
    def built_after(self, *args, **kwargs):
        out = build(self, *args, **kwargs)
        self.built = True
        return out
    return built_after


class Layer:
    """Base layer: weights, build-on-first-call, symbolic calls, Keras config, masks, losses."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _LAYER_CLASSES[cls.__name__] = cls
        if "_int_inputs" not in cls.__dict__ and "call" in cls.__dict__ and \
                not cls.__module__.startswith("tensorforge."):
            cls._int_inputs = True  # the program's own call() sees ints: See Note [integer inputs]
        build = cls.__dict__.get("build")
        if build is not None:  # a layer built by hand (layer.build(shape)) is built: as Keras 2,
            cls.build = _marks_built(build)  # whose layers' build() ends with built = True

    supports_masking = False
    _metrics_added = False
    _keeps_input_dtype = False  # True: inputs are not cast to float32 (the lookup layers)
    _int_inputs = False  # True: integer inputs are not cast either. See Note [integer inputs]
    # See Note [declared input specs]
    _input_ndim = None  # the input rank the layer takes (an int, or (min, max))
    _spec_from_build = False  # True: once built, the input's rank and channel axis are fixed

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, dtype=None, weights=None,
                 dynamic=False, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword arguments {sorted(kwargs)}")
        d = self.__dict__
        d.setdefault("_tracked", [])
        self.name = name or _unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._weights = []  # [(name, Tensor, trainable)]
        self._initial_weights = weights
        self.losses_fns = []  # persistent losses (regularizers, add_loss(callable)): callables
        self._call_losses = []  # add_loss(tensor) inside call: cleared at each outer call
        self._inbound_nodes = []
        self._outbound_nodes = []
        nd = self._input_ndim
        self.input_spec = (None if nd is None else InputSpec(ndim=nd) if isinstance(nd, int)
                           else InputSpec(min_ndim=nd[0], max_ndim=nd[1]))
        self.dtype = "float32" if dtype is None else dtype_name(dtype)
        self.batch_input_shape = None
        if batch_input_shape is not None:
            self.batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self.batch_input_shape = (batch_size, int(input_dim))
        self.input_shape_ = None
        self.output_shape_ = None
        self._config = {"name": self.name, "trainable": self._trainable, "dtype": self.dtype}
        if self.batch_input_shape is not None:
            self._config["batch_input_shape"] = list(self.batch_input_shape)

    def __setattr__(self, name, value):
        _ATTRS[0] += 1
        # Track layers assigned as attributes (also in lists/tuples), as Keras 2 does.
        if isinstance(value, Layer) and value is not self:
            self._track(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            for v in value:
                if v is not self:
                    self._track(v)
        elif type(value) is Tensor and value in _variables.VARIABLES and \
                not any(t is value for _, t, _ in self._weights):
            # self.w = tf.Variable(...): a weight of this layer (See _variables.py)
            self._weights.append((name, value, _variables.VARIABLES[value]))
            _touch()
        object.__setattr__(self, name, value)

    def _track(self, layer):
        tracked = self.__dict__.setdefault("_tracked", [])
        if not any(t is layer for t in tracked):
            tracked.append(layer)
            _touch()

    def _set_constraints(self, **kw):
        """Keep the layer's ``*_constraint`` arguments (constraints.get) as attributes and in its
        config; add_weight gives each weight its own (See _CONSTRAINT_ATTR)."""
        for k, v in kw.items():
            c = _constraints.get(v)
            setattr(self, k, c)
            self._config[k] = _ser(c)

    def _record(self, **kw):
        """Remember constructor arguments for get_config() (a constraint the layer keeps, See
        _set_constraints, is not overwritten by a recorded None)."""
        self._config.update({k: _ser(v) for k, v in kw.items()
                             if not (v is None and k.endswith("_constraint")
                                     and getattr(self, k, None) is not None)})

    # ---- weights ----------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **kwargs):
        """Create, track and return a weight Tensor (Keras 2 ``add_weight``).

        Keras 2's order is (name, shape, dtype, initializer, regularizer, trainable); the
        built-in layers' older positional form (name, shape, initializer, regularizer) is also
        accepted: a third argument that is not a dtype is taken as the initializer."""
        if dtype is not None and not _is_dtype(dtype):
            dtype, initializer, regularizer, trainable = None, dtype, initializer, (
                regularizer if isinstance(regularizer, bool) else trainable)
        if shape is None:
            shape = ()
        if name is None:
            name = f"weight_{len(self._weights)}"
        dt = np.dtype(dtype) if dtype is not None else np.dtype(np.float32)
        init = _init.get(initializer if initializer is not None else
                         ("glorot_uniform" if dt.kind == "f" else "zeros"))
        shape = tuple(int(s) for s in shape)
        # a weight too large for memory is a ValueError naming it, before the initializer runs
        check_output_size(f"{type(self).__name__} {self.name!r}", f"weight {name!r}", shape, dt.itemsize)
        value = init(shape, dt)
        # np.array(order="C"), not np.ascontiguousarray: that one turns a scalar () weight
        # (Attention's scale) into shape (1,)
        t = Tensor(np.array(value, dtype=dt, order="C"),
                   requires_grad=bool(trainable) and self._trainable and dt.kind == "f",
                   name=f"{self.name}/{name}")
        self._weights.append((name, t, bool(trainable)))
        _touch()
        if constraint is None:  # the layer's own <weight>_constraint argument, by Keras' names
            constraint = getattr(self, _CONSTRAINT_ATTR.get(name.rsplit("/", 1)[-1], ""), None)
        if constraint is not None:
            t._constraint = _constraints.get(constraint)
        if regularizer is not None:
            reg = _reg.get(regularizer)
            self.losses_fns.append(lambda t=t, r=reg: r(t))
        return t

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, v):
        _touch()
        self._trainable = bool(v)
        for _, t, tr in self._weights:
            t.requires_grad = tr and self._trainable
        for sub in self._sublayers():
            sub.trainable = v

    def _sublayers(self):
        return list(self.__dict__.get("_tracked", []))

    def _flatten_layers(self):
        """self and every layer below it, each once."""
        cached = self.__dict__.get("_flat_cache")
        if cached is not None and cached[0] == _VERSION[0]:
            return cached[1]
        out, seen, stack = [], set(), [self]
        while stack:
            l = stack.pop()
            if id(l) in seen:
                continue
            seen.add(id(l))
            out.append(l)
            stack.extend(reversed(l._sublayers()))
        self.__dict__["_flat_cache"] = (_VERSION[0], out)
        return out

    @property
    def weights(self):
        return [t for _, t, _ in self._all_weights()]

    def _all_weights(self):
        """[(name, Tensor, effectively trainable)] of this layer and its sublayers, each weight
        once (a shared layer's too). Cached until the structure changes (_VERSION)."""
        cached = self.__dict__.get("_weights_cache")
        if cached is not None and cached[0] == _VERSION[0]:
            return cached[1]
        out, seen = [], set()
        for n, t, tr in self._weights:
            seen.add(id(t))
            out.append((n, t, tr and self._trainable))
        for sub in self._sublayers():
            for n, t, tr in sub._all_weights():
                if id(t) not in seen:  # a shared layer's weights count once
                    seen.add(id(t))
                    out.append((n, t, tr and self._trainable))
        self.__dict__["_weights_cache"] = (_VERSION[0], out)
        return out

    @property
    def trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if tr]

    @property
    def non_trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if not tr]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def get_weights(self):
        return [t.numpy().copy() for t in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"{self.name}.set_weights: expected {len(mine)} arrays "
                             f"({[t.shape for t in mine]}), got {len(weights)}")
        for t, w in zip(mine, weights):
            w = np.asarray(getattr(w, "get", lambda: w)() if not isinstance(w, np.ndarray) and
                           hasattr(w, "get") else w)
            if tuple(w.shape) != t.shape:
                raise ValueError(f"{self.name}.set_weights: weight {t.name} has shape {t.shape}, "
                                 f"got an array of shape {tuple(w.shape)}")
            t.data[...] = array_module(t.data).asarray(w.astype(t.data.dtype))  # may be on a GPU

    def count_params(self):
        return int(sum(t.size for t in self.weights))

    # ---- losses -----------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None):
        """Add a loss term: a callable (evaluated at every step, e.g. a weight penalty), a Tensor
        computed inside ``call`` (this call's term, replaced at the next call) or, on a model, a
        KerasTensor of its graph (computed with the model's outputs)."""
        _ATTRS[0] += 1
        for loss in (losses if isinstance(losses, (list, tuple)) else [losses]):
            if loss is None:
                continue
            if isinstance(loss, KerasTensor):
                self.__dict__.setdefault("_symbolic_losses", []).append(loss)
                if hasattr(self, "_on_symbolic_loss"):
                    self._on_symbolic_loss()
            elif callable(loss) and not isinstance(loss, Tensor):
                self.losses_fns.append(loss)
            else:
                self._call_losses.append(loss if isinstance(loss, Tensor) else
                                         Tensor(np.float32(loss)))

    def _clear_call_losses(self):
        for l in self._flatten_layers():
            if l._call_losses:
                l._call_losses = []
            if l.__dict__.get("_call_metrics"):
                l._call_metrics = []

    def add_metric(self, value, name=None, aggregation=None):
        """Keras 2 ``add_metric``: report ``value`` (a Tensor computed in ``call``) as the metric
        ``name`` in fit()'s logs, averaged over the epoch (aggregation 'mean' or None)."""
        if aggregation not in (None, "mean"):
            raise ValueError(f'{self.name}.add_metric: aggregation must be "mean" or None, got '
                             f"{aggregation!r}")
        if name is None:  # a metric object's result (metric(y, p)) is named after the metric
            name = getattr(value, "name", None)
            if not isinstance(name, str) or not name:
                raise ValueError(f"{self.name}.add_metric: pass name= for the metric")
        if isinstance(value, KerasTensor):
            raise NotImplementedError(f"{self.name}.add_metric: symbolic (functional-graph) "
                                      "metrics are not supported; call add_metric in a layer's call")
        self.__dict__.setdefault("_call_metrics", []).append((str(name), value))
        _ATTRS[0] += 1
        Layer._metrics_added = True  # from now on fit() looks for them (See _added_metrics)

    def _added_metric_objects(self):
        """{name: Metric} of this call's add_metric values that were a metric object's result
        (``add_metric(metric(y, p))``): Keras 2 logs such a metric's own state, result() at
        the end of the epoch, not a mean of its running results."""
        out = {}
        if not Layer._metrics_added:
            return out
        for l in self._flatten_layers():
            for name, v in l.__dict__.get("_call_metrics", ()):
                obj = getattr(v, "_metric_obj", None)
                if obj is not None:
                    out[name] = obj
        return out

    @property
    def metrics(self):
        """The metric objects this layer (and its sublayers) holds as attributes (Keras 2's
        ``Layer.metrics``)."""
        from ..metrics import Metric  # deferred: metrics imports the engine
        out = []
        for l in self._flatten_layers():
            out.extend(v for v in l.__dict__.values() if isinstance(v, Metric) and v not in out)
        return out

    def _added_metrics(self):
        """{name: float} of this call's add_metric values (their means), over this layer and
        its sublayers (no walk at all while no layer in the process ever called add_metric)."""
        return {k: v for k, (v, _) in self._added_metric_values().items()}

    def _added_metric_values(self):
        """{name: (mean, count)} of this call's add_metric values: Keras 2 averages them with a
        Mean, so a scalar counts once per batch and a per-sample value once per element."""
        out = {}
        if not Layer._metrics_added:
            return out
        for l in self._flatten_layers():
            for name, v in l.__dict__.get("_call_metrics", ()):
                a = np.asarray(host(v), dtype=np.float64)
                out[name] = (float(a.mean()) if a.size else 0.0, float(a.size))
        return out

    @property
    def losses(self):
        out = []
        for l in self._flatten_layers():
            if l.losses_fns:
                out.extend(f() for f in l.losses_fns)
            if l._call_losses:
                out.extend(_reduce_loss(t) for t in l._call_losses)
        return [l for l in out if l is not None]

    # ---- shapes and calls -------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            input_shape = tuple(input_shape) if is_shape(input_shape) else [
                tuple(s) for s in input_shape]
            self.build(input_shape)
            try:
                self._check_output_size(input_shape)
            except ValueError:
                self.built = False  # refused again at the next call
                raise
            if self._spec_from_build and is_shape(input_shape) and input_shape:
                ax = 1 if getattr(self, "data_format", None) == "channels_first" else -1
                self.input_spec = InputSpec(ndim=len(input_shape), axes=(
                    {ax: input_shape[ax]} if input_shape[ax] is not None else None))
            self.built = True
            _touch()
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None

    def compute_output_shape(self, input_shape):
        return _infer_by_running(self, input_shape)

    def _check_output_size(self, input_shape):
        """Once, when built: an output of one sample too large for memory (RepeatVector(10**12),
        Resizing(10**6, 10**6)) is a ValueError naming the layer, before any call allocates it.
        Only the built-in layers that state their output shape are checked (the default, and a
        model's, would run the layer; a program's own may be costly)."""
        cls = type(self)
        if cls.compute_output_shape is Layer.compute_output_shape or \
                not cls.__module__.startswith("tensorforge.layers."):
            return
        try:
            out = self.compute_output_shape(input_shape)
        except Exception:  # noqa: BLE001 -- the call itself reports a bad shape, with context
            return
        for s in ([out] if is_shape(out) else out if isinstance(out, (list, tuple)) else []):
            if is_shape(s) and s:
                check_output_size(f'Layer "{self.name}" ({type(self).__name__})', "the output of "
                                  "one sample", (1,) + tuple(1 if d is None else d for d in s[1:]))

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def call(self, inputs, training=False, mask=None):
        return inputs

    def _check_input_spec(self, shapes):
        spec = self.input_spec
        if spec is None:
            return
        specs = spec if isinstance(spec, (list, tuple)) else [spec]
        for i, (sp, s) in enumerate(zip(specs, shapes)):
            if sp is not None:
                sp.check(self, i, s)

    def __call__(self, *args, **kwargs):
        try:
            return self._call(args, kwargs)
        except (ValueError, TypeError, IndexError) as e:  # See Note [call errors]
            raise _with_call_info(self, e, args, kwargs) from None

    def _call(self, args, kwargs):
        if args:
            inputs = args[0]
            if len(args) > 1:
                kwargs = _bind_positional(self, args[1:], kwargs)
        else:  # layer(logits=x, targets=t): the inputs by call()'s own first name (Keras 2)
            inputs = _pop_inputs(self, kwargs)
        if is_symbolic(inputs) or is_symbolic(list(kwargs.values())):
            return self._call_symbolic(inputs, **kwargs)
        if isinstance(inputs, RaggedTensor):  # the lookup layers take a ragged batch whole
            if not getattr(self, "_accepts_ragged", False):
                raise TypeError(f'Layer "{self.name}" ({type(self).__name__}) does not take a '
                                f"RaggedTensor input (shape {tuple(inputs.shape)}); convert "
                                "it with .to_tensor()")
            self._maybe_build(tuple(inputs.shape))
            kwargs.pop("training", None)
            kwargs.pop("mask", None)
            return self.call(inputs, **kwargs)
        if isinstance(inputs, (list, tuple)) and inputs:
            leaves = flatten(inputs)
            if all(isinstance(t, (str, bytes)) for t in leaves):
                inputs = as_bytes_array(inputs, f'Layer "{self.name}"')  # strings: one input
            elif all(isinstance(t, (int, float, np.number)) for t in leaves):
                try:  # nested lists of numbers: one input, as Keras 2 converts them
                    inputs = np.asarray(inputs)
                except ValueError:
                    raise ValueError(f'Layer "{self.name}": nested lists of numbers must be '
                                     f"rectangular (one tensor), got ragged lists") from None
        training = _training_arg(self, kwargs.pop("training", None))
        given = training is not None or training_given()  # See Note [training left unset]
        mask = kwargs.pop("mask", None)
        conv = _input_converter(self)
        if isinstance(inputs, (list, tuple, dict)):
            x = pack_like(inputs, [conv(t) for t in flatten(inputs)])
            if isinstance(x, tuple):
                x = list(x)
        else:
            x = conv(inputs)
        flat = flatten(x)
        if not isinstance(x, dict):  # (a dict's order need not be the inputs' order)
            self._check_input_spec([t.shape for t in flat])  # full shapes, as Keras 2 prints them
        shapes = [(None,) + t.shape[1:] for t in flat]
        self._maybe_build(shapes if isinstance(x, (list, dict)) else shapes[0])
        if training is None:
            training = learning_phase()
        outer = not _in_call()
        if outer:
            self._clear_call_losses()
        if mask is None:  # See Note [mask metadata]
            mask = input_mask(x)
        s0 = flat[0].shape if flat else ()
        if s0 and s0[0] == 0 and all(t.ndim and t.shape[0] == 0 for t in flat):
            y = _empty_batch_call(self, x, mask, kwargs, given)  # See Note [empty batch]
        else:
            with call_context(training, given):
                y = invoke_call(self, x, training=training, mask=mask, **kwargs)
        set_output_mask(y, self.compute_mask(x, mask))
        if self.input_shape_ is None:
            self.input_shape_ = shapes if isinstance(x, list) else shapes[0]
            ys = flatten(y)
            if all(isinstance(t, Tensor) for t in ys):
                out = [(None,) + t.shape[1:] for t in ys]
                self.output_shape_ = out if isinstance(y, (list, tuple)) else out[0]
        return y

    def _call_symbolic(self, inputs, **kwargs):
        kwargs.pop("mask", None)  # masks are computed when the graph runs
        flat = flatten(inputs)
        for t in flat:
            if not isinstance(t, KerasTensor):
                raise TypeError(f'Layer "{self.name}": all inputs must be symbolic tensors '
                                f"(from Input or other layers) when any is, got {type(t).__name__}")
        shapes = [t.shape for t in flat]
        input_shape = shapes if isinstance(inputs, (list, tuple)) else shapes[0]
        self._check_input_spec(shapes)
        try:
            self._maybe_build(input_shape)
        except (IndexError, TypeError, ValueError) as e:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) cannot be built for '
                             f"input shape {_fmt_shape(input_shape)}: {e}") from None
        out_shape = self._output_shape_for(input_shape, inputs, kwargs)
        single = is_shape(out_shape)
        out_shapes = [out_shape] if single else list(out_shape)
        node_index = len(self._inbound_nodes)
        outs = [KerasTensor(s, name=f"{self.name}/{node_index}/{i}",
                            keras_history=(self, node_index, i))
                for i, s in enumerate(out_shapes)]
        masks = _symbolic_output_mask(self, inputs, outs)  # See Note [mask metadata]
        if masks is not None:
            for o, m in zip(outs, masks):
                if m is not None:
                    o._keras_mask = m
        node = Node(self, inputs, outs, kwargs)
        self._inbound_nodes.append(node)
        for t in flat + [t for t in flatten(list(kwargs.values())) if isinstance(t, KerasTensor)]:
            t._keras_history[0]._outbound_nodes.append(node)
        if self.input_shape_ is None:
            self.input_shape_ = input_shape
            self.output_shape_ = tuple(out_shape) if single else [tuple(s) for s in out_shape]
        return outs[0] if single else outs

    def _output_shape_for(self, input_shape, inputs, kwargs):
        tensor_kwargs = is_symbolic(list(kwargs.values()))
        if type(self).compute_output_shape is not Layer.compute_output_shape and not tensor_kwargs:
            try:
                s = self.compute_output_shape(input_shape)
            except (IndexError, TypeError) as e:
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): cannot compute '
                                 f"the output shape for input shape {_fmt_shape(input_shape)}: "
                                 f"{e}") from None
            return tuple(s) if is_shape(s) else [tuple(x) for x in s]
        return _infer_by_running(self, input_shape, inputs, kwargs)

    @property
    def input_shape(self):
        if self.input_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no input shape)")
        return self.input_shape_

    @property
    def output_shape(self):
        if self.output_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no output shape)")
        return self.output_shape_

    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        node = self._inbound_nodes[0]
        if node.is_input:  # an InputLayer's input is its own tensor, as in Keras 2
            return node.output_tensors[0]
        return node.input_tensors

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        outs = self._inbound_nodes[0].output_tensors
        return outs[0] if len(outs) == 1 else outs

    def get_input_at(self, node_index):
        return self._inbound_nodes[node_index].input_tensors

    def get_output_at(self, node_index):
        outs = self._inbound_nodes[node_index].output_tensors
        return outs[0] if len(outs) == 1 else outs

    def get_config(self):
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        return cls(**{k: _deser(v, k) for k, v in _accepted(cls, _strip_keras_only(config)).items()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _fmt_shape(s):
    return _shape_str(s) if is_shape(s) else "[" + ", ".join(_shape_str(x) for x in s) + "]"


def _is_dtype(d):
    if isinstance(d, np.dtype) or (isinstance(d, type) and issubclass(d, np.generic)):
        return True
    if isinstance(d, str):
        try:
            np.dtype(d)
            return True
        except TypeError:
            return False
    return False


def _reduce_loss(t):
    """A loss term as a scalar: the mean of a non-scalar add_loss tensor."""
    if isinstance(t, Tensor) and t.size != 1:
        return t.mean()
    return t


_KERAS_ONLY = ("module", "registered_name", "build_config", "compile_config", "sparse", "ragged",
               "optional")


# Keras 2 config entries that change nothing here: dropped when a class does not take them.
_BENIGN = {("implementation", 1), ("implementation", 2), ("groups", 1)}


def _init_params(cls):
    """The keyword names ``cls(...)`` accepts (following **kwargs up the MRO to Layer)."""
    names = set()
    for c in cls.__mro__:
        init = c.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters
        names.update(k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                                   p.KEYWORD_ONLY))
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()) or c is Layer:
            return names
    return None


def _accepted(cls, config):
    """``config`` without the entries Keras 2 writes that ``cls`` does not take, when they hold
    a default (None, False, 0) or change nothing here; any other unknown entry is an error."""
    names = _init_params(cls)
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


def _infer_by_running(layer, input_shape, inputs=None, kwargs=None):
    """The output shape of ``layer`` for ``input_shape``, found by calling it on zeros (batch 2)
    under no_grad, with training=False; Tensor kwargs (initial_state) are replaced the same way.
    Unknown (None) dimensions become 1; when there are any, a second call with 2 tells which
    output dimensions follow them: those stay None (a (batch, None, F) sequence through
    BatchNormalization keeps its None time axis, as Keras 2's symbolic shapes do). A call that
    fails on zeros is tried once more on ones: Keras 2 never runs the layer here, and some code
    refuses zeros as values (a CTC loss in a Lambda checks its sequence lengths are >= 1)."""
    fill = [0.0]

    def dummy(shape, sub, dtype=np.float32):
        dims = [2] + [sub if d is None else int(d) for d in shape[1:]]
        kind = np.dtype(dtype).kind  # the dtype call() would see: See Note [integer inputs]
        keep = layer._keeps_input_dtype or (layer._int_inputs and kind in "iub")
        return Tensor(np.full(dims, fill[0], dtype=dtype if keep and kind != "O" else np.float32))

    def run(sub):
        if inputs is None:
            x = (dummy(input_shape, sub) if is_shape(input_shape)
                 else [dummy(s, sub) for s in input_shape])
        else:
            x = pack_like(inputs, [dummy(t.shape, sub, t.dtype) for t in flatten(inputs)])
        kw = {}
        for k, v in (kwargs or {}).items():
            if is_symbolic(v):
                v = pack_like(v, [dummy(t.shape, sub, t.dtype) for t in flatten(v)])
            kw[k] = v
        kw.pop("training", None)
        m = None if inputs is None else input_mask(inputs)  # Keras 2 calls it with the mask
        if m is not None:
            m = pack_like(m, [None if k is None else
                              np.ones([2] + [sub if d is None else d for d in k.shape[1:]], bool)
                              for k in flatten(m)])
        try:
            with no_grad(), call_context(False), np.errstate(all="ignore"):  # zeros may hit log(0)
                y = invoke_call(layer, x, training=False, mask=m, **kw)
            if Layer._metrics_added:  # the add_metric names the graph holds (Keras 2 lists
                layer.__dict__["_graph_metric_names"] = [  # them in a model's metrics_names)
                    n for l in layer._flatten_layers() for n, _ in l.__dict__.get("_call_metrics", ())]
        finally:
            layer._clear_call_losses()
        return y, [(None,) + tuple(t.shape[1:]) for t in flatten(y)]

    try:
        try:
            y, shapes = run(1)
        except Exception as first:  # noqa: BLE001 -- ones next; the zeros' error if both fail
            fill[0] = 1.0
            try:
                y, shapes = run(1)
            except Exception:  # noqa: BLE001
                raise first from None
    except Exception as e:  # noqa: BLE001 -- reported with the layer's name and the shapes
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}) failed on an input of '
                         f"shape {_fmt_shape(input_shape)}: {type(e).__name__}: {e}") from None
    in_shapes = ([t.shape for t in flatten(inputs)] if inputs is not None else
                 [input_shape] if is_shape(input_shape) else list(input_shape))
    if any(d is None for s in in_shapes for d in tuple(s)[1:]):
        try:
            _, shapes2 = run(2)
        except Exception:  # noqa: BLE001 -- the first call's shapes stand
            shapes2 = shapes
        shapes = [tuple(None if a != b else a for a, b in zip(s1, s2)) if len(s1) == len(s2)
                  else s1 for s1, s2 in zip(shapes, shapes2)]
    return shapes[0] if not isinstance(y, (list, tuple)) else shapes


class OpLayer(Layer):
    """An anonymous layer that applies ``fn(*args, **kwargs)`` with the KerasTensors among the
    arguments replaced by their values: what arithmetic on KerasTensors and functions wrapped
    with ``node.symbolic`` record (tf.keras' TFOpLambda). It has no config: a model holding one
    can be trained and its weights saved, but not rebuilt from a config."""

    def __init__(self, fn, args, kwargs):
        super().__init__(name=_unique_name("tf_op_layer_" + getattr(fn, "__name__", "op")))
        self.fn = fn
        self._template = (list(args), dict(kwargs))
        self._kts = [t for t in flatten([list(args), list(kwargs.values())])
                     if isinstance(t, KerasTensor)]

    def _call_symbolic_op(self):
        return self(self._kts[0] if len(self._kts) == 1 else list(self._kts))

    def call(self, inputs, training=False, mask=None):
        vals = [inputs] if len(self._kts) == 1 else list(inputs)
        by_id = {id(t): v for t, v in zip(self._kts, vals)}

        def sub(v):
            if isinstance(v, KerasTensor):
                return by_id[id(v)]
            if isinstance(v, list):
                return [sub(e) for e in v]
            if isinstance(v, tuple):
                return tuple(sub(e) for e in v)
            if isinstance(v, dict):
                return {k: sub(e) for k, e in v.items()}
            return v
        args, kwargs = self._template
        return self.fn(*sub(args), **sub(kwargs))

    def get_config(self):
        raise ValueError(f"{self.name}: an op recorded on symbolic tensors has no config; wrap "
                         "the computation in a Lambda layer (with a named function) to save the "
                         "model architecture")


_node_module._OP_LAYER[0] = OpLayer


# the layer attribute holding the constraint of a weight, by the weight's name (Keras 2's names)
_CONSTRAINT_ATTR = {"kernel": "kernel_constraint", "bias": "bias_constraint",
                    "recurrent_kernel": "recurrent_constraint",
                    "embeddings": "embeddings_constraint", "gamma": "gamma_constraint",
                    "beta": "beta_constraint", "alpha": "alpha_constraint",
                    "depthwise_kernel": "depthwise_constraint",
                    "pointwise_kernel": "pointwise_constraint"}
