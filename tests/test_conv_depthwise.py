"""depthwise_conv2d (DepthwiseConv2D, SeparableConv2D's depthwise step) against float64 oracles:
an independent direct-loop implementation on tiny shapes (validates the reference), then the
float64 reference on seeded random edge-case shapes (batch 1, odd sizes, stride > kernel,
dilation, 1x1, depth_multiplier 2-3, channel counts that are not a multiple of any SIMD width,
'same' with TF's bottom/right split) on every backend and every native ISA; finite-difference
gradients of the native kernels for x and w; NaN next to the padding; bad input at the public op
and at the native binding; weight gradient bit-identical at 1 and 2 threads."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native
from tensorforge import reference as R
from conv_checks import geometry
from tfhelpers import assert_close, on_backend, to_numpy, numeric_grad

needs_native = pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")


def direct_depthwise(x, w, strides, pads, dilation):
    """Straight loops in float64: x (N, H, W, C), w (KH, KW, C, M) -> (N, OH, OW, C*M)."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, H, W, C = x.shape
    KH, KW, _, M = w.shape
    (sh, sw), (pt, pl, pb, pr), (dh, dw) = strides, pads, dilation
    OH = (H + pt + pb - (KH - 1) * dh - 1) // sh + 1
    OW = (W + pl + pr - (KW - 1) * dw - 1) // sw + 1
    y = np.zeros((N, OH, OW, C, M))
    for oh in range(OH):
        for ow in range(OW):
            for kh in range(KH):
                for kw in range(KW):
                    ih, iw = oh * sh - pt + kh * dh, ow * sw - pl + kw * dw
                    if 0 <= ih < H and 0 <= iw < W:
                        y[:, oh, ow] += x[:, ih, iw, :, None] * w[kh, kw]
    return y.reshape(N, OH, OW, C * M)



def random_cases(n, seed):
    """Seeded shapes that hit the edges; every one has a legal geometry."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        N = int(rng.choice([1, 1, 2, 3]))
        H, W = (int(v) for v in rng.integers(1, 15, 2))
        C = int(rng.choice([1, 3, 7, 8, 9, 16, 17, 33, 40]))
        KH, KW = (int(v) for v in rng.integers(1, 6, 2))
        s = tuple(int(v) for v in rng.integers(1, 5, 2))  # up to 4: often > the kernel
        d = tuple(int(v) for v in rng.choice([1, 1, 2, 3], 2))
        M = int(rng.choice([1, 1, 2, 3]))
        padding = str(rng.choice(["valid", "same"]))
        try:
            geometry((N, H, W, C), (KH, KW, C, M), s, padding, d)
        except ValueError:
            continue
        out.append(((N, H, W, C), (KH, KW, C, M), s, padding, d))
    return out


CASES = random_cases(14, 7) + [
    ((1, 1, 1, 5), (1, 1, 5, 1), (1, 1), "valid", (1, 1)),      # 1x1, one pixel
    ((2, 9, 7, 11), (3, 3, 11, 2), (3, 3), "same", (1, 1)),     # stride = kernel, M = 2
    ((1, 8, 10, 19), (2, 2, 19, 3), (3, 3), "same", (1, 1)),    # stride > kernel, M = 3
    ((1, 12, 12, 24), (3, 3, 24, 1), (1, 1), "same", (2, 3)),   # dilation
    ((3, 5, 6, 32), (3, 3, 32, 1), (2, 2), "same", (1, 1)),     # odd total pad: extra bottom/right
    ((1, 3, 3, 6), (5, 5, 6, 1), (1, 1), "same", (1, 1)),       # kernel larger than the input
    ((2, 5, 6, 9), (3, 3, 9, 2), (1, 1), 3, (1, 1)),            # pads beyond the kernel extent
]


def ref64_all(x, w, dy, g):
    """float64 reference forward, dx, dw and their error scales (the same sums over |terms|)."""
    f64 = [a.astype(np.float64) for a in (x, w, dy)]
    y = R.depthwise_conv2d_forward(f64[0], f64[1], *g)
    dx, dw, _ = R.depthwise_conv2d_backward(f64[2], f64[0], f64[1], *g, True, True)
    a = [np.abs(v) for v in f64]
    sy = R.depthwise_conv2d_forward(a[0], a[1], *g)
    sdx, sdw, _ = R.depthwise_conv2d_backward(a[2], a[0], a[1], *g, True, True)
    return (y, dx, dw), (sy, sdx, sdw)


@pytest.mark.parametrize("case", CASES[:6], ids=str)
def test_reference_matches_direct_loops(case):
    xs, ws, s, padding, d = case
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    g = geometry(xs, ws, s, padding, d)
    want = direct_depthwise(x, w, g[0:2], g[2:6], g[6:8])
    np.testing.assert_allclose(R.depthwise_conv2d_forward(x, w, *g), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_depthwise_vs_reference(case, backend, rng):
    xs, ws, s, padding, d = case
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    g = geometry(xs, ws, s, padding, d)
    y = tf.kernels.depthwise_conv2d(on_backend(x, backend), on_backend(w, backend), s, padding, d)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    (y_r, dx_r, dw_r), (sy, sdx, sdw) = ref64_all(x, w, dy, g)
    dx, dw, db = tf.kernels.depthwise_conv2d_backward(on_backend(dy, backend), on_backend(x, backend),
                                                      on_backend(w, backend), s, padding, d)
    assert db is None
    T = ws[0] * ws[1]
    assert to_numpy(y).dtype == np.float32
    assert_close(y, y_r, scale=sy, n=T, what=f"{backend} y {case}")
    assert_close(dx, dx_r, scale=sdx, n=T, what=f"{backend} dx {case}")
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(y.shape[:3])), what=f"{backend} dw {case}")


def native_run(case, rng):
    """x, w, the geometry, and the native forward and backward (dx, dw, db) of ``case`` on the
    current ISA, with a random dy."""
    xs, ws, s, padding, d = case
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    g = geometry(xs, ws, s, padding, d)
    y = _native._C.depthwise_conv2d_forward(x, w, *g)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    return (x, w, g, y, dy) + tuple(_native._C.depthwise_conv2d_backward(dy, x, w, *g, True, True))


@pytest.mark.parametrize("case", CASES[::3], ids=str)
def test_native_isas_vs_reference(case, isa, rng):
    """Every ISA path (generic, avx2, avx512 where the CPU has them) of the native kernels."""
    x, w, g, y, dy, dx, dw, db = native_run(case, rng)
    assert db is None
    C = _native._C
    (y_r, dx_r, dw_r), (sy, sdx, sdw) = ref64_all(x, w, dy, g)
    T = w.shape[0] * w.shape[1]
    assert_close(y, y_r, scale=sy, n=T, what=f"{isa} y")
    assert_close(dx, dx_r, scale=sdx, n=T, what=f"{isa} dx")
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(y.shape[:3])), what=f"{isa} dw")
    only_dx = C.depthwise_conv2d_backward(dy, x, w, *g, True, False)
    only_dw = C.depthwise_conv2d_backward(dy, x, w, *g, False, True)
    assert only_dx[1] is None and only_dw[0] is None
    np.testing.assert_array_equal(only_dx[0], dx)
    np.testing.assert_array_equal(only_dw[1], dw)
    # Note [fused bias]: y + b with the bits of a separate add; db with or without dw
    b = rng.standard_normal(y.shape[3]).astype(np.float32)
    np.testing.assert_array_equal(C.depthwise_conv2d_forward(x, w, *g, b), y + b)
    all3 = C.depthwise_conv2d_backward(dy, x, w, *g, True, True, True)
    only_db = C.depthwise_conv2d_backward(dy, x, w, *g, False, False, True)
    np.testing.assert_array_equal(all3[1], dw)
    np.testing.assert_array_equal(all3[2], only_db[2])
    assert only_db[0] is None and only_db[1] is None
    assert_close(all3[2], dy.astype(np.float64).sum(axis=(0, 1, 2)),
                 scale=np.abs(dy).astype(np.float64).sum(axis=(0, 1, 2)),
                 n=int(np.prod(dy.shape[:3])), what=f"{isa} db")



def random_3x3_cases(n, seed):
    """3x3 kernels (Note [depthwise taps in registers]: their own forward, also the stride-1 dx):
    channel counts around the 1- and 2-vector blocks of every ISA, rows narrower than the kernel,
    strides, dilations and pads beyond the kernel extent."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        N = int(rng.choice([1, 2]))
        H, W = (int(v) for v in rng.integers(1, 20, 2))
        C = int(rng.choice([1, 5, 8, 15, 16, 17, 31, 32, 33, 47, 48, 65]))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        d = tuple(int(v) for v in rng.choice([1, 1, 2], 2))
        padding = rng.choice(["valid", "same", "same", 3])
        padding = int(padding) if str(padding).isdigit() else str(padding)
        try:
            geometry((N, H, W, C), (3, 3, C, 1), s, padding, d)
        except ValueError:
            continue
        out.append(((N, H, W, C), (3, 3, C, int(rng.choice([1, 1, 2]))), s, padding, d))
    return out


@pytest.mark.parametrize("case", random_3x3_cases(12, 15), ids=str)
def test_native_3x3_vs_reference(case, isa, rng):
    """The 3x3 forward with its taps in registers, and the stride-1 backward data through it, on
    every ISA: against float64, and with the bias the bits of a separate add."""
    x, w, g, y, dy, dx, dw, _ = native_run(case, rng)
    C = _native._C
    (y_r, dx_r, dw_r), (sy, sdx, sdw) = ref64_all(x, w, dy, g)
    assert_close(y, y_r, scale=sy, n=9, what=f"{isa} y {case}")
    assert_close(dx, dx_r, scale=sdx, n=9, what=f"{isa} dx {case}")
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(y.shape[:3])), what=f"{isa} dw {case}")
    b = rng.standard_normal(y.shape[3]).astype(np.float32)
    np.testing.assert_array_equal(C.depthwise_conv2d_forward(x, w, *g, b), y + b)


@needs_native
@pytest.mark.parametrize("case", [((1, 5, 6, 3), (3, 2, 3, 2), (2, 1), "same", (1, 2)),
                                  ((2, 4, 4, 9), (3, 3, 9, 1), (1, 1), "same", (1, 1)),
                                  ((1, 6, 5, 17), (3, 3, 17, 1), (2, 2), "same", (1, 1))], ids=str)
def test_native_gradients_by_finite_differences(case, rng):
    """Central differences of L = sum(y * dy) through the native forward (float32). L is linear
    in x and in w, so the difference quotient is exact up to float32 rounding of L."""
    xs, ws, s, padding, d = case
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    g = geometry(xs, ws, s, padding, d)
    C = _native._C
    dy = rng.standard_normal(C.depthwise_conv2d_forward(x, w, *g).shape).astype(np.float32)

    def loss():
        return float(np.sum(C.depthwise_conv2d_forward(x, w, *g).astype(np.float64) * dy))

    dx, dw, _ = C.depthwise_conv2d_backward(dy, x, w, *g, True, True)
    for arr, grad, name in ((x, dx, "dx"), (w, dw, "dw")):
        num = numeric_grad(loss, arr, eps=0.25)
        np.testing.assert_allclose(grad, num, rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("with_bias", [False, True])
def test_tensor_api_gradients(backend, rng, with_bias):
    """ops.depthwise_conv2d on Tensors (the bias fused or absent): the recorded backward gives
    the reference gradients."""
    x = rng.standard_normal((2, 7, 6, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3, 5, 2)).astype(np.float32)
    b = rng.standard_normal(10).astype(np.float32)
    xt = tf.Tensor(on_backend(x, backend), requires_grad=True)
    wt = tf.Tensor(on_backend(w, backend), requires_grad=True)
    bt = tf.Tensor(on_backend(b, backend), requires_grad=True) if with_bias else None
    y = tf.ops.depthwise_conv2d(xt, wt, strides=2, padding="same", b=bt)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(on_backend(dy, backend))
    g = geometry(x.shape, w.shape, 2, "same", 1)
    (y_r, dx_r, dw_r), (sy, sdx, sdw) = ref64_all(x, w, dy, g)
    if with_bias:
        y_r = y_r + b
        assert_close(bt.grad, dy.astype(np.float64).sum(axis=(0, 1, 2)),
                     scale=np.abs(dy).astype(np.float64).sum(axis=(0, 1, 2)), n=dy.size,
                     what="b.grad")
    assert_close(y, y_r, scale=sy + np.abs(y_r), n=9, what="y")
    assert_close(xt.grad, dx_r, scale=sdx, n=9, what="x.grad")
    assert_close(wt.grad, dw_r, scale=sdw, n=dy.size, what="w.grad")


@needs_native
def test_nan_next_to_padding_matches_reference():
    """0 * NaN = NaN: a NaN weight multiplies the padded zeros too (and a NaN in dy the padded
    input cells in dw), exactly where the reference's padded array puts NaN."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 5, 5, 10)).astype(np.float32)
    w = rng.standard_normal((3, 3, 10, 1)).astype(np.float32)
    w[0, 0, 3, 0] = np.nan
    w[2, 1, 9, 0] = np.inf
    g = geometry(x.shape, w.shape, 1, "same", 1)
    y = _native._C.depthwise_conv2d_forward(x, w, *g)
    with np.errstate(invalid="ignore"):
        y_r = R.depthwise_conv2d_forward(x.astype(np.float64), w.astype(np.float64), *g)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(y_r))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dy[0, 0, 4, 7] = np.nan
    x[0, 2, 2, 1] = np.inf
    dx, dw, _ = _native._C.depthwise_conv2d_backward(dy, x, w, *g, True, True)
    with np.errstate(invalid="ignore"):
        dx_r, dw_r, _ = R.depthwise_conv2d_backward(*(a.astype(np.float64) for a in (dy, x, w)), *g,
                                                 True, True)
    np.testing.assert_array_equal(np.isnan(dx), np.isnan(dx_r))
    np.testing.assert_array_equal(np.isnan(dw), np.isnan(dw_r))
    # the channels with finite weights keep exact values (stride 1 with a non-finite w takes
    # the gather path for dx, not the flipped forward: Note [stride-1 dx as a forward])
    ok = np.isfinite(w).all(axis=(0, 1, 3))
    np.testing.assert_allclose(dx[..., ok], dx_r[..., ok], rtol=1e-5, atol=1e-5)
    assert np.isnan(dw[0, 2, 7, 0])  # the padded column right of dy[0, 0, 4] met the NaN


@needs_native
@pytest.mark.parametrize("xs", [(4, 30, 30, 37), (3, 10, 9, 200)], ids=str)  # 200: the packed order
def test_weight_gradient_same_bits_at_1_and_2_threads(xs):
    rng = np.random.default_rng(9)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal((3, 3, xs[3], 1)).astype(np.float32)
    g = geometry(x.shape, w.shape, 1, "same", 1)
    C = _native._C
    dy = rng.standard_normal(xs).astype(np.float32)
    prev = C.get_num_threads()
    try:
        out = []
        for n in (1, 2, 1):
            C.set_num_threads(n)
            out.append(C.depthwise_conv2d_backward(dy, x, w, *g, True, True, True)
                       + (C.depthwise_conv2d_forward(x, w, *g),))
    finally:
        C.set_num_threads(prev)
    for a, b in zip(out[0], out[1]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(out[0], out[2]):
        np.testing.assert_array_equal(a, b)


def test_layer_channels_first_and_separable_use_the_op(backend, rng):
    """DepthwiseConv2D (channels_first, depth_multiplier 2) and SeparableConv2D on the backend
    against the numpy backend's reference result for the same weights."""
    L = tf.layers
    x = rng.standard_normal((2, 4, 9, 7)).astype(np.float32)
    for make in (lambda: L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2,
                                           data_format="channels_first"),
                 lambda: L.SeparableConv2D(5, 3, padding="same", depth_multiplier=3)):
        layer = make()
        layer(x[:1])
        ws = [rng.standard_normal(v.shape).astype(np.float32) for v in layer.get_weights()]
        layer.set_weights(ws)
        got = to_numpy(layer(on_backend(x, backend)))
        prev = tf.get_backend()
        tf.set_backend("numpy")
        try:
            want = layer(x)
        finally:
            tf.set_backend(prev)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


# ---- bad input ----------------------------------------------------------------------------

BAD_OPS = [
    (lambda x, w: tf.ops.depthwise_conv2d(x.astype(np.float64), w), TypeError, "dtype"),
    (lambda x, w: tf.ops.depthwise_conv2d(x[0], w), ValueError, "4-D"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w[:, :, :2]), ValueError, "C = 2"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w, strides=0), ValueError, "strides"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w, dilation=(1, 0)), ValueError, "dilation"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w, padding="full"), ValueError, "padding"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, np.ones((9, 9, 4, 1), np.float32)), ValueError, "larger"),
    (lambda x, w: tf.kernels.depthwise_conv2d_backward(np.ones((2, 1, 1, 4), np.float32), x, w),
     ValueError, "dy must have shape"),
    (lambda x, w: tf.kernels.depthwise_conv2d_backward(np.ones((2, 4, 4, 4)), x, w), TypeError, "dtype"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w, b=np.ones(3, np.float32)), ValueError,
     r"b must have shape \(4,\)"),
    (lambda x, w: tf.ops.depthwise_conv2d(x, w, b=np.ones(4)), TypeError, "one dtype"),
]


@pytest.mark.parametrize("i", range(len(BAD_OPS)))
def test_bad_input_public_op(i, backend):
    fn, exc, _ = BAD_OPS[i]
    x = on_backend(np.ones((2, 6, 6, 4), np.float32), backend)
    w = on_backend(np.ones((3, 3, 4, 1), np.float32), backend)
    with pytest.raises(exc, match="depthwise_conv2d"):
        fn(x, w)


@needs_native
def test_bad_input_native_binding():
    """The binding checks on its own (a caller going around kernels/ gets errors, not a crash)."""
    C = _native._C
    x = np.ones((2, 6, 6, 4), np.float32)
    w = np.ones((3, 3, 4, 2), np.float32)
    g = (1, 1, 1, 1, 1, 1, 1, 1)
    fwd, bwd = C.depthwise_conv2d_forward, C.depthwise_conv2d_backward
    cases = [
        (lambda: fwd(x.astype(np.float64), w, *g), TypeError, "x must be float32"),
        (lambda: fwd(x.tolist(), w, *g), TypeError, "numpy.ndarray"),
        (lambda: fwd(x[0], w, *g), ValueError, "x must be 4-D"),
        (lambda: fwd(x[:, :, ::2], w, *g), ValueError, "C-contiguous"),
        (lambda: fwd(x[:0], w, *g), ValueError, "empty"),
        (lambda: fwd(x, np.ascontiguousarray(w[:, :, :3]), *g), ValueError, "C = 3"),
        (lambda: fwd(x, w, 0, 1, 1, 1, 1, 1, 1, 1), ValueError, "strides"),
        (lambda: fwd(x, w, 1, 1, -1, 1, 1, 1, 1, 1), ValueError, "pads"),
        (lambda: fwd(x, w, 1, 1, 1, 1, 1, 1, 1, 0), ValueError, "dilation"),
        (lambda: fwd(x, w, 1, 1, 0, 0, 0, 0, 2 ** 62, 1), ValueError, "too large"),
        (lambda: fwd(x, w, 1, 1, 2 ** 62, 0, 2 ** 62, 0, 1, 1), ValueError, "too large"),
        (lambda: fwd(x, w, 1, 1, 0, 0, 0, 0, 5, 5), ValueError, "larger than the padded input"),
        (lambda: bwd(np.ones((2, 6, 6, 4), np.float32), x, w, *g), ValueError, "dy must have shape"),
        (lambda: bwd(np.ones((2, 6, 6, 8), np.int32), x, w, *g), TypeError, "dy must be float32"),
        (lambda: fwd(x, w, *g, np.ones(7, np.float32)), ValueError, r"b must have shape \(8,\)"),
        (lambda: fwd(x, w, *g, np.ones(16, np.float32)[::2]), ValueError, "C-contiguous"),
        (lambda: fwd(x, w, *g, np.ones(8)), TypeError, "b must be float32"),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            fn()
    # inputs aliasing each other are only read: same answer as separate copies
    sq = np.ones((1, 3, 3, 3), np.float32) * np.arange(3, dtype=np.float32)
    y = fwd(sq, sq, 1, 1, 0, 0, 0, 0, 1, 1)
    np.testing.assert_array_equal(y, fwd(sq.copy(), sq.copy(), 1, 1, 0, 0, 0, 0, 1, 1))


def test_entry_points_convert_strided_views(rng):
    """The entry points call the binding first (Note [native fast path]); a strided x, dy or
    bias it refuses still runs through the checked path, to the values of contiguous copies."""
    from tensorforge.kernels.conv import depthwise_conv2d, depthwise_conv2d_backward
    big = rng.standard_normal((2, 7, 7, 8)).astype(np.float32)
    x = big[:, :, :, ::2]  # (2, 7, 7, 4), strided
    w = rng.standard_normal((3, 3, 4, 1)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)[::2]
    xc, bc = np.ascontiguousarray(x), b.copy()
    for s, p in [(1, "same"), (2, "valid")]:
        y = depthwise_conv2d(x, w, s, p, b=b)
        np.testing.assert_array_equal(y, depthwise_conv2d(xc, w, s, p, b=bc))
        dy = np.ascontiguousarray(np.repeat(y, 2, axis=3))[..., ::2]  # strided, y's shape
        got = depthwise_conv2d_backward(dy, x, w, s, p, need_db=True)
        want = depthwise_conv2d_backward(np.ascontiguousarray(dy), xc, w, s, p, need_db=True)
        for a, e in zip(got, want):
            np.testing.assert_array_equal(a, e)


def test_bias_grad_nhwc(backend):
    """Conv2DTranspose's bias gradient: the depthwise backward's fused bias pass (Note [fused
    bias]) against a float64 sum, the same bits at 1 and 3 threads."""
    from tensorforge.kernels.conv import bias_grad_nhwc
    rng = np.random.default_rng(4)
    for shape in ((1, 1, 1, 3), (2, 5, 7, 13), (40, 9, 9, 33)):
        dy = rng.standard_normal(shape).astype(np.float32)
        got = bias_grad_nhwc(on_backend(dy, backend))
        assert to_numpy(got).shape == (shape[3],)
        assert_close(got, dy.astype(np.float64).sum(axis=(0, 1, 2)),
                     scale=np.abs(dy).astype(np.float64).sum(axis=(0, 1, 2)),
                     n=int(np.prod(shape[:3])), what=f"db {shape}")
        if backend == "cpu":
            tf.set_num_threads(1)
            one = bias_grad_nhwc(dy)
            tf.set_num_threads(3)
            three = bias_grad_nhwc(dy)
            tf.set_num_threads(2)
            np.testing.assert_array_equal(one, three)
