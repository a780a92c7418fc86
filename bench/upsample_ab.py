# ups5 (issue 15): 1-thread CPU-time A/B of UpSampling2D nearest 2x (the two rows of bench conv):
# the layer fwd+bwd, each kernel alone, and PyTorch (F.interpolate nearest, channels_last) alike.
# Run once per build, alternating: PYTHONPATH=<build>/python python3 bench/upsample_ab.py
import json
import time

import numpy as np
import torch
torch.set_num_threads(1)
import tensorforge as tf
from tensorforge import layers as L
from tensorforge.autograd import Tensor
from tensorforge import kernels as K
tf.set_num_threads(1)
F = torch.nn.functional
def cput(f, n):
    f()
    ts = []
    for _ in range(n):
        t = time.thread_time(); f(); ts.append(time.thread_time() - t)
    return float(np.median(ts)) * 1e3
out = {}
for xs in [(64, 14, 14, 64), (32, 56, 56, 64)]:
    n = 40 if xs[1] == 14 else 8
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    layer = L.UpSampling2D(size=(2, 2)); layer(x[:1])
    dy = rng.standard_normal((xs[0], xs[1]*2, xs[2]*2, xs[3])).astype(np.float32)
    xt = Tensor(x, requires_grad=True)
    def ours():
        xt.grad = None; layer(xt).backward(dy)
    fk = lambda: K.upsample_nearest2d(x, 2, 2)
    bk = lambda: K.upsample_nearest2d_backward(dy, 2, 2)
    xg = torch.from_numpy(x).permute(0, 3, 1, 2).detach().clone(memory_format=torch.channels_last).requires_grad_(True)
    dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
    def theirs():
        xg.grad = None; F.interpolate(xg, scale_factor=(2, 2), mode="nearest").backward(dyt)
    # check before timing: both kernels against PyTorch's forward and backward
    ours()
    y_t = F.interpolate(xg, scale_factor=(2, 2), mode="nearest")
    y_t.backward(dyt)
    assert np.array_equal(fk(), y_t.detach().permute(0, 2, 3, 1).numpy())
    assert np.allclose(xt.grad, xg.grad.permute(0, 2, 3, 1).numpy(), atol=1e-5)
    tf_ = lambda: F.interpolate(xg.detach(), scale_factor=(2,2), mode="nearest")
    r = dict(layer=cput(ours, n), fwd=cput(fk, n), bwd=cput(bk, n), torch=cput(theirs, n), torch_fwd=cput(tf_, n))
    out["x".join(map(str, xs))] = r
print(json.dumps(out))
