"""LSTM / GRU forward and forward+backward ms: tensorforge vs its NumPy fallback and PyTorch CPU.

Shapes (batch, time, features, units): (64, 28, 28, 128), (64, 28, 256, 256), (128, 28, 256, 256),
(32, 100, 512, 512). Weights are made in Keras layout and converted for torch.nn.LSTM / nn.GRU
(batch_first; GRU = Keras reset_after=True with torch's r, z, n gate order); every side's
outputs are checked against ours before timing. Same thread count on every side.
Forward+backward = the forward that saves for backward, then BPTT with a random upstream gradient
on the output sequence (all of x, kernel, recurrent_kernel and bias get gradients).
"""
import numpy as np

from ._util import table, timeit, timeit_alternating, try_torch

SHAPES = [(64, 28, 28, 128), (64, 28, 256, 256), (128, 28, 256, 256), (32, 100, 512, 512)]
# Targets (issue 4, 2 threads): fwd+bwd >= 5x NumPy; LSTM <= 0.8x torch; GRU <= 0.5x torch.
TARGET_VS_TORCH = {"lstm": 0.8, "gru": 0.5}


def make_weights(rng, cell, F, U):
    G = 4 if cell == "lstm" else 3
    kernel = (rng.standard_normal((F, G * U)) / np.sqrt(F)).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) / np.sqrt(U)).astype(np.float32)
    bias = (rng.standard_normal((G * U,) if cell == "lstm" else (2, G * U)) * 0.1).astype(np.float32)
    return kernel, rk, bias


def torch_module(torch, cell, F, U, kernel, rk, bias):
    """nn.LSTM / nn.GRU holding the same weights as the Keras-layout arrays."""
    if cell == "lstm":  # Keras i, f, c, o == torch i, f, g, o
        m = torch.nn.LSTM(F, U, batch_first=True)
        w_ih, w_hh, b_ih, b_hh = kernel.T, rk.T, bias, np.zeros_like(bias)
    else:  # Keras z, r, h (reset_after) -> torch r, z, n
        m = torch.nn.GRU(F, U, batch_first=True)

        def rz(a):
            return np.concatenate([a[..., U:2 * U], a[..., :U], a[..., 2 * U:]], axis=-1)
        w_ih, w_hh, b_ih, b_hh = rz(kernel).T, rz(rk).T, rz(bias[0]), rz(bias[1])
    with torch.no_grad():
        for p, v in ((m.weight_ih_l0, w_ih), (m.weight_hh_l0, w_hh), (m.bias_ih_l0, b_ih),
                     (m.bias_hh_l0, b_hh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    return m


def fns(cell, impl, x, kernel, rk, bias, dout):
    """(forward, forward+backward) closures on the array-level kernels of `impl`."""
    B, T, _ = x.shape
    U = rk.shape[0]
    z = np.zeros((B, U), np.float32)
    if cell == "lstm":
        def fwd():
            return impl.lstm_forward(x, kernel, rk, bias, None, None, None, False, "tanh", "sigmoid")

        def fwd_bwd():
            f = fwd()
            return impl.lstm_backward(dout, z, z, x, kernel, rk, None, False, "tanh", "sigmoid", *f[3:])
    else:
        def fwd():
            return impl.gru_forward(x, kernel, rk, bias, None, None, False, True, "tanh", "sigmoid")

        def fwd_bwd():
            f = fwd()
            return impl.gru_backward(dout, z, x, kernel, rk, None, False, True, "tanh", "sigmoid", *f[2:])
    return fwd, fwd_bwd


def check(name, got, ref, tol):
    err = float(np.abs(np.asarray(got, np.float64) - ref).max())
    scale = float(np.abs(ref).max()) + 1.0
    if not err <= tol * scale:
        raise AssertionError(f"bench rnn {name}: max error {err:.3g} > {tol:.1g} * {scale:.3g}")


def run(args):
    from .. import backend
    from .. import reference as ref
    torch = try_torch() if "torch" in args.against else None
    native = backend.lookup("lstm_forward", args.backend).__module__ != ref.rnn.__name__
    impl = type("Impl", (), {n: staticmethod(backend.lookup(n, args.backend)) for n in ref.rnn.__all__})
    rng = np.random.default_rng(0)
    shapes = SHAPES[:2] if args.quick else SHAPES
    rows = []
    for cell in ("lstm", "gru"):
        for B, T, F, U in shapes:
            x = rng.standard_normal((B, T, F)).astype(np.float32)
            kernel, rk, bias = make_weights(rng, cell, F, U)
            dout = rng.standard_normal((B, T, U)).astype(np.float32)
            fwd, fwd_bwd = fns(cell, impl, x, kernel, rk, bias, dout)
            # check ours against the reference run in float64 (forward and gradients)
            d = [a.astype(np.float64) for a in (x, kernel, rk, bias, dout)]
            r_fwd, r_fb = fns(cell, ref.rnn, *d)
            check(f"{cell} {(B, T, F, U)} outputs", fwd()[0], r_fwd()[0], 1e-4)
            for k, (g, rg) in enumerate(zip(fwd_bwd()[:3], r_fb()[:3])):
                check(f"{cell} {(B, T, F, U)} grad {k}", g, rg, 1e-3)
            t_nfb = tt_f = tt_fb = None
            if "numpy" in args.against and native:
                _, n_fb = fns(cell, ref.rnn, x, kernel, rk, bias, dout)
                t_nfb = timeit(n_fb, warmup=1, min_time=0.0, min_runs=2 if B * T * U > 500000 else 3)
            if torch is not None:
                m = torch_module(torch, cell, F, U, kernel, rk, bias)
                xt = torch.from_numpy(x).requires_grad_(True)
                gt = torch.from_numpy(dout)
                with torch.no_grad():
                    check(f"torch {cell} {(B, T, F, U)}", m(xt)[0].numpy(), fwd()[0].astype(np.float64), 1e-4)

                def t_fwd():
                    with torch.no_grad():
                        return m(xt)

                def t_fwd_bwd():
                    out = m(xt)[0]
                    out.backward(gt)

                # each side sampled in turns with the other (bench/_util.py timeit_alternating):
                # on a shared VM the same code's speed moves for seconds at a time
                t_f, tt_f = timeit_alternating([fwd, t_fwd], warmup=1, min_time=0.4, min_runs=6)
                t_fb, tt_fb = timeit_alternating([fwd_bwd, t_fwd_bwd], warmup=1, min_time=0.4,
                                                 min_runs=6)
            else:
                t_f = timeit(fwd, warmup=1, min_time=0.2, min_runs=3)
                t_fb = timeit(fwd_bwd, warmup=1, min_time=0.2, min_runs=3)
            # GEMM work of fwd+bwd: the input and recurrent projections (2*B*T*G*U*(F+U) FLOP)
            # forward, twice that backward (dx + dkernel, dh + drecurrent_kernel).
            gflop = 6.0 * B * T * (4 if cell == "lstm" else 3) * U * (F + U) / 1e9
            row = [cell.upper(), f"({B}, {T}, {F}, {U})", t_f * 1e3, t_fb * 1e3]
            if "numpy" in args.against:
                row += [t_nfb * 1e3, t_nfb / t_fb] if t_nfb is not None else ["-", "-"]
            if torch is not None:
                need = gflop / (TARGET_VS_TORCH[cell] * tt_fb)
                row += [tt_f * 1e3, tt_fb * 1e3, t_f / tt_f, t_fb / tt_fb, f"<= {TARGET_VS_TORCH[cell]}",
                        gflop / t_fb, gflop / tt_fb, need]
            rows.append(row)
    cols = ["cell", "(B, T, F, U)", "ours fwd ms", "ours fwd+bwd ms"]
    if "numpy" in args.against:
        cols += ["numpy fwd+bwd ms", "speedup vs numpy (>= 5)"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd ours/torch", "fwd+bwd ours/torch", "target",
                 "ours GFLOP/s", "torch GFLOP/s", "GFLOP/s target needs"]
    note = ("\n(GFLOP/s = fwd+bwd GEMM work 6*B*T*G*U*(F+U) / time; compare with the FMA peak of the "
            "threads used, measured with bench/fma_peak.c: e.g. ~38 GFLOP/s per Zen 1 core (AVX2), "
            "~115 per Zen 4 core, ~269 per Zen 5 core)")
    return table(cols, rows) + (note if torch is not None else "")
