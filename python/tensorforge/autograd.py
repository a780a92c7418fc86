"""Tensors with reverse-mode autograd on a tape.

A ``Tensor`` wraps an array (NumPy, or CuPy on the cuda backend). An op that receives a Tensor
requiring grad (while grad mode is on) returns Tensors linked to a ``Node`` that remembers how to
run the op's backward. ``Tensor.backward()`` walks the graph iteratively in reverse topological
order (no recursion, so a 10,000-step sequence does not hit the recursion limit) and accumulates
gradients: a tensor used twice receives the sum of both contributions.

New ops subclass ``Function`` (PyTorch style), keeping forward and backward side by side::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):            # arrays in, array(s) out
            ctx.save_for_backward(x)
            return x * x
        @staticmethod
        def backward(ctx, g):           # one gradient per output, arrays
            (x,) = ctx.saved
            return (2 * x * g,)         # one entry per positional input (None: no gradient)

    y = Square.apply(t)

Positional arguments may be Tensors or arrays; keyword arguments are passed through untouched.
Gradients for outputs that did not influence the loss arrive as zeros.
"""
import itertools
import threading
from operator import is_not

import numpy as np

from . import interop as _interop
from ._tensor_shape import TensorShape
from ._text import as_bytes_array
from ._xp import array_module, like as _like, to_one_device


class _GradState(threading.local):
    """This thread's grad mode and armed grad-ready hook. The defaults are class attributes, so
    a thread that never set them reads them without the AttributeError a plain
    ``threading.local`` raises (and ``getattr(..., default)`` swallows) on every training step."""
    enabled = True
    explicit = False  # grad mode asked for (enable_grad: a tape, fit's step), not the default
    grad_ready = None
    keep_inputs = True  # See Note [what a node keeps]


_grad_state = _GradState()


def is_grad_enabled():
    return _grad_state.enabled


class _GradMode:
    """``with no_grad():`` / ``with enable_grad():`` (a plain class: entered on every training
    step, where a generator-based context manager costs several times more)."""

    __slots__ = ("mode", "prev", "prev_explicit")

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.prev, self.prev_explicit = _grad_state.enabled, _grad_state.explicit
        _grad_state.enabled = self.mode
        if self.mode:
            _grad_state.explicit = True

    def __exit__(self, *exc):
        _grad_state.enabled, _grad_state.explicit = self.prev, self.prev_explicit
        return False


def no_grad():
    """Context manager: ops record nothing on the tape inside it."""
    return _GradMode(False)


def enable_grad():
    return _GradMode(True)


class _KeepInputs:
    """``with keeping_inputs(flag):`` the nodes recorded inside keep their inputs (True) or
    only what their backward saved (False). See Note [what a node keeps]."""

    __slots__ = ("keep", "prev")

    def __init__(self, keep):
        self.keep = keep

    def __enter__(self):
        self.prev = _grad_state.keep_inputs
        _grad_state.keep_inputs = self.keep

    def __exit__(self, *exc):
        _grad_state.keep_inputs = self.prev
        return False


def keeping_inputs(keep=True):
    return _KeepInputs(bool(keep))


def keeps_inputs():
    """Whether the nodes recorded now keep their inputs (Note [what a node keeps])."""
    return _grad_state.keep_inputs


def _as_array(x, dtype=None):
    if isinstance(x, Tensor):
        return x.data
    if _interop.is_foreign(x):  # another library's array: a view where possible (interop.py)
        return _interop.as_array(x, dtype)
    xp = array_module(x)
    # Python numbers and lists become floatx; NumPy scalars (np.float64 subclasses float) keep
    # their dtype like arrays, so a float64 reduction's scalar result stays float64.
    if isinstance(x, (float, int, bool, list, tuple)) and not isinstance(x, np.generic) \
            and dtype is None:
        arr = np.asarray(x)
        if arr.dtype.kind == "f" or isinstance(x, float):
            arr = arr.astype(np.float32)
        return arr
    return xp.asarray(x, dtype=dtype)


def _text_compare(t, o):
    """``t == o`` for a tf.string Tensor and strings (a str / bytes, a string array or Tensor):
    TensorFlow's elementwise, broadcasting equality of the bytes (``parts[-2] == class_names``
    in the TF image-loading tutorial), as a bool Tensor; None when either side is not text or
    the shapes do not broadcast (then ``==`` is False, as before)."""
    from ._text import as_bytes_array, is_text
    od = o.data if isinstance(o, Tensor) else o
    if not (is_text(t.data) and (isinstance(od, (str, bytes)) or is_text(od))):
        return None
    try:
        return Tensor(np.equal(as_bytes_array(t.data), as_bytes_array(od)).astype(bool))
    except (TypeError, ValueError):
        return None


class Tensor:
    """An array with an optional gradient. ``Tensor(array, requires_grad=False)``.

    Python lists and scalars become float32 (Keras' floatx); arrays keep their dtype.
    """

    # _keras_logits: See activations.tag_logits; _keras_mask: Keras 2's mask metadata, set on a
    # layer's output by the engine (unset: none)
    # _constraint: a weight's Keras constraint, applied after each optimizer step (constraints.py)
    # _slice_of: (variable, index) of a read of a variable's elements (``v[0, 1]``, ``v[:, 2]``):
    # its assign writes through and returns the variable, as TensorFlow's sliced assign does
    __slots__ = ("data", "requires_grad", "grad", "_node", "_index", "name", "_keras_logits",
                 "_keras_mask", "_constraint", "_slice_of", "_trainable", "__weakref__")
    __array_priority__ = 1000  # numpy defers binary operators to Tensor

    @property
    def trainable(self):
        """A variable's own trainable flag (TensorFlow's ``Variable.trainable``: a layer weight's
        add_weight(trainable=...), a tf.Variable's); other tensors have none, as in TensorFlow."""
        from ._variables import VARIABLES
        if self in VARIABLES:
            return VARIABLES[self]
        flag = getattr(self, "_trainable", None)
        if flag is None:
            raise AttributeError("'Tensor' object has no attribute 'trainable' (only variables "
                                 "have one)")
        return flag

    @property
    def constraint(self):
        """A weight's Keras constraint, or None (TensorFlow's ``Variable.constraint``: Hands-On
        ML 2's custom training loops apply ``variable.constraint`` to ``model.variables``)."""
        return getattr(self, "_constraint", None)

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        if type(data) is np.ndarray and dtype is None:
            self.data = data  # what _as_array's np.asarray returns for it: the array itself
        else:
            self.data = _as_array(data, dtype)
            if dtype is not None and self.data.dtype != np.dtype(dtype):
                self.data = self.data.astype(dtype)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._node = None
        self._index = 0
        self.name = name

    def __getstate__(self):
        """pickle / deepcopy: the slots that are set but the op that made it (a loaded tensor is
        a leaf, as a torch tensor's pickle), and whether it is a variable (the registry of
        variables is keyed by identity: a loaded one registers itself again)."""
        from ._variables import VARIABLES
        state = {n: getattr(self, n) for n in _TENSOR_STATE if hasattr(self, n)}
        if self in VARIABLES:
            state["__variable__"] = VARIABLES[self]
        return state

    def __setstate__(self, state):
        state = dict(state)
        trainable = state.pop("__variable__", None)
        self._node, self._index = None, 0
        for n, v in state.items():
            setattr(self, n, v)
        if trainable is not None:
            from ._variables import VARIABLES
            VARIABLES[self] = trainable

    # ---- array-like surface ------------------------------------------------------------
    @property
    def shape(self):
        return tuple(self.data.shape)

    def get_shape(self):
        """TensorFlow's ``x.get_shape()``: the shape as a TensorShape (``as_list()``, ``rank``)."""
        return TensorShape(self.shape)

    def set_shape(self, shape):
        """TensorFlow's ``x.set_shape(shape)`` on an eager tensor: a check that ``shape`` (None
        for an unknown axis or rank) is compatible with the tensor's own, else TensorFlow's
        ValueError; the tensor is left as it is (the TF time-series tutorial's split_window)."""
        given = None if shape is None else getattr(shape, "as_list", lambda: shape)()
        if given is None:
            return
        given = [None if d is None else int(d) for d in given]
        own = tuple(self.shape)
        if len(given) != len(own) or any(g is not None and g != o for g, o in zip(given, own)):
            raise ValueError(f"Tensor's shape {own} is not compatible with supplied shape "
                             f"{tuple(given)}.")

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        """TensorFlow's fully qualified name of the device holding the value (the TF
        customization tutorial's ``x.device.endswith('GPU:0')``): the GPU for a CuPy array."""
        kind = "CPU" if array_module(self.data) is np else "GPU"
        return f"/job:localhost/replica:0/task:0/device:{kind}:0"

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return int(self.data.size)

    def __len__(self):
        return len(self.data)

    # ---- tf.Variable's in-place updates, as Keras 2 layers call them on their weights ----
    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replace the values in place (same shape), outside the autograd tape; returns self
        (None with TensorFlow's ``read_value=False``; ``use_locking`` / ``name`` accepted)."""
        v = value.data if isinstance(value, Tensor) else value
        xp = array_module(self.data)
        if xp is not array_module(v):  # a device value into a host variable or back: one copy
            v = _like(v, self.data)
        v = xp.asarray(v, dtype=self.data.dtype)
        if v.shape != self.data.shape:
            raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape mismatch."
                             f"The variable shape {self.data.shape}, and the assigned value "
                             f"shape {v.shape} are incompatible.")  # TensorFlow's words
        self.data[...] = v
        parent = getattr(self, "_slice_of", None)
        if parent is not None:
            parent[0].data[parent[1]] = v
            return parent[0] if read_value else None  # TensorFlow's sliced assign: the variable
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        d = delta.data if isinstance(delta, Tensor) else delta
        d = d if array_module(d) is array_module(self.data) else _like(d, self.data)
        return self.assign(self.data + array_module(self.data).asarray(d, dtype=self.data.dtype),
                           read_value=read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        d = delta.data if isinstance(delta, Tensor) else delta
        d = d if array_module(d) is array_module(self.data) else _like(d, self.data)
        return self.assign(self.data - array_module(self.data).asarray(d, dtype=self.data.dtype),
                           read_value=read_value)

    def scatter_nd_update(self, indices, updates, name=None):
        """TensorFlow's ``Variable.scatter_nd_update``: the elements (or slices) at ``indices``
        (N, k) set to ``updates``, in place; returns self."""
        idx = np.asarray(indices.numpy() if isinstance(indices, Tensor) else indices, np.int64)
        upd = updates.data if isinstance(updates, Tensor) else np.asarray(updates)
        self.data[tuple(idx.reshape(-1, idx.shape[-1]).T)] = _like(upd, self.data).reshape(
            (-1,) + self.data.shape[idx.shape[-1]:])
        return self

    def scatter_update(self, sparse_delta, name=None):
        """TensorFlow's ``Variable.scatter_update``: the rows ``sparse_delta.indices`` (an
        IndexedSlices) set to ``sparse_delta.values``, in place; returns self."""
        rows = np.asarray(sparse_delta.indices.numpy(), np.int64).reshape(-1)
        self.data[rows] = _like(sparse_delta.values.data, self.data)
        return self

    def numpy(self):
        """The value as a NumPy array (copied from the GPU when on CuPy); a scalar as a NumPy
        scalar (``np.int32(3)``; a scalar string its bytes), as TensorFlow's ``.numpy()`` gives
        them (the TF word2vec tutorial indexes a dict with ``index.numpy()``). A variable's (a weight, a tf.Variable)
        is a copy, as TensorFlow's: the optimizers and ``assign`` update it in place, and a
        snapshot taken before training must not change with it."""
        d = self.data
        if type(d) is np.ndarray:
            if d.ndim == 0:  # a NumPy scalar (np.int32(3)), hashable, as TensorFlow's
                return d[()]
            return d.copy() if self._node is None and self._is_variable() else d
        d = d.get() if hasattr(d, "get") else d
        return d[()] if getattr(d, "ndim", 1) == 0 else d

    def value(self):
        """TensorFlow's ``Variable.value()`` / ``read_value()``: a Tensor of the current values
        (a copy, which later assigns leave as it is)."""
        return Tensor(self.data.copy())

    read_value = value

    def eval(self, feed_dict=None, session=None):
        """TensorFlow 1's ``tensor.eval()`` in a session (_default_session.eval_tensor)."""
        from . import _default_session
        return _default_session.eval_tensor(self, feed_dict, session)

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.numpy())
        return a.astype(dtype) if dtype is not None else a

    # ---- DLPack export: other libraries view this Tensor's buffer (interop.py) -------------
    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        return _interop.tensor_dlpack(self.data, stream, max_version, dl_device, copy)

    def __dlpack_device__(self):
        return _interop.tensor_dlpack_device(self.data)

    def item(self):
        return self.data.item()

    def detach(self):
        """A Tensor sharing this one's data, cut from the graph."""
        return Tensor(self.data, requires_grad=False)

    def zero_grad(self):
        self.grad = None

    # TensorFlow's printed forms (Keras 2 programs print tensors in their custom loops):
    # str "tf.Tensor(0.5, shape=(), dtype=float32)", repr "<tf.Tensor: shape=(), dtype=float32,
    # numpy=0.5>"; a variable (a leaf named "<name>:0") both as "<tf.Variable 'w:0' shape=()
    # dtype=float32, numpy=3.0>". A value that prints over several lines starts on a new one.
    def _print_parts(self, text):
        a = np.asarray(self.numpy())
        dt = "string" if a.dtype.kind in "OSU" else a.dtype.name
        if a.ndim == 0:  # str: NumPy's shortest float32 digits; repr: the Python value's
            v = a[()]
            text = repr(bytes(v)) if isinstance(v, bytes) else repr(v.item()) if text is repr else str(v)
        else:
            text = text(a)
        return f"shape={self.shape}", f"dtype={dt}", ("\n" + text if "\n" in text else text)

    def _is_variable(self):
        return self._node is None and isinstance(self.name, str) and self.name.endswith(":0")

    def __repr__(self):
        shape, dt, value = self._print_parts(repr)
        if self._is_variable():
            return f"<tf.Variable '{self.name}' {shape} {dt}, numpy={value}>"
        return f"<tf.Tensor: {shape}, {dt}, numpy={value}>"

    def __str__(self):
        if self._is_variable():
            return repr(self)
        shape, dt, value = self._print_parts(str)
        return f"tf.Tensor({value}, {shape}, {dt})"

    def __format__(self, spec):
        """TensorFlow's: the value's NumPy formatting, so ``f"{loss:.4f}"`` formats a scalar
        and ``f"{t}"`` prints the values (a format spec on a non-scalar is NumPy's TypeError)."""
        return format(self.numpy(), spec)

    # ---- autograd ----------------------------------------------------------------------
    def backward(self, grad=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``grad`` defaults to ones for a scalar (size-1) tensor and is required otherwise.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad (no graph to walk)")
        xp = array_module(self.data)
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: grad must be given for a non-scalar tensor of shape {self.shape}")
            d = self.data
            if xp is np:  # (ones_like's Python layer costs more than the rest of this call)
                grad = np.array(1, dtype=d.dtype)
                if d.ndim:
                    grad = grad.reshape(d.shape)
            else:
                grad = xp.ones_like(d)
        else:
            grad = _as_array(grad)
            if tuple(grad.shape) != self.shape:
                raise ValueError(f"backward: grad shape {tuple(grad.shape)} does not match tensor shape {self.shape}")
            grad = grad.astype(self.data.dtype, copy=False)
        run_backward(self, grad)

    # ---- operators (implemented in ops.basic, imported lazily to avoid a cycle) ----------
    def __add__(self, o):
        if self.data.dtype == object:  # string tensors concatenate: See _string_add
            return _string_add(self, o)
        return _basic().add(self, o)

    def __radd__(self, o):
        if self.data.dtype == object:
            return _string_add(o, self)
        return _basic().add(o, self)
    def __sub__(self, o): return _basic().sub(self, o)
    def __rsub__(self, o): return _basic().sub(o, self)
    def __mul__(self, o): return _basic().mul(self, o)
    def __rmul__(self, o): return _basic().mul(o, self)
    def __truediv__(self, o): return _basic().div(self, o)
    def __rtruediv__(self, o): return _basic().div(o, self)
    def __neg__(self): return _basic().neg(self)
    def __pow__(self, p): return _basic().power(self, p)
    def __rpow__(self, b): return _basic().rpower(self, b)
    def __abs__(self): return _basic().abs(self)
    def __pos__(self): return self
    def __floordiv__(self, o): return _basic().floordiv(self, o)
    def __rfloordiv__(self, o): return _basic().floordiv(o, self)
    # TensorFlow's Tensor % is tf.math.floormod (the sign of the divisor, as Python's %)
    def __mod__(self, o): return _basic().floormod(self, o)
    def __rmod__(self, o): return _basic().floormod(o, self)
    # Comparisons are elementwise (bool Tensors, no gradient) as in TensorFlow 2, == and !=
    # included (a Keras guide asserts ``a[i, j] == new_value[i, j]``). A Tensor still hashes by
    # identity, so it stays a dict / set key (Python matches a key by identity before ==, and
    # live objects' ids never collide); comparing with None or with something of an
    # incompatible shape is False / True, as TensorFlow's incompatible_shape_error=False.
    __hash__ = object.__hash__

    def __eq__(self, o):
        if o is None:
            return False
        try:
            return _basic().equal(self, o)
        except (TypeError, ValueError):
            t = _text_compare(self, o)
            return False if t is None else t

    def __bool__(self):  # TensorFlow's: a one-element Tensor's truth, else NumPy's ValueError
        return bool(self.data)

    def __ne__(self, o):
        if o is None:
            return True
        try:
            return _basic().not_equal(self, o)
        except (TypeError, ValueError):
            t = _text_compare(self, o)
            return True if t is None else Tensor(~t.data)

    def __lt__(self, o): return _basic().less(self, o)
    def __le__(self, o): return _basic().less_equal(self, o)
    def __gt__(self, o): return _basic().greater(self, o)
    def __ge__(self, o): return _basic().greater_equal(self, o)
    def __and__(self, o): return _basic().logical("bitwise_and", self, o)
    def __rand__(self, o): return _basic().logical("bitwise_and", o, self)
    def __or__(self, o): return _basic().logical("bitwise_or", self, o)
    def __ror__(self, o): return _basic().logical("bitwise_or", o, self)
    def __xor__(self, o): return _basic().logical("bitwise_xor", self, o)
    def __invert__(self): return _basic().logical("invert", self)
    # A scalar Tensor converts like a NumPy scalar (K.shape(x)[0] as a size, float(loss)).
    def __int__(self): return int(self.data)
    def __float__(self): return float(self.data)
    def __index__(self): return self.data.__index__()
    def __matmul__(self, o): return _basic().matmul(self, o)
    def __rmatmul__(self, o): return _basic().matmul(o, self)
    def __getitem__(self, idx):
        d = self.data
        if type(d) is np.ndarray and d.dtype == object:  # strings (tf.string): no gradient
            return Tensor(d[idx.data if isinstance(idx, Tensor) else idx])
        out = _basic().getitem(self, idx)
        if type(d) is np.ndarray and self._is_variable():
            out._slice_of = (self, idx)  # See _slice_of
        return out

    def __iter__(self):
        # Iteration checks the rank first, as TensorFlow's and NumPy's do: without __iter__,
        # Python iterates through __getitem__, so iter() of a scalar succeeded and only next()
        # failed, and code that probes iter(x) to tell a value from a sequence (matplotlib's
        # hist took a 1-D Tensor as 4,000 one-value datasets: 30 ms each) was misled.
        if not self.data.shape:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self.data.shape[0]))

    # Note [NumPy reductions of a Tensor]
    # np.mean(t) / np.sum(t) call t.mean / t.sum with NumPy's keywords (dtype=, out=, ...)
    # because a Tensor has these methods; a TensorFlow tensor has none, so NumPy converts it and
    # returns its own result (a NumPy scalar: the TF autoencoder tutorial's
    # `np.mean(train_loss) + np.std(train_loss)`). Called with those keywords, the methods do
    # the same on the host copy; Tensor code calls them without and gets a Tensor.
    def sum(self, axis=None, keepdims=False, **np_kwargs):
        if np_kwargs:
            return np.sum(self.numpy(), axis=axis, keepdims=keepdims, **np_kwargs)
        return _basic().sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False, **np_kwargs):
        if np_kwargs:
            return np.mean(self.numpy(), axis=axis, keepdims=keepdims, **np_kwargs)
        return _basic().mean(self, axis, keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _basic().reshape(self, shape)
    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _basic().transpose(self, axes or None)
    @property
    def T(self): return _basic().transpose(self, None)
    def exp(self): return _basic().exp(self)
    def log(self): return _basic().log(self)


_TENSOR_STATE = tuple(n for n in Tensor.__slots__ if n not in ("_node", "_index", "__weakref__"))


def _string_add(a, b):
    """``a + b`` with a string tensor: TensorFlow's string Add, the elementwise concatenation
    (broadcast; keras-io text_generation_fnet.py writes ``"[start] " + preprocess_text(s) +
    " [end]"``); a number with a string tensor is a TypeError (TensorFlow's
    InvalidArgumentError: tf_debugging's class is not imported here, it would close an import
    circle through tf_strings)."""
    parts = []
    for i, v in enumerate((a, b)):
        d = getattr(v, "data", v)
        if not isinstance(d, (str, bytes)) and not (isinstance(d, np.ndarray) and d.dtype == object):
            raise TypeError(f"add: input #{i} of a string Add must be a string tensor, got "
                            f"{type(v).__name__} {getattr(d, 'dtype', '')}".rstrip())
        parts.append(as_bytes_array(d, "add"))
    return Tensor(np.asarray(np.frompyfunc(bytes.__add__, 2, 1)(*parts), dtype=object))


def _basic():
    """ops.basic (imported on first use: it imports this module)."""
    global _basic
    from .ops import basic

    def _basic():
        return basic
    return basic


def from_dlpack(x, requires_grad=False):
    """A Tensor viewing the memory of any DLPack producer (no copy): ``tensorforge.from_dlpack``.
    Defined beside Tensor, not in interop.py, which stands under this module."""
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__, got "
                        f"{type(x).__name__}")
    return Tensor(_interop._from_dlpack(x, f"a {type(x).__name__}"), requires_grad=requires_grad)


class Node:
    """One recorded op: its backward, its saved context, its inputs and output metadata."""

    # fn, args: the Function class and its positional arguments as given (Tensors keep their
    # graph), for a differentiable backward (Note [higher-order gradients] in higher_order.py)
    __slots__ = ("backward", "ctx", "inputs", "out_meta", "name", "fn", "args")

    def __init__(self, backward, ctx, inputs, out_meta, name, fn=None, args=()):
        self.backward = backward
        self.fn = fn
        self.args = args
        self.ctx = ctx
        self.inputs = inputs      # one entry per positional input: Tensor needing grad, or None
        self.out_meta = out_meta  # [(shape, dtype, xp)] per output, for zero-filling
        self.name = name


# Note [what a node keeps]
# A node needs, for the first-order walk, only what its backward saved (ctx.saved, as PyTorch's
# derivatives.yaml: relu its output, add nothing, matmul its two inputs) and, per input, where
# the gradient goes: the producing node and output index, and the input's shape and dtype for
# the walk's checks. A second-order walk (Note [higher-order gradients] in higher_order.py)
# also needs the inputs themselves, with their values and graphs (``node.args``). Keeping them
# on every node kept every intermediate array of the forward alive until backward, whether or
# not a backward needed it: a Dense layer's matmul output and pre-activation beside its
# activation, a FocalNet's gates and products (7 GB in the first step of keras-io's
# focal_modulation_network). So where no second derivative can be asked of the graph, a node
# keeps no input Tensor but a leaf's (whose .grad the walk writes), an _Edge for the others,
# and no args: inside Model.fit / train_on_batch's step (a K.gradients in a compiled loss,
# which wants the graph's second derivatives, runs that step again keeping them: See Note
# [gradients of graph tensors] in engine/graph_gradients.py) and inside a GradientTape that is
# the only one open (its gradient stays first-order: Note [what a tape watches]). A second tape
# opened inside, higher_order's recorded walk and code outside any tape or fit step (where
# ``higher_order.grad(..., create_graph=True)`` may follow any forward) keep them. A
# second-order walk that reaches a node without them is an error naming the op.
class _Edge:
    """A lean node's link to an input another op made (Note [what a node keeps]): the
    producing node and output, the input's shape and dtype; ``data`` is the edge itself, so
    the walks read ``t.data.shape`` / ``t.data.dtype`` of an edge as of a Tensor."""

    __slots__ = ("_node", "_index", "shape", "dtype")
    grad = None
    requires_grad = True

    def __init__(self, t):
        self._node, self._index = t._node, t._index
        d = t.data
        self.shape, self.dtype = tuple(d.shape), d.dtype

    @property
    def data(self):
        return self


def _lean_inputs(inputs):
    return [t if t is None or t._node is None else _Edge(t) for t in inputs]


class Context:
    """Per-call scratch space for a Function: saved arrays and flags. ``grad_out``: None, or
    one entry per positional input, an array that input's gradient may be written into (See
    Note [gradient outputs]); backward then returns that very array."""

    grad_out = None
    saved = ()  # (apply makes a Context without __init__; save_for_backward sets its own)

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved = ()

    def save_for_backward(self, *arrays):
        self.saved = arrays


# A symbolic tensor (engine.node.KerasTensor) among an op's arguments records the op as a layer
# of a functional graph instead of computing it. engine.node fills these in when imported, so
# this module imports nothing from the engine.
_symbolic_types = []
_record_symbolic = [None]


def _forward(cls, ctx, raw, kwargs):
    """cls.forward on the raw arrays; where it fails because they mix host and GPU arrays, again
    with the host ones copied to the GPU (Note [mixed host and device operands] in _xp.py)."""
    try:
        return cls.forward(ctx, *raw, **kwargs) if kwargs else cls.forward(ctx, *raw)
    except TypeError:
        if not to_one_device(raw):
            raise
        return cls.forward(ctx, *raw, **kwargs) if kwargs else cls.forward(ctx, *raw)


def backward_on_one_device(node, ctx, grads):
    """node.backward again after it failed on arrays of two devices (a GPU gradient meeting a
    host array the forward saved): the host ones moved to the GPU (Note [mixed host and device
    operands] in _xp.py); the TypeError again when that was not the failure."""
    saved = list(getattr(ctx, "saved", None) or ())
    args = saved + list(grads)
    if not to_one_device(args):
        raise
    ctx.saved = tuple(args[:len(saved)])
    return node.backward(ctx, *args[len(saved):])


def call_backward(node, ctx, grads):
    """``node.backward(ctx, *grads)`` as a tuple of input gradients, retried on one device when
    it failed on arrays of two (backward_on_one_device)."""
    try:
        out = node.backward(ctx, *grads)
    except TypeError:  # Note [mixed host and device operands] in _xp.py
        out = backward_on_one_device(node, ctx, grads)
    return out if isinstance(out, (tuple, list)) else (out,)


def route_gradient(t, g, grads, got, want):
    """A collecting walk's step: ``g``, a gradient of ``t``, added to the slot of the node that
    made ``t`` (``grads``: id(node) -> one slot per output), or to ``got`` when ``t`` is a
    wanted leaf (``want``: ids)."""
    tn = t._node
    if tn is None:
        if id(t) in want:
            got[id(t)] = g if id(t) not in got else got[id(t)] + g
        return
    slot = grads.get(id(tn))
    if slot is None:
        slot = grads[id(tn)] = [None] * len(tn.out_meta)
    i = t._index
    slot[i] = g if slot[i] is None else slot[i] + g


class Function:
    """Base class of differentiable ops; see the module docstring.

    ``backward_graph(ctx, inputs, *grads)``: optional, the backward written in Tensor ops, so
    that a gradient can itself be differentiated (Note [higher-order gradients] in
    higher_order.py). ``inputs``: the positional arguments as given to apply (Tensors keep
    their graph); ``grads``: Tensors; returns one Tensor (or None) per positional input. None:
    a second derivative through this op is an error naming it.
    """

    backward_graph = None

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        # Runs for every op of every step: See Note [lean apply].
        raw = list(args)
        inputs = None  # the node's inputs: a Tensor needing grad, or None, per argument
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                if type(a) is not Tensor and _symbolic_types and type(a) is _symbolic_types[0]:
                    return _record_symbolic[0](cls.apply, *args, **kwargs)
                raw[i] = a.data
                if a.requires_grad:
                    if inputs is None:
                        inputs = [None] * len(args)
                    inputs[i] = a
        ctx = _new_context(Context)
        if inputs is None or not _grad_state.enabled:
            n = len(args)
            ctx.needs_input_grad = (_NO_NEEDS[n] if n < len(_NO_NEEDS) else _no_grad_needs(n)) \
                if inputs is None else tuple(map(is_not, inputs, _NONES))
            out = _forward(cls, ctx, raw, kwargs)
            if type(out) is np.ndarray:
                return _wrap(out)
            if isinstance(out, tuple):
                return tuple([None if o is None else _wrap(o) for o in out])
            return _wrap(out)
        ctx.needs_input_grad = tuple(map(is_not, inputs, _NONES))
        out = _forward(cls, ctx, raw, kwargs)
        node = _new_node(Node)
        node.backward = cls.backward
        node.ctx = ctx
        node.name = cls.__name__
        node.fn = cls
        if _grad_state.keep_inputs:
            node.inputs = inputs
            node.args = args
        else:  # See Note [what a node keeps]
            node.inputs = _lean_inputs(inputs)
            node.args = None
        if type(out) is np.ndarray:  # one NumPy output: the usual op (_wrap, inlined)
            node.out_meta = ((out.shape, out.dtype, np),)
            t = _new_tensor(Tensor)
            t.data = out
            t.requires_grad = True
            t.grad = None
            t._node = node
            t._index = 0
            t.name = None
            return t
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        node.out_meta = [None if o is None else (o.shape, o.dtype,
                                                 np if type(o) is np.ndarray else array_module(o))
                         for o in outs]
        tensors = []
        for i, o in enumerate(outs):
            if o is None:
                tensors.append(None)
                continue
            t = _wrap(o)
            t.requires_grad = True
            t._node = node
            t._index = i
            tensors.append(t)
        return tuple(tensors) if multi else tensors[0]


_new_context = _new_node = object.__new__
_NONES = itertools.repeat(None)  # tuple(map(is_not, inputs, _NONES)): needs_input_grad
_NO_NEEDS = [(False,) * n for n in range(9)]


def _no_grad_needs(n):
    """(False,) * n, made once per n."""
    while len(_NO_NEEDS) <= n:
        _NO_NEEDS.append((False,) * len(_NO_NEEDS))
    return _NO_NEEDS[n]


# Note [lean apply]: a small training step runs ~20 ops forward and as many backward; at batch 32
# their Python bookkeeping competes with the kernels themselves. So apply makes one pass over the
# arguments for the raw arrays and the node's inputs (the needs-grad flags follow from them in
# one C-level map), makes the Context and the Node without calling their __init__ (and shares
# the all-False flags tuple of an op that records nothing), wraps a NumPy result without
# Tensor()'s conversions (_wrap, inlined for the recorded one), and reads the grad mode only when
# some input needs grad. The ops that run most often (arithmetic, activations) skip apply
# altogether when nothing is recorded: Note [op fast path] in ops/basic.py.
_new_tensor = object.__new__


def _wrap(o):
    """Tensor(o) for an op's result: an ndarray is taken as it is (no conversion)."""
    if type(o) is not np.ndarray:
        return Tensor(o)
    t = _new_tensor(Tensor)
    t.data = o
    t.requires_grad = False
    t.grad = None
    t._node = None
    t._index = 0
    t.name = None
    return t


def zero_filled(gs, out_meta):
    """A node's output gradients with zeros (of the output's shape, dtype and module) for the
    outputs nothing flowed back to."""
    filled = []
    for g, meta in zip(gs, out_meta):
        if g is None and meta is not None:
            shape, dtype, xp = meta
            g = xp.zeros(shape, dtype=dtype)
        filled.append(g)
    return filled


def _toposort(root_node):
    """Nodes reachable from root_node (or from each node of a list), each after every node that
    consumes its outputs."""
    order, seen = [], set()  # (a Node hashes by identity)
    roots = root_node if isinstance(root_node, list) else [root_node]
    stack = [(r, False) for r in reversed(roots)]
    pop, push = stack.pop, stack.append
    while stack:
        node, done = pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        push((node, True))
        for t in node.inputs:
            if t is not None:
                tn = t._node
                if tn is not None and tn not in seen:
                    push((tn, False))
    order.reverse()  # root first
    return order


def as_input_dtype(g, dtype):
    """A gradient in its input's dtype; a complex gradient of a real input is its real part
    (See Note [complex gradients] in ops/complex.py)."""
    if g.dtype.kind == "c" and dtype.kind != "c":
        g = g.real
    return g.astype(dtype, copy=False)


def _accumulate(current, g):
    return g if current is None else current + g


def run_backward(root, grad):
    hooks = _grad_state.grad_ready  # See Note [grad-ready hooks]
    if hooks is not None:
        _grad_state.grad_ready = None
    top = root._node
    if top is None:  # a leaf
        root.grad = _accumulate(root.grad, grad)
        return
    grads = {top: [None] * len(top.out_meta)}  # node -> its outputs' gradients so far
    grads[top][root._index] = grad
    order = _toposort(top)
    pop = grads.pop
    for node in (order if hooks is None else _firing_grad_ready(order, grads, *hooks)):
        gs = pop(node, None)
        if gs is None:
            continue
        ctx = node.ctx
        if ctx is None:
            raise RuntimeError(f"backward: the graph through {node.name} was already freed "
                               "(backward runs once per forward)")
        grads_in = gs if len(gs) == 1 and gs[0] is not None else zero_filled(gs, node.out_meta)
        in_grads = call_backward(node, ctx, grads_in)
        node.ctx = node.args = None  # free saved arrays
        for t, g in zip(node.inputs, in_grads):
            if t is None or g is None:
                continue
            d = t.data
            if g.shape != d.shape and tuple(g.shape) != tuple(d.shape):
                raise RuntimeError(f"backward: {node.name} returned a gradient of shape "
                                   f"{tuple(g.shape)} for an input of shape {t.shape}")
            if g.dtype is not d.dtype and g.dtype != d.dtype:
                g = as_input_dtype(g, d.dtype)
            tn = t._node
            if tn is None:
                g = g if t.grad is None else t.grad + g
                # NumPy turns 0-d results into scalars (a sum over every axis: the gradient
                # of Attention's scale); a weight's gradient stays an array for the optimizer
                t.grad = np.asarray(g) if isinstance(g, np.generic) else g
            else:
                slot = grads.get(tn)
                if slot is None:
                    slot = grads[tn] = [None] * len(tn.out_meta)
                i = t._index
                slot[i] = g if slot[i] is None else slot[i] + g


# Note [grad-ready hooks]
# Data-parallel training (tensorforge.distributed) reduces a parameter's gradient over the ranks
# while backward still runs the layers before it. It arms a one-shot hook for the next backward
# of this thread: ``on_grad_ready(leaves, fn)``. A leaf's gradient is final once the last node
# of the walk that takes it as an input has run (the walk is a topological order, so the nodes
# that consume a leaf are known before the walk starts): ``fn(leaf)`` is then called, between
# two nodes, once per leaf the walk reaches (leaves it does not reach get no call: their .grad
# stays as it was). ``fn`` may write the leaf's .grad array in place: if that array is also a
# pending gradient of the walk or another ready leaf's .grad (an op may hand one array to two
# inputs), the leaf gets its own copy first. Without an armed hook run_backward pays one
# attribute lookup; nothing else changes.
#
# Note [gradient outputs]
# ``on_grad_ready(leaves, fn, out)`` may also give an array per leaf (``out``: {id(leaf): array},
# the leaf's view of a gradient bucket) for its gradient to be written into, sparing the copy
# into the bucket. The first node of the walk that consumes such a leaf, when the leaf takes
# no other gradient before it (.grad None, one input slot of that node), finds the array in
# ``ctx.grad_out`` at that input's position; an op that can write there (gemm, conv2d: the
# kernels' output arguments, See Note [gradient outputs] in kernels/_common.py) does so and
# returns that array, which then becomes the leaf's .grad as any fresh gradient would. An op that
# ignores grad_out returns a new array as usual (fn copies it). The array is the caller's: the
# hook's own-copy rule above does not apply to it.
def on_grad_ready(leaves, fn, out=None):
    """Call ``fn(leaf)`` as soon as the next ``backward()`` in this thread has finished the
    gradient of each of ``leaves`` (See Note [grad-ready hooks]); one-shot. ``out``: optional
    {id(leaf): array} its gradient may be written into (See Note [gradient outputs])."""
    _grad_state.grad_ready = ({id(t): t for t in leaves}, fn, out or None)


def _firing_grad_ready(order, grads, watched, fn, out=None):
    """``order``, calling ``fn`` on each watched leaf after the last node that consumes it
    (and handing ``out``'s arrays to the first, See Note [gradient outputs])."""
    last, first = {}, {}
    for node in order:
        for t in node.inputs:
            if t is not None and id(t) in watched:
                last[id(t)] = node
                if out is not None and id(t) in out and id(t) not in first:
                    first[id(t)] = node
    ready = {}
    for i, node in last.items():
        ready.setdefault(id(node), []).append(watched[i])
    given = {}
    for i, node in first.items():
        given.setdefault(id(node), []).append(watched[i])
    owned = set()
    for node in order:
        leaves = given.get(id(node))
        if leaves is not None and node.ctx is not None:
            slots = [None] * len(node.inputs)
            for t in leaves:
                pos = [k for k, x in enumerate(node.inputs) if x is t]
                if t.grad is None and len(pos) == 1:
                    slots[pos[0]] = out[id(t)]
            node.ctx.grad_out = tuple(slots)
        yield node
        for t in ready.get(id(node), ()):
            g = t.grad
            if g is None:
                continue
            if out is not None and g is out.get(id(t)):
                fn(t)
                continue
            root = g if getattr(g, "base", None) is None else g.base
            if id(root) in owned or any(x is not None and (x is root or getattr(x, "base", None)
                                                           is root)
                                        for slot in grads.values() for x in slot):
                g = t.grad = g.copy()
                root = g
            owned.add(id(root))
            fn(t)


def collect_gradients(root, grad, sources, free):
    """{id(source): gradient array} of ``root`` (seeded with ``grad``) for the sources it
    reaches: the walk of run_backward, collecting instead of writing ``.grad`` (GradientTape.gradient,
    higher_order.grad without create_graph)."""
    return collect_gradients_of_sum([(root, grad)], sources, free)


# Note [a freed graph keeps no tensors]: a non-persistent tape's gradient frees each node it
# walks: its saved arrays and its input Tensors, so its target, still a Tensor that requires
# grad, holds no activations. A hand-written loop that sums the returned losses (Gulli et
# al.'s autoencoder: ``epoch_loss += train(...)``, the loss computed in the tape) otherwise
# chained every step's graph, inputs and activations included, to the running sum: ~3 MB a
# step of a 784-128-784 MLP on batches of 256, 37 GB over its 50 epochs, where TensorFlow's
# returned loss is a plain value. A walk that reaches a freed node still raises (its ctx).
def collect_gradients_of_sum(roots, sources, free, within=None, keep=()):
    """collect_gradients for several (root, seed) pairs at once: the gradients of their sum, in
    one walk that runs each node's backward once. A tape's ``gradient(list_of_targets, ...)``
    needs this: targets that share a graph (the per-weight gradients of one loss, differentiated
    again by an outer tape) walked one after the other would find the shared nodes freed by the
    first walk of a non-persistent tape. ``within``: None, or the ids of the only nodes the
    walk may pass through (a tape's block, Note [what a tape watches] in gradient_tape.py);
    ``keep``: the ids of nodes not to free (Note [tapes that share a graph] there)."""
    want = {id(s) for s in sources}
    got = {}
    grads, tops = {}, []
    for root, grad in roots:
        top = root._node
        if top is None:  # a leaf target: d root / d root
            if id(root) in want:
                got[id(root)] = grad if id(root) not in got else got[id(root)] + grad
            continue
        if id(top) not in grads:
            grads[id(top)] = [None] * len(top.out_meta)
            tops.append(top)
        slot = grads[id(top)]
        slot[root._index] = grad if slot[root._index] is None else slot[root._index] + grad
    if not tops:
        return got
    inner = {id(s._node): [] for s in sources if s._node is not None}
    for s in sources:
        if s._node is not None:
            inner[id(s._node)].append(s)
    for node in _toposort(tops):
        gs = grads.pop(id(node), None)
        if gs is None:
            continue
        for s in inner.get(id(node), ()):  # an intermediate source: its gradient is final now
            if gs[s._index] is not None:
                got[id(s)] = gs[s._index]
        if within is not None and id(node) not in within:
            continue  # an op run outside the tape's block: the gradient stops at its output
        ctx = node.ctx
        if ctx is None:
            raise RuntimeError(f"gradient: the graph through {node.name} was "
                               "already freed (a non-persistent tape's gradient, or backward(), "
                               "ran on it)")
        with _GradMode(False):
            grads_in = zero_filled(gs, node.out_meta)
            in_grads = call_backward(node, ctx, grads_in)
        inputs = node.inputs
        if free and id(node) not in keep:  # its saved arrays and input Tensors: See
            node.ctx = node.args = None  # Note [a freed graph keeps no tensors]
            node.inputs = ()
        for t, g in zip(inputs, in_grads):
            if t is None or g is None:
                continue
            if g.dtype != t.data.dtype:
                g = as_input_dtype(g, t.data.dtype)
            route_gradient(t, g, grads, got, want)
    return got
