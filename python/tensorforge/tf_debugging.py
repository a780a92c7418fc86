"""``tf.errors``' exception classes and the ``tf.debugging`` assertions, eagerly: a failed check
raises at once (TensorFlow's InvalidArgumentError, a ValueError subclass here, for value
conditions; ValueError / TypeError for static rank and type checks, as TensorFlow's)."""
import types

import numpy as np

from ._xp import host
from .autograd import Tensor

__all__ = ["errors", "debugging", "Assert", "assert_equal", "assert_less", "assert_greater",
           "assert_rank", "assert_greater_equal", "assert_less_equal", "assert_near"]


class OpError(Exception):
    """TensorFlow's ``tf.errors.OpError``: (node_def, op, message) or just a message."""

    def __init__(self, *args):
        self.message = args[2] if len(args) == 3 else (args[0] if args else "")
        super().__init__(self.message)


def _error(name, base):
    return type(name, (OpError, base), {"__doc__": f"TensorFlow's ``tf.errors.{name}``."})


InvalidArgumentError = _error("InvalidArgumentError", ValueError)
OutOfRangeError = _error("OutOfRangeError", IndexError)
NotFoundError = _error("NotFoundError", FileNotFoundError)
ResourceExhaustedError = _error("ResourceExhaustedError", MemoryError)
UnimplementedError = _error("UnimplementedError", NotImplementedError)
FailedPreconditionError = _error("FailedPreconditionError", RuntimeError)
AlreadyExistsError = _error("AlreadyExistsError", FileExistsError)
PermissionDeniedError = _error("PermissionDeniedError", PermissionError)
DataLossError = _error("DataLossError", RuntimeError)
UnknownError = _error("UnknownError", RuntimeError)
UnavailableError = _error("UnavailableError", RuntimeError)
errors = types.SimpleNamespace(
    OpError=OpError, InvalidArgumentError=InvalidArgumentError, OutOfRangeError=OutOfRangeError,
    NotFoundError=NotFoundError, ResourceExhaustedError=ResourceExhaustedError,
    UnimplementedError=UnimplementedError, FailedPreconditionError=FailedPreconditionError,
    AlreadyExistsError=AlreadyExistsError, UnknownError=UnknownError,
    PermissionDeniedError=PermissionDeniedError, DataLossError=DataLossError,
    UnavailableError=UnavailableError)


def _values(x):
    return np.asarray(host(x.data if isinstance(x, Tensor) else x))


def _check(op, ok, message, summary):
    if not ok:
        raise InvalidArgumentError(f"{message + ': ' if message else ''}tf.debugging.{op}: {summary}")


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    a, b = _values(x), _values(y)
    _check("assert_equal", np.array_equal(*np.broadcast_arrays(a, b)), message,
           f"condition x == y did not hold: x = {a.tolist()}, y = {b.tolist()}")


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    a, b = _values(x), _values(y)
    _check("assert_less", bool(np.all(a < b)), message,
           f"condition x < y did not hold: x = {a.tolist()}, y = {b.tolist()}")


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    a, b = _values(x), _values(y)
    _check("assert_greater", bool(np.all(a > b)), message,
           f"condition x > y did not hold: x = {a.tolist()}, y = {b.tolist()}")


def assert_rank(x, rank, message=None, name=None):
    r = int(_values(rank))
    got = len(x.shape) if hasattr(x, "shape") else np.ndim(x)
    if got != r:
        raise ValueError(f"{message + ': ' if message else ''}tf.debugging.assert_rank: the "
                         f"tensor must have rank {r}, got rank {got} (shape {tuple(x.shape)})")


def check_numerics(tensor, message, name=None):
    a = _values(tensor)
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        kind = "NaN" if np.isnan(a).any() else "Inf"
        raise InvalidArgumentError(f"{message} : Tensor had {kind} values")
    return tensor


def assert_all_finite(t, msg, name=None, x=None, message=None):
    return check_numerics(t if x is None else x, msg if message is None else message)




def _compare(op, cond, what):
    def check(x, y=None, data=None, summarize=None, message=None, name=None):
        a = _values(x)
        b = None if y is None else _values(y)
        ok = bool(np.all(cond(a) if b is None else cond(a, b)))
        _check(op, ok, message, f"condition {what} did not hold: x = {a.tolist()}" +
               ("" if b is None else f", y = {b.tolist()}"))
    check.__name__ = op
    return check


assert_greater_equal = _compare("assert_greater_equal", lambda a, b: a >= b, "x >= y")
assert_less_equal = _compare("assert_less_equal", lambda a, b: a <= b, "x <= y")
assert_none_equal = _compare("assert_none_equal", lambda a, b: a != b, "x != y")
assert_positive = _compare("assert_positive", lambda a: a > 0, "x > 0")
assert_negative = _compare("assert_negative", lambda a: a < 0, "x < 0")
assert_non_negative = _compare("assert_non_negative", lambda a: a >= 0, "x >= 0")
assert_non_positive = _compare("assert_non_positive", lambda a: a <= 0, "x <= 0")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    a, b = _values(x), _values(y)
    eps = 10 * np.finfo(a.dtype if a.dtype.kind == "f" else np.float32).eps
    rtol, atol = eps if rtol is None else rtol, eps if atol is None else atol
    _check("assert_near", bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b))), message,
           f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}: x = {a.tolist()}, "
           f"y = {b.tolist()}")


def assert_integer(x, message=None, name=None):
    if _values(x).dtype.kind not in "iu":
        raise TypeError(f"{message + ': ' if message else ''}tf.debugging.assert_integer: "
                        f"expected an integer tensor, got {_values(x).dtype}")


def assert_type(tensor, tf_type, message=None, name=None):
    want = np.dtype(getattr(tf_type, "name", tf_type))
    if _values(tensor).dtype != want:
        raise TypeError(f"{message + ': ' if message else ''}tf.debugging.assert_type: expected "
                        f"{want}, got {_values(tensor).dtype}")


def assert_scalar(tensor, message=None, name=None):
    assert_rank(tensor, 0, message)
    return tensor


def _rank(x):
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


def assert_rank_at_least(x, rank, message=None, name=None):
    if _rank(x) < int(_values(rank)):
        raise ValueError(f"{message + ': ' if message else ''}tf.debugging.assert_rank_at_least: "
                         f"the tensor must have rank >= {int(_values(rank))}, got {_rank(x)}")


def assert_rank_in(x, ranks, message=None, name=None):
    allowed = [int(_values(r)) for r in ranks]
    if _rank(x) not in allowed:
        raise ValueError(f"{message + ': ' if message else ''}tf.debugging.assert_rank_in: the "
                         f"tensor's rank {_rank(x)} is not one of {allowed}")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Each (tensor, dims) pair: dims of names or ints; a name must mean the same size in every
    tensor, as TensorFlow checks."""
    sizes = {}
    for x, dims in (shapes.items() if isinstance(shapes, dict) else shapes):
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        dims = list(dims)
        if len(dims) != len(shape):
            raise ValueError(f"{message + ': ' if message else ''}tf.debugging.assert_shapes: "
                             f"a tensor of shape {shape} must have rank {len(dims)}")
        for d, n in zip(dims, shape):
            if isinstance(d, (int, np.integer)):
                ok = int(d) == n
            else:
                ok = sizes.setdefault(d, n) == n
            if not ok:
                raise ValueError(f"{message + ': ' if message else ''}tf.debugging.assert_shapes: "
                                 f"dimension {d!r} is {sizes.get(d, d)} elsewhere, {n} in a "
                                 f"tensor of shape {shape}")


def is_numeric_tensor(tensor):
    return isinstance(tensor, Tensor) and tensor.dtype.kind in "biufc"


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 -- TensorFlow's name
    """``tf.Assert``: an InvalidArgumentError listing ``data`` when ``condition`` is False."""
    if not bool(np.all(_values(condition))):
        raise InvalidArgumentError("assertion failed: " + str([_values(d).tolist() if
                                                               isinstance(d, Tensor) else d
                                                               for d in data]))


debugging = types.SimpleNamespace(
    assert_equal=assert_equal, assert_less=assert_less, assert_greater=assert_greater,
    assert_rank=assert_rank, check_numerics=check_numerics, assert_all_finite=assert_all_finite,
    assert_greater_equal=assert_greater_equal, assert_less_equal=assert_less_equal,
    assert_none_equal=assert_none_equal, assert_positive=assert_positive,
    assert_negative=assert_negative, assert_non_negative=assert_non_negative,
    assert_non_positive=assert_non_positive, assert_near=assert_near,
    assert_integer=assert_integer, assert_type=assert_type, assert_scalar=assert_scalar,
    assert_rank_at_least=assert_rank_at_least, assert_rank_in=assert_rank_in,
    assert_shapes=assert_shapes, is_numeric_tensor=is_numeric_tensor, Assert=Assert,
    set_log_device_placement=lambda enabled: None, get_log_device_placement=lambda: False,
    enable_check_numerics=lambda *a, **k: None, disable_check_numerics=lambda: None)
