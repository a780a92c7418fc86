"""Keras 2.0-2.2's legacy layers (keras/legacy/layers.py): ``Merge`` and the Keras 1 ``merge``
function (Keras 2.0-2.1), ``MaxoutDense``, ``Highway`` and the ``Recurrent`` base class of
Keras 2.0-2.2 custom recurrent layers, with ``recurrent._time_distributed_dense``.

Note [Keras 2.0 Merge]
~~~~~~~~~~~~~~~~~~~~~~
Keras 2.0-2.1 kept Keras 1's ``Merge`` layer: ``Merge([model1, model2], mode='concat')`` added
as the first layer of a Sequential (the Sequential then takes a list of inputs, one per merged
model), or ``merge([a, b], mode='sum')`` on symbolic tensors. ``mode`` is one of 'sum', 'mul',
'concat', 'ave', 'max', 'dot', 'cos' or a function of the list of tensors. Given ``layers``, the
layer is connected at once to their outputs (``node_indices`` / ``tensor_indices`` pick among
several); ``Sequential.add`` then builds the model from the merged output's source inputs
(engine/sequential.py). 'dot' and 'cos' contract ``dot_axes`` as Keras 2.0-2.1's TensorFlow
``batch_dot``: on two 2-D inputs that is ``sum(x * y, axis)``, so ``dot_axes=0`` sums over the
batch (Gulli & Pal's skipgram builds its model so); 'cos' of 2-D inputs gives (batch, 1), the
shape Keras 2.1 declared for it. A Merge holding models has no config to rebuild them from:
``get_config`` raises (save the weights instead).
"""
import inspect
import warnings

import numpy as np

from .. import activations, initializers, regularizers
from .. import backend as K
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from ..symbolic.node import KerasTensor

__all__ = ["Merge", "merge", "MaxoutDense", "Highway", "Recurrent"]

_MODES = ("sum", "mul", "concat", "ave", "cos", "dot", "max")


def _output_of(layer, node_index, tensor_index):
    """The tensor a Keras 2.0 Merge takes from ``layer`` (a layer, a model or a Keras tensor)."""
    if isinstance(layer, KerasTensor):
        return layer
    outs = getattr(layer, "outputs", None) if not layer._inbound_nodes else None
    if outs is None:
        if node_index >= len(layer._inbound_nodes):
            raise ValueError(f"Merge: layer {layer.name!r} has no output node {node_index} (it "
                             f"has {len(layer._inbound_nodes)}); call it on a tensor first")
        outs = layer._inbound_nodes[node_index].output_tensors
    if not outs:
        raise ValueError(f"Merge: layer {layer.name!r} is not connected: give it an input shape "
                         "or call it on a tensor first")
    return outs[tensor_index]


class Merge(Layer):
    """Keras 2.0-2.1's Merge of a list of layers / models / tensors (Note [Keras 2.0 Merge])."""

    def __init__(self, layers=None, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None,
                 output_mask=None, arguments=None, node_indices=None, tensor_indices=None,
                 name=None, **kwargs):
        warnings.warn("The `Merge` layer is deprecated and will be removed after 08/2017. Use "
                      "instead layers from `keras.layers.merge`, e.g. `add`, `concatenate`, "
                      "etc.", stacklevel=2)
        if not callable(mode) and mode not in _MODES:
            raise ValueError(f"Invalid merge mode: {mode}")
        super().__init__(name=name, **kwargs)  # (trainable, dtype: what a file writes)
        self.mode, self.concat_axis, self.dot_axes = mode, int(concat_axis), dot_axes
        self._output_shape, self._output_mask = output_shape, output_mask
        self.arguments = dict(arguments or {})
        self.supports_masking = True
        self._holds_layers = bool(layers)
        self._legacy_output = None
        if layers:
            if not isinstance(layers, (list, tuple)) or len(layers) < 2:
                raise TypeError("A Merge should only be applied to a list of layers with at "
                                f"least 2 elements. Found: {layers}")
            n = len(layers)
            node_indices = list(node_indices or [0] * n)
            tensor_indices = list(tensor_indices or [0] * n)
            tensors = [_output_of(l, i, j) for l, i, j in zip(layers, node_indices, tensor_indices)]
            self.layers = [l for l in layers if isinstance(l, Layer)]
            self._legacy_output = self(tensors)

    # ---- shapes ---------------------------------------------------------------------------
    def _axes(self, shapes):
        a = self.dot_axes
        if isinstance(a, (int, np.integer)):
            a = [a % len(shapes[0]), a % len(shapes[1])] if a < 0 else [int(a)] * 2
        if not isinstance(a, (list, tuple)) or len(a) != 2 or \
                not all(isinstance(v, (int, np.integer)) for v in a):
            raise ValueError(f"{self.name}: invalid dot_axes {self.dot_axes!r}: an int or a "
                             "pair of ints")
        return [int(a[0]) % len(shapes[0]), int(a[1]) % len(shapes[1])]

    def build(self, input_shape):
        shapes = [tuple(s) for s in input_shape] if isinstance(input_shape, list) else None
        if shapes is None or len(shapes) < 2:
            raise TypeError(f"Merge must be called on a list of tensors (at least 2). Got: "
                            f"{input_shape}")
        if self.mode in ("sum", "mul", "ave", "cos", "max") and len(set(shapes)) > 1:
            raise ValueError(f"Only layers of same output shape can be merged using {self.mode} "
                             f"mode. Layer shapes: {shapes}")
        if self.mode in ("cos", "dot"):
            if len(shapes) > 2:
                raise ValueError(f"{self.mode} merge takes exactly 2 layers")
            a0, a1 = self._axes(shapes)
            if shapes[0][a0] != shapes[1][a1]:
                raise ValueError(f"Dimension incompatibility using dot mode: {shapes[0][a0]} != "
                                 f"{shapes[1][a1]}. Layer shapes: {shapes[0]}, {shapes[1]}")
        elif self.mode == "concat":
            rest = {tuple(d for i, d in enumerate(s) if i != self.concat_axis % len(s))
                    for s in shapes}
            if len({len(s) for s in shapes}) > 1 or len(rest) > 1:
                raise ValueError("\"concat\" mode can only merge layers with matching output "
                                 f"shapes except for the concat axis. Layer shapes: {shapes}")
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        if callable(self.mode):
            if callable(self._output_shape):
                return tuple(self._output_shape([tuple(s) for s in shapes]))
            if self._output_shape is not None:
                return (shapes[0][0],) + tuple(self._output_shape)
            return super().compute_output_shape(input_shape)  # (found by running it)
        if self.mode in ("sum", "mul", "ave", "max"):
            return tuple(shapes[0])
        if self.mode == "concat":
            ax = self.concat_axis % len(shapes[0])
            out = list(shapes[0])
            out[ax] = None if any(s[ax] is None for s in shapes) else sum(s[ax] for s in shapes)
            return tuple(out)
        a0, a1 = self._axes(shapes)
        s1, s2 = list(shapes[0]), list(shapes[1])
        s1.pop(a0)
        s2.pop(a1)
        s2.pop(0)
        out = s1 + s2
        return tuple(out + [1] if len(out) == 1 else out)

    # ---- the merge ------------------------------------------------------------------------
    def _batch_dot(self, x, y, axes):
        if K.ndim(x) == 2 and K.ndim(y) == 2:  # Keras 2.0-2.1's TensorFlow batch_dot of 2-D
            if axes[0] == axes[1]:
                out = K.sum(x * y, axis=axes[0])
            else:
                out = K.sum(K.transpose(x) * y, axis=axes[1])
            return K.expand_dims(out, 1)
        return K.batch_dot(x, y, axes)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) <= 1:
            raise TypeError(f"Merge must be called on a list of tensors (at least 2). Got: "
                            f"{inputs}")
        xs = list(inputs)
        if callable(self.mode):
            kw = dict(self.arguments)
            if "mask" in inspect.signature(self.mode).parameters:
                kw["mask"] = mask
            return self.mode(xs, **kw)
        if self.mode in ("sum", "ave", "mul", "max"):
            out = xs[0]
            for x in xs[1:]:
                out = (out + x if self.mode in ("sum", "ave") else
                       out * x if self.mode == "mul" else K.maximum(out, x))
            return out / len(xs) if self.mode == "ave" else out
        if self.mode == "concat":
            return K.concatenate(xs, axis=self.concat_axis)
        axes = self._axes([tuple(x.shape) for x in xs])
        if self.mode == "dot":
            return self._batch_dot(xs[0], xs[1], axes)
        den = K.sqrt(self._batch_dot(xs[0], xs[0], axes) * self._batch_dot(xs[1], xs[1], axes))
        out = self._batch_dot(xs[0], xs[1], axes) / K.maximum(den, K.epsilon())
        return out if K.ndim(xs[0]) == 2 else K.expand_dims(out, 1)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if callable(self.mode):
            return self._output_mask(mask) if callable(self._output_mask) else self._output_mask
        if self.mode in ("cos", "dot"):
            return None
        if self.mode == "concat":
            ms = [K.cast(K.ones_like(x[..., 0] if K.ndim(x) > 1 else x), "bool") if m is None
                  else m for x, m in zip(inputs, mask)]
            return K.all(K.stack(ms, axis=-1), axis=-1)
        out = None
        for m in mask:
            if m is not None:
                out = m if out is None else K.cast(out, "bool") & K.cast(m, "bool")
        return out

    def get_config(self):
        if self._holds_layers or callable(self.mode):
            raise NotImplementedError(
                f"{self.name}: a Keras 2.0 Merge of layers or with a function mode has no config "
                "to rebuild it from (Note [Keras 2.0 Merge]); save the weights "
                "(model.save_weights) and build the model again in code")
        return {"name": self.name, "mode": self.mode, "concat_axis": self.concat_axis,
                "dot_axes": self.dot_axes, "output_shape": self._output_shape}


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, name=None):
    """Keras 1's functional merge (Keras 2.0-2.1): the Merge of the tensors ``inputs``."""
    warnings.warn("The `merge` function is deprecated and will be removed after 08/2017. Use "
                  "instead layers from `keras.layers.merge`, e.g. `add`, `concatenate`, etc.",
                  stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = Merge(mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                      output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                      name=name)
    return layer(list(inputs))


class _Legacy2D(Layer):
    """The 2-D Keras 1 layers kept by Keras 2.0-2.2 (MaxoutDense, Highway): Keras 1 argument
    names, ``input_dim``, ``weights`` set once built."""

    def __init__(self, init="glorot_uniform", weights=None, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, input_dim=None, **kwargs):
        warnings.warn(f"The `{type(self).__name__}` layer is deprecated and will be removed "
                      "after 06/2017.", stacklevel=3)
        if input_dim:
            kwargs["input_shape"] = (input_dim,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(W_constraint=W_constraint, b_constraint=b_constraint)
        self.init = initializers.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.bias, self.input_dim, self.initial_weights = bool(bias), input_dim, weights
        self.input_spec = InputSpec(ndim=2)
        self._record(init=init if isinstance(init, str) else self.init,
                     W_regularizer=self.W_regularizer, b_regularizer=self.b_regularizer,
                     bias=self.bias, input_dim=input_dim)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("init"), dict):  # (an initializer object's config)
            config["init"] = initializers.get(config["init"])
        return super().from_config(config)

    def _weight(self, shape, name, init=None, main=True):
        return self.add_weight(shape=shape, name=name, initializer=init or self.init,
                               regularizer=self.W_regularizer if main else self.b_regularizer,
                               constraint=self.W_constraint if main else self.b_constraint)

    def _set_initial(self):
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            self.initial_weights = None
        self.built = True


class MaxoutDense(_Legacy2D):
    """Keras 2.0-2.2's MaxoutDense: the elementwise maximum of ``nb_feature`` linear layers
    (no activation)."""

    def __init__(self, output_dim, nb_feature=4, init="glorot_uniform", **kwargs):
        super().__init__(init=init, **kwargs)
        self.output_dim, self.nb_feature = int(output_dim), int(nb_feature)
        self._record(output_dim=self.output_dim, nb_feature=self.nb_feature)

    def build(self, input_shape):
        d = int(input_shape[-1])
        self.W = self._weight((self.nb_feature, d, self.output_dim), "W")
        self.b = self._weight((self.nb_feature, self.output_dim), "b", "zeros", False) \
            if self.bias else None
        self._set_initial()

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def call(self, x):
        out = K.dot(x, self.W)  # (batch, nb_feature, output_dim)
        if self.b is not None:
            out = out + self.b
        return K.max(out, axis=1)


class Highway(_Legacy2D):
    """Keras 2.0-2.2's Highway layer: ``t * activation(x W + b) + (1 - t) * x`` with the
    transform gate ``t = sigmoid(x W_carry + b_carry)`` (b_carry starts at one)."""

    def __init__(self, init="glorot_uniform", activation=None, **kwargs):
        if kwargs.pop("transform_bias", None) is not None:
            warnings.warn("`transform_bias` argument is deprecated and has been removed.",
                          stacklevel=2)
        super().__init__(init=init, **kwargs)
        self.activation = activations.get(activation)
        self._record(activation=activations.serialize(self.activation))

    def build(self, input_shape):
        d = int(input_shape[-1])
        self.W = self._weight((d, d), "W")
        self.W_carry = self.add_weight(shape=(d, d), name="W_carry", initializer=self.init)
        if self.bias:
            self.b = self._weight((d,), "b", "zeros", False)
            self.b_carry = self.add_weight(shape=(d,), name="b_carry", initializer="ones")
        else:
            self.b = self.b_carry = None
        self._set_initial()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x):
        y = K.dot(x, self.W_carry)
        t = activations.sigmoid(y + self.b_carry if self.bias else y)
        y = K.dot(x, self.W)
        act = self.activation(y + self.b if self.bias else y)
        return act * t + (1 - t) * x


# ---- the Recurrent base class ------------------------------------------------------------------
class Recurrent(Layer):
    """Keras 2.0-2.2's abstract base of recurrent layers, which custom recurrent layers of that
    time subclass (the widely copied ``AttentionDecoder(Recurrent)``): the subclass builds its
    weights and sets ``self.states`` (a list, one entry per state) in ``build``, and defines
    ``step(inputs, states) -> (output, new_states)``; ``call`` runs it over time with K.rnn from
    ``get_initial_state(inputs)`` (Keras 2.0 named it ``get_initial_states``: a subclass that
    overrides that name is called by it), ``get_constants`` and ``preprocess_input``."""

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, implementation=0, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_length = kwargs.pop("input_length", None)
        if input_dim is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length, input_dim)
        super().__init__(**kwargs)
        if stateful:
            raise NotImplementedError(
                f"{type(self).__name__}: stateful=True is not supported for a Keras 2.0 "
                "`Recurrent` subclass; write the step as a cell for keras.layers.RNN, which "
                "supports stateful=True")
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), False
        self.unroll, self.implementation = bool(unroll), implementation
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = None
        self.dropout = self.recurrent_dropout = 0

    def _n_states(self):
        return len(getattr(self, "states", None) or [None])

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        out = ((input_shape[0], input_shape[1], self.units) if self.return_sequences
               else (input_shape[0], self.units))
        if self.return_state:
            return [out] + [(input_shape[0], self.units)] * self._n_states()
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * self._n_states() if self.return_state else out

    def step(self, inputs, states):
        raise NotImplementedError(f"{type(self).__name__}: a Recurrent subclass defines "
                                  "step(inputs, states)")

    def get_constants(self, inputs, training=None):
        return []

    def get_initial_state(self, inputs):
        s = K.tile(K.expand_dims(K.sum(K.zeros_like(inputs), axis=(1, 2))), [1, self.units])
        return [s for _ in range(self._n_states())]

    def get_initial_states(self, inputs):  # Keras 2.0's name
        return self.get_initial_state(inputs)

    def preprocess_input(self, inputs, training=None):
        return inputs

    def _initial(self, inputs):
        cls = type(self)
        if cls.get_initial_state is Recurrent.get_initial_state and \
                cls.get_initial_states is not Recurrent.get_initial_states:
            return list(self.get_initial_states(inputs))
        return list(self.get_initial_state(inputs))

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:])
        elif initial_state is None:
            initial_state = self._initial(inputs)
        elif not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        if isinstance(mask, list):
            mask = mask[0]
        if len(initial_state) != self._n_states():
            raise ValueError(f"Layer has {self._n_states()} states but was passed "
                             f"{len(initial_state)} initial states.")
        steps = K.int_shape(inputs)[1]
        if self.unroll and steps in (None, 1):
            raise ValueError("Cannot unroll a RNN if the time dimension is undefined or equal "
                             "to 1.")
        constants = self.get_constants(inputs, training=None)
        x = self.preprocess_input(inputs, training=None)
        last, outputs, states = K.rnn(self.step, x, initial_state, go_backwards=self.go_backwards,
                                      mask=mask, constants=constants, unroll=self.unroll,
                                      input_length=steps)
        out = outputs if self.return_sequences else last
        if self.return_state:
            return [out] + (list(states) if isinstance(states, (list, tuple)) else [states])
        return out

    def reset_states(self, states=None):
        raise AttributeError("Layer must be stateful.")

    def get_config(self):
        return dict(super().get_config(), return_sequences=self.return_sequences,
                    return_state=self.return_state, go_backwards=self.go_backwards,
                    stateful=self.stateful, unroll=self.unroll,
                    implementation=self.implementation)


def _time_distributed_dense(x, w, b=None, dropout=None, input_dim=None, output_dim=None,
                            timesteps=None, training=None):
    """Keras 2.0-2.1's keras.layers.recurrent._time_distributed_dense: ``x @ w + b`` applied to
    every step of x (batch, time, input_dim), with an optional dropout mask shared by the steps
    in training."""
    input_dim = input_dim or K.int_shape(x)[2]
    timesteps = timesteps or x.shape[1]
    output_dim = output_dim or K.int_shape(w)[1]
    if dropout is not None and 0.0 < dropout < 1.0:
        ones = K.ones_like(K.reshape(x[:, 0, :], (-1, input_dim)))
        keep = K.repeat(K.dropout(ones, dropout), timesteps)
        x = K.in_train_phase(x * keep, x, training=training)
    y = K.dot(K.reshape(x, (-1, input_dim)), w)
    if b is not None:
        y = K.bias_add(y, b)
    return K.reshape(y, (-1, timesteps, output_dim))
