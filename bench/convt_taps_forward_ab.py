"""Conv2DTranspose kernel == stride (bench conv's "unet up 2x2": x 16x32x32x64, w 2x2x32x64,
bias) forward alone, or the Keras layer's step, for a cross-tree A/B (small7): run it under each
tree's PYTHONPATH, alternating processes.

    PYTHONPATH=<tree>/python chrt -f 10 python3 bench/convt_taps_forward_ab.py THREADS TAG [--layer]

Checks the forward against float64 sums first, then prints wall median / min and process CPU
median ms of 40 forwards; --layer: also 30 steps of the Layer (forward + backward) and its
forward / backward passes alone.
"""
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge.kernels import conv as KC


def _time(f, reps):
    f()
    f()
    ws, cs = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        f()
        ws.append((time.perf_counter() - w0) * 1e3)
        cs.append((time.process_time() - c0) * 1e3)
    return f"wall med {np.median(ws):.3f} min {min(ws):.3f} | cpu med {np.median(cs):.3f} ms"


def main():
    threads, tag = int(sys.argv[1]), sys.argv[2]
    tf.set_num_threads(threads)
    rng = np.random.default_rng(0)
    N, H, W, Co, KH, KW, Ci = 16, 32, 32, 64, 2, 2, 32
    x = rng.standard_normal((N, H, W, Co)).astype(np.float32)
    w = rng.standard_normal((KH, KW, Ci, Co)).astype(np.float32)
    b = rng.standard_normal(Ci).astype(np.float32)
    y = KC.conv2d_transpose(x, w, b, (H * KH, W * KW), (KH, KW), "valid")
    ref = np.einsum("nhwo,abio->nhawbi", x.astype(np.float64), w.astype(np.float64))
    err = np.abs(y - (ref.reshape(y.shape) + b)).max()
    assert err < 1e-3, f"forward differs from float64 by {err}"
    print(f"{tag} t{threads} forward  {_time(lambda: KC.conv2d_transpose(x, w, b, (64, 64), 2, 'valid'), 40)}")
    if "--layer" in sys.argv:
        from tensorforge import layers as L
        from tensorforge.autograd import Tensor
        layer = L.Conv2DTranspose(filters=Ci, kernel_size=2, strides=2)
        layer(x[:1])
        layer.set_weights([(rng.standard_normal(v.shape) * 0.1).astype(np.float32)
                           for v in layer.get_weights()])
        dy = rng.standard_normal((N, H * KH, W * KW, Ci)).astype(np.float32)
        xt = Tensor(x, requires_grad=True)

        def step():
            xt.grad = None
            for t in layer.weights:
                t.grad = None
            layer(xt).backward(dy)
        print(f"{tag} t{threads} step     {_time(step, 30)}")
        print(f"{tag} t{threads} backward {_time(lambda: KC.conv2d_transpose_backward(dy, x, w, 2, 'valid'), 30)}")


if __name__ == "__main__":
    main()
