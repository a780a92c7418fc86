"""Top-level ``tf.*`` structural names TensorFlow 2 programs call around their models:
``ensure_shape``, ``get_static_value``, ``identity_n``, ``shape_n``, ``case``, ``switch_case``,
``vectorized_map``, ``recompute_grad``, ``grad_pass_through``, ``no_gradient``, ``hessians``,
``tuple``, ``init_scope``, ``inside_function``, ``get_logger``, ``is_symbolic_tensor``,
``IndexedSlices``, ``make_tensor_proto`` / ``make_ndarray`` (tf_tensor_proto.py) and the
unsigned dtypes ``tf.uint16`` / ``uint32`` / ``uint64``.

tensorforge runs eagerly, so the graph-building names are what they are in TensorFlow's eager
mode: ``init_scope`` is an empty context, ``inside_function()`` is False, ``recompute_grad(f)``
is ``f`` (the gradients are the same; the activations are kept rather than recomputed), and
``no_gradient`` has no op registry to mark (it checks its argument and returns None).
``hessians`` is graph-only in TensorFlow 2 (a RuntimeError under eager execution); here it is
computed, as the TF 1 programs that call it expect, through the recorded gradient graph
(Note [higher-order gradients] in higher_order.py).
"""
import builtins
import contextlib
import logging

import numpy as np

from . import _static_shapes
from . import backend_ops as K
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_control import map_fn
from .tf_debugging import InvalidArgumentError
from .tf_tensor_proto import make_ndarray, make_tensor_proto

__all__ = ["ensure_shape", "get_static_value", "identity_n", "shape_n", "case", "switch_case",
           "vectorized_map", "recompute_grad", "grad_pass_through", "no_gradient", "hessians",
           "tuple", "init_scope", "inside_function", "get_logger", "is_symbolic_tensor",
           "IndexedSlices", "make_tensor_proto", "make_ndarray", "uint16", "uint32", "uint64"]

uint16, uint32, uint64 = np.dtype("uint16"), np.dtype("uint32"), np.dtype("uint64")


def _symbolic(x):
    return K.array_ops._symbolic(x)


def ensure_shape(x, shape, name=None):
    """``x`` itself when its shape matches ``shape`` (None: any size); InvalidArgumentError
    otherwise."""
    t = x if isinstance(x, Tensor) else _tensor("ensure_shape", "x", x)
    want = None if shape is None else [None if d is None else int(d) for d in (
        shape.as_list() if hasattr(shape, "as_list") else shape)]
    got = list(t.shape)
    if want is not None and (len(want) != len(got) or any(
            w is not None and w != g for w, g in zip(want, got))):
        fmt = lambda s: "[" + ",".join("?" if d is None else str(d) for d in s) + "]"  # noqa
        raise InvalidArgumentError(None, None, f"tf.ensure_shape: Shape of tensor input "
                                   f"{fmt(got)} is not compatible with expected shape "
                                   f"{fmt(want)}.")
    _static_shapes.refine(t, want)  # (the static shape a traced Dataset.map sees)
    return t


def get_static_value(tensor, partial=False):
    """The value as a NumPy array (eager Tensors are always known); a Python value as itself;
    None for a symbolic (functional-API) tensor."""
    if _symbolic(tensor):
        return None
    if isinstance(tensor, Tensor):
        return tensor.numpy()
    return tensor


def identity_n(input, name=None):  # noqa: A002
    return [v if isinstance(v, Tensor) else _tensor("identity_n", "input", v) for v in input]


def shape_n(input, out_type="int32", name=None):  # noqa: A002
    dt = np.dtype(getattr(out_type, "name", out_type))
    if dt not in (np.int32, np.int64):
        raise TypeError(f"tf.shape_n: out_type must be int32 or int64, got {dt}")
    return [Tensor(np.asarray(np.shape(v.data if isinstance(v, Tensor) else v), dt))
            for v in input]


def _truth(op, pred):
    v = np.asarray(pred.numpy() if isinstance(pred, Tensor) else pred)
    if v.size != 1:
        raise ValueError(f"tf.{op}: each predicate must be a scalar boolean, got shape {v.shape}")
    return bool(v.reshape(()))


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The result of the ``fn`` of the first ``(pred, fn)`` whose ``pred`` is True, else of
    ``default()``; with neither, TensorFlow's InvalidArgumentError. (TensorFlow 2.21's eager
    ``case`` returns the first true branch even when ``exclusive`` and several are true; so
    does this one.)"""
    pairs = list(pred_fn_pairs.items() if isinstance(pred_fn_pairs, dict) else pred_fn_pairs)
    for i, pair in enumerate(pairs):
        if len(pair) != 2 or not callable(pair[1]):
            raise TypeError(f"tf.case: pred_fn_pairs[{i}] must be a (predicate, callable) pair")
    for pred, fn in pairs:
        if _truth("case", pred):
            return fn()
    if default is None:
        raise InvalidArgumentError(None, None, "tf.case: Input error: None of conditions "
                                               "evaluated as True")
    return default()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """``branch_fns[branch_index]()`` (a list, or (index, fn) pairs / a dict); an index out of
    range runs ``default`` (None: the last branch), as TensorFlow's. ``branch_index`` must be
    a Tensor, as TensorFlow asks."""
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"tf.switch_case: 'branch_index' must be a Tensor, got "
                        f"{type(branch_index)}")
    fns = dict(branch_fns.items() if isinstance(branch_fns, dict) else
               (enumerate(branch_fns) if all(callable(f) for f in branch_fns) else branch_fns))
    keys = sorted(fns)
    if keys != list(range(len(keys))) or not keys:
        raise ValueError(f"tf.switch_case: branch_fns must be indexed 0..n-1, got keys {keys}")
    i = int(np.asarray(branch_index.numpy()).reshape(()))
    if i in fns:
        return fns[i]()
    return (default or fns[keys[-1]])()


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` on each row of ``elems`` (a Tensor or a nest of them), the results stacked:
    ``tf.map_fn`` (an eager loop, not TensorFlow's vectorizing converter)."""
    return map_fn(fn, elems)


def recompute_grad(f):
    """``f`` itself (the module docstring says why)."""
    return f


class IndexedSlices:
    """``tf.IndexedSlices(values, indices, dense_shape)``: rows ``values[i]`` of a tensor at
    ``indices[i]``; ``tf.convert_to_tensor`` densifies it (rows at a repeated index add up)."""

    def __init__(self, values, indices, dense_shape=None):
        self.values = values if isinstance(values, Tensor) else Tensor(np.asarray(values))
        self.indices = indices if isinstance(indices, Tensor) else Tensor(np.asarray(indices))
        self.dense_shape = None if dense_shape is None else (
            dense_shape if isinstance(dense_shape, Tensor) else Tensor(np.asarray(dense_shape)))

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        if self.dense_shape is None:
            return (None,) + builtins.tuple(self.values.shape[1:])
        return builtins.tuple(int(d) for d in self.dense_shape.numpy())

    def __array__(self, dtype=None, copy=None):
        if self.dense_shape is None:
            raise ValueError("IndexedSlices: cannot convert to a tensor without dense_shape")
        out = np.zeros(self.shape, self.values.dtype)
        np.add.at(out, self.indices.numpy(), self.values.numpy())
        return out if dtype is None else out.astype(dtype)

    def numpy(self):
        return self.__array__()

    def __neg__(self):
        return IndexedSlices(-self.values, self.indices, self.dense_shape)

    def __repr__(self):
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")


def grad_pass_through(f):
    """``f`` forward; the gradient flows to ``f``'s (float) inputs as if ``f`` were the
    identity (TensorFlow's straight-through estimator)."""
    def wrapped(*args, **kwargs):
        y = f(*args, **kwargs)
        if len(args) != 1:
            raise ValueError("tf.grad_pass_through: the wrapped function must take one tensor")
        x = args[0] if isinstance(args[0], Tensor) else _tensor("grad_pass_through", "x",
                                                                 args[0])
        yt = y if isinstance(y, Tensor) else _tensor("grad_pass_through", "f(x)", y)
        if builtins.tuple(yt.shape) != builtins.tuple(x.shape):
            raise ValueError(f"tf.grad_pass_through: f(x) must have x's shape "
                             f"{builtins.tuple(x.shape)}, got {builtins.tuple(yt.shape)}")
        return x + K.stop_gradient(yt - x)
    return wrapped


def no_gradient(op_type):
    """Accepted (see the module docstring); ``op_type`` must be a string, as TensorFlow's."""
    if not isinstance(op_type, str):
        raise TypeError(f"tf.no_gradient: op_type must be a string, got {type(op_type).__name__}")


def hessians(ys, xs, gate_gradients=False, aggregation_method=None,
             colocate_gradients_with_ops=True, name="hessians"):
    """For each x in ``xs``: d2 sum(ys) / dx dx, shape ``x.shape + x.shape``."""
    from .higher_order import grad
    y = ys if not isinstance(ys, (list, builtins.tuple)) else sum(K.sum(v) for v in ys)
    y = K.sum(y) if y.ndim else y
    xl = list(xs) if isinstance(xs, (list, builtins.tuple)) else [xs]
    out = []
    for x in xl:
        g, = grad(y, x, create_graph=True)
        if g is None:
            out.append(None)
            continue
        flat = K.reshape(g, (-1,))
        rows = []
        for i in range(flat.shape[0]):
            gi, = grad(flat[i], x)
            rows.append(np.zeros(x.shape, x.dtype) if gi is None else gi.numpy())
        out.append(Tensor(np.stack(rows).reshape(builtins.tuple(x.shape) * 2)))
    return out


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 -- TensorFlow's name
    return list(tensors)


@contextlib.contextmanager
def init_scope():
    yield


def inside_function():
    return False


def get_logger():
    """The ``tensorflow`` logger (``tf.get_logger().setLevel('ERROR')``), TensorFlow's name,
    so logging configured either way reaches the same logger."""
    return logging.getLogger("tensorflow")


def is_symbolic_tensor(tensor):
    """True for a functional-API (Keras Input) tensor, False for values."""
    return bool(_symbolic(tensor))
