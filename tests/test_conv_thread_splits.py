"""How the Winograd weight gradient splits its work among threads (csrc/cpu/conv_winograd.cpp):
the reduction parts (Note [fixed reduction partition]: 3 parts become 2, so two threads split
AlphaGo 5x5's 400 tiles evenly) and, for one part on 8x8 tiles (DCGAN 7->14), the transforms split
by tiles beside the points' GEMMs. dW and db are checked against float64 and must be bit-identical
at 1 and 2 threads, on every ISA this CPU runs (generic, AVX2, AVX-512)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import reference as R
from tensorforge.kernels.conv import conv_geometry

EPS = np.finfo(np.float32).eps


def _geometry(xs, ws, strides, padding):
    g = conv_geometry("test", xs, ws, strides, padding, 1)
    return g[:8], (g[8], g[9])


def _wgrad(C, dy, x, w, g, need_db, threads):
    prev = tf.get_num_threads()
    try:
        tf.set_num_threads(threads)
        _, dw, db = C.conv2d_backward(dy, x, w, *g, False, True, need_db, None)
    finally:
        tf.set_num_threads(prev)
    return dw, db


def _check_against_f64(isa, what, dy, x, w, g, dw, db):
    """|dW - dW64| <= 8 n eps (|dy| (x) |x|) with n the reduction length (pixels), likewise db."""
    d64, x64, w64 = (a.astype(np.float64) for a in (dy, x, w))
    _, want_w, want_b = R.conv2d_backward(d64, x64, w64, *g, False, True, True)
    _, sc_w, sc_b = R.conv2d_backward(np.abs(d64), np.abs(x64), np.abs(w64), *g, False, True, True)
    n = dy.shape[0] * dy.shape[1] * dy.shape[2]
    err = np.abs(dw - want_w) / (sc_w + 1e-30)
    assert err.max() <= 8 * n * EPS, f"[{isa}] {what}: dW off by {err.max() / EPS:.0f} eps (n = {n})"
    if db is not None:
        errb = np.abs(db - want_b) / (sc_b + 1e-30)
        assert errb.max() <= 8 * n * EPS, f"[{isa}] {what}: db off by {errb.max() / EPS:.0f} eps"


# (N, H, W, C_in, C_out): 5x5 'same' stride 1, weight gradient in F(4, 3) pieces on 6x6 tiles of
# 4 x 4 outputs: 384..511 tiles (3 parts of >= 128 before, 2 now), odd channel counts off the
# vector widths, H != W
CASES_5X5 = [(16, 19, 19, 16, 24), (17, 20, 18, 17, 16), (24, 16, 17, 16, 33), (31, 13, 15, 20, 16)]


@pytest.mark.parametrize("shape", CASES_5X5, ids=lambda s: "x".join(map(str, s)))
def test_wgrad_5x5_two_parts(isa, shape):
    C = tf._native._C
    N, H, W, CI, CO = shape
    rng = np.random.default_rng(H * 100 + CI)
    x = rng.standard_normal((N, H, W, CI)).astype(np.float32)
    w = (rng.standard_normal((5, 5, CI, CO)) / 10).astype(np.float32)
    g, (OH, OW) = _geometry(x.shape, w.shape, 1, "same")
    tiles = N * -(-OH // 4) * -(-OW // 4)
    assert 384 <= tiles < 512, tiles
    dy = rng.standard_normal((N, OH, OW, CO)).astype(np.float32)
    one = _wgrad(C, dy, x, w, g, True, 1)
    two = _wgrad(C, dy, x, w, g, True, 2)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1]), f"[{isa}] {shape}"
    _check_against_f64(isa, str(shape), dy, x, w, g, *one)
    # Winograd was taken: the direct kernels (Winograd off) round differently
    prev = C._conv_winograd(False)
    try:
        direct = _wgrad(C, dy, x, w, g, True, 1)
    finally:
        C._conv_winograd(prev)
    assert not np.array_equal(direct[0], one[0]), f"[{isa}] {shape}: Winograd not taken"


# The conv2d view of Conv2DTranspose k4 s2 'same' weight gradients whose phase grids are one 8x8
# tile (6x6 / 7x7, output 12..14): one reduction part, points and transforms split among threads.
# (N, H, W, C_in, C_out) with H, W the conv2d input (the transposed layer's output).
CASES_8X8 = [(4, 14, 14, 64, 128), (2, 14, 14, 16, 16), (3, 13, 14, 17, 40), (2, 12, 13, 40, 17),
             (5, 14, 12, 24, 64)]


@pytest.mark.parametrize("shape", CASES_8X8, ids=lambda s: "x".join(map(str, s)))
def test_wgrad_8x8_tiles_split(isa, shape):
    C = tf._native._C
    N, H, W, CI, CO = shape
    rng = np.random.default_rng(H * 10 + W + CO)
    x = rng.standard_normal((N, H, W, CI)).astype(np.float32)
    w = (rng.standard_normal((4, 4, CI, CO)) / 8).astype(np.float32)
    g, (OH, OW) = _geometry(x.shape, w.shape, 2, "same")
    dy = rng.standard_normal((N, OH, OW, CO)).astype(np.float32)
    runs = {(db, t): _wgrad(C, dy, x, w, g, db, t) for db in (False, True) for t in (1, 2)}
    ref = runs[False, 1][0]
    for (db, t), (dw, dbv) in runs.items():
        # the dy transform is split by tiles only without db; dW is the same bits either way
        assert np.array_equal(dw, ref), f"[{isa}] {shape}: dW differs (db {db}, {t} threads)"
        assert (dbv is None) == (not db)
    assert np.array_equal(runs[True, 1][1], runs[True, 2][1]), f"[{isa}] {shape}: db differs"
    _check_against_f64(isa, str(shape), dy, x, w, g, *runs[True, 2])
    prev = C._conv_winograd_tile8(False)
    try:
        six = _wgrad(C, dy, x, w, g, False, 1)
    finally:
        C._conv_winograd_tile8(prev)
    assert not np.array_equal(six[0], ref), f"[{isa}] {shape}: 8x8 tiles not taken"


# Backward data of the same conv2d views when each phase grid is one 8x8 tile (DCGAN 7->14's
# Conv2DTranspose forward): phase by phase, the phases side by side on the threads when they
# divide the phase count (Note [phases side by side] in csrc/cpu/conv_phases.cpp), else each
# phase split over the threads in turn (3 threads, 4 phases). dx against float64 and the same
# bits at 1, 2 and 3 threads.
@pytest.mark.parametrize("shape", CASES_8X8, ids=lambda s: "x".join(map(str, s)))
def test_backward_data_8x8_phases_side_by_side(isa, shape):
    C = tf._native._C
    N, H, W, CI, CO = shape
    rng = np.random.default_rng(H * 7 + W + CI)
    x = rng.standard_normal((N, H, W, CI)).astype(np.float32)
    w = (rng.standard_normal((4, 4, CI, CO)) / 8).astype(np.float32)
    g, (OH, OW) = _geometry(x.shape, w.shape, 2, "same")
    dy = rng.standard_normal((N, OH, OW, CO)).astype(np.float32)
    prev = tf.get_num_threads()
    runs = {}
    try:
        for t in (1, 2, 3):
            tf.set_num_threads(t)
            runs[t] = C.conv2d_backward(dy, x, w, *g, True, False, False, None)[0]
    finally:
        tf.set_num_threads(prev)
    for t in (2, 3):
        assert np.array_equal(runs[t], runs[1]), f"[{isa}] {shape}: dx differs at {t} threads"
    d64, w64 = dy.astype(np.float64), w.astype(np.float64)
    want = R.conv2d_backward(d64, x.astype(np.float64), w64, *g, True, False, False)[0]
    scale = R.conv2d_backward(np.abs(d64), x.astype(np.float64), np.abs(w64), *g, True, False, False)[0]
    n = 4 * CO  # 2 x 2 taps of a phase times C_out: the reduction per dx element
    err = np.abs(runs[2] - want) / (scale + 1e-30)
    # F(7, 2)'s rounding measured up to 167 eps at n = 512 (test_conv_winograd_tile8_error)
    assert err.max() <= 8 * n * EPS, f"[{isa}] {shape}: dx off by {err.max() / EPS:.0f} eps (n = {n})"
    prev_w = C._conv_winograd(False)
    try:
        direct = C.conv2d_backward(dy, x, w, *g, True, False, False, None)[0]
    finally:
        C._conv_winograd(prev_w)
    assert not np.array_equal(direct, runs[2]), f"[{isa}] {shape}: the phases were not taken"
