"""BatchNormalization and Embedding (memory-bound layers) ms and GB/s: tensorforge vs its NumPy
fallback and PyTorch CPU, same thread count, forward and forward+backward of the array-level
kernels (what the layers call).

BatchNormalization in training mode: forward (batch statistics, moving-average update,
normalize) and backward (dx, dgamma, dbeta); channels_last rows are PyTorch's channels_last
memory format (NHWC underneath), the channels_first row plain NCHW. Traffic counted: forward
x read twice + y written; backward x and dy read twice + dx written. Embedding: (B, T) int64 ids
into a (V, D) table; backward writes the dense (V, D) gradient (PyTorch's default, dense
weight.grad). Every case checks its result against the NumPy reference before timing."""
import numpy as np

from ._util import table, timeit, try_torch

BN_SHAPES = [  # name, x shape, axis
    ("bn resnet NHWC", (32, 56, 56, 64), -1),
    ("bn dense", (128, 256), -1),
    ("bn resnet NCHW", (32, 64, 56, 56), 1),
]
EMB_SHAPES = [  # name, ids shape, (V, D)
    ("embedding", (128, 80), (20000, 128)),
]


def _check(name, got, want, rtol=1e-4, atol=1e-4):
    for g, w in zip(got, want):
        if not np.allclose(g, w, rtol=rtol, atol=atol):
            raise AssertionError(f"bench layers {name}: result does not match the reference")


def _bn_rows(args, torch, rng):
    from .. import backend
    ours_f, ours_b = (backend.lookup(n, args.backend) for n in ("batch_norm_forward_train",
                                                                 "batch_norm_backward"))
    ref_f, ref_b = (backend.lookup(n, "numpy") for n in ("batch_norm_forward_train", "batch_norm_backward"))
    rows = []
    for name, xs, axis in (BN_SHAPES[:2] if args.quick else BN_SHAPES):
        x = rng.standard_normal(xs).astype(np.float32)
        dy = rng.standard_normal(xs).astype(np.float32)
        C = xs[axis]
        g, b = np.ones(C, np.float32), np.zeros(C, np.float32)
        mm, mv = np.zeros(C, np.float32), np.ones(C, np.float32)
        y, mean, inv = ours_f(x, g, b, mm, mv, axis, 0.99, 1e-3)
        yr, meanr, invr = ref_f(x, g, b, mm.copy(), mv.copy(), axis, 0.99, 1e-3)
        _check(name, (y, mean, inv), (yr, meanr, invr))
        _check(name, ours_b(dy, x, mean, inv, g, axis), ref_b(dy, x, meanr, invr, g, axis))

        def fb(f, bw):
            _, m_, i_ = f(x, g, b, mm, mv, axis, 0.99, 1e-3)
            bw(dy, x, m_, i_, g, axis)
        t_f = timeit(lambda: ours_f(x, g, b, mm, mv, axis, 0.99, 1e-3))
        t_fb = timeit(lambda: fb(ours_f, ours_b))
        t_nf = timeit(lambda: ref_f(x, g, b, mm, mv, axis, 0.99, 1e-3), warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(lambda: fb(ref_f, ref_b), warmup=1, min_time=0.2, min_runs=3)
        gbs = 3 * x.nbytes / t_f / 1e9
        row = [name, "x".join(map(str, xs)), t_f * 1e3, gbs, t_fb * 1e3, t_nf / t_f, t_nfb / t_fb]
        if torch is not None:
            F = torch.nn.functional
            if axis == -1 and x.ndim == 4:  # NHWC memory = PyTorch's channels_last NCHW view
                xt, dyt = (torch.from_numpy(a).permute(0, 3, 1, 2) for a in (x, dy))
                xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(True)
            else:
                xt, dyt = torch.from_numpy(x), torch.from_numpy(dy)
                xg = xt.detach().clone().requires_grad_(True)
            wt = torch.ones(C, requires_grad=True)
            bt = torch.zeros(C, requires_grad=True)
            rm, rv = torch.zeros(C), torch.ones(C)

            def tp_f():
                with torch.no_grad():
                    F.batch_norm(xt, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3)

            def tp_fb():
                xg.grad = wt.grad = bt.grad = None
                F.batch_norm(xg, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3).backward(dyt)
            t_pf, t_pfb = timeit(tp_f), timeit(tp_fb)
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    return rows


def _emb_rows(args, torch, rng):
    from .. import backend
    ours_f, ours_b = (backend.lookup(n, args.backend) for n in ("embedding_forward", "embedding_backward"))
    ref_f, ref_b = (backend.lookup(n, "numpy") for n in ("embedding_forward", "embedding_backward"))
    rows = []
    for name, ids_shape, (V, D) in EMB_SHAPES:
        table_ = rng.standard_normal((V, D)).astype(np.float32)
        ids = rng.integers(0, V, ids_shape).astype(np.int64)
        dy = rng.standard_normal(ids_shape + (D,)).astype(np.float32)
        _check(name, (ours_f(table_, ids), ours_b(dy, ids, V)), (ref_f(table_, ids), ref_b(dy, ids, V)))
        t_f = timeit(lambda: ours_f(table_, ids))
        t_fb = timeit(lambda: (ours_f(table_, ids), ours_b(dy, ids, V)))
        t_nf = timeit(lambda: ref_f(table_, ids), warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(lambda: (ref_f(table_, ids), ref_b(dy, ids, V)), warmup=1, min_time=0.2, min_runs=3)
        gbs = 2 * dy.nbytes / t_f / 1e9
        row = [name, f"{'x'.join(map(str, ids_shape))} into {V}x{D}", t_f * 1e3, gbs, t_fb * 1e3,
               t_nf / t_f, t_nfb / t_fb]
        if torch is not None:
            F = torch.nn.functional
            ids_t, dyt = torch.from_numpy(ids), torch.from_numpy(dy)
            wt = torch.from_numpy(table_).clone().requires_grad_(True)

            def tp_f():
                with torch.no_grad():
                    F.embedding(ids_t, wt)

            def tp_fb():
                wt.grad = None
                F.embedding(ids_t, wt).backward(dyt)
            t_pf, t_pfb = timeit(tp_f), timeit(tp_fb)
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    return rows


def run(args):
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = _bn_rows(args, torch, rng) + _emb_rows(args, torch, rng)
    cols = ["layer", "shape", "fwd ms", "fwd GB/s", "fwd+bwd ms", "fwd vs numpy", "fwd+bwd vs numpy"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    return table(cols, rows)
