"""Pooling against an independent direct-loop implementation of Keras semantics (padded cells
never win a max, 'same' averages divide by the real-cell count, max gradient to the FIRST
argmax), on every backend and ISA; NaN propagation; finite-difference gradients through the
Tensor API; bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tfhelpers import assert_close, assert_grad_close, numeric_grad, on_backend, to_numpy


def tf_same_pads(H, K, s):
    out = (H + s - 1) // s
    total = max((out - 1) * s + K - H, 0)
    return total // 2, total - total // 2


def direct_pool(x, k, s, padding, kind):
    """Loops in float64. Returns (y, dx_of_sum_weighted) helpers: y and, per output, the list of
    (ih, iw) real cells and the first argmax."""
    x = x.astype(np.float64)
    N, H, W, C = x.shape
    (kh, kw), (sh, sw) = k, s
    if padding == "same":
        pt, pb = tf_same_pads(H, kh, sh)
        pl, pr = tf_same_pads(W, kw, sw)
    else:
        pt = pb = pl = pr = 0
    OH, OW = (H + pt + pb - kh) // sh + 1, (W + pl + pr - kw) // sw + 1
    y = np.zeros((N, OH, OW, C))
    arg = np.zeros((N, OH, OW, C, 2), dtype=int)
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                cells = [(ih, iw) for ih in range(oh * sh - pt, oh * sh - pt + kh)
                         for iw in range(ow * sw - pl, ow * sw - pl + kw) if 0 <= ih < H and 0 <= iw < W]
                for c in range(C):
                    vals = [x[n, ih, iw, c] for ih, iw in cells]
                    if kind == "avg":
                        y[n, oh, ow, c] = sum(vals) / len(vals)
                    else:
                        nan = [i for i, v in enumerate(vals) if np.isnan(v)]
                        best = nan[0] if nan else int(np.argmax(vals))  # np.argmax: first max
                        y[n, oh, ow, c] = vals[best]
                        arg[n, oh, ow, c] = cells[best]
    return y, arg


def direct_max_backward(dy, arg, shape):
    dx = np.zeros(shape)
    N, OH, OW, C = dy.shape
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                for c in range(C):
                    ih, iw = arg[n, oh, ow, c]
                    dx[n, ih, iw, c] += dy[n, oh, ow, c]
    return dx


def direct_avg_backward(dy, shape, k, s, padding):
    N, H, W, C = shape
    (kh, kw), (sh, sw) = k, s
    pt = tf_same_pads(H, kh, sh)[0] if padding == "same" else 0
    pl = tf_same_pads(W, kw, sw)[0] if padding == "same" else 0
    dx = np.zeros(shape)
    _, OH, OW, _ = dy.shape
    for oh in range(OH):
        for ow in range(OW):
            cells = [(ih, iw) for ih in range(oh * sh - pt, oh * sh - pt + kh)
                     for iw in range(ow * sw - pl, ow * sw - pl + kw) if 0 <= ih < H and 0 <= iw < W]
            for ih, iw in cells:
                dx[:, ih, iw, :] += dy[:, oh, ow, :] / len(cells)
    return dx


CASES = [  # (x shape, pool_size, strides, padding)
    ((2, 5, 5, 3), 2, None, "valid"),
    ((2, 5, 5, 3), 2, None, "same"),
    ((1, 7, 6, 17), 3, 2, "same"),
    ((3, 4, 9, 20), (2, 3), (1, 2), "same"),
    ((1, 2, 3, 5), 3, 1, "same"),          # input smaller than the window
    ((2, 6, 6, 1), 3, 3, "valid"),
    ((1, 8, 5, 33), (4, 1), (3, 1), "same"),
    ((2, 9, 9, 70), 3, 1, "valid"),        # overlapping windows
]


@pytest.mark.parametrize("shape,k,s,padding", CASES)
def test_pool_against_direct_loops(backend, shape, k, s, padding):
    rng = np.random.default_rng(sum(shape))
    # small integers: many ties, so "first argmax" is exercised
    x = rng.integers(-3, 3, size=shape).astype(np.float32)
    kk = (k, k) if isinstance(k, int) else k
    ss = kk if s is None else ((s, s) if isinstance(s, int) else s)
    ymax, arg = direct_pool(x, kk, ss, padding, "max")
    yavg, _ = direct_pool(x, kk, ss, padding, "avg")
    xb = on_backend(x, backend)
    got = to_numpy(tf.ops.max_pool2d(xb, k, s, padding))
    np.testing.assert_array_equal(got, ymax)
    assert_close(tf.ops.avg_pool2d(xb, k, s, padding), yavg, scale=np.abs(yavg) + 3, n=kk[0] * kk[1])
    # gradients through the Tensor API
    dy = rng.standard_normal(ymax.shape).astype(np.float32)
    xt = tf.Tensor(xb, requires_grad=True)
    (tf.ops.max_pool2d(xt, k, s, padding) * on_backend(dy, backend)).sum().backward()
    want = direct_max_backward(dy.astype(np.float64), arg, shape)
    assert_close(xt.grad, want, scale=np.abs(want) + 1, n=kk[0] * kk[1], what="max dx")
    xt = tf.Tensor(xb, requires_grad=True)
    (tf.ops.avg_pool2d(xt, k, s, padding) * on_backend(dy, backend)).sum().backward()
    want = direct_avg_backward(dy.astype(np.float64), shape, kk, ss, padding)
    assert_close(xt.grad, want, scale=np.abs(want) + 1, n=kk[0] * kk[1], what="avg dx")


def test_pool_isa_paths(isa):
    rng = np.random.default_rng(2)
    for shape, k, s, padding in CASES + [((2, 24, 24, 20), 2, None, "valid"), ((1, 13, 11, 64), 2, None, "same")]:
        x = rng.integers(-4, 4, size=shape).astype(np.float32)
        kk = (k, k) if isinstance(k, int) else k
        ss = kk if s is None else ((s, s) if isinstance(s, int) else s)
        ymax, arg = direct_pool(x, kk, ss, padding, "max")
        yavg, _ = direct_pool(x, kk, ss, padding, "avg")
        np.testing.assert_array_equal(tf.ops.max_pool2d(x, k, s, padding), ymax)
        assert_close(tf.ops.avg_pool2d(x, k, s, padding), yavg, scale=np.abs(yavg) + 4, n=kk[0] * kk[1])
        y, am = tf.kernels.max_pool2d(x, k, s, padding, with_argmax=True)
        np.testing.assert_array_equal(am // shape[2], arg[..., 0])
        np.testing.assert_array_equal(am % shape[2], arg[..., 1])
        dy = rng.standard_normal(y.shape).astype(np.float32)
        dx = tf.kernels.max_pool2d_backward(dy, am, shape, k, s, padding)
        want = direct_max_backward(dy.astype(np.float64), arg, shape)
        assert_close(dx, want, scale=np.abs(want) + 1, n=kk[0] * kk[1], what=f"[{isa}] max dx")
        g = tf.kernels.global_avg_pool2d(x)
        assert_close(g, x.astype(np.float64).mean(axis=(1, 2)), scale=np.abs(x).mean(axis=(1, 2)) + 1,
                     n=shape[1] * shape[2])


def test_max_pool_nan_propagates_and_padding_never_wins(backend):
    x = -np.ones((1, 3, 3, 2), np.float32) * 5     # all negative: a zero pad would win if it could
    x[0, 0, 0, 1] = np.nan
    y = to_numpy(tf.ops.max_pool2d(on_backend(x, backend), 2, 2, "same"))
    assert y.shape == (1, 2, 2, 2)
    assert (y[..., 0] == -5).all(), "padded cells must never win a max"
    assert np.isnan(y[0, 0, 0, 1]) and (y[0, 1, 1, 1] == -5)
    x = np.full((1, 2, 2, 1), -np.inf, np.float32)
    np.testing.assert_array_equal(to_numpy(tf.ops.max_pool2d(on_backend(x, backend), 3, 1, "same")), -np.inf)


def test_avg_pool_same_divides_by_real_cells(backend):
    x = np.ones((1, 5, 5, 3), np.float32)
    y = to_numpy(tf.ops.avg_pool2d(on_backend(x, backend), 3, 2, "same"))
    np.testing.assert_allclose(y, 1.0, rtol=1e-6)


@pytest.mark.parametrize("k,s,padding", [(2, None, "valid"), (3, 2, "same"), ((2, 3), 1, "same")])
def test_pool_gradients_finite_difference(backend, k, s, padding):
    rng = np.random.default_rng(4)
    # distinct values (a permutation) keep the max differentiable under a small perturbation
    x = (rng.permutation(2 * 5 * 6 * 3).reshape(2, 5, 6, 3) * 0.1).astype(np.float64)
    kk = (k, k) if isinstance(k, int) else k
    ss = kk if s is None else ((s, s) if isinstance(s, int) else s)
    for kind, op in (("max", tf.ops.max_pool2d), ("avg", tf.ops.avg_pool2d)):
        y0, _ = direct_pool(x, kk, ss, padding, kind)
        Rw = rng.standard_normal(y0.shape)
        xt = tf.Tensor(on_backend(x.astype(np.float32), backend), requires_grad=True)
        (op(xt, k, s, padding) * on_backend(Rw.astype(np.float32), backend)).sum().backward()
        f = lambda: float((direct_pool(x, kk, ss, padding, kind)[0] * Rw).sum())  # noqa: E731
        assert_grad_close(xt.grad, numeric_grad(f, x, eps=1e-3), what=f"{kind} pool dx")


def test_global_avg_pool_forward_and_gradient(backend):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4, 5, 7))
    y = tf.ops.global_avg_pool2d(on_backend(x.astype(np.float32), backend))
    assert_close(y, x.mean(axis=(1, 2)), scale=np.abs(x).mean(axis=(1, 2)), n=20)
    Rw = rng.standard_normal((3, 7))
    xt = tf.Tensor(on_backend(x.astype(np.float32), backend), requires_grad=True)
    (tf.ops.global_avg_pool2d(xt) * on_backend(Rw.astype(np.float32), backend)).sum().backward()
    f = lambda: float((x.mean(axis=(1, 2)) * Rw).sum())  # noqa: E731
    assert_grad_close(xt.grad, numeric_grad(f, x), what="global avg dx")


F = np.float32
X = np.ones((2, 6, 6, 3), F)
BAD = [
    (lambda: tf.ops.max_pool2d(np.ones((6, 6, 3), F)), ValueError, r"max_pool2d: x must be 4-D .*\(6, 6, 3\)"),
    (lambda: tf.ops.avg_pool2d(X.astype(np.float64)), TypeError, r"avg_pool2d: x must be float32, got float64"),
    (lambda: tf.ops.max_pool2d(X, 0), ValueError, r"max_pool2d: pool_size must be >= 1"),
    (lambda: tf.ops.max_pool2d(X, 2, 0), ValueError, r"max_pool2d: strides must be >= 1"),
    (lambda: tf.ops.avg_pool2d(X, 2, -1), ValueError, r"avg_pool2d: strides must be >= 1"),
    (lambda: tf.ops.max_pool2d(X, 7, 1, "valid"), ValueError, r"pool_size \(7, 7\) is larger than the padded input"),
    (lambda: tf.ops.max_pool2d(X, 2, 2, "full"), ValueError, r"padding must be 'valid' or 'same'"),
    (lambda: tf.ops.global_avg_pool2d(np.ones((2, 3), F)), ValueError, r"global_avg_pool2d: x must be 4-D"),
    (lambda: tf.ops.max_pool2d(np.ones((0, 6, 6, 3), F)), ValueError, r"must not be empty"),
]


@pytest.mark.parametrize("call,exc,msg", BAD)
def test_pool_bad_input(backend, call, exc, msg):
    if backend == "cuda":
        pytest.skip("bad-input cases use NumPy arrays")
    with pytest.raises(exc, match=msg):
        call()


def test_pool_noncontiguous_input(backend):
    rng = np.random.default_rng(8)
    big = rng.standard_normal((2, 8, 8, 6)).astype(np.float32)
    x = big[:, 1:, ::2, 1::2]
    want, _ = direct_pool(np.ascontiguousarray(x), (2, 2), (2, 2), "same", "max")
    np.testing.assert_array_equal(to_numpy(tf.ops.max_pool2d(on_backend(x, backend), 2, None, "same")), want)


def test_native_pool_binding_rejects_bad_input():
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    with pytest.raises(ValueError, match="max_pool2d_forward: x must be C-contiguous"):
        C.max_pool2d_forward(X[:, ::2], 2, 2, 2, 2, 0, 0, 0, 0, False)
    with pytest.raises(TypeError, match="avg_pool2d_forward: x must be float32"):
        C.avg_pool2d_forward(X.astype(np.float16), 2, 2, 2, 2, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="strides must be >= 1"):
        C.max_pool2d_forward(X, 2, 2, 0, 2, 0, 0, 0, 0, False)
    with pytest.raises(ValueError, match="pads .* must be smaller than the pool size"):
        C.avg_pool2d_forward(X, 2, 2, 2, 2, 2, 0, 0, 0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        C.max_pool2d_forward(X, 9, 2, 1, 1, 0, 0, 0, 0, False)
    y, am = C.max_pool2d_forward(X, 2, 2, 2, 2, 0, 0, 0, 0, True)
    with pytest.raises(TypeError, match="argmax must be int32"):
        C.max_pool2d_backward(y, am.astype(np.int64), 6, 6, 2, 2, 2, 2, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="argmax must have the shape of dy"):
        C.max_pool2d_backward(y, am[:, :2].copy(), 6, 6, 2, 2, 2, 2, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="dy must have shape"):
        C.max_pool2d_backward(y, am, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0)
    # an argmax that names no cell of its window drops the gradient, never writes out of bounds
    bad = np.full_like(am, 2**30)
    assert (C.max_pool2d_backward(y, bad, 6, 6, 2, 2, 2, 2, 0, 0, 0, 0) == 0).all()
    with pytest.raises(ValueError, match="global_avg_pool2d_backward: H and W must be >= 1"):
        C.global_avg_pool2d_backward(np.ones((2, 3), F), 0, 4)


def test_max_pool_random_nans_match_direct_loops(backend):
    rng = np.random.default_rng(12)
    for shape, k, s, padding in CASES[:5]:
        x = rng.integers(-3, 3, size=shape).astype(np.float32)
        x[rng.random(shape) < 0.15] = np.nan
        kk = (k, k) if isinstance(k, int) else k
        ss = kk if s is None else ((s, s) if isinstance(s, int) else s)
        ymax, arg = direct_pool(x, kk, ss, padding, "max")
        np.testing.assert_array_equal(to_numpy(tf.ops.max_pool2d(on_backend(x, backend), k, s, padding)), ymax)
        y, am = tf.kernels.max_pool2d(on_backend(x, backend), k, s, padding, with_argmax=True)
        np.testing.assert_array_equal(to_numpy(y), ymax)
        np.testing.assert_array_equal(to_numpy(am), arg[..., 0] * shape[2] + arg[..., 1])
