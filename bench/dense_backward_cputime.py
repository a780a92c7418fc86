"""CPU time of LeNet's Dense layer (1800 -> 500) at batch 16 and 32, 1 thread: the fused
`_C.dense_backward` (dX, dW, relu mask, db; with and without dw_out) against its two GEMMs
alone and the forward GEMM. Best of 15 rounds of 5 calls each, every variant in each round,
timed by this thread's CPU time (the kernels run on the calling thread at 1 thread). Run once
per build (PYTHONPATH picks it), alternating builds:

  OMP_NUM_THREADS=1 PYTHONPATH=python python3 bench/dense_backward_cputime.py
"""
import time

import numpy as np

import tensorforge as tf
from tensorforge import _native


def main():
    C = _native._C
    tf.set_num_threads(1)
    rng = np.random.default_rng(0)
    for M in (16, 32):
        x = rng.standard_normal((M, 1800)).astype(np.float32)
        w = rng.standard_normal((1800, 500)).astype(np.float32)
        g = rng.standard_normal((M, 500)).astype(np.float32)
        y = np.abs(rng.standard_normal((M, 500))).astype(np.float32)
        dwo, dbo = np.empty((1800, 500), np.float32), np.empty(500, np.float32)
        fns = {"dense_backward": lambda: C.dense_backward(g, x, w, y, True, True, True, None, None),
               "dense_backward(dw_out)": lambda: C.dense_backward(g, x, w, y, True, True, True, dwo, dbo),
               "dX gemm": lambda: tf.ops.gemm(g, w, trans_b=True),
               "dW gemm": lambda: tf.ops.gemm(x, g, trans_a=True),
               "forward gemm": lambda: tf.ops.gemm(x, w)}
        best = {k: float("inf") for k in fns}
        for _ in range(15):
            for k, f in fns.items():
                t = time.thread_time()
                for _ in range(5):
                    f()
                best[k] = min(best[k], (time.thread_time() - t) / 5)
        print(f"batch {M}: " + "  ".join(f"{k} {v * 1e3:.3f} ms" for k, v in best.items()), flush=True)


if __name__ == "__main__":
    main()
