"""1-thread SGEMM GFLOP/s per CPU-second, ours vs NumPy: time.thread_time() (the calling thread's
CPU time, so the time the OS gives other jobs on a shared machine is left out), min of 7 repeats.
Both sides run on the calling thread at 1 thread, so this is each kernel's own speed.
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE PYTHONPATH=python \\
      python3 bench/cpu_gemm.py 1024x1024x1024 128x784x256
A shape MxKxNxTAxTB (e.g. 32x500x1800x0x1) times op(A) = a.T / op(B) = b.T where TA / TB is 1,
as the backward GEMMs call it. TENSORFORGE_GEMM_BLOCKING=KC,MC,NC overrides the cache blocking
(Note [cache blocking]) for sweeps.
"""
import sys
import time

import numpy as np

import tensorforge as tf

tf.set_backend("cpu")
tf.set_num_threads(1)
rng = np.random.default_rng(0)


def best(fn, reps, n=7):
    fn()
    out = float("inf")
    for _ in range(n):
        s = time.thread_time()
        for _ in range(reps):
            fn()
        out = min(out, (time.thread_time() - s) / reps)
    return out


for spec in sys.argv[1:] or ["1024x1024x1024"]:
    dims = [int(x) for x in spec.split("x")]
    M, K, N = dims[:3]
    ta, tb = (bool(dims[3]), bool(dims[4])) if len(dims) == 5 else (False, False)
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    A, B = (a.T if ta else a), (b.T if tb else b)
    ref = A.astype(np.float64) @ B

    def ours():
        return tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)

    assert np.abs(ours() - ref).max() <= 1e-4 * K ** 0.5 * 4, spec  # the result check
    flop = 2.0 * M * N * K
    reps = max(1, int(3e8 / flop))
    t_ours = best(ours, reps)
    npt = best(lambda: A @ B, reps)
    print(f"{spec}: tf {flop / t_ours / 1e9:6.1f}  np {flop / npt / 1e9:6.1f} GFLOP/s per CPU-s  "
          f"ratio {npt / t_ours:5.2f}", flush=True)
