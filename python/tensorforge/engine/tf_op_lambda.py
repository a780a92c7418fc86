"""TFOpLambda and SlicingOpLambda: a TensorFlow op recorded on KerasTensors (``h * 2.0``,
``tf.reduce_sum(h, 1)``, ``h[:, 0]``) as a layer that tf_keras 2 names, prints, saves and loads
the same way.

A layer is named ``tf.<symbol>`` (``tf.math.multiply``, ``tf.math.multiply_1``, ...), its config
is ``{"name", "trainable", "dtype", "function": symbol}`` (tf_op_symbols.py maps symbols to
tensorforge's functions), and its call's arguments live in its inbound node, as tf_keras'
``Node.serialize`` writes them: the op's first argument keeps its structure, each KerasTensor in it
a reference ``[layer, node, tensor, kwargs]`` and each constant ``["_CONSTANT_VALUE", -1, value,
kwargs]``, where ``kwargs`` holds the other arguments by the TF function's parameter names (a
KerasTensor among them as ``[layer, node, tensor]``). A single tensor is one reference, not a list
of one. Rebuilt from a config, the layer is made first and ``rebuild(first, kwargs)`` records its
node once the graph has the tensors it reads.
"""
import numpy as np

from .. import activations, backend, backend_ops
from ..symbolic import node as _node
from ..symbolic import operators as _operators
from . import tf_op_symbols as _sym
from .base_layer import Layer, OpLayer
from ..symbolic.node import KerasTensor, flatten
from .op_layer_config import _cannot
from .serialization import _unique_name

CONSTANT = _sym.CONSTANT


class TFOpLambda(OpLayer):
    """``function(first, **kwargs)`` of a TF API op (See the module docstring)."""

    _preserve_input_structure_in_config = True
    _CONFIG_KEYS = {"name", "trainable", "dtype", "function"}

    def __init__(self, function, name=None, trainable=True, dtype=None):
        Layer.__init__(self, name=name or _unique_name("tf." + str(function)),
                       trainable=trainable)
        self.symbol = function
        self.fn, self._noop = _sym.resolve(function)
        self._template = self._kts = None

    def rebuild(self, first, kwargs):
        """Records the layer's node: the call ``function(first, **kwargs)`` on KerasTensors."""
        if self._template is not None:
            raise ValueError(f"{self.name}: a {type(self).__name__} layer is called once")
        names, var_kw = _sym.parameters(self.fn)
        kw = {}
        for k, v in kwargs.items():
            if k in names[1:] or var_kw:
                kw[k] = v
            elif not (k == "name" or k in self._noop and v == self._noop[k]):
                raise ValueError(f"{self.name}: tf.{self.symbol} got the argument {k}={v!r}, "
                                 f"which tensorforge's {_sym._own_path(self.symbol)} does not take "
                                 f"(it takes {', '.join(names)})")
        self._template = ([first], kw)
        self._kts = [t for t in flatten([first, list(kw.values())]) if isinstance(t, KerasTensor)]
        if not self._kts:
            raise ValueError(f"{self.name}: tf.{self.symbol} is given no graph tensor")
        self._seen = []  # the output dtypes of the shape-inference run (See call)
        out = self._call_symbolic_op()
        for t, dt in zip(flatten(out), self.__dict__.pop("_seen")):
            if np.dtype(dt).kind in "iub":  # tf.cast(x, "int32"), x > 0: the op's dtype, as
                t._dtype = np.dtype(dt)      # tf_keras' KerasTensor has it (floats: the layer's)
        return out

    def call(self, inputs, training=False, mask=None):
        y = super().call(inputs, training=training, mask=mask)
        seen = self.__dict__.get("_seen")
        if seen is not None:  # recording the node: the run on stand-in inputs
            seen[:] = [getattr(t, "dtype", None) or np.float32 for t in flatten(y)]
        return y

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": "float32",
                "function": self.symbol}

    @classmethod
    def from_config(cls, config):
        extra = set(config) - cls._CONFIG_KEYS
        if extra:
            raise ValueError(f"{cls.__name__}.from_config: unsupported arguments {sorted(extra)}")
        return cls(config.get("function"), name=config.get("name"),
                   trainable=config.get("trainable", True))

    def node_data(self, ref):
        """The layer's inbound node as tf_keras writes it; ``ref(t)``: [layer, node, tensor]."""
        if self._template is None:
            raise ValueError(f"{self.name}: the layer was never called")
        first, kw = self._template[0][0], self._template[1]
        kw = {k: _encode(self, v, ref) for k, v in kw.items()}

        def walk(v):
            if isinstance(v, (list, tuple)):
                return [walk(e) for e in v]
            if isinstance(v, KerasTensor):
                return list(ref(v)) + [kw]
            return [CONSTANT, -1, _encode(self, v, ref), kw]
        return walk(first)


class SlicingOpLambda(TFOpLambda):
    """``tensor[slice_spec]`` (tf_keras' ``__operators__.getitem``)."""


def _encode(layer, v, ref):
    if isinstance(v, KerasTensor):
        return list(ref(v))
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, (np.bool_, np.integer, np.floating)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return np.dtype(v).name
    if type(v).__name__ == "DType" and isinstance(getattr(v, "name", None), str):
        return v.name
    if isinstance(v, (list, tuple)):
        return [_encode(layer, e, ref) for e in v]
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {k: _encode(layer, e, ref) for k, e in v.items()}
    raise _cannot(layer.name, f"an argument of type {type(v).__name__}")


def record(symbol, named):
    """The KerasTensor(s) of the TF op ``symbol`` called with ``named`` ({parameter: value})."""
    fn, _ = _sym.resolve(symbol)
    names, _ = _sym.parameters(fn)
    named = dict(named)
    first = named.pop(names[0])
    if _node._RUN_VALUES:  # See Note [closed-over graph tensors] (node.py): computed now
        return _node.symbolic_op(fn, first, **named)
    cls = SlicingOpLambda if symbol == "__operators__.getitem" else TFOpLambda
    return cls(symbol).rebuild(first, named)


def record_operator(name, tensor, *other):
    """A KerasTensor's Python operator ``name`` (``__mul__``, ``__getitem__``, ...)."""
    if name == "__getitem__":
        spec = _sym.encode_slice_spec(other[0])
        if spec is None:  # fancy indexing: no TF op, the anonymous op layer as before
            return _node.symbolic_op(_node.Tensor.__getitem__, tensor, other[0])
        return record("__operators__.getitem", {"tensor": tensor, "slice_spec": spec})
    if name in _operators.UNARY:
        return record(_operators.UNARY[name], {"x": tensor})
    symbol, reflected = _operators.operator_symbol(name)
    a, b = _sym.parameters(_sym.resolve(symbol)[0])[0][:2]
    x, y = (other[0], tensor) if reflected else (tensor, other[0])
    return record(symbol, {a: x, b: y})


_sym.set_recorder(record, KerasTensor)
_node._TF_OPERATOR[0] = record_operator
# keras.activations' single-op functions record their op (activations._tf_op)
activations._record_tf_op[0] = lambda fn: _sym.recording(fn, *_sym.ACTIVATIONS[fn.__name__])


def _install_backend():
    """keras.backend's functions that tf_keras records as a TF op (``K.mean`` ->
    ``math.reduce_mean``) record that op's TFOpLambda. They live in backend_ops (the
    ``tensorforge.backend`` module looks them up there on first use, See its __getattr__)."""
    for name, (symbol, rename) in _sym.BACKEND.items():
        fn = getattr(backend_ops, name)
        if getattr(fn, "tf_symbol", None) is None:
            setattr(backend_ops, name, _sym.recording(fn, symbol, rename))
            backend._backend_names.pop(name, None)  # a lookup made before this


_install_backend()
