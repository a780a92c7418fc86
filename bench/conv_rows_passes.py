"""dw6 (issue 15): the MobileNet depthwise and UpSampling2D rows of `tensorforge bench conv`, pass
by pass, ours against PyTorch CPU (channels_last), at 1 and 2 threads: median wall ms and process
CPU ms per call, so that CPU / wall tells whether a second thread worked in the pass.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 bench/conv_rows_passes.py \
        [--threads 1,2] [--rows dw14,ups] [--reps 3]

Passes: "layer" (the bench's Keras layer forward+backward on autograd Tensors; torch's
forward+backward), "fwd" (kernel with bias), "dx", "dw" (dw+db), "bwd" (dx, dw and db in one call); for upsampling "fwd", "bwd".
Each figure: the median over `reps` settled rounds (0.2 s sleep, 2 warm-up calls, 25 calls)
of the per-round median wall ms, and the CPU ms of that round / calls."""
import argparse
import statistics
import time

import numpy as np
import torch

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.autograd import Tensor
from tensorforge.kernels import conv as KC
from tensorforge import kernels as K

F = torch.nn.functional
cb = torch.ops.aten.convolution_backward

ROWS = {"dw112": ((32, 112, 112, 32), 1, "same"), "dw56s2": ((32, 56, 56, 128), 2, "valid"),
        "dw14": ((32, 14, 14, 512), 1, "same"), "ups": ((64, 14, 14, 64), None, None),
        "upsL": ((32, 56, 56, 64), None, None)}


def measure(f, calls=25):
    time.sleep(0.2)
    f(); f()
    ts = []
    c0 = time.process_time()
    for _ in range(calls):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / calls
    return statistics.median(ts) * 1e3, cpu * 1e3


def passes(name):
    xs, s, pad = ROWS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    C = xs[3]
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)
    xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(True)
    if s is None:  # upsampling 2x
        layer = L.UpSampling2D(size=(2, 2)); layer(x[:1])
        dy = rng.standard_normal((xs[0], xs[1] * 2, xs[2] * 2, C)).astype(np.float32)
        dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
        X = Tensor(x, requires_grad=True)

        def ours():
            X.grad = None; layer(X).backward(dy)

        def theirs():
            xg.grad = None; F.interpolate(xg, scale_factor=(2, 2), mode="nearest").backward(dyt)
        xd = xg.detach()
        return {"layer": (ours, theirs),
                "fwd": (lambda: K.upsample_nearest2d(x, 2, 2),
                        lambda: F.interpolate(xd, scale_factor=(2, 2), mode="nearest")),
                "bwd": (lambda: K.upsample_nearest2d_backward(dy, 2, 2),
                        lambda: torch.ops.aten.upsample_nearest2d_backward(
                            dyt, [xs[1] * 2, xs[2] * 2], list(xt.shape), 2.0, 2.0))}
    layer = L.DepthwiseConv2D(kernel_size=3, strides=s, padding=pad); layer(x[:1])
    w = (rng.standard_normal((3, 3, C, 1)) * 0.1).astype(np.float32)
    b = (rng.standard_normal(C) * 0.1).astype(np.float32)
    layer.set_weights([w, b])
    y = KC.depthwise_conv2d(x, w, s, pad, 1, b)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    p = 1 if pad == "same" else 0
    wt = torch.from_numpy(np.ascontiguousarray(w.transpose(2, 3, 0, 1)).reshape(-1, 1, 3, 3)).contiguous(
        memory_format=torch.channels_last)
    bt = torch.from_numpy(b)
    dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
    wg, bg = wt.detach().clone().requires_grad_(True), bt.detach().clone().requires_grad_(True)
    X = Tensor(x, requires_grad=True)

    def ours():
        X.grad = None
        for t in layer.weights:
            t.grad = None
        layer(X).backward(dy)

    def theirs():
        xg.grad = wg.grad = bg.grad = None
        F.conv2d(xg, wg, bg, stride=s, padding=p, groups=C).backward(dyt)
    xd = xg.detach()
    return {"layer": (ours, theirs),
            "fwd": (lambda: KC.depthwise_conv2d(x, w, s, pad, 1, b),
                    lambda: F.conv2d(xd, wt, bt, stride=s, padding=p, groups=C)),
            "dx": (lambda: KC.depthwise_conv2d_backward(dy, x, w, s, pad, 1, True, False, False),
                   lambda: cb(dyt, xd, wt, [C], [s, s], [p, p], [1, 1], False, [0, 0], C, [True, False, False])),
            "dw": (lambda: KC.depthwise_conv2d_backward(dy, x, w, s, pad, 1, False, True, True),
                   lambda: cb(dyt, xd, wt, [C], [s, s], [p, p], [1, 1], False, [0, 0], C, [False, True, True])),
            "bwd": (lambda: KC.depthwise_conv2d_backward(dy, x, w, s, pad, 1, True, True, True),
                    lambda: cb(dyt, xd, wt, [C], [s, s], [p, p], [1, 1], False, [0, 0], C, [True, True, True]))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rows", default="dw14,ups,dw112,dw56s2")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    for nt in [int(t) for t in a.threads.split(",")]:
        tf.set_num_threads(nt); torch.set_num_threads(nt)
        for name in a.rows.split(","):
            for pname, (o, t) in passes(name).items():
                res = {"ours": [], "torch": []}
                for _ in range(a.reps):  # interleaved rounds
                    res["ours"].append(measure(o)); res["torch"].append(measure(t))
                med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
                       for k, v in res.items()}
                (ow, oc), (tw, tc) = med["ours"], med["torch"]
                print(f"t{nt} {name:7s} {pname:5s} ours wall {ow:7.3f} cpu {oc:7.3f} | torch wall "
                      f"{tw:7.3f} cpu {tc:7.3f} | torch/ours wall {tw / ow:5.2f}", flush=True)


if __name__ == "__main__":
    main()
