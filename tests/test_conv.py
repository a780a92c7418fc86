"""conv2d against float64 oracles: an independent direct-loop implementation (tiny shapes, to
validate the reference itself), then the float64 reference on seeded random shapes (batch 1..9,
H/W 1..33 incl. smaller than the kernel, C 1..70, kernels 1..7 incl. even, strides 1..3,
dilation 1..2, every padding mode), on every backend and ISA; TF 'same' geometry; fused
bias/relu; finite-difference gradients through the Tensor API; bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import reference as R
from tensorforge.kernels.conv import conv_geometry, resolve_padding
from tfhelpers import assert_close, assert_grad_close, numeric_grad, on_backend, to_numpy


# ---- independent oracle -------------------------------------------------------------------

def tf_same_pads(H, K, s, d):
    """TensorFlow's 'same' rule, written out independently of kernels/conv.py."""
    eff = (K - 1) * d + 1
    out = (H + s - 1) // s
    total = max((out - 1) * s + eff - H, 0)
    return total // 2, total - total // 2


def direct_conv(x, w, b, strides, padding, dilation, relu=False):
    """Straight loops in float64: x (N,H,W,C), w (KH,KW,C,CO)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    N, H, W, C = x.shape
    KH, KW, _, CO = w.shape
    sh, sw = strides
    dh, dw = dilation
    if padding == "same":
        pt, pb = tf_same_pads(H, KH, sh, dh)
        pl, pr = tf_same_pads(W, KW, sw, dw)
    elif padding == "valid":
        pt = pb = pl = pr = 0
    else:
        pt = pb = padding[0]
        pl = pr = padding[1]
    OH = (H + pt + pb - (KH - 1) * dh - 1) // sh + 1
    OW = (W + pl + pr - (KW - 1) * dw - 1) // sw + 1
    y = np.zeros((N, OH, OW, CO))
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                acc = np.zeros(CO) if b is None else b.astype(np.float64).copy()
                for kh in range(KH):
                    for kw in range(KW):
                        ih = oh * sh - pt + kh * dh
                        iw = ow * sw - pl + kw * dw
                        if 0 <= ih < H and 0 <= iw < W:
                            acc += x[n, ih, iw] @ w[kh, kw]
                y[n, oh, ow] = acc
    return np.maximum(y, 0) if relu else y


# ---- helpers ------------------------------------------------------------------------------

def geometry(xs, ws, strides, padding, dilation):
    sh, sw, pt, pl, pb, pr, dh, dw, OH, OW = conv_geometry("test", xs, ws, strides, padding, dilation)
    return (sh, sw, pt, pl, pb, pr, dh, dw)


def ref64(x, w, b, g, act=None):
    """float64 reference forward and its error scale (|x| conv |w| + |b|)."""
    y = R.conv2d_forward(x.astype(np.float64), w.astype(np.float64),
                         None if b is None else b.astype(np.float64), *g, act)
    scale = R.conv2d_forward(np.abs(x).astype(np.float64), np.abs(w).astype(np.float64),
                             None if b is None else np.abs(b).astype(np.float64), *g, None)
    return y, scale


def check_conv(x, w, b, strides, padding, dilation, act, backend, what=""):
    """Forward and all three gradients against the float64 reference."""
    g = geometry(x.shape, w.shape, strides, padding, dilation)
    KH, KW, C, CO = w.shape
    y = tf.ops.conv2d(on_backend(x, backend), on_backend(w, backend),
                      None if b is None else on_backend(b, backend), strides=strides,
                      padding=padding, dilation=dilation, activation=act)
    yr, scale = ref64(x, w, b, g, act)
    assert to_numpy(y).dtype == np.float32
    assert_close(y, yr, scale=scale, n=KH * KW * C, what=f"{what} forward")
    rng = np.random.default_rng(x.size)
    dy = rng.standard_normal(yr.shape).astype(np.float32)
    dx, dw, db = tf.kernels.conv2d_backward(on_backend(dy, backend), on_backend(x, backend),
                                            on_backend(w, backend), strides, padding, dilation)
    d64 = dy.astype(np.float64)
    dxr, dwr, dbr = R.conv2d_backward(d64, x.astype(np.float64), w.astype(np.float64), *g, True, True, True)
    ad, ax, aw = np.abs(d64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64)
    sx, sw_, sb = R.conv2d_backward(ad, ax, aw, *g, True, True, True)
    OH, OW = yr.shape[1:3]
    assert_close(dx, dxr, scale=sx, n=KH * KW * CO, what=f"{what} dx")
    assert_close(dw, dwr, scale=sw_, n=x.shape[0] * OH * OW, what=f"{what} dw")
    assert_close(db, dbr, scale=sb, n=x.shape[0] * OH * OW, what=f"{what} db")


def random_case(rng, small=False):
    """A random valid conv configuration (x, w, b, strides, padding, dilation)."""
    while True:
        N = int(rng.integers(1, 10))
        H, W = (int(v) for v in rng.integers(1, 34, size=2))
        C, CO = (int(rng.choice([1, 2, 3, 5, 8, 16, 17, 20, 31, 33, 48, 64, 70])) for _ in range(2))
        KH, KW = (int(v) for v in rng.integers(1, 8, size=2))
        strides = tuple(int(v) for v in rng.integers(1, 4, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = [ "valid", "same", int(rng.integers(0, 3)), (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][
            int(rng.integers(0, 4))]
        if small:
            N, H, W = min(N, 3), min(H, 12), min(W, 12)
        if N * H * W * C * KH * KW * CO > (3e5 if small else 2.5e6):
            continue
        try:
            geometry((N, H, W, C), (KH, KW, C, CO), strides, padding, dilation)
        except ValueError:
            continue
        x = rng.standard_normal((N, H, W, C)).astype(np.float32)
        w = rng.standard_normal((KH, KW, C, CO)).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32) if rng.random() < 0.7 else None
        return x, w, b, strides, padding, dilation


# ---- the reference itself -----------------------------------------------------------------

@pytest.mark.parametrize("case", range(12))
def test_reference_matches_direct_loops(case):
    rng = np.random.default_rng(100 + case)
    N, H, W = int(rng.integers(1, 3)), int(rng.integers(1, 8)), int(rng.integers(1, 8))
    C, CO = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    KH, KW = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = ["same", "valid", (1, 2)][case % 3]
    try:
        g = geometry((N, H, W, C), (KH, KW, C, CO), strides, padding, dilation)
    except ValueError:
        padding, g = "same", geometry((N, H, W, C), (KH, KW, C, CO), strides, "same", dilation)
    x, w, b = rng.standard_normal((N, H, W, C)), rng.standard_normal((KH, KW, C, CO)), rng.standard_normal(CO)
    want = direct_conv(x, w, b, strides, padding, dilation, relu=True)
    got = R.conv2d_forward(x, w, b, *g, "relu")
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # backward of the reference against finite differences of the direct loops (float64)
    dy = rng.standard_normal(want.shape)
    dx, dw, db = R.conv2d_backward(dy, x, w, *g, True, True, True)
    f = lambda: float((direct_conv(x, w, b, strides, padding, dilation) * dy).sum())  # noqa: E731
    np.testing.assert_allclose(dx, numeric_grad(f, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dw, numeric_grad(f, w), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(db, numeric_grad(f, b), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("H,K,s,d,want", [
    (5, 2, 2, 1, (0, 1)),     # even kernel, stride 2: the extra row goes to the bottom
    (6, 2, 2, 1, (0, 0)),
    (7, 3, 2, 1, (1, 1)),
    (8, 4, 1, 1, (1, 2)),     # even kernel, stride 1
    (2, 5, 1, 1, (2, 2)),     # input smaller than the kernel
    (1, 7, 3, 1, (3, 3)),
    (3, 6, 3, 1, (1, 2)),     # one output; odd total 3: extra pad bottom
    (10, 3, 1, 2, (2, 2)),    # dilation: extent 5
    (9, 4, 2, 2, (3, 3)),
])
def test_same_padding_is_tensorflow_rule(H, K, s, d, want):
    pt, pl, pb, pr = resolve_padding("t", "same", H, H, K, K, s, s, d, d)
    assert (pt, pb) == want == (pl, pr)
    assert (pt, pb) == tf_same_pads(H, K, s, d)
    _, _, _, _, _, _, _, _, OH, OW = conv_geometry("t", (1, H, H, 1), (K, K, 1, 1), s, "same", d)
    assert OH == OW == -(-H // s)


# ---- native / backends against the reference -----------------------------------------------

def test_conv_random_shapes(backend):
    rng = np.random.default_rng(7)
    for i in range(10):
        x, w, b, strides, padding, dilation = random_case(rng)
        act = "relu" if i % 2 else None
        check_conv(x, w, b, strides, padding, dilation, act, backend,
                   what=f"x{x.shape} w{w.shape} s{strides} p{padding!r} d{dilation}")


def test_conv_isa_paths(isa):
    rng = np.random.default_rng(11)
    cases = [random_case(rng) for _ in range(8)]
    # shapes of the benchmark layers, shrunk in batch, and the register-tile edges
    cases += [
        (rng.standard_normal((2, 28, 28, 1)).astype(np.float32), rng.standard_normal((5, 5, 1, 20)).astype(np.float32),
         np.zeros(20, np.float32), 1, "valid", 1),
        (rng.standard_normal((2, 12, 12, 20)).astype(np.float32), rng.standard_normal((5, 5, 20, 50)).astype(np.float32),
         rng.standard_normal(50).astype(np.float32), 1, "same", 1),
        (rng.standard_normal((1, 9, 9, 48)).astype(np.float32), rng.standard_normal((3, 3, 48, 70)).astype(np.float32),
         None, 2, "same", 1),
        (rng.standard_normal((3, 5, 4, 17)).astype(np.float32), rng.standard_normal((6, 6, 17, 33)).astype(np.float32),
         None, (3, 2), "same", (1, 2)),
    ]
    for i, (x, w, b, strides, padding, dilation) in enumerate(cases):
        check_conv(x, w, b, strides, padding, dilation, "relu" if i % 3 == 0 else None, "cpu",
                   what=f"[{isa}] x{x.shape} w{w.shape} s{strides} p{padding!r} d{dilation}")


def test_conv_input_smaller_than_kernel_same(backend):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 3, 4)).astype(np.float32)
    w = rng.standard_normal((7, 6, 4, 5)).astype(np.float32)
    for s in (1, 2, 3):
        y = to_numpy(tf.ops.conv2d(on_backend(x, backend), on_backend(w, backend), strides=s, padding="same"))
        want = direct_conv(x, w, None, (s, s), "same", (1, 1))
        assert y.shape == want.shape == (2, -(-2 // s), -(-3 // s), 5)
        assert_close(y, want, scale=direct_conv(np.abs(x), np.abs(w), None, (s, s), "same", (1, 1)), n=7 * 6 * 4)


def test_conv_relu_keeps_nan(backend):
    x = np.ones((1, 4, 4, 2), np.float32)
    x[0, 1, 1, 0] = np.nan
    w = np.ones((3, 3, 2, 3), np.float32)
    y = to_numpy(tf.ops.conv2d(on_backend(x, backend), on_backend(w, backend), activation="relu",
                               b=on_backend(-100 * np.ones(3, np.float32), backend)))
    assert np.isnan(y[0, 0, 0]).all() and np.isnan(y[0, 1, 1]).all()
    y2 = to_numpy(tf.ops.conv2d(on_backend(np.ones((1, 4, 4, 2), np.float32), backend), on_backend(w, backend),
                                activation="relu", b=on_backend(-100 * np.ones(3, np.float32), backend)))
    assert (y2 == 0).all()


# ---- gradients through the Tensor API ------------------------------------------------------

@pytest.mark.parametrize("cfg", [
    dict(strides=1, padding="same", dilation=1, activation=None),
    dict(strides=2, padding="same", dilation=1, activation="relu"),
    dict(strides=(1, 2), padding="valid", dilation=(2, 1), activation=None),
    dict(strides=1, padding=(1, 0), dilation=1, activation="relu"),
])
def test_conv_gradients_finite_difference(backend, cfg):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 6, 3))
    w = rng.standard_normal((3, 2, 3, 4))
    b = rng.standard_normal(4)
    g = geometry(x.shape, w.shape, cfg["strides"], cfg["padding"], cfg["dilation"])
    R_ = rng.standard_normal(R.conv2d_forward(x, w, b, *g, None).shape)
    xt = tf.Tensor(on_backend(x.astype(np.float32), backend), requires_grad=True)
    wt = tf.Tensor(on_backend(w.astype(np.float32), backend), requires_grad=True)
    bt = tf.Tensor(on_backend(b.astype(np.float32), backend), requires_grad=True)
    y = tf.ops.conv2d(xt, wt, bt, **cfg)
    (y * on_backend(R_.astype(np.float32), backend)).sum().backward()
    f = lambda: float((R.conv2d_forward(x, w, b, *g, cfg["activation"]) * R_).sum())  # noqa: E731
    assert_grad_close(xt.grad, numeric_grad(f, x), what="dx")
    assert_grad_close(wt.grad, numeric_grad(f, w), what="dw")
    assert_grad_close(bt.grad, numeric_grad(f, b), what="db")


def test_conv_grad_only_where_needed(backend):
    rng = np.random.default_rng(9)
    x = tf.Tensor(on_backend(rng.standard_normal((1, 4, 4, 2)).astype(np.float32), backend))
    w = tf.Tensor(on_backend(rng.standard_normal((3, 3, 2, 2)).astype(np.float32), backend), requires_grad=True)
    tf.ops.conv2d(x, w, padding="same").sum().backward()
    assert x.grad is None and w.grad is not None and w.grad.shape == (3, 3, 2, 2)


# ---- bad input -----------------------------------------------------------------------------

F = np.float32
X = np.ones((2, 8, 8, 3), F)
Wt = np.ones((3, 3, 3, 4), F)

BAD = [
    (lambda: tf.ops.conv2d(np.ones((8, 8, 3), F), Wt), ValueError, r"conv2d: x must be 4-D .*\(8, 8, 3\)"),
    (lambda: tf.ops.conv2d(X, np.ones((3, 3, 3), F)), ValueError, r"conv2d: w must be 4-D \(KH, KW, C_in, C_out\), got shape \(3, 3, 3\)"),
    (lambda: tf.ops.conv2d(X, np.ones((3, 3, 5, 4), F)), ValueError, r"C_in = 5 but x has 3 channels.*\(2, 8, 8, 3\)"),
    (lambda: tf.ops.conv2d(X, np.ones((9, 3, 3, 4), F)), ValueError, r"larger than the padded input"),
    (lambda: tf.ops.conv2d(X, Wt, dilation=5), ValueError, r"larger than the padded input"),
    (lambda: tf.ops.conv2d(X, Wt, strides=0), ValueError, r"conv2d: strides must be >= 1"),
    (lambda: tf.ops.conv2d(X, Wt, strides=(1, -2)), ValueError, r"conv2d: strides must be >= 1"),
    (lambda: tf.ops.conv2d(X, Wt, dilation=0), ValueError, r"conv2d: dilation must be >= 1"),
    (lambda: tf.ops.conv2d(X, Wt, padding="full"), ValueError, r"conv2d: padding must be"),
    (lambda: tf.ops.conv2d(X, Wt, padding=-1), ValueError, r"conv2d: padding must be"),
    (lambda: tf.ops.conv2d(X.astype(np.float64), Wt), TypeError, r"conv2d: x must be float32, got float64"),
    (lambda: tf.ops.conv2d(X, Wt.astype(np.int32)), TypeError, r"conv2d: w must be float32"),
    (lambda: tf.ops.conv2d(X, Wt, np.ones(5, F)), ValueError, r"conv2d: b must have shape \(4,\)"),
    (lambda: tf.ops.conv2d(X, Wt, activation="gelu"), ValueError, r"activation"),
    (lambda: tf.ops.conv2d(np.ones((0, 8, 8, 3), F), Wt), ValueError, r"must not be empty"),
    (lambda: tf.kernels.conv2d_backward(np.ones((2, 5, 5, 4), F), X, Wt), ValueError, r"dy must have shape \(2, 6, 6, 4\)"),
]


@pytest.mark.parametrize("call,exc,msg", BAD)
def test_conv_bad_input(backend, call, exc, msg):
    if backend == "cuda":
        pytest.skip("bad-input cases use NumPy arrays")
    with pytest.raises(exc, match=msg):
        call()


def test_conv_noncontiguous_input_is_accepted(backend):
    rng = np.random.default_rng(1)
    big = rng.standard_normal((2, 10, 10, 6)).astype(np.float32)
    x = big[:, ::2, 1:, ::2]          # strided view
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32).transpose(1, 0, 2, 3)
    check_conv(np.ascontiguousarray(x), np.ascontiguousarray(w), None, 1, "same", 1, None, backend)
    y = tf.ops.conv2d(on_backend(x, backend), on_backend(w, backend), padding="same")
    yr, scale = ref64(x, w, None, geometry(x.shape, w.shape, 1, "same", 1))
    assert_close(y, yr, scale=scale, n=3 * 4 * 3)


def test_native_conv_binding_rejects_bad_input():
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    args = (1, 1, 0, 0, 0, 0, 1, 1)
    with pytest.raises(ValueError, match="conv2d_forward: x must be C-contiguous"):
        C.conv2d_forward(X[:, ::2], Wt, None, *args, None)
    with pytest.raises(TypeError, match="conv2d_forward: w must be float32"):
        C.conv2d_forward(X, Wt.astype(np.float64), None, *args, None)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        C.conv2d_forward([1.0], Wt, None, *args, None)
    with pytest.raises(ValueError, match="conv2d_forward: x must be 4-D"):
        C.conv2d_forward(X[0], Wt, None, *args, None)
    with pytest.raises(ValueError, match="C_in = 3 but x has 2 channels"):
        C.conv2d_forward(np.ones((1, 4, 4, 2), F), Wt, None, *args, None)
    with pytest.raises(ValueError, match="strides must be >= 1"):
        C.conv2d_forward(X, Wt, None, 0, 1, 0, 0, 0, 0, 1, 1, None)
    with pytest.raises(ValueError, match="dilation must be >= 1"):
        C.conv2d_forward(X, Wt, None, 1, 1, 0, 0, 0, 0, 1, -1, None)
    with pytest.raises(ValueError, match="pads must be >= 0"):
        C.conv2d_forward(X, Wt, None, 1, 1, -1, 0, 0, 0, 1, 1, None)
    with pytest.raises(ValueError, match="larger than the padded input"):
        C.conv2d_forward(np.ones((1, 2, 2, 3), F), Wt, None, *args, None)
    with pytest.raises(ValueError, match=r"b must have shape \(4,\)"):
        C.conv2d_forward(X, Wt, np.ones(3, F), *args, None)
    with pytest.raises(ValueError, match=r"dy must have shape \(2, 6, 6, 4\)"):
        C.conv2d_backward(np.ones((2, 6, 6, 3), F), X, Wt, *args, True, True, True)
    with pytest.raises(ValueError, match="dy must be C-contiguous"):
        C.conv2d_backward(np.ones((2, 6, 12, 4), F)[:, :, ::2], X, Wt, *args, True, True, True)
    with pytest.raises(ValueError, match="must not be empty"):
        C.conv2d_forward(np.ones((0, 8, 8, 3), F), Wt, None, *args, None)


@pytest.mark.parametrize("need_dx", [True, False])
def test_conv_backward_fused_relu_mask(backend, need_dx):
    """conv2d_backward(..., y=relu output) == conv2d_backward(dy * (y > 0)); NaN in dy stays NaN."""
    rng = np.random.default_rng(21)
    for C, CO in [(1, 20), (20, 50), (17, 33)]:
        x = rng.standard_normal((2, 9, 8, C)).astype(np.float32)
        w = rng.standard_normal((3, 3, C, CO)).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        y = tf.kernels.conv2d(on_backend(x, backend), on_backend(w, backend), on_backend(b, backend),
                              1, "same", 1, "relu")
        yn = to_numpy(y)
        dy = rng.standard_normal(yn.shape).astype(np.float32)
        got = tf.kernels.conv2d_backward(on_backend(dy, backend), on_backend(x, backend), on_backend(w, backend),
                                         1, "same", 1, need_dx, True, True, y=y)
        g = geometry(x.shape, w.shape, 1, "same", 1)
        m64 = dy.astype(np.float64) * (yn > 0)
        want = R.conv2d_backward(m64, x.astype(np.float64), w.astype(np.float64), *g, need_dx, True, True)
        scl = R.conv2d_backward(np.abs(m64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), *g,
                                need_dx, True, True)
        for gi, wi, si, what in zip(got, want, scl, ("dx", "dw", "db")):
            if wi is None:
                assert gi is None
                continue
            assert_close(gi, wi, scale=si, n=9 * max(C, CO) * 72, what=f"fused {what}")
        k = int(np.argmin(yn[0, 0, 0]))  # a channel with y <= 0 at pixel (0, 0, 0)
        assert yn[0, 0, 0, k] <= 0
        dy[0, 0, 0, k] = np.nan
        _, _, db = tf.kernels.conv2d_backward(on_backend(dy, backend), on_backend(x, backend),
                                              on_backend(w, backend), 1, "same", 1, need_dx, True, True, y=y)
        assert np.isnan(to_numpy(db)[k]), "dy * (y > 0) keeps NaN (NaN * 0)"


# ---- Winograd path (Note [Winograd] in csrc/cpu/conv.cpp) -----------------------------------
# Stride 1, dilation 1, kernels 3..5 each way, >= 16 channels in and out, pads within the kernel:
# all three passes run as Winograd F(m, r) on 6x6 tiles. Shapes hit every tile size m = 2, 3, 4 per
# axis, images smaller than a tile and not multiples of m, channel counts off the vector width.

def winograd_case(rng):
    N = int(rng.integers(1, 4))
    H, W = (int(v) for v in rng.integers(1, 15, size=2))
    KH, KW = (int(v) for v in rng.integers(3, 6, size=2))
    C, CO = (int(rng.choice([16, 17, 20, 33, 48, 50, 70])) for _ in range(2))
    padding = ["same", "valid", (KH - 1, 0), (int(rng.integers(0, KH)), int(rng.integers(0, KW)))][
        int(rng.integers(0, 4))]
    if padding == "valid" or isinstance(padding, tuple):
        H, W = max(H, KH), max(W, KW)
    x = rng.standard_normal((N, H, W, C)).astype(np.float32)
    w = rng.standard_normal((KH, KW, C, CO)).astype(np.float32)
    b = rng.standard_normal(CO).astype(np.float32)
    return x, w, b, padding


def test_conv_winograd_random_shapes(isa):
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    rng = np.random.default_rng(31)
    for i in range(10):
        x, w, b, padding = winograd_case(rng)
        check_conv(x, w, b, 1, padding, 1, "relu" if i % 2 else None, "cpu",
                   what=f"[{isa}] winograd x{x.shape} w{w.shape} p{padding!r}")
    # the path is taken: its rounding differs from the direct kernels' on the same layer
    x, w, b, padding = winograd_case(np.random.default_rng(32))
    g = geometry(x.shape, w.shape, 1, padding, 1)
    y_wino = C.conv2d_forward(x, w, b, *g, None)
    prev = C._conv_winograd(False)
    try:
        y_direct = C.conv2d_forward(x, w, b, *g, None)
    finally:
        C._conv_winograd(prev)
    assert prev is True and C._conv_winograd() is True
    assert not np.array_equal(y_wino, y_direct)


def test_conv_winograd_bench_layers(isa):
    """The benchmark layers that take the Winograd path (batch shrunk), with the fused relu
    backward (dy * (y > 0)) as the benchmark and ops.conv2d run it. Note [Winograd]: the rounding
    error is relative to the magnitudes of a whole tile, so where the relu leaves a channel nearly
    dead (a few nonzero dy), an entry of dw may sit far below the error of its neighbours: the dw
    tolerance uses the largest scale of the same output channel (an elementwise scale would need
    every tile's inputs to be of one magnitude)."""
    rng = np.random.default_rng(33)
    for xs, (K, CO) in [((2, 12, 12, 20), (5, 50)), ((1, 19, 19, 48), (5, 64)), ((1, 19, 19, 64), (3, 72))]:
        x = rng.standard_normal(xs).astype(np.float32)
        w = (rng.standard_normal((K, K, xs[3], CO)) / np.sqrt(K * K * xs[3])).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        y = tf.kernels.conv2d(x, w, b, 1, "same", 1, "relu")
        dy = rng.standard_normal(y.shape).astype(np.float32)
        got = tf.kernels.conv2d_backward(dy, x, w, 1, "same", 1, True, True, True, y=y)
        g = geometry(x.shape, w.shape, 1, "same", 1)
        yr, scale = ref64(x, w, b, g, "relu")
        assert_close(y, yr, scale=scale, n=K * K * xs[3], what=f"[{isa}] {xs} forward")
        m64 = dy.astype(np.float64) * (y > 0)
        want = R.conv2d_backward(m64, x.astype(np.float64), w.astype(np.float64), *g, True, True, True)
        scl = R.conv2d_backward(np.abs(m64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), *g,
                                True, True, True)
        scl = (scl[0], np.broadcast_to(scl[1].max(axis=(0, 1, 2)), scl[1].shape), scl[2])
        for gi, wi, si, n, what in zip(got, want, scl, (K * K * CO, y[..., 0].size, y[..., 0].size),
                                       ("dx", "dw", "db")):
            assert_close(gi, wi, scale=si, n=n, what=f"[{isa}] {xs} {what}")


def test_conv_winograd_gradients_finite_difference(isa):
    rng = np.random.default_rng(34)
    for xs, ws, padding in [((1, 5, 6, 16), (3, 3, 16, 17), "same"), ((2, 6, 5, 17), (5, 4, 17, 16), "valid")]:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws) / np.sqrt(np.prod(ws[:3])), rng.standard_normal(ws[3])
        g = geometry(x.shape, w.shape, 1, padding, 1)
        R_ = rng.standard_normal(R.conv2d_forward(x, w, b, *g, None).shape)
        xt = tf.Tensor(x.astype(np.float32), requires_grad=True)
        wt = tf.Tensor(w.astype(np.float32), requires_grad=True)
        bt = tf.Tensor(b.astype(np.float32), requires_grad=True)
        (tf.ops.conv2d(xt, wt, bt, padding=padding, activation="relu") * R_.astype(np.float32)).sum().backward()
        f = lambda: float((R.conv2d_forward(x, w, b, *g, "relu") * R_).sum())  # noqa: E731
        assert_grad_close(xt.grad, numeric_grad(f, x), what=f"[{isa}] dx {xs} {ws}")
        assert_grad_close(wt.grad, numeric_grad(f, w), what=f"[{isa}] dw {xs} {ws}")
        assert_grad_close(bt.grad, numeric_grad(f, b), what=f"[{isa}] db {xs} {ws}")


def test_conv_winograd_nan_reaches_its_outputs():
    """NaN in -> NaN out: every output whose window holds the NaN is NaN (Note [Winograd]: the
    other outputs of the same 6x6 tiles may be NaN too, as with any Winograd convolution)."""
    x = np.random.default_rng(35).standard_normal((1, 9, 9, 16)).astype(np.float32)
    x[0, 4, 5, 3] = np.nan
    w = np.ones((3, 3, 16, 16), np.float32)
    y = to_numpy(tf.ops.conv2d(x, w, padding="same"))
    want = np.isnan(R.conv2d_forward(x.astype(np.float64), w.astype(np.float64), None,
                                     *geometry(x.shape, w.shape, 1, "same", 1), None))
    assert want.sum() == 9 * 16 and np.isnan(y[want]).all()
    assert not np.isnan(y[0, 0:2]).any(), "tiles that do not read the NaN stay finite"


def test_conv_winograd_weight_gradient_directional(isa):
    """Winograd weight gradients (>= 64 output pixels; 5x5 in 3-tap pieces: Note [Winograd pieces])
    against central differences of the float64 reference along random directions."""
    rng = np.random.default_rng(36)
    for xs, ws, padding in [((1, 8, 9, 16), (3, 3, 16, 17), "same"), ((2, 8, 8, 17), (5, 5, 17, 16), "same"),
                            ((1, 12, 11, 16), (5, 3, 16, 20), "valid")]:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws) / np.sqrt(np.prod(ws[:3])), rng.standard_normal(ws[3])
        g = geometry(x.shape, w.shape, 1, padding, 1)
        R_ = rng.standard_normal(R.conv2d_forward(x, w, b, *g, None).shape)
        assert R_[..., 0].size >= 64
        wt = tf.Tensor(w.astype(np.float32), requires_grad=True)
        bt = tf.Tensor(b.astype(np.float32), requires_grad=True)
        (tf.ops.conv2d(x.astype(np.float32), wt, bt, padding=padding, activation="relu") * R_.astype(np.float32)).sum().backward()
        f = lambda w_: float((R.conv2d_forward(x, w_, b, *g, "relu") * R_).sum())  # noqa: E731
        gw = to_numpy(wt.grad).astype(np.float64)
        for _ in range(3):
            v = rng.standard_normal(ws)
            num = (f(w + 1e-6 * v) - f(w - 1e-6 * v)) / 2e-6
            assert abs((gw * v).sum() - num) <= 1e-3 * np.abs(gw * v).sum() + 1e-4, (xs, ws)
        assert_grad_close(bt.grad, numeric_grad(lambda: float((R.conv2d_forward(x, w, b, *g, "relu") * R_).sum()), b))


# ---- strided layers by phases (Note [strided layers by phases] in csrc/cpu/conv_phases.cpp) ----
# Stride > 1, dilation 1, kernel = r * stride (r = 2..4 per axis), >= 16 channels each way, an
# output grid where Winograd pays: the three passes run as stride-1 Winograd convolutions of the
# input's phase grids (F(5, 2) for r = 2, DCGAN's k4 s2).

def phases_case(rng):
    """A random layer of that kind: strides 2..3 per axis, r 2..4, grids 9..14, odd input sizes,
    every padding mode, channels off the vector width, batch 1..2."""
    sh, sw = (int(v) for v in rng.integers(2, 4, size=2))
    KH, KW = int(rng.integers(2, 5)) * sh, int(rng.integers(2, 5)) * sw
    OH, OW = (int(v) for v in rng.integers(9, 15, size=2))
    return strided_layer_case(rng, (sh, sw), (KH, KW), (OH, OW), [16, 17, 20, 33, 48], 3)


def strided_layer_case(rng, strides, kernel, grid, channels, batch_end):
    """x, w, strides, padding of a layer with that kernel giving that output grid: a random
    padding mode (same / valid / explicit pads), an input size off the exact fit, channels drawn
    from ``channels``, batch 1..batch_end-1."""
    (sh, sw), (KH, KW), (OH, OW) = strides, kernel, grid
    mode = int(rng.integers(0, 3))
    extra = [int(rng.integers(0, s)) for s in (sh, sw)]
    if mode == 0:  # 'same': any input size with ceil(H / s) = OH
        padding, H, W = "same", OH * sh - extra[0], OW * sw - extra[1]
    else:
        pads = (0, 0) if mode == 1 else (int(rng.integers(0, KH // 2 + 1)), int(rng.integers(0, KW // 2 + 1)))
        padding = "valid" if mode == 1 else pads
        H = (OH - 1) * sh + KH - 2 * pads[0] + extra[0]
        W = (OW - 1) * sw + KW - 2 * pads[1] + extra[1]
    C, CO = (int(rng.choice(channels)) for _ in range(2))
    N = int(rng.integers(1, batch_end))
    x = rng.standard_normal((N, H, W, C)).astype(np.float32)
    w = (rng.standard_normal((KH, KW, C, CO)) / np.sqrt(KH * KW * C)).astype(np.float32)
    return x, w, (sh, sw), padding


def test_conv_phases_random_shapes(isa):
    """All passes against the float64 reference (forward with bias and relu on every other case)."""
    rng = np.random.default_rng(61)
    for i in range(8):
        x, w, strides, padding = phases_case(rng)
        b = rng.standard_normal(w.shape[3]).astype(np.float32)
        check_conv(x, w, b, strides, padding, 1, "relu" if i % 2 else None, "cpu",
                   what=f"[{isa}] phases x{x.shape} w{w.shape} s{strides} p{padding!r}")


def test_conv_phases_dcgan_layers(isa):
    """The DCGAN 14->28 benchmark layer's passes (batch cut to 2) take the path, all three: each
    differs in rounding from the direct kernels (_C._conv_winograd(False) turns it off) and
    matches the float64 reference; the weight gradient and db are the same at 1 and 2 threads."""
    C = tf._native._C
    rng = np.random.default_rng(62)
    x = rng.standard_normal((2, 28, 28, 32)).astype(np.float32)
    w = (rng.standard_normal((4, 4, 32, 64)) / 8).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    check_conv(x, w, b, 2, "same", 1, None, "cpu", what=f"[{isa}] dcgan 14->28")
    g = geometry(x.shape, w.shape, 2, "same", 1)
    dy = rng.standard_normal((2, 14, 14, 64)).astype(np.float32)

    def passes():
        return [C.conv2d_forward(x, w, b, *g, None)] + list(C.conv2d_backward(dy, x, w, *g, True, True, True, None))
    on = passes()
    prev = C._conv_winograd(False)
    try:
        off = passes()
    finally:
        C._conv_winograd(prev)
    for what, a, d in zip(("forward", "dx", "dw", "db"), on, off):
        np.testing.assert_allclose(a, d, rtol=1e-3, atol=1e-3 * np.abs(d).max(), err_msg=what)
        if what != "db":
            assert not np.array_equal(a, d), f"{what}: the phase path was not taken"
    prev_t = tf.get_num_threads()
    try:
        tf.set_num_threads(1)
        one = C.conv2d_backward(dy, x, w, *g, False, True, True, None)
        tf.set_num_threads(2)
        two = C.conv2d_backward(dy, x, w, *g, False, True, True, None)
    finally:
        tf.set_num_threads(prev_t)
    assert np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2])


def test_conv_phases_gradients_finite_difference(isa):
    """Through the Tensor API (fused relu): x, w and b gradients of a stride-2 k4 'same' layer and
    a (3, 2)-strided k(6, 6) 'valid' one against central differences of the float64 reference."""
    rng = np.random.default_rng(63)
    for xs, ws, strides, padding in [((1, 20, 19, 16), (4, 4, 16, 17), 2, "same"),
                                     ((1, 30, 21, 17), (6, 6, 17, 16), (3, 2), "valid")]:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws) / np.sqrt(np.prod(ws[:3])), rng.standard_normal(ws[3])
        g = geometry(x.shape, w.shape, strides, padding, 1)
        R_ = rng.standard_normal(R.conv2d_forward(x, w, b, *g, None).shape)
        xt = tf.Tensor(x.astype(np.float32), requires_grad=True)
        wt = tf.Tensor(w.astype(np.float32), requires_grad=True)
        bt = tf.Tensor(b.astype(np.float32), requires_grad=True)
        (tf.ops.conv2d(xt, wt, bt, strides=strides, padding=padding, activation="relu")
         * R_.astype(np.float32)).sum().backward()
        f = lambda x_, w_: float((R.conv2d_forward(x_, w_, b, *g, "relu") * R_).sum())  # noqa: E731
        for grad, at, which in ((xt.grad, x, 0), (wt.grad, w, 1)):
            gv = to_numpy(grad).astype(np.float64)
            for _ in range(3):
                v = rng.standard_normal(at.shape)
                args_p = (x + 1e-6 * v, w) if which == 0 else (x, w + 1e-6 * v)
                args_m = (x - 1e-6 * v, w) if which == 0 else (x, w - 1e-6 * v)
                num = (f(*args_p) - f(*args_m)) / 2e-6
                assert abs((gv * v).sum() - num) <= 1e-3 * np.abs(gv * v).sum() + 1e-4, (xs, ws, which)
        assert_grad_close(bt.grad, numeric_grad(lambda: f(x, w), b))


# ---- F(7, 2) on 8x8 tiles (Note [Winograd 8x8 tiles] in csrc/cpu/conv_winograd_tiles.h) ---
# The phases' 2x2 kernels (kernel = 2 * stride) on grids where 6x6 tiles waste most of a tile
# (6..7, 11..14 outputs per axis) run F(7, 2); backward data phase by phase where each phase grid
# is one tile.

def tile8_case(rng):
    """A layer with r = 2 per axis (strides 2..3, kernel 2 * stride), output grids 5..7 or 11..14,
    odd input sizes, every padding mode, channels off the vector width, batch 1..3."""
    sh, sw = (int(v) for v in rng.integers(2, 4, size=2))
    KH, KW = 2 * sh, 2 * sw
    OH, OW = (int(rng.choice([5, 6, 7, 7, 11, 13, 14])) for _ in range(2))
    return strided_layer_case(rng, (sh, sw), (KH, KW), (OH, OW), [16, 17, 20, 33, 64], 4)


def test_conv_winograd_tile8_random_shapes(isa):
    """All passes against the float64 reference (bias and relu on every other case)."""
    rng = np.random.default_rng(71)
    for i in range(8):
        x, w, strides, padding = tile8_case(rng)
        b = rng.standard_normal(w.shape[3]).astype(np.float32)
        check_conv(x, w, b, strides, padding, 1, "relu" if i % 2 else None, "cpu",
                   what=f"[{isa}] tile8 x{x.shape} w{w.shape} s{strides} p{padding!r}")


def _passes(C, x, w, dy, g):
    y = C.conv2d_forward(x, w, None, *g, None)
    dx, dw, _ = C.conv2d_backward(dy, x, w, *g, True, True, False, None)
    return y, dx, dw


def test_conv_winograd_tile8_error(isa):
    """The rounding of F(7, 2) against float64, max |error| / (|x| conv |w|) in float32 eps, on
    the conv2d view of DCGAN 7->14 (batch 4, all three passes on 8x8 tiles, each differing from
    the direct kernels' result) and of 14->28 (forward and weight gradient on 8x8 tiles, backward
    data on F(5, 2)'s 6x6). Measured (AVX2): 7->14 73 / 167 / 22 eps (direct 2.1 / 2.1 / 2.3);
    14->28 56 / 130 / 7.7 (F(5, 2): 25 / 130 / 3.3). Bounded here at 4x those: an error of this
    order is below the tests' n * eps tolerances at these reduction lengths (n = 256..6272).
    The weight gradient and db are bit-identical at 1 and 2 threads."""
    C = tf._native._C
    eps = np.finfo(np.float32).eps
    rng = np.random.default_rng(72)
    for H, CI, CO, bound in ((14, 64, 128, (300, 700, 100)), (28, 32, 64, (250, 550, 35))):
        x = rng.standard_normal((4, H, H, CI)).astype(np.float32)
        w = (rng.standard_normal((4, 4, CI, CO)) / 8).astype(np.float32)
        dy = rng.standard_normal((4, H // 2, H // 2, CO)).astype(np.float32)
        g = geometry(x.shape, w.shape, 2, "same", 1)
        got = _passes(C, x, w, dy, g)
        prev = C._conv_winograd_tile8(False)
        try:
            off = _passes(C, x, w, dy, g)
        finally:
            C._conv_winograd_tile8(prev)
        assert prev is True and C._conv_winograd_tile8() is True
        x64, w64, d64 = (a.astype(np.float64) for a in (x, w, dy))
        want = [R.conv2d_forward(x64, w64, None, *g, None)] + list(
            R.conv2d_backward(d64, x64, w64, *g, True, True, False)[:2])
        scale = [R.conv2d_forward(np.abs(x64), np.abs(w64), None, *g, None)] + list(
            R.conv2d_backward(np.abs(d64), np.abs(x64), np.abs(w64), *g, True, True, False)[:2])
        for what, a, o, wv, sc, bd in zip(("forward", "dx", "dw"), got, off, want, scale, bound):
            err = float((np.abs(a - wv) / sc).max() / eps)
            assert err <= bd, f"[{isa}] {H // 2}->{H} {what}: {err:.1f} eps > {bd}"
            if H == 14 or what != "dx":
                assert not np.array_equal(a, o), f"[{isa}] {H // 2}->{H} {what}: 8x8 tiles not taken"
            else:
                assert np.array_equal(a, o), f"[{isa}] 14->28 dx: 6x6 tiles expected"
        # one reduction part of 8x8 tiles: its points' GEMMs split among the threads, each sum by
        # one thread in a fixed order: dW and db the same at 1 and 2 threads
        prev_t = tf.get_num_threads()
        try:
            tf.set_num_threads(1)
            one = C.conv2d_backward(dy, x, w, *g, False, True, True, None)
            tf.set_num_threads(2)
            two = C.conv2d_backward(dy, x, w, *g, False, True, True, None)
        finally:
            tf.set_num_threads(prev_t)
        assert np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2]), f"[{isa}] {H // 2}->{H}"


def test_conv_weight_gradient_rows(isa):
    """Note [weight gradient rows] and Note [forward rows]: few input channels, no horizontal
    padding, dilation 1 along W: dW read from x in place (strided micro-kernel, row tiles MR / 2 /
    1), forward tiles along one output row (partial last tiles by the gather kernel); strides,
    vertical pads and vertical dilation included, KW*C_in from 1 to 35, C_out taking the 8- and
    16-lane builds, the LeNet conv1 layer (batch shrunk)."""
    rng = np.random.default_rng(37)
    cases = [((3, 28, 28, 1), (5, 5, 1, 20), 1, "valid", 1), ((2, 9, 10, 3), (3, 7, 3, 17), (2, 3), (1, 0), (2, 1)),
             ((1, 6, 5, 7), (2, 5, 7, 33), 1, (2, 0), 1), ((2, 7, 8, 2), (1, 1, 2, 5), (1, 2), "valid", 1),
             ((2, 9, 11, 3), (3, 4, 3, 48), 1, "valid", 1), ((1, 8, 9, 2), (2, 3, 2, 64), (2, 2), (1, 0), 1)]
    for _ in range(6):
        C, CO = int(rng.choice([1, 2, 3, 5, 7])), int(rng.choice([1, 8, 17, 20, 50]))
        KH, KW = (int(v) for v in rng.integers(1, 8, size=2))
        H, W = int(rng.integers(KH, 20)), int(rng.integers(KW, 20))
        cases.append(((int(rng.integers(1, 4)), H, W, C), (KH, KW, C, CO), (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
                      (int(rng.integers(0, 3)), 0), 1))
    for i, (xs, ws, strides, padding, dilation) in enumerate(cases):
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        b = rng.standard_normal(ws[3]).astype(np.float32)
        check_conv(x, w, b, strides, padding, dilation, "relu" if i % 2 else None, "cpu",
                   what=f"[{isa}] rows x{xs} w{ws} s{strides} p{padding!r} d{dilation}")
    # fused relu backward on the LeNet conv1 layer
    x = rng.standard_normal((2, 28, 28, 1)).astype(np.float32)
    w = (rng.standard_normal((5, 5, 1, 20)) / 5).astype(np.float32)
    b = rng.standard_normal(20).astype(np.float32)
    y = tf.kernels.conv2d(x, w, b, 1, "valid", 1, "relu")
    dy = rng.standard_normal(y.shape).astype(np.float32)
    _, dw, db = tf.kernels.conv2d_backward(dy, x, w, 1, "valid", 1, False, True, True, y=y)
    m64 = dy.astype(np.float64) * (y > 0)
    g = geometry(x.shape, w.shape, 1, "valid", 1)
    _, dwr, dbr = R.conv2d_backward(m64, x.astype(np.float64), w.astype(np.float64), *g, False, True, True)
    _, sw_, sb = R.conv2d_backward(np.abs(m64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), *g,
                                   False, True, True)
    assert_close(dw, dwr, scale=sw_, n=y[..., 0].size, what=f"[{isa}] conv1 fused dw")
    assert_close(db, dbr, scale=sb, n=y[..., 0].size, what=f"[{isa}] conv1 fused db")


def test_conv_strided_backward_data(isa):
    """Note [strided backward data]: dx tiles by image row and phase iw mod sw. Strides (2, 2),
    (3, 2), (1, 2), (2, 1); 1x1 stride 2 (pixels no output reads get 0); images narrower than the
    stride; even kernels, dilation, every padding mode; C_in off the vector width."""
    rng = np.random.default_rng(38)
    cases = [((2, 9, 10, 17), (3, 3, 17, 20), 2, "same", 1), ((1, 8, 8, 33), (1, 1, 33, 16), 2, "valid", 1),
             ((2, 7, 1, 20), (3, 1, 20, 9), (2, 3), "same", 1), ((1, 11, 9, 24), (4, 4, 24, 12), (3, 2), (1, 2), (1, 2)),
             ((3, 6, 7, 9), (2, 3, 9, 31), (1, 2), "same", 1), ((1, 10, 6, 64), (5, 2, 64, 7), (2, 1), "valid", (2, 1))]
    for i, (xs, ws, strides, padding, dilation) in enumerate(cases):
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        check_conv(x, w, None, strides, padding, dilation, None, "cpu",
                   what=f"[{isa}] strided dx x{xs} w{ws} s{strides} p{padding!r} d{dilation}")


def test_conv_strided_backward_data_random(isa):
    """Note [strided backward data], phase-grid tiles: seeded random strided layers (strides 2 and
    3, mixed (2, 3)/(3, 2)/(1, 2)), odd and tiny images (1..17, narrower than the stride), batch 1..4,
    channels 1 .. 70 (off the vector width, one vector, a 2+2 and a 3+3+2 panel split), kernels
    1..5 (even ones: taps shared unevenly between phases), dilation 1..2, every padding mode: all
    passes against the float64 reference (the forward and dW ride along)."""
    rng = np.random.default_rng(151)
    n = 0
    while n < 14:
        N = int(rng.integers(1, 5))
        H, W = (int(v) for v in rng.integers(1, 18, size=2))
        C = int(rng.choice([1, 3, 8, 17, 24, 32, 33, 64, 70]))
        CO = int(rng.choice([1, 5, 16, 33, 64]))
        KH, KW = (int(v) for v in rng.integers(1, 6, size=2))
        strides = [(2, 2), (3, 3), (2, 3), (3, 2), (1, 2)][n % 5]
        dilation = (1, 1) if rng.random() < 0.7 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = ["valid", "same", (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][n % 3]
        if N * H * W * C * KH * KW * CO > 1.5e6:
            continue
        try:
            geometry((N, H, W, C), (KH, KW, C, CO), strides, padding, dilation)
        except ValueError:
            continue
        n += 1
        x = rng.standard_normal((N, H, W, C)).astype(np.float32)
        w = rng.standard_normal((KH, KW, C, CO)).astype(np.float32)
        check_conv(x, w, None, strides, padding, dilation, None, "cpu",
                   what=f"[{isa}] strided dx x{x.shape} w{w.shape} s{strides} p{padding!r} d{dilation}")
    # the DCGAN benchmark geometries, batch cut to 2 (7x7 -> 14x14 phase grids: tiles cross grid rows)
    for xs, ws in [((2, 14, 14, 64), (4, 4, 64, 128)), ((2, 28, 28, 32), (4, 4, 32, 64)),
                   ((2, 14, 14, 64), (5, 5, 64, 16))]:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        check_conv(x, w, None, 2, "same", 1, None, "cpu", what=f"[{isa}] dcgan x{xs} w{ws}")


def test_conv_weight_gradient_by_taps(isa):
    """Note [weight gradient by taps] (csrc/cpu/conv_wgrad_taps.cpp): >= 64 input channels and
    >= 4 taps. Seeded random layers (channels 64..120 off the vector width, C_out 1..40, kernels
    2..5 incl. even and 1xK, strides 1..3, dilation, every padding mode, odd and tiny images), the
    fused relu mask, 8 pixel parts with partial sums (P >= 4096), two row groups split inside a tap
    (9 taps x 120 channels), the DCGAN 7->14 weight gradient (batch cut to 4): dW and db against the
    float64 reference, against the im2col path, and bit-identical at 1, 2 and 3 threads."""
    C = tf._native._C
    rng = np.random.default_rng(171)
    cases = [((4, 14, 14, 64), (4, 4, 64, 128), 2, "same", 1), ((2, 7, 7, 120), (3, 3, 120, 16), 2, "same", 1),
             ((40, 10, 11, 64), (2, 2, 64, 24), 1, "valid", 1), ((3, 5, 13, 96), (1, 5, 96, 8), (1, 2), (0, 2), 1),
             ((2, 3, 3, 64), (5, 5, 64, 12), 1, "same", 1), ((1, 4, 4, 70), (4, 4, 70, 9), 2, "same", 1)]
    while len(cases) < 12:
        N = int(rng.integers(1, 4))
        H, W = (int(v) for v in rng.integers(1, 14, size=2))
        CI, CO = int(rng.choice([64, 65, 72, 96])), int(rng.choice([1, 5, 16, 33, 40]))
        KH, KW = (int(v) for v in rng.integers(1, 6, size=2))
        if KH * KW < 4:
            continue
        strides = [(2, 2), (3, 3), (2, 3), (1, 1)][len(cases) % 4]
        dilation = (1, 1) if rng.random() < 0.6 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = ["valid", "same", (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][len(cases) % 3]
        try:
            geometry((N, H, W, CI), (KH, KW, CI, CO), strides, padding, dilation)
        except ValueError:
            continue
        cases.append(((N, H, W, CI), (KH, KW, CI, CO), strides, padding, dilation))
    prev_threads = tf.get_num_threads()
    try:
        for i, (xs, ws, strides, padding, dilation) in enumerate(cases):
            what = f"[{isa}] taps x{xs} w{ws} s{strides} p{padding!r} d{dilation}"
            x = rng.standard_normal(xs).astype(np.float32)
            w = rng.standard_normal(ws).astype(np.float32)
            y = tf.kernels.conv2d(x, w, None, strides, padding, dilation, None)
            dy = rng.standard_normal(y.shape).astype(np.float32)
            relu = i % 2 == 1
            g = geometry(xs, ws, strides, padding, dilation)
            d64 = dy.astype(np.float64) * (y > 0) if relu else dy.astype(np.float64)
            _, dwr, dbr = R.conv2d_backward(d64, x.astype(np.float64), w.astype(np.float64), *g, False, True, True)
            _, sw_, sb = R.conv2d_backward(np.abs(d64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64),
                                           *g, False, True, True)
            n = xs[0] * y.shape[1] * y.shape[2]
            got = {}
            for taps in (True, False):
                prev = C._conv_wgrad_taps(taps)
                try:
                    for t in (1, 2, 3) if taps else (1,):
                        tf.set_num_threads(t)
                        got[taps, t] = tf.kernels.conv2d_backward(dy, x, w, strides, padding, dilation, False, True,
                                                                  True, y=y if relu else None)[1:]
                finally:
                    C._conv_wgrad_taps(prev)
            for (taps, t), (dw, db) in got.items():
                assert_close(dw, dwr, scale=sw_, n=n, what=f"{what} {'taps' if taps else 'im2col'} dw")
                assert_close(db, dbr, scale=sb, n=n, what=f"{what} db")
                assert np.array_equal(dw, got[True, 1][0]) or not taps, f"{what}: dw at {t} threads differs"
                assert np.array_equal(db, got[True, 1][1]) or not taps, f"{what}: db at {t} threads differs"
    finally:
        tf.set_num_threads(prev_threads)
    assert C._conv_wgrad_taps() is True


def test_conv_strided_forward_border_classes(isa):
    """Note [forward border classes] (csrc/cpu/conv_direct.cpp): strided layers whose windows
    read padding tile their output pixels sorted by valid taps. Seeded random layers (strides 2,
    3 and mixed, 'same' and explicit pads, dilation, odd and tiny images, channels 8..96, C_out
    off the vector width, bias + relu), the DCGAN 7->14 dx pass (batch cut to 3): the forward
    against the float64 reference with the path on and off, and the gradients alongside."""
    C = tf._native._C
    rng = np.random.default_rng(173)
    cases = [((3, 14, 14, 64), (4, 4, 64, 128), 2, "same", 1), ((2, 9, 9, 70), (3, 3, 70, 10), 3, (2, 1), 1),
             ((1, 4, 4, 8), (4, 4, 8, 9), 2, "same", 1), ((2, 11, 11, 16), (3, 3, 16, 33), 2, "same", 2)]
    while len(cases) < 10:
        N = int(rng.integers(1, 4))
        H, W = (int(v) for v in rng.integers(1, 16, size=2))
        CI, CO = int(rng.choice([8, 17, 32, 64, 96])), int(rng.choice([1, 5, 16, 33]))
        KH, KW = (int(v) for v in rng.integers(1, 6, size=2))
        strides = [(2, 2), (3, 3), (2, 3), (1, 2)][len(cases) % 4]
        dilation = (1, 1) if rng.random() < 0.6 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = ["same", (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][len(cases) % 2]
        try:
            geometry((N, H, W, CI), (KH, KW, CI, CO), strides, padding, dilation)
        except ValueError:
            continue
        cases.append(((N, H, W, CI), (KH, KW, CI, CO), strides, padding, dilation))
    for xs, ws, strides, padding, dilation in cases:
        what = f"[{isa}] classes x{xs} w{ws} s{strides} p{padding!r} d{dilation}"
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        b = rng.standard_normal(ws[3]).astype(np.float32)
        check_conv(x, w, b, strides, padding, dilation, "relu", "cpu", what=what)
        g = geometry(xs, ws, strides, padding, dilation)
        yr, scale = ref64(x, w, b, g, None)
        prev = C._conv_forward_classes(False)
        try:
            y_off = C.conv2d_forward(x, w, b, *g, None)
        finally:
            C._conv_forward_classes(prev)
        assert_close(y_off, yr, scale=scale, n=ws[0] * ws[1] * ws[2], what=f"{what} (path off)")
    assert C._conv_forward_classes() is True


def test_conv_strided_panels_share_tile_rows(isa):
    """The strided backward data (Note [strided backward data]) and the forward by border class
    (Note [forward border classes]) gather a tile's rows once for all panels of one tile height:
    seeded random strided layers whose channel widths split into panels of equal heights (32: 2+2,
    64: 3+3+2, 72: 3+3+3) and of different ones (40: 3+2, 24 and 20: one panel), both as C_in
    (backward data) and as C_out (forward), with odd images, strides 2/3, 'same' and explicit
    pads, dilation, bias + relu, and the DCGAN 14->28 geometry with batch 2: every pass against
    the float64 reference."""
    rng = np.random.default_rng(907)
    cases = [((2, 28, 28, 32), (4, 4, 32, 64), 2, "same", 1)]
    while len(cases) < 9:
        N = int(rng.integers(1, 4))
        H, W = (int(v) for v in rng.integers(3, 14, size=2))
        C, CO = (int(rng.choice([20, 24, 32, 40, 64, 72])) for _ in range(2))
        KH, KW = (int(v) for v in rng.integers(2, 6, size=2))
        strides = [(2, 2), (3, 3), (2, 3)][len(cases) % 3]
        dilation = (1, 1) if len(cases) % 4 else (2, 1)
        padding = ["same", (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][len(cases) % 2]
        try:
            geometry((N, H, W, C), (KH, KW, C, CO), strides, padding, dilation)
        except ValueError:
            continue
        cases.append(((N, H, W, C), (KH, KW, C, CO), strides, padding, dilation))
    for xs, ws, strides, padding, dilation in cases:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        b = rng.standard_normal(ws[3]).astype(np.float32)
        check_conv(x, w, b, strides, padding, dilation, "relu", "cpu",
                   what=f"[{isa}] panels x{xs} w{ws} s{strides} p{padding!r} d{dilation}")


# ---- thread-count independence (issue 16 item 6) --------------------------------------------

def _bwd_at_threads(dy, x, w, g, threads):
    prev = tf.get_num_threads()
    out = []
    try:
        for t in threads:
            tf.set_num_threads(t)
            out.append(tf.kernels.conv2d_backward(dy, x, w, *g, True, True, True))
    finally:
        tf.set_num_threads(prev)
    return out


def test_conv_weight_gradient_independent_of_thread_count(isa):
    """Note [fixed reduction partition]: the weight-gradient reduction is cut into parts fixed by
    the shape, not by the thread count, so dx, dw and db are bit-identical at 1, 2 and 3 threads,
    on every dW algorithm with several parts: rows (LeNet conv1), im2col chunks (LeNet conv2),
    Winograd (3x3, 32 -> 48 channels), and a strided layer."""
    rng = np.random.default_rng(61)
    cases = [((16, 28, 28, 1), (5, 5, 1, 20), 1, "valid"), ((16, 12, 12, 20), (5, 5, 20, 50), 1, "same"),
             ((16, 19, 19, 32), (3, 3, 32, 48), 1, "same"), ((8, 30, 30, 9), (3, 3, 9, 24), 2, "same")]
    for xs, ws, strides, padding in cases:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        y = tf.kernels.conv2d(x, w, None, strides, padding, 1, None)
        dy = rng.standard_normal(y.shape).astype(np.float32)
        g = (strides, padding, 1)
        one, *rest = _bwd_at_threads(dy, x, w, g, (1, 2, 3))
        for t, other in zip((2, 3), rest):
            for name, a, b in zip(("dx", "dw", "db"), one, other):
                assert np.array_equal(a, b), (
                    f"[{isa}] x{xs} w{ws}: {name} at {t} threads differs from 1 thread by "
                    f"{np.abs(a - b).max()}")
        # and the gradients are right (not merely equal)
        gg = geometry(xs, ws, strides, padding, 1)
        ref = R.conv2d_backward(dy.astype(np.float64), x.astype(np.float64), w.astype(np.float64), *gg,
                                True, True, True)
        scl = R.conv2d_backward(np.abs(dy).astype(np.float64), np.abs(x).astype(np.float64),
                                np.abs(w).astype(np.float64), *gg, True, True, True)
        n = xs[0] * y.shape[1] * y.shape[2]
        assert_close(one[1], ref[1], scale=scl[1], n=n, what=f"[{isa}] dw x{xs} w{ws}")
        assert_close(one[2], ref[2], scale=scl[2], n=n, what=f"[{isa}] db x{xs} w{ws}")


def test_lenet_training_bit_identical_across_thread_counts():
    """README "Reliability", determinism: the same seed gives bit-identical weights at 1 and at 2
    threads (LeNet: two conv layers, pooling, dense; Adam; a few steps)."""
    from tensorforge import layers as L, models as M
    from tensorforge.utils import set_random_seed
    if tf._native._C is None:
        pytest.skip("native CPU module unavailable")
    rng = np.random.default_rng(62)
    x = rng.random((96, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 96)
    prev_threads, prev_backend = tf.get_num_threads(), tf.get_backend()
    weights = []
    try:
        tf.set_backend("cpu")
        for t in (1, 2):
            tf.set_num_threads(t)
            set_random_seed(5)
            m = M.Sequential([L.Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1)), L.MaxPooling2D(),
                              L.Conv2D(50, 5, padding="same", activation="relu"), L.MaxPooling2D(),
                              L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])
            m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            m.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
            weights.append(m.get_weights())
    finally:
        tf.set_num_threads(prev_threads)
        tf.set_backend(prev_backend)
    for i, (a, b) in enumerate(zip(*weights)):
        assert np.array_equal(a, b), f"weight {i} {a.shape}: max |diff| {np.abs(a - b).max()} (1 vs 2 threads)"
