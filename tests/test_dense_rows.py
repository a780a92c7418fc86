"""The Dense backward's input gradient for a few rows (Note [dX of a few rows] in
csrc/include/tf/dense.h): the native dense_backward at M <= 16 rows and 64K+ weights against
float64 NumPy products (dW and db against the GEMM and the row sum bit for bit), on every ISA
path, at any thread count, and through the Dense op's gradients."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native

pytestmark = pytest.mark.skipif(_native._C is None, reason="native CPU module not built")


def _operands(M, K, N, seed, strided_x=False):
    r = np.random.default_rng(seed)
    g = r.standard_normal((M, N)).astype(np.float32)
    x = r.standard_normal((M, 2 * K if strided_x else K)).astype(np.float32)
    x = x[:, ::2] if strided_x else x
    w = r.standard_normal((K, N)).astype(np.float32)
    y = np.maximum(r.standard_normal((M, N)).astype(np.float32), 0)
    return g, x, w, y


def _want(g, x, w, y):
    """float64 products of the masked upstream gradient: dx, dw, db."""
    d = g.astype(np.float64) * (y > 0) if y is not None else g.astype(np.float64)
    return d @ w.astype(np.float64).T, x.astype(np.float64).T @ d, d.sum(axis=0)


def _close(got, want, k):
    # float32 sums of k products of unit normals: the error grows like sqrt(k) * eps * |terms|
    tol = 4e-6 * np.sqrt(k) * 4
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# M: one row, 8 (one vector of rows on avx2), 9 (two, padded), 16 (LeNet at a rank's batch);
# K not a multiple of the 6 / 8 / 12 rows of a block
@pytest.mark.parametrize("M,K,N", [(1, 300, 240), (8, 301, 223), (9, 257, 260), (16, 1800, 500),
                                   (16, 130, 513)])
def test_few_rows_match_float64_and_the_gemm_dw(isa, M, K, N):
    from tensorforge import kernels
    C = _native._C
    assert K * N >= 1 << 16  # the one-pass path's size
    for strided in (False, True):
        g, x, w, y = _operands(M, K, N, M * 1000 + K, strided)
        for yy in (y, None):
            dx, dw, db = C.dense_backward(g, x, w, yy, True, True, True)
            want = _want(g, x, w, yy)
            _close(dx, want[0], N)
            _close(dw, want[1], M)
            _close(db, want[2], M)
            d = kernels.act_backward(g, yy, yy, "relu", 0.0) if yy is not None else g
            # dW is the GEMM's, db the row sum's; dx within tolerance of the GEMM's
            assert np.array_equal(dw, kernels.gemm(x, d, trans_a=True))
            assert np.array_equal(db, d.sum(axis=0))
            _close(kernels.gemm(d, w, trans_b=True), dx, N)
            # dx alone: the same values
            assert np.array_equal(C.dense_backward(g, x, w, yy, True, False, False)[0], dx)


def test_few_rows_write_into_given_arrays_and_agree_across_thread_counts(isa):
    C = _native._C
    g, x, w, y = _operands(16, 1800, 500, 7)
    prev = tf.get_num_threads()
    try:
        tf.set_num_threads(1)
        one = C.dense_backward(g, x, w, y, True, True, True)
        tf.set_num_threads(2)
        two = C.dense_backward(g, x, w, y, True, True, True)
        flat = np.full(1800 * 500 + 500, np.nan, np.float32)
        dw_out, db_out = flat[:-500].reshape(1800, 500), flat[-500:]
        into = C.dense_backward(g, x, w, y, True, True, True, dw_out, db_out)
    finally:
        tf.set_num_threads(prev)
    assert np.shares_memory(into[1], dw_out) and np.shares_memory(into[2], db_out)
    for a, b, c in zip(one, two, into):
        assert np.array_equal(a, b) and np.array_equal(a, c)


def test_dense_layer_gradients_at_a_rank_batch_match_float64(isa):
    """LeNet's Dense(500, relu) on 1800 features at batch 16: the layer's weight, bias and input
    gradients (the op's backward through the one pass) against float64 NumPy."""
    from tensorforge.autograd import Tensor
    from tensorforge.ops.gemm import dense
    g, x, w, _ = _operands(16, 1800, 500, 11)
    b = np.random.default_rng(3).standard_normal(500).astype(np.float32)
    xt, wt, bt = (Tensor(a.copy(), requires_grad=True) for a in (x, w, b))
    y = dense(xt, wt, bt, "relu")
    y.backward(g)
    z = x.astype(np.float64) @ w.astype(np.float64) + b
    d = g.astype(np.float64) * (z > 0)
    assert np.array_equal(y.data > 0, z > 0)  # (no pre-activation within rounding of 0 here)
    _close(xt.grad, d @ w.astype(np.float64).T, 500)
    _close(wt.grad, x.astype(np.float64).T @ d, 16)
    _close(bt.grad, d.sum(axis=0), 16)
