"""Batched matmul (gemm_batched: csrc/cpu/gemm.cpp's sgemm_batched, reference np.matmul) against a
float64 NumPy reference: randomized batch and matrix shapes with edges (batch 1, M/N/K = 1, odd
sizes), np.matmul's broadcasting, transposed and non-contiguous views, every backend and ISA,
bit-identical results at every thread count, gradients by finite differences, bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor
from tensorforge.ops import basic as B
from tfhelpers import assert_close, assert_grad_close, numeric_grad, on_backend

SIZES = [1, 2, 3, 5, 7, 13, 16, 17, 31, 33, 64, 65, 97]
BATCHES = [((1,), (1,)), ((3,), (3,)), ((2, 3), (2, 3)), ((4,), ()), ((), (5,)), ((2, 1), (1, 3)),
           ((1, 4), (3, 1)), ((17,), (17,)), ((2, 1, 3), (1, 4, 1)), ((6, 5), (5,))]


def make(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def ref(a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return np.matmul(a64, b64), np.matmul(np.abs(a64), np.abs(b64))


def operand(rng, batch, rows, cols, layout):
    """A (batch..., rows, cols) operand stored as: 'c' contiguous, 't' the transpose of a
    contiguous (cols, rows) array (swapaxes view), 's' every other column of a wider array,
    'r' rows reversed (negative stride)."""
    if layout == "t":
        return np.swapaxes(make(rng, batch + (cols, rows)), -1, -2)
    if layout == "s":
        return make(rng, batch + (rows, 2 * cols))[..., ::2]
    if layout == "r":
        return make(rng, batch + (rows, cols))[..., ::-1, :]
    return make(rng, batch + (rows, cols))


def test_gemm_batched_random_shapes(backend, rng):
    layouts = "ctsr"
    for trial in range(40):
        ba, bb = BATCHES[trial % len(BATCHES)]
        M, N, K = (int(rng.choice(SIZES)) for _ in range(3))
        if trial < 4:  # the corners: all ones, and 1 in each dimension
            M, N, K = [(1, 1, 1), (1, 9, 7), (9, 1, 7), (9, 7, 1)][trial]
        la, lb = layouts[trial % 4], layouts[(trial // 4) % 4]
        a, b = operand(rng, ba, M, K, la), operand(rng, bb, K, N, lb)
        if a.ndim < 2 or b.ndim < 2:
            continue
        got = tf.ops.matmul(on_backend(a, backend), on_backend(b, backend))
        want, scale = ref(a, b)
        assert_close(got, want, scale=scale, n=K,
                     what=f"matmul {a.shape}{la} @ {b.shape}{lb} [{backend}]")


# count (batch x heads), M, K, N around the kernel's cut-offs (Note [batched GEMM]): fewer than
# 16 slices are cut into row blocks unless a slice has >= 128^3 multiply-adds; the attention
# shapes; one slice; slices of one row; many tiny slices (grouped into chunks).
KERNEL_CASES = [(1, 130, 70, 90), (15, 40, 16, 33), (16, 40, 16, 33), (17, 7, 5, 3), (3, 128, 128, 128),
                (3, 127, 128, 128), (2, 300, 40, 200), (64, 128, 16, 128), (64, 128, 128, 16),
                (40, 1, 200, 1), (5, 1, 3000, 7), (4, 13, 700, 9), (700, 3, 4, 5)]


@pytest.mark.parametrize("count,M,K,N", KERNEL_CASES)
def test_gemm_batched_isa_paths(isa, rng, count, M, K, N):
    a, b = make(rng, (count, M, K)), make(rng, (count, K, N))
    for x, y, what in [(a, b, "contiguous"),
                       (np.swapaxes(np.ascontiguousarray(np.swapaxes(a, 1, 2)), 1, 2),
                        np.swapaxes(np.ascontiguousarray(np.swapaxes(b, 1, 2)), 1, 2), "transposed")]:
        got = tf.ops.matmul(x, y)
        want, scale = ref(x, y)
        assert_close(got, want, scale=scale, n=K, what=f"[{isa}] {count}x{M}x{K}x{N} {what}")
    d = tf.ops.matmul(a.astype(np.float64), b.astype(np.float64))
    assert d.dtype == np.float64
    assert_close(d, ref(a, b)[0], scale=ref(a, b)[1], n=K, dtype=np.float64, what=f"[{isa}] fp64")


def test_attention_head_views_read_in_place(isa, rng):
    """(B, T, H, D) projections seen as (B, H, T, D): two batch levels, no copy needed."""
    q, k = make(rng, (3, 11, 4, 8)), make(rng, (3, 13, 4, 8))
    qv, kv = q.transpose(0, 2, 1, 3), k.transpose(0, 2, 3, 1)
    got = tf.ops.matmul(qv, kv)
    assert got.shape == (3, 4, 11, 13)
    want, scale = ref(qv, kv)
    assert_close(got, want, scale=scale, n=8, what=f"[{isa}] q @ k^T per head")


def test_gemm_batched_thread_counts_agree_and_match_gemm(rng):
    """Bit-identical at 1, 2 and 3 threads (the row blocks are cut by the shapes and strides
    alone); with 16 or more slices, or big ones, each slice equals the plain GEMM of that slice.
    b also as a transposed view (columns contiguous along K), whose slices are split only into
    blocks of more than 16 rows."""
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    prev = tf.get_num_threads()
    try:
        for count, M, K, N, bt in [(3, 90, 50, 70, False), (20, 64, 16, 100, False),
                                   (2, 200, 150, 130, False), (7, 33, 300, 5, False),
                                   (900, 4, 4, 4, False), (4, 32, 128, 128, True),
                                   (2, 128, 32, 128, True), (3, 90, 50, 70, True)]:
            a = make(rng, (count, M, K))
            b = make(rng, (count, N, K)).transpose(0, 2, 1) if bt else make(rng, (count, K, N))
            outs = []
            for t in (1, 2, 3):
                tf.set_num_threads(t)
                outs.append(C.gemm_batched(a, b))
            for t, o in zip((2, 3), outs[1:]):
                assert np.array_equal(o, outs[0]), f"{count}x{M}x{K}x{N} differs at {t} threads"
            if count >= 16 or 2 * M * N * K >= 2 * 128 ** 3:
                for s in range(count):
                    assert np.array_equal(outs[0][s], C.gemm(a[s], b[s])), f"slice {s} != gemm"
    finally:
        tf.set_num_threads(prev)


GRAD_CASES = [((2, 3, 4, 5), (2, 3, 5, 2)), ((2, 1, 4, 5), (3, 5, 2)), ((3, 4, 5), (5, 2)),
              ((4, 5), (3, 5, 2)), ((1, 1, 3), (2, 3, 1))]


@pytest.mark.parametrize("sa,sb", GRAD_CASES)
def test_matmul_gradients_finite_differences(backend, rng, sa, sb):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    R = rng.standard_normal(np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sb[-1]))
    ta = Tensor(on_backend(a.astype(np.float32), backend), requires_grad=True)
    tb = Tensor(on_backend(b.astype(np.float32), backend), requires_grad=True)
    (B.matmul(ta, tb) * on_backend(R.astype(np.float32), backend)).sum().backward()
    assert_grad_close(ta.grad, numeric_grad(lambda: float((np.matmul(a, b) * R).sum()), a),
                      what=f"d/da {sa} @ {sb}")
    assert_grad_close(tb.grad, numeric_grad(lambda: float((np.matmul(a, b) * R).sum()), b),
                      what=f"d/db {sa} @ {sb}")


def test_matmul_gradients_through_transposed_views(rng):
    """The attention pattern: both operands are transposes of Tensors; gradients flow back
    through the views (cpu backend and the numpy reference agree)."""
    q, k = rng.standard_normal((2, 6, 3, 4)), rng.standard_normal((2, 5, 3, 4))
    R = rng.standard_normal((2, 3, 6, 5))

    def f():
        return float((np.matmul(q.transpose(0, 2, 1, 3), k.transpose(0, 2, 3, 1)) * R).sum())
    tq = Tensor(q.astype(np.float32), requires_grad=True)
    tk = Tensor(k.astype(np.float32), requires_grad=True)
    s = B.matmul(B.transpose(tq, (0, 2, 1, 3)), B.transpose(tk, (0, 2, 3, 1)))
    (s * R.astype(np.float32)).sum().backward()
    assert_grad_close(tq.grad, numeric_grad(f, q), what="dq")
    assert_grad_close(tk.grad, numeric_grad(f, k), what="dk")


f32 = np.float32
BAD = [
    (lambda: tf.ops.matmul(np.ones((2, 2, 3), f32), np.ones((3, 3, 2), f32)), ValueError,
     r"matmul: batch dimensions do not broadcast: a \(2, 2, 3\), b \(3, 3, 2\)"),
    (lambda: tf.ops.matmul(np.ones((2, 3, 4), f32), np.ones((2, 3, 4), f32)), ValueError,
     r"matmul: inner dimensions differ: a \(2, 3, 4\), b \(2, 3, 4\)"),
    (lambda: tf.ops.matmul(np.ones((2, 3, 4), f32), np.ones((2, 4, 1), np.float64)), TypeError, "matmul: .*one dtype"),
    (lambda: tf.ops.matmul(np.ones((2, 3, 4), np.int32), np.ones((2, 4, 1), f32)), TypeError, "matmul: a must be float32"),
    (lambda: tf.ops.matmul(np.ones((2, 0, 4), f32), np.ones((2, 4, 1), f32)), ValueError, "matmul: a must not be empty"),
    (lambda: tf.ops.matmul(np.ones((2, 3, 4), f32), np.ones(4, f32)), ValueError, "matmul: a and b must be at least 2-D"),
    (lambda: B.matmul(Tensor(np.ones((2, 3, 4), f32)), Tensor(np.ones((3, 4, 2), f32))), ValueError, "matmul: batch dimensions"),
]


@pytest.mark.parametrize("call,exc,msg", BAD)
def test_matmul_bad_input(backend, call, exc, msg):
    if backend == "cuda":
        pytest.skip("bad-input cases use NumPy arrays")
    with pytest.raises(exc, match=msg):
        call()


def test_native_gemm_batched_rejects_bad_input_directly():
    C = tf._native._C
    if C is None:
        pytest.skip("native CPU module unavailable")
    cases = [
        ((np.ones((2, 3), f32), np.ones(3, f32)), ValueError, r"gemm_batched: a and b must be at least 2-D .* \(3,\)"),
        ((np.ones((2, 2, 3), f32), np.ones((3, 3, 2), f32)), ValueError, "gemm_batched: batch dimensions do not broadcast"),
        ((np.ones((2, 3, 4), f32), np.ones((2, 3, 4), f32)), ValueError, r"gemm_batched: inner dimensions differ: a is \(2, 3, 4\)"),
        ((np.ones((2, 3), f32), np.ones((2, 3, 2), np.float64)), TypeError, r"gemm_batched: b must be float32, got float64"),
        ((np.ones((0, 3, 4), f32), np.ones((4, 2), f32)), ValueError, "gemm_batched: a must not be empty"),
        (("x", np.ones((2, 2), f32)), TypeError, "gemm_batched: a must be a numpy.ndarray"),
    ]
    for args, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            C.gemm_batched(*args)
    # a byte stride that is not a multiple of the item size
    rec = np.zeros((2, 3, 3), dtype=[("x", f32), ("y", np.int8)])["x"]
    with pytest.raises(ValueError, match="gemm_batched: a has a byte stride"):
        C.gemm_batched(rec, np.ones((2, 3, 2), f32))
