"""The fuzz sweep's case builders for the native bindings (tensorforge._C, the names of
tensorforge.reference) and the kernels entry points, with the argument generators they share
(tests/test_fuzz.py runs them; deterministic in the rng they are given)."""
import numpy as np


HUGE = [2 ** 31, 2 ** 40, 2 ** 62, 2 ** 63 - 1]
BAD_INTS = [0, -1, -2 ** 63, 1.5, None, "3", True] + HUGE


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


def conv3d_dims(rng):
    """x shape, w shape and the 12 geometry ints (sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd,
    dh, dw) of a conv3d, its output shape (or None when the geometry has no output)."""
    N, C, F = int(rng.integers(1, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    if rng.random() < 0.15:  # a folded width of >= 16 channels (Winograd-sized)
        C, F = 8, 16
    k = [int(rng.integers(1, 4)) for _ in range(3)]
    s = [int(rng.integers(1, 3)) for _ in range(3)]
    if rng.random() < 0.15:
        s[int(rng.integers(3))] = int(rng.choice([2 ** 31, 2 ** 40]))
    d = [int(rng.integers(1, 3)) for _ in range(3)]
    p0, p1 = [int(rng.integers(0, 3)) for _ in range(3)], [int(rng.integers(0, 3)) for _ in range(3)]
    n = [max(int(rng.integers(1, 7)), (k[a] - 1) * d[a] + 1 - p0[a] - p1[a]) for a in range(3)]
    o = [(n[a] + p0[a] + p1[a] - (k[a] - 1) * d[a] - 1) // s[a] + 1 for a in range(3)]
    return (N, *n, C), (*k, C, F), s + p0 + p1 + d, (N, *o, F)


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

    def conv3d_f(rng):
        xs, ws, g, _ = conv3d_dims(rng)
        b = f32(rng, ws[4]) if rng.random() < 0.5 else None
        return Case("conv3d_forward", "C", [f32(rng, *xs), f32(rng, *ws), b] + g)
    B["conv3d_forward"] = conv3d_f

    def conv3d_b(rng):
        xs, ws, g, ys = conv3d_dims(rng)
        flags = [bool(rng.random() < 0.8) for _ in range(3)]
        return Case("conv3d_backward", "C", [f32(rng, *ys), f32(rng, *xs), f32(rng, *ws)] + g + flags)
    B["conv3d_backward"] = conv3d_b

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

    def convt_taps_f(rng):  # Conv2DTranspose, kernel == stride: x (N, H, W, C_out), w (KH, KW, C_in, C_out)
        N, H, W, CO, CI = (int(rng.integers(1, 5)) for _ in range(5))
        KH, KW = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        b = f32(rng, CI) if rng.random() < 0.5 else None
        return Case("conv2d_transpose_taps_forward", "C",
                    [f32(rng, N, H, W, CO), f32(rng, KH, KW, CI, CO), b])
    B["conv2d_transpose_taps_forward"] = convt_taps_f

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

    def rnn_dropout(name, G):  # the recurrent-dropout recurrences (reference/rnn_dropout.py)
        def make(rng):
            from tensorforge import reference as R
            Bn, T, _, U, _, _, rk = rnn_arrays(rng, G)
            mask = (rng.random((Bn, T)) < 0.8).astype(np.float32) if rng.random() < 0.3 else None
            gb, ra = bool(rng.integers(2)), bool(rng.integers(2))
            proj, keep = f32(rng, G, T, Bn, U), (rng.random((G, Bn, U)) < 0.8).astype(np.float32) * 1.25
            h0 = f32(rng, Bn, U) if rng.random() < 0.5 else None
            bh = f32(rng, U) if ra and rng.random() < 0.5 else None
            dout = f32(rng, Bn, T, U) if rng.random() < 0.8 else None
            if name == "lstm_dropout_forward":
                return Case(name, "C", [proj, rk, keep, h0, f32(rng, Bn, U), mask, gb, "tanh", "sigmoid"])
            if name == "gru_dropout_forward":
                return Case(name, "C", [proj, rk, bh, keep, h0, mask, gb, ra, "tanh", "sigmoid"])
            if name == "lstm_dropout_backward":
                _, _, _, gates, _, cp = R.lstm_dropout_forward(proj, rk, keep, h0, None, mask, gb, "tanh",
                                                               "sigmoid")
                return Case(name, "C", [dout, f32(rng, Bn, U), f32(rng, Bn, U), rk, keep, mask, gb, "tanh",
                                        "sigmoid", gates, cp])
            _, _, gates, hp, rh = R.gru_dropout_forward(proj, rk, bh, keep, h0, mask, gb, ra, "tanh", "sigmoid")
            return Case(name, "C", [dout, f32(rng, Bn, U), rk, keep, mask, gb, ra, "tanh", "sigmoid", gates,
                                    hp, rh])
        return make
    for n, G in (("lstm", 4), ("gru", 3)):
        for d in ("forward", "backward"):
            B[f"{n}_dropout_{d}"] = rnn_dropout(f"{n}_dropout_{d}", G)

    def bn_args(rng):
        shape = tuple(int(rng.integers(1, 7)) for _ in range(int(rng.integers(2, 5))))
        axis = int(rng.integers(-len(shape), len(shape)))
        C = shape[axis]
        opt = lambda: f32(rng, C) if rng.random() < 0.7 else None  # noqa: E731
        return f32(rng, *shape), opt(), opt(), f32(rng, C), np.abs(f32(rng, C)) + 0.5, axis
    def bn_train(rng):
        x, g, b, mm, mv, axis = bn_args(rng)
        bessel = bool(rng.integers(2))  # the moving variance with n/(n-1), or the biased one
        return Case("batch_norm_forward_train", "C", [x, g, b, mm, mv, axis, 0.9, 1e-3, bessel],
                    inplace=(3, 4))
    B["batch_norm_forward_train"] = bn_train

    def bn_infer(rng):
        x, g, b, mm, mv, axis = bn_args(rng)
        return Case("batch_norm_forward_infer", "C", [x, g, b, mm, mv, axis, 1e-3])
    B["batch_norm_forward_infer"] = bn_infer

    def bn_bwd(rng):
        x, g, _, mean, inv, axis = bn_args(rng)
        return Case("batch_norm_backward", "C", [f32(rng, *x.shape), x, mean, inv, g, axis])
    B["batch_norm_backward"] = bn_bwd

    def ln_args(rng):
        shape = tuple(int(rng.integers(1, 7)) for _ in range(int(rng.integers(1, 4))))
        C = shape[-1]
        opt = lambda: f32(rng, C) if rng.random() < 0.7 else None  # noqa: E731
        return f32(rng, *shape), opt(), opt()
    B["layer_norm_forward"] = lambda rng: Case("layer_norm_forward", "C",
                                               [*ln_args(rng), float(pick(rng, [1e-3, 1e-5, 0.0]))])

    def ln_bwd(rng):
        from tensorforge import reference as R
        x, g, _ = ln_args(rng)
        _, mean, inv = R.layer_norm_forward(x, None, None, 1e-3)
        return Case("layer_norm_backward", "C", [f32(rng, *x.shape), x, mean, inv, g])
    B["layer_norm_backward"] = ln_bwd

    def gn_args(rng):
        G = int(rng.integers(1, 4))
        shape = (int(rng.integers(1, 4)),) + tuple(int(rng.integers(1, 5)) for _ in range(
            int(rng.integers(0, 3))))
        axis = int(rng.integers(1, len(shape) + 1))
        # at least 3 values per group: with 1 or 2 (eps 0) the input gradient is 0 whatever the
        # data, and both sides' results are round-off noise of it
        Cg = int(rng.integers(1, 4))
        Cg = Cg if Cg * int(np.prod(shape[1:], dtype=np.int64)) >= 3 else 3
        shape = shape[:axis] + (G * Cg,) + shape[axis:]
        C = shape[axis]
        opt = lambda: f32(rng, C) if rng.random() < 0.7 else None  # noqa: E731
        return f32(rng, *shape), opt(), opt(), G, pick(rng, [axis, axis - len(shape)])
    B["group_norm_forward"] = lambda rng: Case("group_norm_forward", "C",
                                               [*gn_args(rng), float(pick(rng, [1e-3, 0.0]))])

    def gn_bwd(rng):
        from tensorforge import reference as R
        x, g, _, G, axis = gn_args(rng)
        _, mean, inv = R.group_norm_forward(x, None, None, G, axis, 1e-3)
        return Case("group_norm_backward", "C", [f32(rng, *x.shape), x, mean, inv, g, G, axis])
    B["group_norm_backward"] = gn_bwd

    def img_tr(rng):
        N = int(rng.integers(1, 3))
        x = f32(rng, N, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4)))
        t = (f32(rng, N, 8) * np.array([1, 1, 3, 1, 1, 3, 0.1, 0.1], np.float32)).astype(np.float32)
        return Case("image_transform", "C", [x, t, pick(rng, ["reflect", "wrap", "constant", "nearest"]),
                                             float(pick(rng, [0.0, -1.5])),
                                             pick(rng, ["nearest", "bilinear"]),
                                             int(rng.integers(0, 6)), int(rng.integers(0, 6))])
    B["image_transform"] = img_tr

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

    def conv3d_k(rng):
        xs, ws, g, _ = conv3d_dims(rng)
        b = f32(rng, ws[4]) if rng.random() < 0.5 else None
        return Case("conv3d", "kernels", [f32(rng, *xs), f32(rng, *ws), b, tuple(g[:3]),
                                          pick(rng, ["valid", "same"]), tuple(g[9:])])
    K["conv3d"] = conv3d_k

    def conv3d_kb(rng):
        x, w, _, st, pad, dil = conv3d_k(rng).args
        from tensorforge import kernels
        try:
            y = kernels.conv3d(x, w, None, st, pad, dil)  # the right dy shape (or an error)
        except ValueError:
            return conv3d_k(rng)
        return Case("conv3d_backward", "kernels", [f32(rng, *y.shape), x, w, st, pad, dil],
                    {"need_dx": bool(rng.random() < 0.8), "need_db": bool(rng.random() < 0.5)})
    K["conv3d_backward"] = conv3d_kb

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
                      ("embedding_forward", "embedding_forward"), ("embedding_backward", "embedding_backward"),
                      ("layer_norm_forward", "layer_norm_forward"),
                      ("layer_norm_backward", "layer_norm_backward"),
                      ("group_norm_forward", "group_norm_forward"),
                      ("group_norm_backward", "group_norm_backward"),
                      ("image_transform", "image_transform")):
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


_C_BUILDERS = _c_cases()
_K_BUILDERS = _kernel_cases()
