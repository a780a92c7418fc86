"""Every distinct Conv2D layer of a keras.applications model, its forward and backward (dx, dW,
db) ms against PyTorch CPU from the same weights and gradients, 1 thread each side, wall clock
(quiet machine), best of 3 rounds; a row per layer shape with its count in the model, and the
model's totals (count-weighted). PyTorch reads the same NHWC memory as channels_last; its
backward time is its forward+backward minus its forward.

    OMP_NUM_THREADS=1 PYTHONPATH=python python3 bench/conv_app_layers.py ResNet50 --batch 8 --size 96
    ... --winograd-always   # Winograd wherever its multiply count allows (the rule before
                            # Note [Winograd against direct])
"""
import argparse
import collections
import os
import time

import numpy as np


def best_ms(fn, reps, rounds=3):
    fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best * 1e3


def layer_shapes(model_name, batch, size):
    from tensorforge import keras
    m = getattr(keras.applications, model_name)(weights=None, input_shape=(size, size, 3), classes=10)
    shapes = collections.Counter()
    for layer in m.layers:
        if type(layer).__name__ == "Conv2D":
            need_dx = layer.input.shape[-1] != 3  # the stem reads the data: no dx, either side
            shapes[(tuple(layer.input.shape[1:]), tuple(layer.kernel.shape), tuple(layer.strides),
                    layer.padding, need_dx)] += 1
    return shapes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="ResNet50")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--winograd-always", action="store_true")
    args = ap.parse_args()
    import torch
    import tensorforge as tf
    from tensorforge import backend
    from tensorforge.kernels.conv import conv_geometry
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    if args.winograd_always:
        tf._native._C._conv_winograd_always(True)
    fwd, bwd = backend.lookup("conv2d_forward", "cpu"), backend.lookup("conv2d_backward", "cpu")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    tot = collections.Counter()
    print(f"{args.model}, batch {args.batch}, {args.size}x{args.size}, threads {tf.get_num_threads()}: "
          "ms ours / torch, forward and backward")
    shapes = layer_shapes(args.model, args.batch, args.size)
    for (xs, k, st, pad, need_dx), cnt in shapes.items():
        x = rng.standard_normal((args.batch,) + xs).astype(np.float32)
        w = (rng.standard_normal(k) / np.sqrt(np.prod(k[:3]))).astype(np.float32)
        b = np.zeros(k[3], np.float32)
        g = conv_geometry("bench", x.shape, w.shape, st, pad, 1)
        pads, OH, OW = g[:8], g[8], g[9]
        dy = rng.standard_normal((args.batch, OH, OW, k[3])).astype(np.float32)
        xt = torch.from_numpy(x).permute(0, 3, 1, 2)
        wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
        if pad == "same" and (g[2] != g[4] or g[3] != g[5]):  # TF's asymmetric 'same': pad first
            xt = F.pad(xt, (g[3], g[5], g[2], g[4])).contiguous(memory_format=torch.channels_last)
            tpad = (0, 0)
        else:
            tpad = (g[2], g[3]) if pad == "same" else (0, 0)
        with torch.no_grad():  # the result is checked before anything is timed
            yt = F.conv2d(xt, wt, torch.from_numpy(b), stride=st, padding=tpad).permute(0, 2, 3, 1).numpy()
        y = fwd(x, w, b, *pads, None)
        err = np.abs(y - yt).max() / (np.abs(yt).max() + 1e-30)
        assert err < 1e-4, f"{xs} {k}: ours and torch differ by {err:.2e} (relative to max |y|)"
        xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(need_dx)
        wg, bg = wt.detach().clone().requires_grad_(True), torch.zeros(k[3], requires_grad=True)
        dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)

        def t_fwd():
            with torch.no_grad():
                F.conv2d(xt, wt, bg, stride=st, padding=tpad)

        def t_fwdbwd():
            xg.grad = wg.grad = bg.grad = None
            F.conv2d(xg, wg, bg, stride=st, padding=tpad).backward(dyt)

        reps = max(1, int(2e8 / (2 * args.batch * OH * OW * np.prod(k))))
        of = best_ms(lambda: fwd(x, w, b, *pads, None), reps)
        ob = best_ms(lambda: bwd(dy, x, w, *pads, need_dx, True, True), reps)
        pf = best_ms(t_fwd, reps)
        pb = best_ms(t_fwdbwd, reps) - pf
        for key, v in (("ours fwd", of), ("ours bwd", ob), ("torch fwd", pf), ("torch bwd", pb)):
            tot[key] += v * cnt
        print(f"{str(xs):16} k{k[0]}x{k[1]}x{k[2]}x{k[3]:<5} s{st[0]} {pad:5} x{cnt:2}: "
              f"fwd {of:6.2f} / {pf:6.2f}   bwd {ob:6.2f} / {pb:6.2f}")
    print("totals (ms):", ", ".join(f"{key} {v:.1f}" for key, v in tot.items()))


if __name__ == "__main__":
    main()
