"""The Layer base class (Keras 2's keras/engine/base_layer.py): weights, build-on-first-call,
symbolic calls that record graph nodes, masks, config, layer naming, and the registry of layer
classes by name (every Layer subclass registers itself, so a config names its layers by class
name). Weights (``add_weight`` and the weight lists) are the mixin of engine/layer_weights.py;
losses and metrics (``add_loss``, ``add_metric``, activity regularizers) the mixin of
engine/layer_losses.py; what a from_config takes of a Keras 2 config is serialization.py's.

Calling a layer:
- on KerasTensors (``Input(...)`` and what layers made from them): builds the layer for the input
  shape, checks ``input_spec``, infers the output shape at once (``compute_output_shape`` when
  the class defines it, else by running ``call`` once on zeros) and records a Node
  (symbolic/node.py); a mismatch is a ValueError naming the layer and both shapes.
- on arrays or Tensors: builds on the first call and computes. ``training=None`` takes the
  training flag of the model call it runs in (``call_context``), else False.
``call`` receives ``training`` and ``mask`` only when its signature names them (or takes
``**kwargs``), as Keras 2 inspects it, so a custom ``def call(self, inputs)`` works.
Layers assigned as attributes of a layer or model (also inside lists) are tracked: their weights
and losses are the owner's.
"""
import functools
import inspect
import sys

import numpy as np

from ..kernels._common import check_output_size
from .. import regularizers as _reg
from .. import _variables
from .. import mixed_precision as _mp
from .._text import as_bytes_array
from ..autograd import Tensor, _grad_state, no_grad
from ..tf_ragged import RaggedTensor
from . import deferred_restore as _deferred_restore
from .activation_layers import build_activation_layer as _build_activation_layer
from . import auto_config as _auto_config
from . import tracking as _tracking
from ..symbolic import node as _node_module
from . import op_layer_config as _op_config
from ..symbolic.node import KerasTensor, Node, flatten, is_symbolic, pack_like
from .serialization import (_LAYER_CLASSES, _accepted, _deser, _name_counts,  # noqa: F401
                            _ser, _strip_keras_only, _unique_name, finish_config,
                            get_layer_class, _snake)
# The Layer's concerns kept in their own modules; their names stay importable from here, where
# Keras 2 programs and the rest of the package reach them.
from .dtype_policy import (_as_tensor, _input_converter,  # noqa: F401
                           layer_dtype, policy_config)
from .input_spec import InputSpec, _fmt_shape, _shape_str, is_shape  # noqa: F401
from .layer_call import (_bind_positional, _call_args, _empty_batch_call, _in_call,  # noqa: F401
                         _pop_inputs, _training_arg, _with_call_info, call_context,
                         default_training, input_mask, invoke_call, learning_phase,
                         set_output_mask, training_given)
from .shape_inference import _infer_by_running  # noqa: F401
from .layer_losses import _ATTRS, LossesMixin, add_activity_losses  # noqa: F401
from .layer_weights import _VERSION, WeightsMixin, _touch

__all__ = ["Layer", "InputSpec", "call_context", "get_layer_class"]


class _Unserializable:
    """A constructor argument get_config cannot write (Layer._record): the reason, raised then."""

    def __init__(self, message):
        self.message = message


def _ser_or_later(v):
    try:
        return _ser(v)
    except ValueError as e:
        if not callable(v):
            raise
        return _Unserializable(str(e))


def _symbolic_output_mask(layer, inputs, outs):
    """Bool KerasTensors for the symbolic outputs of a layer that makes a mask (See Note [mask
    metadata]); found by asking compute_mask about inputs of ones. None when it makes none."""
    if getattr(layer, "_compute_output_and_mask_jointly", False):  # a functional model: the
        return [None if getattr(t, "_keras_mask", None) is None or len(o.shape) < 1 else  # masks
                KerasTensor(o.shape[:-1] if len(o.shape) > 1 else o.shape, dtype="bool",  # its
                            name=f"{o.name}/mask")  # own graph's outputs carry (Keras 2's)
                for o, t in zip(outs, layer.outputs)]
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


def _marks_built(build):
    @functools.wraps(build)
    def built_after(self, *args, **kwargs):
        out = build(self, *args, **kwargs)
        self.built = True
        return out
    return built_after


# Note [eager calls record nothing]: a Keras model or layer called eagerly outside a
# GradientTape (``model(x, training=True)`` a hundred times for MC Dropout, Hands-On ML 2 ch. 11)
# records no autograd graph, as TensorFlow records nothing without a tape: the graph of each
# call kept its activations alive for as long as its output lived (20 such calls on 10,000
# Fashion MNIST images held 1.6 GB; tf_keras 0.17 GB). Recording stays on inside a tape or
# anything else that asks for grad mode (fit's step: enable_grad), and when an input itself
# requires grad (tensorforge's own autograd use: ``layer(Tensor(x, requires_grad=True))``).
def _wants_grad(args, kwargs):
    """Some input (or KerasTensor) of the call is a Tensor that requires grad."""
    return any(isinstance(t, Tensor) and (t.requires_grad or is_symbolic(t))
               for t in flatten([list(args), list(kwargs.values())]))


class Layer(WeightsMixin, LossesMixin):
    """Base layer: weights, build-on-first-call, symbolic calls, Keras config, masks, losses."""

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        if not cls.__module__.startswith("tensorforge."):  # See Note [automatic config]
            _auto_config.capture(obj, args, kwargs)
        return obj

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
    _keeps_input_dtype = False  # True: inputs are not cast to float32 (the lookup layers)
    _int_inputs = False  # True: integer inputs are not cast either. See Note [integer inputs]
    # See Note [declared input specs]
    _input_ndim = None  # the input rank the layer takes (an int, or (min, max))
    _spec_from_build = False  # True: once built, the input's rank and channel axis are fixed
    _compute_output_and_mask_jointly = False  # True: call attaches the output masks (Keras 2)

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, dtype=None, weights=None,
                 dynamic=False, activity_regularizer=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword arguments {sorted(kwargs)}")
        d = self.__dict__
        d.setdefault("_tracked", [])
        # Keras 2: only None picks a name; an empty name stays empty (Model: "" in a summary)
        self.name = name if name is not None else _unique_name(_snake(type(self).__name__))
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
        self.dtype, self._dtype_policy = layer_dtype(dtype)
        self.batch_input_shape = None
        if batch_input_shape is not None:
            self.batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self.batch_input_shape = (batch_size, int(input_dim))
        self.input_shape_ = None
        self.output_shape_ = None
        self._config = {"name": self.name, "trainable": self._trainable,
                        "dtype": policy_config(self._dtype_policy) if self._dtype_policy
                        else self.dtype}
        if self.batch_input_shape is not None:
            self._config["batch_input_shape"] = list(self.batch_input_shape)
        if activity_regularizer is not None:
            self.activity_regularizer = activity_regularizer
        elif _takes_activity_regularizer(type(self)):  # Keras 2 writes it (None) in the config
            self._config["activity_regularizer"] = None

    def __setattr__(self, name, value):
        _ATTRS[0] += 1
        # Track layers assigned as attributes (also in lists/tuples), as Keras 2 does.
        if isinstance(value, Layer) and value is not self:
            self._track(value)
        elif type(value) in (list, dict) and not name.startswith("_"):  # See engine/tracking.py
            value = _tracking.wrap(self, value, sys._getframe(1).f_globals.get("__name__", ""))
            self._adopt(value)
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

    def _adopt(self, value):
        """Track the layers in ``value``: a layer, or lists / tuples / dicts holding layers."""
        if isinstance(value, Layer):
            if value is not self:
                self._track(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._adopt(v)
        elif isinstance(value, dict):
            for v in value.values():
                self._adopt(v)

    def _track(self, layer):
        tracked = self.__dict__.setdefault("_tracked", [])
        if not any(t is layer for t in tracked):
            tracked.append(layer)
            _touch()

    def _record(self, **kw):
        """Remember constructor arguments for get_config() (a constraint the layer keeps, See
        _set_constraints, is not overwritten by a recorded None). A function that cannot be
        serialized (a lambda initializer, the TF basics guide's ``kernel_initializer=
        tf.random.normal`` aside) is accepted, as Keras 2 accepts it: get_config raises then."""
        self._config.update({k: _ser_or_later(v) for k, v in kw.items()
                             if not (v is None and (k.endswith("_constraint")
                                                    or k == "activity_regularizer")
                                     and getattr(self, k, None) is not None)})

    # See Note [activity regularizer]
    _activity_regularizer = None
    # See Note [inference fusion] (engine/inference_fusion.py): a producer's folded call, a
    # BatchNormalization's per-channel affine map; None where a layer has none
    _inference_fold_bn = None
    _inference_scale_shift = None

    @property
    def activity_regularizer(self):
        """Keras 2's activity regularizer: a penalty on this layer's outputs, added to the loss
        at every call (See Note [activity regularizer])."""
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        reg = _reg.get(value)
        self.__dict__["_activity_regularizer"] = reg
        config = self.__dict__.get("_config")
        if config is not None and (reg is not None or "activity_regularizer" in config):
            config["activity_regularizer"] = _ser(reg)

    @property
    def dtype_policy(self):
        """The mixed precision Policy the layer was made under (a mixed one, 'float32' or
        'float64')."""
        return self._dtype_policy or (_mp.Policy(self.dtype) if self.dtype in ("float32", "float64")
                                      else None)

    @property
    def compute_dtype(self):
        return "float32" if self._dtype_policy else self.dtype  # See mixed_precision.py

    @property
    def variable_dtype(self):
        return self.dtype

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

    @property
    def submodules(self):
        """tf.Module's: every layer below this one, each once (Keras 2's Layer is a tf.Module)."""
        return tuple(self._flatten_layers()[1:])

    @property
    def name_scope(self):
        import contextlib
        return contextlib.nullcontext(self.name)

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
            _build_activation_layer(self, input_shape)
            if self._spec_from_build and is_shape(input_shape) and input_shape:
                ax = 1 if getattr(self, "data_format", None) == "channels_first" else -1
                self.input_spec = InputSpec(ndim=len(input_shape), axes=(
                    {ax: input_shape[ax]} if input_shape[ax] is not None else None))
            self.built = True
            _touch()
            _deferred_restore.after_build()  # See Note [deferred restoration]
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None

    def compute_output_shape(self, input_shape):
        return _infer_by_running(self, input_shape)

    def _output_shape_by_running(self):
        """Whether a symbolic call infers the output shape by running the layer on stand-ins of
        its (possibly nested) inputs even though the class overrides compute_output_shape: a
        subclassed model's default one (Network) sees only flattened shapes."""
        return False

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
            if _grad_state.enabled and not _grad_state.explicit and not _wants_grad(args, kwargs):
                with no_grad():  # Note [eager calls record nothing]
                    return self._call(args, kwargs)
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
        # See Note [build shapes of eager calls]; a rank-0/1 input keeps a None batch, which
        # the layers that need a feature axis refuse (Dense on shape (2,), as Keras 2's min_ndim)
        shapes = [tuple(t.shape) if len(t.shape) > 1 else (None,) + tuple(t.shape[1:])
                  for t in flat]
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
            with call_context(training, given):  # (unset: See Note [training left unset])
                y = invoke_call(self, x, training=training if given else
                                default_training(self.call), mask=mask, **kwargs)
            if self._activity_regularizer is not None:
                add_activity_losses(self, y)
        if not self._compute_output_and_mask_jointly:  # (a functional model's run set them)
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
        dt = "float64" if self.compute_dtype == "float64" else "float32"  # Note [float64 layers]
        outs = [KerasTensor(s, dtype=dt, name=f"{self.name}/{node_index}/{i}",
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
        if type(self).compute_output_shape is not Layer.compute_output_shape and \
                not tensor_kwargs and not self._output_shape_by_running():
            try:
                s = self.compute_output_shape(input_shape)
            except (IndexError, TypeError) as e:
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): cannot compute '
                                 f"the output shape for input shape {_fmt_shape(input_shape)}: "
                                 f"{e}") from None
            return tuple(s) if is_shape(s) else [tuple(x) for x in s]
        return _infer_by_running(self, input_shape, inputs, kwargs, symbolic=True)

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
        for v in self._config.values():
            if isinstance(v, _Unserializable):
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): {v.message}')
        out = {k: finish_config(v) for k, v in self._config.items()}
        if "_auto_config" in self.__dict__ and type(self).get_config is Layer.get_config:
            return _auto_config.config(self, out)  # See Note [automatic config]
        return out

    @classmethod
    def from_config(cls, config):
        config = _accepted(cls, _strip_keras_only(config), Layer)
        return cls(**{k: _deser(v, k) for k, v in config.items()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


_TAKES_ACTIVITY = {}


def _takes_activity_regularizer(cls):
    """Whether ``cls`` names activity_regularizer in its own constructor (Dense, Conv*, ...),
    as against taking it through Layer's keyword arguments only."""
    got = _TAKES_ACTIVITY.get(cls)
    if got is None:
        got = _TAKES_ACTIVITY[cls] = any(
            "activity_regularizer" in inspect.signature(c.__dict__["__init__"]).parameters
            for c in cls.__mro__ if c is not Layer and "__init__" in c.__dict__
            and issubclass(c, Layer))
    return got


class OpLayer(Layer):
    """An anonymous layer that applies ``fn(*args, **kwargs)`` with the KerasTensors among the
    arguments replaced by their values: what an op on KerasTensors (an autograd Function,
    fancy indexing) and functions wrapped with ``node.symbolic`` record when the op has no
    TensorFlow name (the tf namespace's ops and KerasTensor's operators record
    tf_op_lambda.TFOpLambda, as tf_keras does). Its config names the
    tensorforge function and keeps the other arguments (engine/op_layer_config.py), so a model
    holding one is saved and rebuilt by tensorforge (tf_keras cannot read it)."""

    # A TensorFlow op on a KerasTensor sees the tensor's own dtype (tf.one_hot of an int64
    # Input): integer inputs are not cast. See Note [integer inputs]
    _int_inputs = True

    def __init__(self, fn, args, kwargs, name=None):
        super().__init__(name=name or _unique_name("tf_op_layer_" + getattr(fn, "__name__", "op")))
        self.fn = fn
        self._template = (list(args), dict(kwargs))
        self._kts = [t for t in flatten([list(args), list(kwargs.values())])
                     if isinstance(t, KerasTensor)]
        if not self._kts:  # rebuilt from a config: the inputs' slots
            self._kts = _op_config.slots_in_order([list(args), list(kwargs.values())])

    def _call_symbolic_op(self):
        return self(self._kts[0] if len(self._kts) == 1 else list(self._kts))

    def call(self, inputs, training=False, mask=None):
        vals = [inputs] if len(self._kts) == 1 else list(inputs)
        by_id = {id(t): v for t, v in zip(self._kts, vals)}

        def sub(v):
            if isinstance(v, (KerasTensor, _op_config.Slot)):
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
        return {"name": self.name, "trainable": self.trainable,
                "function": _op_config.function_name(self),
                "arguments": _op_config.encode(self, list(self._template), self._kts)}

    @classmethod
    def from_config(cls, config):
        args, kwargs = _op_config.decode(config["arguments"])
        return cls(_op_config.resolve(config["function"]), args, kwargs, name=config.get("name"))


_node_module._OP_LAYER[0] = OpLayer
_auto_config.register(Layer)  # See Note [automatic config]
