"""MultiHeadAttention forward+backward with batched matmul as one native batched GEMM (this tree's
kernels.matmul -> _C.gemm_batched) against the per-slice loop it replaced (one _C.gemm per
batch x head slice from Python, operands copied contiguous first), in one process, alternating.

  PYTHONPATH=python python3 bench/attention_ab.py [threads]

Prints the best CPU time (process_time: all threads) and wall time of a step over 9 steps per side.
CPU time is the steadier figure on a shared machine; both are noisy there."""
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge import kernels, layers

_kg = sys.modules["tensorforge.kernels.gemm"]


def per_slice_matmul(a, b):
    """kernels.matmul before the batched GEMM: a Python loop of one GEMM per slice."""
    if b.ndim == 2:
        return _kg.gemm(np.ascontiguousarray(a).reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
    a3, b3 = a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:])
    out = np.empty((a3.shape[0], a.shape[-2], b.shape[-1]), dtype=a.dtype)
    for i in range(a3.shape[0]):
        _kg.gemm(a3[i], b3[i], c=out[i])
    return out.reshape(a.shape[:-2] + out.shape[-2:])


def main(threads):
    tf.set_num_threads(threads)
    batched = kernels.matmul
    rng = np.random.default_rng(0)
    print(f"threads {threads}; best of 9 steps per side (cpu = process time of all threads)")
    for bsz, T, D, H, dk in [(64, 128, 64, 4, 16), (32, 200, 128, 4, 64), (64, 64, 64, 8, 8)]:
        mha = layers.MultiHeadAttention(num_heads=H, key_dim=dk)
        x = tf.Tensor(rng.standard_normal((bsz, T, D)).astype(np.float32), requires_grad=True)

        def step():
            y = mha(x, x)
            y.sum().backward()
        res = {}
        try:
            for name, mm in [("per-slice loop", per_slice_matmul), ("batched GEMM", batched)] * 3:
                kernels.matmul = mm
                step()
                for _ in range(3):
                    c0, w0 = time.process_time(), time.perf_counter()
                    step()
                    res.setdefault(name, []).append((time.process_time() - c0, time.perf_counter() - w0))
        finally:
            kernels.matmul = batched
        cells = [f"{n}: cpu {min(t[0] for t in v) * 1e3:.1f} ms, wall {min(t[1] for t in v) * 1e3:.1f} ms"
                 for n, v in res.items()]
        print(f"MHA batch {bsz} seq {T} dim {D} heads {H} key_dim {dk}: " + "; ".join(cells))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
