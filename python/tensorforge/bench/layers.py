"""BatchNormalization, LayerNormalization, GroupNormalization and Embedding (memory-bound layers) ms and GB/s: tensorforge vs its NumPy
fallback and PyTorch CPU, same thread count, forward and forward+backward of the array-level
kernels (what the layers call).

BatchNormalization in training mode: forward (batch statistics, moving-average update,
normalize) and backward (dx, dgamma, dbeta); channels_last rows are PyTorch's channels_last
memory format (NHWC underneath), the channels_first row plain NCHW. Traffic counted: forward
x read twice + y written; backward x and dy read twice + dx written. LayerNormalization (each row
of the last axis on its own statistics) against torch.nn.functional.layer_norm; traffic counted:
x read + y written. GroupNormalization (each sample's channel groups on their own statistics)
against torch.nn.functional.group_norm, NHWC as PyTorch's channels_last memory format;
traffic counted: x read twice + y written. Embedding: (B, T) int64 ids
into a (V, D) table; backward writes the dense (V, D) gradient (PyTorch's default, dense
weight.grad). Every case checks its result against the NumPy reference before timing.

A second table times the MultiHeadAttention layer (self-attention on (batch, seq, dim), Keras 2
layout, key_dim = dim / heads) forward and forward+backward through autograd against
torch.nn.MultiheadAttention (batch_first) holding the same weights; the outputs are compared
before timing."""
import numpy as np

from ._util import table, timeit, try_torch

BN_SHAPES = [  # name, x shape, axis
    ("bn resnet NHWC", (32, 56, 56, 64), -1),
    ("bn dense", (128, 256), -1),
    ("bn resnet NCHW", (32, 64, 56, 56), 1),
]
LN_SHAPES = [  # name, x shape (normalized over the last axis)
    ("layernorm transformer", (32, 128, 256)),
    ("layernorm wide rows", (64, 4096)),
]
GN_SHAPES = [  # name, x shape, channel axis, groups
    ("groupnorm NHWC", (32, 32, 32, 64), -1, 8),
    ("groupnorm NCHW", (32, 64, 32, 32), 1, 32),
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
        # (a 4-D layer's update, with Bessel's correction: Note [moving variance])
        mmr, mvr = mm.copy(), mv.copy()
        y, mean, inv = ours_f(x, g, b, mm, mv, axis, 0.99, 1e-3, True)
        yr, meanr, invr = ref_f(x, g, b, mmr, mvr, axis, 0.99, 1e-3, True)
        _check(name, (y, mean, inv, mm, mv), (yr, meanr, invr, mmr, mvr))
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


def _ln_rows(args, torch, rng):
    from .. import backend
    ours_f, ours_b = (backend.lookup(n, args.backend) for n in ("layer_norm_forward", "layer_norm_backward"))
    ref_f, ref_b = (backend.lookup(n, "numpy") for n in ("layer_norm_forward", "layer_norm_backward"))
    rows = []
    for name, xs in (LN_SHAPES[:1] if args.quick else LN_SHAPES):
        x = rng.standard_normal(xs).astype(np.float32)
        dy = rng.standard_normal(xs).astype(np.float32)
        C = xs[-1]
        g, b = rng.standard_normal(C).astype(np.float32), rng.standard_normal(C).astype(np.float32)
        y, mean, inv = ours_f(x, g, b, 1e-3)
        yr, meanr, invr = ref_f(x, g, b, 1e-3)
        _check(name, (y, mean, inv), (yr, meanr, invr))
        _check(name, ours_b(dy, x, mean, inv, g), ref_b(dy, x, meanr, invr, g))

        def fb(f, bw):
            _, m_, i_ = f(x, g, b, 1e-3)
            bw(dy, x, m_, i_, g)
        t_f = timeit(lambda: ours_f(x, g, b, 1e-3))
        t_fb = timeit(lambda: fb(ours_f, ours_b))
        t_nf = timeit(lambda: ref_f(x, g, b, 1e-3), warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(lambda: fb(ref_f, ref_b), warmup=1, min_time=0.2, min_runs=3)
        gbs = 2 * x.nbytes / t_f / 1e9
        row = [name, "x".join(map(str, xs)), t_f * 1e3, gbs, t_fb * 1e3, t_nf / t_f, t_nfb / t_fb]
        if torch is not None:
            F = torch.nn.functional
            xt, dyt = torch.from_numpy(x), torch.from_numpy(dy)
            xg = xt.detach().clone().requires_grad_(True)
            wt = torch.from_numpy(g).clone().requires_grad_(True)
            bt = torch.from_numpy(b).clone().requires_grad_(True)
            with torch.no_grad():
                _check(name + " vs torch", (F.layer_norm(xt, (C,), wt, bt, 1e-3).numpy(),), (y,))

            def tp_f():
                with torch.no_grad():
                    F.layer_norm(xt, (C,), wt, bt, 1e-3)

            def tp_fb():
                xg.grad = wt.grad = bt.grad = None
                F.layer_norm(xg, (C,), wt, bt, 1e-3).backward(dyt)
            t_pf, t_pfb = timeit(tp_f), timeit(tp_fb)
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    return rows


def _gn_rows(args, torch, rng):
    from .. import backend
    ours_f, ours_b = (backend.lookup(n, args.backend) for n in ("group_norm_forward", "group_norm_backward"))
    ref_f, ref_b = (backend.lookup(n, "numpy") for n in ("group_norm_forward", "group_norm_backward"))
    rows = []
    for name, xs, axis, G in (GN_SHAPES[:1] if args.quick else GN_SHAPES):
        x = rng.standard_normal(xs).astype(np.float32)
        dy = rng.standard_normal(xs).astype(np.float32)
        C = xs[axis]
        g, b = rng.standard_normal(C).astype(np.float32), rng.standard_normal(C).astype(np.float32)
        y, mean, inv = ours_f(x, g, b, G, axis, 1e-3)
        yr, meanr, invr = ref_f(x, g, b, G, axis, 1e-3)
        _check(name, (y, mean, inv), (yr, meanr, invr))
        _check(name, ours_b(dy, x, mean, inv, g, G, axis), ref_b(dy, x, meanr, invr, g, G, axis))

        def fb(f, bw):
            _, m_, i_ = f(x, g, b, G, axis, 1e-3)
            bw(dy, x, m_, i_, g, G, axis)
        t_f = timeit(lambda: ours_f(x, g, b, G, axis, 1e-3))
        t_fb = timeit(lambda: fb(ours_f, ours_b))
        t_nf = timeit(lambda: ref_f(x, g, b, G, axis, 1e-3), warmup=1, min_time=0.2, min_runs=3)
        t_nfb = timeit(lambda: fb(ref_f, ref_b), warmup=1, min_time=0.2, min_runs=3)
        gbs = 3 * x.nbytes / t_f / 1e9
        row = [name, "x".join(map(str, xs)), t_f * 1e3, gbs, t_fb * 1e3, t_nf / t_f, t_nfb / t_fb]
        if torch is not None:
            F = torch.nn.functional
            last = axis % len(xs) == len(xs) - 1
            # (N, C, H, W) views: NHWC data as PyTorch's channels_last memory format
            to_t = (lambda a: torch.from_numpy(a).permute(0, 3, 1, 2)) if last else torch.from_numpy
            xt, dyt = to_t(x), to_t(dy)
            xg = xt.detach().clone(memory_format=torch.preserve_format).requires_grad_(True)
            wt = torch.from_numpy(g).clone().requires_grad_(True)
            bt = torch.from_numpy(b).clone().requires_grad_(True)
            with torch.no_grad():
                yt = F.group_norm(xt, G, wt, bt, 1e-3)
                _check(name + " vs torch", ((yt.permute(0, 2, 3, 1) if last else yt).numpy(),), (y,))

            def tp_f():
                with torch.no_grad():
                    F.group_norm(xt, G, wt, bt, 1e-3)

            def tp_fb():
                xg.grad = wt.grad = bt.grad = None
                F.group_norm(xg, G, wt, bt, 1e-3).backward(dyt)
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


MHA_SHAPES = [  # batch, seq, dim, heads (key_dim = dim / heads)
    (64, 128, 64, 4),
    (32, 200, 256, 4),
]


def _mha_rows(args, torch, rng):
    from .. import layers, no_grad
    from ..autograd import Tensor
    rows = []
    for bsz, T, D, H in (MHA_SHAPES[:1] if args.quick else MHA_SHAPES):
        dk = D // H
        layer = layers.MultiHeadAttention(num_heads=H, key_dim=dk)
        x = rng.standard_normal((bsz, T, D)).astype(np.float32)
        dy = rng.standard_normal((bsz, T, D)).astype(np.float32)
        xt = Tensor(x, requires_grad=True)
        y = layer(xt, xt)

        def fb():
            xt.grad = None
            for w in layer.trainable_weights:
                w.grad = None
            (layer(xt, xt) * dy).sum().backward()
        def f():
            with no_grad():
                layer(x, x)
        t_f, t_fb = timeit(f), timeit(fb)
        row = [f"mha h{H} dk{dk}", f"{bsz}x{T}x{D}", t_f * 1e3, t_fb * 1e3]
        if torch is not None:
            m = torch.nn.MultiheadAttention(D, H, batch_first=True)
            qk, qb, kk, kb, vk, vb, ok, ob = (np.asarray(w.numpy()) for w in layer.weights)
            with torch.no_grad():  # Keras (D, H, dk) kernels -> torch (H*dk, D) rows, q; k; v
                m.in_proj_weight.copy_(torch.from_numpy(np.concatenate(
                    [w.reshape(D, -1).T for w in (qk, kk, vk)])))
                m.in_proj_bias.copy_(torch.from_numpy(np.concatenate([b.reshape(-1) for b in (qb, kb, vb)])))
                m.out_proj.weight.copy_(torch.from_numpy(ok.reshape(-1, D).T))
                m.out_proj.bias.copy_(torch.from_numpy(ob))
            xp = torch.from_numpy(x)
            with torch.no_grad():
                yp = m(xp, xp, xp, need_weights=False)[0].numpy()
            if not np.allclose(y.numpy(), yp, rtol=1e-3, atol=1e-4):
                raise AssertionError(f"bench layers mha {bsz}x{T}x{D}: output differs from torch's")
            xg, dyp = xp.clone().requires_grad_(True), torch.from_numpy(dy)

            def tp_f():
                with torch.no_grad():
                    m(xp, xp, xp, need_weights=False)

            def tp_fb():
                xg.grad = None
                m.zero_grad()
                (m(xg, xg, xg, need_weights=False)[0] * dyp).sum().backward()
            t_pf, t_pfb = timeit(tp_f), timeit(tp_fb)
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    cols = ["attention", "batch x seq x dim", "fwd ms", "fwd+bwd ms"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    return table(cols, rows)


def run(args):
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = (_bn_rows(args, torch, rng) + _ln_rows(args, torch, rng) + _gn_rows(args, torch, rng)
            + _emb_rows(args, torch, rng))
    cols = ["layer", "shape", "fwd ms", "fwd GB/s", "fwd+bwd ms", "fwd vs numpy", "fwd+bwd vs numpy"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    return table(cols, rows) + "\n\n" + _mha_rows(args, torch, rng)
