"""Per-phase 1-thread wall times of our conv kernels vs PyTorch CPU (channels_last), interleaved.

    taskset -c 1 env PYTHONPATH=python python bench/conv_phases.py [--reps 15] [--direct] [shape names...]

Phases: fwd (conv + bias + relu), dx, dw+db (fused relu mask in both), fwd+bwd (what
`bench conv` times). Torch's phases use aten.convolution_backward with an output mask. Every
result is checked against float64 first. Times are the minimum over interleaved repetitions."""
import sys
import time

import numpy as np
import torch

import tensorforge as tf
from conv_pool_cputime import torch_twin  # bench/ is sys.path[0] when run as a script
from tensorforge import _native
from tensorforge import reference as R

C = _native._C
F = torch.nn.functional
SHAPES = {  # name: (N, H, C_in, K, C_out, pad, needs dx)
    "conv1": (64, 28, 1, 5, 20, 0, False), "conv2": (64, 12, 20, 5, 50, 2, True),
    "ag5": (16, 19, 48, 5, 192, 2, True), "ag3": (16, 19, 192, 3, 192, 1, True),
    "resnet": (32, 56, 64, 3, 64, 1, True)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reps = 15
    if "--reps" in sys.argv:
        reps = int(sys.argv[sys.argv.index("--reps") + 1])
        args.remove(str(reps))
    if "--direct" in sys.argv:  # the direct kernels only (Note [Winograd] off)
        C._conv_winograd(False)
    tf.set_num_threads(1)
    torch.set_num_threads(1)
    print(f"| shape | ours fwd | torch fwd | ours dx | torch dx | ours dw+db | torch dw+db | ours f+b | torch f+b | f+b torch/ours |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args or SHAPES:
        N, H, CI, K, CO, p, ndx = SHAPES[name]
        rng = np.random.default_rng(0)
        x = rng.standard_normal((N, H, H, CI)).astype(np.float32)
        w = (rng.standard_normal((K, K, CI, CO)) / np.sqrt(K * K * CI)).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        OH = H + 2 * p - K + 1
        dy = rng.standard_normal((N, OH, OH, CO)).astype(np.float32)
        a = (1, 1, p, p, p, p, 1, 1)
        y = C.conv2d_forward(x, w, b, *a, "relu")
        # check: fused-relu backward against float64
        yr = R.conv2d_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), *a, "relu")
        assert np.abs(y - yr).max() < 1e-3 * (1 + np.abs(yr).max()), name
        m64 = dy.astype(np.float64) * (y > 0)
        got = C.conv2d_backward(dy, x, w, *a, True, True, True, y)
        want = R.conv2d_backward(m64, x.astype(np.float64), w.astype(np.float64), *a, True, True, True)
        for g_, w_ in zip(got, want):
            assert np.abs(g_ - w_).max() < 1e-3 * (1 + np.abs(w_).max()), name
        xt, wt, bt, xg, wg, bg, dyt = torch_twin(x, w, b, dy, ndx)
        yt = torch.from_numpy(y).permute(0, 3, 1, 2)
        gmask = (dyt * (yt > 0)).contiguous(memory_format=torch.channels_last)
        cb = torch.ops.aten.convolution_backward

        fns = {
            "of": lambda: C.conv2d_forward(x, w, b, *a, "relu"),
            "pf": lambda: F.relu(F.conv2d(xt, wt, bt, padding=p)),
            "odx": lambda: C.conv2d_backward(dy, x, w, *a, True, False, False, y),
            "pdx": lambda: cb(gmask, xt, wt, [CO], [1, 1], [p, p], [1, 1], False, [0, 0], 1, [True, False, False]),
            "odw": lambda: C.conv2d_backward(dy, x, w, *a, False, True, True, y),
            "pdw": lambda: cb(gmask, xt, wt, [CO], [1, 1], [p, p], [1, 1], False, [0, 0], 1, [False, True, True]),
        }

        def ofb():
            yy = C.conv2d_forward(x, w, b, *a, "relu")
            C.conv2d_backward(dy, x, w, *a, ndx, True, True, yy)

        def pfb():
            xg.grad = wg.grad = bg.grad = None
            F.relu(F.conv2d(xg, wg, bg, padding=p)).backward(dyt)
        fns["ofb"], fns["pfb"] = ofb, pfb
        best = {k: 1e9 for k in fns}
        with torch.no_grad():
            for k, f in fns.items():
                if k not in ("ofb", "pfb"):
                    f(); f()
        ofb(); pfb(); ofb(); pfb()
        for _ in range(reps):
            for k, f in fns.items():
                if k in ("ofb", "pfb"):
                    t0 = time.perf_counter(); f(); t = time.perf_counter() - t0
                else:
                    with torch.no_grad():
                        t0 = time.perf_counter(); f(); t = time.perf_counter() - t0
                best[k] = min(best[k], t * 1e3)
        v = best
        print(f"| {name} | {v['of']:.3f} | {v['pf']:.3f} | {v['odx']:.3f} | {v['pdx']:.3f} | {v['odw']:.3f} | "
              f"{v['pdw']:.3f} | {v['ofb']:.3f} | {v['pfb']:.3f} | {v['pfb'] / v['ofb']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
