"""TensorFlow 2's type specs: ``tf.TypeSpec`` (the base), ``tf.TensorSpec``,
``tf.RaggedTensorSpec``, ``tf.SparseTensorSpec``, ``tf.data.DatasetSpec`` and
``tf.type_spec_from_value``, as Keras 2 programs give them to ``tf.function(input_signature=)``
and ``Dataset.from_generator(output_signature=)``.

A spec holds a shape (a TensorShape, None where a dimension is free; ``shape=None``: any rank)
and a dtype; ``is_compatible_with(spec_or_value)`` is TensorFlow's test (same kind and dtype,
shapes that agree where both are known), ``most_specific_common_supertype`` its widening (a
dimension that differs becomes None; None when no spec covers all). Specs compare equal and
hash by their fields (a TensorSpec's name included), print as TensorFlow's.
"""
import functools
import inspect

import numpy as np

from ._tensor_shape import TensorShape
from ._text import as_bytes_array, is_text
from .autograd import Tensor
from .tf_dtypes import as_dtype, python_dtype
from .tf_example import SparseTensor
from .tf_ragged import RaggedTensor

__all__ = ["TypeSpec", "TensorSpec", "RaggedTensorSpec", "SparseTensorSpec", "DatasetSpec",
           "type_spec_from_value", "signed_function"]


def _shape(shape):
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    return TensorShape(None if d is None else int(d) for d in shape)


def _shape_str(shape):
    return "<unknown>" if shape is None else repr(tuple(shape))


def _dtype_str(dt):
    return "tf.string" if dt == np.dtype(object) else f"tf.{dt.name}"


def _shapes_agree(want, got):
    if want is None or got is None:
        return True
    return len(want) == len(got) and all(a is None or b is None or a == b
                                         for a, b in zip(want, got))


def _common(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return TensorShape(x if x == y else None for x, y in zip(a, b))


class TypeSpec:
    """The base of the specs: ``value_type``, ``is_compatible_with``,
    ``most_specific_common_supertype``, equality and hashing by ``_fields()``."""

    def _fields(self):
        raise NotImplementedError

    @property
    def value_type(self):
        raise NotImplementedError

    def is_compatible_with(self, spec_or_value):
        """A spec, or a Tensor / SparseTensor / RaggedTensor / Dataset, that this spec covers
        (a NumPy array or Python value is not a Tensor: False, as TensorFlow's)."""
        v = spec_or_value
        if isinstance(v, TypeSpec):
            other = v
        elif isinstance(v, (Tensor, SparseTensor, RaggedTensor)) or _is_dataset(v):
            other = type_spec_from_value(v)
        else:
            return False
        return type(other) is type(self) and self._compatible(other)

    def most_specific_common_supertype(self, others):
        out = self
        for o in others:
            if type(o) is not type(self):
                return None
            out = out._supertype(o)
            if out is None:
                return None
        return out

    def __eq__(self, other):
        return type(other) is type(self) and other._fields() == self._fields()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__,) + self._fields())


class TensorSpec(TypeSpec):
    """``tf.TensorSpec(shape, dtype=tf.float32, name=None)``: a dense Tensor's shape and
    dtype."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape, self.dtype, self.name = _shape(shape), as_dtype(dtype), name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        s = type_spec_from_value(tensor)
        return cls(s.shape, s.dtype, name if name is not None else getattr(tensor, "name", None)
                   if isinstance(getattr(tensor, "name", None), str) else name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else
                   getattr(spec, "name", None))

    @property
    def value_type(self):
        return Tensor

    def _fields(self):
        return (self.shape, self.dtype, self.name)

    def _compatible(self, other):
        return other.dtype == self.dtype and _shapes_agree(self.shape, other.shape)

    def _supertype(self, other):
        if other.dtype != self.dtype or other.name != self.name:
            return None
        return TensorSpec(_common(self.shape, other.shape), self.dtype, self.name)

    def __repr__(self):
        return (f"TensorSpec(shape={_shape_str(self.shape)}, dtype={_dtype_str(self.dtype)}, "
                f"name={self.name!r})")


class RaggedTensorSpec(TypeSpec):
    """``tf.RaggedTensorSpec(shape=None, dtype=tf.float32, ragged_rank=None,
    row_splits_dtype=tf.int64, flat_values_spec=None)``: ragged_rank defaults to rank - 1."""

    def __init__(self, shape=None, dtype="float32", ragged_rank=None, row_splits_dtype="int64",
                 flat_values_spec=None):
        self.shape = _shape(shape)
        self.dtype = as_dtype(dtype if flat_values_spec is None else flat_values_spec.dtype)
        if ragged_rank is None:
            if self.shape is None:
                raise ValueError("RaggedTensorSpec: Must specify ragged_rank or a shape with a "
                                 "known rank.")
            ragged_rank = len(self.shape) - 1
        if self.shape is not None and not 0 <= ragged_rank < max(len(self.shape), 1):
            raise ValueError(f"RaggedTensorSpec: ragged_rank must be in [0, rank), got "
                             f"{ragged_rank} for shape {tuple(self.shape)}")
        self.ragged_rank = int(ragged_rank)
        self.row_splits_dtype = as_dtype(row_splits_dtype)
        self.flat_values_spec = flat_values_spec

    @classmethod
    def from_value(cls, value):
        return type_spec_from_value(value)

    @property
    def value_type(self):
        return RaggedTensor

    def _fields(self):
        return (self.shape, self.dtype, self.ragged_rank, self.row_splits_dtype)

    def _compatible(self, other):
        return (other.dtype == self.dtype and other.ragged_rank == self.ragged_rank
                and other.row_splits_dtype == self.row_splits_dtype
                and _shapes_agree(self.shape, other.shape))

    def _supertype(self, other):
        if self._fields()[1:] != other._fields()[1:]:
            return None
        return RaggedTensorSpec(_common(self.shape, other.shape), self.dtype, self.ragged_rank,
                                self.row_splits_dtype)

    def __repr__(self):
        shape = "TensorShape(None)" if self.shape is None else f"TensorShape({list(self.shape)})"
        return (f"RaggedTensorSpec({shape}, {_dtype_str(self.dtype)}, {self.ragged_rank}, "
                f"{_dtype_str(self.row_splits_dtype)})")


class SparseTensorSpec(TypeSpec):
    """``tf.SparseTensorSpec(shape=None, dtype=tf.float32)``."""

    def __init__(self, shape=None, dtype="float32"):
        self.shape, self.dtype = _shape(shape), as_dtype(dtype)

    @classmethod
    def from_value(cls, value):
        return type_spec_from_value(value)

    @property
    def value_type(self):
        return SparseTensor

    def _fields(self):
        return (self.shape, self.dtype)

    def _compatible(self, other):
        return other.dtype == self.dtype and _shapes_agree(self.shape, other.shape)

    def _supertype(self, other):
        if other.dtype != self.dtype:
            return None
        return SparseTensorSpec(_common(self.shape, other.shape), self.dtype)

    def __repr__(self):
        shape = "TensorShape(None)" if self.shape is None else f"TensorShape({list(self.shape)})"
        return f"SparseTensorSpec({shape}, {_dtype_str(self.dtype)})"


def _is_dataset(value):
    # a tf.data.Dataset (tf_data.py imports this module, so it is recognised by its parts)
    return hasattr(value, "element_spec") and hasattr(value, "_make_iter")


class DatasetSpec(TypeSpec):
    """``tf.data.DatasetSpec(element_spec, dataset_shape=())``: a Dataset of elements
    ``element_spec`` (a structure of specs)."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec, self.dataset_shape = element_spec, _shape(dataset_shape)

    @staticmethod
    def from_value(value):
        if not _is_dataset(value):
            raise TypeError(f"DatasetSpec.from_value: expected a tf.data.Dataset, got "
                            f"{type(value).__name__}")
        return DatasetSpec(value.element_spec)

    @property
    def value_type(self):
        return "Dataset"

    def _fields(self):
        return (_freeze(self.element_spec), self.dataset_shape)

    def _compatible(self, other):
        return self == other

    def _supertype(self, other):
        return self if self == other else None

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, TensorShape({list(self.dataset_shape)}))"


def _freeze(s):
    if isinstance(s, dict):
        return tuple((k, _freeze(v)) for k, v in sorted(s.items()))
    if isinstance(s, (list, tuple)):
        return tuple(_freeze(v) for v in s)
    return s


def type_spec_from_value(value):
    """The spec of a Tensor / SparseTensor / RaggedTensor / Dataset, or of what tf.constant
    makes of a Python or NumPy value (Python floats float32, ints int32)."""
    if isinstance(value, TypeSpec):
        raise TypeError(f"type_spec_from_value: got a TypeSpec ({value!r}), not a value")
    if isinstance(value, SparseTensor):
        return SparseTensorSpec(value.shape, value.dtype)
    if isinstance(value, RaggedTensor):
        inner = np.asarray(value._values).shape[1:]
        return RaggedTensorSpec((value.nrows(), None) + tuple(inner), value.dtype, 1,
                                np.asarray(value._splits).dtype)
    if _is_dataset(value):
        return DatasetSpec.from_value(value)
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        a = None
    if a is None or a.dtype == object and not is_text(a) or (a.dtype == object and any(
            not isinstance(v, (str, bytes)) for v in a.reshape(-1))):
        raise TypeError(f"Could not build a TypeSpec for {value!r:.80} of unsupported type "
                        f"{type(value).__name__}.")
    if is_text(a):
        return TensorSpec(a.shape, "object")
    d = python_dtype(value)
    if d is None and a.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
        d = np.dtype("float32")
    return TensorSpec(a.shape, d if d is not None else a.dtype)


# ---- tf.function(input_signature=...) ----------------------------------------------------------
def _to_tensor(value, hint):
    """TensorFlow's convert_to_tensor(value, dtype_hint=hint): a Python number or list takes the
    hint's dtype where it converts without loss (ints to ints or floats, floats to floats),
    else its own (ints int32, floats float32); a NumPy array keeps its dtype."""
    if isinstance(value, (Tensor, SparseTensor, RaggedTensor)):
        return value
    a = np.asarray(value)
    if is_text(a):
        return Tensor(as_bytes_array(a, "tf.function"))
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor(a)
    if (a.dtype.kind in "iu" and hint.kind in "iuf") or (a.dtype.kind == "f" and hint.kind == "f"):
        return Tensor(a.astype(hint))
    d = python_dtype(value)
    return Tensor(a.astype(d if d is not None else "float32" if a.dtype == np.float64
                           else a.dtype))


def signed_function(func, input_signature):
    """``func`` taking its first ``len(input_signature)`` arguments (``self`` aside) as
    TensorFlow's tf.function with that signature: Python and NumPy values become Tensors (the
    spec's dtype a hint: ``_to_tensor``), and an argument that does not fit its spec is a
    TypeError naming both, as TensorFlow's."""
    specs = list(input_signature)
    params = inspect.signature(func)
    names = [n for n in params.parameters if n != "self"][:len(specs)]
    if len(names) < len(specs):
        raise TypeError(f"tf.function: input_signature has {len(specs)} specs but "
                        f"{getattr(func, '__name__', func)} takes {len(names)} arguments")

    def conform(value, spec):
        if isinstance(spec, dict):
            return {k: conform(value[k], sp) for k, sp in spec.items()}
        if isinstance(spec, (list, tuple)):
            if not isinstance(value, (list, tuple)) or len(value) != len(spec):
                raise TypeError(f"tf.function: expected {len(spec)} values for {spec!r}, got "
                                f"{value!r:.80}")
            return type(value)(conform(v, sp) for v, sp in zip(value, spec))
        if isinstance(spec, TensorSpec) and not isinstance(value, Tensor):
            value = _to_tensor(value, spec.dtype)
        if not spec.is_compatible_with(value):
            got = type_spec_from_value(value)
            raise TypeError(f"Binding inputs to tf.function {getattr(func, '__name__', '')!r} "
                            f"failed due to `Can not cast {got!r} to {spec!r}`")
        return value

    @functools.wraps(func)
    def call(*args, **kwargs):
        bound = params.bind(*args, **kwargs)
        for n, spec in zip(names, specs):
            if n in bound.arguments:
                bound.arguments[n] = conform(bound.arguments[n], spec)
        return func(*bound.args, **bound.kwargs)
    call.input_signature = tuple(specs)
    return call
