"""Symbolic tensors and nodes: the graph a functional model is built from (Keras 2's
keras/engine/node.py and keras_tensor.py).

Calling a layer on a ``KerasTensor`` runs no computation: the layer builds its weights for the
input shape, infers its output shape at once (a mismatch is a ValueError naming the layer, the
expected and the received shape), and records a ``Node`` that links the input tensors, the layer
and the new output tensors. A ``Model(inputs, outputs)`` walks these nodes back from its outputs
(engine/network.py) and replays them on real Tensors.

Each KerasTensor remembers where it came from as ``_keras_history = (layer, node_index,
tensor_index)``: the ``node_index``-th call of ``layer``, its ``tensor_index``-th output -- the
triple a Keras 2 config writes in ``inbound_nodes`` and the summary prints as
``dense[0][0]``.

Arithmetic on KerasTensors (``1 + x``, ``x * y``, ``x[:, 0]``) and the tf namespace's ops record
a TFOpLambda / SlicingOpLambda layer named after the TensorFlow op, as tf.keras does
(engine/tf_op_lambda.py), so a Keras 2 program can write ``vae.add_loss(K.mean(...))`` on the
graph's tensors; other ops and any function wrapped with ``symbolic`` record an anonymous op
layer.
"""
import functools

from .. import autograd as _autograd
from .._text import dtype_name, dtype_of
from .._tensor_shape import TensorShape
from ..autograd import Tensor
from ..ops import basic as _ops_basic
from .operators import OPERATORS as _OPERATOR_NAMES

__all__ = ["KerasTensor", "Node", "is_symbolic", "flatten", "pack_like", "symbolic",
           "symbolic_op"]


class KerasTensor(Tensor):
    """A placeholder for a value of ``shape`` (batch axis first, None where unknown).

    It is a Tensor, so every op and Tensor method takes it: an op given a KerasTensor records
    itself as a layer of the graph (autograd.Function.apply, See module docstring), and code
    written for Tensors (custom losses, ``K.*`` functions) builds graph nodes unchanged. Its
    ``data`` is itself (there is no value until the model runs); NumPy reductions and ufuncs on
    it (``np.mean(t)``, ``np.exp(t)``) record the matching op."""

    __array_priority__ = 1001  # numpy defers binary operators to KerasTensor

    def __init__(self, shape, dtype="float32", name=None, keras_history=None):
        self._shape = TensorShape(None if s is None else int(s) for s in shape)
        self._dtype = dtype_of(dtype)
        self.name = name
        self.requires_grad = False
        self.grad = None
        self._node = None
        self._index = 0
        self._keras_history = keras_history  # (layer, node_index, tensor_index)

    @property
    def data(self):
        return self

    def __getstate__(self):
        """pickle / deepcopy (a pickled functional model carries its graph): Tensor's slots
        that are set, but ``data`` (the tensor itself, a property here), and the instance dict."""
        slots = {n: getattr(self, n) for n in _autograd._TENSOR_STATE
                 if n != "data" and hasattr(self, n)}
        return self.__dict__.copy(), slots

    def __setstate__(self, state):
        attrs, slots = state
        self._node, self._index = None, 0
        self.__dict__.update(attrs)
        for n, v in slots.items():
            setattr(self, n, v)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def trainable(self):
        """What the program set, as on a TensorFlow tensor: a plain attribute that nothing
        reads (GDL's question generator writes ``decoder_emb.trainable = False`` on an
        Embedding's output; the layer stays trainable, as in Keras 2); unset, there is none."""
        if "_set_trainable" not in self.__dict__:
            raise AttributeError("'KerasTensor' object has no attribute 'trainable'")
        return self.__dict__["_set_trainable"]

    @trainable.setter
    def trainable(self, value):
        self.__dict__["_set_trainable"] = value

    @property
    def size(self):
        raise TypeError(f"the size of symbolic tensor {self.name!r} of shape {self._shape} is not "
                        "known until the model runs")

    def __len__(self):
        raise TypeError(f"len() of a symbolic tensor {self.name!r} of shape {self._shape} is not "
                        "known until the model runs")

    def numpy(self):
        raise TypeError(f"symbolic tensor {self.name!r} has no value: it is a placeholder in a "
                        "functional graph (build a Model and call predict)")

    def __array__(self, dtype=None, copy=None):
        self.numpy()

    def item(self):  # (Tensor.item reads data, which is the tensor itself here: no recursion)
        raise TypeError(f"symbolic tensor {self.name!r} has no value to take as a Python number "
                        "until the model runs (a tf.shape(x)[i] of a functional graph used as "
                        "tf.range's bound, say: compute it inside a layer's call)")

    def backward(self, grad=None):
        raise TypeError("backward: a symbolic tensor has no value; train the Model instead")

    def __repr__(self):
        layer = self._keras_history[0].name if self._keras_history else None
        return (f"<KerasTensor: shape={self._shape} dtype={dtype_name(self._dtype)} "
                f"(created by layer '{layer}')>")

    def __str__(self):  # tf_keras 2's (its op names aside: ours are layer/node/index)
        lyr = self._keras_history[0] if self._keras_history else None
        spec_name = self.name if type(lyr).__name__ == "InputLayer" else None
        return (f"KerasTensor(type_spec=TensorSpec(shape={tuple(self._shape)}, "
                f"dtype=tf.{dtype_name(self._dtype)}, name={spec_name!r}), name={self.name!r}, "
                f"description=\"created by layer '{getattr(lyr, 'name', None)}'\")")

    def __format__(self, spec):  # f"{x}" prints it; a format spec has no value to format
        if not spec:
            return str(self)
        raise TypeError(f"unsupported format string {spec!r} for a symbolic tensor "
                        f"({self.name!r} has no value)")

    # ---- arithmetic records an op layer (See module docstring) ---------------------------
    def __add__(self, o): return symbolic_op(_basic("add"), self, o)
    def __radd__(self, o): return symbolic_op(_basic("add"), o, self)
    def __sub__(self, o): return symbolic_op(_basic("sub"), self, o)
    def __rsub__(self, o): return symbolic_op(_basic("sub"), o, self)
    def __mul__(self, o): return symbolic_op(_basic("mul"), self, o)
    def __rmul__(self, o): return symbolic_op(_basic("mul"), o, self)
    def __truediv__(self, o): return symbolic_op(_basic("div"), self, o)
    def __rtruediv__(self, o): return symbolic_op(_basic("div"), o, self)
    def __neg__(self): return symbolic_op(_basic("neg"), self)
    def __pow__(self, p): return symbolic_op(_basic("power"), self, p)
    def __matmul__(self, o): return symbolic_op(_basic("matmul"), self, o)
    def __getitem__(self, idx): return symbolic_op(_basic("getitem"), self, idx)

    def sum(self, axis=None, keepdims=False, dtype=None, out=None):  # np.sum(kt) lands here
        return symbolic_op(_basic("sum"), self, axis, keepdims)

    def mean(self, axis=None, keepdims=False, dtype=None, out=None):  # np.mean(kt) lands here
        return symbolic_op(_basic("mean"), self, axis, keepdims)

    def clip(self, a_min=None, a_max=None, out=None, **kwargs):  # np.clip(kt, lo, hi)
        return symbolic_op(_basic("clip"), self, a_min, a_max)

    def exp(self): return symbolic_op(_basic("exp"), self)
    def log(self): return symbolic_op(_basic("log"), self)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return symbolic_op(_basic("reshape"), self, shape)

    _UFUNCS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div",
               "negative": "neg", "exp": "exp", "log": "log", "sqrt": "sqrt", "absolute": "abs",
               "maximum": "maximum", "power": "power", "matmul": "matmul"}

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        if ufunc.__name__ == "square":
            return symbolic_op(_basic("mul"), inputs[0], inputs[0])
        name = self._UFUNCS.get(ufunc.__name__)
        if name is None:
            return NotImplemented
        return symbolic_op(_basic(name), *inputs)


def _basic(name):
    return getattr(_ops_basic, name)


class Node:
    """One call of ``layer``: ``input_tensors`` (a KerasTensor or a list of them, as passed),
    ``output_tensors`` (a list), ``call_kwargs`` (non-tensor keyword arguments of the call)."""

    def __init__(self, layer, input_tensors, output_tensors, call_kwargs=None):
        self.layer = layer
        self.input_tensors = input_tensors
        self.output_tensors = list(output_tensors)
        self.call_kwargs = dict(call_kwargs or {})
        self.is_input = input_tensors is None

    @property
    def keras_inputs(self):
        """Every symbolic input: the call's tensors, then those in its keyword arguments
        (e.g. an RNN's ``initial_state``), as tf.keras lists them."""
        if self.is_input:
            return []
        kw = [t for t in flatten(list(self.call_kwargs.values())) if isinstance(t, KerasTensor)]
        return flatten(self.input_tensors) + kw

    @property
    def parent_nodes(self):
        """The nodes that made this node's inputs, in input order."""
        out = []
        for t in self.keras_inputs:
            layer, node_index, _ = t._keras_history
            out.append(layer._inbound_nodes[node_index])
        return out

    def iterate_inbound(self):
        """(layer, node_index, tensor_index) of each input, in order."""
        return [t._keras_history for t in self.keras_inputs]


def get_source_inputs(tensor, layer=None, node_index=None):
    """Keras 2's ``utils.get_source_inputs``: the Input tensors a symbolic tensor is computed
    from (a list, in the order the graph reaches them); a tensor with no graph history is
    returned as it is."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    layer, node_index, _ = history if layer is None else (layer, node_index or 0, 0)
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    out = []
    for t in node.keras_inputs:
        for x in get_source_inputs(t):
            if not any(x is y for y in out):
                out.append(x)
    return out


def flatten(x):
    """A nested list/tuple/dict of tensors as a flat list (dicts in key order as given)."""
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in flatten(e)]
    if isinstance(x, dict):
        return [t for e in x.values() for t in flatten(e)]
    return [x]


def pack_like(structure, flat):
    """Inverse of ``flatten``: the values of ``flat`` in the nesting of ``structure``."""
    return _pack(structure, iter(flat))


def _pack(s, it):
    # module level, not a closure over itself: See Note [graph reference cycles]
    # a list comes back a plain list: a layer's tracked list attribute (engine/tracking.py's
    # TrackingList, keras-tcn's self.skip_connections) passed as the inputs is not rebuilt
    # with its owner, as tf.nest gives Keras 2's ListWrapper back as a list's values
    if isinstance(s, (list, tuple)):
        return [_pack(e, it) for e in s] if isinstance(s, list) else \
            tuple(_pack(e, it) for e in s)
    if isinstance(s, dict):
        return {k: _pack(v, it) for k, v in s.items()}
    return next(it)


# Note [graph reference cycles]
# A training step's autograd graph (its Nodes, the saved activations and their gradients: ~120 MB
# for MobileNetV2 at batch 8 on 96x96) must be freed by reference counting when the step ends,
# not by the cyclic garbage collector: until a collection runs (every few steps, when enough
# container objects were made) the dead graphs stay alive, the step's peak memory grows by a
# graph per step held, and the array cache (Note [large array page faults]) misses because more
# blocks are live than a step needs, so fresh pages fault in (bench/RESULTS.md "trainovh").
# pack_like's recursive helper was a closure over itself, a function <-> cell cycle that held
# the iterator over the layer's outputs and so, through their Nodes, the whole graph below.
# Helpers on the per-op path are module-level functions; tests/test_graph_cycles.py checks that
# a training step leaves no cyclic garbage.


def is_symbolic(x):
    return any(isinstance(t, KerasTensor) for t in flatten(x))


_OP_LAYER = [None]  # base_layer.OpLayer, set when base_layer is imported (no import cycle)
_TF_OPERATOR = [None]  # tf_op_lambda.record_operator, set when it is imported


def _tf_operator(name):
    """KerasTensor's Python operator ``name``: a TF op layer (Tensor's own op until
    tf_op_lambda.py is imported)."""
    def method(self, *other):
        if _TF_OPERATOR[0] is None:
            return getattr(Tensor, name)(self, *other)
        return _TF_OPERATOR[0](name, self, *other)
    method.__name__ = name
    return method


for _name in _OPERATOR_NAMES:
    setattr(KerasTensor, _name, _tf_operator(_name))

# Model and Input, set when engine/training.py and input_layer.py are imported: the Keras
# backend's K.function and K.placeholder (backend_ops/graph_ops.py) build graphs with them but
# stand below the engine, which imports the backend
ENGINE = {}

# Note [closed-over graph tensors]
# A layer's call may use graph tensors it did not receive as inputs, closed over from the code
# that built the model: Deep Learning with Python's VAE adds a loss in a custom layer's call
# from ``z_mean`` and ``z_log_var``, KerasTensors of the encoder (Keras 2 / TF 1 graph mode,
# where the call builds ops on the same graph). When a functional model runs (network.py
# ``_run_graph``), the values it has computed so far are pushed here, keyed by the KerasTensor's
# id; an op given a KerasTensor while a run is in progress takes that tensor's value in the
# innermost run that holds it and computes now, so the call's loss is a real Tensor of this
# batch (with its gradient to the encoder), not a new graph node; a tensor the run has not
# computed (not upstream of the layer) is a ValueError naming it. Outside a run (building the
# graph) the op is recorded as before.
_RUN_VALUES = []  # {id(KerasTensor): Tensor} of each graph run in progress, innermost last


def _run_value(t):
    for values in reversed(_RUN_VALUES):
        v = values.get(id(t))
        if v is not None:
            return v
    return None


def symbolic_op(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` now when no argument is a KerasTensor, or when every KerasTensor
    has a value in a graph run in progress (See Note [closed-over graph tensors]); else a
    KerasTensor made by an anonymous op layer that applies ``fn`` when the model runs (shape
    found by running it once on zeros)."""
    everything = [list(args), kwargs]
    if not is_symbolic(everything):
        return fn(*args, **kwargs)
    if _RUN_VALUES:
        flat = flatten(everything)
        vals = [_run_value(t) if isinstance(t, KerasTensor) else t for t in flat]
        for t, v in zip(flat, vals):
            if v is None and isinstance(t, KerasTensor):
                raise ValueError(
                    f"{getattr(fn, '__qualname__', fn)}: the graph tensor {t.name} "
                    f"(shape {t.shape}) is used while the model runs, but the model does not "
                    "compute it before this call: a layer's call may use graph tensors it did "
                    "not receive only if they are computed earlier in the same model")
        a, kw = pack_like(everything, vals)
        return fn(*a, **kw)
    return _OP_LAYER[0](fn, args, kwargs)._call_symbolic_op()


_autograd._symbolic_types.append(KerasTensor)
_autograd._record_symbolic[0] = symbolic_op


def symbolic(fn):
    """Decorator: ``fn`` also accepts KerasTensors (it then records an op layer)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return symbolic_op(fn, *args, **kwargs)
    return wrapper
