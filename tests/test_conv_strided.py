"""conv2d's direct native passes against the float64 reference on every ISA: weight gradients
by rows and by taps, strided backward data, the border classes and shared tile rows of strided
forward, and results that do not depend on the thread count."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import reference as R
from tfhelpers import assert_close
from conv_checks import check_conv, geometry, ref64


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
