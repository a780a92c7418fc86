"""Every CUDA op on a GPU with CuPy against the float64 reference: shape sweeps (1, primes, tile
edges), strided views, NaN propagation; skipped with the reason otherwise. TF_CUDA_TEST_DRYRUN=1
runs them on NumPy through the reference module (a check of the tests, not of the kernels)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native
from cuda_checks import (DRYRUN, _rnn_emu_inputs, _rnn_reference, assert_close, cu, dev,  # noqa: F401
                         need_ref, needs_gpu, needs_module, to_numpy)


# ---- on a GPU: GEMM ----------------------------------------------------------------------------

SIZES = [1, 2, 3, 5, 7, 13, 31, 64, 127, 128, 129, 257]


def ref_gemm(a, b, c=None, alpha=1.0, beta=0.0, ta=False, tb=False, bias=None, relu=False):
    A = a.astype(np.float64).T if ta else a.astype(np.float64)
    B = b.astype(np.float64).T if tb else b.astype(np.float64)
    out = alpha * (A @ B)
    scale = abs(alpha) * (np.abs(A) @ np.abs(B))
    if beta:
        out = out + beta * c.astype(np.float64)
        scale = scale + abs(beta) * np.abs(c)
    if bias is not None:
        out = out + bias
        scale = scale + np.abs(bias)
    if relu:
        out = np.where(out > 0, out, np.where(np.isnan(out), out, 0))
    return out, scale


@needs_gpu
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_cuda_gemm_shape_sweep(cu, rng, ta, tb):
    xp, C = cu
    shapes = [(1, 1, 1), (1, 7, 300), (7, 1, 1), (129, 65, 257), (128, 128, 8), (256, 132, 44),
              (3, 5, 4096), (513, 257, 129)]
    shapes += [tuple(int(rng.choice(SIZES)) for _ in range(3)) for _ in range(10)]
    for M, N, K in shapes:
        a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
        b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
        got = C.gemm(dev(xp, a), dev(xp, b), None, 1.0, 0.0, ta, tb, None, None)
        ref, scale = ref_gemm(a, b, ta=ta, tb=tb)
        assert_close(got, ref, scale=scale, n=K, what=f"cuda gemm {M}x{N}x{K} ta={ta} tb={tb}")


@needs_gpu
def test_cuda_gemm_alpha_beta_bias_relu_inplace(cu, rng):
    xp, C = cu
    for M, N, K in [(33, 17, 65), (1, 129, 7), (128, 256, 64), (130, 68, 42)]:
        for alpha, beta in [(1.0, 0.0), (0.5, 1.0), (-2.0, 0.25)]:
            for relu in (False, True):
                a, b = (rng.standard_normal(s).astype(np.float32) for s in ((M, K), (K, N)))
                c = rng.standard_normal((M, N)).astype(np.float32)
                bias = rng.standard_normal(N).astype(np.float32)
                ref, scale = ref_gemm(a, b, c, alpha, beta, bias=bias, relu=relu)
                cd = dev(xp, c)
                out = C.gemm(dev(xp, a), dev(xp, b), cd, alpha, beta, False, False, dev(xp, bias),
                             "relu" if relu else None)
                assert out is cd, "gemm must update c in place and return it"
                assert_close(cd, ref, scale=scale, n=K, what=f"{M}x{N}x{K} a={alpha} b={beta} relu={relu}")


@needs_gpu
def test_cuda_gemm_strided_views_and_garbage_c(cu, rng):
    xp, C = cu
    big_a = dev(xp, rng.standard_normal((90, 70)).astype(np.float32))
    big_b = dev(xp, rng.standard_normal((80, 60)).astype(np.float32))
    views = [(big_a[::2, 1::3], big_b[:23, ::2]),          # strided rows and columns
             (big_a[1:40, 1:24], big_b[1:24, 3:40]),        # misaligned starts (scalar loader)
             (big_a[::-1, :29], big_b[:29, ::-1]),          # negative strides
             (big_a[:33, :20].T, big_b[:33, :17])]          # transposed view, no flag
    for a, b in views:
        got = C.gemm(a, b, None, 1.0, 0.0, False, False, None, None)
        an, bn = to_numpy(a), to_numpy(b)
        ref, scale = ref_gemm(an, bn)
        assert_close(got, ref, scale=scale, n=an.shape[1], what=f"view strides {a.strides} {b.strides}")
    # beta == 0 never reads c (NaN garbage must not leak), c may be a row-strided view
    a, b = rng.standard_normal((16, 8)).astype(np.float32), rng.standard_normal((8, 20)).astype(np.float32)
    cbig = dev(xp, np.full((16, 24), np.nan, np.float32))
    C.gemm(dev(xp, a), dev(xp, b), cbig[:, :20], 1.0, 0.0, False, False, None, None)
    ref, scale = ref_gemm(a, b)
    assert_close(cbig[:, :20], ref, scale=scale, n=8)
    assert np.isnan(to_numpy(cbig[:, 20:])).all(), "gemm wrote outside c"


@needs_gpu
def test_cuda_gemm_nan_inf_and_relu_keeps_nan(cu, rng):
    xp, C = cu
    a = rng.standard_normal((20, 30)).astype(np.float32)
    b = rng.standard_normal((30, 25)).astype(np.float32)
    a[3, 4] = np.nan
    b[7, 9] = np.inf
    ref = ref_gemm(a, b)[0]
    got = to_numpy(C.gemm(dev(xp, a), dev(xp, b), None, 1.0, 0.0, False, False, None, None))
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    assert np.array_equal(np.isposinf(got), np.isposinf(ref))
    assert np.array_equal(np.isneginf(got), np.isneginf(ref))
    got = to_numpy(C.gemm(dev(xp, a), dev(xp, b), None, 1.0, 0.0, False, False,
                          dev(xp, np.zeros(25, np.float32)), "relu"))
    assert np.isnan(got[3]).all(), "relu must keep NaN"


@needs_gpu
def test_cuda_gemm_float64_runs_in_float64(cu, rng):
    xp, C = cu
    a, b = rng.standard_normal((67, 129)), rng.standard_normal((129, 45))
    got = C.gemm(dev(xp, a), dev(xp, b), None, 0.5, 0.0, False, False, None, None)
    assert got.dtype == np.float64
    ref, scale = ref_gemm(a, b, alpha=0.5)
    assert_close(got, ref, scale=scale, n=129, dtype=np.float64)


@needs_gpu
def test_cuda_gemm_through_ops_on_cuda_backend(cu, rng):
    xp, _ = cu
    prev = tf.get_backend()
    if not DRYRUN:
        tf.set_backend("cuda")
    try:
        a, b = rng.standard_normal((70, 33)).astype(np.float32), rng.standard_normal((33, 45)).astype(np.float32)
        got = tf.ops.matmul(dev(xp, a), dev(xp, b))
        assert type(got).__module__.split(".")[0] == xp.__name__, "result must stay on the device"
        ref, scale = ref_gemm(a, b)
        assert_close(got, ref, scale=scale, n=33)
    finally:
        tf.set_backend(prev)


# ---- on a GPU: pointwise -----------------------------------------------------------------------

ACT_KINDS = ["relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear"]
POINT_SHAPES = [(1,), (7,), (3, 5), (1023,), (4, 33, 17), (70001,)]


def _act_input(rng, shape):
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    flat = x.reshape(-1)
    flat[::11] = 0.0  # the kinks
    if flat.size > 5:
        flat[5] = np.nan
    return x


@needs_gpu
@pytest.mark.parametrize("kind", ACT_KINDS)
def test_cuda_act_forward_backward(cu, rng, kind):
    xp, C = cu
    fwd, bwd = need_ref("act_forward"), need_ref("act_backward")
    alpha = 0.3 if kind == "leaky_relu" else 1.0
    for shape in POINT_SHAPES:
        x = _act_input(rng, shape)
        dy = rng.standard_normal(shape).astype(np.float32)
        y = C.act_forward(dev(xp, x), kind, alpha)
        ref_y = fwd(x.astype(np.float64), kind, alpha)
        assert_close(y, ref_y, factor=16, atol=1e-7, what=f"{kind} forward {shape}")
        # backward from the float32 y the forward produced (as the autograd layer does)
        y32 = to_numpy(y)
        dx = C.act_backward(dev(xp, dy), dev(xp, x), dev(xp, y32), kind, alpha)
        ref_dx = bwd(dy.astype(np.float64), x.astype(np.float64), y32.astype(np.float64), kind, alpha)
        assert_close(dx, ref_dx, factor=16, atol=1e-6, what=f"{kind} backward {shape}")


SOFTMAX_SHAPES = [(1, 1), (1, 10), (7, 3), (33, 31), (64, 32), (129, 1000), (3, 4097)]


@needs_gpu
def test_cuda_softmax_forward_backward(cu, rng):
    xp, C = cu
    fwd, bwd = need_ref("softmax_forward"), need_ref("softmax_backward")
    for N, K in SOFTMAX_SHAPES:
        x = (rng.standard_normal((N, K)) * 5).astype(np.float32)
        x[0, 0] = 80.0  # large logits must not overflow
        y = C.softmax_forward(dev(xp, x))
        assert_close(y, fwd(x.astype(np.float64)), n=K, atol=1e-7, what=f"softmax {N}x{K}")
        dy = rng.standard_normal((N, K)).astype(np.float32)
        y32 = to_numpy(y)
        dx = C.softmax_backward(dev(xp, dy), dev(xp, y32))
        ref = bwd(dy.astype(np.float64), y32.astype(np.float64))
        assert_close(dx, ref, n=K, atol=1e-6, what=f"softmax backward {N}x{K}")
    x = rng.standard_normal((4, 9)).astype(np.float32)
    x[2, 3] = np.nan
    y = to_numpy(C.softmax_forward(dev(xp, x)))
    assert np.isnan(y[2]).all() and not np.isnan(y[[0, 1, 3]]).any(), "a NaN poisons its row only"


@needs_gpu
@pytest.mark.parametrize("sparse,label_dtype", [(False, None), (True, np.int64), (True, np.int32)])
def test_cuda_softmax_xent(cu, rng, sparse, label_dtype):
    xp, C = cu
    fwd, bwd = need_ref("softmax_xent_forward"), need_ref("softmax_xent_backward")
    for N, K in SOFTMAX_SHAPES:
        x = (rng.standard_normal((N, K)) * 4).astype(np.float32)
        labels = rng.integers(0, K, N).astype(label_dtype or np.int64)
        if sparse:
            t, t64 = labels, labels
        else:
            t = rng.random((N, K)).astype(np.float32)
            t /= t.sum(axis=1, keepdims=True)
            t64 = t.astype(np.float64)
        loss, probs = C.softmax_xent_forward(dev(xp, x), dev(xp, t), sparse)
        ref_loss, ref_probs = fwd(x.astype(np.float64), t64, sparse)
        assert_close(probs, ref_probs, n=K, atol=1e-7, what=f"xent probs {N}x{K}")
        assert_close(loss, ref_loss, n=K, scale=np.abs(ref_loss) + np.abs(x).max(axis=1) + 1,
                     what=f"xent loss {N}x{K}")
        p32 = to_numpy(probs)
        d = C.softmax_xent_backward(dev(xp, p32), dev(xp, t), sparse, 1.0 / N)
        assert_close(d, bwd(p32.astype(np.float64), t64, sparse, 1.0 / N), atol=1e-8,
                     what=f"xent backward {N}x{K}")


@needs_gpu
def test_cuda_dropout_matches_reference_mask(cu, rng):
    xp, C = cu
    fwd, bwd = need_ref("dropout_forward"), need_ref("dropout_backward")
    for shape, rate, seed in [((1,), 0.5, 0), ((1000,), 0.1, 42), ((64, 129), 0.5, 2**63 + 5),
                              ((3, 7, 11), 0.0, 7), ((100003,), 0.9, -3)]:
        x = rng.standard_normal(shape).astype(np.float32)
        x.reshape(-1)[0] = np.nan
        y, mask = C.dropout_forward(dev(xp, x), rate, seed)
        ref_y, ref_mask = fwd(x, rate, seed)
        assert to_numpy(mask).dtype == np.uint8
        assert np.array_equal(to_numpy(mask), to_numpy(ref_mask)), f"mask differs {shape} rate={rate} seed={seed}"
        assert_close(y, ref_y.astype(np.float64), what=f"dropout {shape}")
        dy = rng.standard_normal(shape).astype(np.float32)
        dx = C.dropout_backward(dev(xp, dy), mask, rate)
        assert_close(dx, bwd(dy, to_numpy(ref_mask), rate).astype(np.float64), what=f"dropout bwd {shape}")
        if rate > 0 and x.size > 1000:
            kept = to_numpy(mask).mean()
            assert abs(kept - (1 - rate)) < 0.02, f"keep fraction {kept} for rate {rate}"


# ---- on a GPU: recurrent family ------------------------------------------------------------------
# (tests/test_rnn.py's backend-parametrized sweeps, finite-difference gradients, masks and NaN tests
# run on the cuda backend too; here: larger shapes where the per-step GEMMs use 128-tiles and the
# weight-gradient GEMMs split K, against reference/rnn.py in float64, saved arrays included.)

RNN_GPU_CASES = [  # cell, (B, T, F, U), go_backwards, reset_after, act, rec_act, bias, h0/c0, mask
    ("lstm", (64, 20, 32, 128), False, True, "tanh", "sigmoid", True, True, True),
    ("lstm", (7, 9, 5, 19), True, True, "relu", "hard_sigmoid", False, False, True),
    ("lstm", (8, 70, 5, 9), True, True, "tanh", "sigmoid", True, True, False),
    ("gru", (64, 20, 32, 128), True, True, "tanh", "sigmoid", True, True, True),
    ("gru", (17, 6, 33, 40), False, False, "tanh", "hard_sigmoid", True, False, True),
    ("gru", (8, 66, 3, 5), True, False, "relu", "sigmoid", False, True, True),
    ("simple_rnn", (40, 12, 8, 176), False, True, "tanh", None, True, True, True),
    ("simple_rnn", (5, 7, 70, 1), True, True, "relu", None, True, False, True),
]


@needs_gpu
@pytest.mark.parametrize("case", RNN_GPU_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RNN_GPU_CASES)])
def test_cuda_rnn_forward_backward_vs_float64(cu, rng, case):
    xp, C = cu
    cell, (B, T, F, U), gb, ra, act, ract, has_b, has_h0, has_mask = case
    a, _ = _rnn_emu_inputs(rng, cell, (B, T, F, U), gb, ra, act, ract, has_b, has_h0, has_mask, 0)
    D = {n: None if v is None else dev(xp, v) for n, v in a.items()}
    ract = ract or "sigmoid"
    if cell == "lstm":
        f = C.lstm_forward(D["x"], D["kernel"], D["recurrent_kernel"], D["bias"], D["h0"], D["c0"],
                           D["mask"], gb, act, ract)
        b = C.lstm_backward(D["d_out"], D["d_hT"], D["d_cT"], D["x"], D["kernel"], D["recurrent_kernel"],
                            D["mask"], gb, act, ract, *f[3:])
    elif cell == "gru":
        f = C.gru_forward(D["x"], D["kernel"], D["recurrent_kernel"], D["bias"], D["h0"], D["mask"], gb,
                          ra, act, ract)
        b = C.gru_backward(D["d_out"], D["d_hT"], D["x"], D["kernel"], D["recurrent_kernel"], D["mask"],
                           gb, ra, act, ract, *f[2:])
    else:
        f = C.simple_rnn_forward(D["x"], D["kernel"], D["recurrent_kernel"], D["bias"], D["h0"],
                                 D["mask"], gb, act)
        b = C.simple_rnn_backward(D["d_out"], D["d_hT"], D["x"], D["kernel"], D["recurrent_kernel"],
                                  D["mask"], gb, act, *f[2:])
    rf, rb = _rnn_reference(cell, a, gb, ra, act, ract)
    what = f"cuda {cell} {(B, T, F, U)} gb={gb} ra={ra} {act}/{ract}"
    assert len(f) == len(rf) and len(b) == len(rb)
    for i, (g, r) in enumerate(zip(f, rf)):
        assert type(g).__module__.split(".")[0] == xp.__name__, "results must stay on the device"
        assert_close(g, r, scale=1.0 + np.abs(r), n=F + U, factor=16, atol=1e-6, what=f"{what} forward[{i}]")
    for i, (g, r) in enumerate(zip(b, rb)):
        assert_close(g, r, scale=1.0 + np.abs(r), n=(F + U) * T * (B if i else 1), factor=4, atol=1e-5,
                     what=f"{what} backward[{i}]")


# ---- on a GPU: conv2d -------------------------------------------------------------------------

CONV_CASES = [  # x shape, (KH, KW, C_out), (sh, sw), (pt, pl, pb, pr), (dh, dw)
    ((2, 7, 6, 3), (3, 3, 4), (1, 1), (1, 1, 1, 1), (1, 1)),
    ((1, 9, 8, 2), (3, 2, 3), (2, 3), (0, 1, 1, 0), (1, 1)),
    ((2, 10, 9, 1), (3, 3, 2), (1, 2), (2, 1, 2, 0), (2, 2)),
    ((3, 4, 4, 5), (1, 1, 6), (1, 1), (0, 0, 0, 0), (1, 1)),      # 1x1: GEMM on x directly
    ((8, 28, 28, 1), (5, 5, 6), (1, 1), (0, 0, 0, 0), (1, 1)),    # LeNet conv1 (split-K dW)
    ((4, 12, 12, 6), (5, 5, 16), (1, 1), (2, 2, 2, 2), (1, 1)),
]


@needs_gpu
@pytest.mark.parametrize("algorithm", ["implicit", "im2col"])
def test_cuda_conv2d_forward_backward(cu, rng, algorithm):
    xp, C = cu
    if not DRYRUN:
        C.set_conv_algorithm(algorithm)
    try:
        _conv_sweep(xp, C, rng)
    finally:
        if not DRYRUN:
            C.set_conv_algorithm("implicit")


def _conv_sweep(xp, C, rng):
    fwd, bwd = need_ref("conv2d_forward"), need_ref("conv2d_backward")
    for xs, (KH, KW, Co), (sh, sw), pads, (dh, dw) in CONV_CASES:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal((KH, KW, xs[3], Co)).astype(np.float32)
        b = rng.standard_normal(Co).astype(np.float32)
        geo = (sh, sw) + pads + (dh, dw)
        K = KH * KW * xs[3]
        what = f"conv x={xs} w={w.shape} s={sh}x{sw} pads={pads} dil={dh}x{dw}"
        for bias, act in [(None, None), (b, "relu")]:
            y = C.conv2d_forward(dev(xp, x), dev(xp, w), None if bias is None else dev(xp, bias), *geo, act)
            ref = fwd(x.astype(np.float64), w.astype(np.float64), None if bias is None else bias.astype(np.float64), *geo, act)
            scale = fwd(np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), None, *geo, None) + (0 if bias is None else np.abs(bias))
            assert_close(y, ref, scale=scale, n=K, what=f"{what} act={act}")
        dy = rng.standard_normal(ref.shape).astype(np.float32)
        dx, dwt, db = C.conv2d_backward(dev(xp, dy), dev(xp, x), dev(xp, w), *geo, True, True, True)
        rdx, rdw, rdb = bwd(dy.astype(np.float64), x.astype(np.float64), w.astype(np.float64), *geo, True, True, True)
        sdx, sdw, sdb = bwd(np.abs(dy).astype(np.float64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), *geo, True, True, True)
        rows = dy.shape[0] * dy.shape[1] * dy.shape[2]
        assert_close(dx, rdx, scale=sdx, n=KH * KW * Co, what=f"{what} dx")
        assert_close(dwt, rdw, scale=sdw, n=rows, what=f"{what} dw")
        assert_close(db, rdb, scale=sdb, n=rows, what=f"{what} db")
        none = C.conv2d_backward(dev(xp, dy), dev(xp, x), dev(xp, w), *geo, False, True, False)
        assert none[0] is None and none[2] is None and none[1] is not None


@needs_module
def test_conv_algorithm_switch():
    C = _native._C_cuda
    assert C.get_conv_algorithm() == "implicit"
    C.set_conv_algorithm("im2col")
    try:
        assert C.get_conv_algorithm() == "im2col"
    finally:
        C.set_conv_algorithm("implicit")
    with pytest.raises(ValueError, match="set_conv_algorithm: algorithm must be 'implicit' or 'im2col'"):
        C.set_conv_algorithm("winograd")


# ---- on a GPU: pooling -----------------------------------------------------------------------

POOL_CASES = [  # (N, H, W, C), (kh, kw), (sh, sw), (pt, pl, pb, pr)
    ((2, 7, 5, 3), (3, 2), (2, 1), (1, 0, 1, 1)), ((1, 4, 4, 1), (2, 2), (2, 2), (0, 0, 0, 0)),
    ((2, 6, 6, 5), (3, 3), (1, 1), (1, 1, 1, 1)), ((1, 3, 3, 2), (5, 5), (1, 1), (2, 2, 2, 2)),
    ((3, 9, 1, 4), (4, 1), (3, 1), (0, 0, 2, 0)), ((4, 28, 28, 6), (2, 2), (2, 2), (0, 0, 0, 0)),
    ((2, 13, 11, 33), (3, 3), (2, 2), (1, 1, 1, 1)),
]


@needs_gpu
def test_cuda_pooling_forward_backward(cu, rng):
    xp, C = cu
    refs = {n: need_ref(n) for n in ("max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
                                     "avg_pool2d_backward", "global_avg_pool2d_forward",
                                     "global_avg_pool2d_backward")}
    for shape, (kh, kw), (sh, sw), pads in POOL_CASES:
        x = (np.round(rng.standard_normal(shape) * 2) / 2).astype(np.float32)  # ties on purpose
        x.reshape(-1)[7] = np.nan
        H, W = shape[1], shape[2]
        geo = (kh, kw, sh, sw) + pads
        y, am = C.max_pool2d_forward(dev(xp, x), *geo, True)
        ry, ram = refs["max_pool2d_forward"](x, *geo, True)
        what = f"pool {shape} k={kh}x{kw} s={sh}x{sw} pads={pads}"
        assert np.array_equal(to_numpy(am), to_numpy(ram)), f"max argmax {what}"
        assert_close(y, ry.astype(np.float64), what=f"max y {what}")
        assert C.max_pool2d_forward(dev(xp, x), *geo, False)[1] is None
        dy = rng.standard_normal(ry.shape).astype(np.float32)
        dx = C.max_pool2d_backward(dev(xp, dy), am, H, W, *geo)
        rdx = refs["max_pool2d_backward"](dy.astype(np.float64), ram, H, W, *geo)
        assert_close(dx, rdx, n=kh * kw, scale=np.abs(rdx) + 1e-30, what=f"max dx {what}")
        ya = C.avg_pool2d_forward(dev(xp, x), *geo)
        rya = refs["avg_pool2d_forward"](x.astype(np.float64), *geo)
        assert_close(ya, rya, n=kh * kw, scale=np.abs(rya) + 1, what=f"avg y {what}")
        dxa = C.avg_pool2d_backward(dev(xp, dy), H, W, *geo)
        rdxa = refs["avg_pool2d_backward"](dy.astype(np.float64), H, W, *geo)
        assert_close(dxa, rdxa, n=kh * kw, scale=np.abs(rdxa) + 1, what=f"avg dx {what}")
        gy = C.global_avg_pool2d_forward(dev(xp, x))
        rgy = refs["global_avg_pool2d_forward"](x.astype(np.float64))
        assert_close(gy, rgy, n=H * W, scale=np.abs(x).mean(axis=(1, 2)) + 1, what=f"gap y {what}")
        gdy = rng.standard_normal((shape[0], shape[3])).astype(np.float32)
        gdx = C.global_avg_pool2d_backward(dev(xp, gdy), H, W)
        assert_close(gdx, refs["global_avg_pool2d_backward"](gdy.astype(np.float64), H, W), what=f"gap dx {what}")


# ---- on a GPU: optimizer updates ---------------------------------------------------------------

def _optim_case(rng, shape):
    p = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    s1 = np.abs(rng.standard_normal(shape)).astype(np.float32)
    s2 = np.abs(rng.standard_normal(shape)).astype(np.float32)
    return p, g, s1, s2


@needs_gpu
@pytest.mark.parametrize("shape", [(1,), (5, 3), (1000, 37)])
def test_cuda_optimizer_updates(cu, rng, shape):
    xp, C = cu
    names = ["sgd_update", "rmsprop_update", "adam_update", "adagrad_update"]
    refs = {n: need_ref(n) for n in names}
    cases = [
        ("sgd_update", lambda p, g, s1, s2: (p, g, None), dict(lr=0.1, momentum=0.0, nesterov=False)),
        ("sgd_update", lambda p, g, s1, s2: (p, g, s1), dict(lr=0.1, momentum=0.9, nesterov=False)),
        ("sgd_update", lambda p, g, s1, s2: (p, g, s1), dict(lr=0.05, momentum=0.9, nesterov=True)),
        ("rmsprop_update", lambda p, g, s1, s2: (p, g, s1), dict(lr=1e-3, rho=0.9, eps=1e-7)),
        ("adam_update", lambda p, g, s1, s2: (p, g, s1, s2),
         dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7, t=3)),
        ("adagrad_update", lambda p, g, s1, s2: (p, g, s1), dict(lr=0.01, eps=1e-7)),
    ]
    for name, pick, kw in cases:
        host = pick(*_optim_case(rng, shape))
        ref = [None if a is None else a.astype(np.float64) for a in host]
        devs = [None if a is None else dev(xp, a) for a in host]
        assert getattr(C, name)(*devs, **kw) is None
        refs[name](*ref, **kw)
        for i, (d, r) in enumerate(zip(devs, ref)):
            if d is not None and i != 1:  # param and state arrays, updated in place
                # rounding error scales with the operands (p + update can cancel), not the result
                scale = np.abs(r) + np.abs(host[i]) + np.abs(host[1])
                assert_close(d, r, scale=scale, factor=16, atol=1e-7, what=f"{name} {kw} array {i}")
        assert np.array_equal(to_numpy(devs[1]), host[1]), f"{name} must not modify grad"
