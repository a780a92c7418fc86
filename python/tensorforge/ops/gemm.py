"""Public GEMM ops: arrays in -> array out; Tensors in -> Tensor out, recorded for autograd."""
import numpy as np

from .. import _dispatch as backend, kernels
from ..autograd import Function, Tensor, _grad_state, _wrap
from ..interop import convert, reads_foreign
from ..kernels._common import NATIVE_MODULE, into_output
from .basic import unbroadcast  # noqa: F401
from .basic import matmul as _matmul_t

__all__ = ["matmul", "gemm"]

_current_fn = backend._current.get  # lookup's fast path, a dict get (backend only clears it)
_ndarray = np.ndarray  # the fast paths' type tests: one global lookup, not np's attribute too
_native_gemm = object()  # the dispatch table's gemm once found to be the native binding


def _is_native_gemm(fn):
    """fn (the dispatch table's gemm) is the native binding, whose call checks its arguments
    (Note [native fast path]); remembered, so the next calls are one identity test (0.08 us less
    per small ops.gemm call than this getattr and compare: RESULTS, gemm7)."""
    global _native_gemm
    if getattr(fn, "__module__", None) == NATIVE_MODULE:
        _native_gemm = fn
        return True
    return False


def _any_tensor(*xs):
    return any(isinstance(x, Tensor) for x in xs)


@reads_foreign
def matmul(a, b):
    """``a @ b`` on our GEMM: np.matmul for rank >= 2, batch dimensions broadcast (kernels.matmul:
    one GEMM for (..., M, K) @ (K, N), one batched GEMM otherwise)."""
    ta, tb = type(a), type(b)
    if ta is _ndarray and tb is _ndarray:  # the array call, in two type tests
        ad, bd, tensor = a, b, False
    elif (ta is Tensor or ta is np.ndarray) and (tb is Tensor or tb is np.ndarray) and (
            not (ta is Tensor and a.requires_grad or tb is Tensor and b.requires_grad)
            or not _grad_state.enabled):  # nothing records: Note [op fast path]
        ad, bd, tensor = a.data if ta is Tensor else a, b.data if tb is Tensor else b, True
    else:  # recording, a symbolic tensor, another library's arrays (read here: reads_foreign)
        a, b = convert(a), convert(b)
        return _matmul_t(a, b) if _any_tensor(a, b) else kernels.matmul(a, b)
    if ad.ndim == 2 and bd.ndim == 2:
        # kernels.matmul's native call, inlined (its frame and lookup's are half of a small
        # product's overhead): the binding checks everything (Note [native fast path]); a
        # refusal goes on to kernels.matmul, which reports it under matmul's name
        fn = _current_fn("gemm")
        if fn is _native_gemm or _is_native_gemm(fn):
            try:
                out = fn(ad, bd, None, 1.0, 0.0, False, False, None, None)
                return _wrap(out) if tensor else out
            except (TypeError, ValueError):
                pass
    out = kernels.matmul(ad, bd)
    return _wrap(out) if tensor else out


class _Gemm(Function):
    @staticmethod
    def forward(ctx, a, b, bias, alpha, trans_a, trans_b, activation):
        out = kernels.gemm(a, b, alpha=alpha, trans_a=trans_a, trans_b=trans_b, bias=bias,
                           activation=activation)
        ctx.save_for_backward(a, b, out if activation == "relu" else None)
        ctx.meta = (alpha, trans_a, trans_b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved
        alpha, trans_a, trans_b = ctx.meta
        if out is not None:  # the fused relu's backward: one native pass (y > 0 iff x > 0)
            g = (kernels.act_backward(g, out, out, "relu", 0.0) if g.dtype == np.float32 and
                 out.dtype == np.float32 else g * (out > 0))
        ga = gb = gbias = None
        # a parameter's gradient bucket, when one is armed (See Note [gradient outputs])
        oa, ob, obias = ctx.grad_out[:3] if ctx.grad_out is not None else (None, None, None)
        # C = alpha * op(A) op(B): dop(A) = alpha g op(B)^T, dop(B) = alpha op(A)^T g
        # with trans_a, dA = dop(A)^T = alpha op(B) g^T; with trans_b, dB = alpha g^T op(A)
        if ctx.needs_input_grad[0]:
            ga = (kernels.gemm(b, g, c=oa, alpha=alpha, trans_a=trans_b, trans_b=True)
                  if trans_a else kernels.gemm(g, b, c=oa, alpha=alpha, trans_b=not trans_b))
        if ctx.needs_input_grad[1]:
            gb = (kernels.gemm(g, a, c=ob, alpha=alpha, trans_a=True, trans_b=trans_a)
                  if trans_b else kernels.gemm(a, g, c=ob, alpha=alpha, trans_a=not trans_a))
        if ctx.needs_input_grad[2]:
            gbias = (g.sum(axis=0, out=obias) if obias is None or type(obias) is type(g)
                     else into_output(g.sum(axis=0), obias))  # (a buffer on another device)
        return ga, gb, gbias, None, None, None, None


# Note [dense op]: the Dense layer's step is one node, y = act(x @ w + b) for 2-D x. On the cpu
# backend its backward is one call of the native dense_backward (csrc/bindings/dense.cpp: the
# relu mask, both products and the bias gradient, checked there); where that binding refuses its
# arguments, and on the other backends, the backward makes the unfused calls (kernels.act_backward,
# gemm, the NumPy bias reduction), which convert or explain. Either way the values are _Gemm's
# with alpha 1 and no transposes, bit for bit (the same kernels with the same arguments; the bias
# gradient summed row after row as NumPy's add.reduce over axis 0), so a model trains the same --
# except the native dx of at most 16 rows with 64K+ weights (a data-parallel rank's batch of
# LeNet's Dense), which W's rows in the register tile compute faster with float32 rounding of
# their own (Note [dX of a few rows] in csrc/include/tf/dense.h).
class _Dense(Function):
    @staticmethod
    def forward(ctx, x, w, bias, activation):
        fn = _current_fn("gemm")
        y = None
        if fn is _native_gemm or _is_native_gemm(fn):  # kernels.gemm's native call, inlined
            try:
                y = fn(x, w, None, 1.0, 0.0, False, False, bias, activation)
            except (TypeError, ValueError):
                pass  # kernels.gemm converts what it may, or explains
        if y is None:
            y = kernels.gemm(x, w, bias=bias, activation=activation)
        ctx.saved = (x, w, y if activation == "relu" else None)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, y = ctx.saved
        need = ctx.needs_input_grad
        # a parameter's gradient bucket, when one is armed (See Note [gradient outputs]): both
        # the fused binding and the unfused calls below write there
        out = ctx.grad_out
        ow, ob = out[1:3] if out is not None else (None, None)
        fused = _current_fn("dense_backward") or backend.lookup("dense_backward")
        if getattr(fused, "__module__", None) == NATIVE_MODULE:  # one binding call for the four
            # below (csrc/bindings/dense.cpp)
            try:
                return fused(g, x, w, y, need[0], need[1], need[2], ow, ob) + (None,)
            except (TypeError, ValueError):
                pass
        if y is not None:  # the fused relu's backward: one native pass (y > 0 iff x > 0)
            g = (kernels.act_backward(g, y, y, "relu", 0.0) if g.dtype == np.float32 and
                 y.dtype == np.float32 else g * (y > 0))
        gx = kernels.gemm(g, w, trans_b=True) if need[0] else None
        gw = kernels.gemm(x, g, c=ow, trans_a=True) if need[1] else None
        return gx, gw, g.sum(axis=0, out=ob) if need[2] else None, None


def dense(x, w, bias=None, activation=None):
    """act(x @ w + bias) for a 2-D Tensor or array x (the Dense layer's op, See Note [dense op])."""
    return _Dense.apply(x, w, bias, activation)


@reads_foreign
def gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
         activation=None):
    """C = alpha * op(a) @ op(b) + beta * c (+ bias per column) (relu). See kernels.gemm.

    With Tensors, ``c`` must be None (an in-place update has no gradient); the result is a
    Tensor that records for autograd.
    """
    if type(a) is _ndarray and type(b) is _ndarray and c is None and (
            bias is None or type(bias) is _ndarray):  # the common array call
        fn = _current_fn("gemm")
        if (fn is _native_gemm or _is_native_gemm(fn)) and type(alpha) is float and \
                type(beta) is float:  # kernels.gemm's native call, inlined (as in matmul)
            try:
                return fn(a, b, None, alpha, beta, trans_a, trans_b, bias, activation)
            except (TypeError, ValueError):
                pass  # kernels.gemm converts what it may, or explains
        return kernels.gemm(a, b, alpha=alpha, beta=beta, trans_a=trans_a, trans_b=trans_b,
                            bias=bias, activation=activation)
    if type(a) is Tensor and type(b) is Tensor and c is None and bias is None and (
            not (a.requires_grad or b.requires_grad) or not _grad_state.enabled):
        # nothing records (Note [op fast path]): the array call on the Tensors' data, not
        # _Gemm.apply's context and node (tf.matmul(a, b, transpose_b=True): RESULTS, small7)
        return _wrap(gemm(a.data, b.data, alpha=alpha, beta=beta, trans_a=trans_a,
                          trans_b=trans_b, activation=activation))
    a, b, c, bias = convert(a), convert(b), convert(c), convert(bias)  # (reads_foreign)
    if _any_tensor(a, b, bias, c):
        if c is not None:
            raise ValueError("gemm: c (in-place output) is not supported with Tensor inputs")
        return _Gemm.apply(a, b, bias, alpha, trans_a, trans_b, activation)
    return kernels.gemm(a, b, c=c, alpha=alpha, beta=beta, trans_a=trans_a, trans_b=trans_b,
                        bias=bias, activation=activation)
