"""GEMM against a float64 NumPy reference: randomized edge-case shapes, transposes, alpha/beta,
fused bias/relu, strided views, fp64, NaN propagation, bad input, every backend and ISA."""
import numpy as np
import pytest

import tensorforge as tf
from tfhelpers import assert_close, on_backend, to_numpy

SIZES = [1, 2, 3, 5, 7, 13, 16, 17, 31, 32, 33, 47, 64, 65, 97, 128, 129, 255]


def ref_gemm(a, b, c=None, alpha=1.0, beta=0.0, ta=False, tb=False, bias=None, act=None):
    A = a.astype(np.float64).T if ta else a.astype(np.float64)
    B = b.astype(np.float64).T if tb else b.astype(np.float64)
    out = alpha * (A @ B)
    if beta:
        out = out + beta * c.astype(np.float64)
    if bias is not None:
        out = out + bias
    scale = abs(alpha) * (np.abs(A) @ np.abs(B)) + (abs(beta) * np.abs(c) if beta else 0)
    if bias is not None:
        scale = scale + np.abs(bias)
    if act == "relu":
        out = np.maximum(out, 0)
    return out, scale


def make(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def shapes(rng, n):
    out = [(1, 1, 1), (1, 7, 1), (7, 1, 1), (1, 1, 300), (3, 5, 4096), (17, 33, 1), (129, 65, 257)]
    for _ in range(n):
        out.append(tuple(int(rng.choice(SIZES)) for _ in range(3)))
    return out


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_random_shapes(backend, rng, ta, tb):
    for M, N, K in shapes(rng, 12):
        a = make(rng, (K, M) if ta else (M, K))
        b = make(rng, (N, K) if tb else (K, N))
        got = tf.ops.gemm(on_backend(a, backend), on_backend(b, backend), trans_a=ta, trans_b=tb)
        ref, scale = ref_gemm(a, b, ta=ta, tb=tb)
        assert_close(got, ref, scale=scale, n=K, what=f"gemm {M}x{N}x{K} ta={ta} tb={tb}")


def test_gemm_isa_paths(isa, rng):
    """Each compiled ISA path (generic, avx2, avx512) on shapes that hit every tile edge."""
    for M, N, K in shapes(rng, 16) + [(200, 300, 400), (513, 257, 129)]:
        for ta, tb in [(False, False), (True, True)]:
            a = make(rng, (K, M) if ta else (M, K))
            b = make(rng, (N, K) if tb else (K, N))
            bias = make(rng, (N,))
            got = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb, bias=bias, activation="relu")
            ref, scale = ref_gemm(a, b, ta=ta, tb=tb, bias=bias, act="relu")
            assert_close(got, ref, scale=scale, n=K, what=f"[{isa}] gemm {M}x{N}x{K}")


@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (0.5, 1.0), (-2.0, 0.25), (0.0, 1.5)])
def test_gemm_alpha_beta_inplace(backend, rng, alpha, beta):
    for M, N, K in [(33, 17, 65), (1, 129, 7), (64, 64, 64)]:
        a, b, c = make(rng, (M, K)), make(rng, (K, N)), make(rng, (M, N))
        ref, scale = ref_gemm(a, b, c, alpha, beta)
        cb = on_backend(c.copy(), backend)
        out = tf.ops.gemm(on_backend(a, backend), on_backend(b, backend), c=cb, alpha=alpha, beta=beta)
        assert out is cb, "gemm must update c in place and return it"
        assert_close(cb, ref, scale=scale, n=K, what=f"alpha={alpha} beta={beta}")


def test_gemm_bias_relu_epilogue(backend, rng):
    for M, N, K in [(1, 1, 1), (31, 47, 13), (128, 500, 64), (6, 36, 25)]:
        a, b, bias = make(rng, (M, K)), make(rng, (K, N)), make(rng, (N,))
        for act in (None, "relu"):
            got = tf.ops.gemm(on_backend(a, backend), on_backend(b, backend),
                              bias=on_backend(bias, backend), activation=act)
            ref, scale = ref_gemm(a, b, bias=bias, act=act)
            assert_close(got, ref, scale=scale, n=K, what=f"bias act={act}")
            if act == "relu":
                assert (to_numpy(got) >= 0).all()


def test_gemm_noncontiguous_views(backend, rng):
    big_a = make(rng, (90, 70))
    big_b = make(rng, (80, 60))
    views = [
        (big_a[::2, 1::3], big_b[3:26:1, ::2][:, :30]),   # strided rows and columns
        (big_a[:40, :23].T.copy().T, big_b[:23, :17]),      # column-major copy of a
        (np.asfortranarray(make(rng, (19, 23))), big_b[:23, 5:40]),
    ]
    for a, b in views:
        if a.shape[1] != b.shape[0]:
            b = big_b[: a.shape[1], : b.shape[1]]
        got = tf.ops.gemm(on_backend(a, backend), on_backend(b, backend))
        ref, scale = ref_gemm(np.ascontiguousarray(a), np.ascontiguousarray(b))
        assert_close(got, ref, scale=scale, n=a.shape[1], what=f"views {a.strides} {b.strides}")
    # transposed views passed without the trans flags
    a = make(rng, (41, 29)).T
    b = make(rng, (37, 41)).T
    got = tf.ops.matmul(on_backend(a, backend), on_backend(b, backend))
    ref, scale = ref_gemm(a, b)
    assert_close(got, ref, scale=scale, n=41)


def test_gemm_large_k(backend, rng):
    a, b = make(rng, (9, 20000)), make(rng, (20000, 11))
    got = tf.ops.matmul(on_backend(a, backend), on_backend(b, backend))
    ref, scale = ref_gemm(a, b)
    assert_close(got, ref, scale=scale, n=20000, factor=2.0)


def test_gemm_float64_is_exact_fp64(backend, rng):
    if backend == "cuda":
        pytest.skip("float64 GEMM runs on the CPU backends")
    a, b = rng.standard_normal((67, 129)), rng.standard_normal((129, 45))
    got = tf.ops.gemm(a, b, alpha=0.5)
    assert got.dtype == np.float64
    ref, scale = ref_gemm(a, b, alpha=0.5)
    assert_close(got, ref, scale=scale, n=129, dtype=np.float64)


def test_gemm_nan_inf_propagate(backend, rng):
    a, b = make(rng, (20, 30)), make(rng, (30, 25))
    a[3, 4] = np.nan
    b[7, 9] = np.inf
    ref = ref_gemm(a, b)[0]
    got = to_numpy(tf.ops.gemm(on_backend(a, backend), on_backend(b, backend)))
    assert np.array_equal(np.isnan(got), np.isnan(ref)), "NaN positions must match the reference"
    assert np.array_equal(np.isposinf(got), np.isposinf(ref))
    assert np.array_equal(np.isneginf(got), np.isneginf(ref))
    got = to_numpy(tf.ops.gemm(on_backend(a, backend), on_backend(b, backend), activation="relu",
                               bias=on_backend(np.zeros(25, np.float32), backend)))
    assert np.isnan(got[3]).all(), "relu must keep NaN (NaN in -> NaN out)"


def test_gemm_beta_zero_ignores_garbage_c(backend, rng):
    a, b = make(rng, (16, 8)), make(rng, (8, 16))
    c = np.full((16, 16), np.nan, np.float32)
    cb = on_backend(c, backend)
    tf.ops.gemm(on_backend(a, backend), on_backend(b, backend), c=cb, beta=0.0)
    ref, scale = ref_gemm(a, b)
    assert_close(cb, ref, scale=scale, n=8)


def test_gemm_c_aliasing_input(backend, rng):
    a = make(rng, (24, 24))
    b = make(rng, (24, 24))
    ref, scale = ref_gemm(a, b, a.copy(), 1.0, 1.0)
    ab = on_backend(a, backend)
    tf.ops.gemm(ab, on_backend(b, backend), c=ab, beta=1.0)
    assert_close(ab, ref, scale=scale, n=24)


def test_matmul_batched_and_nd(backend, rng):
    a, b = make(rng, (3, 4, 5, 6)), make(rng, (6, 7))
    got = tf.ops.matmul(on_backend(a, backend), on_backend(b, backend))
    assert_close(got, a.astype(np.float64) @ b, scale=np.abs(a) @ np.abs(b), n=6)
    a, b = make(rng, (5, 9, 3)), make(rng, (5, 3, 8))
    got = tf.ops.matmul(on_backend(a, backend), on_backend(b, backend))
    assert_close(got, a.astype(np.float64) @ b, scale=np.abs(a) @ np.abs(b), n=3)


# ---- blocking edges of the native kernel (csrc/cpu/gemm*) ----------------------------------
# MR x NR = 12 x 32 (avx512), 6 x 16 (avx2), 4 x 8 (generic); KC/MC/NC from the caches (KC 256-1024);
# B is read in place (no packing) for M <= 72 or M <= 256 with K*N <= 256K when B has unit column
# stride and its row stride does not crowd few L2 sets (rows of 1024 floats do: packed instead);
# other problems of at most 16 row tiles pack B one panel at a time (panel_run); tiny outputs
# with long K (M*N < 16*(M+N), K >= 64) take the dot-product (split-K) path; K <= 8 with unit
# column stride B and N >= 4 vectors sweeps row blocks of C (short-K path, Note [short K]);
# at most 16 rows with A rows and B columns contiguous along K, K >= 2 vectors and N >= 12 stream
# B^T as dot products (Note [streamed B^T]); packed chunks whose B panels fit half of L2 run row
# tile by row tile (Note [rows first]).
# (M, K, N, trans_a, trans_b) chosen to straddle each of those boundaries.
EDGE_CASES = [
    (12, 320, 32, False, False), (13, 321, 33, False, False), (11, 319, 31, True, True),
    (72, 40, 100, False, False), (73, 40, 100, False, False),          # unpacked / packed at M = 72
    (256, 64, 4096, False, False), (257, 64, 4096, False, False),      # K*N = 256K boundary
    (200, 64, 4097, False, False),                                     # packed, N straddles NC
    (385, 641, 45, False, False), (385, 641, 45, True, True),          # M straddles MC, K > 2*KC
    (100, 700, 97, False, True), (100, 700, 97, True, False),          # transposed packing tails
    (6, 4999, 25, False, True), (6, 4999, 25, False, False),           # dot path / unpacked
    (7, 63, 9, False, True), (7, 64, 9, False, True), (3, 9000, 5, False, True),
    (25, 6, 3000, True, False), (6, 25, 3000, False, False),           # skinny conv dW shapes
    (64, 600, 1024, False, False), (61, 1100, 1030, False, True),      # panel path: B rows of
    (96, 530, 2048, True, False), (97, 530, 2048, False, False),       # 1024+ floats, B^T; K > KC
    (7, 1, 33, False, False), (5, 5, 777, False, False), (40, 7, 4100, False, False),  # short K:
    (13, 8, 1000, True, False), (13, 9, 1000, True, False),            # K = 8 / 9 boundary,
    (30, 3, 31, False, False), (30, 3, 32, False, False), (30, 3, 64, True, False),  # N = 4 vectors
    (3, 2, 67, True, True), (1, 4, 130, False, False), (25, 6, 36864, True, False),  # conv1 dW^T
    (5000, 3, 65, False, False), (4099, 8, 200, True, False),          # short K, tall C: rows split
    (7, 6, 47, True, False), (12, 8, 50, False, False), (13, 2, 33, True, False),  # short K: row
    (1, 8, 40, False, False), (31, 5, 95, False, False), (6, 7, 32, True, False),  # blocks, N tails
    (16, 500, 1800, False, True), (17, 500, 1800, False, True),        # streamed B^T at 16 rows /
    (16, 31, 12, False, True), (16, 32, 11, False, True), (13, 33, 71, False, True),  # its edges
    (1, 67, 13, False, True), (3, 15, 40, False, True), (16, 16, 12, True, True),
    (1800, 16, 500, True, False), (1801, 32, 499, True, False),        # rows first (dW = x^T dy)
    (127, 64, 1025, True, False), (61, 70, 61, True, False),
]


@pytest.mark.parametrize("M,K,N,ta,tb", EDGE_CASES)
def test_gemm_blocking_edges(isa, rng, M, K, N, ta, tb):
    a = make(rng, (K, M) if ta else (M, K))
    b = make(rng, (N, K) if tb else (K, N))
    c = make(rng, (M, N))
    bias = make(rng, (N,))
    ref, scale = ref_gemm(a, b, c, 0.75, -0.5, ta, tb, bias, "relu")
    out = c.copy()
    tf.ops.gemm(a, b, c=out, alpha=0.75, beta=-0.5, trans_a=ta, trans_b=tb, bias=bias,
                activation="relu")
    assert_close(out, ref, scale=scale, n=K, what=f"[{isa}] {M}x{K}x{N} ta={ta} tb={tb}")
    got = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)  # beta = 0 path, fresh output
    ref, scale = ref_gemm(a, b, ta=ta, tb=tb)
    assert_close(got, ref, scale=scale, n=K, what=f"[{isa}] {M}x{K}x{N} plain")


# K blocks of equal depth (Note [even K blocks] in csrc/cpu/gemm_blocking.h: ceil(K / KC) blocks rounded
# up to 8; KC 256-1024 by CPU and ISA): K just past one, two and three blocks of every KC in use
# (odd K: the last block is shorter by up to 8 per block), through the packed path (M > 22 row
# tiles), the panel path (few rows, B in place or B^T) and one row of C; beta and the epilogue
# apply once, on the first / last block.
EVEN_K_CASES = [
    (270, 1025, 70, False, False), (269, 2049, 33, True, False), (265, 1537, 97, True, True),
    (30, 1031, 200, False, False), (133, 3079, 65, False, True), (25, 2053, 64, False, False),
    (1, 2049, 300, False, False), (1, 1033, 45, True, True), (13, 515, 1000, False, False),
]


def check_epilogue_and_plain(isa, rng, M, K, N, ta, tb):
    """gemm with alpha, beta (C read), bias and relu, then plain, against float64; returns a."""
    a = make(rng, (K, M) if ta else (M, K))
    b = make(rng, (N, K) if tb else (K, N))
    c, bias = make(rng, (M, N)), make(rng, (N,))
    ref, scale = ref_gemm(a, b, c, 0.75, -0.5, ta, tb, bias, "relu")
    out = c.copy()
    tf.ops.gemm(a, b, c=out, alpha=0.75, beta=-0.5, trans_a=ta, trans_b=tb, bias=bias,
                activation="relu")
    assert_close(out, ref, scale=scale, n=K, what=f"[{isa}] {M}x{K}x{N} ta={ta} tb={tb}")
    got = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)
    ref, scale = ref_gemm(a, b, ta=ta, tb=tb)
    assert_close(got, ref, scale=scale, n=K, what=f"[{isa}] {M}x{K}x{N} plain")
    return a


@pytest.mark.parametrize("M,K,N,ta,tb", EVEN_K_CASES)
def test_gemm_even_k_blocks(isa, rng, M, K, N, ta, tb):
    check_epilogue_and_plain(isa, rng, M, K, N, ta, tb)


PRIMES = [1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67]


def test_gemm_small_shapes_random(isa, rng):
    """M, N, K in 1..70 (primes and round sizes), every transpose, strided views of A and B,
    alpha/beta with C read, bias and relu: the streamed B^T, short-K, unpacked, panel and packed
    paths at their small-size edges against a float64 reference."""
    sizes = PRIMES + [4, 8, 12, 16, 24, 32, 48, 64, 70]
    for t in range(48):
        M, N, K = (int(rng.choice(sizes)) for _ in range(3))
        if t % 3 == 0:
            M = int(rng.integers(1, 17))  # the streamed path's rows
        ta, tb = bool(t & 1), bool(t & 2) or t % 3 == 0
        step = 1 + t % 2  # every other column of a wider array: non-unit strides
        (ra, ca), (rb, cb) = (K, M) if ta else (M, K), (N, K) if tb else (K, N)
        a, b = make(rng, (ra, ca * step))[:, ::step], make(rng, (rb, cb * step))[:, ::step]
        c, bias = make(rng, (M, N)), make(rng, (N,))
        alpha, beta = [(1.0, 0.0), (0.75, -0.5), (-1.5, 1.0)][t % 3]
        out = c.copy()
        tf.ops.gemm(a, b, c=out, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb, bias=bias,
                    activation="relu" if t % 4 == 1 else None)
        ref, scale = ref_gemm(np.ascontiguousarray(a), np.ascontiguousarray(b), c, alpha, beta, ta,
                              tb, bias, "relu" if t % 4 == 1 else None)
        assert_close(out, ref, scale=scale, n=K,
                     what=f"[{isa}] {M}x{K}x{N} ta={ta} tb={tb} step={step} beta={beta}")



def test_gemm_unpacked_at_two_threads_random(isa, rng):
    """Note [unpacked at 2 threads] (csrc/cpu/gemm_unpacked.cpp): with 2+ threads, B with unit
    column stride, K*N <= 256K and K <= 256 (one K block), up to 1024 rows read B in place
    (1 thread: 256, packed). Random M in 257..1100 (either side of 1024), K mostly within 256
    (some past it: packed at any thread count), N up to the 256K bound, A transposed or not, A
    and B as strided views (B rows farther apart than N), alpha/beta with C read, bias and relu,
    at 1, 2 and 3 threads against float64, and bit-identical across the thread counts (both
    routes run the same sums in the same order)."""
    prev = tf.get_num_threads()
    try:
        for t in range(10):
            M = int(rng.integers(257, 1101))
            K = int(rng.integers(1, 257 if t % 4 else 600))
            N = int(rng.integers(1, max(2, 262144 // K + 40)))
            if t == 0:
                M, K, N = 784, 128, 256  # mlp fc dB (A^T below)
            ta, step = bool(t % 2 == 0), 1 + t % 3
            a = make(rng, (K, M * step) if ta else (M, K * step))[:, ::step]
            b = make(rng, (K, N + 5 * (t % 2)))[:, :N]  # row stride N or N + 5, unit columns
            c, bias = make(rng, (M, N)), make(rng, (N,))
            act = "relu" if t % 3 == 1 else None
            ref, scale = ref_gemm(np.ascontiguousarray(a), np.ascontiguousarray(b), c, 0.75, -0.5,
                                  ta, False, bias, act)
            outs = []
            for nt in (1, 2, 3):
                tf.set_num_threads(nt)
                out = c.copy()
                tf.ops.gemm(a, b, c=out, alpha=0.75, beta=-0.5, trans_a=ta, bias=bias,
                            activation=act)
                assert_close(out, ref, scale=scale, n=K,
                             what=f"[{isa}] {nt} threads {M}x{K}x{N} ta={ta} step={step}")
                outs.append(out)
            for o in outs[1:]:
                np.testing.assert_array_equal(o, outs[0])
    finally:
        tf.set_num_threads(prev)

def test_gemm_packed_blocks_at_thread_counts(isa, rng):
    """Note [B packed in the compute loop] (csrc/cpu/gemm_packed.cpp): the packed path runs one
    pool loop per (NC, KC) block of B, packing this block's B in its first chunks (compute chunks
    wait for the panel group they read) and the next block's B into a second buffer in its last.
    More than 22 row tiles (packed, not panel), K = 2100 (several K blocks at every CPU's KC),
    N = 1100 (two N blocks where NC = 1024: the last partial, 76 columns, not a multiple of NR),
    A^T / B^T, alpha/beta with C read, bias and relu (applied in the last K block only): 1, 2
    and 3 threads against float64 and bit-identical across the thread counts. From 8 row tiles per
    thread the row blocks shrink towards the end (Note [guided chunks], gemm_blocking.h): 300 and
    1030 rows, and 1800 rows with K = 32 (lenet fc dB: chunks run row tile by row tile, Note [rows
    first])."""
    prev = tf.get_num_threads()
    try:
        for M, K, N, ta, tb, act in [(300, 2100, 1100, False, False, "relu"),
                                     (1800, 32, 500, True, False, None),
                                     (301, 2100, 1100, True, False, None),
                                     (290, 1500, 1100, False, True, None),
                                     (1030, 700, 600, False, False, "relu")]:
            a = make(rng, (K, M) if ta else (M, K))
            b = make(rng, (N, K) if tb else (K, N))
            c, bias = make(rng, (M, N)), make(rng, (N,))
            ref, scale = ref_gemm(a, b, c, 0.75, -0.5, ta, tb, bias, act)
            outs = []
            for nt in (1, 2, 3):
                tf.set_num_threads(nt)
                out = c.copy()
                tf.ops.gemm(a, b, c=out, alpha=0.75, beta=-0.5, trans_a=ta, trans_b=tb, bias=bias,
                            activation=act)
                assert_close(out, ref, scale=scale, n=K,
                             what=f"[{isa}] {nt} threads {M}x{K}x{N} ta={ta} tb={tb}")
                outs.append(out)
            for nt, o in zip((2, 3), outs[1:]):
                assert np.array_equal(o, outs[0]), \
                    f"[{isa}] {M}x{K}x{N} at {nt} threads: max |diff| {np.abs(o - outs[0]).max()}"
    finally:
        tf.set_num_threads(prev)


# The few-row panel path (csrc/cpu/gemm_packed.cpp, Note [A once per thread], Note [B packed by its
# first tile]): up to 22 row tiles, B in place with rows far apart (the first tile of each panel
# packs it), B^T, partial last panels, several K blocks (K > KC on every CPU's blocking: 1100,
# 2100), one full tile plus a 1-row tile, and a packed A past the 4 MiB bound (packed path).
PANEL_CASES = [
    (7, 600, 1024, False, False), (64, 512, 1024, False, False), (67, 1100, 1030, False, False),
    (97, 300, 1031, False, False), (128, 784, 1040, False, False), (132, 2100, 1024, False, False),
    (131, 257, 785, False, True), (128, 256, 784, False, True), (100, 1100, 1030, True, False),
    (113, 530, 2047, True, True), (43, 2100, 1100, False, True), (128, 8200, 520, False, False),
]


@pytest.mark.parametrize("M,K,N,ta,tb", PANEL_CASES)
def test_gemm_panel_path_edges(isa, rng, M, K, N, ta, tb):
    a = check_epilogue_and_plain(isa, rng, M, K, N, ta, tb)
    bs = make(rng, (K, 2 * N))[:, ::2]  # B at column stride 2: packed, not read in place
    got = tf.ops.gemm(a, bs, trans_a=ta)
    ref, scale = ref_gemm(a, np.ascontiguousarray(bs), ta=ta)
    assert_close(got, ref, scale=scale, n=K, what=f"[{isa}] {M}x{K}x{N} B column stride 2")


# The unpacked path's tile rows (csrc/cpu/gemm_unpacked.cpp, Note [unpacked tile rows]): when a chunk's
# K block of B in place fits half of L1d, each row tile runs all of the chunk's full panels in one
# call, then the partial last panel alone: full panels only (N = 64), a partial last one (N = 100,
# 45, 33), fewer columns than one panel (N = 20), a partial last row tile (M = 64, 13, 71), A
# transposed in place, one row, 2 threads (72 x 64 x 96: chunks of fewer panels); on a 48 KiB L1d
# 13 x 48 x 100 and 24 x 96 x 64 fill exactly half of it, and 37 x 150 x 33 is past it (panel order).
UNPACKED_ROW_CASES = [
    (64, 64, 64, False, False), (64, 64, 64, True, False), (13, 48, 100, False, False),
    (71, 40, 45, True, False), (24, 96, 64, False, False), (1, 60, 96, False, False),
    (37, 90, 33, False, False), (37, 150, 33, False, False), (50, 33, 20, True, False),
    (72, 64, 96, False, False),
]


@pytest.mark.parametrize("M,K,N,ta,tb", UNPACKED_ROW_CASES)
def test_gemm_unpacked_tile_rows(isa, rng, M, K, N, ta, tb):
    check_epilogue_and_plain(isa, rng, M, K, N, ta, tb)


def test_gemm_panel_path_new_data_each_call(rng):
    """Each thread packs A once per call and reuses it for its later chunks (Note [A once per
    thread]): a call after another of the same shape, or after a different shape, must pack the
    new A (no stale copy), at 1, 2 and 3 threads."""
    if tf._native._C is None:
        pytest.skip("native CPU module unavailable")
    prev_backend, prev = tf.get_backend(), tf.get_num_threads()
    tf.set_backend("cpu")
    try:
        for t in (1, 2, 3):
            tf.set_num_threads(t)
            for M, K, N, tb in [(64, 512, 1024, False), (128, 256, 784, True), (64, 512, 1024, False),
                                (30, 700, 2000, True)]:
                a, b = make(rng, (M, K)), make(rng, (N, K) if tb else (K, N))
                got = tf.ops.gemm(a, b, trans_b=tb)
                ref, scale = ref_gemm(a, b, tb=tb)
                assert_close(got, ref, scale=scale, n=K, what=f"{t} threads {M}x{K}x{N} tb={tb}")
    finally:
        tf.set_num_threads(prev)
        tf.set_backend(prev_backend)


@pytest.mark.parametrize("M,K,N,ta,tb", [(13, 321, 33, False, False), (73, 300, 100, True, True),
                                         (200, 530, 70, False, True), (5, 3000, 7, False, True),
                                         (30, 20, 17, True, False), (30, 4, 203, True, False),
                                         (9, 8, 64, False, False), (11, 5, 37, False, False)])
def test_dgemm_blocking_edges(isa, rng, M, K, N, ta, tb):
    """float64 runs its own SIMD tiles (12x16 avx512, 6x8 avx2, 4x4 generic): exact fp64."""
    a = make(rng, (K, M) if ta else (M, K), np.float64)
    b = make(rng, (N, K) if tb else (K, N), np.float64)
    c, bias = make(rng, (M, N), np.float64), make(rng, (N,), np.float64)
    ref, scale = ref_gemm(a, b, c, 1.25, 0.5, ta, tb, bias, "relu")
    out = c.copy()
    tf.ops.gemm(a, b, c=out, alpha=1.25, beta=0.5, trans_a=ta, trans_b=tb, bias=bias,
                activation="relu")
    assert out.dtype == np.float64
    assert_close(out, ref, scale=scale, n=K, dtype=np.float64, what=f"[{isa}] dgemm {M}x{K}x{N}")


def test_gemm_negative_strides_and_ldc(isa, rng):
    """Reversed views (negative strides) need no copy; C may be a column window of a wider array."""
    a_big, b_big = make(rng, (150, 90)), make(rng, (90, 140))
    cases = [(a_big[::-1], b_big), (a_big, b_big[::-1, ::-1]), (a_big[::-2, ::-3], b_big[::3][:, 5:])]
    for a, b in cases:
        b = b[: a.shape[1]]
        M, N = a.shape[0], b.shape[1]
        wide = np.full((M, N + 7), 3.0, np.float32)
        c = wide[:, 2: 2 + N]
        c0 = make(rng, (M, N))
        c[...] = c0
        tf.ops.gemm(a, b, c=c, beta=1.0)
        ref, scale = ref_gemm(np.ascontiguousarray(a), np.ascontiguousarray(b), c0, 1.0, 1.0)
        assert_close(c, ref, scale=scale, n=a.shape[1], what=f"[{isa}] strides {a.strides} {b.strides}")
        assert (wide[:, :2] == 3.0).all() and (wide[:, 2 + N:] == 3.0).all(), "wrote outside C"


def test_gemm_alpha_zero_and_bias_relu_with_beta(isa, rng):
    for M, K, N in [(40, 700, 70), (300, 50, 300), (5, 3000, 7)]:
        a, b, c, bias = make(rng, (M, K)), make(rng, (K, N)), make(rng, (M, N)), make(rng, (N,))
        for alpha, beta in [(0.0, 1.0), (0.0, 0.0), (1.5, 2.0)]:
            out = c.copy()
            tf.ops.gemm(a, b, c=out, alpha=alpha, beta=beta, bias=bias, activation="relu")
            ref, scale = ref_gemm(a, b, c, alpha, beta, bias=bias, act="relu")
            assert_close(out, ref, scale=scale, n=K, what=f"[{isa}] alpha={alpha} beta={beta}")


def test_gemm_relu_keeps_nan_every_path(isa, rng):
    """NaN from A must survive relu on the packed, unpacked and dot-product paths."""
    for M, K, N, tb in [(300, 400, 300, False), (30, 50, 60, False), (4, 5000, 6, True)]:
        a, b = make(rng, (M, K)), make(rng, (N, K) if tb else (K, N))
        a[M // 2, K // 3] = np.nan
        got = tf.ops.gemm(a, b, trans_b=tb, bias=np.zeros(N, np.float32), activation="relu")
        assert np.isnan(got[M // 2]).all(), f"[{isa}] {M}x{K}x{N}: relu dropped NaN"
        assert not np.isnan(np.delete(got, M // 2, axis=0)).any()


def test_gemm_thread_counts_agree(rng):
    """1, 2 and 3 threads (M split, N split, split-K) give bit-identical results: every
    reduction is cut by the problem size, never by the thread count (README "Reliability")."""
    if tf._native._C is None:
        pytest.skip("native CPU module unavailable")
    prev_backend, prev = tf.get_backend(), tf.get_num_threads()
    tf.set_backend("cpu")
    try:
        for M, K, N, tb in [(500, 300, 200, False), (30, 400, 2000, False), (6, 20000, 25, True),
                            (90, 350, 5000, True), (40, 1300, 1024, False), (2000, 600, 300, False),
                            (25, 6, 20000, False), (3000, 5, 70, False), (16, 500, 1800, True),
                            (7, 300, 4000, True), (64, 512, 1024, False), (128, 256, 784, True),
                            (131, 1100, 1030, False), (270, 2049, 70, False), (30, 3079, 200, True),
                            (72, 96, 128, False)]:  # unpacked: panel order at 1 thread, tile rows at 2
            a, b = make(rng, (M, K)), make(rng, (N, K) if tb else (K, N))
            outs = []
            for t in (1, 2, 3):
                tf.set_num_threads(t)
                outs.append(tf.ops.gemm(a, b, trans_b=tb))
            ref, scale = ref_gemm(a, b, tb=tb)
            assert_close(outs[0], ref, scale=scale, n=K, what=f"threads {M}x{K}x{N}")
            for t, o in zip((2, 3), outs[1:]):
                assert np.array_equal(o, outs[0]), f"{M}x{K}x{N} at {t} threads: max |diff| {np.abs(o - outs[0]).max()}"
    finally:
        tf.set_num_threads(prev)
        tf.set_backend(prev_backend)


# ---- bad input -------------------------------------------------------------------------------

BAD = [
    (lambda: tf.ops.gemm(np.ones((2, 3), np.int32), np.ones((3, 2), np.float32)), TypeError, "gemm: a must be float32 or float64"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float64)), TypeError, "one dtype"),
    (lambda: tf.ops.gemm(np.ones((2, 3, 1), np.float32), np.ones((3, 2), np.float32)), ValueError, "a must be 2-D"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((4, 2), np.float32)), ValueError, r"inner dimensions differ"),
    (lambda: tf.ops.gemm(np.ones((0, 3), np.float32), np.ones((3, 2), np.float32)), ValueError, "must not be empty"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), beta=1.0), ValueError, "needs c"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), c=np.ones((3, 3), np.float32)), ValueError, r"c must have shape \(2, 2\)"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), bias=np.ones(3, np.float32)), ValueError, "bias must have shape"),
    (lambda: tf.ops.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), activation="gelu"), ValueError, "activation"),
    (lambda: tf.ops.gemm([[1.0]], np.ones((1, 1), np.float32)), TypeError, "a must be an array"),
    (lambda: tf.ops.matmul(np.ones(3, np.float32), np.ones((3, 2), np.float32)), ValueError, "at least 2-D"),
]


@pytest.mark.parametrize("call,exc,msg", BAD)
def test_gemm_bad_input(backend, call, exc, msg):
    if backend == "cuda":
        pytest.skip("bad-input cases use NumPy arrays")
    with pytest.raises(exc, match=msg):
        call()


def test_gemm_readonly_and_strided_c(backend):
    if backend == "cuda":
        pytest.skip("NumPy-specific flags")
    a, b = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    c = np.zeros((2, 2), np.float32)
    c.flags.writeable = False
    with pytest.raises(ValueError, match="c must be writable"):
        tf.ops.gemm(a, b, c=c)
    c = np.zeros((2, 4), np.float32)[:, ::2]
    with pytest.raises(ValueError, match="unit column stride"):
        tf.ops.gemm(a, b, c=c)


def test_native_binding_rejects_bad_input_directly():
    """The binding checks too: calling _C directly with garbage raises, never crashes."""
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    with pytest.raises(TypeError, match="gemm: a must be float32"):
        C.gemm(np.ones((2, 2), np.int64), np.ones((2, 2), np.float32))
    with pytest.raises(TypeError, match="numpy.ndarray"):
        C.gemm("x", np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="inner dimensions"):
        C.gemm(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="must not be empty"):
        C.gemm(np.ones((2, 0), np.float32), np.ones((0, 3), np.float32))
    with pytest.raises(ValueError, match="writable"):
        c = np.zeros((2, 2), np.float32)
        c.flags.writeable = False
        C.gemm(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32), c)
