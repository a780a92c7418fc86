"""The 3x3 depthwise weight gradient with its tap sums in registers (Note [depthwise dw taps in
registers], csrc/cpu/conv_depthwise.cpp: stride 1 on the SIMD paths; the other strides and the
generic path check the per-tap loop) on every native ISA: seeded random edge shapes (channel
counts around the 1- and 2-vector blocks and the masked tail, rows narrower than the kernel,
strides, dilations, pads beyond the kernel) against float64; its fused bias gradient bit-identical
to the db-only pass (which takes the other loop); NaN in dy next to the padding where the
reference puts it; finite differences; the same bits at 1 and 2 threads."""
import numpy as np
import pytest

from tensorforge import _native
from tensorforge import reference as R
from conv_checks import geometry
from tfhelpers import assert_close, numeric_grad

pytestmark = pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")



def cases(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        N = int(rng.choice([1, 2, 3]))
        H, W = (int(v) for v in rng.integers(1, 18, 2))
        C = int(rng.choice([1, 7, 8, 9, 16, 17, 24, 31, 32, 33, 40, 48, 49, 64, 65, 97]))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        d = tuple(int(v) for v in rng.choice([1, 1, 2], 2))
        padding = rng.choice(["valid", "same", "same", 2, 4])
        padding = int(padding) if str(padding).isdigit() else str(padding)
        try:
            geometry((N, H, W, C), (3, 3, C, 1), s, padding, d)
        except ValueError:
            continue
        out.append(((N, H, W, C), (3, 3, C, int(rng.choice([1, 1, 1, 2]))), s, padding, d))
    return out


CASES = cases(16, 61) + [
    ((2, 14, 14, 512), (3, 3, 512, 1), (1, 1), "same", (1, 1)),   # MobileNet dw 14, cut down
    ((1, 9, 9, 128), (3, 3, 128, 1), (2, 2), "valid", (1, 1)),    # dw 56 s2's geometry
    ((1, 2, 2, 35), (3, 3, 35, 1), (1, 1), "same", (1, 1)),       # no pixel with all columns real
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_weight_gradient_vs_reference(case, isa):
    xs, ws, s, padding, d = case
    rng = np.random.default_rng(sum(xs) + sum(ws))
    C = _native._C
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    g = geometry(xs, ws, s, padding, d)
    y = C.depthwise_conv2d_forward(x, w, *g)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    _, dw, db = C.depthwise_conv2d_backward(dy, x, w, *g, False, True, True)
    _, dw_r, _ = R.depthwise_conv2d_backward(*(a.astype(np.float64) for a in (dy, x, w)), *g,
                                             False, True)
    _, sdw, _ = R.depthwise_conv2d_backward(*(np.abs(a).astype(np.float64) for a in (dy, x, w)),
                                            *g, False, True)
    assert dw.shape == w.shape and dw.dtype == np.float32
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(y.shape[:3])), what=f"{isa} dw {case}")
    # the fused bias gradient: the same bits as the db-only pass (the per-tap loop), and the sum
    only_db = C.depthwise_conv2d_backward(dy, x, w, *g, False, False, True)[2]
    np.testing.assert_array_equal(db, only_db)
    assert_close(db, dy.astype(np.float64).sum(axis=(0, 1, 2)),
                 scale=np.abs(dy).astype(np.float64).sum(axis=(0, 1, 2)),
                 n=int(np.prod(dy.shape[:3])), what=f"{isa} db")
    # dw without db: the same bits
    np.testing.assert_array_equal(C.depthwise_conv2d_backward(dy, x, w, *g, False, True)[1], dw)


@pytest.mark.parametrize("C_", [5, 33, 70])
def test_nan_in_dy_next_to_padding(C_, isa):
    """A NaN in dy multiplies the padded zeros of every tap that reads the padding (0 * NaN),
    exactly where the reference's padded array puts NaN; the other taps stay finite."""
    rng = np.random.default_rng(C_)
    x = rng.standard_normal((2, 6, 7, C_)).astype(np.float32)
    w = rng.standard_normal((3, 3, C_, 1)).astype(np.float32)
    g = geometry(x.shape, w.shape, 1, "same", 1)
    dy = rng.standard_normal((2, 6, 7, C_)).astype(np.float32)
    dy[1, 0, 6, C_ - 1] = np.nan  # top-right corner: padded row above, padded column right
    dy[0, 3, 3, 0] = np.nan        # interior: every tap reads a real cell
    _, dw, db = _native._C.depthwise_conv2d_backward(dy, x, w, *g, False, True, True)
    with np.errstate(invalid="ignore"):
        _, dw_r, _ = R.depthwise_conv2d_backward(*(a.astype(np.float64) for a in (dy, x, w)), *g,
                                                 False, True)
    np.testing.assert_array_equal(np.isnan(dw), np.isnan(dw_r))
    assert np.isnan(dw[..., C_ - 1, 0]).all() and np.isnan(dw[..., 0, 0]).all()
    assert np.isnan(db[[0, C_ - 1]]).all()
    if C_ > 2:
        ok = np.arange(C_)[1:-1]
        assert np.isfinite(dw[..., ok, 0]).all()
        np.testing.assert_allclose(dw[..., ok, 0], dw_r[..., ok, 0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", [((1, 5, 6, 33), (2, 2), "same", (1, 1)),
                                  ((2, 4, 5, 17), (1, 1), 2, (2, 1))], ids=str)
def test_weight_gradient_by_finite_differences(case, isa):
    """Central differences of L = sum(y * dy) in w (L is linear in w: exact up to float32
    rounding of y)."""
    xs, s, padding, d = case
    rng = np.random.default_rng(4)
    C = _native._C
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal((3, 3, xs[3], 1)).astype(np.float32)
    g = geometry(xs, w.shape, s, padding, d)
    dy = rng.standard_normal(C.depthwise_conv2d_forward(x, w, *g).shape).astype(np.float32)

    def loss():
        return float(np.sum(C.depthwise_conv2d_forward(x, w, *g).astype(np.float64) * dy))

    dw = C.depthwise_conv2d_backward(dy, x, w, *g, False, True)[1]
    num = numeric_grad(loss, w, eps=0.25)
    np.testing.assert_allclose(dw, num, rtol=1e-4, atol=2e-4)


def test_same_bits_at_1_and_2_threads():
    rng = np.random.default_rng(12)
    C = _native._C
    x = rng.standard_normal((3, 20, 21, 97)).astype(np.float32)
    w = rng.standard_normal((3, 3, 97, 1)).astype(np.float32)
    g = geometry(x.shape, w.shape, (2, 1), "same", 1)
    dy = rng.standard_normal(C.depthwise_conv2d_forward(x, w, *g).shape).astype(np.float32)
    prev = C.get_num_threads()
    try:
        out = []
        for n in (1, 2):
            C.set_num_threads(n)
            out.append(C.depthwise_conv2d_backward(dy, x, w, *g, False, True, True))
    finally:
        C.set_num_threads(prev)
    np.testing.assert_array_equal(out[0][1], out[1][1])
    np.testing.assert_array_equal(out[0][2], out[1][2])


FUSED = [((1, 1, 1, 3), (1, 1)), ((2, 5, 4, 17), (1, 1)), ((1, 9, 11, 33), (2, 1)),
         ((3, 14, 14, 64), (1, 1)), ((1, 7, 3, 97), (1, 2)), ((2, 16, 15, 48), (2, 2))]


@pytest.mark.parametrize("xs,d", FUSED, ids=str)
def test_fused_backward_same_bits_as_the_two_passes(xs, d, isa):
    """Note [fused 3x3 backward]: 3x3 stride-1 'same' runs dx and dw in one pass over dy; each
    result has the bits of the pass run alone (need_dx or need_dw only), and matches float64."""
    rng = np.random.default_rng(xs[3])
    C = _native._C
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal((3, 3, xs[3], 1)).astype(np.float32)
    g = geometry(xs, w.shape, 1, "same", d)
    dy = rng.standard_normal(C.depthwise_conv2d_forward(x, w, *g).shape).astype(np.float32)
    assert dy.shape == x.shape
    dx, dw, db = C.depthwise_conv2d_backward(dy, x, w, *g, True, True, True)
    np.testing.assert_array_equal(dx, C.depthwise_conv2d_backward(dy, x, w, *g, True, False)[0])
    np.testing.assert_array_equal(dw, C.depthwise_conv2d_backward(dy, x, w, *g, False, True)[1])
    np.testing.assert_array_equal(db, C.depthwise_conv2d_backward(dy, x, w, *g, False, False, True)[2])
    dx2, dw2, db2 = C.depthwise_conv2d_backward(dy, x, w, *g, True, True)
    np.testing.assert_array_equal(dx2, dx)
    np.testing.assert_array_equal(dw2, dw)
    assert db2 is None
    f64 = [a.astype(np.float64) for a in (dy, x, w)]
    dx_r, dw_r, _ = R.depthwise_conv2d_backward(*f64, *g, True, True)
    sdx, sdw, _ = R.depthwise_conv2d_backward(*(np.abs(a) for a in f64), *g, True, True)
    assert_close(dx, dx_r, scale=sdx, n=9, what=f"{isa} dx")
    assert_close(dw, dw_r, scale=sdw, n=int(np.prod(xs[:3])), what=f"{isa} dw")


def test_fused_backward_with_a_nan_weight_keeps_the_gather():
    """A non-finite weight leaves the fused path (its padded taps would add 0 * NaN to dx):
    dx is NaN only where the reference puts it."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 6, 6, 20)).astype(np.float32)
    w = rng.standard_normal((3, 3, 20, 1)).astype(np.float32)
    w[1, 2, 4, 0] = np.nan
    g = geometry(x.shape, w.shape, 1, "same", 1)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    dx, dw, _ = _native._C.depthwise_conv2d_backward(dy, x, w, *g, True, True)
    with np.errstate(invalid="ignore"):
        dx_r, dw_r, _ = R.depthwise_conv2d_backward(*(a.astype(np.float64) for a in (dy, x, w)), *g,
                                                    True, True)
    np.testing.assert_array_equal(np.isnan(dx), np.isnan(dx_r))
    assert np.isnan(dx[..., 4]).any() and not np.isnan(np.delete(dx, 4, axis=3)).any()
    np.testing.assert_allclose(dw, dw_r, rtol=1e-4, atol=1e-4)
