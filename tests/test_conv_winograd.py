"""conv2d's Winograd paths against the float64 reference on every ISA: F(m, r) on 6x6 tiles,
strided layers run as Winograd convolutions of their phase grids, and F(7, 2) on 8x8 tiles
(random shapes, the benchmark and DCGAN layers, gradients by finite differences, rounding error
bounds, NaN propagation)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import reference as R
from tfhelpers import assert_close, assert_grad_close, numeric_grad, to_numpy
from conv_checks import check_conv, geometry, ref64, weight_grads_at_1_and_2_threads


# Winograd forced wherever its multiply count allows (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("winograd_always")


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


def test_winograd_against_direct_rule(isa):
    """Note [Winograd against direct]: ResNet50's last 3x3 layer at 96x96 and batch 8 (3x3 maps,
    512 channels: one tile per image against 38 MB of transformed weights) runs every pass
    direct, bit for bit what the direct kernels give with Winograd off; a 12x12 map of 128
    channels at the same batch (9 tiles per image, a 2.4 MB U) stays Winograd in every pass."""
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    rng = np.random.default_rng(34)
    prev_always = C._conv_winograd_always(False)
    try:
        for xs, want_wino in [((8, 3, 3, 512), False), ((8, 12, 12, 128), True)]:
            x = rng.standard_normal(xs).astype(np.float32)
            w = (rng.standard_normal((3, 3, xs[3], xs[3])) / np.sqrt(9 * xs[3])).astype(np.float32)
            b = rng.standard_normal(xs[3]).astype(np.float32)
            g = geometry(x.shape, w.shape, 1, "same", 1)
            dy = rng.standard_normal(xs).astype(np.float32)

            def passes():
                return (C.conv2d_forward(x, w, b, *g, None),) + tuple(
                    C.conv2d_backward(dy, x, w, *g, True, True, False)[:2])

            chosen = passes()
            prev = C._conv_winograd(False)
            try:
                direct = passes()
            finally:
                C._conv_winograd(prev)
            for name, a, d in zip(("forward", "dx", "dw"), chosen, direct):
                assert np.array_equal(a, d) != want_wino, f"[{isa}] {xs} {name}: Winograd {'not ' * want_wino}taken"
    finally:
        C._conv_winograd_always(prev_always)


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
    one, two = weight_grads_at_1_and_2_threads(dy, x, w, g)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])


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
        one, two = weight_grads_at_1_and_2_threads(dy, x, w, g)
        assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1]), f"[{isa}] {H // 2}->{H}"
