"""1-thread SGEMM GFLOP/s per CPU-second, ours vs NumPy: time.thread_time() (the calling thread's
CPU time, so the time the OS gives other jobs on a shared machine is left out), min of 7 repeats.
Both sides run on the calling thread at 1 thread, so this is each kernel's own speed.
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE PYTHONPATH=python \\
      python3 bench/cpu_gemm.py 1024x1024x1024 128x784x256
TENSORFORGE_GEMM_BLOCKING=KC,MC,NC overrides the cache blocking (Note [cache blocking]) for sweeps.
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
    M, K, N = (int(x) for x in spec.split("x"))
    a = rng.standard_normal((M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    ref = a.astype(np.float64) @ b
    assert np.abs(tf.ops.gemm(a, b) - ref).max() <= 1e-4 * K ** 0.5 * 4, spec  # the result check
    flop = 2.0 * M * N * K
    reps = max(1, int(3e8 / flop))
    ours = best(lambda: tf.ops.gemm(a, b), reps)
    npt = best(lambda: a @ b, reps)
    print(f"{spec}: tf {flop / ours / 1e9:6.1f}  np {flop / npt / 1e9:6.1f} GFLOP/s per CPU-s  "
          f"ratio {npt / ours:5.2f}", flush=True)
