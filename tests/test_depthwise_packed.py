"""The 3x3 depthwise passes in the channel-block packed order (Note [channel-block packed 3x3] in
csrc/cpu/conv_depthwise_packed.h: the forward, the stride-1 dx run as a forward and the stride-1
weight gradient, on the SIMD paths at column stride 1: the forward at C >= 512, the weight
gradient and the fused backward at C >= 128; the other cases check that the row-outer order
still takes them) on every native ISA: seeded random edge shapes
(channel counts that leave a masked last block, images narrower or shorter than the kernel,
row stride 2, row dilation, pads beyond the kernel, depth_multiplier 2)
against float64; each output channel with the bits of the same channel run alone (a 16-channel
slice takes the row-outer order); the fused backward with the bits of the separate passes; NaN
next to the padding where the reference puts it (the same bits at 1 and 2 threads:
test_conv_depthwise.py)."""
import numpy as np
import pytest

from tensorforge import _native
from tensorforge import reference as R
from conv_checks import geometry
from tfhelpers import assert_close

pytestmark = pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")


def cases(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        N = int(rng.choice([1, 2]))
        H, W = (int(v) for v in rng.integers(1, 12, 2))
        C = int(rng.choice([128, 131, 143, 256, 300, 512, 520, 1030]))
        s = tuple(int(v) for v in rng.choice([1, 1, 2], 2))
        d = (int(rng.choice([1, 1, 2])), 1)
        padding = rng.choice(["valid", "same", "same", 2])
        padding = int(padding) if str(padding).isdigit() else str(padding)
        try:
            geometry((N, H, W, C), (3, 3, C, 1), s, padding, d)
        except ValueError:
            continue
        out.append(((N, H, W, C), (3, 3, C, 1), s, padding, d))
    return out


CASES = cases(12, 29) + [
    ((2, 14, 14, 512), (3, 3, 512, 1), (1, 1), "same", (1, 1)),   # MobileNet dw 14, cut down
    ((1, 13, 13, 256), (3, 3, 256, 1), (2, 2), "valid", (1, 1)),  # MobileNet's stride-2 geometry
    ((1, 7, 9, 72), (3, 3, 72, 2), (1, 1), "same", (1, 1)),       # M = 2: 144 expanded channels
    ((1, 1, 1, 130), (3, 3, 130, 1), (1, 1), "same", (1, 1)),     # one pixel: every tap but one padded
]


def run(case, seed):
    xs, ws, s, padding, d = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    g = geometry(xs, ws, s, padding, d)
    C = _native._C
    y = C.depthwise_conv2d_forward(x, w, *g)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    return x, w, g, y, dy


@pytest.mark.parametrize("case", CASES, ids=str)
def test_packed_passes_vs_reference(case, isa):
    x, w, g, y, dy = run(case, sum(case[0]))
    C = _native._C
    dx, dw, db = C.depthwise_conv2d_backward(dy, x, w, *g, True, True, True)
    f64 = [a.astype(np.float64) for a in (x, w, dy)]
    y_r = R.depthwise_conv2d_forward(f64[0], f64[1], *g)
    dx_r, dw_r, _ = R.depthwise_conv2d_backward(f64[2], f64[0], f64[1], *g, True, True)
    a = [np.abs(v) for v in f64]
    sy = R.depthwise_conv2d_forward(a[0], a[1], *g)
    sdx, sdw, _ = R.depthwise_conv2d_backward(a[2], a[0], a[1], *g, True, True)
    assert_close(y, y_r, scale=sy, n=9, what=f"{isa} y {case}")
    assert_close(dx, dx_r, scale=sdx, n=9, what=f"{isa} dx {case}")
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(y.shape[:3])), what=f"{isa} dw {case}")
    assert_close(db, dy.astype(np.float64).sum(axis=(0, 1, 2)),
                 scale=np.abs(dy).astype(np.float64).sum(axis=(0, 1, 2)),
                 n=int(np.prod(dy.shape[:3])), what=f"{isa} db {case}")
    # the bias added last: the bits of a separate add; each pass alone: the fused pass's bits
    b = np.random.default_rng(3).standard_normal(y.shape[3]).astype(np.float32)
    np.testing.assert_array_equal(C.depthwise_conv2d_forward(x, w, *g, b), y + b)
    np.testing.assert_array_equal(C.depthwise_conv2d_backward(dy, x, w, *g, True, False)[0], dx)
    np.testing.assert_array_equal(C.depthwise_conv2d_backward(dy, x, w, *g, False, True)[1], dw)
    np.testing.assert_array_equal(C.depthwise_conv2d_backward(dy, x, w, *g, False, False, True)[2], db)


@pytest.mark.parametrize("case", [c for c in CASES if c[1][3] == 1], ids=str)
def test_packed_same_bits_as_the_row_outer_order(case, isa):
    """Each channel's sums run in the same order in both loop orders: channels 16-31 of the
    packed run have the bits of those 16 channels run alone (too few for the packed order)."""
    x, w, g, y, dy = run(case, sum(case[0]) + 1)
    C = _native._C
    dx, dw, _ = C.depthwise_conv2d_backward(dy, x, w, *g, True, True)
    cs = slice(16, 32)
    xs, ws, dys = (np.ascontiguousarray(a[..., cs, :] if a is w else a[..., cs]) for a in (x, w, dy))
    np.testing.assert_array_equal(y[..., cs], C.depthwise_conv2d_forward(xs, ws, *g))
    dx1, dw1, _ = C.depthwise_conv2d_backward(dys, xs, ws, *g, True, True)
    np.testing.assert_array_equal(dx[..., cs], dx1)
    np.testing.assert_array_equal(dw[..., cs, :], dw1)


def test_nan_next_to_padding(isa):
    """0 * NaN = NaN in the packed order too: a NaN weight multiplies the packed zero columns and
    rows, a NaN in dy the padded input cells, exactly where the reference's padded array puts NaN."""
    rng = np.random.default_rng(6)
    C_ = 150
    x = rng.standard_normal((2, 6, 7, C_)).astype(np.float32)
    w = rng.standard_normal((3, 3, C_, 1)).astype(np.float32)
    w[0, 0, 3, 0] = np.nan
    w[2, 1, C_ - 1, 0] = np.inf
    g = geometry(x.shape, w.shape, 1, "same", 1)
    y = _native._C.depthwise_conv2d_forward(x, w, *g)
    with np.errstate(invalid="ignore"):
        y_r = R.depthwise_conv2d_forward(x.astype(np.float64), w.astype(np.float64), *g)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(y_r))
    # the Inf weight of tap (2, 1) gives NaN only where that tap reads the padded row below
    assert np.isnan(y[:, -1, :, C_ - 1]).all() and not np.isnan(y[:, :-1, :, C_ - 1]).any()
    w = rng.standard_normal((3, 3, C_, 1)).astype(np.float32)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dy[1, 0, 6, C_ - 1] = np.nan  # top-right corner: padded row above, padded column right
    _, dw, _ = _native._C.depthwise_conv2d_backward(dy, x, w, *g, False, True)
    with np.errstate(invalid="ignore"):
        _, dw_r, _ = R.depthwise_conv2d_backward(*(a.astype(np.float64) for a in (dy, x, w)), *g,
                                                 False, True)
    np.testing.assert_array_equal(np.isnan(dw), np.isnan(dw_r))
    assert np.isnan(dw[..., C_ - 1, 0]).all()
    np.testing.assert_allclose(dw[..., :-1, 0], dw_r[..., :-1, 0], rtol=1e-4, atol=1e-4)

