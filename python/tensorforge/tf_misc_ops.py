"""Small top-level ``tf`` names: ``broadcast_static_shape`` / ``broadcast_dynamic_shape``,
``timestamp``, ``fingerprint`` (FarmHash Fingerprint64 of each row, as 8 little-endian bytes)
and ``parallel_stack``.

``parallel_stack`` is ``tf.stack`` along a new first axis: TensorFlow refuses it in eager
mode, but a Keras 2 program calls it inside a ``tf.function``, whose body runs eagerly here.
"""
import time

import numpy as np

from . import _hash
from ._tensor_shape import TensorShape
from . import backend_ops as K
from ._text import is_text, text_values
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_dtypes import python_dtype

__all__ = ["broadcast_static_shape", "broadcast_dynamic_shape", "timestamp", "fingerprint",
           "parallel_stack"]


def _broadcast(op, x, y, err):
    out = []
    for a, b in zip(reversed(x), reversed(y)):
        if a is None or b is None:
            out.append(b if a == 1 else a if b == 1 else None)
        elif a == b or b == 1:
            out.append(a)
        elif a == 1:
            out.append(b)
        else:
            raise err(f"{op}: Incompatible shapes for broadcasting. Two shapes are compatible "
                      f"if for each dimension pair they are either equal or one of them is 1. "
                      f"Received: {list(x)} and {list(y)}.")
    longer = x if len(x) > len(y) else y
    return list(longer[:len(longer) - len(out)]) + out[::-1]


def broadcast_static_shape(shape_x, shape_y):
    """The TensorShape two TensorShapes (tuples, None where unknown) broadcast to; a
    ValueError if they do not."""
    return TensorShape(_broadcast("broadcast_static_shape", tuple(shape_x), tuple(shape_y),
                                  ValueError))


def _shape_vector(op, arg, s):
    a = np.asarray(s.numpy() if isinstance(s, Tensor) else s)
    if not isinstance(s, (Tensor, np.ndarray)):
        a = a.astype(python_dtype(s) or np.int32) if a.size else a.astype(np.int32)
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise ValueError(f"{op}: {arg} must be a 1-D integer shape, got {a.tolist()!r}")
    return a


def broadcast_dynamic_shape(shape_x, shape_y):
    """The shape (a 1-D integer Tensor, the inputs' dtype) two shapes broadcast to; an
    InvalidArgumentError if they do not."""
    x = _shape_vector("broadcast_dynamic_shape", "shape_x", shape_x)
    y = _shape_vector("broadcast_dynamic_shape", "shape_y", shape_y)
    if x.dtype != y.dtype:
        raise TypeError(f"broadcast_dynamic_shape: shape_x and shape_y must have one dtype, got "
                        f"{x.dtype} and {y.dtype}")
    out = _broadcast("broadcast_dynamic_shape", x.tolist(), y.tolist(), InvalidArgumentError)
    return Tensor(np.asarray(out, x.dtype))


def timestamp(name=None):
    """Seconds since the epoch, a float64 scalar Tensor."""
    return Tensor(np.float64(time.time()))


def fingerprint(data, method="farmhash64", name=None):
    """(batch, 8) uint8: the Fingerprint64 of each row of ``data`` (its bytes, little-endian;
    a row of strings: the Fingerprint64 of its strings' fingerprints, a 1-D string tensor:
    each string's), as TensorFlow's fingerprint op."""
    method = method.decode() if isinstance(method, bytes) else method
    if method != "farmhash64":
        raise InvalidArgumentError(f"fingerprint: Unsupported fingerprint method: {method!r}")
    if isinstance(data, Tensor):
        a = np.asarray(data.numpy(), dtype=data.dtype)
    else:
        a = np.asarray(data)
        a = a.astype(python_dtype(data) or (np.float32 if a.dtype == np.float64 else a.dtype)) \
            if not is_text(a) and not isinstance(data, np.ndarray) else a
    if a.ndim < 1:
        raise InvalidArgumentError(f"fingerprint: data must have rank >= 1, got shape "
                                   f"{a.shape}")
    if a.shape[0] == 0:
        return Tensor(np.zeros((0, 8), np.uint8))
    if is_text(a):
        flat = [v if isinstance(v, bytes) else str(v).encode() for v in a.reshape(-1).tolist()]
        fps = _hash.fingerprint64(flat)
        if a.ndim > 1:
            per = fps.reshape(a.shape[0], -1).astype("<u8")
            fps = _hash.fingerprint64([row.tobytes() for row in per])
    else:
        rows = np.ascontiguousarray(a.reshape(a.shape[0], -1)).astype(a.dtype.newbyteorder("<"))
        fps = _hash.fingerprint64([r.tobytes() for r in rows])
    return Tensor(np.asarray(fps, "<u8").view(np.uint8).reshape(a.shape[0], 8))


def parallel_stack(values, name="parallel_stack"):
    """``tf.stack(values, axis=0)`` (See the module doc): strings stacked as they are."""
    values = list(values)
    texts = [text_values(v) for v in values]
    if any(t is not None for t in texts):
        return Tensor(np.stack([t if t is not None else np.asarray(v) for t, v in
                                zip(texts, values)]))
    return K.stack(values, axis=0)
