"""Bounded, seeded randomized sweep of bad and edge-case inputs over every public op, every
kernels entry point and every native binding (issue 16).

Each case builds valid arguments for one op, then (usually) corrupts one or two of them: another
dtype, rank, a zero size, huge geometry, a view with negative or odd strides, a misaligned buffer
(np.frombuffer(offset=1)), aliasing between arguments (outputs and inputs, optimizer state views
of one buffer), NaN/Inf, None/lists/scalars/strings. The case is classified:

- a crash (the child process dies) or a hang (no progress for TENSORFORGE_FUZZ_HANG_S) fails;
- an exception must be a TypeError or ValueError, and for kernel-level ops its message must name
  the op (anything else -- AttributeError, KeyError, MemoryError, RuntimeError ... -- fails);
- a result must match the NumPy reference run on copies of the same arguments (copy semantics:
  an output aliasing an input reads the input as it was). NaN/Inf contract (README
  "Reliability"): where the reference is NaN the result is NaN, where it is +-Inf the result is
  not finite; with non-finite inputs the native kernels may give NaN where the reference has Inf
  or a finite value (Winograd tiles, Note [Winograd]); finite values agree within tolerance.

Cases run in child processes, many cases per child: a child that dies or hangs is replaced and
the sweep continues after the case that killed it. Defaults: 1500 cases (seconds);
TENSORFORGE_FUZZ_CASES=100000 for the long mode, TENSORFORGE_FUZZ_SEED to vary the sweep.
"""
import json
import os
import select
import subprocess
import sys
import time

import numpy as np
import pytest

CASES = int(os.environ.get("TENSORFORGE_FUZZ_CASES", "1500"))
SEED = int(os.environ.get("TENSORFORGE_FUZZ_SEED", "16"))
HANG_S = float(os.environ.get("TENSORFORGE_FUZZ_HANG_S", "60"))
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Case generation (runs in the worker; deterministic in (SEED, index))
# ---------------------------------------------------------------------------------------------
HUGE = [2 ** 31, 2 ** 40, 2 ** 62, 2 ** 63 - 1]
BAD_INTS = [0, -1, -2 ** 63, 1.5, None, "3", True] + HUGE
SPECIAL = [np.nan, np.inf, -np.inf]


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def conv_dims(rng):
    N, H, W, CI, CO = (int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9)),
                       int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    if rng.random() < 0.15:  # Winograd-sized layer
        N, H, W, CI, CO = 1, int(rng.integers(6, 12)), int(rng.integers(6, 12)), 16, 16
    KH, KW = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    if rng.random() < 0.2:
        sh, sw = rng.choice([1, 2, 2 ** 31, 2 ** 40]), rng.choice([1, 2 ** 31, 2 ** 62])
        sh, sw = int(sh), int(sw)
    pt, pl, pb, pr = (int(rng.integers(0, 3)) for _ in range(4))
    eh, ew = (KH - 1) * dh + 1, (KW - 1) * dw + 1
    H = max(H, eh - pt - pb)
    W = max(W, ew - pl - pr)
    OH = (H + pt + pb - eh) // sh + 1
    OW = (W + pl + pr - ew) // sw + 1
    return dict(N=N, H=H, W=W, CI=CI, CO=CO, KH=KH, KW=KW, sh=sh, sw=sw, dh=dh, dw=dw, pt=pt, pl=pl,
                pb=pb, pr=pr, OH=OH, OW=OW)


def pool_dims(rng):
    N, H, W, C = (int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9)),
                  int(rng.integers(1, 5)))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    if rng.random() < 0.15:
        kh = kw = int(rng.choice([2 ** 31, 2 ** 20]))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    pt, pl = int(rng.integers(0, min(kh, 3))), int(rng.integers(0, min(kw, 3)))
    pb, pr = int(rng.integers(0, min(kh, 3))), int(rng.integers(0, min(kw, 3)))
    if kh > H + pt + pb:  # huge window: 'same'-style pads
        pt = pb = (kh - 1) // 2
    if kw > W + pl + pr:
        pl = pr = (kw - 1) // 2
    OH = (H + pt + pb - kh) // sh + 1
    OW = (W + pl + pr - kw) // sw + 1
    return dict(N=N, H=H, W=W, C=C, kh=kh, kw=kw, sh=sh, sw=sw, pt=pt, pl=pl, pb=pb, pr=pr, OH=OH,
                OW=OW)


def rnn_arrays(rng, G, B=None):
    B = B or int(rng.integers(1, 4))
    T, F, U = int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return B, T, F, U, f32(rng, B, T, F), f32(rng, F, G * U, scale=0.5), f32(rng, U, G * U, scale=0.5)


class Case:
    """One call: fn(*args, **kwargs) on the native side, ref(*args, **kwargs) on copies."""

    def __init__(self, name, level, args, kwargs=None, inplace=(), named=True):
        self.name, self.level, self.args, self.kwargs = name, level, list(args), dict(kwargs or {})
        self.inplace = tuple(inplace)   # indices of args updated in place (compared after the call)
        self.named = named               # an error message must name the op
        self.mutations = []
        self.expect_error = False
        self.ref = None                  # an independent NumPy oracle for level "ops"


def _c_cases():
    """Builders for the native bindings (tensorforge._C), same names as tensorforge.reference."""
    B = {}

    def gemm(rng):
        M, K, N = (int(rng.integers(1, 70)) for _ in range(3))
        if rng.random() < 0.4:  # square: every argument may alias every other
            K = N = M
        ta, tb = bool(rng.integers(2)), bool(rng.integers(2))
        a = f32(rng, *((K, M) if ta else (M, K)))
        b = f32(rng, *((N, K) if tb else (K, N)))
        c = f32(rng, M, N) if rng.random() < 0.5 else None
        beta = float(rng.choice([0.0, 1.0, 0.5])) if c is not None else 0.0
        bias = f32(rng, N) if rng.random() < 0.3 else None
        act = pick(rng, [None, "relu"])
        return Case("gemm", "C", [a, b, c, 1.0, beta, ta, tb, bias, act], inplace=(2,) if c is not None else ())
    B["gemm"] = gemm

    def gemm_batched(rng):  # np.matmul: broadcast batch dimensions, b 2-D or a 2-D too
        M, K, N = (int(rng.integers(1, 40)) for _ in range(3))
        ba, bb = [((3,), (3,)), ((2, 1), (1, 4)), ((5,), ()), ((), (2,)), ((2, 1, 3), (1, 2, 1))][
            int(rng.integers(5))]
        return Case("gemm_batched", "C", [f32(rng, *ba, M, K), f32(rng, *bb, K, N)])
    B["gemm_batched"] = gemm_batched

    def dense_b(rng):
        M, K, N = (int(rng.integers(1, 70)) for _ in range(3))
        y = np.maximum(f32(rng, M, N), 0) if rng.random() < 0.5 else None
        flags = [bool(rng.random() < 0.8) for _ in range(3)]
        return Case("dense_backward", "C", [f32(rng, M, N), f32(rng, M, K), f32(rng, K, N), y] + flags)
    B["dense_backward"] = dense_b

    def conv_f(rng):
        d = conv_dims(rng)
        x, w = f32(rng, d["N"], d["H"], d["W"], d["CI"]), f32(rng, d["KH"], d["KW"], d["CI"], d["CO"])
        b = f32(rng, d["CO"]) if rng.random() < 0.5 else None
        return Case("conv2d_forward", "C", [x, w, b, d["sh"], d["sw"], d["pt"], d["pl"], d["pb"], d["pr"],
                                            d["dh"], d["dw"], pick(rng, [None, "relu"])])
    B["conv2d_forward"] = conv_f

    def conv_b(rng):
        d = conv_dims(rng)
        x, w = f32(rng, d["N"], d["H"], d["W"], d["CI"]), f32(rng, d["KH"], d["KW"], d["CI"], d["CO"])
        dy = f32(rng, d["N"], d["OH"], d["OW"], d["CO"])
        y = np.maximum(f32(rng, *dy.shape), 0) if rng.random() < 0.3 else None
        flags = [bool(rng.random() < 0.8) for _ in range(3)]
        return Case("conv2d_backward", "C", [dy, x, w, d["sh"], d["sw"], d["pt"], d["pl"], d["pb"], d["pr"],
                                             d["dh"], d["dw"]] + flags + [y])
    B["conv2d_backward"] = conv_b

    def dw_args(rng):  # x (N, H, W, C), w (KH, KW, C, depth_multiplier), geometry, dims
        d = conv_dims(rng)
        M = int(rng.integers(1, 4))
        x, w = f32(rng, d["N"], d["H"], d["W"], d["CI"]), f32(rng, d["KH"], d["KW"], d["CI"], M)
        return x, w, [d[k] for k in ("sh", "sw", "pt", "pl", "pb", "pr", "dh", "dw")], d

    def dw_f(rng):
        x, w, g, _ = dw_args(rng)
        b = [f32(rng, x.shape[3] * w.shape[3])] if rng.random() < 0.5 else []
        return Case("depthwise_conv2d_forward", "C", [x, w] + g + b)
    B["depthwise_conv2d_forward"] = dw_f

    def dw_b(rng):
        x, w, g, d = dw_args(rng)
        dy = f32(rng, d["N"], d["OH"], d["OW"], x.shape[3] * w.shape[3])
        flags = [bool(rng.random() < 0.8) for _ in range(3)]
        return Case("depthwise_conv2d_backward", "C", [dy, x, w] + g + flags)
    B["depthwise_conv2d_backward"] = dw_b

    def pool(kind):
        def make(rng):
            d = pool_dims(rng)
            x = f32(rng, d["N"], d["H"], d["W"], d["C"])
            g = [d[k] for k in ("kh", "kw", "sh", "sw", "pt", "pl", "pb", "pr")]
            if kind == "max_f":
                return Case("max_pool2d_forward", "C", [x] + g + [bool(rng.integers(2))])
            if kind == "avg_f":
                return Case("avg_pool2d_forward", "C", [x] + g)
            dy = f32(rng, d["N"], d["OH"], d["OW"], d["C"])
            if kind == "avg_b":
                return Case("avg_pool2d_backward", "C", [dy, d["H"], d["W"]] + g)
            from tensorforge import reference as R
            _, am = R.max_pool2d_forward(x, *g, True)
            return Case("max_pool2d_backward", "C", [dy, am, d["H"], d["W"]] + g)
        return make
    for k, n in (("max_f", "max_pool2d_forward"), ("avg_f", "avg_pool2d_forward"),
                 ("max_b", "max_pool2d_backward"), ("avg_b", "avg_pool2d_backward")):
        B[n] = pool(k)
    B["global_avg_pool2d_forward"] = lambda rng: Case("global_avg_pool2d_forward", "C", [f32(rng, 2, 3, 4, 5)])
    B["global_avg_pool2d_backward"] = lambda rng: Case("global_avg_pool2d_backward", "C",
                                                       [f32(rng, 2, 5), int(rng.integers(1, 5)), int(rng.integers(1, 5))])

    def up_dims(rng):
        return [int(rng.integers(1, 4)) for _ in range(4)], int(rng.integers(1, 4)), int(rng.integers(1, 4))
    B["upsample_nearest2d_forward"] = lambda rng: (lambda d: Case(
        "upsample_nearest2d_forward", "C", [f32(rng, *d[0]), d[1], d[2]]))(up_dims(rng))
    B["upsample_nearest2d_backward"] = lambda rng: (lambda d: Case(
        "upsample_nearest2d_backward", "C",
        [f32(rng, d[0][0], d[0][1] * d[1], d[0][2] * d[2], d[0][3]), d[1], d[2]]))(up_dims(rng))

    kinds = ["relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear"]

    def act_f(rng):
        return Case("act_forward", "C", [f32(rng, 3, 7, scale=3), pick(rng, kinds), 0.2])
    B["act_forward"] = act_f

    def act_b(rng):
        from tensorforge import reference as R
        k = pick(rng, kinds)
        x = f32(rng, 4, 5, scale=3)
        return Case("act_backward", "C", [f32(rng, 4, 5), x, R.act_forward(x, k, 0.2), k, 0.2])
    B["act_backward"] = act_b
    B["softmax_forward"] = lambda rng: Case("softmax_forward", "C", [f32(rng, 3, int(rng.integers(1, 40)), scale=5)])

    def sm_b(rng):
        from tensorforge import reference as R
        C = int(rng.integers(1, 40))
        return Case("softmax_backward", "C", [f32(rng, 3, C), R.softmax_forward(f32(rng, 3, C))])
    B["softmax_backward"] = sm_b

    def xent(fwd):
        def make(rng):
            from tensorforge import reference as R
            N, C = int(rng.integers(1, 6)), int(rng.integers(1, 12))
            sparse = bool(rng.integers(2))
            t = (rng.integers(0, C, N).astype(pick(rng, [np.int32, np.int64])) if sparse
                 else R.softmax_forward(f32(rng, N, C)))
            if fwd:
                return Case("softmax_xent_forward", "C", [f32(rng, N, C, scale=3), t, sparse])
            return Case("softmax_xent_backward", "C", [R.softmax_forward(f32(rng, N, C)), t, sparse, 0.5])
        return make
    B["softmax_xent_forward"] = xent(True)
    B["softmax_xent_backward"] = xent(False)

    def xent_stats(rng):
        from tensorforge import reference as R
        N, C = int(rng.integers(1, 40)), int(rng.integers(1, 12))
        sparse = bool(rng.integers(2))
        t = (rng.integers(0, C, N).astype(pick(rng, [np.int32, np.int64])) if sparse
             else R.softmax_forward(f32(rng, N, C)))
        return Case("xent_batch_stats", "C", [np.abs(f32(rng, N)), f32(rng, N, C), t, sparse])
    B["xent_batch_stats"] = xent_stats
    B["dropout_forward"] = lambda rng: Case("dropout_forward", "C", [f32(rng, 5, 6), float(rng.choice([0.0, 0.3, 0.9])),
                                                                   int(rng.integers(0, 2 ** 40))])

    def drop_b(rng):
        from tensorforge import reference as R
        x = f32(rng, 5, 6)
        _, m = R.dropout_forward(x, 0.3, 7)
        return Case("dropout_backward", "C", [f32(rng, 5, 6), m, 0.3])
    B["dropout_backward"] = drop_b

    def optim(name):
        def make(rng):
            shape = tuple(int(s) for s in rng.integers(1, 9, int(rng.integers(1, 3))))
            p, g = f32(rng, *shape), f32(rng, *shape)
            if name == "sgd_update":
                return Case(name, "C", [p, g, np.zeros(shape, np.float32), 0.1, 0.9, bool(rng.integers(2))], inplace=(0, 2))
            if name == "rmsprop_update":
                return Case(name, "C", [p, g, np.abs(f32(rng, *shape)), 0.01, 0.9, 1e-7], inplace=(0, 2))
            if name == "adam_update":
                return Case(name, "C", [p, g, f32(rng, *shape), np.abs(f32(rng, *shape)), 0.01, 0.9, 0.999, 1e-7,
                                        int(rng.integers(1, 5))], inplace=(0, 2, 3))
            return Case(name, "C", [p, g, np.abs(f32(rng, *shape)) + 0.1, 0.01, 1e-7], inplace=(0, 2))
        return make
    for n in ("sgd_update", "rmsprop_update", "adam_update", "adagrad_update"):
        B[n] = optim(n)

    def adam_multi(rng):
        cases = [optim("adam_update")(rng) for _ in range(int(rng.integers(1, 4)))]
        lists = [[c.args[i] for c in cases] for i in range(4)]
        return Case("adam_update_multi", "C", lists + cases[0].args[4:], inplace=(0, 2, 3))
    B["adam_update_multi"] = adam_multi

    def rnn_f(name, G):
        def make(rng):
            Bn, T, F, U, x, k, rk = rnn_arrays(rng, G)
            mask = (rng.random((Bn, T)) < 0.8).astype(np.float32) if rng.random() < 0.3 else None
            gb = bool(rng.integers(2))
            if name == "lstm_forward":
                return Case(name, "C", [x, k, rk, f32(rng, 4 * U), f32(rng, Bn, U), f32(rng, Bn, U), mask, gb,
                                        "tanh", "sigmoid"])
            if name == "gru_forward":
                ra = bool(rng.integers(2))
                bias = f32(rng, 2, 3 * U) if ra else f32(rng, 3 * U)
                return Case(name, "C", [x, k, rk, bias, f32(rng, Bn, U), mask, gb, ra, "tanh", "sigmoid"])
            return Case(name, "C", [x, k, rk, f32(rng, U), f32(rng, Bn, U), mask, gb, "tanh"])
        return make

    def rnn_b(name, G):
        def make(rng):
            from tensorforge import reference as R
            Bn, T, F, U, x, k, rk = rnn_arrays(rng, G)
            mask = (rng.random((Bn, T)) < 0.8).astype(np.float32) if rng.random() < 0.3 else None
            gb = bool(rng.integers(2))
            dout, dh = f32(rng, Bn, T, U), f32(rng, Bn, U)
            if name == "lstm_backward":
                _, _, _, gates, hp, cp = R.lstm_forward(x, k, rk, None, None, None, mask, gb, "tanh", "sigmoid")
                return Case(name, "C", [dout, dh, f32(rng, Bn, U), x, k, rk, mask, gb, "tanh", "sigmoid",
                                        gates, hp, cp])
            if name == "gru_backward":
                ra = bool(rng.integers(2))
                _, _, gates, hp, rh = R.gru_forward(x, k, rk, None, None, mask, gb, ra, "tanh", "sigmoid")
                return Case(name, "C", [dout, dh, x, k, rk, mask, gb, ra, "tanh", "sigmoid", gates, hp, rh])
            _, _, cand, hp = R.simple_rnn_forward(x, k, rk, None, None, mask, gb, "tanh")
            return Case(name, "C", [dout, dh, x, k, rk, mask, gb, "tanh", cand, hp])
        return make
    for n, G in (("lstm", 4), ("gru", 3), ("simple_rnn", 1)):
        B[n + "_forward"] = rnn_f(n + "_forward", G)
        B[n + "_backward"] = rnn_b(n + "_backward", G)

    def bn_args(rng):
        shape = tuple(int(rng.integers(1, 7)) for _ in range(int(rng.integers(2, 5))))
        axis = int(rng.integers(-len(shape), len(shape)))
        C = shape[axis]
        opt = lambda: f32(rng, C) if rng.random() < 0.7 else None  # noqa: E731
        return f32(rng, *shape), opt(), opt(), f32(rng, C), np.abs(f32(rng, C)) + 0.5, axis
    def bn_train(rng):
        x, g, b, mm, mv, axis = bn_args(rng)
        return Case("batch_norm_forward_train", "C", [x, g, b, mm, mv, axis, 0.9, 1e-3], inplace=(3, 4))
    B["batch_norm_forward_train"] = bn_train

    def bn_infer(rng):
        x, g, b, mm, mv, axis = bn_args(rng)
        return Case("batch_norm_forward_infer", "C", [x, g, b, mm, mv, axis, 1e-3])
    B["batch_norm_forward_infer"] = bn_infer

    def bn_bwd(rng):
        x, g, _, mean, inv, axis = bn_args(rng)
        return Case("batch_norm_backward", "C", [f32(rng, *x.shape), x, mean, inv, g, axis])
    B["batch_norm_backward"] = bn_bwd

    def emb_args(rng):
        V, D = int(rng.integers(1, 30)), int(rng.integers(1, 20))
        ids = rng.integers(0, V, tuple(int(rng.integers(0, 5)) for _ in range(int(rng.integers(1, 3)))))
        return f32(rng, V, D), ids.astype(pick(rng, [np.int32, np.int64]))
    B["embedding_forward"] = lambda rng: Case("embedding_forward", "C", list(emb_args(rng)))

    def emb_bwd(rng):
        table, ids = emb_args(rng)
        return Case("embedding_backward", "C", [f32(rng, *ids.shape, table.shape[1]), ids, table.shape[0]])
    B["embedding_backward"] = emb_bwd
    return B


def _kernel_cases():
    """Builders for tensorforge.kernels (Keras-style arguments; the same validation for every
    backend, so the reference is the same call on the numpy backend)."""
    K = {}

    def conv(rng):
        d = conv_dims(rng)
        x, w = f32(rng, d["N"], d["H"], d["W"], d["CI"]), f32(rng, d["KH"], d["KW"], d["CI"], d["CO"])
        pad = pick(rng, ["valid", "same", "valid", "same", 1, (1, 2)])
        return Case("conv2d", "kernels", [x, w, f32(rng, d["CO"]) if rng.random() < 0.5 else None,
                                          (d["sh"], d["sw"]), pad, (d["dh"], d["dw"]),
                                          pick(rng, [None, "relu"])])
    K["conv2d"] = conv

    def pool(name):
        def make(rng):
            d = pool_dims(rng)
            ps = (d["kh"], d["kw"]) if rng.random() < 0.7 else int(rng.choice([2, 2 ** 31]))
            st = None if rng.random() < 0.5 else (d["sh"], d["sw"])
            return Case(name, "kernels", [f32(rng, d["N"], d["H"], d["W"], d["C"]), ps, st,
                                          str(rng.choice(["valid", "same"]))])
        return make
    K["max_pool2d"] = pool("max_pool2d")
    K["avg_pool2d"] = pool("avg_pool2d")
    K["global_avg_pool2d"] = lambda rng: Case("global_avg_pool2d", "kernels", [f32(rng, 2, 3, 3, 4)])

    def gemm(rng):
        M, Kk, N = (int(rng.integers(1, 40)) for _ in range(3))
        return Case("gemm", "kernels", [f32(rng, M, Kk), f32(rng, Kk, N)])
    K["gemm"] = gemm

    def conv_b(rng):
        c = conv(rng)
        x, w, _, st, pad, dil, _ = c.args
        from tensorforge import kernels
        y = kernels.conv2d(x, w, None, st, pad, dil)  # the right dy shape (or an error)
        return Case("conv2d_backward", "kernels", [f32(rng, *y.shape), x, w, st, pad, dil])

    def conv_b_safe(rng):
        try:
            return conv_b(rng)
        except ValueError:
            return conv(rng)
    K["conv2d_backward"] = conv_b_safe

    def _safe(build):
        def make(rng):
            try:
                return build(rng)
            except ValueError:  # geometry with no output: fuzz the forward conv instead
                return conv(rng)
        return make

    def conv_t(rng):  # conv2d_transpose maps a conv2d output shape back to its input shape
        x, w, _, st, pad, dil, _ = conv(rng).args
        from tensorforge import kernels
        y = kernels.conv2d(x, w, None, st, pad, dil)
        b = f32(rng, w.shape[2]) if rng.random() < 0.5 else None
        return Case("conv2d_transpose", "kernels", [f32(rng, *y.shape), w, b, x.shape[1:3], st, pad, dil])
    K["conv2d_transpose"] = _safe(conv_t)

    def conv_t_b(rng):
        x, w, _, st, pad, dil, _ = conv(rng).args
        from tensorforge import kernels
        y = kernels.conv2d(x, w, None, st, pad, dil)
        return Case("conv2d_transpose_backward", "kernels",
                    [f32(rng, *x.shape), f32(rng, *y.shape), w, st, pad, dil])
    K["conv2d_transpose_backward"] = _safe(conv_t_b)

    def dw_conv(rng):
        x, w, _, st, pad, dil, _ = conv(rng).args
        M = int(rng.integers(1, 3))
        b = [f32(rng, x.shape[3] * M)] if rng.random() < 0.5 else []
        return Case("depthwise_conv2d", "kernels",
                    [x, f32(rng, w.shape[0], w.shape[1], x.shape[3], M), st, pad, dil] + b)
    K["depthwise_conv2d"] = dw_conv

    def dw_conv_b(rng):
        x, w, st, pad, dil = dw_conv(rng).args[:5]
        from tensorforge import kernels
        y = kernels.depthwise_conv2d(x, w, st, pad, dil)
        return Case("depthwise_conv2d_backward", "kernels", [f32(rng, *y.shape), x, w, st, pad, dil],
                    {"need_db": bool(rng.random() < 0.5)})
    K["depthwise_conv2d_backward"] = _safe(dw_conv_b)

    def pool_b(name):
        def make(rng):
            from tensorforge import kernels
            c = K[name](rng)
            x, ps, st, pad = c.args
            try:
                y, am = kernels.max_pool2d(x, ps, st, pad, with_argmax=True)
            except ValueError:
                return c
            dy = f32(rng, *y.shape)
            if name == "max_pool2d":
                return Case("max_pool2d_backward", "kernels", [dy, am, x.shape, ps, st, pad])
            return Case("avg_pool2d_backward", "kernels", [dy, x.shape, ps, st, pad])
        return make
    K["max_pool2d_backward"] = pool_b("max_pool2d")
    K["avg_pool2d_backward"] = pool_b("avg_pool2d")
    K["global_avg_pool2d_backward"] = lambda rng: Case("global_avg_pool2d_backward", "kernels",
                                                       [f32(rng, 2, 4), int(rng.integers(1, 4)), 3])
    K["upsample_nearest2d"] = lambda rng: Case("upsample_nearest2d", "kernels", [
        f32(rng, *(int(rng.integers(1, 4)) for _ in range(4))), int(rng.integers(1, 4)),
        int(rng.integers(1, 4))])
    K["upsample_nearest2d_backward"] = lambda rng: Case("upsample_nearest2d_backward", "kernels", [
        f32(rng, int(rng.integers(1, 3)), 6, 4, int(rng.integers(1, 4))), pick(rng, [1, 2, 3]),
        pick(rng, [1, 2, 4])])
    K["matmul"] = lambda rng: Case("matmul", "kernels", [f32(rng, 2, 3, 4), f32(rng, 4, 5)])
    for n in ("sgd_update", "rmsprop_update", "adam_update", "adagrad_update", "act_forward",
              "act_backward", "softmax_forward", "softmax_backward", "softmax_xent_forward",
              "softmax_xent_backward", "dropout_forward", "dropout_backward"):
        K[n] = _relevel(n, "kernels")
    # the batch norm and embedding entry points take the bindings' arguments under their own names
    for n, c_name in (("batch_norm_train", "batch_norm_forward_train"),
                      ("batch_norm_infer", "batch_norm_forward_infer"),
                      ("batch_norm_backward", "batch_norm_backward"),
                      ("embedding_forward", "embedding_forward"), ("embedding_backward", "embedding_backward")):
        K[n] = _renamed(c_name, n, "kernels")
    return K


def _renamed(c_name, name, level):
    def make(rng):
        c = _C_BUILDERS[c_name](rng)
        c.name, c.level = name, level
        return c
    return make


def _relevel(name, level):
    def make(rng):
        c = _C_BUILDERS[name](rng)
        c.level = level
        return c
    return make


def _ops_cases():
    """Builders for the public tensorforge.ops; with grad=True the float array arguments become
    Tensors requiring grad and the case also runs backward() (gradients compared too)."""
    O = {}

    def binary(name):
        return lambda rng: Case(name, "ops", [f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 4)]))], named=False)
    for n in ("add", "sub", "mul", "div", "maximum"):
        O[n] = binary(n)
    for n in ("neg", "exp", "abs", "sqrt", "log"):
        O[n] = (lambda n: lambda rng: Case(n, "ops", [np.abs(f32(rng, 3, 4)) + 0.1], named=False))(n)
    O["power"] = lambda rng: Case("power", "ops", [np.abs(f32(rng, 3, 4)) + 0.1, float(rng.choice([2, 0.5, -1]))], named=False)
    O["sum"] = lambda rng: Case("sum", "ops", [f32(rng, 3, 4)], {"axis": pick(rng, [None, 0, 1, -1])}, named=False)
    O["mean"] = lambda rng: Case("mean", "ops", [f32(rng, 3, 4)], {"axis": pick(rng, [None, 0, 1])}, named=False)
    O["reshape"] = lambda rng: Case("reshape", "ops", [f32(rng, 3, 4), (4, 3)], named=False)
    O["transpose"] = lambda rng: Case("transpose", "ops", [f32(rng, 3, 4)], named=False)
    O["clip"] = lambda rng: Case("clip", "ops", [f32(rng, 3, 4), -0.5, 0.5], named=False)
    O["matmul"] = lambda rng: Case("matmul", "ops", [f32(rng, 3, 4), f32(rng, 4, 5)])
    O["gemm"] = lambda rng: Case("gemm", "ops", [f32(rng, 3, 4), f32(rng, 4, 5)])
    O["concatenate"] = lambda rng: Case("concatenate", "ops", [[f32(rng, 2, 3), f32(rng, 2, 2)]], {"axis": -1}, named=False)
    kb = _kernel_cases()
    for n in ("conv2d", "max_pool2d", "avg_pool2d", "global_avg_pool2d"):
        O[n] = _relevel_from(kb[n], "ops")
    for n in ("relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear"):
        O[n] = (lambda n: lambda rng: Case(n, "ops", [f32(rng, 3, 5, scale=3)]))(n)
    O["softmax"] = lambda rng: Case("softmax", "ops", [f32(rng, 2, 3, 4)], {"axis": int(rng.choice([-1, 0, 1]))})

    def xent(rng):
        N, C = int(rng.integers(1, 6)), int(rng.integers(1, 8))
        sparse = bool(rng.integers(2))
        t = rng.integers(0, C, N) if sparse else np.eye(C, dtype=np.float32)[rng.integers(0, C, N)]
        return Case("softmax_cross_entropy", "ops", [f32(rng, N, C), t, sparse])
    O["softmax_cross_entropy"] = xent
    O["dropout"] = lambda rng: Case("dropout", "ops", [f32(rng, 4, 5), 0.5], {"seed": 3})

    def rnn(name, G):
        def make(rng):
            Bn, T, F, U, x, k, rk = rnn_arrays(rng, G)
            bias = f32(rng, G * U) if name != "gru" else f32(rng, 2, 3 * U)
            return Case(name, "ops", [x, k, rk, bias])
        return make
    O["lstm"], O["gru"], O["simple_rnn"] = rnn("lstm", 4), rnn("gru", 3), rnn("simple_rnn", 1)
    O["batch_norm_train"] = _renamed("batch_norm_forward_train", "batch_norm_train", "ops")
    O["batch_norm_infer"] = _renamed("batch_norm_forward_infer", "batch_norm_infer", "ops")
    O["embedding_lookup"] = _renamed("embedding_forward", "embedding_lookup", "ops")
    for n in ("conv2d_transpose", "depthwise_conv2d"):
        O[n] = _relevel_from(kb[n], "ops")
    O.update(_oracle_ops_cases())
    return O


def _shape(rng, lo=1, hi=5, rank=None):
    r = int(rng.integers(1, 4)) if rank is None else rank
    return tuple(int(rng.integers(lo, hi)) for _ in range(r))


def _axis_pick(rng, ndim, multi=True):
    """A legal axis (None, an int, negative ints, a list) or, sometimes, an illegal one."""
    if rng.random() < 0.15:
        return pick(rng, [ndim, -ndim - 1, 1.5, "0", 2 ** 62, [0, 0] if ndim else [0]])
    if multi and rng.random() < 0.3:
        return pick(rng, [None, list(range(ndim)), [-1] if ndim else None])
    return int(rng.integers(-ndim, ndim)) if ndim else None


def _t(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _o(x):
    """The NumPy array an oracle computes on (lists become float64 arrays: the tolerance of
    compare() covers float32 vs float64)."""
    from tensorforge.autograd import Tensor
    if isinstance(x, (Tensor, np.ndarray)):
        return x.data if isinstance(x, Tensor) else x
    return Tensor(x).data  # Python numbers and lists: the dtype the ops give them (float32)


_ACT_ORACLE = {
    "linear": lambda x, a: x, "relu": lambda x, a: np.where(x > 0, x, np.where(x != x, x, 0)),
    "leaky_relu": lambda x, a: np.where(x > 0, x, a * x), "tanh": lambda x, a: np.tanh(x),
    "elu": lambda x, a: np.where(x > 0, x, a * (np.exp(np.minimum(x, 0)) - 1)),
    "sigmoid": lambda x, a: 1 / (1 + np.exp(-x)),
    "softplus": lambda x, a: np.logaddexp(0, x),
    "hard_sigmoid": lambda x, a: np.clip(0.2 * x + 0.5, 0, 1),
    "selu": lambda x, a: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))),
}


def _oracle_ops_cases():
    """Builders for the public ops written on the array module (reductions, shape ops,
    elementwise): each Case carries an independent NumPy oracle (Case.ref) instead of the same
    op on the numpy backend."""
    O = {}

    def case(name, args, ref, kwargs=None):
        c = Case(name, "ops", args, kwargs)
        c.ref = ref
        return c

    def reduction(name, fn, kinds="f"):
        def make(rng):
            x = f32(rng, *_shape(rng))
            if kinds == "i" and rng.random() < 0.5:
                x = rng.integers(-3, 4, x.shape).astype(np.int32)
            axis = _axis_pick(rng, x.ndim)
            kd = bool(rng.integers(2))
            return case(name, [x, axis, kd], lambda x, axis, kd: fn(_o(x).astype(np.float64), _t(axis), kd))
        return make
    O["reduce_max"] = reduction("reduce_max", lambda x, a, k: np.max(x, axis=a, keepdims=k), "i")
    O["reduce_min"] = reduction("reduce_min", lambda x, a, k: np.min(x, axis=a, keepdims=k), "i")
    O["reduce_prod"] = reduction("reduce_prod", lambda x, a, k: np.prod(x, axis=a, keepdims=k), "i")
    O["reduce_var"] = reduction("reduce_var", lambda x, a, k: np.var(x, axis=a, keepdims=k))
    O["logsumexp"] = reduction("logsumexp", lambda x, a, k: np.log(np.sum(np.exp(x), axis=a, keepdims=k)))
    O["reduce_any"] = reduction("reduce_any", lambda x, a, k: np.any(x != 0, axis=a, keepdims=k))
    O["reduce_all"] = reduction("reduce_all", lambda x, a, k: np.all(x != 0, axis=a, keepdims=k))

    def any_all_bool(name):
        base = O[name]

        def make(rng):
            c = base(rng)
            if rng.random() < 0.5:  # masks: mostly one value, so both outcomes occur
                c.args[0] = rng.random(c.args[0].shape) < pick(rng, [0.1, 0.9])
            return c
        return make
    O["reduce_any"] = any_all_bool("reduce_any")
    O["reduce_all"] = any_all_bool("reduce_all")

    def scan(name, fn):
        def make(rng):
            x = f32(rng, *_shape(rng))
            return case(name, [x, _axis_pick(rng, x.ndim, multi=False) if rng.random() < 0.9 else None],
                        lambda x, axis: fn(_o(x).astype(np.float64), axis=axis))
        return make
    O["cumsum"] = scan("cumsum", np.cumsum)
    O["cumprod"] = scan("cumprod", np.cumprod)

    def arg(name, fn):
        def make(rng):
            x = f32(rng, *_shape(rng))
            if rng.random() < 0.3:  # ties: the first index wins, as NumPy
                x = rng.integers(0, 2, x.shape).astype(np.float32)
            axis = _axis_pick(rng, x.ndim, multi=False) if rng.random() < 0.85 else None
            return case(name, [x, axis], lambda x, axis: fn(_o(x), axis=axis))
        return make
    O["argmax"] = arg("argmax", np.argmax)
    O["argmin"] = arg("argmin", np.argmin)

    def norm_axis(rng):
        ndim = int(rng.integers(0, 5))
        axis = _axis_pick(rng, ndim)
        ndim_arg = ndim if rng.random() < 0.9 else pick(rng, [-1, 1.5, None, "2"])

        def ref(op, axis, ndim, shape):
            if axis is None:
                return None
            items = axis if isinstance(axis, (list, tuple)) else [axis]
            return tuple(sorted(a % ndim for a in items))
        c = case("normalize_axis", ["fuzz", axis, ndim_arg, (3,) * ndim], ref)
        c.named = False  # its errors name the op it is given ("fuzz")
        return c
    O["normalize_axis"] = norm_axis

    def stack(rng):
        shape = _shape(rng)
        n = int(rng.integers(1, 4))
        xs = [f32(rng, *shape) for _ in range(n)]
        if rng.random() < 0.15:
            xs[-1] = f32(rng, *(shape + (2,)))  # mismatched shapes
        axis = int(rng.integers(-len(shape) - 1, len(shape) + 1)) if rng.random() < 0.85 else pick(rng, [len(shape) + 1, 1.5, None])
        return case("stack", [xs, axis], lambda xs, axis: np.stack([_o(x) for x in xs], axis=axis))
    O["stack"] = stack

    def einsum(rng):
        eq, shapes = pick(rng, [("ab,bc->ac", [(2, 3), (3, 4)]), ("ae,pe->ap", [(3, 2), (4, 2)]),
                                ("abc,xba->xc", [(2, 3, 2), (4, 3, 2)]), ("ij,jk", [(2, 3), (3, 1)]),
                                ("ab->", [(3, 2)]), ("ab,b->a", [(2, 5), (5,)])])
        xs = [f32(rng, *sh) for sh in shapes]
        if rng.random() < 0.15:
            xs[-1] = f32(rng, *(tuple(shapes[-1][:-1]) + (shapes[-1][-1] + 1,)))  # sizes disagree
        elif rng.random() < 0.1:
            eq = pick(rng, ["aa->a", "...a->a", "ab,bc->ad"])  # diagonal, ellipsis, unknown index
        return case("einsum", [eq] + xs, lambda eq, *xs: np.einsum(eq, *[_o(x) for x in xs]))
    O["einsum"] = einsum

    def tile(rng):
        x = f32(rng, *_shape(rng))
        reps = tuple(int(rng.integers(0, 3)) for _ in range(x.ndim))
        if rng.random() < 0.2:  # huge counts are geometry only: a ValueError before allocating
            reps = reps[:-1] + (pick(rng, [2 ** 40, 2 ** 62, -1]),)
        return case("tile", [x, reps], lambda x, reps: np.tile(_o(x), reps))
    O["tile"] = tile

    def repeat(rng):
        x = f32(rng, *_shape(rng))
        rep = int(rng.integers(0, 4)) if rng.random() < 0.8 else pick(rng, [2 ** 40, 2 ** 62, -1])
        return case("repeat", [x, rep, _axis_pick(rng, x.ndim, multi=False)],
                    lambda x, rep, axis: np.repeat(_o(x), rep, axis=axis))
    O["repeat"] = repeat

    def gather(rng):
        ref = f32(rng, *_shape(rng))
        idx = rng.integers(0, ref.shape[0], _shape(rng, 0, 4)).astype(pick(rng, [np.int32, np.int64]))
        return case("gather", [ref, idx], lambda r, i: np.take(_o(r), _o(i), axis=0))
    O["gather"] = gather

    def reverse(rng):
        x = f32(rng, *_shape(rng))
        axes = _axis_pick(rng, x.ndim)
        return case("reverse", [x, axes],
                    lambda x, axes: np.flip(_o(x), axis=_t(axes) if axes is not None else ()))
    O["reverse"] = reverse

    def pad(rng):
        x = f32(rng, *_shape(rng))
        pads = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(x.ndim)]
        if rng.random() < 0.2:  # huge widths are geometry only
            pads[-1] = (0, pick(rng, [2 ** 40, 2 ** 62, -1]))
        return case("pad", [x, tuple(pads)], lambda x, pads: np.pad(_o(x), pads))
    O["pad"] = pad

    def unary(name, fn):
        return lambda rng: case(name, [f32(rng, *_shape(rng), scale=3)], lambda x: fn(_o(x)))
    O["square"] = unary("square", np.square)
    O["sin"] = unary("sin", np.sin)
    O["cos"] = unary("cos", np.cos)

    def minimum(rng):
        return case("minimum", [f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 4), (2, 4)]))],
                    lambda a, b: np.minimum(_o(a), _o(b)))
    O["minimum"] = minimum

    def where(rng):
        cond = rng.random(pick(rng, [(3, 4), (4,), (1, 4), (2, 4)])) < 0.5
        if rng.random() < 0.3:
            cond = cond.astype(np.float32)
        return case("where", [cond, f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 1)]))],
                    lambda c, a, b: np.where(_o(c).astype(bool), _o(a), _o(b)))
    O["where"] = where

    def cast(rng):
        x = f32(rng, *_shape(rng), scale=3)
        dt = pick(rng, [np.float64, np.int32, np.int64, np.float16, "float32", bool, "bogus", object, str])
        return case("cast", [x, dt], lambda x, dt: _o(x).astype(dt))
    O["cast"] = cast

    def generic_act(rng):
        x = f32(rng, *_shape(rng), scale=3).astype(pick(rng, [np.float32, np.float64]))
        kind = pick(rng, list(_ACT_ORACLE) + ["swish2"])
        alpha = float(rng.choice([0.0, 0.2, 1.0]))
        return case("generic_act", [x, kind, alpha],
                    lambda x, kind, alpha: _ACT_ORACLE[kind](_o(x).astype(np.float64), alpha))
    O["generic_act"] = generic_act

    def generic_softmax(rng):
        x = f32(rng, *_shape(rng), scale=3).astype(pick(rng, [np.float32, np.float64]))

        def ref(x, axis):
            x = _o(x).astype(np.float64)
            if x.size == 0:
                return x
            e = np.exp(x - np.max(x, axis=_t(axis), keepdims=True))
            return e / np.sum(e, axis=_t(axis), keepdims=True)
        return case("generic_softmax", [x, _axis_pick(rng, x.ndim)], ref)
    O["generic_softmax"] = generic_softmax

    def upsample(rng):
        x = f32(rng, int(rng.integers(1, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 5)), 2)
        size = pick(rng, [2, (1, 3), (2, 1), 2 ** 40, (1, 2 ** 62), 0])
        interp = pick(rng, ["nearest", "nearest", "bilinear", "cubic"])
        c = Case("upsample2d", "ops", [x, size, interp])
        if interp == "nearest":
            def ref(x, size, interp):
                sh, sw = (size, size) if isinstance(size, int) else size
                return np.repeat(np.repeat(_o(x), sh, axis=1), sw, axis=2)
            c.ref = ref
        return c
    O["upsample2d"] = upsample
    return O


def _relevel_from(make0, level):
    def make(rng):
        c = make0(rng)
        c.level = level
        return c
    return make


def _public_ops():
    import tensorforge as tf
    return {n for n in dir(tf.ops) if not n.startswith("_") and callable(getattr(tf.ops, n))}


def _loss_cases():
    def scce(rng):
        N, C = int(rng.integers(1, 6)), int(rng.integers(2, 8))
        from tensorforge import reference as R
        return Case("sparse_categorical_crossentropy", "losses",
                    [rng.integers(0, C, N), R.softmax_forward(f32(rng, N, C))])
    return {"sparse_categorical_crossentropy": scce}


_L_BUILDERS = _loss_cases()
_C_BUILDERS = _c_cases()
_K_BUILDERS = _kernel_cases()
_O_BUILDERS = {k: v for k, v in _ops_cases().items() if k in _public_ops()}
# Builders added after the sweep's seeded case list was fixed have their own sweep
# (test_late_builders_sweep): adding them to ALL would renumber every seeded case.
_LATE = {("C", "dense_backward"), ("C", "gemm_batched")}
ALL = ([("C", n) for n in sorted(_C_BUILDERS) if ("C", n) not in _LATE]
       + [("kernels", n) for n in sorted(_K_BUILDERS)]
       + [("ops", n) for n in sorted(_O_BUILDERS)] + [("ops-grad", n) for n in sorted(_O_BUILDERS)]
       + [("losses", n) for n in sorted(_L_BUILDERS)] + [("threads", "set_num_threads")])


# ---- mutations ------------------------------------------------------------------------------
def misaligned(a):
    if a.dtype.hasobject:
        return a
    raw = np.zeros(a.nbytes + 1, np.uint8)
    m = np.frombuffer(raw.data, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    m[...] = a
    return m


def odd_strides(a):
    if a.ndim == 0:
        return a
    ax = a.ndim - 1
    shape = list(a.shape)
    shape[ax] *= 3
    big = np.zeros(shape, a.dtype)
    idx = [slice(None)] * a.ndim
    idx[ax] = slice(1, None, 3)
    v = big[tuple(idx)]
    v[...] = a
    return v


ARRAY_MUTATIONS = ["f64", "i32", "bool", "c64", "obj", "rank+", "rank-", "zero", "negstride",
                   "oddstride", "misaligned", "fortran", "nan", "inf", "-inf", "none", "list",
                   "scalar", "str", "alias", "overlap", "readonly", "bigendian", "neg1"]


def mutate_array(rng, case, i, kind):
    a = case.args[i]
    if kind == "f64":  # (np.real: a complex argument's float64 form, without NumPy's warning)
        return np.real(a).astype(np.float64)
    if kind == "i32":
        return a.astype(np.int32)
    if kind == "bool":
        return a != 0
    if kind == "c64":
        return a.astype(np.complex64)
    if kind == "obj":
        return a.astype(object)
    if kind == "rank+":
        return a[None]
    if kind == "rank-":
        if a.ndim > 1:
            return a.reshape(-1)
        return a.reshape(-1)[:1].reshape(()) if a.size else np.zeros((), a.dtype)
    if kind == "zero":
        shape = list(a.shape) or [0]
        shape[int(rng.integers(len(shape)))] = 0
        return np.zeros(shape, a.dtype)
    if kind == "negstride":
        return np.flip(a, axis=int(rng.integers(a.ndim))) if a.ndim else a
    if kind == "oddstride":
        return odd_strides(a)
    if kind == "misaligned":
        return misaligned(a) if a.dtype != object else a
    if kind == "fortran":
        return np.asfortranarray(a)
    if kind in ("nan", "inf", "-inf"):
        b = a.copy()
        if b.size and b.dtype.kind == "f":
            b.reshape(-1)[int(rng.integers(b.size))] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[kind]
        return b
    if kind == "none":
        return None
    if kind == "list":
        return a.tolist()
    if kind == "scalar":
        return 1.0
    if kind == "str":
        return "x"
    if kind == "readonly":
        b = a.copy()
        b.flags.writeable = False
        return b
    if kind == "neg1":  # an invalid class label / id / argmax entry (floats: a plain -1)
        b = a.copy()
        if b.size and b.dtype.kind in "if":
            b.reshape(-1)[int(rng.integers(b.size))] = -1
        return b
    if kind == "bigendian":
        return a.astype(a.dtype.newbyteorder(">"))
    if kind == "alias":  # the same array object as another argument of the same shape and dtype
        others = [j for j, b in enumerate(case.args) if j != i and isinstance(b, np.ndarray)
                  and b.shape == a.shape and b.dtype == a.dtype]
        if others:
            return case.args[int(rng.choice(others))]
        return a
    if kind == "overlap":  # offset views of one buffer for this and another same-shape argument
        others = [j for j, b in enumerate(case.args) if j != i and isinstance(b, np.ndarray)
                  and b.shape == a.shape and b.dtype == a.dtype]
        if not others or a.size < 2:
            return a
        j = int(rng.choice(others))
        buf = np.zeros(a.size * 2, a.dtype)
        off = int(rng.integers(1, a.size))
        v1, v2 = buf[:a.size].reshape(a.shape), buf[off:off + a.size].reshape(a.shape)
        v1[...] = a
        case.args[j] = v2
        v2[...] = case.args[j] if False else v2
        return v1
    raise AssertionError(kind)


def mutate(rng, case):
    n = 1 if rng.random() < 0.7 else 2
    for _ in range(n):
        i = int(rng.integers(len(case.args)))
        a = case.args[i]
        if isinstance(a, np.ndarray):
            kind = pick(rng, ARRAY_MUTATIONS)
            case.args[i] = mutate_array(rng, case, i, kind)
        elif isinstance(a, bool):
            kind = "bool->" + pick(rng, ["int", "none", "str"])
            case.args[i] = {"bool->int": 2, "bool->none": None, "bool->str": "yes"}[kind]
        elif isinstance(a, (int, np.integer)):
            v = BAD_INTS[int(rng.integers(len(BAD_INTS)))]
            kind = f"int->{v!r}"
            case.args[i] = v
        elif isinstance(a, float):
            v = [np.nan, np.inf, -1.0, 2.0, None, "0.1", 1e30][int(rng.integers(7))]
            kind = f"float->{v!r}"
            case.args[i] = v
        elif isinstance(a, str) or a is None:
            v = ["bogus", None, 3, ""][int(rng.integers(4))]
            kind = f"str->{v!r}"
            case.args[i] = v
        elif isinstance(a, (tuple, list)):
            v = [(0, 1), (-1, 2), (2 ** 31, 1), (1.5, 1), (1, 2, 3), "same2", None, 2 ** 62][int(rng.integers(8))]
            kind = f"seq->{v!r}"
            case.args[i] = v
        else:
            continue
        case.mutations.append(f"arg{i}:{kind}")


# Layer constructors given nonsense must raise (Keras 2 raises for these at construction or at
# the first build): (layer, keyword, good value) and the bad values tried for each.
LAYER_ARGS = [("Dense", "units", 4), ("Conv2D", "filters", 4), ("Conv2D", "kernel_size", 3),
              ("Conv2D", "strides", 1), ("Conv2D", "dilation_rate", 1), ("Conv2D", "padding", "same"),
              ("MaxPooling2D", "pool_size", 2), ("MaxPooling2D", "strides", 2),
              ("AveragePooling2D", "pool_size", 2), ("LSTM", "units", 3), ("GRU", "units", 3),
              ("SimpleRNN", "units", 3), ("Embedding", "input_dim", 10), ("Embedding", "output_dim", 3),
              ("Dropout", "rate", 0.5), ("BatchNormalization", "axis", -1), ("LeakyReLU", "alpha", 0.3)]
BAD_LAYER_VALUES = [1.5, "10", 0, -1, (0, 3), (2, -1), True, 2.5, "same2", [1, 2, 3], None]
_NONE_OK = {("MaxPooling2D", "strides"), ("AveragePooling2D", "strides")}
_REQUIRED = {"Dense": ["units"], "Conv2D": ["filters", "kernel_size"], "LSTM": ["units"],
             "GRU": ["units"], "SimpleRNN": ["units"], "Embedding": ["input_dim", "output_dim"],
             "Dropout": ["rate"]}


def _layer_case(rng):
    layer, key, good = LAYER_ARGS[int(rng.integers(len(LAYER_ARGS)))]
    bad = BAD_LAYER_VALUES[int(rng.integers(len(BAD_LAYER_VALUES)))]
    defaults = {"units": 4, "filters": 4, "kernel_size": 3, "input_dim": 10, "output_dim": 3, "rate": 0.5}
    kwargs = {k: defaults[k] for k in _REQUIRED.get(layer, [])}
    kwargs[key] = bad
    valid = ((layer, key) in _NONE_OK and bad is None) or (
        key == "rate" and bad in (0,)) or (key == "axis" and bad in (0, -1)) or (
        key == "alpha" and isinstance(bad, (int, float)) and not isinstance(bad, bool)) or (
        key == "padding" and bad == "same")
    c = Case(layer, "layers", [], kwargs)
    c.mutations = [f"{key}={bad!r}"]
    c.expect_error = not valid
    return c


# Constructor / argument cases beyond LAYER_ARGS, each checked against tf_keras 2 (Keras raises
# for these, or tensorforge documents a stricter check): (the name the message must contain,
# the call). All must raise TypeError or ValueError; _CTOR_OK must run.
CTOR_BAD = [
    ("Conv1D", "L.Conv1D(0, 3)"), ("Conv1D", "L.Conv1D(4, 0)"), ("Conv1D", "L.Conv1D(4, 3, strides=0)"),
    ("Conv1D", "L.Conv1D(1.5, 3)"), ("Conv2DTranspose", "L.Conv2DTranspose(4, 3, strides=2, output_padding=2)"),
    ("Conv2DTranspose", "L.Conv2DTranspose(4, 3, strides=0)"), ("Conv2DTranspose", "L.Conv2DTranspose(0, 3)"),
    ("UpSampling1D", "L.UpSampling1D(0)"), ("UpSampling2D", "L.UpSampling2D(0)"),
    ("UpSampling2D", "L.UpSampling2D(2, interpolation='cubic')"), ("ZeroPadding1D", "L.ZeroPadding1D(-1)"),
    ("ZeroPadding2D", "L.ZeroPadding2D(((1, -1), (0, 0)))"), ("Cropping1D", "L.Cropping1D(-1)"),
    ("Cropping2D", "L.Cropping2D(((1, -1), (0, 0)))"), ("SeparableConv2D", "L.SeparableConv2D(4, 3, depth_multiplier=0)"),
    ("DepthwiseConv2D", "L.DepthwiseConv2D(3, depth_multiplier=0)"), ("DepthwiseConv2D", "L.DepthwiseConv2D(0)"),
    ("MaxPooling1D", "L.MaxPooling1D(0)"), ("AveragePooling1D", "L.AveragePooling1D(2, padding='foo')"),
    ("GlobalAveragePooling2D", "L.GlobalAveragePooling2D(data_format='foo')"),
    ("GlobalMaxPooling1D", "L.GlobalMaxPooling1D(data_format='foo')"), ("TimeDistributed", "L.TimeDistributed(5)"),
    ("RepeatVector", "L.RepeatVector(0)"), ("RepeatVector", "L.RepeatVector(1.5)"), ("Permute", "L.Permute((1, 1))"),
    ("Permute", "L.Permute(5)"), ("Masking", "L.Masking(mask_value='x')"), ("Dropout", "L.SpatialDropout1D(1.5)"),
    ("Dropout", "L.SpatialDropout2D(-0.1)"), ("GaussianDropout", "L.GaussianDropout(1.0)"),
    ("AlphaDropout", "L.AlphaDropout(1.5)"), ("GaussianNoise", "L.GaussianNoise(-1)"),
    ("ActivityRegularization", "L.ActivityRegularization(l1='x')"),
    ("LayerNormalization", "L.LayerNormalization(axis=1.5)"), ("LayerNormalization", "L.LayerNormalization(epsilon=-1)"),
    ("ReLU", "L.ReLU(max_value=-1)"), ("ReLU", "L.ReLU(threshold=-1)"), ("initializer", "L.PReLU(alpha_initializer='bogus')"),
    ("ELU", "L.ELU(alpha='x')"), ("ThresholdedReLU", "L.ThresholdedReLU(theta=-1)"), ("Softmax", "L.Softmax(axis=1.5)"),
    ("ConvLSTM2D", "L.ConvLSTM2D(4, 0)"), ("ConvLSTM2D", "L.ConvLSTM2D(0, 3)"),
    ("Adadelta", "O.Adadelta(rho=1.5)"), ("Adamax", "O.Adamax(beta_1=1.0)"), ("Nadam", "O.Nadam(beta_1=1.5)"),
    ("Adam", "O.Adam(amsgrad='x')"), ("decay", "O.Adam(decay=-1)"), ("decay", "O.SGD(decay=-1)"),
    ("ExponentialDecay", "S.ExponentialDecay(0.1, 0, 0.9)"),
    ("PiecewiseConstantDecay", "S.PiecewiseConstantDecay([1, 2], [0.1])"),
    ("ReduceLROnPlateau", "C.ReduceLROnPlateau(factor=1.0)"), ("mode", "C.EarlyStopping(mode='foo')"),
    ("pad_sequences", "pad_sequences([[1, 2]], maxlen=-1)"), ("pad_sequences", "pad_sequences([[1, 2]], padding='middle')"),
    ("Tokenizer", "Tokenizer(num_words=-1)"), ("ImageDataGenerator", "ImageDataGenerator(zoom_range=(1, 2, 3))"),
    ("ImageDataGenerator", "ImageDataGenerator(rotation_range='x')"),
    ("ImageDataGenerator", "ImageDataGenerator(validation_split=1.5)"),
    ("fit", "fit(validation_split=1.5)"), ("fit", "fit(class_weight={'a': 1})"), ("fit", "fit(class_weight={5: 1.0})"),
    ("fit", "fit(sample_weight=np.ones(3))"), ("fit", "fit(steps_per_epoch=0)"), ("fit", "fit(epochs=-1)"),
    ("fit", "fit(epochs=1.5)"), ("fit", "fit(batch_size=2.5)"), ("fit", "fit(epochs=0)"),
]
CTOR_OK = ["L.Conv2DTranspose(4, 3, strides=2, output_padding=1)", "L.UpSampling2D((1, 3))",
           "L.Softmax(axis=1)", "L.ReLU(max_value=6.0)", "O.Adam(amsgrad=True)", "fit(epochs=2, initial_epoch=2)",
           "ImageDataGenerator(width_shift_range=[-1, 0, 1])", "L.Permute((2, 1))"]


def _ctor_case(rng):
    if rng.random() < 0.15:
        c = Case("ctor", "ctor", [pick(rng, CTOR_OK)])
        c.mutations = [c.args[0]]
        return c
    name, call = pick(rng, CTOR_BAD)
    c = Case(name, "ctor", [call])
    c.mutations = [call]
    c.expect_error = True
    return c


def _run_ctor(case):
    from tensorforge import callbacks as C, layers as L, models, optimizers as O
    from tensorforge.optimizers import schedules as S
    from tensorforge.preprocessing.image import ImageDataGenerator
    from tensorforge.preprocessing.sequence import pad_sequences
    from tensorforge.preprocessing.text import Tokenizer

    def fit(**kw):
        m = models.Sequential([L.Dense(2, input_shape=(3,))])
        m.compile("sgd", "mse")
        m.fit(np.zeros((8, 3), np.float32), np.zeros((8, 2), np.float32), verbose=0, **kw)
    ns = dict(L=L, O=O, S=S, C=C, np=np, fit=fit, pad_sequences=pad_sequences, Tokenizer=Tokenizer,
              ImageDataGenerator=ImageDataGenerator)
    tag = f"ctor: {case.args[0]}"
    try:
        eval(case.args[0], ns)  # noqa: S307  (a fixed table of calls)
    except (TypeError, ValueError) as e:
        if not case.expect_error:
            return "wrong-error", f"{tag}: a valid call refused: {e}"
        return ("error-ok" if case.name in str(e) else "unnamed-error"), f"{tag}: {e}"
    except Exception as e:  # noqa: BLE001
        return "wrong-exception", f"{tag}: {type(e).__name__}: {e}"
    return ("silent-acceptance", tag) if case.expect_error else ("ok", tag)


def make_case(index):
    rng = np.random.default_rng([SEED, index])
    r = rng.random()
    if r < 0.04:
        return _layer_case(rng), rng
    if r < 0.06:
        return _ctor_case(rng), rng
    level, name = ALL[int(rng.integers(len(ALL)))]
    if level == "threads":
        n = [0, -1, 1, 2, 1024, 1025, 16384, 65536, 2 ** 31, 1.5, None, "2"][int(rng.integers(12))]
        c = Case("set_num_threads", "threads", [n])
        return c, rng
    builders = {"C": _C_BUILDERS, "kernels": _K_BUILDERS, "ops": _O_BUILDERS, "ops-grad": _O_BUILDERS,
                "losses": _L_BUILDERS}[level]
    c = builders[name](rng)
    c.level = level
    if rng.random() < 0.75:
        mutate(rng, c)
    return c, rng


# ---- running and comparing ------------------------------------------------------------------
def _copy(v):
    if isinstance(v, np.ndarray):
        return np.array(v, copy=True)  # aligned, C-contiguous, no aliasing
    if isinstance(v, list):
        return [_copy(e) for e in v]
    return v


def _call(case, backend, args):
    import tensorforge as tf
    from tensorforge import _native, kernels, ops, reference
    from tensorforge.autograd import Tensor
    kwargs = case.kwargs
    if case.level == "C":
        fn = getattr(_native._C, case.name) if backend == "cpu" else getattr(reference, case.name)
        out = fn(*args, **kwargs)
        return out, [args[i] for i in case.inplace]
    tf.set_backend(backend)
    try:
        if case.level == "kernels":
            out = getattr(kernels, case.name)(*args, **kwargs)
            return out, [args[i] for i in case.inplace]
        if case.level == "losses":
            from tensorforge import losses
            return getattr(losses, case.name)(*args, **kwargs), []
        fn = getattr(ops, case.name)
        if case.level == "ops":
            return fn(*args, **kwargs), []
        # ops-grad: float32 arrays become Tensors requiring grad; backward of a weighted sum of
        # the outputs. The weights are random (seeded by the output's shape, so both backends
        # use the same): with all-ones weights a normalization's input gradients are zero by
        # symmetry, and comparing two round-off noises checks nothing.
        targs = [Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype == np.float32
                 and a.size else a for a in args]
        out = fn(*targs, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        total = None
        for o in outs:
            if isinstance(o, Tensor) and o.requires_grad:
                w = np.random.default_rng(o.data.size).uniform(-1, 1, o.data.shape)
                s = ops.sum(ops.mul(o, Tensor(w.astype(o.data.dtype))))
                total = s if total is None else ops.add(total, s)
        if total is not None:
            total.backward()
        grads = [t.grad if isinstance(t, Tensor) else None for t in targs]
        return [o.data if isinstance(o, Tensor) else o for o in outs], grads
    finally:
        tf.set_backend("cpu")


def _flatten(v, out):
    from tensorforge.autograd import Tensor
    if isinstance(v, Tensor):
        v = v.data
    if isinstance(v, (tuple, list)):
        for e in v:
            _flatten(e, out)
    else:
        out.append(v)
    return out


def _nonfinite_inputs(case):
    for a in _flatten(case.args, []):
        if isinstance(a, np.ndarray) and a.dtype.kind in "fc" and not np.isfinite(a).all():
            return True
    return False


def compare(got, ref, nonfinite_in):
    """None if got matches ref (module docstring contract), else the reason."""
    g, r = _flatten(got, []), _flatten(ref, [])
    if len(g) != len(r):
        return f"{len(g)} outputs, reference has {len(r)}"
    for k, (a, b) in enumerate(zip(g, r)):
        if a is None or b is None:
            if (a is None) != (b is None):
                return f"output {k}: {type(a).__name__} vs reference {type(b).__name__}"
            continue
        if not hasattr(a, "shape") or not hasattr(b, "shape"):
            if a != b and not (a != a and b != b):
                return f"output {k}: {a!r} vs reference {b!r}"
            continue
        if tuple(a.shape) != tuple(b.shape):
            return f"output {k}: shape {tuple(a.shape)} vs reference {tuple(b.shape)}"
        if a.dtype.kind not in "fc":
            same = np.asarray(a == b) | (np.asarray(a != a) & np.asarray(b != b))  # NaN == NaN
            if a.shape != b.shape or not same.all():
                return f"output {k}: {a.dtype} values differ from the reference"
            continue
        a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
        if (np.isnan(b64) & ~np.isnan(a64)).any():
            return f"output {k}: a NaN of the reference is lost"
        if (np.isinf(b64) & np.isfinite(a64)).any():
            return f"output {k}: an Inf of the reference is lost"
        fin = np.isfinite(a64) & np.isfinite(b64)
        if not nonfinite_in and (np.isfinite(b64) & ~np.isfinite(a64)).any():
            return f"output {k}: non-finite where the reference is finite (finite inputs)"
        if fin.any():
            scale = np.abs(b64[np.isfinite(b64)]).max() if np.isfinite(b64).any() else 1.0
            err = np.abs(a64[fin] - b64[fin])
            tol = 2e-3 * max(scale, 1e-6) + 2e-3 * np.abs(b64[fin]) + 1e-6
            if (err > tol).any():
                return f"output {k}: max error {err.max():.3g} (reference scale {scale:.3g})"
    return None


def run_case(index, case=None):
    """(status, detail) for one case (seeded case ``index``, or ``case`` as given); status
    'ok', 'error-ok' or a failure kind."""
    import warnings
    if case is None:
        case, _ = make_case(index)
    tag = f"{case.level}:{case.name} {case.mutations}"
    if case.level == "layers":
        from tensorforge import layers
        try:
            getattr(layers, case.name)(**case.kwargs)
        except (TypeError, ValueError) as e:
            if not case.expect_error:
                return "wrong-error", f"{tag}: a valid argument refused: {e}"
            return ("error-ok" if case.name in str(e) else "unnamed-error"), f"{tag}: {e}"
        except Exception as e:  # noqa: BLE001
            return "wrong-exception", f"{tag}: {type(e).__name__}: {e}"
        return ("silent-acceptance", tag) if case.expect_error else ("ok", tag)
    if case.level == "ctor":
        return _run_ctor(case)
    if case.level == "threads":
        import tensorforge as tf
        from tensorforge import ops, reference
        try:
            try:
                tf.set_num_threads(case.args[0])
            except (TypeError, ValueError) as e:
                return ("error-ok" if "set_num_threads" in str(e) else "unnamed-error"), f"{tag}: {e}"
            except Exception as e:  # noqa: BLE001
                return "wrong-exception", f"{tag}: {type(e).__name__}: {e}"
            # an accepted thread count must work: a Winograd-sized convolution
            x = np.ones((2, 12, 12, 16), np.float32)
            w = np.full((3, 3, 16, 16), 1 / 144, np.float32)
            why = compare(ops.conv2d(x, w, padding="same"),
                          reference.conv2d_forward(x, w, None, 1, 1, 1, 1, 1, 1, 1, 1, None), False)
        finally:
            tf.set_num_threads(2)
        return ("wrong-result", f"{tag}: {why}") if why else ("ok", tag)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            ref_args = [_copy(a) for a in case.args]  # before the native call updates in place
            try:
                got = _call(case, "cpu", case.args)
            except (TypeError, ValueError) as e:
                msg = str(e)
                if case.named and case.level != "ops-grad" and not _names_op(case.name, msg):
                    return "unnamed-error", f"{tag}: {type(e).__name__}: {msg}"
                return "error-ok", tag
            except Exception as e:  # noqa: BLE001
                return "wrong-exception", f"{tag}: {type(e).__name__}: {e}"
            bad = _must_fail(case)
            if bad:
                return "silent-acceptance", f"{tag}: {bad} accepted"
            try:
                if case.ref is not None and case.level == "ops":
                    ref = case.ref(*ref_args, **case.kwargs)
                else:
                    ref = _call(case, "numpy", ref_args)
            except Exception as e:  # noqa: BLE001
                if case.level == "C":
                    return "ok", f"{tag} (reference refused: {type(e).__name__})"
                return "disagree", f"{tag}: native returned, reference raised {type(e).__name__}: {e}"
            if case.name == "max_pool2d_backward" and case.mutations:
                # an argmax from another geometry: the native kernel ignores entries outside
                # their window, the reference scatters them (documented in reference/pool.py)
                return "ok", tag + " (not compared)"
            why = compare(got, ref, _nonfinite_inputs(case))
    if why:
        return "wrong-result", f"{tag}: {why}"
    return "ok", tag


# Mutations that make an argument invalid by definition, for the native bindings (which take
# only ndarrays of their exact dtypes) and labels: a result instead of an error is a failure.
_C_MUST_FAIL = ("list", "scalar", "str", "obj", "c64", "bool", "bigendian")
_LABEL_ARGS = {("C", "softmax_xent_forward"): 1, ("C", "softmax_xent_backward"): 1,
               ("C", "xent_batch_stats"): 2,
               ("kernels", "softmax_xent_forward"): 1, ("kernels", "softmax_xent_backward"): 1,
               ("ops", "softmax_cross_entropy"): 1, ("ops-grad", "softmax_cross_entropy"): 1,
               ("losses", "sparse_categorical_crossentropy"): 0}


def _must_fail(case):
    for m in case.mutations:
        pos, _, kind = m.partition(":")
        i = int(pos[3:]) if pos.startswith("arg") else -1
        if case.level == "C" and kind in _C_MUST_FAIL:
            arg = case.args[i] if 0 <= i < len(case.args) else None
            one_byte = isinstance(arg, np.ndarray) and arg.dtype.itemsize == 1
            if not (kind == "bool" and one_byte and arg.dtype == np.uint8) and not (
                    kind == "bigendian" and one_byte):  # a 1-byte dtype has no byte order
                return m
        if kind == "neg1" and _LABEL_ARGS.get((case.level, case.name)) == i:
            sparse = case.args[2] if len(case.args) > 2 else False
            if case.name == "sparse_categorical_crossentropy" or sparse is True:
                return m + " (a label of -1)"
    return None


_ALIASES = {"conv2d": ["conv2d"], "gemm": ["gemm"], "matmul": ["matmul", "gemm"],
            "softmax_cross_entropy": ["softmax_cross_entropy", "softmax_xent"],
            "lstm": ["lstm"], "gru": ["gru"], "simple_rnn": ["simple_rnn"],
            "dropout": ["dropout"], "softmax": ["softmax"],
            "embedding_lookup": ["embedding_lookup", "embedding_forward"]}


def _names_op(name, msg):
    keys = _ALIASES.get(name, [name])
    if name in ("relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear"):
        keys = keys + ["act_forward", "act_backward", "relu"]
    if name.endswith("_pool2d"):
        keys = keys + [name + "_forward", name + "_backward"]
    return any(k in msg for k in keys)


def worker(start, stop):
    import tensorforge as tf
    tf.set_num_threads(2)
    for i in range(start, stop):
        print(f"S {i}", flush=True)
        try:
            status, detail = run_case(i)
        except Exception as e:  # noqa: BLE001  (a bug of the harness, reported as such)
            status, detail = "harness-error", f"{type(e).__name__}: {e}"
        print("R " + json.dumps([i, status, detail]), flush=True)


# ---------------------------------------------------------------------------------------------
# The driver (pytest side): shards of cases, each in a child process replaced after a crash
# ---------------------------------------------------------------------------------------------
def _run_shard(start, stop, env):
    """Run cases [start, stop) in child processes; return {index: (status, detail)}."""
    results = {}
    i, starts = start, 0
    while i < stop:
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", str(i), str(stop)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        current, started, last = None, False, time.monotonic()
        while True:
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if r:
                line = p.stdout.readline()
                if not line:
                    break
                last = time.monotonic()
                if line.startswith("S "):
                    current, started = int(line[2:]), True
                elif line.startswith("R "):
                    idx, status, detail = json.loads(line[2:])
                    results[idx] = (status, detail)
                    current = None
                    i = idx + 1
            elif time.monotonic() - last > (HANG_S if started else max(HANG_S, 600)):
                p.kill()
                p.wait()
                if current is not None:
                    c, _ = make_case(current)
                    results[current] = ("hang", f"{c.level}:{c.name} {c.mutations}: no result in {HANG_S:.0f} s")
                    i = current + 1
                break
        p.wait()
        if current is not None and current not in results:
            c, _ = make_case(current)
            err = p.stderr.read()[-500:] if p.stderr else ""
            results[current] = ("crash", f"{c.level}:{c.name} {c.mutations}: exit {p.returncode} {err}")
            i = current + 1
        elif not started and i < stop:
            starts += 1  # the worker never started (a loaded machine): try again, then give up
            if starts >= 3:
                err = p.stderr.read()[-500:] if p.stderr else ""
                raise RuntimeError(f"fuzz worker does not start (exit {p.returncode}): {err}")
    return results


def sweep(cases=CASES, jobs=None):
    import tensorforge
    env = dict(os.environ)  # children run the same package (an ASan build: tools/sanitize.sh)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(tensorforge.__file__)),
                                         env.get("PYTHONPATH", "")])
    env.setdefault("OMP_NUM_THREADS", "2")
    # outputs over 1 GiB are refused (a ValueError) rather than allocated: a shared CI machine
    env.setdefault("TENSORFORGE_MAX_OUTPUT_BYTES", str(2 ** 30))
    jobs = jobs or min(2, os.cpu_count() or 1)
    bounds = [(cases * k // jobs, cases * (k + 1) // jobs) for k in range(jobs)]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(jobs) as ex:
        parts = list(ex.map(lambda b: _run_shard(b[0], b[1], env), bounds))
    results = {}
    for p in parts:
        results.update(p)
    return results


def test_fuzz_sweep():
    pytest.importorskip("tensorforge._C")
    results = sweep()
    assert len(results) == CASES
    bad = {k: v for k, v in results.items() if v[0] not in ("ok", "error-ok")}
    counts = {}
    for s, _ in results.values():
        counts[s] = counts.get(s, 0) + 1
    report = "\n".join(f"case {k}: {s}: {d}" for k, (s, d) in sorted(bad.items())[:40])
    assert not bad, f"{len(bad)} of {CASES} fuzz cases failed {counts}:\n{report}"
    # the sweep must exercise both sides: results compared and errors raised
    assert counts.get("ok", 0) > CASES // 10 and counts.get("error-ok", 0) > CASES // 10, counts


def test_late_builders_sweep():
    """The builders kept out of ALL (_LATE), each through 200 seeded cases with the sweep's
    mutations and checks."""
    pytest.importorskip("tensorforge._C")
    bad, counts = {}, {}
    for level, name in sorted(_LATE):
        for index in range(200):
            rng = np.random.default_rng([SEED, 7919, index])
            case = {"C": _C_BUILDERS}[level][name](rng)
            case.level = level
            if rng.random() < 0.75:
                mutate(rng, case)
            status, detail = run_case(None, case)
            counts[status] = counts.get(status, 0) + 1
            if status not in ("ok", "error-ok"):
                bad[(name, index)] = detail
    assert not bad, f"{len(bad)} late-builder cases failed {counts}: {list(bad.items())[:10]}"
    assert counts.get("ok", 0) > 20 and counts.get("error-ok", 0) > 20, counts


def test_every_binding_and_op_is_swept():
    """Every native binding with a reference twin, every kernels entry point and every public op
    has a case builder."""
    from tensorforge import kernels
    from tensorforge import _native, reference
    if _native._C is not None:
        missing = [n for n in reference.OPS if hasattr(_native._C, n) and n not in _C_BUILDERS]
        assert not missing, missing
    entry = [n for n in dir(kernels) if callable(getattr(kernels, n)) and not n.startswith("_")]
    assert not [n for n in entry if n not in _K_BUILDERS], [n for n in entry if n not in _K_BUILDERS]
    public = [n for n in _public_ops() if n not in ("getitem", "unbroadcast")]
    missing = [n for n in public if n not in _O_BUILDERS]
    assert not missing, f"public ops without a fuzz case builder (add one to _ops_cases): {missing}"


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "sweep":  # python tests/test_fuzz.py sweep [N]: print the failures
        n = int(sys.argv[2]) if len(sys.argv) > 2 else CASES
        res = sweep(n)
        counts = {}
        for k, (s, d) in sorted(res.items()):
            counts[s] = counts.get(s, 0) + 1
            if s not in ("ok", "error-ok"):
                print(k, s, d)
        print(counts)
