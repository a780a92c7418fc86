"""Reference GEMM: C = alpha * op(a) @ op(b) + beta * c (+ bias per column) (relu)."""
from .._xp import array_module

__all__ = ["gemm", "gemm_batched", "dense_backward"]


def gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
         activation=None):
    xp = array_module(a, b)
    A = a.T if trans_a else a
    B = b.T if trans_b else b
    out = A @ B
    if alpha != 1.0:
        out *= out.dtype.type(alpha)
    if beta != 0.0:
        out += out.dtype.type(beta) * c
    if bias is not None:
        out += bias
    if activation == "relu":
        out = xp.where(out > 0, out, xp.where(xp.isnan(out), out, 0)).astype(out.dtype, copy=False)
    if c is not None:
        c[...] = out
        return c
    return out


def gemm_batched(a, b):
    """np.matmul for a and b of rank >= 2: (..., M, K) @ (..., K, N), batch dimensions broadcast."""
    return array_module(a, b).matmul(a, b)


def dense_backward(g, x, w, y, need_dx, need_dw, need_db, dw_out=None, db_out=None):
    """(dx, dw, db) of out = act(x @ w + b) given g = dL/dout: act is relu when y (the forward
    output) is given (g masked where y <= 0 first), none when y is None; None where not needed;
    dw / db written into dw_out / db_out when given."""
    xp = array_module(g)
    if y is not None:
        g = xp.where(y > 0, g, g.dtype.type(0))
    dw = db = None
    if need_dw:
        dw = xp.matmul(x.T, g, out=dw_out) if dw_out is not None else x.T @ g
    if need_db:
        db = g.sum(axis=0, out=db_out)
    return g @ w.T if need_dx else None, dw, db
