"""Process-CPU-time ms of the `tensorforge bench conv` rows, for A/B runs of two builds on a
shared machine (at one thread, CPU time leaves out the time the OS gave the core to others).

    PYTHONPATH=<tree>/python OMP_NUM_THREADS=1 taskset -c 1 python bench/conv_cpu_ab.py [--reps R] [rows...]

Rows: the conv2d layers of bench/conv.py (fwd = conv2d_forward with the fused relu, f+b = that
and conv2d_backward, dx skipped for LeNet conv1 as there) and the Conv2DTranspose layers of
bench/conv_layers.py (forward then backward of a fixed dy on autograd Tensors, as the bench runs
them; f+b only). Each figure is the minimum over R interleaved repetitions of 3 calls."""
import argparse
import time

import numpy as np

import tensorforge as tf
from tensorforge import backend
from tensorforge.autograd import Tensor
from tensorforge.bench.conv import SHAPES
from tensorforge.bench.conv_layers import LAYERS, _layer
from tensorforge.kernels.conv import conv_geometry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="rows to time (default: all)")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    tf.set_num_threads(1)
    rng = np.random.default_rng(0)
    fns = {}
    f, bw = backend.lookup("conv2d_forward"), backend.lookup("conv2d_backward")
    for name, xs, (KH, KW, CO), padding, need_dx in SHAPES:
        if a.names and name not in a.names:
            continue
        x = rng.standard_normal(xs).astype(np.float32)
        w = (rng.standard_normal((KH, KW, xs[3], CO)) / np.sqrt(KH * KW * xs[3])).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        g = conv_geometry("bench", xs, w.shape, 1, padding, 1)
        dy = rng.standard_normal((xs[0], g[8], g[9], CO)).astype(np.float32)
        fns[name, "fwd"] = lambda x=x, w=w, b=b, g=g: f(x, w, b, *g[:8], "relu")

        def fb(x=x, w=w, b=b, g=g, dy=dy, need_dx=need_dx):
            y = f(x, w, b, *g[:8], "relu")
            bw(dy, x, w, *g[:8], need_dx, True, True, y)
        fns[name, "f+b"] = fb
    for name, kind, xs, kw in LAYERS:
        if kind != "conv2dt" or (a.names and name not in a.names):
            continue
        layer = _layer(kind, kw)
        x = rng.standard_normal(xs).astype(np.float32)
        layer(x[:1])
        layer.set_weights([(rng.standard_normal(w.shape) * 0.1).astype(np.float32) for w in layer.get_weights()])
        dy = rng.standard_normal(layer(x).shape).astype(np.float32)
        xt = Tensor(x, requires_grad=True)

        def ours(layer=layer, xt=xt, dy=dy):
            xt.grad = None
            for t in layer.weights:
                t.grad = None
            layer(xt).backward(dy)
        fns[name, "f+b"] = ours
    best = {}
    for _ in range(a.reps):
        for k, fn in fns.items():
            t0 = time.process_time()
            fn(), fn(), fn()
            t = (time.process_time() - t0) / 3
            best[k] = min(best.get(k, t), t)
    for (name, p), t in best.items():
        print(f"| {name} | {p} | {t * 1e3:.2f} |", flush=True)


if __name__ == "__main__":
    main()
