"""GEMM GFLOP/s: tensorforge vs NumPy (OpenBLAS at its best) and PyTorch, same threads.

Shapes: square n = 64..4096 (4096 in the full run only), and the GEMMs that LeNet / MLP / LSTM
training run (forward and the two transposed backward forms): (M, K, N) = (32, 1800, 500),
(128, 784, 256), (64, 512, 1024), (6, 25, 36864) - the last is LeNet conv1's weight gradient
(C_out x KH*KW*C_in x N*OH*OW).

Timing: the contenders are timed in interleaved rounds (ours, numpy, torch, ours, ...) after a
warm-up, and each reports its best round (the median is printed too). On a machine shared with
other jobs the best round is the least disturbed one, and interleaving makes load changes hit
every contender alike; on a quiet machine best and median agree within a few percent.

With more than one thread each round starts after a pause (SETTLE_S) in which the previous
contender's worker threads go idle: OpenBLAS's server threads spin on a core for ~135 ms after
every call (Zen 1, 2 threads: 48 ms of CPU in the first 50 ms after a 1024^3 matmul, 86 ms in
the next 100, none after), so without the pause every tensorforge round after a NumPy round ran
beside a busy core (square 512 best 63 GFLOP/s, median 37, the pool backing off 21 times in
51 rounds: see bench/RESULTS.md, gemm3). Every side now starts from idle peers, as in
_util.timeit.

After the pause each contender is warmed (WARM_S of untimed calls, at least one) right before
its timed calls, so that every side is timed from the state it keeps while it is being used
back to back, not from waking up: idle threads go to sleep (OpenBLAS's after ~0.1 s, our pool's
helper after TENSORFORGE_SPIN_US), and waking a sleeping thread on a KVM guest can take longer
than a 512^3 product (Zen 5, 2 threads: ours at square 512 read 262 GFLOP/s after a 0.2 s
pause and 448 back to back, NumPy 388-451 after a 0.5-1 s pause or back to back; RESULTS,
session 12 and gemm7). The pause still
keeps the previous contender's spinning threads off the cores; the warm-up runs the contender
that is timed next, so it disturbs no one else's round.

A second table times the batched GEMMs of attention layers (batch x heads slices of
(seq, head dim) products: scores q @ k^T, context probs @ v, and a key gradient q^T @ g read
through a transposed view; few slices against a transposed b) against torch.bmm on the same arrays. NumPy is left out there:
np.matmul makes one OpenBLAS call per slice, like the per-slice loop the batched GEMM replaced
(and at 2 threads on a loaded machine one 256-slice call took seconds)."""
import statistics
import time

import numpy as np

from ._util import table, try_torch


SETTLE_S = 0.2  # > OpenBLAS's ~135 ms spin after a call (see the module docstring)
WARM_S = 0.02  # untimed calls right before each settled round (see the module docstring; at 512^3
# 2 ms of them lifted ours to 229-349 GFLOP/s in three rounds, 20 ms to 384-396: RESULTS, gemm7)


def _warm(fn):
    t_end = time.perf_counter() + WARM_S
    fn()
    while time.perf_counter() < t_end:
        fn()


def interleaved(fns, flop, min_time=0.3, min_rounds=7, max_rounds=200, settle=0.0):
    """Best and median seconds per call of each fn, timed in interleaved rounds, each round
    after `settle` seconds of sleep and WARM_S of untimed calls of that fn (neither counted in
    min_time)."""
    reps = max(1, int(5e7 / flop))  # ~0.5 ms per round at 100 GFLOP/s: timer noise is negligible
    if settle:  # rounds of ~20 ms, and few of them: the sleeps must not dominate the suite
        reps, max_rounds = max(1, int(2e9 / flop)), min(max_rounds, 2 * min_rounds)
    for fn in fns:  # warm-up (page faults, packing buffers, thread pool)
        for _ in range(2):
            fn()
    times = [[] for _ in fns]
    busy = 0.0
    while len(times[0]) < min_rounds or (busy < min_time * len(fns) and len(times[0]) < max_rounds):
        for fn, ts in zip(fns, times):
            if settle:
                time.sleep(settle)
                _warm(fn)
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            dt = time.perf_counter() - t0
            busy += dt
            ts.append(dt / reps)
    return [(min(ts), statistics.median(ts)) for ts in times]

SQUARE = [64, 128, 256, 512, 1024, 2048, 4096]  # issue 15's bar covers n = 256..4096
DL = [("lenet fc", 32, 1800, 500), ("mlp fc", 128, 784, 256), ("lstm", 64, 512, 1024),
      ("conv1 dW", 6, 25, 36864)]


def cases(quick=False):
    """(name, M, K, N, trans_a, trans_b)"""
    out = [(f"square {n}", n, n, n, False, False) for n in (SQUARE[2:5] if quick else SQUARE)]
    for name, M, K, N in DL:
        out.append((f"{name} fwd", M, K, N, False, False))
        if not quick:
            out.append((f"{name} dA", M, N, K, False, True))    # dA = dC @ B^T
            out.append((f"{name} dB", K, M, N, True, False))    # dB = A^T @ dC
    return out


BATCHED = [  # name, slices (batch x heads), M, K, N, a read transposed, b read transposed
    ("attn scores h16", 256, 128, 16, 128, False, False),
    ("attn context h16", 256, 128, 128, 16, False, False),
    ("attn scores h64", 64, 200, 64, 200, False, False),
    ("attn context h64", 64, 200, 200, 64, False, False),
    ("attn dK h64 (q^T g)", 64, 64, 200, 200, True, False),
    # few slices with b a transposed view: one sample's 4 heads (q @ k^T), and recurrent
    # dropout's per-gate dh of LSTM(128) at batch 32 (dG_g @ W_g^T)
    ("attn scores 1x4 (q k^T)", 4, 128, 32, 128, False, True),
    ("lstm gates dh (dG W^T)", 4, 32, 128, 128, False, True),
]


def batched_table(args, torch, rng):
    import tensorforge as tf
    rows = []
    for name, count, M, K, N, ta, tb in (BATCHED[:2] if args.quick else BATCHED):
        a = rng.standard_normal((count, K, M) if ta else (count, M, K)).astype(np.float32)
        A = np.swapaxes(a, 1, 2) if ta else a
        b = rng.standard_normal((count, N, K) if tb else (count, K, N)).astype(np.float32)
        B = np.swapaxes(b, 1, 2) if tb else b
        ours = tf.ops.matmul(A, B)
        for s in range(count):  # float64 BLAS per slice (np.matmul's batched loop is slow)
            ref = A[s].astype(np.float64) @ B[s].astype(np.float64)
            tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A[s]) @ np.abs(B[s]))
            if not (np.abs(ours[s] - ref) <= tol).all():
                raise AssertionError(f"bench gemm {name}: slice {s} does not match the float64 reference")
        flop = 2.0 * count * M * N * K
        fns = [lambda: tf.ops.matmul(A, B)]
        if torch is not None:
            At, Bt = torch.from_numpy(a), torch.from_numpy(b)
            At = At.transpose(1, 2) if ta else At
            Bt = Bt.transpose(1, 2) if tb else Bt
            fns.append(lambda: torch.bmm(At, Bt))
        res = interleaved(fns, flop, min_time=0.1 if args.quick else 0.3,
                          settle=SETTLE_S if args.threads > 1 else 0.0)
        row = [name, f"{count}x{M}x{K}x{N}", flop / res[0][0] / 1e9, flop / res[0][1] / 1e9]
        if torch is not None:
            row += [flop / res[1][0] / 1e9, res[1][0] / res[0][0]]
        rows.append(row)
    cols = ["batched", "slices x MxKxN", "tensorforge GFLOP/s", "(median)"]
    if torch is not None:
        cols += ["torch.bmm GFLOP/s", "vs torch"]
    return table(cols, rows)


def run(args):
    import tensorforge as tf
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = []
    for name, M, K, N, ta, tb in cases(args.quick):
        a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
        b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
        A, B = (a.T if ta else a), (b.T if tb else b)
        ours = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A) @ np.abs(B))
        if not (np.abs(ours - ref) <= tol).all():
            raise AssertionError(f"bench gemm {name}: result does not match the float64 reference")
        flop = 2.0 * M * N * K
        fns = [lambda: tf.ops.gemm(a, b, trans_a=ta, trans_b=tb), lambda: A @ B]
        if torch is not None:
            ta_, tb_ = torch.from_numpy(a), torch.from_numpy(b)
            At, Bt = (ta_.T if ta else ta_), (tb_.T if tb else tb_)
            fns.append(lambda: At @ Bt)
        res = interleaved(fns, flop, min_time=0.1 if args.quick else 0.3,
                          settle=SETTLE_S if args.threads > 1 else 0.0)
        (t_tf, m_tf), (t_np, _) = res[0], res[1]
        row = [name, f"{M}x{K}x{N}", flop / t_tf / 1e9, flop / m_tf / 1e9, flop / t_np / 1e9,
               t_np / t_tf]
        if torch is not None:
            t_pt = res[2][0]
            row += [flop / t_pt / 1e9, t_pt / t_tf]
        rows.append(row)
    cols = ["shape", "MxKxN", "tensorforge GFLOP/s", "(median)", "numpy GFLOP/s", "vs numpy"]
    if torch is not None:
        cols += ["torch GFLOP/s", "vs torch"]
    return table(cols, rows) + "\n\n" + batched_table(args, torch, rng)
