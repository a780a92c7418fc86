"""How long NumPy's OpenBLAS server threads keep a core busy after a multithreaded matmul: the
process's CPU time while the calling thread sleeps (bench gemm's SETTLE_S must outlast it).
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 env -u OPENBLAS_CORETYPE python3 bench/openblas_spin.py
"""
import time

import numpy as np

a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
a @ a
for _ in range(3):
    a @ a
    t0 = time.process_time()
    time.sleep(0.05)
    t1 = time.process_time()
    time.sleep(0.10)
    t2 = time.process_time()
    time.sleep(0.20)
    t3 = time.process_time()
    print(f"CPU while idle after a matmul: 0-50 ms {1e3 * (t1 - t0):.0f} ms, "
          f"50-150 ms {1e3 * (t2 - t1):.0f} ms, 150-350 ms {1e3 * (t3 - t2):.0f} ms")
