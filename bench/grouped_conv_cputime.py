"""keras14: ops.grouped_conv2d (Conv2D groups=, See Note [grouped convolution] in ops/conv.py)
against one dense conv2d giving the same output (the block-diagonal kernel: groups x the FLOPs)
and torch.nn.functional.conv2d(groups=...), NHWC 3x3 same, shapes of RegNetX008 stage 2 / 4 and
ConvNeXt-like depthwise; checks the result against the dense conv first, then the median CPU
time (process_time) of 5 calls after one warm-up, 2 threads each.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 bench/grouped_conv_cputime.py
"""
import time, numpy as np, torch
import tensorforge as tf
from tensorforge import ops
tf.set_num_threads(2); torch.set_num_threads(2)
rng = np.random.default_rng(0)
for (N, H, C, F, G) in [(4, 28, 288, 288, 18), (4, 14, 672, 672, 42), (4, 56, 96, 96, 96)]:
    x = rng.standard_normal((N, H, H, C)).astype("f4"); w = rng.standard_normal((3, 3, C // G, F)).astype("f4")
    wd = np.zeros((3, 3, C, F), "f4")
    for g in range(G):
        wd[:, :, g*(C//G):(g+1)*(C//G), g*(F//G):(F//G)*(g+1)] = w[..., g*(F//G):(g+1)*(F//G)]
    y = ops.grouped_conv2d(x, w, None, padding="same", groups=G)
    np.testing.assert_allclose(y, ops.conv2d(x, wd, None, padding="same"), rtol=1e-3, atol=1e-3)
    xt = torch.tensor(x.transpose(0, 3, 1, 2)); wt = torch.tensor(w.transpose(3, 2, 0, 1))
    def t(f, r=5):
        f(); out = []
        for _ in range(r):
            c = time.process_time(); f(); out.append(time.process_time() - c)
        return 1e3 * float(np.median(out))
    a = t(lambda: ops.grouped_conv2d(x, w, None, padding="same", groups=G))
    b = t(lambda: ops.conv2d(x, wd, None, padding="same"))
    c = t(lambda: torch.nn.functional.conv2d(xt, wt, padding=1, groups=G))
    print(f"N={N} H=W={H} C=F={C} groups={G}: grouped {a:.1f} ms, dense block-diagonal {b:.1f} ms, torch grouped {c:.1f} ms (CPU)")
