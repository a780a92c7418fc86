"""conv8 (issue 15): how much a memory-streaming neighbour slows each pass of the conv rows that
lose their margin in the host's slow periods, ours against PyTorch CPU (channels_last), 1 thread.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 PYTHONPATH=python \
        taskset -c 0 python3 bench/conv_neighbour.py [--rounds 4] [--calls 15] [--ncpu 1] [rows...]

The neighbour is a NumPy loop copying a 256 MB array into another (np.copyto), started with
`taskset -c <ncpu>` for each "busy" phase and killed after it; "quiet" phases run without it.
Phases alternate (quiet, busy / busy, quiet, ...) so that drifts of the host hit both. Each
figure: per round the median thread-CPU ms of `calls` calls after 2 warm-up calls (CPU time:
stalls on memory count, time the OS gave the core to another process does not); then the
median over rounds. slow = busy / quiet. Every pass is checked against PyTorch's first.
Rows: lenet2 (conv2d 64x12x12x20 5x5x50 same), dcgan (Conv2DTranspose 64x7x7x128 -> 64, k4 s2
same), dw56 (depthwise 32x56x56x128 3x3 s2 valid), wavenet (conv1d 16x1000x32, k2 d4 causal).
Passes: fwd, dx, dw (with db where the layer's backward computes it in the same call)."""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

import tensorforge as tf
from tensorforge import backend
from tensorforge.kernels import conv as K

F = torch.nn.functional
cb = torch.ops.aten.convolution_backward
NEIGHBOUR = ("import numpy as np\na = np.ones(64 << 20, np.float32); b = np.empty_like(a)\n"
             "while True: np.copyto(b, a)\n")


def lenet2(rng):
    x = rng.standard_normal((64, 12, 12, 20)).astype(np.float32)
    w = (rng.standard_normal((5, 5, 20, 50)) * 0.05).astype(np.float32)
    b = rng.standard_normal(50).astype(np.float32)
    dy = rng.standard_normal((64, 12, 12, 50)).astype(np.float32)
    xt, dyt = torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(dy).permute(0, 3, 1, 2)
    wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    bt = torch.from_numpy(b)
    conv = ([1, 1], [2, 2], [1, 1], False, [0, 0], 1)
    ours = {"fwd": lambda: K.conv2d(x, w, b, 1, "same"),
            "dx": lambda: K.conv2d_backward(dy, x, w, 1, "same", need_dx=True, need_dw=False, need_db=False)[0],
            "dw": lambda: K.conv2d_backward(dy, x, w, 1, "same", need_dx=False, need_dw=True, need_db=True)[1]}
    theirs = {"fwd": lambda: F.conv2d(xt, wt, bt, padding=2),
              "dx": lambda: cb(dyt, xt, wt, None, *conv, [True, False, False])[0],
              "dw": lambda: cb(dyt, xt, wt, [50], *conv, [False, True, True])[1]}
    return ours, theirs, {"fwd": (0, 2, 3, 1), "dx": (0, 2, 3, 1), "dw": (2, 3, 1, 0)}


def dcgan(rng):
    x = rng.standard_normal((64, 7, 7, 128)).astype(np.float32)
    w = (rng.standard_normal((4, 4, 64, 128)) * 0.1).astype(np.float32)
    dy = rng.standard_normal((64, 14, 14, 64)).astype(np.float32)
    xt, dyt = torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(dy).permute(0, 3, 1, 2)
    wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    conv = ([2, 2], [1, 1], [1, 1], True, [0, 0], 1)
    ours = {"fwd": lambda: K.conv2d_transpose(x, w, None, (14, 14), 2, "same"),
            "dx": lambda: K.conv2d(dy, w, None, 2, "same"),
            "dw": lambda: K.conv2d_backward(x, dy, w, 2, "same", need_dx=False, need_dw=True, need_db=False)[1]}
    theirs = {"fwd": lambda: F.conv_transpose2d(xt, wt, None, stride=2, padding=1),
              "dx": lambda: cb(dyt, xt, wt, None, *conv, [True, False, False])[0],
              "dw": lambda: cb(dyt, xt, wt, [64], *conv, [False, True, False])[1]}
    return ours, theirs, {"fwd": (0, 2, 3, 1), "dx": (0, 2, 3, 1), "dw": (2, 3, 1, 0)}


def dw56(rng):
    x = rng.standard_normal((32, 56, 56, 128)).astype(np.float32)
    w = (rng.standard_normal((3, 3, 128, 1)) * 0.1).astype(np.float32)
    b = (rng.standard_normal(128) * 0.1).astype(np.float32)
    dy = rng.standard_normal((32, 27, 27, 128)).astype(np.float32)
    xt, dyt = torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(dy).permute(0, 3, 1, 2)
    wt = torch.from_numpy(np.ascontiguousarray(w.transpose(2, 3, 0, 1))).contiguous(
        memory_format=torch.channels_last)
    bt = torch.from_numpy(b)
    conv = ([2, 2], [0, 0], [1, 1], False, [0, 0], 128)
    ours = {"fwd": lambda: K.depthwise_conv2d(x, w, 2, "valid", 1, b),
            "dx": lambda: K.depthwise_conv2d_backward(dy, x, w, 2, "valid", 1, True, False, False)[0],
            "dw": lambda: K.depthwise_conv2d_backward(dy, x, w, 2, "valid", 1, False, True, True)[1]}
    theirs = {"fwd": lambda: F.conv2d(xt, wt, bt, stride=2, groups=128),
              "dx": lambda: cb(dyt, xt, wt, None, *conv, [True, False, False])[0],
              "dw": lambda: cb(dyt, xt, wt, [128], *conv, [False, True, True])[1]}
    return ours, theirs, {"fwd": (0, 2, 3, 1), "dx": (0, 2, 3, 1), "dw": (2, 3, 0, 1)}


def wavenet(rng):
    # Conv1D causal: conv2d on (N, 1, L, C) with 4 columns of left padding, dilation 4
    x = rng.standard_normal((16, 1, 1000, 32)).astype(np.float32)
    w = (rng.standard_normal((1, 2, 32, 32)) * 0.1).astype(np.float32)
    b = rng.standard_normal(32).astype(np.float32)
    dy = rng.standard_normal((16, 1, 1000, 32)).astype(np.float32)
    f, bw = backend.lookup("conv2d_forward"), backend.lookup("conv2d_backward")
    g = (1, 1, 0, 4, 0, 0, 1, 4)  # sh, sw, pt, pl, pb, pr, dh, dw
    xt = torch.from_numpy(x[:, 0]).permute(0, 2, 1).contiguous()
    xp = F.pad(xt, (4, 0))
    dyt = torch.from_numpy(dy[:, 0]).permute(0, 2, 1).contiguous()
    wt = torch.from_numpy(w[0]).permute(2, 1, 0).contiguous()
    bt = torch.from_numpy(b)
    conv = ([1], [0], [4], False, [0], 1)
    ours = {"fwd": lambda: f(x, w, b, *g, None),
            "dx": lambda: bw(dy, x, w, *g, True, False, False)[0],
            "dw": lambda: bw(dy, x, w, *g, False, True, True)[1]}
    theirs = {"fwd": lambda: F.conv1d(xp, wt, bt, dilation=4),
              "dx": lambda: cb(dyt, xp, wt, None, *conv, [True, False, False])[0][:, :, 4:],
              "dw": lambda: cb(dyt, xp, wt, [32], *conv, [False, True, True])[1]}
    return ours, theirs, {"fwd": (0, 2, 1), "dx": (0, 2, 1), "dw": (2, 1, 0)}


ROWS = {"lenet2": lenet2, "dcgan": dcgan, "dw56": dw56, "wavenet": wavenet}


def check(name, ours, theirs, perm):
    for p in ours:
        got = np.asarray(ours[p](), np.float64).reshape(-1)
        want = theirs[p]().permute(*perm[p]).double().numpy().reshape(-1)
        tol = 1e-4 * max(1.0, np.abs(want).max())
        if got.shape != want.shape or np.abs(got - want).max() > tol:
            raise AssertionError(f"{name} {p}: ours differs from PyTorch's")


def measure(f, calls):
    f(); f()
    ts = []
    for _ in range(calls):
        t0 = time.thread_time(); f(); ts.append(time.thread_time() - t0)
    return statistics.median(ts) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", nargs="*")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--calls", type=int, default=15)
    ap.add_argument("--ncpu", default="1", help="CPU list for the neighbour (taskset -c)")
    ap.add_argument("--sides", default="ours,torch")
    a = ap.parse_args()
    tf.set_num_threads(1)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = {}
    for name in a.rows or ROWS:
        ours, theirs, perm = ROWS[name](rng)
        check(name, ours, theirs, perm)
        rows[name] = {"ours": ours, "torch": theirs}
    sides = a.sides.split(",")
    res = {}
    for r in range(a.rounds):
        for phase in (("quiet", "busy") if r % 2 == 0 else ("busy", "quiet")):
            nb = None
            if phase == "busy":
                nb = subprocess.Popen(["taskset", "-c", a.ncpu, sys.executable, "-c", NEIGHBOUR])
                time.sleep(1.0)
            try:
                for name, d in rows.items():
                    for p in d["ours"]:
                        for side in sides:
                            res.setdefault((name, p, side, phase), []).append(measure(d[side][p], a.calls))
            finally:
                if nb is not None:
                    os.kill(nb.pid, signal.SIGKILL)
                    nb.wait()
        print(f"round {r + 1} done {time.strftime('%H:%M:%S', time.gmtime())}", file=sys.stderr, flush=True)
    print(f"1 thread, thread-CPU ms, median over {a.rounds} rounds of the median of {a.calls} calls; "
          f"tensorforge {os.path.dirname(tf.__file__)}")
    print("| row | pass | " + " | ".join(f"{s} quiet | {s} busy | {s} slow" for s in sides) + " |")
    print("|---|---|" + "---|---|---|" * len(sides))
    for name, d in rows.items():
        for p in d["ours"]:
            cells = []
            for s in sides:
                q, b = statistics.median(res[name, p, s, "quiet"]), statistics.median(res[name, p, s, "busy"])
                cells += [f"{q:.3f}", f"{b:.3f}", f"{b / q:.3f}"]
            print(f"| {name} | {p} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
