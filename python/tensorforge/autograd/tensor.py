"""The Tensor: an array (NumPy, or CuPy on the cuda backend) with an optional gradient and the
node that made it; its operators run the ops of ops/basic.py."""
import numpy as np

from .. import interop as _interop
from .._tensor_shape import TensorShape
from .._text import as_bytes_array
from .._xp import array_module, like as _like
from .backward import run_backward


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
    from .._text import as_bytes_array, is_text
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
        from .._variables import VARIABLES
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
        # (set, so that the optimizers' per-step getattr(p, "_constraint", None) finds it
        # without raising inside: ~0.6 us a weight a step where the slot is empty)
        self._constraint = None

    def __getstate__(self):
        """pickle / deepcopy: the slots that are set but the op that made it (a loaded tensor is
        a leaf, as a torch tensor's pickle), and whether it is a variable (the registry of
        variables is keyed by identity: a loaded one registers itself again)."""
        from .._variables import VARIABLES
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
            from .._variables import VARIABLES
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
        from .. import _static_shapes  # (the static shape a traced Dataset.map sees)
        _static_shapes.refine(self, given)

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
        from .. import _default_session
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
    from ..ops import basic

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
