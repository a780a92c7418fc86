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
    (lambda: tf.ops.avg_pool2d(X.astype(np.float16)), TypeError, r"avg_pool2d: x must be float32 or float64, got float16"),
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


def random_pool_case(rng, trial, channels):
    """(shape, pool size, strides, padding, x) of a random NHWC pooling case: 1-2 images of
    1-11 x 1-11, channels from ``channels``, pools 1-4, strides 1-3, 'valid' on even trials
    unless the pool is larger than the image."""
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12)),
             int(rng.choice(channels)))
    k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = "same" if trial % 2 else "valid"
    if padding == "valid" and (k[0] > shape[1] or k[1] > shape[2]):
        padding = "same"
    return shape, k, s, padding, rng.standard_normal(shape).astype(np.float32)


def window_max(x, k, s, padding):
    """Max pool by one np.max per window (NaN if the window holds one), independent of the kernels."""
    N, H, W, C = x.shape
    (kh, kw), (sh, sw) = k, s
    pt, pb = tf_same_pads(H, kh, sh) if padding == "same" else (0, 0)
    pl, pr = tf_same_pads(W, kw, sw) if padding == "same" else (0, 0)
    OH, OW = (H + pt + pb - kh) // sh + 1, (W + pl + pr - kw) // sw + 1
    y = np.empty((N, OH, OW, C), x.dtype)
    for oh in range(OH):
        for ow in range(OW):
            r0, c0 = max(oh * sh - pt, 0), max(ow * sw - pl, 0)
            y[:, oh, ow] = x[:, r0:oh * sh - pt + kh, c0:ow * sw - pl + kw].max(axis=(1, 2))
    return y


def test_max_pool_inference_random_shapes_nans_and_infs(isa):
    """The inference max pool (no argmax) on random shapes: odd sizes, pools 1-4, strides 1-3,
    both paddings, channel counts around the vector width (masked tails); NaNs in a few rows only
    or sparse anywhere (a NaN-checking fast path must not drop one), +-inf and huge values (a
    checksum of the taps as NaN check would see inf - inf), and threads splitting the rows."""
    rng = np.random.default_rng(15)
    for trial in range(60):
        shape, k, s, padding, x = random_pool_case(rng, trial, [1, 3, 8, 9, 20, 33, 64])
        kind = trial % 4
        if kind == 1:  # NaNs in one image row
            x[:, int(rng.integers(shape[1])), rng.random(shape[2]) < 0.5] = np.nan
        elif kind == 2:  # infinities of both signs (and huge finite values)
            x[rng.random(shape) < 0.1] = np.inf
            x[rng.random(shape) < 0.1] = -np.inf
            x[rng.random(shape) < 0.05] = 3e38
        elif kind == 3:  # sparse NaNs anywhere
            x[rng.random(shape) < 0.02] = np.nan
        want = window_max(x, k, s, padding)
        got = tf.ops.max_pool2d(x, k, s, padding)
        np.testing.assert_array_equal(got, want, err_msg=f"{isa} {shape} pool {k} strides {s} {padding}")
    # threads split the rows (each keeps its own shared row): images above the parallel threshold,
    # NaNs in the rows shared by two 3x3/2 windows
    x = rng.standard_normal((3, 41, 39, 20)).astype(np.float32)
    x[1, 10, 5:9, 3] = np.nan
    x[2, 20, 7, :] = np.nan
    for k, s, padding in [(3, 2, "same"), (3, 2, "valid"), (2, 2, "valid"), (3, 1, "same")]:
        want = window_max(x, (k, k), (s, s), padding)
        for threads in (1, 2, 3):
            tf.set_num_threads(threads)
            np.testing.assert_array_equal(tf.ops.max_pool2d(x, k, s, padding), want,
                                          err_msg=f"{isa} pool {k} strides {s} {padding} threads {threads}")
        tf.set_num_threads(2)



def window_avg(x, k, s, padding):
    """Average pool by one float64 np.mean per window over its real cells ('same' divides by the
    real-cell count), independent of the kernels."""
    N, H, W, C = x.shape
    (kh, kw), (sh, sw) = k, s
    pt, pb = tf_same_pads(H, kh, sh) if padding == "same" else (0, 0)
    pl, pr = tf_same_pads(W, kw, sw) if padding == "same" else (0, 0)
    OH, OW = (H + pt + pb - kh) // sh + 1, (W + pl + pr - kw) // sw + 1
    y = np.empty((N, OH, OW, C))
    for oh in range(OH):
        for ow in range(OW):
            r0, c0 = max(oh * sh - pt, 0), max(ow * sw - pl, 0)
            y[:, oh, ow] = x[:, r0:oh * sh - pt + kh, c0:ow * sw - pl + kw].astype(np.float64).mean(axis=(1, 2))
    return y


def test_avg_pool_random_shapes_rows_first(isa):
    """The average pool sums each window's rows first, then its columns (Note [rows first] in
    csrc/cpu/pool.cpp): random odd sizes, pools 1-4 (taller and wider than strides 1-3, so rows
    are shared by windows or skipped), both paddings, channel counts around the vector width
    (masked tails of the row pass and the column pass), NaN/inf rows, 1-3 threads."""
    rng = np.random.default_rng(515)
    for trial in range(60):
        shape, k, s, padding, x = random_pool_case(rng, trial, [1, 3, 8, 9, 17, 20, 33, 64])
        if trial % 3 == 1:  # a NaN and an inf in one image row
            row = int(rng.integers(shape[1]))
            x[:, row, int(rng.integers(shape[2]))] = np.nan
            x[:, row, int(rng.integers(shape[2])), 0] = np.inf
        want = window_avg(x, k, s, padding)
        got = tf.ops.avg_pool2d(x, k, s, padding)
        what = f"{isa} {shape} pool {k} strides {s} {padding}"
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=what)
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want), err_msg=what)
        ok = np.isfinite(want)
        assert_close(got[ok], want[ok], scale=np.abs(want[ok]) + 4, n=k[0] * k[1], what=what)
    x = rng.standard_normal((3, 41, 39, 20)).astype(np.float32)  # above the parallel threshold
    for k, s, padding in [(3, 2, "same"), (2, 2, "valid"), (3, 1, "same")]:
        want = window_avg(x, (k, k), (s, s), padding)
        for threads in (1, 2, 3):
            tf.set_num_threads(threads)
            assert_close(tf.ops.avg_pool2d(x, k, s, padding), want, scale=np.abs(want) + 4, n=k * k,
                         what=f"{isa} pool {k} strides {s} {padding} threads {threads}")
        tf.set_num_threads(2)


def test_pool_forward_streaming_outputs(isa):
    """Outputs above 4 MiB are built a row at a time and written with non-temporal stores
    (Note [streaming stores]): max (inference) and average pools of that size, channel counts
    with masked tails, 1-3 threads, against window reductions in float64."""
    from numpy.lib.stride_tricks import sliding_window_view
    rng = np.random.default_rng(21)
    for shape, k, s, padding in [((2, 260, 250, 37), 3, 2, "same"), ((2, 300, 150, 64), 2, 2, "valid"),
                                 ((1, 97, 211, 61), 3, 1, "valid")]:
        x = rng.standard_normal(shape).astype(np.float32)
        x[0, 5, 7:9, :3] = np.nan  # NaN in -> NaN out, in the streamed rows too
        want_max = window_max(x, (k, k), (s, s), padding)
        assert want_max.nbytes > 4 << 20
        if padding == "valid":
            win = sliding_window_view(x.astype(np.float64), (k, k), axis=(1, 2))[:, ::s, ::s]
            want_avg = win.mean(axis=(-2, -1))
        for threads in (1, 2, 3):
            tf.set_num_threads(threads)
            np.testing.assert_array_equal(tf.ops.max_pool2d(x, k, s, padding), want_max,
                                          err_msg=f"{isa} {shape} max threads {threads}")
            if padding == "valid":
                got = tf.ops.avg_pool2d(x, k, s, padding)
                np.testing.assert_array_equal(np.isnan(got), np.isnan(want_avg))
                ok = ~np.isnan(want_avg)
                assert_close(got[ok], want_avg[ok], scale=np.abs(want_avg[ok]) + 4, n=k * k,
                             what=f"{isa} {shape} avg threads {threads}")
        tf.set_num_threads(2)

# ---- nearest upsampling (UpSampling2D): the transpose of a sum pool ---------------------------
UP_CASES = [((2, 3, 5, 3), 2, 2), ((1, 1, 1, 33), 3, 1), ((3, 4, 2, 1), 1, 4), ((2, 7, 3, 20), 2, 3),
            ((1, 2, 2, 64), 2, 2), ((1, 3, 2, 13), 1, 1)]


def up_block_sums(dy, sh, sw):
    """float64 block sums by loops (independent of the reference's strided adds)."""
    N, OH, OW, C = dy.shape
    dx = np.zeros((N, OH // sh, OW // sw, C))
    for ih in range(OH // sh):
        for iw in range(OW // sw):
            dx[:, ih, iw] = dy[:, ih * sh:(ih + 1) * sh, iw * sw:(iw + 1) * sw].astype(np.float64).sum(axis=(1, 2))
    return dx


@pytest.mark.parametrize("shape,sh,sw", UP_CASES)
def test_upsample_nearest_kernels(backend, shape, sh, sw):
    from tensorforge import reference as R
    rng = np.random.default_rng(sum(shape) + sh + 7 * sw)
    x = rng.standard_normal(shape).astype(np.float32)
    y = tf.kernels.upsample_nearest2d(on_backend(x, backend), sh, sw)
    np.testing.assert_array_equal(to_numpy(y), np.repeat(np.repeat(x, sh, axis=1), sw, axis=2))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = tf.kernels.upsample_nearest2d_backward(on_backend(dy, backend), sh, sw)
    assert_close(dx, up_block_sums(dy, sh, sw), scale=up_block_sums(np.abs(dy), sh, sw), n=sh * sw)
    # the block is summed in one documented order on every backend: the same bits as the reference
    np.testing.assert_array_equal(to_numpy(dx), R.upsample_nearest2d_backward(dy, sh, sw))


def test_upsample_nearest_isa_paths_and_threads(isa):
    from tensorforge import reference as R
    rng = np.random.default_rng(3)
    # the last two write > 4 MiB: the streaming-store path (Note [streaming stores])
    for shape, sh, sw in UP_CASES + [((4, 14, 14, 64), 2, 2), ((2, 9, 5, 20), 3, 2),
                                     ((2, 64, 64, 40), 2, 2), ((3, 60, 61, 13), 3, 3)]:
        x = rng.standard_normal(shape).astype(np.float32)
        dy = rng.standard_normal((shape[0], shape[1] * sh, shape[2] * sw, shape[3])).astype(np.float32)
        outs = []
        for threads in (1, 2, 3):
            tf.set_num_threads(threads)
            outs.append((tf.kernels.upsample_nearest2d(x, sh, sw),
                         tf.kernels.upsample_nearest2d_backward(dy, sh, sw)))
        tf.set_num_threads(2)
        for y, dx in outs:
            np.testing.assert_array_equal(y, R.upsample_nearest2d_forward(x, sh, sw), err_msg=isa)
            np.testing.assert_array_equal(dx, R.upsample_nearest2d_backward(dy, sh, sw), err_msg=isa)


def test_upsample_nearest_random_edge_shapes(isa):
    """Randomized edge shapes on every ISA: N = 1, odd H/W, C around the 8/16-lane vector widths
    (tails, blocks of 1-4 vectors, C < one vector: the whole-vector tail stores must stay inside
    the row), sizes 1..4, against the NumPy reference (forward exact, backward bit-identical)."""
    from tensorforge import reference as R
    rng = np.random.default_rng(151)
    Cs = [1, 3, 7, 8, 9, 15, 16, 17, 20, 31, 33, 47, 63, 64, 65, 70]
    for trial in range(40):
        N = 1 if trial % 2 else int(rng.integers(1, 4))
        H, W = (int(v) for v in rng.integers(1, 8, size=2) * 2 - 1)  # odd
        if trial % 5 == 0:
            H, W = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        C = Cs[trial % len(Cs)]
        sh, sw = (int(v) for v in rng.integers(1, 5, size=2))
        x = rng.standard_normal((N, H, W, C)).astype(np.float32)
        dy = rng.standard_normal((N, H * sh, W * sw, C)).astype(np.float32)
        what = f"{isa} x {x.shape} size {(sh, sw)}"
        y = tf.kernels.upsample_nearest2d(x, sh, sw)
        np.testing.assert_array_equal(y, R.upsample_nearest2d_forward(x, sh, sw), err_msg=what)
        dx = tf.kernels.upsample_nearest2d_backward(dy, sh, sw)
        assert_close(dx, up_block_sums(dy, sh, sw), scale=up_block_sums(np.abs(dy), sh, sw), n=sh * sw)
        np.testing.assert_array_equal(dx, R.upsample_nearest2d_backward(dy, sh, sw), err_msg=what)


def test_upsample_gradient_through_tensor_api_and_float64(backend):
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
        dy = rng.standard_normal((2, 6, 12, 5)).astype(dtype)
        xt = tf.Tensor(on_backend(x, backend), requires_grad=True)
        y = tf.ops.upsample2d(xt, (2, 3))
        assert y.dtype == dtype
        (y * on_backend(dy, backend)).sum().backward()
        want = up_block_sums(dy, 2, 3)
        assert to_numpy(xt.grad).dtype == dtype
        assert_close(xt.grad, want, scale=up_block_sums(np.abs(dy), 2, 3), n=6, dtype=dtype)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: tf.kernels.upsample_nearest2d(np.ones((1, 2, 2, 1), np.float32), 0, 2), ValueError,
     "upsample_nearest2d: sh must be >= 1"),
    (lambda: tf.kernels.upsample_nearest2d(np.ones((1, 2, 2, 1), np.float32), 2, True), TypeError,
     "upsample_nearest2d: sw must be an int"),
    (lambda: tf.kernels.upsample_nearest2d(np.ones((2, 2, 1), np.float32), 2, 2), ValueError,
     r"upsample_nearest2d: x must be 4-D"),
    (lambda: tf.kernels.upsample_nearest2d(np.ones((1, 2, 2, 1), np.int32), 2, 2), TypeError,
     "upsample_nearest2d: x must be float32 or float64"),
    (lambda: tf.kernels.upsample_nearest2d_backward(np.ones((1, 5, 4, 1), np.float32), 2, 2),
     ValueError, r"upsample_nearest2d_backward: dy's height and width must be multiples of size \(2, 2\)"),
    (lambda: tf.kernels.upsample_nearest2d(np.ones((1, 2, 2, 1), np.float32), 2 ** 40, 2 ** 40),
     ValueError, "upsample_nearest2d: the output would have shape"),
])
def test_upsample_bad_input(backend, call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_native_upsample_binding_rejects_bad_input():
    from tensorforge import _native
    C = _native._C
    if C is None:
        pytest.skip("native module not built")
    x = np.ones((1, 2, 2, 3), np.float32)
    with pytest.raises(ValueError, match="upsample_nearest2d_forward: size must be >= 1"):
        C.upsample_nearest2d_forward(x, 0, 1)
    with pytest.raises(ValueError, match=r"upsample_nearest2d_forward: H \* sh = .* is too large"):
        C.upsample_nearest2d_forward(x, 2 ** 62, 2 ** 62)
    with pytest.raises(ValueError, match="upsample_nearest2d_backward: dy's height and width"):
        C.upsample_nearest2d_backward(np.ones((1, 3, 4, 2), np.float32), 2, 2)
    with pytest.raises(TypeError, match="upsample_nearest2d_forward"):
        C.upsample_nearest2d_forward(np.ones((1, 2, 2, 3)), 2, 2)  # float64
    with pytest.raises(ValueError, match="upsample_nearest2d_backward"):
        C.upsample_nearest2d_backward(x[:, :, ::2], 1, 1)  # not contiguous
