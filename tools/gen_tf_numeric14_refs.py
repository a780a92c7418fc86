"""TensorFlow 2's values (and gradients) of the tf.* numeric ops of tfnum14 -- tf.linalg's
factorizations (tf_linalg_decomp.py), tf.math's special functions and extras (tf_special.py,
tf_math_extra.py, tf_complex.py), tf.signal (tf_signal.py), tf.nn's convolutions, poolings and
losses (tf_nn_conv.py, tf_nn_extra.py) and the top-level numeric ops (tf_numeric.py) -- for
tests/test_tf_numeric14.py: tests/data/tf_numeric14_refs.json (cases: expression, inputs,
dtypes) and tests/data/tf_numeric14_refs.npz (inputs, outputs, gradients).

The format is tools/gen_tf_ops_refs.py's: each case is a Python expression over the inputs
below with ``tf`` bound to the library under test; the gradient is d/d(grad input) of
sum_j sum(out_j * cos(arange(size))) over the float outputs. SparseTensor outputs are recorded
as their (indices, values, dense_shape). Expressions avoid sign-ambiguous outputs (singular and
eigen vectors enter as |u|, or as products that do not depend on the signs). Run with the Keras
2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_numeric14_refs.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up log noise

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "tf_numeric14_refs")

rng = np.random.default_rng(14)
_A = rng.normal(size=(4, 4))
_B = rng.normal(size=(2, 3, 3))
INPUTS = {
    "m44": (_A + 3.0 * np.eye(4)).astype(np.float32),
    "spd": (_A @ _A.T + 4.0 * np.eye(4)).astype(np.float32),
    "bspd": (_B @ np.swapaxes(_B, 1, 2) + 3.0 * np.eye(3)).astype(np.float32),
    "m53": rng.normal(size=(5, 3)).astype(np.float32),
    "m35": rng.normal(size=(3, 5)).astype(np.float32),
    "b42": rng.normal(size=(4, 2)).astype(np.float32),
    "b52": rng.normal(size=(5, 2)).astype(np.float32),
    "b32": rng.normal(size=(3, 2)).astype(np.float32),
    "small": (0.3 * rng.normal(size=(3, 3))).astype(np.float32),
    "tri": np.stack([rng.normal(size=4), 4.0 + rng.random(4), rng.normal(size=4)]).astype(np.float32),
    "bands": np.stack([2.0 + rng.random(4), rng.normal(size=4)]).astype(np.float32),
    "d64": (_A + 3.0 * np.eye(4)),
    "b43": rng.normal(size=(2, 4, 3)).astype(np.float32),
    "b32r": rng.normal(size=(2, 3, 2)).astype(np.float32),
    # special functions: wide ranges and edge values
    "wide": np.array([-10.5, -3.2, -2.0, -1.0, -0.5, 0.0, 1e-6, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0,
                      30.0, 100.0, 1e3, np.inf, -np.inf, np.nan], np.float32),
    "pos": rng.uniform(0.5, 5.0, size=(3, 4)).astype(np.float32),
    "p01": np.array([0.0, 1e-30, 1e-10, 1e-5, 0.02, 0.3, 0.5, 0.7, 0.98, 1 - 1e-5, 1 - 6e-8, 1.0,
                     -0.1, 1.5, np.nan], np.float32),
    "u11": np.array([-1.0, -0.999999, -0.9, -0.3, -1e-8, 0.0, 1e-8, 0.25, 0.5, 0.99, 0.99999, 1.0,
                     1.5, np.nan], np.float32),
    "c02": np.array([0.0, 1e-30, 1e-6, 0.1, 0.5, 1.0, 1.5, 1.99, 2.0, 2.5], np.float32),
    "ga": np.array([0.1, 0.5, 1.0, 1.0, 2.5, 5.0, 10.0, 50.0, 60.0, 3.0, 0.0, -1.0, 1.0, 2.0],
                   np.float32),
    "gx": np.array([0.2, 0.5, 0.0, 3.0, 2.0, 15.0, 9.0, 45.0, 57.0, np.inf, 1.0, 1.0, -1.0, 1e-3],
                   np.float32),
    "ba": np.array([0.5, 1.0, 2.0, 5.0, 0.2, 30.0, 1.0, 2.0, 0.0], np.float32),
    "bb": np.array([0.5, 3.0, 2.0, 1.5, 0.3, 40.0, 1.0, 2.0, 1.0], np.float32),
    "bx": np.array([0.3, 0.1, 0.5, 0.9, 0.999, 0.45, 0.0, 1.0, 0.5], np.float32),
    "zx": np.array([2.0, 3.0, 1.5, 10.0, 1.0, 0.5, 4.0, 2.0, 5.0], np.float32),
    "zq": np.array([1.0, 2.0, 0.5, 1.0, 1.0, 1.0, -2.0, -1.5, 30.0], np.float32),
    "bes": np.array([-50.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.5, 10.0, 29.0, 31.0, 80.0,
                     500.0, np.inf, -np.inf], np.float32),
    "x": rng.normal(size=(3, 4)).astype(np.float32),
    "y": rng.normal(size=(3, 4)).astype(np.float32),
    "zx0": np.array([[0.0, 1.0, -2.0, 0.0], [3.0, 0.0, 0.5, -1.0], [0.0, 2.0, 0.0, 4.0]], np.float32),
    "zy0": np.array([[0.0, 0.0, 2.0, 3.0], [0.0, 0.5, 0.0, -0.5], [1.0, 2.0, np.inf, 0.0]], np.float32),
    "v": rng.normal(size=(6,)).astype(np.float32),
    "vp": rng.uniform(0.5, 2.0, size=(6,)).astype(np.float32),
    "seg": np.array([0, 0, 1, 1, 1, 3], np.int32),
    "useg": np.array([2, 0, 2, 3, 1, 0], np.int32),
    "vz": np.array([1.5, 0.0, -2.0, 0.0, 0.0, 3.0], np.float32),
    "perm": np.array([3, 0, 4, 1, 2], np.int32),
    # signal
    "sig": np.sin(np.arange(64) * 0.3).astype(np.float32) + rng.normal(size=64).astype(np.float32) * 0.1,
    "sig2": rng.normal(size=(2, 40)).astype(np.float32),
    "frames": rng.normal(size=(2, 5, 8)).astype(np.float32),
    "mel": rng.normal(size=(3, 20)).astype(np.float32),
    # nn
    "x1d": rng.normal(size=(2, 9, 3)).astype(np.float32),
    "f1d": rng.normal(size=(3, 3, 4)).astype(np.float32),
    "img": rng.normal(size=(2, 6, 6, 3)).astype(np.float32),
    "filt": rng.normal(size=(3, 3, 3, 4)).astype(np.float32),
    "tfilt": rng.normal(size=(3, 3, 2, 3)).astype(np.float32),
    "dfilt": rng.normal(size=(3, 3, 3, 2)).astype(np.float32),
    "pfilt": rng.normal(size=(1, 1, 6, 4)).astype(np.float32),
    "vol": rng.normal(size=(2, 5, 6, 5, 2)).astype(np.float32),
    "f3d": rng.normal(size=(2, 3, 2, 2, 3)).astype(np.float32),
    "t3d": rng.normal(size=(2, 2, 3, 3, 2)).astype(np.float32),
    "emb": rng.normal(size=(10, 4)).astype(np.float32),
    "bias10": rng.normal(size=(10,)).astype(np.float32),
    "inp": rng.normal(size=(3, 4)).astype(np.float32),
    "lab2": np.array([[1, 4], [0, 9], [7, 2]], np.int64),
    "lab1": np.array([[1], [0], [7]], np.int64),
    "samp": np.array([3, 7, 5, 8], np.int64),
    "tec2": rng.uniform(0.05, 0.5, size=(3, 2)).astype(np.float32),
    "tec1": rng.uniform(0.05, 0.5, size=(3, 1)).astype(np.float32),
    "sec": rng.uniform(0.05, 0.5, size=(4,)).astype(np.float32),
    "ctcz": rng.normal(size=(6, 2, 5)).astype(np.float32),
    "ctcl": np.array([[1, 2, 2], [3, 1, 0]], np.int32),
    "cnt": rng.poisson(3.0, size=(3, 4)).astype(np.float32),
    "ints": np.array([[7, -7, 9], [-9, 5, -6]], np.int32),
    "intd": np.array([[2, 2, -4], [4, -3, 4]], np.int32),
    "seq": rng.normal(size=(3, 5, 2)).astype(np.float32),
    "sbimg": rng.normal(size=(1, 4, 4, 2)).astype(np.float32),
}

# name: (expression, input to differentiate or None)
CASES = {
    # ---- tf.linalg --------------------------------------------------------------------------
    "cholesky": ("tf.linalg.cholesky(spd)", "spd"),
    "cholesky_batch": ("tf.linalg.cholesky(bspd)", "bspd"),
    "cholesky_solve": ("tf.linalg.cholesky_solve(tf.linalg.cholesky(spd), b42)", "spd"),
    "cholesky_solve_rhs": ("tf.linalg.cholesky_solve(tf.linalg.cholesky(spd), b42)", "b42"),
    "triangular_solve": ("tf.linalg.triangular_solve(m44, b42)", "m44"),
    "triangular_solve_rhs": ("tf.linalg.triangular_solve(m44, b42, lower=False, adjoint=True)", "b42"),
    "triangular_solve_upper": ("tf.linalg.triangular_solve(m44, b42, lower=False)", "m44"),
    "triangular_solve_adj": ("tf.linalg.triangular_solve(m44, b42, adjoint=True)", "m44"),
    "qr": ("tf.linalg.qr(m53)", "m53"),
    "qr_wide": ("tf.linalg.qr(m35)", "m35"),
    "qr_full": ("tf.linalg.qr(m35, full_matrices=True)", "m35"),
    "qr_full_deep_values": ("tf.linalg.qr(m53, full_matrices=True)", None),
    "svd_s": ("tf.linalg.svd(m53, compute_uv=False)", "m53"),
    "svd": ("(lambda s, u, v: (s, tf.abs(u), tf.abs(v)))(*tf.linalg.svd(m53))", "m53"),
    "svd_wide": ("(lambda s, u, v: (s, tf.abs(u), tf.abs(v)))(*tf.linalg.svd(m35))", "m35"),
    "svd_square": ("(lambda s, u, v: (s, tf.abs(u), tf.abs(v)))(*tf.linalg.svd(m44))", "m44"),
    "svd_full_values": ("(lambda s, u, v: (s, tf.shape(u), tf.abs(u[:, :3]), tf.abs(v)))(*tf.linalg.svd(m53, full_matrices=True))", None),
    "svd_reconstruct": ("(lambda s, u, v: tf.matmul(u * s, v, transpose_b=True))(*tf.linalg.svd(m35))", "m35"),
    "eigh": ("(lambda e, v: (e, tf.abs(v)))(*tf.linalg.eigh(spd))", "spd"),
    "eigh_proj": ("(lambda e, v: tf.matmul(v[:, :2], v[:, :2], transpose_b=True))(*tf.linalg.eigh(spd))", "spd"),
    "eigvalsh": ("tf.linalg.eigvalsh(bspd)", "bspd"),
    "eigvals_sorted": ("tf.sort(tf.math.real(tf.linalg.eigvals(spd)))", None),
    "lstsq": ("tf.linalg.lstsq(m53, b52)", "m53"),
    "lstsq_rhs": ("tf.linalg.lstsq(m53, b52)", "b52"),
    "lstsq_l2": ("tf.linalg.lstsq(m53, b52, l2_regularizer=0.5)", "m53"),
    "lstsq_under": ("tf.linalg.lstsq(m35, b32)", "m35"),
    "lstsq_slow": ("tf.linalg.lstsq(m53, b52, fast=False)", None),
    "pinv": ("tf.linalg.pinv(m53)", "m53"),
    "pinv_wide": ("tf.linalg.pinv(m35)", "m35"),
    "pinv_rank1": ("tf.linalg.pinv(tf.ones([3, 2]))", None),
    "lu": ("tf.linalg.lu(m44)", None),
    "lu_batch": ("tf.linalg.lu(bspd)", None),
    "lu_solve": ("(lambda lu, p: tf.linalg.lu_solve(lu, p, b42))(*tf.linalg.lu(m44))", "b42"),
    "lu_reconstruct": ("tf.linalg.lu_reconstruct(*tf.linalg.lu(m44))", None),
    "lu_reconstruct_batch": ("tf.linalg.lu_reconstruct(*tf.linalg.lu(bspd))", None),
    "lu_matrix_inverse": ("tf.linalg.lu_matrix_inverse(*tf.linalg.lu(m44))", None),
    "matrix_rank": ("(tf.linalg.matrix_rank(m53), tf.linalg.matrix_rank(tf.ones([3, 3])))", None),
    "matrix_rank_tol": ("tf.linalg.matrix_rank(m44, tol=3.0)", None),
    "expm": ("tf.linalg.expm(small)", "small"),
    "expm_large": ("tf.linalg.expm(m44)", "m44"),
    "expm_batch": ("tf.linalg.expm(bspd * 0.2)", "bspd"),
    "sqrtm": ("tf.linalg.sqrtm(spd)", "spd"),
    "sqrtm_general": ("tf.linalg.sqrtm(m44)", None),
    "logm_complex": ("tf.math.real(tf.linalg.logm(tf.complex(spd, tf.zeros_like(spd))))", None),
    "tensor_diag": ("tf.linalg.tensor_diag(x[:2, :2])", "x"),
    "tensor_diag_part": ("tf.linalg.tensor_diag_part(tf.reshape(tf.range(16.0), [2, 2, 2, 2]))", None),
    "tridiagonal_solve": ("tf.linalg.tridiagonal_solve(tri, b42)", "tri"),
    "tridiagonal_solve_rhs": ("tf.linalg.tridiagonal_solve(tri, b42)", "b42"),
    "tridiagonal_solve_vec": ("tf.linalg.tridiagonal_solve(tri, b42[:, 0])", "tri"),
    "tridiagonal_solve_seq": ("tf.linalg.tridiagonal_solve((tri[0], tri[1], tri[2]), b42, diagonals_format='sequence')", None),
    "tridiagonal_solve_T": ("tf.linalg.tridiagonal_solve(tri, tf.transpose(b42), transpose_rhs=True)", None),
    "tridiagonal_matmul": ("tf.linalg.tridiagonal_matmul(tri, b42)", "tri"),
    "banded_lower": ("tf.linalg.banded_triangular_solve(bands, b42)", "bands"),
    "banded_upper": ("tf.linalg.banded_triangular_solve(bands[::-1], b42, lower=False)", "bands"),
    "banded_adjoint": ("tf.linalg.banded_triangular_solve(bands, b42, adjoint=True)", "b42"),
    "svd_batch": ("(lambda s, u, v: (s, tf.abs(u), tf.abs(v)))(*tf.linalg.svd(b43))", "b43"),
    "qr_batch": ("tf.linalg.qr(b43)", "b43"),
    "eigh_batch": ("(lambda e, v: (e, tf.abs(v)))(*tf.linalg.eigh(bspd))", "bspd"),
    "lstsq_batch": ("tf.linalg.lstsq(b43, tf.ones([2, 4, 2]))", "b43"),
    "pinv_batch": ("tf.linalg.pinv(b43)", "b43"),
    "triangular_solve_broadcast": ("tf.linalg.triangular_solve(bspd, b32)", "bspd"),
    "triangular_solve_broadcast_rhs": ("tf.linalg.triangular_solve(bspd[0], b32r, lower=False)", "b32r"),
    "cholesky_solve_batch": ("tf.linalg.cholesky_solve(tf.linalg.cholesky(bspd), b32r)", "b32r"),
    "lu_solve_batch": ("(lambda lu, p: tf.linalg.lu_solve(lu, p, b32r))(*tf.linalg.lu(bspd))", "b32r"),
    "lu_matrix_inverse_batch": ("tf.linalg.lu_matrix_inverse(*tf.linalg.lu(bspd))", None),
    "matrix_rank_batch": ("tf.linalg.matrix_rank(tf.concat([bspd, bspd[:, :1] * 0.0 + tf.ones([2, 1, 3])], 1))", None),
    "expm_f64": ("tf.linalg.expm(d64 * 0.3)", "d64"),
    "svd_f64": ("tf.linalg.svd(d64, compute_uv=False)", "d64"),
    "sqrtm_batch": ("tf.linalg.sqrtm(bspd)", "bspd"),
    "eigh_tridiagonal": ("tf.linalg.eigh_tridiagonal(tri[1], tri[0, :3])", None),
    "eigh_tridiagonal_vectors": ("(lambda e, v: (e, tf.abs(v)))(*tf.linalg.eigh_tridiagonal(tri[1], tri[0, :3], eigvals_only=False))", None),
    "eigh_tridiagonal_select": ("(tf.linalg.eigh_tridiagonal(tri[1], tri[0, :3], select='i', select_range=[1, 2]), tf.linalg.eigh_tridiagonal(tri[1], tri[0, :3], select='v', select_range=[4.5, 10.0]))", None),
    "cholesky_f64": ("tf.linalg.cholesky(tf.matmul(d64, d64, transpose_b=True))", "d64"),
    "linop_full": ("(lambda o: (o.to_dense(), o.matmul(b42), o.matvec(b42[:, 0], adjoint=True), o.solve(b42), o.solvevec(b42[:, 1], adjoint=True), o.log_abs_determinant(), o.determinant(), o.trace(), o.diag_part(), o.shape_tensor(), o.add_to_tensor(spd)))(tf.linalg.LinearOperatorFullMatrix(m44))", "m44"),
    "linop_full_adjoint_inverse": ("(lambda o: (o.adjoint().to_dense(), o.inverse().to_dense(), o.inverse().matmul(b42), o.H.solve(b42), o.matmul(b42, adjoint=True, adjoint_arg=False), o.solve(tf.transpose(b42), adjoint_arg=True)))(tf.linalg.LinearOperatorFullMatrix(m44))", "m44"),
    "linop_cholesky": ("(lambda o: (o.cholesky().to_dense(), o.cholesky().solve(b42), o.cholesky().log_abs_determinant(), o.eigvals()))(tf.linalg.LinearOperatorFullMatrix(spd, is_self_adjoint=True, is_positive_definite=True))", "spd"),
    "linop_diag": ("(lambda o: (o.to_dense(), o.matmul(b42), o.solve(b42), o.log_abs_determinant(), o.trace()))(tf.linalg.LinearOperatorDiag(vp[:4]))", "vp"),
    "linop_identity": ("(lambda o: (o.to_dense(), o.matmul(b42), o.solve(b42), o.log_abs_determinant(), o.shape_tensor()))(tf.linalg.LinearOperatorIdentity(4))", None),
    "linop_identity_batch": ("(lambda o: (o.to_dense(), o.matmul(b32r)))(tf.linalg.LinearOperatorIdentity(3, batch_shape=[2]))", None),
    "linop_scaled_identity": ("(lambda o: (o.to_dense(), o.matmul(b42), o.solve(b42), o.log_abs_determinant()))(tf.linalg.LinearOperatorScaledIdentity(4, vp[0]))", "vp"),
    "linop_lower": ("(lambda o: (o.to_dense(), o.solve(b42), o.solve(b42, adjoint=True), o.log_abs_determinant(), o.matmul(b42)))(tf.linalg.LinearOperatorLowerTriangular(m44))", "m44"),
    "linop_composition": ("(lambda o: (o.to_dense(), o.matmul(b42), o.solve(b42), o.log_abs_determinant()))(tf.linalg.LinearOperatorComposition([tf.linalg.LinearOperatorFullMatrix(m44), tf.linalg.LinearOperatorDiag(vp[:4])]))", "m44"),
    "linop_block_diag": ("(lambda o: (o.to_dense(), o.matmul(tf.ones([5, 2])), o.log_abs_determinant()))(tf.linalg.LinearOperatorBlockDiag([tf.linalg.LinearOperatorFullMatrix(small), tf.linalg.LinearOperatorDiag(vp[:2])]))", "small"),
    "linop_kronecker": ("(lambda o: (o.to_dense(), o.matvec(tf.ones([6]))))(tf.linalg.LinearOperatorKronecker([tf.linalg.LinearOperatorFullMatrix(small), tf.linalg.LinearOperatorDiag(vp[:2])]))", "small"),
    "linop_toeplitz": ("(lambda o: (o.to_dense(), o.solve(b42)))(tf.linalg.LinearOperatorToeplitz(vp[:4] + 3.0, v[:4]))", "v"),
    "linop_tridiag": ("(lambda o: (o.to_dense(), o.solve(b42), o.matmul(b42)))(tf.linalg.LinearOperatorTridiag(tri))", "tri"),
    "linop_zeros": ("(lambda o: (o.to_dense(), o.matmul(tf.ones([3, 2]))))(tf.linalg.LinearOperatorZeros(2, 3, is_square=False, is_self_adjoint=False))", None),
    "linop_low_rank": ("(lambda o: (o.to_dense(), o.solve(b42), o.log_abs_determinant()))(tf.linalg.LinearOperatorLowRankUpdate(tf.linalg.LinearOperatorDiag(vp[:4] + 1.0), b42, diag_update=vp[:2]))", "b42"),
    "conjugate_gradient": ("tf.linalg.experimental.conjugate_gradient(tf.linalg.LinearOperatorFullMatrix(spd, is_self_adjoint=True, is_positive_definite=True), b42[:, 0])", "spd"),
    "conjugate_gradient_batch_pre": ("tf.linalg.experimental.conjugate_gradient(tf.linalg.LinearOperatorFullMatrix(bspd, is_self_adjoint=True, is_positive_definite=True), b32r[..., 0], preconditioner=tf.linalg.LinearOperatorDiag(1.0 / tf.linalg.diag_part(bspd)), tol=1e-3, max_iter=2)", "b32r"),
    # ---- tf.math special functions ------------------------------------------------------------
    "lgamma": ("tf.math.lgamma(wide)", None),
    "lgamma_grad": ("tf.math.lgamma(pos)", "pos"),
    "lgamma_neg": ("tf.math.lgamma(-pos)", "pos"),
    "digamma": ("tf.math.digamma(wide)", None),
    "digamma_grad": ("tf.math.digamma(pos)", "pos"),
    "polygamma": ("tf.math.polygamma(tf.constant([0.0, 1.0, 2.0, 3.0, 1.0, 1.5, -1.0]), tf.constant([2.5, 0.5, 1.0, 4.0, -1.5, 2.0, 2.0]))", None),
    "polygamma_grad": ("tf.math.polygamma(tf.ones([3, 4]), pos)", "pos"),
    "zeta": ("tf.math.zeta(zx, zq)", None),
    "zeta_grad": ("tf.math.zeta(pos + 1.5, pos)", "pos"),
    "erfinv": ("tf.math.erfinv(u11)", None),
    "erfinv_grad": ("tf.math.erfinv(tf.tanh(x))", "x"),
    "erfcinv": ("tf.math.erfcinv(c02)", None),
    "ndtri": ("tf.math.ndtri(p01)", None),
    "ndtri_grad": ("tf.math.ndtri(tf.sigmoid(x))", "x"),
    "igamma": ("tf.math.igamma(ga, gx)", None),
    "igamma_grad": ("tf.math.igamma(tf.ones([3, 4]) * 2.5, pos)", "pos"),
    "igammac": ("tf.math.igammac(ga, gx)", None),
    "igammac_grad": ("tf.math.igammac(tf.ones([3, 4]) * 0.7, pos)", "pos"),
    "betainc": ("tf.math.betainc(ba, bb, bx)", None),
    "betainc_grad": ("tf.math.betainc(tf.ones([3, 4]) * 2.0, tf.ones([3, 4]) * 3.0, tf.sigmoid(x))", "x"),
    "lbeta": ("tf.math.lbeta(pos)", "pos"),
    "lbeta_empty": ("tf.math.lbeta(tf.zeros([2, 0]))", None),
    "bessel_i0": ("tf.math.bessel_i0(bes)", None),
    "bessel_i0e": ("tf.math.bessel_i0e(bes)", None),
    "bessel_i1": ("tf.math.bessel_i1(bes)", None),
    "bessel_i1e": ("tf.math.bessel_i1e(bes)", None),
    "bessel_grads": ("(tf.math.bessel_i0(x), tf.math.bessel_i0e(x), tf.math.bessel_i1(x), tf.math.special.bessel_i1e(x))", "x"),
    "special_ns": ("tf.math.special.bessel_i0e(x)", "x"),
    "bessel_j": ("(tf.math.special.bessel_j0(bes), tf.math.special.bessel_j1(bes))", None),
    "bessel_y": ("(tf.math.special.bessel_y0(bes), tf.math.special.bessel_y1(bes))", None),
    "bessel_k": ("(tf.math.special.bessel_k0(bes), tf.math.special.bessel_k1(bes), tf.math.special.bessel_k0e(bes), tf.math.special.bessel_k1e(bes))", None),
    "bessel_jyk_grads": ("(tf.math.special.bessel_j0(pos), tf.math.special.bessel_j1(pos), tf.math.special.bessel_y0(pos), tf.math.special.bessel_y1(pos), tf.math.special.bessel_k0(pos), tf.math.special.bessel_k1e(pos))", "pos"),
    "dawsn": ("tf.math.special.dawsn(bes)", None),
    "expint": ("tf.math.special.expint(tf.concat([bes, [-80.0, 80.0, 39.0, 41.0]], 0))", None),
    "fresnel": ("(tf.math.special.fresnel_cos(tf.concat([bes, [5.9, 6.1, 3.3]], 0)), tf.math.special.fresnel_sin(tf.concat([bes, [5.9, 6.1, 3.3]], 0)))", None),
    "spence": ("tf.math.special.spence(tf.concat([bes, [0.5, 1.0, 2.0, 1.5]], 0))", None),
    "special_more_grads": ("(tf.math.special.dawsn(x), tf.math.special.expint(pos), tf.math.special.fresnel_cos(x), tf.math.special.fresnel_sin(x), tf.math.special.spence(pos))", "x"),
    "special_more_grads_pos": ("(tf.math.special.expint(pos), tf.math.special.spence(pos), tf.math.special.bessel_k0e(pos), tf.math.special.bessel_k1(pos))", "pos"),
    # ---- tf.math extras ------------------------------------------------------------------------
    "xdivy": ("tf.math.xdivy(zx0, zy0)", None),
    "xdivy_grad": ("tf.math.xdivy(zx0, y)", "y"),
    "xdivy_grad_x": ("tf.math.xdivy(x, vp[:4])", "x"),
    "xlog1py": ("tf.math.xlog1py(zx0, tf.abs(zy0))", None),
    "xlog1py_grad": ("tf.math.xlog1py(x, tf.abs(y))", "x"),
    "xlog1py_grad_y": ("tf.math.xlog1py(zx0, tf.abs(y))", "y"),
    "multiply_no_nan": ("tf.math.multiply_no_nan(zy0, zx0)", None),
    "multiply_no_nan_grad": ("tf.math.multiply_no_nan(x, zx0)", "x"),
    "multiply_no_nan_grad_y": ("tf.math.multiply_no_nan(x, y)", "y"),
    "reciprocal_no_nan": ("tf.math.reciprocal_no_nan(zx0)", "zx0"),
    "cumulative_logsumexp": ("tf.math.cumulative_logsumexp(x, axis=1)", "x"),
    "cumulative_logsumexp_excl": ("tf.math.cumulative_logsumexp(x, axis=0, exclusive=True)", "x"),
    "cumulative_logsumexp_rev": ("tf.math.cumulative_logsumexp(x * 30.0, axis=1, reverse=True)", "x"),
    "segment_prod": ("tf.math.segment_prod(vp, seg)", "vp"),
    "segment_prod_zero": ("tf.math.segment_prod(vz, seg)", "vz"),
    "unsorted_segment_prod": ("tf.math.unsorted_segment_prod(vz, useg, 5)", "vz"),
    "unsorted_segment_sqrt_n": ("tf.math.unsorted_segment_sqrt_n(v, useg, 5)", "v"),
    "unsorted_segment_sqrt_n_2d": ("tf.math.unsorted_segment_sqrt_n(x, [1, 0, 1], 3)", "x"),
    "invert_permutation": ("tf.math.invert_permutation(perm)", None),
    "is_non_decreasing": ("(tf.math.is_non_decreasing([1, 1, 2]), tf.math.is_non_decreasing(v), tf.math.is_non_decreasing([5]))", None),
    "is_strictly_increasing": ("(tf.math.is_strictly_increasing([1, 1, 2]), tf.math.is_strictly_increasing([[1.0, 2.0], [3.0, 4.5]]))", None),
    "nextafter": ("tf.math.nextafter(x, y)", None),
    "nextafter_f64": ("tf.math.nextafter(tf.constant([1.0, 0.0], tf.float64), tf.constant([2.0, -1.0], tf.float64))", None),
    "accumulate_n": ("tf.math.accumulate_n([x, y, x])", "x"),
    "complex_parts": ("(lambda c: (tf.math.real(c), tf.math.imag(c), tf.math.angle(c), tf.abs(c)))(tf.complex(x, y))", None),
    # ---- tf.signal -----------------------------------------------------------------------------
    "frame": ("tf.signal.frame(sig, 16, 8)", "sig"),
    "frame_pad": ("tf.signal.frame(sig2, 16, 7, pad_end=True, pad_value=0.5)", "sig2"),
    "frame_axis0": ("tf.signal.frame(tf.transpose(sig2), 8, 5, axis=0)", "sig2"),
    "frame_short": ("tf.signal.frame(sig[:5], 8, 2)", None),
    "overlap_and_add": ("tf.signal.overlap_and_add(frames, 3)", "frames"),
    "hann": ("(tf.signal.hann_window(8), tf.signal.hann_window(7), tf.signal.hann_window(8, periodic=False), tf.signal.hann_window(1))", None),
    "hamming": ("(tf.signal.hamming_window(10), tf.signal.hamming_window(5, periodic=False))", None),
    "kaiser": ("(tf.signal.kaiser_window(8), tf.signal.kaiser_window(7, beta=4.0))", None),
    "stft_abs": ("tf.abs(tf.signal.stft(sig, frame_length=16, frame_step=8))", None),
    "stft_parts": ("(lambda s: (tf.math.real(s), tf.math.imag(s)))(tf.signal.stft(sig2, 12, 5, fft_length=16, pad_end=True))", None),
    "stft_hamming": ("tf.abs(tf.signal.stft(sig, 20, 10, window_fn=tf.signal.hamming_window))", None),
    "inverse_stft": ("tf.signal.inverse_stft(tf.signal.stft(sig, 16, 4), 16, 4, window_fn=tf.signal.inverse_stft_window_fn(4))", None),
    "inverse_stft_plain": ("tf.signal.inverse_stft(tf.signal.stft(sig2, 12, 5), 12, 5)", None),
    "rfft": ("(lambda s: (tf.math.real(s), tf.math.imag(s)))(tf.signal.rfft(sig2))", None),
    "rfft_len": ("tf.abs(tf.signal.rfft(sig2, fft_length=[32]))", None),
    "irfft": ("tf.signal.irfft(tf.signal.rfft(sig2))", None),
    "irfft_len": ("tf.signal.irfft(tf.signal.rfft(sig2), fft_length=[30])", None),
    "fft_ifft": ("(lambda c: (tf.math.real(tf.signal.fft(c)), tf.math.imag(tf.signal.ifft(c))))(tf.complex(x, y))", None),
    "fft2d": ("(lambda c: (tf.math.real(c), tf.math.imag(c)))(tf.signal.fft2d(tf.complex(x, y)))", None),
    "rfft2d": ("(lambda c: (tf.math.real(c), tf.math.imag(c), tf.signal.irfft2d(c)))(tf.signal.rfft2d(frames))", None),
    "mel_matrix": ("tf.signal.linear_to_mel_weight_matrix(num_mel_bins=10, num_spectrogram_bins=33, sample_rate=16000, lower_edge_hertz=80.0, upper_edge_hertz=7600.0)", None),
    "mel_matrix_default": ("tf.signal.linear_to_mel_weight_matrix()", None),
    "mfccs": ("tf.signal.mfccs_from_log_mel_spectrograms(mel)", "mel"),
    "dct2": ("tf.signal.dct(mel)", "mel"),
    "dct2_ortho": ("tf.signal.dct(mel, norm='ortho')", "mel"),
    "dct1": ("tf.signal.dct(mel[:, :6], type=1)", "mel"),
    "dct3": ("(tf.signal.dct(mel, type=3), tf.signal.dct(mel, type=3, norm='ortho'))", "mel"),
    "dct4": ("(tf.signal.dct(mel, type=4), tf.signal.dct(mel, type=4, norm='ortho'))", "mel"),
    "dct_n": ("(tf.signal.dct(mel, n=8), tf.signal.dct(mel, n=24))", "mel"),
    "idct": ("(tf.signal.idct(mel), tf.signal.idct(mel, norm='ortho'), tf.signal.idct(mel, type=4))", "mel"),
    "audio_pipeline": ("tf.math.log(tf.tensordot(tf.abs(tf.signal.stft(sig, 16, 8)), tf.signal.linear_to_mel_weight_matrix(8, 9, 16000, 100.0, 4000.0), 1) + 1e-6)", None),
    "mdct": ("tf.signal.mdct(sig, 16)", "sig"),
    "mdct_ortho_pad": ("tf.signal.mdct(sig2, 12, pad_end=True, norm='ortho', window_fn=tf.signal.kaiser_bessel_derived_window)", "sig2"),
    "inverse_mdct": ("tf.signal.inverse_mdct(tf.signal.mdct(sig, 16))", None),
    "inverse_mdct_grad": ("tf.signal.inverse_mdct(frames[:, :, :4], norm='ortho', window_fn=None)", "frames"),
    "windows_more": ("(tf.signal.vorbis_window(8), tf.signal.vorbis_window(5), tf.signal.kaiser_bessel_derived_window(8), tf.signal.kaiser_bessel_derived_window(6, beta=3.0))", None),
    "fftshift": ("(tf.signal.fftshift(x), tf.signal.fftshift(x, axes=1), tf.signal.ifftshift(x, axes=[0]), tf.signal.ifftshift(v))", "x"),
    "fftshift_complex": ("tf.math.imag(tf.signal.fftshift(tf.signal.fft(tf.complex(v, v * 0.0))))", None),
    # ---- tf.nn ---------------------------------------------------------------------------------
    "conv1d": ("tf.nn.conv1d(x1d, f1d, stride=1, padding='SAME')", "x1d"),
    "conv1d_filters": ("tf.nn.conv1d(x1d, f1d, stride=2, padding='VALID')", "f1d"),
    "conv1d_dilated": ("tf.nn.conv1d(x1d, f1d, stride=1, padding='VALID', dilations=2)", "x1d"),
    "conv1d_transpose": ("tf.nn.conv1d_transpose(x1d, f1d[:, :2, :3], [2, 18, 2], strides=2)", "x1d"),
    "conv2d_transpose": ("tf.nn.conv2d_transpose(img, tfilt, [2, 12, 12, 2], strides=2, padding='SAME')", "img"),
    "conv2d_transpose_w": ("tf.nn.conv2d_transpose(img, tfilt, [2, 13, 13, 2], strides=2, padding='VALID')", "tfilt"),
    "conv3d": ("tf.nn.conv3d(vol, f3d, strides=[1, 1, 1, 1, 1], padding='SAME')", "vol"),
    "conv3d_valid": ("tf.nn.conv3d(vol, f3d, strides=[1, 2, 1, 2, 1], padding='VALID')", "f3d"),
    "conv3d_same_s2": ("tf.nn.conv3d(vol, f3d, strides=[1, 2, 2, 2, 1], padding='SAME')", "vol"),
    "conv3d_transpose": ("tf.nn.conv3d_transpose(vol, t3d, [2, 10, 12, 10, 3], strides=[1, 2, 2, 2, 1], padding='SAME')", "vol"),
    "conv3d_transpose_valid": ("tf.nn.conv3d_transpose(vol, t3d, [2, 6, 7, 7, 3], strides=1, padding='VALID')", "t3d"),
    "conv_transpose": ("tf.nn.conv_transpose(x1d, f1d[:, :2, :3], [2, 9, 2], strides=1)", "x1d"),
    "depthwise_conv2d": ("tf.nn.depthwise_conv2d(img, dfilt, strides=[1, 1, 1, 1], padding='SAME')", "img"),
    "depthwise_conv2d_w": ("tf.nn.depthwise_conv2d(img, dfilt, strides=[1, 2, 2, 1], padding='VALID')", "dfilt"),
    "separable_conv2d": ("tf.nn.separable_conv2d(img, dfilt, pfilt, strides=[1, 1, 1, 1], padding='SAME')", "img"),
    "atrous_conv2d": ("tf.nn.atrous_conv2d(img, filt, rate=2, padding='SAME')", "img"),
    "max_pool1d": ("tf.nn.max_pool1d(x1d, ksize=3, strides=2, padding='SAME')", "x1d"),
    "avg_pool1d": ("tf.nn.avg_pool1d(x1d, ksize=2, strides=2, padding='VALID')", "x1d"),
    "max_pool3d": ("tf.nn.max_pool3d(vol, ksize=2, strides=2, padding='VALID')", "vol"),
    "max_pool3d_same": ("tf.nn.max_pool3d(vol, ksize=[1, 3, 2, 3, 1], strides=[1, 2, 2, 2, 1], padding='SAME')", "vol"),
    "avg_pool3d": ("tf.nn.avg_pool3d(vol, ksize=3, strides=2, padding='SAME')", "vol"),
    "pool_avg2d": ("tf.nn.pool(img, [2, 2], 'AVG', strides=[2, 2], padding='SAME')", "img"),
    "pool_max1d": ("tf.nn.pool(x1d, [3], 'MAX', strides=[1], padding='VALID')", "x1d"),
    "max_pool_with_argmax": ("tf.nn.max_pool_with_argmax(img, 2, 2, 'VALID')", "img"),
    "max_pool_with_argmax_same": ("tf.nn.max_pool_with_argmax(img, 3, 2, 'SAME', include_batch_in_index=True)", "img"),
    "lrn": ("tf.nn.local_response_normalization(img, depth_radius=1, bias=1.0, alpha=0.5, beta=0.75)", "img"),
    "lrn_default": ("tf.nn.lrn(img)", "img"),
    "crelu": ("tf.nn.crelu(x)", "x"),
    "crelu_axis0": ("tf.nn.crelu(x, axis=0)", "x"),
    "weighted_moments": ("tf.nn.weighted_moments(x, [1], vp[:4])", "x"),
    "weighted_moments_keep": ("tf.nn.weighted_moments(x, [0, 1], tf.abs(y), keepdims=True)", "x"),
    "sufficient_statistics": ("tf.nn.sufficient_statistics(x, [0])[:3]", "x"),
    "sufficient_statistics_shift": ("tf.nn.sufficient_statistics(x, [1], shift=0.5, keepdims=True)[:3]", "x"),
    "normalize_moments": ("tf.nn.normalize_moments(tf.constant(3.0), tf.reduce_sum(x, 0), tf.reduce_sum(x * x, 0), None)", "x"),
    "normalize_moments_shift": ("tf.nn.normalize_moments(tf.constant(3.0), tf.reduce_sum(x - 0.2, 0), tf.reduce_sum((x - 0.2) ** 2, 0), 0.2)", "x"),
    "log_poisson_loss": ("tf.nn.log_poisson_loss(cnt, x)", "x"),
    "log_poisson_loss_full": ("tf.nn.log_poisson_loss(cnt, x, compute_full_loss=True)", "x"),
    "nce_loss": ("tf.nn.nce_loss(emb, bias10, lab1, inp, num_sampled=4, num_classes=10, sampled_values=(samp, tec1, sec))", "emb"),
    "nce_loss_inputs": ("tf.nn.nce_loss(emb, bias10, lab2, inp, num_sampled=4, num_classes=10, num_true=2, sampled_values=(samp, tec2, sec), remove_accidental_hits=True)", "inp"),
    "sampled_softmax_loss": ("tf.nn.sampled_softmax_loss(emb, bias10, lab1, inp, num_sampled=4, num_classes=10, sampled_values=(samp, tec1, sec))", "emb"),
    "sampled_softmax_loss_hits": ("tf.nn.sampled_softmax_loss(emb, bias10, lab2, inp, num_sampled=4, num_classes=10, num_true=2, sampled_values=(samp, tec2, sec))", "inp"),
    "sampled_softmax_no_removal": ("tf.nn.sampled_softmax_loss(emb, bias10, lab2, inp, 4, 10, num_true=2, sampled_values=(samp, tec2, sec), remove_accidental_hits=False)", "bias10"),
    "zero_fraction": ("tf.nn.zero_fraction(zx0)", None),
    "embedding_lookup_sparse": ("tf.nn.embedding_lookup_sparse(emb, tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 3, 9], tf.int64), [3, 2]), None)", "emb"),
    "embedding_lookup_sparse_w": ("tf.nn.embedding_lookup_sparse(emb, tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([1, 3, 9], tf.int64), [2, 2]), tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [2.0, 0.5, 3.0], [2, 2]), combiner='sqrtn')", "emb"),
    "embedding_lookup_sparse_sum": ("tf.nn.embedding_lookup_sparse(emb, tf.SparseTensor([[0, 0], [1, 0], [1, 2]], tf.constant([4, 4, 0], tf.int64), [2, 3]), None, combiner='sum')", "emb"),
    "safe_embedding_lookup_sparse": ("tf.nn.safe_embedding_lookup_sparse(emb, tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, -1, 9], tf.int64), [4, 2]))", "emb"),
    "safe_embedding_lookup_sparse_default": ("tf.nn.safe_embedding_lookup_sparse(emb, tf.SparseTensor([[0, 0], [2, 0]], tf.constant([1, 5], tf.int64), [3, 2]), tf.SparseTensor([[0, 0], [2, 0]], [2.0, 0.0], [3, 2]), default_id=7)", "emb"),
    "ctc_loss": ("tf.nn.ctc_loss(ctcl, ctcz, label_length=[3, 2], logit_length=[6, 5])", "ctcz"),
    "ctc_loss_blank_last": ("tf.nn.ctc_loss(ctcl, tf.transpose(ctcz, [1, 0, 2]), [3, 2], [6, 6], logits_time_major=False, blank_index=-1)", "ctcz"),
    "ctc_loss_sparse": ("tf.nn.ctc_loss(tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]], tf.constant([1, 2, 2, 3, 1], tf.int32), [2, 3]), ctcz, None, [6, 5], blank_index=0)", "ctcz"),
    "ctc_greedy_decoder": ("(lambda d, n: (d[0].indices, d[0].values, d[0].dense_shape, n))(*tf.nn.ctc_greedy_decoder(ctcz, [6, 4]))", None),
    "ctc_greedy_decoder_nomerge": ("(lambda d, n: (d[0].indices, d[0].values, n))(*tf.nn.ctc_greedy_decoder(ctcz, [6, 6], merge_repeated=False, blank_index=0))", None),
    "ctc_beam_search_decoder": ("(lambda d, p: (d[0].indices, d[0].values, d[1].values, p))(*tf.nn.ctc_beam_search_decoder(ctcz, [6, 5], beam_width=100, top_paths=2))", None),
    "atrous_conv2d_transpose": ("tf.nn.atrous_conv2d_transpose(img, tfilt, [2, 6, 6, 2], rate=2, padding='SAME')", "img"),
    "dilation2d": ("tf.nn.dilation2d(img, filt[:, :, :, 0], [1, 1, 1, 1], 'SAME', 'NHWC', [1, 1, 1, 1])", "img"),
    "dilation2d_filters": ("tf.nn.dilation2d(img, filt[:2, :, :, 1], [1, 2, 1, 1], 'VALID', 'NHWC', [1, 1, 2, 1])", "filt"),
    "erosion2d": ("tf.nn.erosion2d(img, filt[:, :2, :, 0], [1, 1, 2, 1], 'SAME', 'NHWC', [1, 1, 1, 1])", "img"),
    "depthwise_backprop_input": ("tf.nn.depthwise_conv2d_backprop_input([2, 6, 6, 3], dfilt, tf.cos(tf.reshape(tf.range(432.0), [2, 6, 6, 6])), [1, 1, 1, 1], 'SAME')", "dfilt"),
    "depthwise_backprop_filter": ("tf.nn.depthwise_conv2d_backprop_filter(img, [3, 3, 3, 2], tf.cos(tf.reshape(tf.range(48.0), [2, 2, 2, 6])), [1, 2, 2, 1], 'VALID')", "img"),
    "collapse_repeated": ("tf.nn.collapse_repeated(tf.constant([[1, 1, 2, 2, 3, 3], [4, 4, 4, 1, 5, 5], [7, 8, 8, 8, 9, 9]]), tf.constant([6, 4, 3]))", None),
    "ctc_unique_labels": ("tf.nn.ctc_unique_labels(tf.constant([[3, 4, 4, 3, 0], [1, 2, 1, 2, 0]], tf.int64))", None),
    "batch_norm_global": ("(tf.nn.batch_norm_with_global_normalization(x, vp[:4], vp[1:5], y[0], y[1], 1e-3, True), tf.nn.batch_norm_with_global_normalization(x, vp[:4], vp[1:5], y[0], y[1], 1e-3, False))", "x"),
    "scale_regularization_loss": ("tf.nn.scale_regularization_loss([tf.reduce_sum(x), tf.reduce_sum(x * x)])", "x"),
    "isotonic_regression": ("tf.nn.isotonic_regression(tf.constant([[1.0, 3.0, 2.0, 4.0, 4.0, 0.5], [5.0, 5.0, 1.0, 2.0, 2.0, 3.0]]))", None),
    "isotonic_regression_grad": ("tf.nn.isotonic_regression(x)", "x"),
    "isotonic_regression_inc": ("tf.nn.isotonic_regression(x, decreasing=False, axis=0)", "x"),
    "compute_accidental_hits": ("tf.nn.compute_accidental_hits(lab2, tf.constant([4, 9, 1, 7, 3], tf.int64), num_true=2)", None),
    "all_candidate_sampler": ("tf.random.all_candidate_sampler(lab2, 2, 10, True)", None),
    "sampled_loss_all_candidates": ("tf.nn.sampled_softmax_loss(emb, bias10, lab1, inp, 10, 10, sampled_values=tf.random.all_candidate_sampler(lab1, 1, 10, True))", "inp"),
    "eig_top": ("(tf.sort(tf.math.real(tf.eigvals(spd))), tf.shape(tf.eig(m44)[1]))", None),
    "matrix_square_root": ("tf.matrix_square_root(spd)", None),
    "required_space_to_batch_paddings": ("tf.required_space_to_batch_paddings([5, 7], [2, 3], [[1, 0], [0, 2]])", None),
    "nn_space_to_batch": ("tf.nn.space_to_batch(sbimg, [2, 2], [[0, 0], [0, 0]])", None),
    # ---- top-level numeric ops -------------------------------------------------------------------
    "truncatediv": ("tf.truncatediv(ints, intd)", None),
    "truncatemod": ("(tf.truncatemod(ints, intd), tf.truncatemod(x * 5.0, vp[:4]))", None),
    "truncatediv_float": ("tf.truncatediv(x * 5.0, vp[:4])", None),
    "scalar_mul": ("tf.scalar_mul(3.0, x)", "x"),
    "unravel_index": ("(tf.unravel_index([5, 0, 11], [3, 4]), tf.unravel_index(7, [2, 2, 2]))", None),
    "reverse_sequence": ("tf.reverse_sequence(seq, [2, 5, 0], seq_axis=1, batch_axis=0)", "seq"),
    "reverse_sequence_t": ("tf.reverse_sequence(tf.transpose(seq, [1, 0, 2]), tf.constant([3, 1, 4], tf.int64), seq_axis=0, batch_axis=1)", "seq"),
    "dynamic_partition": ("tf.dynamic_partition(x, [1, 0, 1], 3)", "x"),
    "dynamic_partition_2d": ("tf.dynamic_partition(v, [0, 1, 1, 0, 2, 2], 3)", "v"),
    "dynamic_stitch": ("tf.dynamic_stitch([[0, 4], [1, 2, 3]], [x[:2], x])", "x"),
    "dynamic_stitch_dup": ("tf.dynamic_stitch([[1, 0], [1]], [v[:2], v[2:3]])", "v"),
    "tensor_scatter_nd_max": ("tf.tensor_scatter_nd_max(x, [[0, 1], [2, 3], [0, 1]], [5.0, -9.0, 1.0])", "x"),
    "tensor_scatter_nd_min": ("tf.tensor_scatter_nd_min(x, [[1], [0]], [y[0], y[1]])", "x"),
    "tensor_scatter_nd_min_upd": ("tf.tensor_scatter_nd_min(x, [[1], [0]], y[:2])", "y"),
    "histogram_fixed_width": ("tf.histogram_fixed_width(x, [-1.0, 1.0], nbins=5)", None),
    "histogram_fixed_width_bins": ("tf.histogram_fixed_width_bins(x, [-1.0, 1.0], nbins=5)", None),
    "histogram_int": ("tf.histogram_fixed_width(tf.constant([0.0, 0.1, 0.2, 0.9, 1.0, 5.0]), [0.0, 1.0], nbins=4, dtype=tf.int64)", None),
    "edit_distance": ("tf.edit_distance(tf.SparseTensor([[0, 0, 0], [1, 0, 0], [1, 0, 1]], ['a', 'b', 'c'], [2, 1, 2]), tf.SparseTensor([[0, 0, 0], [0, 0, 1], [1, 0, 0]], ['a', 'x', 'b'], [2, 1, 2]))", None),
    "edit_distance_raw": ("tf.edit_distance(tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0]], tf.constant([1, 2, 3, 4], tf.int64), [3, 3]), tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 3, 5], tf.int64), [3, 2]), normalize=False)", None),
    "edit_distance_norm_empty": ("tf.edit_distance(tf.SparseTensor([[0, 0], [1, 0]], tf.constant([1, 2], tf.int64), [3, 1]), tf.SparseTensor([[1, 0]], tf.constant([1], tf.int64), [3, 1]))", None),
    "space_to_batch_nd": ("tf.space_to_batch_nd(sbimg, [2, 2], [[0, 0], [0, 0]])", "sbimg"),
    "space_to_batch_pad": ("tf.space_to_batch(sbimg, [2, 3], [[1, 1], [1, 1]])", "sbimg"),
    "batch_to_space": ("tf.batch_to_space(tf.space_to_batch(sbimg, [2, 3], [[1, 1], [1, 1]]), [2, 3], [[1, 1], [1, 1]])", "sbimg"),
    "batch_to_space_1d": ("tf.batch_to_space(x1d[:, :8], [2], [[0, 1]])", "x1d"),
    "saturate_cast": ("(tf.saturate_cast(x * 300.0, tf.uint8), tf.saturate_cast(x * 1e5, tf.int16), tf.saturate_cast(tf.constant([1e10, -1e10, 3.7]), tf.int32), tf.saturate_cast(tf.constant([300, -5], tf.int32), tf.uint8))", None),
    "bitcast": ("(tf.bitcast(tf.constant([1.0, -2.0]), tf.int32), tf.bitcast(tf.constant([[1, 2], [3, 4]], tf.uint8), tf.int16), tf.bitcast(tf.constant([[1, 0], [2, 0]], tf.int16), tf.int32))", None),
    "bitwise": ("(tf.bitwise.bitwise_and(ints, intd), tf.bitwise.bitwise_or(ints, intd), tf.bitwise.bitwise_xor(ints, intd), tf.bitwise.invert(ints), tf.bitwise.left_shift(ints, tf.abs(intd)), tf.bitwise.right_shift(ints, tf.abs(intd)))", None),
    "dtypes": ("(tf.zeros([2], tf.uint16), tf.ones([2], tf.uint32), tf.cast(x[0], tf.half), tf.cast(x[0], tf.double), tf.cast(tf.constant([3, 4]), tf.uint64))", None),
}


def _weights(shape):
    n = int(np.prod(shape)) if len(shape) else 1
    return np.cos(np.arange(n, dtype=np.float64)).reshape(shape)


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [a for o in out for a in _flat(o)]
    if isinstance(out, tf.SparseTensor):
        return [out.indices, out.values, out.dense_shape]
    return [out]


def main():
    arrays = {f"in/{k}": v for k, v in INPUTS.items()}
    meta = {}
    for name, (expr, wrt) in CASES.items():
        env = {k: tf.constant(v) for k, v in INPUTS.items()}
        env.update(tf=tf, np=np)
        watch = env[wrt] if wrt else None
        with tf.GradientTape() as tape:
            if watch is not None:
                tape.watch(watch)
            try:
                outs = _flat(eval(expr, env))  # noqa: S307 -- the cases above
            except Exception as e:
                raise RuntimeError(f"case {name}: {expr}") from e
            loss = tf.constant(0.0, tf.float64)
            for o in outs:
                if isinstance(o, tf.Tensor) and o.dtype.is_floating:
                    loss += tf.reduce_sum(tf.cast(o, tf.float64) * _weights(o.shape))
        kinds = []
        for j, o in enumerate(outs):
            a = o.numpy() if isinstance(o, (tf.Tensor, tf.Variable)) else np.asarray(o)
            if a.dtype == object:
                a = a.astype(bytes)
            arrays[f"{name}/out{j}"] = a
            kinds.append(str(a.dtype) if a.dtype != np.bool_ else "bool")
        meta[name] = {"expr": expr, "wrt": wrt, "dtypes": kinds,
                      "python": [not isinstance(o, (tf.Tensor, tf.Variable)) for o in outs]}
        if watch is not None:
            g = tape.gradient(loss, watch)
            g = tf.convert_to_tensor(g) if g is not None else tf.zeros_like(watch)  # IndexedSlices
            arrays[f"{name}/grad"] = g.numpy()
    np.savez_compressed(OUT + ".npz", **arrays)
    with open(OUT + ".json", "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": meta}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
