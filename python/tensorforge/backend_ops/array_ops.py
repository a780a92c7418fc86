"""Keras backend array functions: shapes, reshaping and indexing, creation and dtype.

Every function takes Tensors, arrays or numbers and returns a Tensor (differentiable where
Keras' is); names, arguments and defaults are Keras 2's (tf_keras.backend). ``shape(x)`` is the
dynamic shape as an int32 Tensor (``K.shape(x)[0]`` works as a size anywhere a shape is taken);
``int_shape(x)`` (tensorforge.backend) is the static tuple.
"""
import numpy as np

from .. import backend_config as _backend
from .._tensor_shape import ReshapeSizeError
from .._xp import array_module
from .. import autograd as _autograd
from ..autograd import Tensor
from ..ops import basic as B
from ..ops import elementwise as E
from ..ops import manip as M
from . import update_scope
from ._args import (device_xp, dtype_arg, host_float, host_floats, int_arg, shape_arg, shape_str,
                    tensor)

__all__ = ["shape", "ndim", "dtype", "count_params", "reshape", "permute_dimensions",
           "expand_dims", "squeeze", "flatten", "batch_flatten", "concatenate", "stack",
           "tile", "repeat_elements", "repeat", "reverse", "gather", "one_hot", "cast",
           "ones_like", "zeros_like", "ones", "zeros", "eye", "constant", "arange", "temporal_padding",
           "spatial_2d_padding", "spatial_3d_padding"]


def shape(x):
    """The dynamic shape of x as a 1-D int32 Tensor (a KerasTensor's: an op layer, whose value
    is the shape of the batch the model runs on, as tf_keras' ``K.shape`` of a Keras tensor)."""
    if _symbolic(x):
        return _autograd._record_symbolic[0](shape, x)
    x = tensor("shape", "x", x)
    return Tensor(np.asarray(x.shape, dtype=np.int32))


def ndim(x):
    return len(tensor("ndim", "x", x).shape)


def dtype(x):
    """The dtype name, e.g. 'float32'."""
    return tensor("dtype", "x", x).dtype.name


def count_params(x):
    return int(np.prod(tensor("count_params", "x", x).shape, dtype=np.int64))


def reshape(x, shape):
    if type(x) is np.ndarray:
        x = host_float(x)  # Note [array fast path] in _args.py
    if type(x) is Tensor and type(shape) in (tuple, list):  # Note [backend fast paths]
        known, free = 1, 0  # the product of the given sizes, and the count of -1s
        for s in shape:
            if type(s) is not int or s < -1:
                break  # a Tensor, a NumPy int, a bad size: the general path converts or explains
            if s == -1:
                free += 1
            else:
                known *= s
        else:
            if (known == x.size) if free == 0 else (free == 1 and known and not x.size % known):
                return B.Reshape.apply(x, tuple(shape))
    x = tensor("reshape", "x", x)
    new = shape_arg("reshape", "shape", shape, allow_minus_one=True)
    known = int(np.prod([s for s in new if s != -1], dtype=np.int64))
    if (-1 not in new and known != x.size) or (-1 in new and (known == 0 or x.size % known)):
        raise ReshapeSizeError(f"reshape: cannot reshape x with shape {shape_str(x.shape)} "
                               f"({x.size} elements) to {tuple(new)}", int(x.size),
                               None if -1 in new else known)
    return B.reshape(x, new)


def permute_dimensions(x, pattern):
    """Transpose by ``pattern`` (a permutation of range(ndim))."""
    x = tensor("permute_dimensions", "x", x)
    p = tuple(int_arg("permute_dimensions", "pattern", a) for a in pattern)
    if sorted(p) != list(range(x.ndim)):
        raise ValueError(f"permute_dimensions: pattern must be a permutation of "
                         f"{tuple(range(x.ndim))} for x with shape {shape_str(x.shape)}, got {p}")
    return B.transpose(x, p)


def _symbolic(x):
    """Is x a symbolic (functional-API) tensor? Shape-computing functions then record an op
    layer (symbolic/node.py's symbolic_op) instead of reshaping to a shape holding None."""
    return bool(_autograd._symbolic_types) and isinstance(x, _autograd._symbolic_types[0])


def expand_dims(x, axis=-1):
    """A new axis of size 1 at ``axis`` (in [-ndim - 1, ndim])."""
    if _symbolic(x):
        return _autograd._record_symbolic[0](expand_dims, x, axis)
    x = tensor("expand_dims", "x", x)
    a = int_arg("expand_dims", "axis", axis)
    if not -x.ndim - 1 <= a <= x.ndim:
        raise ValueError(f"expand_dims: axis {a} is out of range for x with shape {shape_str(x.shape)}")
    a %= x.ndim + 1
    return B.reshape(x, x.shape[:a] + (1,) + x.shape[a:])


def squeeze(x, axis):
    """Remove axis ``axis``, which must have size 1."""
    if _symbolic(x):
        return _autograd._record_symbolic[0](squeeze, x, axis)
    x = tensor("squeeze", "x", x)
    a = int_arg("squeeze", "axis", axis)
    if not -x.ndim <= a < x.ndim:
        raise ValueError(f"squeeze: axis {a} is out of range for x with shape {shape_str(x.shape)}")
    a %= x.ndim
    if x.shape[a] != 1:
        raise ValueError(f"squeeze: axis {a} of x with shape {shape_str(x.shape)} has size "
                         f"{x.shape[a]}, not 1")
    return B.reshape(x, x.shape[:a] + x.shape[a + 1:])


def flatten(x):
    """x as 1-D."""
    x = tensor("flatten", "x", x)
    return B.reshape(x, (-1,))  # -1, not x.size: a symbolic x has no size yet


def batch_flatten(x):
    """(batch, ...) -> (batch, prod(...))."""
    x = tensor("batch_flatten", "x", x)
    if x.ndim < 1:
        raise ValueError("batch_flatten: x must have a batch axis, got a scalar")
    return B.reshape(x, (x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64))))


def _tensors(fn, name, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{fn}: {name} must be a non-empty list of tensors, got "
                        f"{type(tensors).__name__}")
    return [tensor(fn, f"{name}[{i}]", t) for i, t in enumerate(tensors)]


def concatenate(tensors, axis=-1):
    """Join along an existing axis."""
    if type(tensors) in (list, tuple) and tensors and type(axis) is int:
        if type(tensors[0]) is np.ndarray:  # Note [array fast path] in _args.py
            tensors = host_floats(tensors)
        t0 = tensors[0]  # Note [backend fast paths]: Tensors of one dtype and rank, in range
        if type(t0) is Tensor and -t0.ndim <= axis < t0.ndim:
            a = axis % t0.ndim
            rest = t0.shape[:a] + t0.shape[a + 1:]
            for t in tensors:
                if type(t) is not Tensor or t.dtype != t0.dtype or t.ndim != t0.ndim or \
                        t.shape[:a] + t.shape[a + 1:] != rest:
                    break
            else:
                return B.Concatenate.apply(*tensors, axis=a)
    ts = _tensors("concatenate", "tensors", tensors)
    nd = ts[0].ndim
    if nd == 0:
        raise ValueError("concatenate: tensors must be at least 1-D, got scalars")
    a = int_arg("concatenate", "axis", axis)
    if not -nd <= a < nd:
        raise ValueError(f"concatenate: axis {a} is out of range for tensors of rank {nd}")
    a %= nd
    for t in ts:
        if t.ndim != nd or t.shape[:a] + t.shape[a + 1:] != ts[0].shape[:a] + ts[0].shape[a + 1:]:
            shapes = ", ".join(shape_str(u.shape) for u in ts)
            raise ValueError(f"concatenate: shapes must match except along axis {a}, got {shapes}")
    ts = _common_dtype(ts)
    return B.concatenate(ts, axis=a)


def _common_dtype(ts):
    dt = np.result_type(*[t.dtype for t in ts])
    return [t if t.dtype == dt else E.cast(t, dt) for t in ts]


def _stack_plain(x, axis):
    """np.stack of host tensors that need no gradient, of one numeric dtype and shape, with an
    in-range int axis (a tf.data map's ``tf.stack(fields)`` per record: 55 -> ~10 us); None
    for anything else (the general path checks, converts and records)."""
    if (type(x) is not list and type(x) is not tuple) or not x or type(axis) is not int:
        return None
    arrs = []
    for t in x:
        if type(t) is not Tensor or t.requires_grad or type(t.data) is not np.ndarray:
            return None
        arrs.append(t.data)
    d0 = arrs[0]
    if d0.dtype.kind not in "biuf" or not -d0.ndim - 1 <= axis <= d0.ndim or any(
            d.dtype != d0.dtype or d.shape != d0.shape for d in arrs):
        return None
    return Tensor(np.stack(arrs, axis=axis))


def stack(x, axis=0):
    """Join along a new axis (KerasTensors: an op layer, ``tf.stack`` of functional inputs)."""
    if isinstance(x, (list, tuple)) and any(_symbolic(t) for t in x):
        return _autograd._record_symbolic[0](stack, list(x), axis)
    out = _stack_plain(x, axis)
    if out is not None:
        return out
    if type(x) in (list, tuple) and not x and type(axis) is int and axis == 0:
        # TensorFlow's stack along axis 0 is convert_to_tensor(x): [] is an empty float32
        # vector (n-beats' seasonality_model stacks range(p // 2) cosines, none for p == 1)
        return Tensor(np.zeros((0,), np.float32))
    ts = _tensors("stack", "x", x)
    nd = ts[0].ndim
    a = int_arg("stack", "axis", axis)
    if not -nd - 1 <= a <= nd:
        raise ValueError(f"stack: axis {a} is out of range for tensors of rank {nd}")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError("stack: tensors must have one shape, got "
                         + ", ".join(shape_str(t.shape) for t in ts))
    return M.stack(_common_dtype(ts), axis=a % (nd + 1))


def tile(x, n):
    """Repeat the whole tensor n[i] times along axis i (len(n) == ndim; an int for 1-D x)."""
    x = tensor("tile", "x", x)
    reps = shape_arg("tile", "n", n)
    if len(reps) != x.ndim:
        raise ValueError(f"tile: n must have one entry per axis of x with shape "
                         f"{shape_str(x.shape)}, got {reps}")
    return M.tile(x, reps)


def repeat_elements(x, rep, axis):
    """Each slice along ``axis`` repeated ``rep`` times in place (np.repeat)."""
    x = tensor("repeat_elements", "x", x)
    rep = int_arg("repeat_elements", "rep", rep, minimum=0)
    a = int_arg("repeat_elements", "axis", axis)
    if not -x.ndim <= a < x.ndim:
        raise ValueError(f"repeat_elements: axis {a} is out of range for x with shape "
                         f"{shape_str(x.shape)}")
    return M.repeat(x, rep, a % x.ndim)


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    x = tensor("repeat", "x", x)
    if x.ndim != 2:
        raise ValueError(f"repeat: x must be 2-D (batch, dim), got shape {shape_str(x.shape)}")
    n = int_arg("repeat", "n", n, minimum=0)
    return M.tile(B.reshape(x, (x.shape[0], 1, x.shape[1])), (1, n, 1))


def reverse(x, axes):
    """Reverse along ``axes`` (an int or a list)."""
    from ..ops.reduce import normalize_axis
    x = tensor("reverse", "x", x)
    return M.reverse(x, normalize_axis("reverse", axes, x.ndim, x.shape))


def _integral(fn, idx):
    """Integer indices. A layer's inputs arrive as float32 here (the engine casts them at the
    layer boundary, where Keras 2 keeps integer ids integer), so whole-valued floats are taken
    as the integers they hold; other floats are a TypeError."""
    if idx.dtype.kind in "iu":
        return idx
    if idx.dtype.kind == "f":
        xp = array_module(idx)
        if bool(xp.all(xp.floor(idx) == idx)):
            return idx.astype(np.int64)
        raise TypeError(f"{fn}: indices must be integers, got {idx.dtype} values that are not "
                        "whole numbers")
    raise TypeError(f"{fn}: indices must be integers, got {idx.dtype}")


def gather(reference, indices):
    """reference[indices] along axis 0; repeated indices add up in the gradient."""
    ref = tensor("gather", "reference", reference)
    idx = _integral("gather", tensor("gather", "indices", indices).data)
    if ref.ndim == 0:
        raise ValueError("gather: reference must be at least 1-D, got a scalar")
    n = ref.shape[0]
    if isinstance(idx, np.ndarray) and idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"gather: indices must be in [0, {n}) for reference with shape "
                         f"{shape_str(ref.shape)}, got values in [{idx.min()}, {idx.max()}]")
    return M.gather(ref, idx)


def one_hot(indices, num_classes):
    """indices (..., ) -> float32 (..., num_classes); out-of-range indices give all-zero rows.
    On a functional-API tensor it records an op layer (Deep Learning with Python 2nd ed. ch. 11:
    ``tf.one_hot(keras.Input(shape=(None,), dtype="int64"), depth=max_tokens)``)."""
    if _symbolic(indices):
        return _autograd._record_symbolic[0](one_hot, indices, num_classes)
    idx = tensor("one_hot", "indices", indices).data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got {idx.dtype}")
    n = int_arg("one_hot", "num_classes", num_classes, minimum=0)
    xp = array_module(idx)
    return Tensor((idx[..., None] == xp.arange(n)).astype(np.float32))


def cast(x, dtype):
    """x as ``dtype`` (a name such as 'float32' or 'int64'); float-to-float keeps the gradient."""
    x = tensor("cast", "x", x)
    dt = dtype_arg("cast", dtype)
    return x if x.dtype == dt else E.cast(x, dt)


def _like(fn, x, dtype, value):
    x = tensor(fn, "x", x)
    dt = x.dtype if dtype is None else dtype_arg(fn, dtype)
    xp = array_module(x.data)
    return Tensor(xp.full(x.shape, value, dtype=dt))


def ones_like(x, dtype=None, name=None):
    return _like("ones_like", x, dtype, 1)


def zeros_like(x, dtype=None, name=None):
    return _like("zeros_like", x, dtype, 0)


def _filled(fn, shape, dtype, value, name):
    shp = shape_arg(fn, "shape", shape)
    make = lambda: Tensor(device_xp().full(shp, value, dtype=dtype_arg(fn, dtype)), name=name)  # noqa: E731
    scope = update_scope.current()  # a Keras 2.2 optimizer's slot, made by its first step
    return make() if scope is None else scope.slot(make)


def ones(shape, dtype=None, name=None):
    """All-ones tensor (floatx by default); its value can be changed with set_value."""
    return _filled("ones", shape, dtype, 1, name)


def zeros(shape, dtype=None, name=None):
    return _filled("zeros", shape, dtype, 0, name)


def eye(size, dtype=None, name=None):
    """Identity matrix; ``size`` an int or (rows, cols)."""
    rows, cols = (size, size) if not isinstance(size, (list, tuple)) else tuple(size)
    rows, cols = int_arg("eye", "size", rows, 0), int_arg("eye", "size", cols, 0)
    return Tensor(device_xp().eye(rows, cols, dtype=dtype_arg("eye", dtype)), name=name)


def constant(value, dtype=None, shape=None, name=None):
    """A constant Tensor (floatx by default); a scalar value fills ``shape``, a value with as
    many elements as ``shape`` is reshaped to it."""
    dt = dtype_arg("constant", dtype)
    v = tensor("constant", "value", value, dtype=dt).data
    if shape is not None:
        shp = shape_arg("constant", "shape", shape)
        xp = array_module(v)
        if v.size == 1:
            v = xp.full(shp, v.reshape(()), dtype=dt)
        elif v.size == int(np.prod(shp, dtype=np.int64)):
            v = v.reshape(shp)
        else:
            raise ValueError(f"constant: value with shape {shape_str(v.shape)} cannot fill shape {shp}")
    return Tensor(v, name=name)


def arange(start, stop=None, step=1, dtype="int32"):
    """Like np.arange (a negative start with no stop gives an empty tensor, as Keras)."""
    if stop is None and start < 0:
        start = 0
    dt = dtype_arg("arange", dtype)
    return Tensor(device_xp().arange(start, stop, step).astype(dt))



def _pairs(fn, padding, n):
    try:
        pairs = [(int_arg(fn, "padding", b, 0), int_arg(fn, "padding", e, 0)) for b, e in padding]
    except (TypeError, ValueError) as err:
        raise type(err)(f"{fn}: padding must be {n} pairs of ints >= 0, got {padding!r}") from None
    if len(pairs) != n:
        raise ValueError(f"{fn}: padding must be {n} pairs of ints >= 0, got {padding!r}")
    return pairs


def _pad(fn, x, padding, spatial, data_format):
    x = tensor(fn, "x", x)
    if x.ndim != spatial + 2:
        raise ValueError(f"{fn}: x must be {spatial + 2}-D, got shape {shape_str(x.shape)}")
    pairs = _pairs(fn, padding, spatial)
    fmt = data_format or _backend.image_data_format()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{fn}: data_format must be 'channels_last' or 'channels_first', got {fmt!r}")
    pads = [(0, 0)] + pairs + [(0, 0)] if fmt == "channels_last" else [(0, 0), (0, 0)] + pairs
    return M.pad(x, pads)


def temporal_padding(x, padding=(1, 1)):
    """Zeros added before / after the time axis of (batch, steps, features)."""
    return _pad("temporal_padding", x, [padding], 1, "channels_last")


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros around the two spatial axes of a 4-D tensor."""
    return _pad("spatial_2d_padding", x, padding, 2, data_format)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _pad("spatial_3d_padding", x, padding, 3, data_format)
