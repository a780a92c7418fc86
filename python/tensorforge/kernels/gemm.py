"""GEMM entry points: ``gemm`` (BLAS-like, fused bias/relu epilogue) and ``matmul``.

float64 inputs run a native fp64 kernel (dgemm) on the cpu backend and NumPy's float64 matmul on
the numpy backend: never a silent cast to float32. Mixed dtypes are a TypeError.
"""
import numpy as np

from .. import _dispatch as backend
from .._dispatch import lookup as _lookup
from .._xp import array_module
from ._common import (FLOAT_DTYPES, NATIVE_MODULE, check_activation, check_array, is_native, num,
                      same_dtype, shape_str)


def gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
         activation=None):
    """C = alpha * op(a) @ op(b) + beta * c, then + bias (per column), then activation.

    ``op(x)`` is ``x.T`` when the matching ``trans_*`` flag is set. ``a`` and ``b`` may be any
    strided views. When ``c`` is given it is updated in place and returned (it must be writable
    with unit column stride); otherwise a new (M, N) array is returned and ``beta`` must be 0.
    """
    op = "gemm"
    fn = backend.lookup(op)
    if c is None and is_native(fn) and type(alpha) is float and type(beta) is float:
        # (an in-place c keeps the Python path, which copies an input c aliases: the module
        # copied into worktrees before 8bd14c0's binding fix got that case wrong)
        try:  # Note [native fast path] (kernels/pointwise.py): the binding checks everything
            return fn(a, b, None, alpha, beta, trans_a, trans_b, bias, activation)
        except (TypeError, ValueError):
            pass  # the checks below convert what they may, or raise their own message
    check_array(op, "a", a, 2, "(M, K)", FLOAT_DTYPES)
    check_array(op, "b", b, 2, "(K, N)", FLOAT_DTYPES)
    M, Ka = (a.shape[1], a.shape[0]) if trans_a else a.shape
    Kb, N = (b.shape[1], b.shape[0]) if trans_b else b.shape
    if Ka != Kb:
        raise ValueError(f"{op}: inner dimensions differ: op(a) is {shape_str((M, Ka))} from a "
                         f"{shape_str(a.shape)}, op(b) is {shape_str((Kb, N))} from b {shape_str(b.shape)}")
    if bias is not None:
        check_array(op, "bias", bias, 1, "(N,)", FLOAT_DTYPES)
        if bias.shape[0] != N:
            raise ValueError(f"{op}: bias must have shape {shape_str((N,))}, got {shape_str(bias.shape)}")
        bias = array_module(bias).ascontiguousarray(bias)
    activation = check_activation(op, activation)
    if c is None:
        if beta != 0:
            raise ValueError(f"{op}: beta = {beta} needs c, but c is None")
    else:
        check_array(op, "c", c, 2, "(M, N)", FLOAT_DTYPES)
        if c.shape != (M, N):
            raise ValueError(f"{op}: c must have shape {shape_str((M, N))}, got {shape_str(c.shape)}")
        if isinstance(c, np.ndarray) and not c.flags.writeable:
            raise ValueError(f"{op}: c must be writable, got a read-only array with shape {shape_str(c.shape)}")
        if c.strides[1] != c.itemsize or c.strides[0] < N * c.itemsize:
            raise ValueError(f"{op}: c must have unit column stride and non-overlapping rows, got "
                             f"strides {c.strides} for shape {shape_str(c.shape)}")
        # c is written while a and b are read: never let them alias.
        xp = array_module(c)
        if array_module(a) is xp and xp.may_share_memory(c, a):  # (arrays of two devices
            a = a.copy()                                          # never alias)
        if array_module(b) is xp and xp.may_share_memory(c, b):
            b = b.copy()
    same_dtype(op, a=a, b=b, c=c, bias=bias)
    return fn(a, b, c, num(op, "alpha", alpha), num(op, "beta", beta), bool(trans_a), bool(trans_b),
                                  bias, activation)


def matmul(a, b):
    """``np.matmul(a, b)`` for ``a`` and ``b`` of rank >= 2: (..., M, K) @ (..., K, N) with the
    batch dimensions broadcast as NumPy does. A 2-D ``b`` folds a's batch into the rows of one GEMM;
    otherwise one batched GEMM (``gemm_batched``) reads both operands through their strides, so
    transposed views (``swapaxes``, the attention layers' per-head transposes) cost no copy."""
    op = "matmul"
    if type(a) is np.ndarray and type(b) is np.ndarray:
        two_d = a.ndim == 2 and b.ndim == 2
        fn = _lookup("gemm" if two_d else "gemm_batched")
        if getattr(fn, "__module__", None) == NATIVE_MODULE:  # is_native, inline: every call
            try:  # Note [native fast path]; a refusal is reported below under matmul's name
                return fn(a, b, None, 1.0, 0.0, False, False, None, None) if two_d else fn(a, b)
            except (TypeError, ValueError):
                pass
    check_array(op, "a", a, None, "", FLOAT_DTYPES)
    check_array(op, "b", b, None, "", FLOAT_DTYPES)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(f"{op}: a and b must be at least 2-D, got shapes {shape_str(a.shape)} and "
                         f"{shape_str(b.shape)}")
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"{op}: inner dimensions differ: a {shape_str(a.shape)}, b {shape_str(b.shape)}")
    same_dtype(op, a=a, b=b)
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: batch dimensions do not broadcast: a {shape_str(a.shape)}, "
                         f"b {shape_str(b.shape)}") from None
    if b.ndim == 2:
        if a.ndim == 2:
            return gemm(a, b)
        return gemm(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
    return backend.lookup("gemm_batched")(a, b)
