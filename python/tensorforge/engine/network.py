"""The functional graph (Keras 2's keras/engine/network.py): a Network is a Layer made of layers.

Two kinds, as in Keras 2:
- graph networks, ``Model(inputs, outputs)``: the nodes reachable from ``outputs`` back to the
  ``Input`` tensors, ordered by depth exactly as Keras 2 orders them (``_map_graph_network``), so
  ``model.layers``, ``get_weights()`` order, the summary and the config match Keras 2. Running
  the model replays the nodes on real Tensors (``_run_graph``); a Network called on KerasTensors
  is one node of an outer graph (a model used as a layer).
- subclassed networks, ``class MyModel(Model)`` with layers made in ``__init__`` (tracked when
  assigned as attributes) and ``call(inputs, training=None)``.

See Note [fused output] for how an output layer ending in softmax/sigmoid hands its logits to
the loss.
"""
import collections

import numpy as np

from .. import activations as A

from .dtype_policy import autocast64, graph_input_cast
from .base_layer import (InputSpec, Layer, _as_tensor, _call_args, _with_call_info,
                         add_activity_losses, call_context, is_shape, set_output_mask)
from .layer_weights import _touch
from .functional_utils import rebase_on_inputs
from .inference_fusion import fuse as fuse_inference
from .shape_inference import _infer_by_running
from .input_layer import InputLayer
from .ragged_inputs import unpad
from .layer_call import default_training
from . import auto_config as _auto_config
from ..symbolic import node as _node
from .graph_gradients import RERUN, LastRun
from . import symbolic_gradients  # noqa: F401  (K.gradients of Keras tensors, via node.ENGINE)
from ..symbolic.node import _RUN_VALUES, KerasTensor, flatten, pack_like
from .._text import is_text
from .._xp import array_module
from ..autograd import Tensor
from ..tf_ragged import RaggedTensor
from ..ops import basic as _B
from .layer_utils import print_summary
from .serialization import _snake, _unique_name, custom_object_scope
from .network_config import graph_config, graph_from_config, subclass_from_config

# Note [build shapes of eager calls]: Keras 2 builds a layer on its first eager call with the
# input's full shape, batch included, and a subclassed model's build(input_shape) calls it on
# placeholders of the stated shape; a program's layer may size a weight by the batch (Gulli et
# al.'s MatrixFactorizationLayer: build((1000, 5000)) makes P (1000, 15)), and a stateful RNN
# is built for that batch (their CharGenModel: build((64, 100)), then batches of 64). So the
# first eager call builds with the input's own shape (base_layer.Layer._call), and build()
# runs its stand-in call on the stated batch (zeros; a stand-in of more than
# _BUILD_BATCH_ELEMENTS values keeps the batch of 2: Keras 2 computes nothing there), then
# zeroes the stateful layers' carried states, as Keras 2's build leaves none.
_BUILD_BATCH_ELEMENTS = 1 << 24


# Note [fused output]
# When an output layer is a Dense/Activation ending in softmax (sigmoid) and its loss is
# (sparse_)categorical (binary) cross-entropy, training computes the loss from the logits with
# one fused, stable kernel. The graph is run with ``logits_outputs`` naming those outputs: their
# node is called with ``logits=True`` (the layer skips its activation). An output whose tensor is
# also consumed inside the graph is never fused (the consumer needs probabilities). When the
# output layer is itself a graph network (a model used as a layer), the request is passed down
# to its own output layer.
# The loss reads the logits whichever of the two activations the layer has, as tf_keras 2 does
# (its softmax and sigmoid tag their output with the logits, `_keras_logits`, and the
# cross-entropies take them from any tagged tensor): a sigmoid output under
# (sparse_)categorical cross-entropy trains on softmax cross-entropy of the logits, a softmax
# output under binary cross-entropy on sigmoid cross-entropy of the logits. Metrics see the
# layer's own activation of the logits.

def _logits_capable(layer, index=0):
    """'softmax' / 'sigmoid' when output ``index`` of ``layer`` can be returned as logits
    instead of after its final activation."""
    if isinstance(layer, Network) and layer._is_graph_network:
        if index >= len(layer.outputs):
            return None
        t = layer.outputs[index]
        if layer._consumers.get(id(t)) or any(o is t for j, o in enumerate(layer.outputs)
                                               if j != index):
            return None
        lyr, _, ti = t._keras_history
        return _logits_capable(lyr, ti)
    if layer._activity_regularizer is not None:  # it reads the activated output
        return None
    if index == 0 and type(layer).__name__ in ("Dense", "Activation"):
        act = getattr(layer, "activation", None)
        if act is A.softmax:
            return "softmax"
        if act is A.sigmoid:
            return "sigmoid"
    return None


def _call_mask(layer, x, m):
    """The output mask of the layer call a graph run just made: a functional model's is the one
    its own run found (Keras 2's Functional computes output and mask together: keras-io's
    text_generation_fnet.py masks its loss and accuracy through a nested decoder model); any
    other layer's comes from compute_mask."""
    if isinstance(layer, Network) and layer._is_graph_network:
        ms = layer.__dict__.get("_output_masks") or []
        if all(v is None for v in ms):
            return None
        return ms[0] if len(ms) == 1 else list(ms)
    return layer.compute_mask(x, m)


class Network(Layer):
    """A layer made of layers: a graph network or a subclassed model."""

    @property
    def _keeps_input_dtype(self):
        # a graph network casts each input to its Input's dtype itself (_conform_dtype)
        return self._is_graph_network

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        name = kwargs.pop("name", args[2] if len(args) > 2 else None)
        trainable = kwargs.pop("trainable", True)
        object.__setattr__(self, "_is_graph_network", False)
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model: give both inputs and outputs (functional API), or neither "
                                 "(a subclassed model)")
            if kwargs:
                raise TypeError(f"Model: unexpected keyword arguments {sorted(kwargs)}")
            super().__init__(name=name if name is not None else _unique_name(self._default_name()),
                             trainable=trainable)
            self._init_graph_network(inputs, outputs)
        else:
            if name is None:
                name = _unique_name(_snake_name(type(self)))
            super().__init__(name=name, trainable=trainable, **kwargs)

    @classmethod
    def _default_name(cls):
        return "model"

    # ---- graph construction -----------------------------------------------------------------
    def _init_graph_network(self, inputs, outputs):
        for what, ts in (("inputs", inputs), ("outputs", outputs)):
            for t in flatten(ts):
                if not isinstance(t, KerasTensor):
                    raise TypeError(f"Model: {what} must be symbolic tensors (from Input and "
                                    f"layers called on them), got {type(t).__name__}")
        # intermediate tensors as inputs: the graph between them and the outputs, on new Inputs
        inputs, outputs = rebase_on_inputs(inputs, outputs)
        if isinstance(outputs, list) and len(flatten(outputs)) == 1:
            # Keras 2 unwraps a one-tensor list: Model(i, [o]) is called, predicts and reports
            # output / output_shape as Model(i, o) does (a tuple or a dict stays as given)
            outputs = flatten(outputs)[0]
        object.__setattr__(self, "_is_graph_network", True)
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        object.__setattr__(self, "inputs", flatten(inputs))
        object.__setattr__(self, "outputs", flatten(outputs))
        if len({id(t) for t in self.inputs}) != len(self.inputs):
            raise ValueError("Model: the same input tensor is given twice in inputs")
        self.built = True
        self._map_graph()
        self.input_shape_ = (self.inputs[0].shape if len(self.inputs) == 1 and
                             not isinstance(inputs, (list, tuple, dict))
                             else [t.shape for t in self.inputs])
        self.output_shape_ = (self.outputs[0].shape if len(self.outputs) == 1 and
                              not isinstance(outputs, (list, tuple, dict))
                              else [t.shape for t in self.outputs])
        object.__setattr__(self, "input_names", [t._keras_history[0].name for t in self.inputs])
        # a call checks its inputs against the Inputs' shapes (a (2, 5) batch into an
        # Input((1,)) would otherwise broadcast through the graph), as Keras 2's Functional does
        self.input_spec = [InputSpec(shape=t.shape, allow_last_axis_squeeze=True, name=n)
                           for t, n in zip(self.inputs, self.input_names)]
        object.__setattr__(self, "output_names", _unique_output_names(self.outputs))

    def __setstate__(self, state):
        """pickle / deepcopy: the graph's plan and consumer maps are keyed by id() of its
        tensors and nodes, so they are made again for the new ones (everything the model's
        state reaches is loaded by now: pickle builds an object after what it holds)."""
        self.__dict__.update(state)
        if state.get("_is_graph_network"):
            self._map_graph()

    def _graph_targets(self):
        return self.outputs + list(self.__dict__.get("_symbolic_losses", []))

    def _on_symbolic_loss(self):
        if self._is_graph_network:
            self._map_graph()

    def _map_graph(self):
        """Keras 2's _map_graph_network: nodes and layers by depth, in Keras' order."""
        finished, in_progress, nodes_in_order, layer_indices = set(), set(), [], {}

        def visit(tensor):  # iterative-free recursion is fine: depth = number of layers
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in finished:
                return
            if id(node) in in_progress:
                raise ValueError(f'The tensor {tensor!r} at layer "{layer.name}" is part of a cycle.')
            if layer not in layer_indices:
                layer_indices[layer] = len(layer_indices)
            in_progress.add(id(node))
            if not node.is_input:
                for t in node.keras_inputs + _tensor_kwargs(node):
                    visit(t)
            finished.add(id(node))
            in_progress.discard(id(node))
            nodes_in_order.append(node)

        for t in self._graph_targets():
            visit(t)
        del visit  # empties its cell: no function <-> cell cycle (Note [graph reference cycles])
        nodes_depths, layers_depths = {}, {}
        node_by_id = {id(n): n for n in nodes_in_order}
        for node in reversed(nodes_in_order):
            depth = nodes_depths.setdefault(id(node), 0)
            depth = max(depth, layers_depths.get(node.layer, 0))
            layers_depths[node.layer] = depth
            nodes_depths[id(node)] = depth
            for t in node.keras_inputs + _tensor_kwargs(node):
                lyr, ni, _ = t._keras_history
                parent = lyr._inbound_nodes[ni]
                nodes_depths[id(parent)] = max(depth + 1, nodes_depths.get(id(parent), 0))
        for t in self.inputs:
            lyr = t._keras_history[0]
            if lyr not in layers_depths:
                layers_depths[lyr] = 0
                layer_indices[lyr] = -1
                node = lyr._inbound_nodes[0]
                nodes_depths[id(node)] = 0
                node_by_id[id(node)] = node
        nodes_by_depth = collections.defaultdict(list)
        for nid, depth in nodes_depths.items():
            nodes_by_depth[depth].append(node_by_id[nid])
        layers_by_depth = collections.defaultdict(list)
        for layer, depth in layers_depths.items():
            layers_by_depth[depth].append(layer)
        layers = []
        for depth in sorted(layers_by_depth, reverse=True):
            layers.extend(sorted(layers_by_depth[depth], key=lambda l: layer_indices[l]))
        names = [l.name for l in layers]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"Model: the name {sorted(dup)[0]!r} is used {names.count(sorted(dup)[0])} "
                             "times in the model; layer names must be unique")
        # every tensor the nodes need must be an input or computed by an earlier node
        available = {id(t) for t in self.inputs}
        order = []
        for depth in sorted(nodes_by_depth, reverse=True):
            for node in nodes_by_depth[depth]:
                if node.is_input:
                    if not any(node.output_tensors[0] is t for t in self.inputs):
                        raise ValueError(f"Graph disconnected: cannot obtain value for tensor "
                                         f"{node.output_tensors[0]!r} at layer "
                                         f'"{node.layer.name}". The following previous layers '
                                         f"were accessed without issue: "
                                         f"{[n.layer.name for n in order]}")
                    continue
                for t in node.keras_inputs + _tensor_kwargs(node):
                    if id(t) not in available:
                        raise ValueError(f"Graph disconnected: cannot obtain value for tensor "
                                         f'{t!r} at layer "{node.layer.name}". The following '
                                         f"previous layers were accessed without issue: "
                                         f"{[n.layer.name for n in order]}")
                available.update(id(t) for t in node.output_tensors)
                order.append(node)
        object.__setattr__(self, "_graph_layers", layers)
        self._nodes_by_depth = dict(nodes_by_depth)
        self._network_nodes = {id(n) for ns in nodes_by_depth.values() for n in ns}
        self._consumers = collections.defaultdict(list)
        for node in order:
            for t in node.keras_inputs + _tensor_kwargs(node):
                self._consumers[id(t)].append(node)
        self._plan = [_Step(n) for n in order]
        self._plans = {}
        _touch()

    # ---- layers and weights -----------------------------------------------------------------
    @property
    def layers(self):
        if self._is_graph_network:
            return list(self._graph_layers)
        return [l for l in self._sublayers()]

    def _sublayers(self):
        if self._is_graph_network:
            return [l for l in self._graph_layers if not isinstance(l, InputLayer)]
        return super()._sublayers()

    def reset_states(self):
        """Zero the carried states of every stateful layer (Keras 2's Network.reset_states)."""
        for layer in self._flatten_layers()[1:]:
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    def get_layer(self, name=None, index=None):
        if index is not None and name is not None:
            raise ValueError("get_layer: provide only a layer name or a layer index, not both")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        for l in layers:
            if l.name == name:
                return l
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in layers]}.")

    @property
    def input(self):
        if not self._is_graph_network:
            return super().input
        return self._nested_inputs

    @property
    def output(self):
        if not self._is_graph_network:
            return super().output
        return self._nested_outputs

    @property
    def input_shape(self):
        if self.input_shape_ is None:
            raise AttributeError("The model has not been built yet (no input shape)")
        return self.input_shape_

    @property
    def output_shape(self):
        if self.output_shape_ is None:
            raise AttributeError("The model has not been built yet (no output shape)")
        return self.output_shape_

    # ---- running ----------------------------------------------------------------------------
    def build(self, input_shape):
        """A subclassed model's explicit ``build(input_shape)`` runs ``call`` once on a batch
        of that shape (zeros, no gradient, training=False: Keras 2 calls it on placeholders in
        a scratch graph), so every layer it reaches makes its weights and ``summary()`` works
        before any data is seen. The automatic build of a first call leaves that to the call."""
        if self._is_graph_network:
            return
        if not self.__dict__.get("_auto_building") and not self.built:
            if input_shape is None:
                raise ValueError("Input shape must be defined when calling `build()` on a "
                                 "`Model` subclass.")
            if isinstance(input_shape, list) and all(d is None or isinstance(d, int)
                                                     for d in input_shape):
                input_shape = tuple(input_shape)
            if not isinstance(input_shape, (tuple, list)):
                raise ValueError(f"Specified input shape is not one of the valid types. Please "
                                 f"specify a batch input shape of type tuple or list of input "
                                 f"shapes. User provided input type: {type(input_shape)}.")
            shape = tuple(getattr(input_shape, "as_list", lambda: input_shape)()) \
                if is_shape(input_shape) else [tuple(s) for s in input_shape]
            first = shape if is_shape(shape) else shape[0]
            batch = first[0] if first and isinstance(first[0], int) else None
            elements = sum(int(np.prod([d or 1 for d in s[1:]])) for s in
                           ([shape] if is_shape(shape) else shape))
            _infer_by_running(self, shape, batch=batch if batch and batch * elements
                              <= _BUILD_BATCH_ELEMENTS else 2)
            for layer in self._flatten_layers():  # Keras 2's build runs nothing: no carried
                if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                    layer.reset_states()  # states from the stand-in call (stateful RNNs)
            self.__dict__["_build_input_shape"] = shape
        self.built = True

    def _maybe_build(self, input_shape):
        self.__dict__["_auto_building"] = True  # See build
        try:
            super()._maybe_build(input_shape)
        finally:
            self.__dict__["_auto_building"] = False

    def _output_shape_by_running(self):
        # a subclassed model called on a dict / nest of symbolic tensors (keras-io's
        # FeaturePreprocessor(Model) on a dict of Inputs) runs on stand-ins of that nest
        return not self._is_graph_network and \
            type(self).compute_output_shape is Network.compute_output_shape

    def compute_output_shape(self, input_shape):
        if self._is_graph_network:
            s = self._output_shapes_for(input_shape) or [t.shape for t in self.outputs]
            return s[0] if len(s) == 1 and not isinstance(self._nested_outputs, (list, tuple, dict)) else s
        return super().compute_output_shape(input_shape)

    def _output_shapes_for(self, input_shape):
        """The output shapes for inputs more specific than the model's own: a model built for
        (None, None) and called on a (None, 7) tensor gives (None, 7, ...) as in Keras 2, which
        re-runs the graph on the new inputs. None when the graph's shapes stand as they are (the
        inputs add nothing, or a layer cannot say its output shape for them)."""
        given = [input_shape] if is_shape(input_shape) else list(input_shape or [])
        if len(given) != len(self.inputs) or not all(is_shape(g) for g in given):
            return None
        shapes, refined = {}, False
        for t, g in zip(self.inputs, given):
            own = tuple(t.shape)
            if len(g) != len(own):
                return None
            merged = tuple(o if o is not None else d for o, d in zip(own, g))
            refined = refined or merged != own
            shapes[id(t)] = merged
        if not refined:
            return None
        try:
            for step in self._plan:
                lyr = step.layer
                if step.tensor_kwargs:
                    return None
                ins = [shapes[i] for i in step.in_ids]
                out = lyr.compute_output_shape(ins[0] if step.single_in else ins)
                outs = [tuple(out)] if is_shape(out) else [tuple(o) for o in out]
                if len(outs) != len(step.out_ids):
                    return None
                shapes.update(zip(step.out_ids, outs))
            return [shapes[id(t)] for t in self.outputs]
        except Exception:  # noqa: BLE001 -- the graph's own shapes stand, as before
            return None

    @property
    def _accepts_ragged(self):
        """A model with an Input(ragged=True) takes a RaggedTensor (Note [ragged inputs])."""
        return bool(self._is_graph_network) and any(
            getattr(t._keras_history[0], "ragged", False) for t in self.inputs)

    def compute_mask(self, inputs, mask=None):
        return None

    @property
    def _compute_output_and_mask_jointly(self):
        """A functional model's run attaches its output masks (Keras 2's Functional)."""
        return self._is_graph_network

    def call(self, inputs, training=None, mask=None, logits=False):
        """``logits``: True (output 0) or a set of output indices to return as logits
        (See Note [fused output])."""
        if not self._is_graph_network:
            raise NotImplementedError(f"{type(self).__name__}: a subclassed model must define "
                                      "call(self, inputs, training=None)")
        xs = [x if isinstance(x, RaggedTensor) else _conform_to_input(x, t)
              for x, t in zip(self._flatten_inputs(inputs), self.inputs)]
        lo = frozenset([0]) if logits is True else frozenset(logits or ())
        # a mask from outside (the model used as a layer after Embedding(mask_zero=True) or
        # Masking): Keras 2's Functional gives it to its inputs' consumers
        ms = None if mask is None else (self._flatten_inputs(mask) if isinstance(mask, dict)
                                        else flatten(mask))
        # (None: nobody gave it; each layer then receives its own default: See Note
        # [training left unset] in layer_call.py)
        outs = self._run_graph(xs, None if training is None else bool(training), lo, in_masks=ms)
        return pack_like(self._nested_outputs, outs)

    def _flatten_inputs(self, inputs):
        if isinstance(inputs, dict) and isinstance(self._nested_inputs, dict):
            return [inputs[k] for k in self._nested_inputs]
        if isinstance(inputs, dict):
            return [inputs[n] for n in self.input_names]
        xs = flatten(inputs)
        if len(xs) != len(self.inputs):
            raise ValueError(f'Layer "{self.name}" expects {len(self.inputs)} input(s), but it '
                             f"received {len(xs)} input tensors.")
        return xs

    def _run_graph(self, xs, training, logits_outputs=frozenset(), keep=False, in_masks=None):
        """The output Tensors for input Tensors ``xs`` (one per model input), and this call's
        symbolic add_loss terms into ``self._call_losses``. See Note [fused output]. ``keep``:
        the run's values stay in ``self._last_run`` for the loss and metrics (See Note
        [losses on graph tensors] in training.py). ``in_masks``: None, or a mask (or None) per
        model input."""
        plan = self._plans.get(logits_outputs)
        if plan is None:
            plan = self._plans[logits_outputs] = self._make_plan(logits_outputs)
        values = {}
        masks = {}
        for t, x in zip(self.inputs, xs):
            if getattr(t._keras_history[0], "ragged", False) and not isinstance(x, KerasTensor):
                x, masks[id(t)] = unpad(x, t)  # See Note [ragged inputs] (ragged_inputs.py)
                x._keras_mask = masks[id(t)]
            values[id(t)] = x
        for t, m in zip(self.inputs, in_masks or ()):
            if m is not None and id(t) not in masks:
                masks[id(t)] = m
        _RUN_VALUES.append(values)  # See Note [closed-over graph tensors] (node.py)
        with call_context(training):
            try:
                for step in plan:
                    step.run(values, masks, training)
            except (ValueError, TypeError, IndexError) as e:  # the layer that failed, with
                # its inputs' shapes (See Note [call errors] in base_layer.py)
                ins = [values.get(i) for i in step.in_ids]
                raise _with_call_info(step.layer, e, (ins[0] if len(ins) == 1 else ins,),
                                      {}) from None
            finally:
                _RUN_VALUES.pop()
        d = self.__dict__  # (plain attribute writes: Layer.__setattr__ inspects every value)
        if keep:  # (and what re-running part of it needs: See graph_gradients.py)
            values[RERUN] = (plan, masks, training)
            d["_last_run"] = LastRun(values)
        if d.get("_symbolic_losses"):
            d["_call_losses"] = [values[id(t)] for t in self._symbolic_losses]
        d["_output_masks"] = [masks.get(id(t)) for t in self.outputs]  # for the loss (Keras 2)
        outs = [values[id(t)] for t in self.outputs]
        for o, m in zip(outs, d["_output_masks"]):  # Keras 2: y_pred._keras_mask, which a
            if m is not None and isinstance(o, Tensor):  # train_step's compiled loss reads
                o._keras_mask = m
        return outs

    def _make_plan(self, logits_outputs):
        fused = {}  # node id -> indices of its outputs to hand over as logits
        for i in logits_outputs:
            t = self.outputs[i]
            lyr, ni, ti = t._keras_history
            if not self._consumers.get(id(t)) and _logits_capable(lyr, ti):
                fused.setdefault(id(lyr._inbound_nodes[ni]), set()).add(ti)
        plan = [s.with_logits(frozenset(fused[id(s.node)])) if id(s.node) in fused else s
                for s in self._plan]
        protected = {id(t) for t in self.outputs}
        protected.update(id(t) for t in self.__dict__.get("_symbolic_losses") or ())
        return fuse_inference(plan, self._consumers, protected)  # Note [inference fusion]

    def fused_outputs(self):
        """{output index: 'softmax' | 'sigmoid'} for the outputs that can hand logits to a fused
        loss (See Note [fused output])."""
        if not self._is_graph_network:
            return {}
        out = {}
        for i, t in enumerate(self.outputs):
            if self._consumers.get(id(t)) or any(t is o for o in self.outputs[:i]):
                continue
            lyr, _, ti = t._keras_history
            kind = _logits_capable(lyr, ti)
            if kind:
                out[i] = kind
        return out

    # ---- summary and config -----------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        if not self.built or (not self._is_graph_network and not self.weights and
                              self.input_shape_ is None and
                              self.__dict__.get("_build_input_shape") is None):
            raise ValueError("This model has not yet been built. Build the model first by calling "
                             "`build()` or by calling the model on a batch of data.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def get_config(self):
        if not self._is_graph_network:
            # tf_keras 2.21's Model.get_config: a subclassed model that does not override it
            # gets the automatic config of its constructor's arguments ({} with a warning when
            # they have none); one that overrides it and calls this one gets {}
            if type(self).get_config is Network.get_config:
                return _auto_config.nested_model_config(self)
            return {}
        return graph_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        with custom_object_scope(custom_objects or {}):
            if isinstance(config, dict) and "layers" not in config and \
                    "input_layers" not in config and cls.__name__ not in ("Model", "Functional"):
                return subclass_from_config(cls, config)
            return cls._from_graph_config(config)

    @classmethod
    def _from_graph_config(cls, config):
        return graph_from_config(cls, config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, {len(self.layers)} layers>"


def _unique_output_names(outputs):
    """Output names as tf.keras makes them: the output layer's name, then name_1, name_2 ...
    for a layer that gives several outputs (a model used as a layer)."""
    names, counts = [], {}
    for t in outputs:
        base = proposal = t._keras_history[0].name
        while proposal in names:
            n = counts.get(base, 1)
            proposal = f"{base}_{n}"
            counts[base] = n + 1
        names.append(proposal)
    return names


def _snake_name(cls):
    return _snake(cls.__name__)


def _tensor_kwargs(node):
    return [t for t in flatten(list(node.call_kwargs.values())) if isinstance(t, KerasTensor)]


class _Step:
    """One node of the plan, with what running it needs precomputed."""

    __slots__ = ("node", "layer", "single_in", "in_ids", "in_struct", "out_ids", "kwargs",
                 "tensor_kwargs", "logits", "pass_training", "pass_mask", "fixed_training",
                 "default_training", "simple", "cast")

    def __init__(self, node):
        self.node = node
        self.layer = node.layer
        ins = node.input_tensors
        self.single_in = isinstance(ins, KerasTensor)
        self.in_struct = ins
        self.in_ids = [id(t) for t in flatten(ins)]
        self.out_ids = [id(t) for t in node.output_tensors]
        kw = dict(node.call_kwargs)
        self.fixed_training = kw.pop("training", None)
        self.tensor_kwargs = {k: v for k, v in kw.items() if any(isinstance(t, KerasTensor)
                                                               for t in flatten(v))}
        self.kwargs = {k: v for k, v in kw.items() if k not in self.tensor_kwargs}
        tr, mk, _, _ = _call_args(self.layer.call)
        self.pass_training, self.pass_mask = tr, mk
        self.default_training = default_training(self.layer.call)  # (a run given None)
        self.logits = False
        # integer values from an integer Input become floats here (See Note [integer inputs]),
        # floats of the other float dtype are autocast (See Note [float64 layers])
        self.cast = graph_input_cast(self.layer)
        self.simple = (self.single_in and len(self.out_ids) == 1 and not kw and
                       self.fixed_training is None)

    def with_logits(self, logits):
        """A copy of this step that asks its layer for logits (a set of output indices)."""
        s = _Step(self.node)
        s.logits = logits
        return s

    def run(self, values, masks, training):
        if training is None:  # nobody gave it (See Note [training left unset])
            training = self.default_training
        if self.simple:  # one input, no extra arguments, no masks so far: the usual layer
            i = self.in_ids[0]
            m = masks.get(i) if masks else None
            if m is None:
                layer = self.layer
                x = values[i]
                if self.cast is not None:
                    x = self.cast(x)
                if self.logits:
                    lg = self.logits if isinstance(layer, Network) else True
                    y = (layer.call(x, training=training, logits=lg) if self.pass_training
                         else layer.call(x, logits=lg))
                elif self.pass_training:
                    y = layer.call(x, training=training)
                else:
                    y = layer.call(x)
                if layer._activity_regularizer is not None:  # See Note [activity regularizer]
                    add_activity_losses(layer, y)
                out_mask = _call_mask(layer, x, None)
                if type(y) is list or type(y) is tuple:  # See Note [a list of one output]
                    y = y[0]
                values[self.out_ids[0]] = y
                if out_mask is not None:  # a mask-making layer (Embedding(mask_zero), Masking)
                    set_output_mask(y, out_mask)  # See Note [mask metadata] (base_layer.py)
                    masks[self.out_ids[0]] = out_mask
                return
        if self.single_in:
            x = values[self.in_ids[0]]
            m = masks.get(self.in_ids[0])
        else:
            x = pack_like(self.in_struct, [values[i] for i in self.in_ids])
            ms = [masks.get(i) for i in self.in_ids]
            m = None if all(v is None for v in ms) else pack_like(self.in_struct, ms)
        cast = self.cast
        if cast is not None:
            x = cast(x) if self.single_in else pack_like(self.in_struct,
                                                         [cast(t) for t in flatten(x)])
        layer = self.layer
        kw = dict(self.kwargs) if self.kwargs else {}
        if self.tensor_kwargs:
            for k, v in self.tensor_kwargs.items():
                kw[k] = pack_like(v, [values[id(t)] for t in flatten(v)])
        tr = training if self.fixed_training is None else bool(self.fixed_training)
        if self.pass_training:
            kw["training"] = tr
        if self.pass_mask and m is not None:
            kw["mask"] = m
        if self.logits:
            kw["logits"] = self.logits if isinstance(layer, Network) else True
        y = layer.call(x, **kw)
        if layer._activity_regularizer is not None:  # See Note [activity regularizer]
            add_activity_losses(layer, y)
        out_mask = _call_mask(layer, x, m)
        set_output_mask(y, out_mask)  # See Note [mask metadata] (base_layer.py)
        if len(self.out_ids) == 1:
            values[self.out_ids[0]] = y[0] if type(y) in (list, tuple) else y
            if out_mask is not None:
                masks[self.out_ids[0]] = out_mask
        else:
            om = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask] + [None] * (
                len(self.out_ids) - 1)
            for i, v, mm in zip(self.out_ids, y, om):
                values[i] = v
                if mm is not None:
                    masks[i] = mm


# Note [a list of one output]
# A layer whose call returns a list of one tensor (tf.unstack of a length-1 axis: cond_rnn's
# initial states; a Lambda returning [z]) has one output KerasTensor, the list's element: a run
# stores the element under it, not the list.

__all__ = ["Network"]
_node.ENGINE["Step"] = _Step  # K.function runs graphs from intermediate tensors with it


def _conform_dtype(x, dtype):
    """An eager model input cast to its Input's dtype, as Keras 2's conform step casts it: an
    integer Input (``Input(dtype="int32")`` feeding an Embedding) gets integer ids of its
    dtype, whatever numbers come in; a float64 Input gets float64, any other float32 (the
    layers would autocast a float64 Input's values to it anyway); text stays text."""
    if isinstance(x, KerasTensor):
        return x
    if dtype.kind not in "iub":
        if is_text(x) and dtype.kind == "O":
            return x
        return autocast64(x) if dtype == np.float64 else _as_tensor(x)
    if is_text(x):
        return x  # refused by the layer that reads it, with its name
    a = x.data if isinstance(x, Tensor) else x
    if getattr(a, "dtype", None) != dtype:
        a = array_module(a).asarray(a).astype(dtype)
    return x if a is getattr(x, "data", None) else Tensor(a)


def _conform_to_input(x, ref):
    """Keras 2's Functional._conform_to_reference_input, on every call: ``x`` cast to the dtype of
    the Input ``ref`` (_conform_dtype); a value one axis short of an Input whose last axis is 1
    gains that axis (a Dataset's (32,) column for Input(shape=(1,))); one with an extra
    trailing unit axis loses it."""
    shape = ref.shape
    x = _conform_dtype(x, ref.dtype)
    xs = getattr(x, "shape", None)
    if xs is None or isinstance(x, KerasTensor):
        return x
    nd = len(xs)
    if nd == len(shape) - 1 and shape[-1] == 1:
        new = tuple(xs) + (1,)
    elif nd == len(shape) + 1 and nd and xs[-1] == 1:
        new = tuple(xs[:-1])
    else:
        return x
    if isinstance(x, Tensor):
        return Tensor(x.data.reshape(new)) if is_text(x) else _B.reshape(x, new)
    return x.reshape(new)

_auto_config.register(Network)  # See Note [automatic config] (auto_config.py)
