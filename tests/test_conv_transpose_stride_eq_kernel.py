"""Conv2DTranspose with kernel == stride (Note [kernel == stride transposed conv] in
kernels/conv_transpose_taps.py): the forward's GEMM path against float64 sums and the general
path (the phase passes it replaces), the backward (general kernels) against float64 and finite
differences at the same geometries, on every ISA."""
import numpy as np
import pytest

from tensorforge.kernels import conv as K
from tensorforge.kernels import conv_transpose_taps as taps

EPS = {np.float32: np.finfo(np.float32).eps}


def _ref64(x, w, b, dy):
    """y, dx, dw, db in float64 for kernel == stride, 'valid', output (H*KH, W*KW)."""
    x, w, dy = (np.asarray(a, np.float64) for a in (x, w, dy))
    N, H, W, Co = x.shape
    KH, KW, Ci, _ = w.shape
    y = np.einsum("nijo,abco->niajbc", x, w).reshape(N, H * KH, W * KW, Ci)
    if b is not None:
        y = y + np.asarray(b, np.float64)
    g = dy.reshape(N, H, KH, W, KW, Ci)
    dx = np.einsum("niajbc,abco->nijo", g, w)
    dw = np.einsum("niajbc,nijo->abco", g, x)
    return y, dx, dw, dy.sum(axis=(0, 1, 2))


def _bound(dtype, terms, *mags):
    """Error bound: 8 eps per summed term times the sum of |products|."""
    return 8 * terms * EPS[dtype] * max(1.0, *[float(m.max()) for m in mags])


def _general(monkeypatch, fn, *args):
    """fn(*args) with the kernel == stride path switched off (the phase passes)."""
    with monkeypatch.context() as m:
        m.setattr(taps, "applies", lambda *a: False)
        return fn(*args)


def _case(rng, dtype):
    KH, KW = (int(k) for k in rng.integers(1, 4, size=2))
    N, H, W = int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9))
    Co, Ci = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    x = rng.standard_normal((N, H, W, Co)).astype(dtype)
    w = rng.standard_normal((KH, KW, Ci, Co)).astype(dtype)
    b = rng.standard_normal(Ci).astype(dtype)
    dy = rng.standard_normal((N, H * KH, W * KW, Ci)).astype(dtype)
    return x, w, b, dy


@pytest.mark.parametrize("seed", range(10))
def test_against_float64_and_general_path(isa, monkeypatch, seed):
    dtype = np.float32
    rng = np.random.default_rng(seed)
    x, w, b, dy = _case(rng, dtype)
    KH, KW = w.shape[:2]
    out = (x.shape[1] * KH, x.shape[2] * KW)
    for bias in (b, None):
        geometry = K.conv_geometry("t", (x.shape[0],) + out + (w.shape[2],), w.shape, (KH, KW),
                                   "valid", 1)
        assert taps.applies(geometry, x, w, out, bias), (x.shape, w.shape)
        y = K.conv2d_transpose(x, w, bias, out, (KH, KW), "valid")
        dx, dw, db = K.conv2d_transpose_backward(dy, x, w, (KH, KW), "valid")
        ry, rdx, rdw, rdb = _ref64(x, w, bias, dy)
        assert y.dtype == dx.dtype == dw.dtype == dtype and y.shape == ry.shape
        ax, aw, ady = np.abs(x.astype(np.float64)), np.abs(w.astype(np.float64)), np.abs(dy)
        what = f"[{isa}] {dtype.__name__} x {x.shape} w {w.shape} bias {bias is not None}"
        assert np.abs(y - ry).max() <= _bound(dtype, x.shape[3] + 1, ry, _ref64(ax, aw, None, dy)[0]), what
        assert np.abs(dx - rdx).max() <= _bound(dtype, KH * KW * w.shape[2], _ref64(ax, aw, None, ady)[1]), what
        assert np.abs(dw - rdw).max() <= _bound(dtype, dy.size // dy.shape[3], _ref64(ax, aw, None, ady)[2]), what
        assert np.abs(db - rdb).max() <= _bound(dtype, dy.size // dy.shape[3], ady.sum(axis=(0, 1, 2))), what
        gy = _general(monkeypatch, K.conv2d_transpose, x, w, bias, out, (KH, KW), "valid")
        scale = max(1.0, float(np.abs(gy).max()))
        assert np.abs(y - gy).max() <= _bound(dtype, x.shape[3] + 1, np.ones(1)) * scale, \
            f"{what}: y vs the general path"


def test_same_padding_and_need_flags(isa, monkeypatch):
    """'same' with kernel == stride pads nothing and takes the path; the need_* flags hold."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 3, 16)).astype(np.float32)
    w = rng.standard_normal((2, 3, 8, 16)).astype(np.float32)
    dy = rng.standard_normal((2, 10, 9, 8)).astype(np.float32)
    y = K.conv2d_transpose(x, w, None, (10, 9), (2, 3), "same")
    ry, rdx, rdw, _ = _ref64(x, w, None, dy)
    assert np.abs(y - ry).max() <= 1e-4 * np.abs(ry).max()
    dx, dw, db = K.conv2d_transpose_backward(dy, x, w, (2, 3), "same", need_dx=False, need_db=False)
    assert dx is None and db is None and np.abs(dw - rdw).max() <= 1e-4 * np.abs(rdw).max()
    dx, dw, db = K.conv2d_transpose_backward(dy, x, w, (2, 3), "same", need_dw=False)
    assert dw is None and np.abs(dx - rdx).max() <= 1e-4 * np.abs(rdx).max()
    assert np.abs(db - dy.sum(axis=(0, 1, 2))).max() <= 1e-4 * 40


@pytest.mark.parametrize("kw", [dict(out=(9, 8)),                      # output larger by one row
                                dict(strides=(2, 1)),                  # stride 1 < kernel 2: overlap
                                dict(dilation=2, strides=(2, 2)),
                                dict(padding=[(1, 0), (0, 0)])])
def test_other_geometries_keep_general_path(monkeypatch, kw):
    """Overlap, padding, dilation or a larger output_size are not this path's: the general path
    runs (and agrees with conv2d_transpose's definition through PyTorch-free float64 sums)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 4, 6)).astype(np.float32)
    w = rng.standard_normal((2, 2, 5, 6)).astype(np.float32)
    strides, padding, dilation = kw.get("strides", 2), kw.get("padding", "valid"), kw.get("dilation", 1)
    ext = (2 - 1) * dilation + 1
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    pt = 0 if isinstance(padding, str) else padding[0][0]
    out = kw.get("out", ((4 - 1) * sh + ext - pt, (4 - 1) * sw + ext))
    taken = []
    with monkeypatch.context() as m:
        m.setattr(taps, "forward", lambda *a: taken.append(1))
        y = K.conv2d_transpose(x, w, None, out, strides, padding, dilation)
    assert not taken and y.shape == (2,) + tuple(out) + (5,)
    # definition: y is the data gradient of conv2d(y-shaped input) -> x-shaped output
    z = rng.standard_normal(y.shape).astype(np.float32)
    lhs = float(np.sum(K.conv2d(z, w, None, strides, padding, dilation).astype(np.float64) * x))
    scale = float(np.sum(np.abs(z.astype(np.float64) * y)))
    assert abs(lhs - float(np.sum(z.astype(np.float64) * y))) <= 1e-5 * max(1.0, scale)


def test_finite_differences(isa):
    """Gradients of sum(conv2d_transpose(x, w, b) * r) vs central differences (the loss is
    linear in each argument, so a large step has no truncation error: only float32 rounding)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 2, 4)).astype(np.float32)
    w = rng.standard_normal((3, 2, 5, 4)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    r = rng.standard_normal((2, 9, 4, 5)).astype(np.float32)

    def loss(x, w, b):
        return float(np.sum(K.conv2d_transpose(x, w, b, (9, 4), (3, 2), "valid").astype(np.float64) * r))

    dx, dw, db = K.conv2d_transpose_backward(r, x, w, (3, 2), "valid")
    h = 0.5
    for arr, grad, args in ((x, dx, 0), (w, dw, 1), (b, db, 2)):
        for idx in [tuple(int(rng.integers(0, s)) for s in arr.shape) for _ in range(6)]:
            p, q = [a.copy() for a in (x, w, b)], [a.copy() for a in (x, w, b)]
            p[args][idx] += h
            q[args][idx] -= h
            fd = (loss(*p) - loss(*q)) / (2 * h)
            assert abs(fd - grad[idx]) <= 1e-4 * max(1.0, abs(fd)), (isa, args, idx, fd, grad[idx])


def test_bad_dy_shape_names_op():
    x = np.zeros((1, 2, 2, 3), np.float32)
    w = np.zeros((2, 2, 4, 3), np.float32)
    with pytest.raises(ValueError, match="conv2d_transpose_backward"):
        K.conv2d_transpose_backward(np.zeros((1, 4, 4, 5), np.float32), x, w, 2, "valid")
    with pytest.raises(TypeError, match="conv2d_transpose"):
        K.conv2d_transpose(x, w.astype(np.float64), None, (4, 4), 2, "valid")


def test_chunk_size_from_the_running_cpus_l2():
    from tensorforge import _native
    ci = _native._C.cpu_info()
    want = ci["l2"] // max(1, ci["l2_sharing"])
    assert taps._chunk_bytes() == (want if want >= (64 << 10) else 1 << 20), ci


@pytest.mark.parametrize("chunk", [1, 3000, 1 << 16])
def test_forward_chunked_rows_match_one_chunk(isa, monkeypatch, chunk):
    # chunks of 1 row (a chunk size under one row), a few rows with a partial last chunk, and
    # one chunk (16 rows of W*KH*KW*Ci = 960 floats fit 64 KiB) give the same float64-bounded y
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 8, 5, 11)).astype(np.float32)
    w = rng.standard_normal((2, 3, 16, 11)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    ry = _ref64(x, w, b, np.zeros((2, 16, 15, 16)))[0]
    bound = _bound(np.float32, 12, ry, _ref64(np.abs(x), np.abs(w), None, np.zeros((2, 16, 15, 16)))[0])
    monkeypatch.setattr(taps, "_chunk", [chunk])
    y = taps.forward(x, w, b)
    assert y.shape == ry.shape and np.abs(y - ry).max() <= bound, (isa, chunk)
