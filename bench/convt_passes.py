"""Per-pass times of the Conv2DTranspose layers of `tensorforge bench conv` against PyTorch CPU.

    PYTHONPATH=python python bench/convt_passes.py [--threads N] [--cpu] [--reps R] [--side S] [names...]

Passes (the kernels a Conv2DTranspose forward+backward runs, Keras layouts, no autograd):
fwd = conv2d_transpose (conv2d's strided backward-data pass), dx = conv2d of the upstream
gradient, dW = conv2d's weight gradient with x and dy swapped, db = the bias sum. PyTorch's
are F.conv_transpose2d, aten.convolution_backward with an output mask (channels_last) and
dy.sum((0, 2, 3)) for db (the masked call for db alone took ~30 ms: not what autograd pays).
Every pass is checked against PyTorch's before timing. Each time is the minimum over R
interleaved repetitions of 3 calls (wall time; --cpu: process CPU time, which at one thread
leaves out the time the OS gave a shared core to other processes). --side ours / torch times one
side only (after the check): at 2 threads PyTorch's OpenMP threads keep spinning after its calls and
take a core from ours when both run in one process (isa7: our unet forward read 2.76 ms beside
them, 1.73-1.87 alone), so run one process per side."""
import argparse
import os
import time

import numpy as np
import torch

import tensorforge as tf
from tensorforge.kernels import conv as K

SHAPES = {  # name: (x shape (N, H, W, C), filters, kernel, stride); 'same' for kernel 4
    "dcgan 7->14": ((64, 7, 7, 128), 64, 4, 2),
    "dcgan 14->28": ((64, 14, 14, 64), 32, 4, 2),
    "unet up 2x2": ((16, 32, 32, 64), 32, 2, 2),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cpu", action="store_true")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--side", choices=("both", "ours", "torch"), default="both")
    a = ap.parse_args()
    tf.set_num_threads(a.threads)
    torch.set_num_threads(a.threads)
    clock = time.process_time if a.cpu else time.perf_counter
    rng = np.random.default_rng(0)
    cb = torch.ops.aten.convolution_backward
    print(f"threads {a.threads}, {'CPU' if a.cpu else 'wall'} ms, min of {a.reps} x 3 calls, "
          f"pid {os.getpid()}")
    print("| layer | pass | ours ms | torch ms | torch / ours |")
    print("|---|---|---|---|---|")
    for name in a.names or SHAPES:
        xs, F, k, s = SHAPES[name]
        pad = "same" if k == 4 else "valid"
        tp = (k - s) // 2 if pad == "same" else 0  # TF 'same' with k = 2s: even split
        N, H, W, C = xs
        OH, OW = H * s, W * s
        x = rng.standard_normal(xs).astype(np.float32)
        w = (rng.standard_normal((k, k, F, C)) * 0.1).astype(np.float32)
        dy = rng.standard_normal((N, OH, OW, F)).astype(np.float32)
        xt = torch.from_numpy(x).permute(0, 3, 1, 2)
        wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
        dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
        conv = ([s, s], [tp, tp], [1, 1], True, [0, 0], 1)
        ours = {
            "fwd": lambda: K.conv2d_transpose(x, w, None, (OH, OW), s, pad),
            "dx": lambda: K.conv2d(dy, w, None, s, pad),
            "dW": lambda: K.conv2d_backward(x, dy, w, s, pad, need_dx=False, need_dw=True,
                                            need_db=False)[1],
            "db": lambda: K.bias_grad_nhwc(dy),
        }
        theirs = {
            "fwd": lambda: torch.nn.functional.conv_transpose2d(xt, wt, None, stride=s, padding=tp),
            "dx": lambda: cb(dyt, xt, wt, None, *conv, [True, False, False])[0],
            "dW": lambda: cb(dyt, xt, wt, [F], *conv, [False, True, False])[1],
            "db": lambda: dyt.sum((0, 2, 3)),
        }
        to_keras = {"fwd": (0, 2, 3, 1), "dx": (0, 2, 3, 1), "dW": (2, 3, 1, 0), "db": (0,)}
        sides = [(k, f) for k, f in (("ours", ours), ("torch", theirs)) if a.side in ("both", k)]
        for p in ours:
            got, want = np.asarray(ours[p](), np.float64), theirs[p]().permute(*to_keras[p]).numpy()
            assert np.abs(got - want).max() <= 1e-4 * max(1.0, np.abs(want).max()), (name, p)
        time.sleep(0.5)  # the check's PyTorch calls: let its OpenMP threads stop spinning
        best = {}
        for _ in range(a.reps):
            for side, fns in sides:
                for p, f in fns.items():
                    t0 = clock()
                    f(), f(), f()
                    t = (clock() - t0) / 3
                    best[side, p] = min(best.get((side, p), t), t)
        for p in ours:
            o, t = best.get(("ours", p), np.nan) * 1e3, best.get(("torch", p), np.nan) * 1e3
            print(f"| {name} | {p} | {o:.2f} | {t:.2f} | {t / o:.3f} |", flush=True)


if __name__ == "__main__":
    main()
