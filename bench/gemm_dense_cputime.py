"""GEMM GFLOP/s per CPU-second of the Dense / DL shapes, tensorforge vs NumPy, interleaved.

The shapes of `tensorforge bench gemm`'s DL list (LeNet fc 32x1800x500, MLP fc 128x784x256,
LSTM 64x512x1024, LeNet conv1 6x25x36864: forward, dA = dC B^T, dB = A^T dC), LeNet's Dense
layer at a batch of 16 (forward x W, dX = dY W^T, dW = x^T dY), the shapes a 2-rank LeNet step
of 16 images runs, and the squares 1024 / 2048 (sq1024, sq2048). With no shape named, the DL
and batch-16 rows run (not the squares).
With T=1 (the default) both sides run on the calling thread and CPU=1 times them by that
thread's CPU time (time.thread_time), which on a shared machine leaves out the time the thread
waited for a core (not cache pollution by the neighbours). Each row: best and median round of
`bench gemm`'s interleaved timing. Run it once per build to compare (PYTHONPATH picks the
build), alternating builds:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 CPU=1 \\
      PYTHONPATH=python python3 bench/gemm_dense_cputime.py [shape ...]
"""
import os
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge.bench import gemm as G

SHAPES = {  # name: (M, K, N, trans_a, trans_b)
    "lenet_fc_fwd": (32, 1800, 500, 0, 0), "lenet_fc_dA": (32, 500, 1800, 0, 1),
    "lenet_fc_dB": (1800, 32, 500, 1, 0),
    "mlp_fc_fwd": (128, 784, 256, 0, 0), "mlp_fc_dA": (128, 256, 784, 0, 1),
    "mlp_fc_dB": (784, 128, 256, 1, 0),
    "lstm_fwd": (64, 512, 1024, 0, 0), "lstm_dA": (64, 1024, 512, 0, 1),
    "lstm_dB": (512, 64, 1024, 1, 0),
    "b16_fwd": (16, 1800, 500, 0, 0), "b16_dX": (16, 500, 1800, 0, 1),
    "b16_dW": (1800, 16, 500, 1, 0),
    "conv1_fwd": (6, 25, 36864, 0, 0), "conv1_dA": (6, 36864, 25, 0, 1),
    "conv1_dB": (25, 6, 36864, 1, 0),
    "sq1024": (1024, 1024, 1024, 0, 0), "sq2048": (2048, 2048, 2048, 0, 0),
}


def main(names):
    threads = int(os.environ.get("T", "1"))
    tf.set_num_threads(threads)
    if os.environ.get("CPU") == "1":
        G.time.perf_counter = time.thread_time  # bench gemm's timer, this module only
    rng = np.random.default_rng(0)
    for name in names or [n for n in SHAPES if not n.startswith("sq")]:
        M, K, N, ta, tb = SHAPES[name]
        a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
        b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
        A, B = (a.T if ta else a), (b.T if tb else b)
        ours = tf.ops.gemm(a, b, trans_a=bool(ta), trans_b=bool(tb))
        ref = A.astype(np.float64) @ B.astype(np.float64)
        tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A) @ np.abs(B))
        assert (np.abs(ours - ref) <= tol).all(), f"{name}: result does not match float64"
        flop = 2.0 * M * N * K
        (t0, m0), (t1, m1) = G.interleaved(
            [lambda: tf.ops.gemm(a, b, trans_a=bool(ta), trans_b=bool(tb)), lambda: A @ B], flop,
            min_time=0.3, settle=G.SETTLE_S if threads > 1 else 0.0)
        print(f"{name:13s} {M}x{K}x{N}  ours {flop / t0 / 1e9:5.1f} (median {flop / m0 / 1e9:5.1f})"
              f"  numpy {flop / t1 / 1e9:5.1f} (median {flop / m1 / 1e9:5.1f})"
              f"  ours/numpy {t1 / t0:.3f} (median {m1 / m0:.3f})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
