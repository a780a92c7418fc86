"""Sequential: a Model whose graph is a chain (Keras 2's keras/engine/sequential.py).

Once the input shape is known (``input_shape=`` on the first layer, an ``InputLayer``, a model
as first layer, ``build(shape)``, or the first batch given to fit / predict / a call), the
chain is built as a functional graph from an ``Input`` named ``<first layer>_input``; each
``add`` after that extends it. ``model.layers`` excludes the input layer, as in Keras 2."""
import numpy as np

from .._text import is_text
from . import config_check as _config_check
from .base_layer import Layer, is_shape
from .input_layer import Input, InputLayer
from .layer_weights import _touch
from .network import Network
from .network_config import deserialize_layer
from ..symbolic.node import KerasTensor, get_source_inputs
from .serialization import custom_object_scope
from .training import Model


# Note [a layer added twice]
# Keras 2 accepts the same layer object added again (Hands-On ML 2 ch. 12's
# ``Sequential([..., block1, block1, block1, block1, ...])``); ``model.layers`` lists it once.
# Added after the input shape is known, each add extends the graph with another call of it; a
# model built later (from its first data, or build()) chains ``model.layers``, so the layer
# runs once -- tf_keras 2.21 does both (a deferred Sequential of [d, b, b, b] applies b once).
def _unique(layers):
    out = []
    for l in layers:
        if all(l is not o for o in out):
            out.append(l)
    return out


class Sequential(Model):
    """A linear stack of layers (Keras ``Sequential``)."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        object.__setattr__(self, "_seq", [])
        self._build_shape = None
        self._input_name = None
        self._input_dtype = None  # an added Input's dtype (Input(dtype="int32") keeps its ids)
        self._input_ragged = False  # an added InputLayer(ragged=True) (Note [ragged inputs])
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return _unique(self._seq)

    def _sublayers(self):
        return _unique(self._seq)

    # ---- construction -----------------------------------------------------------------------
    def add(self, layer):
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]  # model.add(Input(shape=...)), as Keras 2 allows
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, got {type(layer).__name__}")
        if any(l.name == layer.name and l is not layer for l in self._seq):
            raise ValueError(f"Sequential.add: a layer named {layer.name!r} is already in the "
                             "model; layer names must be unique")
        if isinstance(layer, InputLayer):
            if self._seq:
                raise ValueError("Sequential.add: an InputLayer must be the first layer")
            self._build_shape = tuple(layer.batch_input_shape)
            self._input_name = layer.name
            self._input_dtype = layer.dtype
            self._input_ragged = layer.ragged
            return
        self._seq.append(layer)
        _touch()
        if len(self._seq) == 1 and getattr(layer, "_legacy_output", None) is not None:
            # Keras 2.0's Sequential opening with Merge([model1, model2]) (Note [Keras 2.0
            # Merge], layers/legacy.py): one input per merged model
            out = layer._legacy_output
            self._init_graph_network(get_source_inputs(out), out)
            return
        if self.built and self._is_graph_network:
            y = layer(self.outputs[0])
            self._check_single(layer, y)
            self._init_graph_network(self.inputs if len(self.inputs) > 1 else self.inputs[0], y)
            return
        if len(self._seq) == 1 and self._build_shape is None:
            self._build_shape = _declared_input_shape(layer)
        if self._build_shape is not None:
            self._build_graph(self._build_shape)

    def pop(self):
        if not self._seq:
            raise TypeError("Sequential.pop: there are no layers in the model")
        self._seq.pop()
        _touch()
        if self._seq and self._build_shape is not None:
            self._build_graph(self._build_shape)
        elif not self._seq:
            object.__setattr__(self, "_is_graph_network", False)
            self.built = False
            self.output_shape_ = None

    @staticmethod
    def _check_single(layer, y):
        if isinstance(y, list):
            raise ValueError(f"{layer.name}: a layer with several outputs (e.g. return_state=True) "
                             "cannot be used inside Sequential")

    def build(self, input_shape=None):
        if self.built and self._is_graph_network:
            # tf_keras keeps a Sequential's graph once made (an Input layer, an earlier build)
            # and does not look at the shape (Raschka ch. 17 builds its Input((28, 28, 1))
            # critic with (None, 784))
            return
        self._build_graph(input_shape)

    def _build_graph(self, input_shape):
        shape = input_shape if input_shape is not None else self._build_shape
        if shape is None:
            raise ValueError("Sequential.build: no input shape; pass build(input_shape) or give "
                             "input_shape to the first layer")
        if not is_shape(shape):
            raise ValueError(f"Sequential.build: expected one input shape, got {shape}")
        if not self._seq:
            raise ValueError("Sequential.build: the model has no layers")
        self._build_shape = tuple(shape)
        x = inp = Input(batch_shape=self._build_shape, dtype=self._input_dtype,
                        ragged=self._input_ragged,
                        name=self._input_name or f"{self._seq[0].name}_input")
        for layer in self.layers:  # See Note [a layer added twice]
            x = layer(x)
            self._check_single(layer, x)
        self._init_graph_network(inp, x)

    # inputs reach call() as they are; the graph casts them to its Input's dtype
    _keeps_input_dtype = True

    def _infer_input_dtype(self, a):
        """Built by its first data (no Input given), the model's Input takes integer data's dtype
        and float32 otherwise, as Keras 2's Sequential infers it."""
        if self._input_dtype is None and is_text(a):
            self._input_dtype = "string"  # a Sequential opening with a TextVectorization
            return
        kind = np.dtype(getattr(a, "dtype", np.float32)).kind
        if self._input_dtype is None and kind in "iub":
            self._input_dtype = np.dtype(a.dtype).name

    def _opens_with_dict_layer(self, x):
        return isinstance(x, dict) and bool(self._seq) and \
            getattr(self._seq[0], "_takes_feature_dict", False)

    def _build_from_dict(self, features):
        """A Sequential opening with a layer that takes a dict of named features (DenseFeatures):
        one Input per feature, named by its key, of the feature's shape and kind, as the
        functional graph the layers are then called on."""
        self._build_from_nested({k: _feature_input(v, k) for k, v in features.items()})

    def _build_from_list(self, xs):
        """A Sequential given no input shape and fit on a list of arrays of different shapes:
        its first layer takes the list (cond_rnn's ConditionalRNN takes [inputs, *conditions]),
        one Input per array, as tf_keras calls a deferred Sequential on the nested inputs."""
        self._build_from_nested([_feature_input(v, None) for v in xs])

    def _build_from_nested(self, inputs):
        x = inputs
        for layer in self._seq:
            x = layer(x)
            self._check_single(layer, x)
        self._init_graph_network(inputs, x)

    def __call__(self, *args, **kwargs):
        if not self._is_graph_network and args and self._opens_with_dict_layer(args[0]):
            self._build_from_dict(args[0])
        elif not self._is_graph_network and args:  # (built from this call's inputs)
            self._infer_input_dtype(args[0])
            self.__dict__["_shape_inferred"] = True
        elif args and self.__dict__.get("_shape_inferred"):
            self._relax_input_shape(args[0])
        return super().__call__(*args, **kwargs)

    def _relax_input_shape(self, x):
        """A Sequential built from the shape of its first data (no input_shape given) is rebuilt
        with None on the axes where a later input differs, as Keras 2's Sequential relaxes its
        inferred input shape (a sequence model built on 1 step, then called on 20)."""
        shape = getattr(x, "shape", None)
        built = self._build_shape
        if shape is None or built is None or len(shape) != len(built):
            return
        if all(b is None or b == d for b, d in zip(built[1:], tuple(shape)[1:])):
            return
        try:
            self._build_graph((None,) + tuple(b if b == d else None
                                       for b, d in zip(built[1:], tuple(shape)[1:])))
        except (ValueError, TypeError):
            self._build_shape = built  # (the graph is replaced only when every layer took it)
            raise

    def call(self, inputs, training=None, mask=None, logits=False):
        if not self._is_graph_network:
            self._infer_input_dtype(inputs)
            self.__dict__["_shape_inferred"] = True
            self.build((None,) + tuple(inputs.shape[1:]))
        return super().call(inputs, training=training, mask=mask, logits=logits)

    def _standardize_x(self, x, where):
        if not self._is_graph_network and self._opens_with_dict_layer(x):
            self._build_from_dict(x)
        elif not self._is_graph_network:
            if not self._seq:
                raise ValueError(f"{where}: the model has no layers")
            # [array]: that array; [one string or number] is one sample (Keras 2's list of
            # scalars: predict(["To be or not to b"]), Hands-On ML 3 ch. 16)
            a = x[0] if isinstance(x, (list, tuple)) and len(x) == 1 and np.ndim(x[0]) else x
            try:
                a = self._as_array(a, where, "x")
            except ValueError:
                if not _several_inputs(x):
                    raise
                self._build_from_list(x)
                return super()._standardize_x(x, where)
            self._infer_input_dtype(a)
            self.__dict__["_shape_inferred"] = True
            self.build((None,) + tuple(a.shape[1:]))
        return super()._standardize_x(x, where)

    # ---- Keras 2 Sequential extras ----------------------------------------------------------
    def predict_proba(self, x, batch_size=32, verbose=0):
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2.3: argmax for multi-unit outputs, (p > 0.5) for a single unit."""
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        if p.shape[-1] > 1:
            return p.argmax(axis=-1)
        return (p > 0.5).astype("int32")

    @property
    def model(self):
        """Keras 2.0-2.2: a Sequential once wrapped a Model kept here; Keras 2.2 returned the
        Sequential itself, with this warning."""
        import warnings
        warnings.warn("`Sequential.model` is deprecated. `Sequential` is a subclass of `Model`, "
                      "you can just use your `Sequential` instance directly.", stacklevel=2)
        return self

    # ---- configuration ----------------------------------------------------------------------
    def get_config(self):
        layers = []
        if self._build_shape is not None and self._is_graph_network:
            inp = self.inputs[0]._keras_history[0]
            layers.append({"class_name": "InputLayer", "config": inp.get_config()})
        for l in self.layers:
            cls = type(l).__name__
            if isinstance(l, Network) and l._is_graph_network and cls == "Model":
                cls = "Functional"
            layers.append({"class_name": cls, "config": l.get_config()})
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        with custom_object_scope(custom_objects or {}):
            return cls._from_sequential_config(config)

    @classmethod
    def _from_sequential_config(cls, config):
        specs = _config_check.sequential(config)
        model = cls(name=config.get("name"))
        for spec in specs:
            model.add(deserialize_layer(spec))
        if not model.built and config.get("build_input_shape"):  # tensorforge format 1
            model.build(tuple(config["build_input_shape"]))
        return model

    def __repr__(self):
        return f"<Sequential name={self.name}, {len(self._seq)} layers>"


def _declared_input_shape(layer):
    """The batch input shape a first layer declares (input_shape=, or a built model's input)."""
    if layer.batch_input_shape is not None:
        return tuple(layer.batch_input_shape)
    if isinstance(layer, Network) and layer._is_graph_network and len(layer.inputs) == 1:
        return tuple(layer.inputs[0].shape)
    return None


def _feature_input(v, name):
    """The Input of one feature / input array: its shape past the batch axis and its kind."""
    a = v if hasattr(v, "shape") and hasattr(v, "dtype") else np.asarray(v)
    kind = np.dtype(a.dtype).kind if not is_text(a) else "U"
    dt = "string" if kind in "USO" else np.dtype(a.dtype).name if kind in "iub" else "float32"
    return Input(shape=tuple(a.shape[1:]), dtype=dt, name=name)


def _several_inputs(x):
    """A list of two or more arrays of one length (the samples), as Keras 2 reads several inputs."""
    return isinstance(x, (list, tuple)) and len(x) > 1 and all(
        hasattr(a, "shape") and len(a.shape) >= 1 for a in x) and \
        len({a.shape[0] for a in x}) == 1
