"""The input layer and ``Input()`` (Keras 2's keras/engine/input_layer.py).

``Input(shape=(784,))`` makes an InputLayer and returns its symbolic output tensor, the start of
a functional graph. In a ``Sequential`` an ``InputLayer`` only declares the input shape."""
import numpy as np

from .base_layer import Layer
from ..symbolic import node as _node_module
from ..symbolic.node import KerasTensor, Node
from .serialization import _unique_name


class InputLayer(Layer):
    """The layer behind ``Input``: no weights, one node with no inputs, one output tensor."""

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, name=None,
                 dtype=None, sparse=False, ragged=False, input_tensor=None, **kwargs):
        if name is None:
            name = _unique_name("input", zero_based=False)
        if batch_input_shape is None and input_shape is None:
            raise ValueError("InputLayer: give shape (input_shape) or batch_input_shape")
        super().__init__(name=name, input_shape=input_shape, batch_size=batch_size,
                         batch_input_shape=batch_input_shape, dtype=dtype, **kwargs)
        if sparse:
            raise NotImplementedError("InputLayer: sparse inputs are not supported")
        self.ragged = bool(ragged)  # See Note [ragged inputs] (ragged_inputs.py)
        self.built = True
        shape = self.batch_input_shape
        self._config = {"batch_input_shape": list(shape), "dtype": self.dtype, "sparse": False,
                        "ragged": self.ragged, "name": self.name}
        t = KerasTensor(shape, dtype=self.dtype, name=self.name, keras_history=(self, 0, 0))
        self._inbound_nodes.append(Node(self, None, [t]))
        self.input_shape_ = self.output_shape_ = tuple(shape)

    def call(self, x, training=False, mask=None):
        return x

    @classmethod
    def from_config(cls, config):
        cfg = {k: v for k, v in config.items() if k in ("batch_input_shape", "dtype", "name")}
        return cls(batch_input_shape=tuple(cfg["batch_input_shape"]), dtype=cfg.get("dtype"),
                   name=cfg.get("name"), ragged=bool(config.get("ragged", False)))


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None,
          ragged=False, batch_shape=None, **kwargs):
    """A symbolic input tensor of ``shape`` (without the batch axis), as ``keras.Input``."""
    if batch_shape is None and "batch_input_shape" in kwargs:
        batch_shape = kwargs.pop("batch_input_shape")
    spec = kwargs.pop("type_spec", None)
    if spec is not None:  # Keras 2's type_spec=: a TensorSpec / RaggedTensorSpec /
        kind = type(spec).__name__  # SparseTensorSpec (tf_specs.py) of the batched input
        if kind not in ("TensorSpec", "RaggedTensorSpec", "SparseTensorSpec") or \
                spec.shape is None:
            raise ValueError(f"Input: type_spec must be a TensorSpec, RaggedTensorSpec or "
                             f"SparseTensorSpec of known rank, got {spec!r}")
        batch_shape, shape = tuple(spec.shape), None
        dtype = "string" if spec.dtype == np.dtype(object) else spec.dtype.name
        ragged, sparse = kind == "RaggedTensorSpec", kind == "SparseTensorSpec"
        name = name or getattr(spec, "name", None)
    if kwargs:
        raise TypeError(f"Input: unexpected keyword arguments {sorted(kwargs)}")
    if tensor is not None:  # Keras 2: a Keras tensor as it is (an Input's, or one computed
        if isinstance(tensor, KerasTensor):  # from Inputs: WGAN-GP notebooks' interpolated
            return tensor  # images, which models and K.gradients then take); a value's shape
        value = np.asarray(getattr(tensor, "data", tensor))
        batch_shape, shape = tuple(value.shape), None
        dtype = dtype or ("string" if value.dtype.kind in "OSU" else value.dtype.name)
    if shape is None and batch_shape is None:
        raise ValueError("Input: please provide to Input a `shape` or a `batch_shape` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if shape is not None and np.ndim(shape) == 0:
        shape = (shape,)
    layer = InputLayer(input_shape=None if batch_shape is not None else tuple(shape),
                       batch_size=batch_size, batch_input_shape=batch_shape, name=name,
                       dtype=dtype, sparse=sparse, ragged=ragged)
    return layer._inbound_nodes[0].output_tensors[0]


_node_module.ENGINE["Input"] = Input
