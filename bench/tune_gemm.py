"""Quick best-of-N timing of tensorforge sgemm vs NumPy on a loaded machine (min is robust to
contention); used to pick blocking / paths. Run via the bench re-exec so OpenBLAS is at its best:
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE PYTHONPATH=python python bench/tune_gemm.py
"""
import sys
import time

import numpy as np

import tensorforge as tf

tf.set_backend("cpu")
SHAPES = [(512, 512, 512, 0, 0), (1024, 1024, 1024, 0, 0), (2048, 2048, 2048, 0, 0),
          (32, 1800, 500, 0, 0), (32, 500, 1800, 0, 1), (1800, 32, 500, 1, 0),
          (128, 784, 256, 0, 0), (128, 256, 784, 0, 1), (784, 128, 256, 1, 0),
          (64, 512, 1024, 0, 0), (64, 1024, 512, 0, 1), (512, 64, 1024, 1, 0),
          (6, 25, 36864, 0, 0), (6, 36864, 25, 0, 1), (25, 6, 36864, 1, 0)]
if len(sys.argv) > 1:
    SHAPES = [tuple(int(x) for x in s.split("x")) + (0, 0) if s.count("x") == 2 else tuple(int(x) for x in s.split("x")) for s in sys.argv[1:]]
rng = np.random.default_rng(0)


def best(fn, budget=0.4, reps=3):
    fn()
    n, t0 = 0, time.perf_counter()
    out = float("inf")
    while n < 5 or time.perf_counter() - t0 < budget:
        s = time.perf_counter()
        for _ in range(reps):
            fn()
        out = min(out, (time.perf_counter() - s) / reps)
        n += 1
    return out


for M, K, N, ta, tb in SHAPES:
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    A, B = (a.T if ta else a), (b.T if tb else b)
    ref = A.astype(np.float64) @ B
    got = tf.ops.gemm(a, b, trans_a=bool(ta), trans_b=bool(tb))
    assert np.abs(got - ref).max() <= 1e-4 * K ** 0.5 * 4, (M, K, N)
    flop = 2.0 * M * N * K
    reps = max(1, int(2e8 / flop))
    ours = best(lambda: tf.ops.gemm(a, b, trans_a=bool(ta), trans_b=bool(tb)), reps=reps)
    npt = best(lambda: A @ B, reps=reps)
    print(f"{M}x{K}x{N} ta={ta} tb={tb}: tf {flop/ours/1e9:7.1f}  np {flop/npt/1e9:7.1f}  ratio {npt/ours:5.2f}", flush=True)
