"""Per-pass process-CPU ms of the MobileNet depthwise layers of `tensorforge bench conv`, ours
against PyTorch CPU (channels_last), 1 thread each side (CPU time: meaningful on a shared machine).

    PYTHONPATH=python python3 bench/depthwise_passes.py

Passes: fwd (with bias), dx, dw+db (aten.convolution_backward with an output mask for torch).
The forward is checked against PyTorch's first. Each figure: the minimum over 15 pairs of calls.
Output: one line per layer, "of/pf" = ours/torch forward, "odx/pdx", "odw/pdw"."""
import time

import numpy as np
import torch

import tensorforge as tf
from tensorforge.kernels import conv as K

tf.set_num_threads(1)
torch.set_num_threads(1)
F = torch.nn.functional
cb = torch.ops.aten.convolution_backward


def cpu(f, n=15):
    f(); f()
    best = 1e9
    for _ in range(n):
        t0 = time.process_time(); f(); f(); best = min(best, (time.process_time() - t0) / 2)
    return best * 1e3


shapes = {"dw112": ((32,112,112,32),1,"same"), "dw56s2": ((32,56,56,128),2,"valid"), "dw14": ((32,14,14,512),1,"same")}
for name, (xs, s, pad) in shapes.items():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32); C = xs[3]
    w = rng.standard_normal((3,3,C,1)).astype(np.float32); b = rng.standard_normal(C).astype(np.float32)
    y = K.depthwise_conv2d(x, w, s, pad, 1, b)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    p = 1 if pad == "same" else 0
    xt = torch.from_numpy(x).permute(0,3,1,2)
    wt = torch.from_numpy(np.ascontiguousarray(w.transpose(2,3,0,1)).reshape(-1,1,3,3)).contiguous(memory_format=torch.channels_last)
    bt = torch.from_numpy(b); dyt = torch.from_numpy(dy).permute(0,3,1,2)
    yt = F.conv2d(xt, wt, bt, stride=s, padding=p, groups=C)
    assert np.allclose(yt.permute(0,2,3,1).numpy(), y, atol=1e-3)
    r = {}
    r["of"] = cpu(lambda: K.depthwise_conv2d(x, w, s, pad, 1, b))
    r["pf"] = cpu(lambda: F.conv2d(xt, wt, bt, stride=s, padding=p, groups=C))
    r["odx"] = cpu(lambda: K.depthwise_conv2d_backward(dy, x, w, s, pad, 1, True, False, False))
    r["pdx"] = cpu(lambda: cb(dyt, xt, wt, [C], [s,s], [p,p], [1,1], False, [0,0], C, [True,False,False]))
    r["odw"] = cpu(lambda: K.depthwise_conv2d_backward(dy, x, w, s, pad, 1, False, True, True))
    r["pdw"] = cpu(lambda: cb(dyt, xt, wt, [C], [s,s], [p,p], [1,1], False, [0,0], C, [False,True,True]))
    print(name, " ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
