"""Pooling ms and GB/s: tensorforge vs its NumPy fallback and PyTorch CPU (channels_last, layouts
converted outside the timed region), same thread count, against a measured copy bandwidth.

Copy bandwidth: the best of a 256 MiB np.copyto (one thread) and torch's Tensor.copy_ (the
bench's threads), counted as bytes read + bytes written. A pool's traffic is x read + y written
(forward; + the int32 argmax when training) and dy + argmax read + dx written (backward)."""
import numpy as np

from ._util import table, timeit, try_torch

SHAPES = [  # name, x shape, pool, padding
    ("max 2x2 lenet", (64, 24, 24, 20), "max", 2, "valid"),
    ("max 2x2 resnet", (32, 56, 56, 64), "max", 2, "valid"),
    ("avg 2x2 resnet", (32, 56, 56, 64), "avg", 2, "valid"),
    ("max 3x3/2 same", (32, 56, 56, 64), "max", 3, "same"),
]


def copy_bandwidth(torch=None):
    """GB/s (read + write) of a large copy: the max of NumPy (1 thread) and torch (N threads)."""
    n = 64 * 1024 * 1024  # 256 MiB of float32
    src = np.ones(n, np.float32)
    dst = np.empty_like(src)
    best = 2 * src.nbytes / timeit(lambda: np.copyto(dst, src), warmup=1, min_runs=3, min_time=0.3) / 1e9
    if torch is not None:
        ts, td = torch.from_numpy(src), torch.from_numpy(dst)
        best = max(best, 2 * src.nbytes / timeit(lambda: td.copy_(ts), warmup=1, min_runs=3, min_time=0.3) / 1e9)
    return best


def run(args):
    from .. import backend
    from ..kernels.pool import pool_geometry
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    bw = copy_bandwidth(torch)
    rows = []
    for name, xs, kind, k, padding in (SHAPES[:2] if args.quick else SHAPES):
        x = rng.standard_normal(xs).astype(np.float32)
        kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = pool_geometry("bench", xs, k, None if padding == "valid" else 2,
                                                              padding)
        geo = (kh, kw, sh, sw, pt, pl, pb, pr)
        N, H, W, C = xs
        dy = rng.standard_normal((N, OH, OW, C)).astype(np.float32)
        if kind == "max":
            ours = backend.lookup("max_pool2d_forward", args.backend)
            ours_b = backend.lookup("max_pool2d_backward", args.backend)
            ref = backend.lookup("max_pool2d_forward", "numpy")
            ref_b = backend.lookup("max_pool2d_backward", "numpy")
            y, am = ours(x, *geo, True)
            yr, amr = ref(x, *geo, True)
            if not (np.array_equal(y, yr) and np.array_equal(am, amr)):
                raise AssertionError(f"bench pool {name}: result does not match the reference")
            f_ours = lambda: ours(x, *geo, False)  # noqa: E731  inference: no argmax
            f_ref = lambda: ref(x, *geo, False)  # noqa: E731

            def fb_ours():
                _, a = ours(x, *geo, True)
                ours_b(dy, a, H, W, *geo)

            def fb_ref():
                _, a = ref(x, *geo, True)
                ref_b(dy, a, H, W, *geo)
            fb_bytes = x.nbytes + 2 * dy.nbytes + 2 * am.nbytes + dy.nbytes + x.nbytes
        else:
            ours = backend.lookup("avg_pool2d_forward", args.backend)
            ours_b = backend.lookup("avg_pool2d_backward", args.backend)
            ref = backend.lookup("avg_pool2d_forward", "numpy")
            ref_b = backend.lookup("avg_pool2d_backward", "numpy")
            y = ours(x, *geo)
            yr = ref(x.astype(np.float64), *geo)
            if not np.allclose(y, yr, atol=1e-5):
                raise AssertionError(f"bench pool {name}: result does not match the reference")
            f_ours = lambda: ours(x, *geo)  # noqa: E731
            f_ref = lambda: ref(x, *geo)  # noqa: E731

            def fb_ours():
                ours(x, *geo)
                ours_b(dy, H, W, *geo)

            def fb_ref():
                ref(x, *geo)
                ref_b(dy, H, W, *geo)
            fb_bytes = x.nbytes + 2 * dy.nbytes + dy.nbytes + x.nbytes
        fwd_bytes = x.nbytes + y.nbytes
        t_f, t_fb = timeit(f_ours), timeit(fb_ours)
        t_nf = timeit(f_ref, warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(fb_ref, warmup=1, min_time=0.2, min_runs=3)
        gbs = fwd_bytes / t_f / 1e9
        row = [name, "x".join(map(str, xs)), t_f * 1e3, gbs, f"{100 * gbs / bw:.0f}%", t_fb * 1e3,
               t_nf / t_f, t_nfb / t_fb]
        if torch is not None:
            F = torch.nn.functional
            xt = torch.from_numpy(x).permute(0, 3, 1, 2)  # channels_last view
            pad = 0 if padding == "valid" else (kh - 1) // 2
            stride = sh
            pool = F.max_pool2d if kind == "max" else F.avg_pool2d
            kwargs = {} if kind == "max" else {"count_include_pad": False}
            comparable = padding == "valid" or (H + pt + pb - kh) // sh + 1 == OH and pt == pb == pad
            dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
            xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(True)

            def tp_f():
                with torch.no_grad():
                    pool(xt, k, stride, pad, **kwargs)

            def tp_fb():
                xg.grad = None
                pool(xg, k, stride, pad, **kwargs).backward(dyt)
            if comparable:
                t_pf, t_pfb = timeit(tp_f), timeit(tp_fb)
                row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
            else:
                row += ["-", "-", "-", "-"]
        rows.append(row)
    cols = ["pool", "x (NHWC)", "fwd ms", "fwd GB/s", "of copy BW", "fwd+bwd ms", "fwd vs numpy",
            "fwd+bwd vs numpy"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    return (f"measured copy bandwidth (read + write): {bw:.1f} GB/s\n" + table(cols, rows)
            + "\n(fwd = inference, no argmax; fwd+bwd = forward with argmax + backward; vs X = X's time / ours)")
