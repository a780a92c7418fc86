"""Interleaved in-process A/B of `bench conv`'s "unet up 2x2" row (Keras Conv2DTranspose
16x32x32x64 -> 32 filters, kernel 2, stride 2, forward + backward on autograd Tensors):
base = the general path (kernels/conv_transpose_taps.applies patched off: conv2d's strided
backward-data phase passes + the NumPy bias add), new = Note [kernel == stride transposed conv].

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 bench/convt_stride_eq_kernel_ab.py THREADS REPS

Each rep times one step of each side, the order alternating; prints wall and process-CPU ms.
"""
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.autograd import Tensor
from tensorforge.kernels import conv_transpose_taps as taps


def main():
    threads, reps = int(sys.argv[1]), int(sys.argv[2])
    tf.set_num_threads(threads)
    rng = np.random.default_rng(0)
    layer = L.Conv2DTranspose(filters=32, kernel_size=2, strides=2)
    x = rng.standard_normal((16, 32, 32, 64)).astype(np.float32)
    layer(x[:1])
    layer.set_weights([(rng.standard_normal(w.shape) * 0.1).astype(np.float32)
                       for w in layer.get_weights()])
    dy = rng.standard_normal((16, 64, 64, 32)).astype(np.float32)
    xt = Tensor(x, requires_grad=True)
    applies = {"base": lambda *a: False, "new": taps.applies}

    def step():
        xt.grad = None
        for t in layer.weights:
            t.grad = None
        layer(xt).backward(dy)

    res = {k: ([], []) for k in applies}
    for k in applies:
        taps.applies = applies[k]
        step()
        step()
    for r in range(reps):
        for k in (("base", "new") if r % 2 == 0 else ("new", "base")):
            taps.applies = applies[k]
            w0, c0 = time.perf_counter(), time.process_time()
            step()
            res[k][0].append((time.perf_counter() - w0) * 1e3)
            res[k][1].append((time.process_time() - c0) * 1e3)
    taps.applies = applies["new"]
    for k, (wall, cpu) in res.items():
        print(f"threads {threads} {k:4s} wall min {min(wall):.2f} med {np.median(wall):.2f} | "
              f"cpu min {min(cpu):.2f} med {np.median(cpu):.2f}")


if __name__ == "__main__":
    main()
