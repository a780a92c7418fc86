"""conv2d forward and forward+backward ms: tensorforge vs its NumPy fallback and PyTorch CPU
(channels_last, layouts converted outside the timed region), same thread count.

Shapes (issue 3): LeNet conv1 64x28x28x1 5x5x20 valid, LeNet conv2 64x12x12x20 5x5x50 same,
AlphaGo 16x19x19x48 5x5x192 same and 16x19x19x192 3x3x192 same, ResNet 32x56x56x64 3x3x64 same.
forward+backward = forward, then dx, dw and db from a fixed dy; for LeNet conv1 (the first
layer: its input is data) dx is not computed, on every side alike (torch: x without grad).
A second table (bench/conv_layers.py) times the Conv1D, Conv2DTranspose, UpSampling2D and
DepthwiseConv2D layers."""
import numpy as np

from ._util import table, timeit, timeit_alternating, try_torch

SHAPES = [  # name, (N, H, W, C_in), (KH, KW, C_out), padding, needs dx
    ("lenet conv1", (64, 28, 28, 1), (5, 5, 20), "valid", False),
    ("lenet conv2", (64, 12, 12, 20), (5, 5, 50), "same", True),
    ("alphago 5x5", (16, 19, 19, 48), (5, 5, 192), "same", True),
    ("alphago 3x3", (16, 19, 19, 192), (3, 3, 192), "same", True),
    ("resnet 3x3", (32, 56, 56, 64), (3, 3, 64), "same", True),
]


def _check(name, got, want, scale, n):
    tol = 8 * n * np.finfo(np.float32).eps * scale + 1e-6
    if not (np.abs(got - want) <= tol).all():
        raise AssertionError(f"bench conv {name}: result does not match the float64 reference")


def _torch_side(torch, name, x, w, b, dy, pads, padding, need_dx, ours_f, ref_f, f64, n_red):
    """PyTorch's (forward, forward+backward) of the layer, after its output is checked."""
    x64, w64, b64 = f64
    KH = w.shape[0]
    F = torch.nn.functional
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)  # NCHW view of NHWC memory: channels_last
    wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    bt = torch.from_numpy(b)
    pad = (KH - 1) // 2 if padding == "same" else 0
    dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
    with torch.no_grad():
        yt = F.relu(F.conv2d(xt, wt, bt, padding=pad))
        yo = ours_f(x, w, b, *pads, "relu")
        _check(name + " torch", yo, yt.permute(0, 2, 3, 1).double().numpy(),
               ref_f(np.abs(x64), np.abs(w64), np.abs(b64), *pads, None), n_red)

    def t_fwd():
        with torch.no_grad():
            F.relu(F.conv2d(xt, wt, bt, padding=pad))

    xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(need_dx)
    wg = wt.detach().clone().requires_grad_(True)
    bg = bt.detach().clone().requires_grad_(True)

    def t_fwdbwd():
        xg.grad = wg.grad = bg.grad = None
        F.relu(F.conv2d(xg, wg, bg, padding=pad)).backward(dyt)
    return t_fwd, t_fwdbwd


def run(args):
    from .. import backend
    from ..kernels.conv import conv_geometry
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = []
    shapes = SHAPES[:3] if args.quick else SHAPES
    for name, xs, (KH, KW, CO), padding, need_dx in shapes:
        N, H, W, C = xs
        x = rng.standard_normal(xs).astype(np.float32)
        w = (rng.standard_normal((KH, KW, C, CO)) / np.sqrt(KH * KW * C)).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        g = conv_geometry("bench", xs, w.shape, 1, padding, 1)
        pads = g[:8]
        OH, OW = g[8], g[9]
        dy = rng.standard_normal((N, OH, OW, CO)).astype(np.float32)
        ours_f, ours_b = backend.lookup("conv2d_forward", args.backend), backend.lookup("conv2d_backward", args.backend)
        ref_f, ref_b = backend.lookup("conv2d_forward", "numpy"), backend.lookup("conv2d_backward", "numpy")

        # check before timing: forward and the three gradients against float64
        x64, w64, b64, d64 = (a.astype(np.float64) for a in (x, w, b, dy))
        n_red = KH * KW * C
        _check(name + " fwd", ours_f(x, w, b, *pads, "relu"), ref_f(x64, w64, b64, *pads, "relu"),
               ref_f(np.abs(x64), np.abs(w64), np.abs(b64), *pads, None), n_red)
        got = ours_b(dy, x, w, *pads, need_dx, True, True)
        want = ref_b(d64, x64, w64, *pads, need_dx, True, True)
        scl = ref_b(np.abs(d64), np.abs(x64), np.abs(w64), *pads, need_dx, True, True)
        for gi, wi, si, nn in zip(got, want, scl, (KH * KW * CO, N * OH * OW, N * OH * OW)):
            if wi is not None:
                _check(name + " bwd", gi, wi, si, nn)

        def fwd(fn):
            return lambda: fn(x, w, b, *pads, "relu")

        def fwdbwd(f, bw):
            def step():
                y = f(x, w, b, *pads, "relu")
                bw(dy, x, w, *pads, need_dx, True, True, y)  # relu backward dy * (y > 0) fused
            return step

        quick = dict(min_time=0.2, min_runs=3) if args.quick else {}
        t_nf = timeit(fwd(ref_f), warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(fwdbwd(ref_f, ref_b), warmup=1, min_time=0.2, min_runs=3)
        theirs = _torch_side(torch, name, x, w, b, dy, pads, padding, need_dx, ours_f, ref_f,
                             (x64, w64, b64), n_red) if torch is not None else None
        if theirs is None:
            t_f = timeit(fwd(ours_f), **quick)
            t_fb = timeit(fwdbwd(ours_f, ours_b), **quick)
        else:  # each side sampled in turns with PyTorch's (bench/_util.py timeit_alternating)
            t_f, t_pf = timeit_alternating([fwd(ours_f), theirs[0]], **quick)
            t_fb, t_pfb = timeit_alternating([fwdbwd(ours_f, ours_b), theirs[1]], **quick)
        flop = 2.0 * N * OH * OW * KH * KW * C * CO
        row = [name, f"{N}x{H}x{W}x{C} k{KH}x{KW}x{CO} {padding}", t_f * 1e3, flop / t_f / 1e9,
               t_fb * 1e3, t_nf * 1e3, t_nfb * 1e3, t_nfb / t_fb]
        if theirs is not None:
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    cols = ["layer", "shape", "fwd ms", "fwd GFLOP/s", "fwd+bwd ms", "numpy fwd ms", "numpy fwd+bwd ms",
            "fwd+bwd vs numpy"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    from . import conv_layers
    return table(cols, rows) + ("\n(vs X = X's time / ours: > 1 means we are faster; fwd includes bias+relu; "
                                "fwd GFLOP/s counts the direct convolution's 2*N*OH*OW*KH*KW*C_in*C_out, "
                                "so Winograd layers exceed the FMA peak)\n\n" + conv_layers.run(args))
