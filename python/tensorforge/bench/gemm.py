"""GEMM GFLOP/s: tensorforge vs NumPy (OpenBLAS at its best) and PyTorch, same threads.

Shapes: square n = 64..2048, and the GEMMs that LeNet / MLP / LSTM training run (forward and the
two transposed backward forms): (M, K, N) = (32, 1800, 500), (128, 784, 256), (64, 512, 1024),
(6, 25, 36864) - the last is LeNet conv1's weight gradient (C_out x KH*KW*C_in x N*OH*OW).

Timing: the contenders are timed in interleaved rounds (ours, numpy, torch, ours, ...) after a
warm-up, and each reports its best round (the median is printed too). On a machine shared with
other jobs the best round is the least disturbed one, and interleaving makes load changes hit
every contender alike; on a quiet machine best and median agree within a few percent."""
import statistics
import time

import numpy as np

from ._util import table, try_torch


def interleaved(fns, flop, min_time=0.3, min_rounds=7, max_rounds=200):
    """Best and median seconds per call of each fn, timed in interleaved rounds."""
    reps = max(1, int(5e7 / flop))  # ~0.5 ms per round at 100 GFLOP/s: timer noise is negligible
    for fn in fns:  # warm-up (page faults, packing buffers, thread pool)
        for _ in range(2):
            fn()
    times = [[] for _ in fns]
    start = time.perf_counter()
    while len(times[0]) < min_rounds or (time.perf_counter() - start < min_time * len(fns)
                                         and len(times[0]) < max_rounds):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            ts.append((time.perf_counter() - t0) / reps)
    return [(min(ts), statistics.median(ts)) for ts in times]

SQUARE = [64, 128, 256, 512, 1024, 2048]
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
        res = interleaved(fns, flop, min_time=0.1 if args.quick else 0.3)
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
    return table(cols, rows)
