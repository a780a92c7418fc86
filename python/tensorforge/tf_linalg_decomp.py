"""TensorFlow 2's ``tf.linalg`` factorizations and the solvers built on them: cholesky,
cholesky_solve, triangular_solve, qr, svd, eigh / eigvalsh, eig / eigvals, lstsq, pinv, lu /
lu_solve / lu_reconstruct / lu_matrix_inverse, matrix_rank, expm, sqrtm, logm, tensor_diag /
tensor_diag_part, tridiagonal_solve / tridiagonal_matmul, banded_triangular_solve.

Each factorization is one ``Function`` computing in float64 on the host (NumPy's LAPACK) and
returning the input's float dtype. Gradients are TensorFlow's formulas (linalg_grad.py): the
Cholesky one (symmetrized), QR's for m >= n or full_matrices=False, SVD's (well-separated
singular values), eigh's, the triangular solve's (restricted to the triangle), lstsq's through
the normal equations (fast=True), pinv's closed form (Golub and Pereyra), expm's by the block
matrix [[A^T, G], [0, A^T]], sqrtm's by a Sylvester equation; the solvers made of these
(cholesky_solve, lu_solve, tridiagonal_matmul, banded_triangular_solve) are compositions.
eig / eigvals / logm of a complex result give complex64 / complex128 Tensors without a gradient;
lu has no gradient, as in TensorFlow. Batches: any leading axes.
"""
import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .tf_debugging import InvalidArgumentError
from .tf_linalg import band_part, diag, diag_part, matrix_transpose
from .ops.basic import unbroadcast as _unbroadcast

__all__ = ["cholesky", "cholesky_solve", "triangular_solve", "qr", "svd", "eigh", "eigvalsh",
           "eig", "eigvals", "lstsq", "pinv", "lu", "lu_solve", "lu_reconstruct",
           "lu_matrix_inverse", "matrix_rank", "expm", "sqrtm", "logm", "tensor_diag",
           "tensor_diag_part", "tridiagonal_solve", "tridiagonal_matmul",
           "banded_triangular_solve", "eigh_tridiagonal"]


def _T(a):
    return np.swapaxes(a, -1, -2)


def _f(op, x, name="input"):
    t = _tensor(f"tf.linalg.{op}", name, x)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.linalg.{op}: {name} must be float32 or float64, got {t.dtype}")
    return t


def _matrices(op, x, name="input", square=False):
    t = _f(op, x, name)
    if t.ndim < 2 or (square and t.shape[-1] != t.shape[-2]):
        kind = "square matrices (..., n, n)" if square else "matrices (..., m, n)"
        raise ValueError(f"tf.linalg.{op}: {name} must be {kind}, got shape {tuple(t.shape)}")
    return t


def _h64(a):
    return np.asarray(host(a), np.float64)


def _tril(a, k=0):
    return np.tril(a, k) if a.ndim == 2 else a * np.tri(a.shape[-2], a.shape[-1], k, bool)


def _triu(a, k=0):
    return np.triu(a, k) if a.ndim == 2 else a * ~np.tri(a.shape[-2], a.shape[-1], k - 1, bool)



# ---- Cholesky and triangular solves -------------------------------------------------------------
class _Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        a64 = _h64(a)
        try:
            low = np.linalg.cholesky(_tril(a64) + _T(_tril(a64, -1)))  # reads the lower triangle
        except np.linalg.LinAlgError:
            raise InvalidArgumentError(
                f"tf.linalg.cholesky: Cholesky decomposition was not successful: input of "
                f"shape {a.shape} is not symmetric positive definite") from None
        ctx.save_for_backward(low)
        return low.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (low,) = ctx.saved
        n = low.shape[-1]
        linv = np.linalg.solve(low, np.broadcast_to(np.eye(n), low.shape))
        mid = _T(low) @ _h64(g)
        mid = _tril(mid) - 0.5 * mid * np.eye(n)
        ga = _T(linv) @ mid @ linv
        return (0.5 * (ga + _T(ga))).astype(g.dtype),


def cholesky(input, name=None):  # noqa: A002
    """The lower Cholesky factor L (A = L L^T) of the symmetric positive definite A (only its
    lower triangle is read); InvalidArgumentError where A is not positive definite."""
    return _Cholesky.apply(_matrices("cholesky", input, square=True))


def _tri_solve(a, b, lower, adjoint):
    m = _tril(a) if lower else _triu(a)
    if adjoint:
        m = _T(m)
    return np.linalg.solve(m, b)


class _TriangularSolve(Function):
    @staticmethod
    def forward(ctx, a, b, lower, adjoint):
        a64, b64 = _h64(a), _h64(b)
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a64 = np.broadcast_to(a64, shape + a.shape[-2:])
        b64 = np.broadcast_to(b64, shape + b.shape[-2:])
        c = _tri_solve(a64, b64, lower, adjoint)
        ctx.save_for_backward(a64, c)
        ctx.info = (lower, adjoint, a.shape, b.shape)
        return c.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, c = ctx.saved
        lower, adjoint, ashape, bshape = ctx.info
        gb = _tri_solve(a, _h64(g), lower, not adjoint)
        ga = -(c @ _T(gb)) if adjoint else -(gb @ _T(c))
        ga = _tril(ga) if lower else _triu(ga)
        return (_unbroadcast(ga, ashape).astype(g.dtype), _unbroadcast(gb, bshape).astype(g.dtype),
                None, None)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """x with op(A) x = rhs, A the lower (upper) triangle of ``matrix``, op the transpose where
    ``adjoint``; batch axes broadcast. Differentiable in both (the matrix gradient stays in
    the triangle)."""
    a = _matrices("triangular_solve", matrix, "matrix", square=True)
    b = _matrices("triangular_solve", rhs, "rhs")
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"tf.linalg.triangular_solve: rhs {tuple(b.shape)} does not fit matrix "
                         f"{tuple(a.shape)} (rhs must be (..., {a.shape[-1]}, k))")
    return _TriangularSolve.apply(a, b, bool(lower), bool(adjoint))


def cholesky_solve(chol, rhs, name=None):
    """x with (L L^T) x = rhs, ``chol`` = L from tf.linalg.cholesky: two triangular solves."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# ---- QR -----------------------------------------------------------------------------------------
def _rsolve(x, r):
    """x @ inv(r)^T for upper triangular r (TensorFlow's _TriangularSolve in QrGrad)."""
    return _T(np.linalg.solve(_triu(r), _T(x)))


def _qr_grad_deep(q, r, dq, dr):
    qdq = _T(q) @ dq
    rdr = r @ _T(dr)
    tril = _tril(qdq - _T(qdq) + rdr - _T(rdr))
    return q @ (dr + _rsolve(tril, r)) + _rsolve(dq - q @ qdq, r)


class _Qr(Function):
    @staticmethod
    def forward(ctx, a, full):
        a64 = _h64(a)
        q, r = np.linalg.qr(a64, mode="complete" if full else "reduced")
        ctx.save_for_backward(a64, q, r)
        ctx.full, ctx.dtype = full, a.dtype
        return q.astype(a.dtype), r.astype(a.dtype)

    @staticmethod
    def backward(ctx, dq, dr):
        a, q, r = ctx.saved
        m, n = a.shape[-2:]
        if m > n and ctx.full:
            raise NotImplementedError(
                f"tf.linalg.qr: no gradient where nrows > ncols and full_matrices=True (input "
                f"{a.shape}), as in TensorFlow")
        dq, dr = _h64(dq), _h64(dr)
        if m >= n:
            return _qr_grad_deep(q, r, dq, dr).astype(ctx.dtype), None
        y, u = a[..., :, m:], r[..., :, :m]
        dv, du = dr[..., :, m:], dr[..., :, :m]
        dx = _qr_grad_deep(q, u, dq + y @ _T(dv), du)
        return np.concatenate([dx, q @ dv], -1).astype(ctx.dtype), None


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """(q, r) with input = q r (Householder, LAPACK's signs as TensorFlow's)."""
    return _Qr.apply(_matrices("qr", input), bool(full_matrices))


# ---- SVD and symmetric eigendecomposition -------------------------------------------------------
def _safe_recip(x, eps=1e-20):
    """TensorFlow's Lorentz-broadened 1 / x (no NaN for equal singular values / eigenvalues)."""
    return x / (x * x + eps)


def _diag_mat(v):
    return v[..., :, None] * np.eye(v.shape[-1])


def _svd_grad(s, u, v, gs, gu, gv, full):
    m, n = u.shape[-2], v.shape[-2]
    adjoint = m > n
    if adjoint:
        m, n, u, v, gu, gv = n, m, v, u, gv, gu
    if full and abs(m - n) > 1:
        raise NotImplementedError(f"tf.linalg.svd: no gradient for full_matrices=True and "
                                  f"|m - n| = {abs(m - n)} > 1, as in TensorFlow")
    s2 = s * s
    f = _safe_recip(s2[..., None, :] - s2[..., :, None]) * (1 - np.eye(s.shape[-1]))
    s_mat = _diag_mat(s)
    v1, gv1 = v[..., :, :m], gv[..., :, :m]
    f_u = f * (_T(u) @ gu)
    f_v = f * (_T(v1) @ gv1)
    inner = _diag_mat(gs) + (f_u + _T(f_u)) @ s_mat + s_mat @ (f_v + _T(f_v))
    ga = u @ inner @ _T(v1)
    if m != n:
        gv1t = _T(gv1)
        nous = gv1t - (gv1t @ v1) @ _T(v1)
        if full:
            nous = nous - (_T(v1) @ gv[..., :, m:n]) @ _T(v[..., :, m:n])
        ga = ga + u @ _diag_mat(_safe_recip(s)) @ nous
    return _T(ga) if adjoint else ga


class _Svd(Function):
    @staticmethod
    def forward(ctx, a, full, compute_uv):
        u, s, vh = np.linalg.svd(_h64(a), full_matrices=full)
        ctx.save_for_backward(s, u, _T(vh))
        ctx.info = (full, compute_uv, a.dtype)
        if not compute_uv:
            return s.astype(a.dtype)
        return s.astype(a.dtype), u.astype(a.dtype), _T(vh).astype(a.dtype)

    @staticmethod
    def backward(ctx, gs, gu=None, gv=None):
        s, u, v = ctx.saved
        full, compute_uv, dt = ctx.info
        gs = _h64(gs)
        if not compute_uv:
            k = s.shape[-1]
            return (u[..., :, :k] @ _diag_mat(gs) @ _T(v[..., :, :k])).astype(dt), None, None
        return _svd_grad(s, u, v, gs, _h64(gu), _h64(gv), full).astype(dt), None, None


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """TensorFlow's order: (s, u, v) with tensor = u diag(s) v^T (v, not v^T), s descending;
    s alone where ``compute_uv`` is False. Differentiable (TensorFlow's formula: singular
    vectors need distinct singular values)."""
    return _Svd.apply(_matrices("svd", tensor), bool(full_matrices), bool(compute_uv))


class _Eigh(Function):
    @staticmethod
    def forward(ctx, a, compute_v):
        e, v = np.linalg.eigh(_h64(a))  # the lower triangle, as TensorFlow
        ctx.save_for_backward(e, v)
        ctx.info = (compute_v, a.dtype)
        return (e.astype(a.dtype), v.astype(a.dtype)) if compute_v else e.astype(a.dtype)

    @staticmethod
    def backward(ctx, ge, gv=None):
        e, v = ctx.saved
        compute_v, dt = ctx.info
        inner = _diag_mat(_h64(ge))
        if compute_v:
            f = _safe_recip(e[..., None, :] - e[..., :, None]) * (1 - np.eye(e.shape[-1]))
            inner = inner + f * (_T(v) @ _h64(gv))
        ga = v @ inner @ _T(v)
        ga = _tril(ga + _T(ga))
        ga = ga - 0.5 * ga * np.eye(e.shape[-1])
        return ga.astype(dt), None


def eigh(tensor, name=None):
    """(eigenvalues ascending, eigenvectors in columns) of the symmetric ``tensor`` (its lower
    triangle). Differentiable (distinct eigenvalues)."""
    return _Eigh.apply(_matrices("eigh", tensor, "tensor", square=True), True)


def eigvalsh(tensor, name=None):
    return _Eigh.apply(_matrices("eigvalsh", tensor, "tensor", square=True), False)


def _complex_of(dt):
    return np.complex64 if np.dtype(dt).itemsize <= 4 else np.complex128


def eig(tensor, name=None):
    """(eigenvalues, eigenvectors) of a general matrix: complex64 (complex128 for float64)
    Tensors, in LAPACK's order, without a gradient (complex gradients are not supported)."""
    t = _tensor("tf.linalg.eig", "tensor", tensor)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"tf.linalg.eig: tensor must be square matrices, got {tuple(t.shape)}")
    w, v = np.linalg.eig(np.asarray(host(t.data)).astype(np.complex128 if t.dtype.kind == "c"
                                                          else np.float64))
    ct = t.dtype if t.dtype.kind == "c" else _complex_of(t.dtype)
    return Tensor(w.astype(ct)), Tensor(v.astype(ct))


def eigvals(tensor, name=None):
    return eig(tensor)[0]


# ---- least squares, pseudo-inverse, rank --------------------------------------------------------
class _Lstsq(Function):
    """x = (A^T A + l I)^-1 A^T b (m >= n) or A^T (A A^T + l I)^-1 b (m < n): TensorFlow's fast
    path, with its gradients."""
    @staticmethod
    def forward(ctx, a, b, l2):
        a64, b64 = _h64(a), _h64(b)
        m, n = a.shape[-2:]
        if m >= n:
            gram = _T(a64) @ a64 + l2 * np.eye(n)
            x = np.linalg.solve(gram, _T(a64) @ b64)
        else:
            gram = a64 @ _T(a64) + l2 * np.eye(m)
            x = _T(a64) @ np.linalg.solve(gram, b64)
        ctx.save_for_backward(a64, b64, x, gram)
        ctx.dtype = a.dtype
        return x.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, b, x, gram = ctx.saved
        g = _h64(g)
        if a.shape[-2] >= a.shape[-1]:
            z = np.linalg.solve(gram, g)
            xzt = x @ _T(z)
            ga = -(a @ (xzt + _T(xzt))) + b @ _T(z)
            gb = a @ z
        else:
            gb = np.linalg.solve(gram, a @ g)
            tmp = np.linalg.solve(gram, b)
            ga = -(gb @ (_T(tmp) @ a)) + tmp @ _T(g - _T(a) @ gb)
        return ga.astype(ctx.dtype), gb.astype(ctx.dtype), None


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution of matrix x = rhs (minimum norm where underdetermined), with
    an optional ridge ``l2_regularizer``. fast=True: the normal equations, differentiable;
    fast=False: an SVD-based solve without a gradient (as TensorFlow)."""
    a = _matrices("lstsq", matrix, "matrix")
    b = _matrices("lstsq", rhs, "rhs")
    if b.shape[-2] != a.shape[-2] or b.shape[:-2] != a.shape[:-2]:
        raise ValueError(f"tf.linalg.lstsq: rhs {tuple(b.shape)} does not fit matrix "
                         f"{tuple(a.shape)} (rhs must be (..., {a.shape[-2]}, k))")
    l2 = float(np.asarray(host(getattr(l2_regularizer, "data", l2_regularizer))))
    if fast:
        return _Lstsq.apply(a, b, l2)
    if l2 != 0.0:
        raise NotImplementedError("tf.linalg.lstsq: fast=False with l2_regularizer != 0 is not "
                                  "supported, as in TensorFlow")
    a64, b64 = _h64(a.data), _h64(b.data)
    return Tensor((np.linalg.pinv(a64) @ b64).astype(a.dtype))


class _Pinv(Function):
    @staticmethod
    def forward(ctx, a, rcond):
        a64 = _h64(a)
        p = np.linalg.pinv(a64, rcond=rcond)
        ctx.save_for_backward(a64, p)
        ctx.dtype = a.dtype
        return p.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved
        g = _h64(g)
        m, n = a.shape[-2:]
        ga = (-(_T(p) @ g @ _T(p)) + (np.eye(m) - a @ p) @ _T(g) @ p @ _T(p)
              + _T(p) @ p @ _T(g) @ (np.eye(n) - p @ a))
        return ga.astype(ctx.dtype), None


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse; singular values below rcond * max(s) count as zero
    (rcond defaults to 10 * max(m, n) * eps, TensorFlow's). Differentiable (constant rank)."""
    t = _matrices("pinv", a, "a")
    if rcond is None:
        rcond = 10.0 * max(t.shape[-2:]) * np.finfo(t.dtype).eps
    return _Pinv.apply(t, float(rcond))


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above ``tol`` (default eps * max(m, n) * max(s)), int32."""
    t = _matrices("matrix_rank", a, "a")
    s = np.linalg.svd(np.asarray(host(t.data)), compute_uv=False)
    if tol is None:
        tol = np.finfo(t.dtype).eps * max(t.shape[-2:]) * s.max(-1, initial=0, keepdims=True)
    return Tensor(np.sum(s > tol, axis=-1).astype(np.int32))


# ---- LU -----------------------------------------------------------------------------------------
def _lu_factor(a):
    """Partial pivoting (LAPACK getrf's choice of pivots): (packed L\\U, perm) with
    a[perm] = L U, over a batch (b, n, n)."""
    a = a.copy()
    b, n = a.shape[0], a.shape[-1]
    perm = np.tile(np.arange(n), (b, 1))
    rows = np.arange(b)
    for k in range(n):
        p = np.argmax(np.abs(a[:, k:, k]), axis=1) + k
        a[rows, k], a[rows, p] = a[rows, p], a[rows, k].copy()
        perm[rows, k], perm[rows, p] = perm[rows, p], perm[rows, k].copy()
        piv = a[:, k, k]
        safe = np.where(piv == 0, 1.0, piv)
        a[:, k + 1:, k] = np.where((piv == 0)[:, None], 0.0, a[:, k + 1:, k] / safe[:, None])
        a[:, k + 1:, k + 1:] -= a[:, k + 1:, k:k + 1] * a[:, k:k + 1, k + 1:]
    return a, perm


def lu(input, output_idx_type=np.int32, name=None):  # noqa: A002
    """(lower_upper, perm): L (unit diagonal, below) and U packed in one matrix, and the row
    permutation with input[perm] = L U. No gradient (as TensorFlow)."""
    t = _matrices("lu", input, square=True)
    a = _h64(t.data)
    packed, perm = _lu_factor(a.reshape((-1,) + a.shape[-2:]))
    return (Tensor(packed.reshape(a.shape).astype(t.dtype)),
            Tensor(perm.reshape(a.shape[:-1]).astype(np.dtype(getattr(output_idx_type, "name",
                                                                      output_idx_type)))))


def _lu_parts(op, lower_upper):
    t = _matrices(op, lower_upper, "lower_upper", square=True)
    n = t.shape[-1]
    eye = Tensor(np.eye(n, dtype=t.dtype))
    return t, band_part(t, -1, 0) * (1 - eye) + eye, band_part(t, 0, -1)


def _perm_rows(op, x, perm, inverse=False):
    p = np.asarray(host(getattr(perm, "data", perm))).astype(np.int64)
    if p.shape != tuple(x.shape[:-1]):
        raise ValueError(f"tf.linalg.{op}: perm {p.shape} does not fit lower_upper "
                         f"{tuple(x.shape)} (perm must be {tuple(x.shape[:-1])})")
    if inverse:
        p = np.argsort(p, axis=-1)
    grids = tuple(np.arange(d).reshape((d,) + (1,) * (p.ndim - 1 - i))
                  for i, d in enumerate(p.shape[:-1]))
    return grids, p


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """x with A x = rhs, A given by tf.linalg.lu's (lower_upper, perm). Differentiable in
    lower_upper and rhs (triangular solves)."""
    t, low, up = _lu_parts("lu_solve", lower_upper)
    b = _matrices("lu_solve", rhs, "rhs")
    if b.shape[-2] != t.shape[-1]:
        raise ValueError(f"tf.linalg.lu_solve: rhs {tuple(b.shape)} does not fit lower_upper "
                         f"{tuple(t.shape)}")
    grids, p = _perm_rows("lu_solve", t, perm)
    if grids and b.shape[:-2] != t.shape[:-2]:
        b = b + K.zeros(t.shape[:-2] + b.shape[-2:], dtype=b.dtype.name)
    pb = b[grids + (p,)] if grids else K.gather(b, p) if b.ndim == 2 else b[..., p, :]
    y = triangular_solve(low, pb, lower=True)
    return triangular_solve(up, y, lower=False)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrix A = P^T L U factored by tf.linalg.lu (differentiable in lower_upper)."""
    t, low, up = _lu_parts("lu_reconstruct", lower_upper)
    x = low @ up
    grids, p = _perm_rows("lu_reconstruct", t, perm, inverse=True)
    return x[grids + (p,)] if grids else K.gather(x, p)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """A^-1 from tf.linalg.lu's factors."""
    t = _matrices("lu_matrix_inverse", lower_upper, "lower_upper", square=True)
    eye = np.broadcast_to(np.eye(t.shape[-1], dtype=t.dtype), t.shape)
    return lu_solve(t, perm, Tensor(np.ascontiguousarray(eye)))


# ---- matrix functions ---------------------------------------------------------------------------
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)


def _expm_one(a):
    """Scaling and squaring with the [13/13] Pade approximant (Higham 2005), float64."""
    n = a.shape[-1]
    norm = np.abs(a).sum(0).max() if a.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm / 5.371920351148152)))) if norm > 0 else 0
    a = a / 2.0 ** s
    b, eye = _PADE13, np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


def _batched(fn, a):
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.stack([fn(m) for m in flat]).reshape(a.shape) if flat.shape[0] else a.copy()


class _Expm(Function):
    @staticmethod
    def forward(ctx, a):
        a64 = _h64(a)
        ctx.save_for_backward(a64)
        return _batched(_expm_one, a64).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        n = a.shape[-1]
        big = np.zeros(a.shape[:-2] + (2 * n, 2 * n))
        big[..., :n, :n] = big[..., n:, n:] = _T(a)
        big[..., :n, n:] = _h64(g)
        return _batched(_expm_one, big)[..., :n, n:].astype(g.dtype),


def expm(input, name=None):  # noqa: A002
    """The matrix exponential (scaling and squaring with a Pade approximant, as TensorFlow).
    Differentiable (the Frechet derivative by a 2n x 2n block exponential)."""
    return _Expm.apply(_matrices("expm", input, square=True))


def _sqrtm_one(a):
    """Denman-Beavers iteration (A without eigenvalues on the closed negative real axis)."""
    y, z = a, np.eye(a.shape[-1])
    for _ in range(100):
        y_next = 0.5 * (y + np.linalg.inv(z))
        z = 0.5 * (z + np.linalg.inv(y))
        done = np.abs(y_next - y).max() <= 1e-15 * max(np.abs(y_next).max(), 1e-300)
        y = y_next
        if done:
            break
    return y


class _Sqrtm(Function):
    @staticmethod
    def forward(ctx, a):
        s = _batched(_sqrtm_one, _h64(a))
        ctx.save_for_backward(s)
        return s.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        n = s.shape[-1]
        g64 = _h64(g)
        flat_s, flat_g = s.reshape(-1, n, n), g64.reshape(-1, n, n)
        out = [np.linalg.solve(np.kron(m.T, np.eye(n)) + np.kron(np.eye(n), m),
                               gm.ravel()).reshape(n, n) for m, gm in zip(flat_s, flat_g)]
        return np.asarray(out).reshape(s.shape).astype(g.dtype),


def sqrtm(input, name=None):  # noqa: A002
    """The principal square root of matrices without eigenvalues on the closed negative real
    axis. Differentiable (S^T X + X S^T = G)."""
    return _Sqrtm.apply(_matrices("sqrtm", input, square=True))


def logm(input, name=None):  # noqa: A002
    """The principal matrix logarithm of a diagonalizable matrix (V diag(log w) V^-1). TensorFlow
    takes complex inputs only; here a complex input gives a complex result and a real one a real
    result where the logarithm is real (otherwise ValueError). No gradient."""
    t = _tensor("tf.linalg.logm", "input", input)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"tf.linalg.logm: input must be square matrices, got {tuple(t.shape)}")
    a = np.asarray(host(t.data)).astype(np.complex128)
    w, v = np.linalg.eig(a)
    out = v @ (np.log(w)[..., :, None] * np.linalg.inv(v))
    if t.dtype.kind == "c":
        return Tensor(out.astype(t.dtype))
    if np.abs(out.imag).max(initial=0) > 1e-6 * max(np.abs(out.real).max(initial=0), 1.0):
        raise ValueError("tf.linalg.logm: the logarithm of this real input is complex (a "
                         "negative eigenvalue); pass a complex input")
    return Tensor(out.real.astype(t.dtype if t.dtype.kind == "f" else np.float32))


# ---- tensor diagonals, tridiagonal and banded systems -------------------------------------------
def tensor_diag(diagonal, name=None):
    """out[i1..ik, i1..ik] = diagonal[i1..ik], of shape diagonal.shape * 2."""
    d = _tensor("tf.linalg.tensor_diag", "diagonal", diagonal)
    flat = K.reshape(d, (-1,))
    return K.reshape(diag(flat), tuple(d.shape) * 2)


def tensor_diag_part(input, name=None):  # noqa: A002
    t = _tensor("tf.linalg.tensor_diag_part", "input", input)
    k = t.ndim // 2
    if t.ndim % 2 or tuple(t.shape[:k]) != tuple(t.shape[k:]):
        raise ValueError(f"tf.linalg.tensor_diag_part: input must have shape s + s, got "
                         f"{tuple(t.shape)}")
    n = int(np.prod(t.shape[:k], dtype=np.int64))
    return K.reshape(diag_part(K.reshape(t, (n, n))), tuple(t.shape[:k]))


def _dense_from_flat(flat, index, m):
    """A (..., m, m) matrix whose entry (i, j) is flat[..., index[i, j]] (index len: a zero)."""
    zero = K.zeros(tuple(flat.shape[:-1]) + (1,), dtype=flat.dtype.name)
    full = K.concatenate([flat, zero], axis=-1)
    nd = full.ndim
    lead = K.permute_dimensions(full, (nd - 1,) + tuple(range(nd - 1))) if nd > 1 else full
    g = K.reshape(K.gather(lead, index.reshape(-1)), (m, m) + tuple(flat.shape[:-1]))
    return K.permute_dimensions(g, tuple(range(2, nd + 1)) + (0, 1)) if nd > 1 else g


def _tridiagonal_dense(op, diagonals, diagonals_format):
    if diagonals_format == "matrix":
        return _matrices(op, diagonals, "diagonals", square=True)
    if diagonals_format == "sequence":
        parts = [_f(op, d, "diagonals") for d in diagonals]
        if len(parts) != 3 or len({p.shape for p in parts}) != 1:
            raise ValueError(f"tf.linalg.{op}: diagonals must be 3 tensors of one shape "
                             f"(..., M) in the 'sequence' format")
        d = K.stack(parts, axis=-2)
    elif diagonals_format == "compact":
        d = _f(op, diagonals, "diagonals")
        if d.ndim < 2 or d.shape[-2] != 3:
            raise ValueError(f"tf.linalg.{op}: diagonals must be (..., 3, M) in the 'compact' "
                             f"format, got {tuple(d.shape)}")
    else:
        raise ValueError(f"tf.linalg.{op}: diagonals_format must be 'compact', 'sequence' or "
                         f"'matrix', got {diagonals_format!r}")
    m = d.shape[-1]
    idx = np.full((m, m), 3 * m)
    i = np.arange(m)
    idx[i, i] = m + i
    idx[i[:-1], i[:-1] + 1] = i[:-1]  # superdiagonal: row 0, last entry unused
    idx[i[1:], i[1:] - 1] = 2 * m + i[1:]  # subdiagonal: row 2, first entry unused
    return _dense_from_flat(K.reshape(d, tuple(d.shape[:-2]) + (3 * m,)), idx, m)


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False):
    """x with A x = rhs for the tridiagonal A given as (..., 3, M) [superdiagonal, diagonal,
    subdiagonal] ('compact'), three (..., M) tensors ('sequence') or (..., M, M) ('matrix');
    rhs (..., M) or (..., M, K) ((..., K, M) where ``transpose_rhs``). Differentiable."""
    from .tf_linalg import solve
    a = _tridiagonal_dense("tridiagonal_solve", diagonals, diagonals_format)
    b = _f("tridiagonal_solve", rhs, "rhs")
    vector = b.ndim == a.ndim - 1
    if vector:
        b = K.expand_dims(b, -1)
    elif transpose_rhs:
        b = matrix_transpose(b)
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"tf.linalg.tridiagonal_solve: rhs {tuple(b.shape)} does not fit "
                         f"the {a.shape[-1]} x {a.shape[-1]} system")
    x = solve(a, b)
    return K.squeeze(x, -1) if vector else x


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """A @ rhs for the tridiagonal A (formats as tridiagonal_solve), rhs (..., M, N)."""
    a = _tridiagonal_dense("tridiagonal_matmul", diagonals, diagonals_format)
    b = _f("tridiagonal_matmul", rhs, "rhs")
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"tf.linalg.tridiagonal_matmul: rhs {tuple(b.shape)} must be "
                         f"(..., {a.shape[-1]}, N)")
    return a @ b


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None):
    """x with op(A) x = rhs, A triangular with K bands stored as (..., K, M) in LEFT_RIGHT
    alignment: lower -- bands[k, j] = A[j, j - k] (row 0 the diagonal, rows aligned right);
    upper -- bands[k, i] = A[i, i + K-1-k] (row K-1 the diagonal, rows aligned left).
    Differentiable."""
    t = _f("banded_triangular_solve", bands, "bands")
    if t.ndim < 2 or t.shape[-2] > t.shape[-1]:
        raise ValueError(f"tf.linalg.banded_triangular_solve: bands must be (..., K, M) with "
                         f"K <= M, got {tuple(t.shape)}")
    kb, m = t.shape[-2:]
    idx = np.full((m, m), kb * m)
    for k in range(kb):
        if lower:  # diagonal -k: the k-th row, aligned right
            j = np.arange(k, m)
            idx[j, j - k] = k * m + j
        else:  # diagonal +d, d = kb-1-k: the k-th row, aligned left
            d = kb - 1 - k
            i = np.arange(m - d)
            idx[i, i + d] = k * m + i
    a = _dense_from_flat(K.reshape(t, tuple(t.shape[:-2]) + (kb * m,)), idx, m)
    return triangular_solve(a, rhs, lower=lower, adjoint=adjoint)


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None,
                     name=None):
    """The eigenvalues (ascending) -- and with eigvals_only=False the eigenvectors in columns --
    of the real symmetric tridiagonal matrix with diagonal ``alpha`` (n,) and off-diagonal
    ``beta`` (n - 1,); select 'a' (all), 'v' (values in (lo, hi]) or 'i' (indices lo..hi).
    No gradient."""
    a = _f("eigh_tridiagonal", alpha, "alpha")
    b = _f("eigh_tridiagonal", beta, "beta")
    if a.ndim != 1 or b.ndim != 1 or b.shape[0] != max(a.shape[0] - 1, 0):
        raise ValueError(f"tf.linalg.eigh_tridiagonal: alpha must be (n,) and beta (n - 1,), got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if select not in ("a", "v", "i"):
        raise ValueError(f"tf.linalg.eigh_tridiagonal: select must be 'a', 'v' or 'i', got "
                         f"{select!r}")
    d, e = _h64(a.data), _h64(b.data)
    m = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
    w, v = np.linalg.eigh(m)
    if select != "a":
        if select_range is None or len(select_range) != 2:
            raise ValueError("tf.linalg.eigh_tridiagonal: select_range must be a pair (lo, hi) "
                             f"for select={select!r}")
        lo, hi = select_range
        keep = (w > lo) & (w <= hi) if select == "v" else \
            (np.arange(w.size) >= int(lo)) & (np.arange(w.size) <= int(hi))
        w, v = w[keep], v[:, keep]
    if eigvals_only:
        return Tensor(w.astype(a.dtype))
    return Tensor(w.astype(a.dtype)), Tensor(v.astype(a.dtype))
