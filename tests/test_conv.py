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
from conv_checks import check_conv, geometry, ref64
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


def test_conv_direct_k_groups(isa):
    """Note [forward K groups]: the direct forward and backward-data passes cut B (KH*KW*C_in,
    resp. KH*KW*C_out rows) into groups that share half the L2, adding into the output group by
    group (the bias with the first, the relu with the last). Layers of 96-160 channels with
    3x3 and 5x5 kernels take 2-9 groups on any L2 up to 2 MiB: ResNet50's 3x3 maps (every tile
    on a border), maps wide enough for tiles of whole kernel rows, 'valid' and strided layers,
    and channel counts off the vector width. Winograd is off, so every pass is direct."""
    C = tf._native._C
    rng = np.random.default_rng(12)
    cases = [((4, 3, 3, 128), (3, 3, 128, 96), 1, "same"), ((2, 9, 21, 130), (3, 3, 130, 140), 1, "same"),
             ((2, 7, 8, 96), (5, 5, 96, 100), 1, "same"), ((3, 6, 6, 144), (3, 3, 144, 64), 1, "valid"),
             ((2, 8, 8, 128), (3, 3, 128, 128), 2, "same")]
    prev = C._conv_winograd(False)
    try:
        for i, (xs, ws, strides, padding) in enumerate(cases):
            x = rng.standard_normal(xs).astype(np.float32)
            w = (rng.standard_normal(ws) / np.sqrt(ws[0] * ws[1] * ws[2])).astype(np.float32)
            b = rng.standard_normal(ws[3]).astype(np.float32)
            check_conv(x, w, b, strides, padding, 1, "relu" if i % 2 == 0 else None, "cpu",
                       what=f"[{isa}] x{xs} w{ws} s{strides} p{padding!r}")
    finally:
        C._conv_winograd(prev)


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
    (lambda: tf.ops.conv2d(X.astype(np.float16), Wt), TypeError, r"conv2d: x must be float32 or float64, got float16"),
    (lambda: tf.ops.conv2d(X.astype(np.float64), Wt), TypeError, r"conv2d: arguments must share one dtype"),
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
