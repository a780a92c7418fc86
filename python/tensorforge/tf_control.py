"""TensorFlow 2's control flow and graph-era utilities as Keras 2 programs call them, eagerly:
``tf.cond``, ``tf.while_loop``, ``tf.map_fn``, ``tf.scan``, ``tf.foldl`` / ``foldr``,
``tf.name_scope``, ``tf.no_op`` / ``tf.group`` / ``tf.control_dependencies``,
``tf.py_function`` / ``tf.numpy_function``, ``tf.custom_gradient``, ``tf.TensorArray`` and
``tf.nest`` (the assertions and ``tf.errors`` are in tf_debugging.py).

tensorforge runs every op eagerly, so these are plain Python control flow over Tensors: the
gradient flows through the branch or the iterations that ran, as under TensorFlow's eager mode.
"""
import contextlib
import types

import numpy as np

from . import _static_shapes
from . import backend_ops as K
from ._xp import host
from .autograd import Function, Tensor, no_grad
from .tf_dtypes import python_dtype

__all__ = ["cond", "while_loop", "map_fn", "scan", "foldl", "foldr", "name_scope",
           "get_current_name_scope", "no_op",
           "group", "control_dependencies", "py_function", "numpy_function", "custom_gradient",
           "TensorArray", "nest"]


def _truth(op, pred):
    v = np.asarray(host(pred.data if isinstance(pred, Tensor) else pred))
    if v.size != 1:
        raise ValueError(f"tf.{op}: the predicate must be a scalar, got shape {v.shape}")
    return bool(v.reshape(()))


def cond(pred, true_fn=None, false_fn=None, name=None):
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("tf.cond: true_fn and false_fn must be callables")
    return true_fn() if _truth("cond", pred) else false_fn()


def _as_tensors(v):
    if isinstance(v, (list, tuple)):
        return type(v)(_as_tensors(x) for x in v)
    if isinstance(v, (Tensor, TensorArray)) or v is None:
        return v  # (a TensorArray loop variable: keras-yolo3's yolo_loss writes its ignore mask)
    d = python_dtype(v)  # Python ints int32, floats float32, as tf.convert_to_tensor
    return Tensor(np.asarray(v, dtype=d if d is not None else
                             (None if isinstance(v, (np.ndarray, np.generic)) else np.float32)))


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Run ``body`` while ``cond`` holds; the loop variables keep their structure (a list
    stays a list, a single tensor stays one), Python numbers become tensors as TensorFlow's."""
    single = not isinstance(loop_vars, (list, tuple))
    vs = _as_tensors([loop_vars] if single else loop_vars)
    n = 0
    while (maximum_iterations is None or n < int(maximum_iterations)) and \
            _truth("while_loop", cond(*vs)):
        out = body(*vs)
        out = _as_tensors([out] if not isinstance(out, (list, tuple)) else out)
        if len(out) != len(vs):
            raise ValueError(f"tf.while_loop: body returned {len(out)} values for "
                             f"{len(vs)} loop variables")
        vs = type(vs)(out)
        n += 1
    return vs[0] if single else vs


def _rows(op, elems):
    if isinstance(elems, (list, tuple)):
        cols = [_as_tensors(e) for e in elems]
        n = cols[0].shape[0]
        return [type(elems)(c[i] for c in cols) for i in range(n)]
    t = _as_tensors(elems)
    if t.ndim == 0:
        raise ValueError(f"tf.{op}: elems must have a first axis to iterate over")
    return [t[i] for i in range(t.shape[0])]


def _stack(op, outs):
    if not outs:
        raise ValueError(f"tf.{op}: elems must not be empty")
    if isinstance(outs[0], (list, tuple)):
        return type(outs[0])(K.stack([_as_tensors(o[j]) for o in outs], axis=0)
                             for j in range(len(outs[0])))
    return K.stack([_as_tensors(o) for o in outs], axis=0)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    return _stack("map_fn", [fn(e) for e in _rows("map_fn", elems)])


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """The accumulator after each element (the first element itself when no initializer)."""
    rows = _rows("scan", elems)
    rows = rows[::-1] if reverse else rows
    if initializer is None:
        acc, rows, outs = rows[0], rows[1:], [rows[0]]
    else:
        acc, outs = _as_tensors(initializer), []
    for e in rows:
        acc = fn(acc, e)
        outs.append(acc)
    out = _stack("scan", outs)
    return K.reverse(out, 0) if reverse else out


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    return K.foldl(fn, elems, initializer=initializer)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    return K.foldr(fn, elems, initializer=initializer)


_SCOPES = []  # the names of the open name_scopes, innermost last


class name_scope:  # noqa: N801 -- TensorFlow's name
    """``with tf.name_scope('block'):``: no graph to name; it yields the scope's full name
    ('outer/block/') and ``get_current_name_scope()`` reads it, as TensorFlow's eager scopes
    (a name ending in '/' is absolute, '' / None the root)."""

    def __init__(self, name, default_name=None, values=None):
        self.name = name or default_name or ""

    def __enter__(self):
        if self.name.endswith("/"):
            full = self.name[:-1]
        elif self.name:
            outer = _SCOPES[-1] if _SCOPES else ""
            full = f"{outer}/{self.name}" if outer else self.name
        else:
            full = ""
        _SCOPES.append(full)
        return full + "/" if full else ""

    def __exit__(self, *exc):
        _SCOPES.pop()
        return False


def get_current_name_scope():
    """The full name of the innermost open name_scope ('' outside any)."""
    return _SCOPES[-1] if _SCOPES else ""


def no_op(name=None):
    return None


def group(*inputs, **kwargs):
    return None


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Eager ops run in program order already: nothing to add."""
    yield


def _out_dtype(Tout):
    return None if Tout is None else np.dtype(getattr(Tout, "name", Tout))


def _converted(result, Tout, op):
    many = isinstance(Tout, (list, tuple))
    outs = list(result) if many else [result]
    touts = list(Tout) if many else [Tout]
    if len(outs) != len(touts):
        raise ValueError(f"tf.{op}: the function returned {len(outs)} values for Tout {Tout!r}")
    res = []
    for v, t in zip(outs, touts):
        d = v.data if isinstance(v, Tensor) else np.asarray(v)
        dt = _out_dtype(t)
        # (a traced py_function's outputs have no static shape: set_shape gives them one)
        res.append(_static_shapes.noted(Tensor(d if dt is None or d.dtype == dt else
                                               d.astype(dt)), None))
    return res if many else res[0]


def py_function(func, inp, Tout, name=None):  # noqa: N803
    """``func(*inp)`` on Tensors (eager: it simply runs), its results as Tensors of ``Tout``;
    no gradient flows through it here (TensorFlow's flows; wrap with tf.custom_gradient)."""
    with no_grad():
        return _converted(func(*[_as_tensors(x) for x in inp]), Tout, "py_function")


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    """``func(*inp)`` on NumPy arrays, its results as Tensors of ``Tout`` (no gradient)."""
    args = [np.asarray(host(x.data)) if isinstance(x, Tensor) else np.asarray(x) for x in inp]
    return _converted(func(*args), Tout, "numpy_function")


def custom_gradient(f):
    """``@tf.custom_gradient``: ``f(*x)`` returns ``(y, grad_fn)``; backward calls
    ``grad_fn(dy)`` (Tensors in, one gradient per input out). One output tensor."""
    class _Custom(Function):
        @staticmethod
        def forward(ctx, *arrays):
            with no_grad():
                y, grad_fn = f(*[Tensor(a) for a in arrays])
            ctx.grad_fn = grad_fn
            ctx.n = len(arrays)
            return (y.data if isinstance(y, Tensor) else np.asarray(y))

        @staticmethod
        def backward(ctx, g):
            with no_grad():
                gs = ctx.grad_fn(Tensor(g))
            gs = list(gs) if isinstance(gs, (list, tuple)) else [gs]
            if len(gs) != ctx.n:
                raise ValueError(f"tf.custom_gradient: {f.__name__}'s gradient function returned "
                                 f"{len(gs)} gradients for {ctx.n} inputs")
            return tuple(None if v is None else (v.data if isinstance(v, Tensor) else
                                                 np.asarray(v)) for v in gs)
    _Custom.__name__ = _Custom.__qualname__ = f"CustomGradient_{f.__name__}"

    def wrapper(*args):
        return _Custom.apply(*[_as_tensors(a) for a in args])
    wrapper.__name__ = f.__name__
    wrapper.__doc__ = f.__doc__
    return wrapper


# ---- TensorArray and tf.nest -----------------------------------------------------------------------
class TensorArray:
    """``tf.TensorArray(dtype, size, dynamic_size, ...)``: the per-step results of a loop,
    stacked at the end (``write`` returns the array, as TensorFlow's; eager, so it is a list
    of Tensors and the gradient flows through ``stack`` / ``read``). As TensorFlow's eager
    array, ``clear_after_read`` (the default) clears an element once read: a second ``read``
    of it is an error, ``stack`` / ``concat`` give zeros there (and the element is zeros from
    then on)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self.dtype = np.dtype(getattr(dtype, "name", dtype))
        n = 0 if size is None else int(np.asarray(getattr(size, "data", size)))
        self._items = [None] * n
        self._dynamic = bool(dynamic_size)
        self._clear = True if clear_after_read is None else bool(clear_after_read)
        self._cleared = set()  # read and cleared: zeros in _items, not readable until stacked

    def _tensor(self, value):
        if not isinstance(value, Tensor):
            return Tensor(np.asarray(value, dtype=self.dtype))
        return value if value.dtype == self.dtype else K.cast(value, self.dtype.name)

    def write(self, index, value, name=None):
        i = int(np.asarray(getattr(index, "data", index)))
        if i >= len(self._items):
            if not self._dynamic:
                raise IndexError(f"TensorArray.write: index {i} is out of range for size "
                                 f"{len(self._items)} (dynamic_size=False)")
            self._items.extend([None] * (i + 1 - len(self._items)))
        self._items[i] = self._tensor(value)
        self._cleared.discard(i)
        return self

    def read(self, index, name=None):
        i = int(np.asarray(getattr(index, "data", index)))
        if i in self._cleared:
            from .tf_debugging import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"TensorArray.read: Could not read index {i} "
                                       "twice because it was cleared after a previous read "
                                       "(perhaps try setting clear_after_read = false?)")
        if not 0 <= i < len(self._items) or self._items[i] is None:
            raise IndexError(f"TensorArray.read: index {i} has not been written (size "
                             f"{len(self._items)})")
        value = self._items[i]
        if self._clear:  # its zeros stand in for stack / concat
            self._items[i] = Tensor(np.zeros(value.shape, self.dtype))
            self._cleared.add(i)
        return value

    def size(self, name=None):
        return Tensor(np.int32(len(self._items)))

    def stack(self, name=None):
        missing = [i for i, t in enumerate(self._items) if t is None]
        if missing:
            raise ValueError(f"TensorArray.stack: elements {missing} were never written")
        if not self._items:
            return Tensor(np.zeros((0,), self.dtype))
        self._cleared.clear()  # TensorFlow's stack fills the cleared elements with zeros
        return K.stack(self._items, axis=0)

    def gather(self, indices, name=None):
        return K.stack([self.read(i) for i in np.ravel(np.asarray(getattr(indices, "data", indices)))], 0)

    def concat(self, name=None):
        missing = [i for i, t in enumerate(self._items) if t is None]
        if missing:
            raise ValueError(f"TensorArray.concat: elements {missing} were never written")
        self._cleared.clear()
        return K.concatenate(list(self._items), axis=0)

    def unstack(self, value, name=None):
        t = self._tensor(value)
        self._items = [t[i] for i in range(t.shape[0])]
        self._cleared = set()
        return self

    def scatter(self, indices, value, name=None):
        t = self._tensor(value)
        for k, i in enumerate(np.ravel(np.asarray(getattr(indices, "data", indices)))):
            self.write(int(i), t[k])
        return self


def _is_seq(x):
    return isinstance(x, (list, tuple, dict))


def nest_flatten(structure, expand_composites=False):
    """The leaves in TensorFlow's order (dicts by sorted key)."""
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in nest_flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for s in structure for v in nest_flatten(s)]
    return [structure]


def nest_pack_sequence_as(structure, flat_sequence, expand_composites=False):
    it = iter(flat_sequence)

    def build(s):
        if isinstance(s, dict):
            vals = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, vals[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(it)
    out = build(structure)
    if next(it, _END) is not _END:
        raise ValueError("tf.nest.pack_sequence_as: more values than the structure holds")
    return out


_END = object()


def nest_map_structure(func, *structure, **kwargs):
    flats = [nest_flatten(s) for s in structure]
    if len({len(f) for f in flats}) > 1:
        raise ValueError(f"tf.nest.map_structure: the structures have {[len(f) for f in flats]} "
                         "leaves")
    return nest_pack_sequence_as(structure[0], [func(*vals) for vals in zip(*flats)])


nest = types.SimpleNamespace(flatten=nest_flatten, pack_sequence_as=nest_pack_sequence_as,
                             map_structure=nest_map_structure, is_nested=_is_seq)
