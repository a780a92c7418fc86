"""TensorFlow 2's ``tf.linalg.LinearOperator`` and its common subclasses (FullMatrix, Diag,
Identity, ScaledIdentity, LowerTriangular, Composition, Inversion, Adjoint, BlockDiag, Kronecker,
Toeplitz, Tridiag, Zeros, LowRankUpdate), for the programs that build one and call matmul /
solve / log_abs_determinant on it.

Each operator is defined by its dense matrix (``to_dense``, built from differentiable ops), and
the base class answers every method from that matrix with the differentiable tf.linalg ops
(matmul, solve, slogdet, cholesky, eigvalsh, ...), so results and gradients are those of the
dense algebra; Diag, Identity / ScaledIdentity and LowerTriangular answer the cheap methods in
closed form. Real dtypes only (``adjoint`` is the transpose). The hints (is_non_singular,
is_self_adjoint, is_positive_definite, is_square) are stored and reported, as in TensorFlow.
"""
import collections

import numpy as np

from . import backend_ops as K
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_linalg import diag, diag_part, matrix_transpose, slogdet, solve
from .tf_linalg_decomp import (_dense_from_flat, _tridiagonal_dense, cholesky, eigvalsh, svd,
                               triangular_solve)
from ._tensor_shape import TensorShape

__all__ = ["LinearOperator", "LinearOperatorFullMatrix", "LinearOperatorDiag",
           "LinearOperatorIdentity", "LinearOperatorScaledIdentity",
           "LinearOperatorLowerTriangular", "LinearOperatorComposition",
           "LinearOperatorInversion", "LinearOperatorAdjoint", "LinearOperatorBlockDiag",
           "LinearOperatorKronecker", "LinearOperatorToeplitz", "LinearOperatorTridiag",
           "LinearOperatorZeros", "LinearOperatorLowRankUpdate", "conjugate_gradient"]


def _t(name, x):
    t = _tensor(f"tf.linalg.{name}", "x", x)
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


def _mT(x):
    return matrix_transpose(x)


class LinearOperator:
    """The base class: subclasses give ``_dense()``; every method follows from it."""

    def __init__(self, dtype=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        self._dtype = None if dtype is None else np.dtype(getattr(dtype, "name", dtype))
        if is_self_adjoint and is_square is False:
            raise ValueError(f"tf.linalg.{type(self).__name__}: a self-adjoint operator is "
                             "always square (is_square=False given)")
        if is_positive_definite and is_non_singular is False:
            raise ValueError(f"tf.linalg.{type(self).__name__}: a positive definite operator is "
                             "non-singular (is_non_singular=False given)")
        self.is_non_singular = is_non_singular
        self.is_self_adjoint = is_self_adjoint
        self.is_positive_definite = is_positive_definite
        self._is_square = is_square
        self.name = name or type(self).__name__
        self.parameters = dict(parameters or {})

    # ---- shape and dtype
    def to_dense(self, name=None):
        return self._dense()

    @property
    def dtype(self):
        return self._dtype if self._dtype is not None else self.to_dense().dtype

    @property
    def shape(self):
        return TensorShape(self.to_dense().shape)

    @property
    def batch_shape(self):
        return TensorShape(self.shape[:-2])

    @property
    def range_dimension(self):
        return self.shape[-2]

    @property
    def domain_dimension(self):
        return self.shape[-1]

    @property
    def tensor_rank(self):
        return len(self.shape)

    @property
    def is_square(self):
        return self.shape[-1] == self.shape[-2] if self._is_square is None else self._is_square

    def shape_tensor(self, name=None):
        return Tensor(np.asarray(self.shape, np.int32))

    def batch_shape_tensor(self, name=None):
        return Tensor(np.asarray(self.batch_shape, np.int32))

    def range_dimension_tensor(self, name=None):
        return Tensor(np.int32(self.range_dimension))

    def domain_dimension_tensor(self, name=None):
        return Tensor(np.int32(self.domain_dimension))

    # ---- algebra
    def matmul(self, x, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            return LinearOperatorComposition([left, x.adjoint() if adjoint_arg else x])
        x = _t("LinearOperator.matmul", x)
        return self._matmul(_mT(x) if adjoint_arg else x, adjoint)

    def _matmul(self, x, adjoint):
        a = self.to_dense()
        return (_mT(a) if adjoint else a) @ x

    def __matmul__(self, x):
        return self.matmul(x)

    def matvec(self, x, adjoint=False, name=None):
        return K.squeeze(self.matmul(K.expand_dims(_t("LinearOperator.matvec", x), -1),
                                     adjoint=adjoint), -1)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(rhs, LinearOperator):
            left = (self.adjoint() if adjoint else self).inverse()
            return LinearOperatorComposition([left, rhs.adjoint() if adjoint_arg else rhs])
        if not self.is_square:
            raise NotImplementedError(f"{self.name}.solve: the operator {tuple(self.shape)} is "
                                      "not square")
        b = _t("LinearOperator.solve", rhs)
        return self._solve(_mT(b) if adjoint_arg else b, adjoint)

    def _solve(self, rhs, adjoint):
        a = self.to_dense()
        return solve(_mT(a) if adjoint else a, rhs)

    def solvevec(self, rhs, adjoint=False, name=None):
        return K.squeeze(self.solve(K.expand_dims(_t("LinearOperator.solvevec", rhs), -1),
                                    adjoint=adjoint), -1)

    def log_abs_determinant(self, name=None):
        self._need_square("log_abs_determinant")
        return slogdet(self.to_dense())[1]

    def determinant(self, name=None):
        self._need_square("determinant")
        from .tf_linalg import det
        return det(self.to_dense())

    def _need_square(self, what):
        if not self.is_square:
            raise NotImplementedError(f"{self.name}.{what}: the operator {tuple(self.shape)} is "
                                      "not square")

    def diag_part(self, name=None):
        return diag_part(self.to_dense())

    def trace(self, name=None):
        return K.sum(self.diag_part(), axis=-1)

    def add_to_tensor(self, x, name=None):
        return self.to_dense() + _t("LinearOperator.add_to_tensor", x)

    def adjoint(self, name=None):
        return LinearOperatorAdjoint(self)

    H = property(adjoint)

    def inverse(self, name=None):
        self._need_square("inverse")
        return LinearOperatorInversion(self)

    def cholesky(self, name=None):
        return LinearOperatorLowerTriangular(cholesky(self.to_dense()), is_non_singular=True)

    def eigvals(self, name=None):
        if not self.is_self_adjoint:
            raise NotImplementedError(f"{self.name}.eigvals: only self-adjoint operators "
                                      "(is_self_adjoint=True) are supported")
        return eigvalsh(self.to_dense())

    def cond(self, name=None):
        s = svd(self.to_dense(), compute_uv=False)
        return K.max(s, axis=-1) / K.min(s, axis=-1)

    def __repr__(self):
        return f"<tf.linalg.{type(self).__name__} '{self.name}' shape={tuple(self.shape)}>"


class LinearOperatorFullMatrix(LinearOperator):
    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        self._matrix = _t("LinearOperatorFullMatrix", matrix)
        if self._matrix.ndim < 2:
            raise ValueError(f"tf.linalg.LinearOperatorFullMatrix: matrix must have rank >= 2, "
                             f"got shape {tuple(self._matrix.shape)}")
        super().__init__(self._matrix.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

    def _dense(self):
        return self._matrix


class LinearOperatorDiag(LinearOperator):
    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,  # noqa: A002
                 is_positive_definite=None, is_square=True, name="LinearOperatorDiag"):
        self._diag = _t("LinearOperatorDiag", diag)
        super().__init__(self._diag.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self):
        return diag(self._diag)

    def _matmul(self, x, adjoint):
        return K.expand_dims(self._diag, -1) * x

    def _solve(self, rhs, adjoint):
        return rhs / K.expand_dims(self._diag, -1)

    def log_abs_determinant(self, name=None):
        return K.sum(K.log(K.abs(self._diag)), axis=-1)

    def diag_part(self, name=None):
        return self._diag


class LinearOperatorScaledIdentity(LinearOperator):
    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        self._n = int(num_rows)
        self._m = _t("LinearOperatorScaledIdentity", multiplier)
        super().__init__(self._m.dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name)

    def _dense(self):
        eye = Tensor(np.eye(self._n, dtype=self._m.dtype))
        return K.expand_dims(K.expand_dims(self._m, -1), -1) * eye

    def _matmul(self, x, adjoint):
        return K.expand_dims(K.expand_dims(self._m, -1), -1) * x

    def _solve(self, rhs, adjoint):
        return rhs / K.expand_dims(K.expand_dims(self._m, -1), -1)

    def log_abs_determinant(self, name=None):
        return float(self._n) * K.log(K.abs(self._m))


class LinearOperatorIdentity(LinearOperator):
    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        self._n = int(num_rows)
        self._batch = tuple(int(b) for b in (batch_shape or ()))
        super().__init__(dtype or np.float32, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self):
        eye = np.broadcast_to(np.eye(self._n, dtype=self._dtype), self._batch + (self._n,) * 2)
        return Tensor(np.ascontiguousarray(eye))

    def _matmul(self, x, adjoint):
        return x + K.zeros(self._batch + (1, 1), dtype=x.dtype.name) if self._batch else x

    def _solve(self, rhs, adjoint):
        return self._matmul(rhs, adjoint)

    def log_abs_determinant(self, name=None):
        return Tensor(np.zeros(self._batch, self._dtype))


class LinearOperatorLowerTriangular(LinearOperator):
    """The lower triangle of ``tril`` (the rest ignored)."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        from .tf_linalg import band_part
        t = _t("LinearOperatorLowerTriangular", tril)
        self._tril = band_part(t, -1, 0)
        super().__init__(t.dtype, is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name)

    def _dense(self):
        return self._tril

    def _solve(self, rhs, adjoint):
        return triangular_solve(self._tril, rhs, lower=True, adjoint=adjoint)

    def log_abs_determinant(self, name=None):
        return K.sum(K.log(K.abs(diag_part(self._tril))), axis=-1)


class LinearOperatorComposition(LinearOperator):
    """operators[0] @ operators[1] @ ..."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operators = list(operators)
        if not self.operators:
            raise ValueError("tf.linalg.LinearOperatorComposition: operators must be non-empty")
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or "_o_".join(o.name for o in self.operators))

    def _dense(self):
        out = self.operators[-1].to_dense()
        for op in reversed(self.operators[:-1]):
            out = op.matmul(out)
        return out


class LinearOperatorInversion(LinearOperator):
    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operator = operator
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name or operator.name + "_inv")

    def _dense(self):
        from .tf_linalg import inv
        return inv(self.operator.to_dense())

    def _matmul(self, x, adjoint):
        return self.operator.solve(x, adjoint=adjoint)

    def _solve(self, rhs, adjoint):
        return self.operator.matmul(rhs, adjoint=adjoint)

    def log_abs_determinant(self, name=None):
        return -self.operator.log_abs_determinant()


class LinearOperatorAdjoint(LinearOperator):
    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operator = operator
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or operator.name + "_adjoint")

    def _dense(self):
        return _mT(self.operator.to_dense())

    def _matmul(self, x, adjoint):
        return self.operator.matmul(x, adjoint=not adjoint)

    def _solve(self, rhs, adjoint):
        return self.operator.solve(rhs, adjoint=not adjoint)

    def log_abs_determinant(self, name=None):
        return self.operator.log_abs_determinant()


class LinearOperatorBlockDiag(LinearOperator):
    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        self.operators = list(operators)
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or "_ds_".join(o.name for o in self.operators))

    def _dense(self):
        from .tf_array import pad
        mats = [o.to_dense() for o in self.operators]
        cols = sum(m.shape[-1] for m in mats)
        rows, start = [], 0
        for m in mats:
            lead = [[0, 0]] * (m.ndim - 2)
            rows.append(pad(m, lead + [[0, 0], [start, cols - start - m.shape[-1]]]))
            start += m.shape[-1]
        return K.concatenate(rows, axis=-2)


class LinearOperatorKronecker(LinearOperator):
    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operators = list(operators)
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or "_x_".join(o.name for o in self.operators))

    def _dense(self):
        from .ops.einsum import einsum
        out = self.operators[0].to_dense()
        for op in self.operators[1:]:
            b = op.to_dense()
            k = einsum("...ij,...kl->...ikjl", out, b)
            out = K.reshape(k, tuple(k.shape[:-4]) + (k.shape[-4] * k.shape[-3],
                                                     k.shape[-2] * k.shape[-1]))
        return out


class LinearOperatorToeplitz(LinearOperator):
    """T[i, j] = col[i - j] below and on the diagonal, row[j - i] above (row[0] unused)."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorToeplitz"):
        self.col = _t("LinearOperatorToeplitz", col)
        self.row = _t("LinearOperatorToeplitz", row)
        if self.col.shape[-1] != self.row.shape[-1]:
            raise ValueError(f"tf.linalg.LinearOperatorToeplitz: col {tuple(self.col.shape)} and "
                             f"row {tuple(self.row.shape)} must have one length")
        super().__init__(self.col.dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name)

    def _dense(self):
        n = self.col.shape[-1]
        flat = K.concatenate([self.row, self.col], axis=-1)  # row[k] at k, col[k] at n + k
        i, j = np.arange(n)[:, None], np.arange(n)[None, :]
        idx = np.where(i >= j, n + i - j, j - i)
        return _dense_from_flat(flat, idx, n)


class LinearOperatorTridiag(LinearOperator):
    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorTridiag"):
        self.diagonals, self.diagonals_format = diagonals, diagonals_format
        super().__init__(None, is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name)

    def _dense(self):
        return _tridiagonal_dense("LinearOperatorTridiag", self.diagonals, self.diagonals_format)


class LinearOperatorZeros(LinearOperator):
    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        self._shape = tuple(int(b) for b in (batch_shape or ())) + (
            int(num_rows), int(num_rows if num_columns is None else num_columns))
        if is_square and self._shape[-1] != self._shape[-2]:
            raise ValueError(f"tf.linalg.LinearOperatorZeros: is_square=True, but num_rows "
                             f"({self._shape[-2]}) != num_columns ({self._shape[-1]})")
        super().__init__(dtype or np.float32, is_non_singular, is_self_adjoint,
                         is_positive_definite, self._shape[-1] == self._shape[-2], name)

    def _dense(self):
        return Tensor(np.zeros(self._shape, self._dtype))

    def _solve(self, rhs, adjoint):
        raise ValueError("tf.linalg.LinearOperatorZeros: a zero operator is singular")


class LinearOperatorLowRankUpdate(LinearOperator):
    """base + u diag(diag_update) v^T (v = u by default)."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorLowRankUpdate"):
        self.base_operator = base_operator
        self.u = _t("LinearOperatorLowRankUpdate", u)
        self.v = self.u if v is None else _t("LinearOperatorLowRankUpdate", v)
        self.diag_update = None if diag_update is None else _t("LinearOperatorLowRankUpdate",
                                                                diag_update)
        super().__init__(self.u.dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)

    def _dense(self):
        u = self.u if self.diag_update is None else self.u * K.expand_dims(self.diag_update, -2)
        return self.base_operator.to_dense() + u @ _mT(self.v)


CGState = collections.namedtuple("CGState", ["i", "x", "r", "p", "gamma"])


def conjugate_gradient(operator, rhs, preconditioner=None, x=None, tol=1e-5, max_iter=20,
                       name="conjugate_gradient"):
    """tf.linalg.experimental.conjugate_gradient: CG on the self-adjoint positive definite
    ``operator`` for operator x = rhs, until every residual norm <= tol * |r0| or max_iter
    steps; CGState(i, x, r, p, gamma) as TensorFlow's. Differentiable (the steps are ops)."""
    b = _t("linalg.experimental.conjugate_gradient", rhs)

    def dot(u, v):
        return K.sum(u * v, axis=-1)

    def precond(r):
        return r if preconditioner is None else preconditioner.matvec(r)
    if x is None:
        x = K.zeros(tuple(b.shape[:-1]) + (1,), dtype=b.dtype.name)
        r = b
    else:
        x = _t("linalg.experimental.conjugate_gradient", x)
        r = b - operator.matvec(x)
    p = precond(r)
    gamma = dot(r, p)
    limit = float(tol) * np.linalg.norm(np.asarray(r.numpy(), np.float64), axis=-1)
    i = 0
    while i < int(max_iter) and np.any(np.linalg.norm(np.asarray(r.numpy(), np.float64),
                                                      axis=-1) > limit):
        z = operator.matvec(p)
        alpha = gamma / dot(p, z)
        x = x + K.expand_dims(alpha, -1) * p
        r = r - K.expand_dims(alpha, -1) * z
        q = precond(r)
        gamma_next = dot(r, q)
        p = q + K.expand_dims(gamma_next / gamma, -1) * p
        gamma = gamma_next
        i += 1
    return CGState(Tensor(np.int32(i)), x, r, p, gamma)
