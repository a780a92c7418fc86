"""CUDA benchmarks: tensorforge's _C_cuda kernels against cuBLAS (through CuPy) and PyTorch CUDA.

    python -m tensorforge.bench.cuda [--quick] [--against cupy,torch]

(or ``python -m tensorforge.bench cuda`` once "cuda" is listed in bench.SUITES).

- GEMM, square n = 1024, 2048, 4096, 8192 (fp32, TF32 OFF everywhere): ours vs ``cupy.matmul``
  (cuBLAS SGEMM) and ``torch.mm``. TF32 is disabled before CuPy loads (``CUPY_TF32=0``: CuPy then
  asks cuBLAS for the default fp32 compute type; ``NVIDIA_TF32_OVERRIDE=0`` forbids TF32 in every
  NVIDIA library) and for torch (``torch.backends.cuda.matmul.allow_tf32 = False``), and each
  peer's result is checked against a float64 reference on sampled rows and columns, so a peer that
  silently ran TF32 (relative error ~1e-3 instead of ~1e-6) fails the check instead of winning.
- LeNet's conv layers (forward, bias + relu fused) and 2x2 max pooling at batch 2048 vs torch
  (cuDNN, channels_last), checked on a slice against the reference first.
- LSTM / GRU forward and forward+backward vs torch.nn.LSTM / nn.GRU (cuDNN) at batch 64-256.
- LeNet training images/s at batch 256: Model.fit on the cuda backend vs PyTorch CUDA.
- Fused kernels (memory-bound, reported in GB/s of compulsory traffic, against the measured
  device-to-device copy bandwidth): relu and sigmoid forward, softmax-cross-entropy forward,
  Adam update; peers are the NumPy reference running on CuPy arrays (several CuPy kernels) and
  the PyTorch CUDA equivalents.

Every row is checked before it is timed; timing uses CUDA events around each call, after warm-up,
and reports the median. Without a GPU (or CuPy) ``run`` raises a RuntimeError saying why.
"""
import os
import statistics
import sys

import numpy as np

from ._util import table

SQUARE = [1024, 2048, 4096, 8192]


def _require_gpu():
    """Import CuPy with TF32 off and check that our CUDA kernels and a GPU are there."""
    os.environ.setdefault("CUPY_TF32", "0")
    os.environ.setdefault("NVIDIA_TF32_OVERRIDE", "0")
    if os.environ["CUPY_TF32"] != "0" or os.environ["NVIDIA_TF32_OVERRIDE"] != "0":
        raise RuntimeError("bench cuda: CUPY_TF32 and NVIDIA_TF32_OVERRIDE must be 0 (fp32 comparison)")
    from .. import _native
    from ..backend import cuda_available
    if _native._C_cuda is None:
        raise RuntimeError("bench cuda: tensorforge was built without CUDA kernels "
                           f"({_native.cuda_error or 'nvcc not found at build time'})")
    if not cuda_available():
        raise RuntimeError("bench cuda: the CUDA kernels are built but no GPU is visible")
    try:
        import cupy
    except ImportError as e:
        raise RuntimeError("bench cuda: needs CuPy (pip install tensorforge[cuda])") from e
    return cupy, _native._C_cuda


def _torch_cuda():
    try:
        import torch
    except Exception:
        return None
    if not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return torch


def gpu_time(cupy, fn, warmup=3, reps=15):
    """Median seconds of fn() measured with CUDA events on CuPy's current stream."""
    for _ in range(warmup):
        fn()
    cupy.cuda.get_current_stream().synchronize()
    times = []
    for _ in range(reps):
        start, stop = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cupy.cuda.get_elapsed_time(start, stop) / 1e3)
    return statistics.median(times)


def _sampled_gemm_error(cupy, A, B, Cmat, rng, k=48):
    """max |C - A@B| / (|A|@|B|) over k sampled rows x k sampled columns (float64 on the host)."""
    n, m = A.shape[0], B.shape[1]
    rows = rng.choice(n, size=min(k, n), replace=False)
    cols = rng.choice(m, size=min(k, m), replace=False)
    a = cupy.asnumpy(A[rows]).astype(np.float64)
    b = cupy.asnumpy(B[:, cols]).astype(np.float64)
    ref, scale = a @ b, np.abs(a) @ np.abs(b)
    got = cupy.asnumpy(Cmat[rows][:, cols]).astype(np.float64)
    return float(np.max(np.abs(got - ref) / scale))


def bench_gemm(cupy, C, torch, sizes, rng):
    rows = []
    for n in sizes:
        A = cupy.asarray(rng.standard_normal((n, n), dtype=np.float32))
        B = cupy.asarray(rng.standard_normal((n, n), dtype=np.float32))
        out = cupy.empty((n, n), dtype=cupy.float32)
        ours = lambda: C.gemm(A, B, out)  # noqa: E731
        ours()
        err = _sampled_gemm_error(cupy, A, B, out, rng)
        if not err < 1e-5:
            raise AssertionError(f"bench cuda gemm n={n}: sampled relative error {err:.2e} (fp32 expects < 1e-5)")
        ref = cupy.matmul(A, B)
        err_cb = _sampled_gemm_error(cupy, A, B, ref, rng)
        if not err_cb < 1e-5:
            raise AssertionError(f"bench cuda gemm n={n}: cuBLAS error {err_cb:.2e}: is TF32 on?")
        flop = 2.0 * n ** 3
        t_ours = gpu_time(cupy, ours)
        t_cb = gpu_time(cupy, lambda: cupy.matmul(A, B, out=out))
        row = [f"gemm {n}", flop / t_ours / 1e9, flop / t_cb / 1e9, t_cb / t_ours]
        if torch is not None:
            At, Bt = torch.as_tensor(A, device="cuda"), torch.as_tensor(B, device="cuda")
            Ot = torch.empty((n, n), device="cuda")
            t_pt = gpu_time(cupy, lambda: torch.mm(At, Bt, out=Ot))
            row += [flop / t_pt / 1e9, t_pt / t_ours]
        rows.append(row)
        del A, B, out, ref
    cols = ["case", "tensorforge GFLOP/s", "cuBLAS GFLOP/s", "vs cuBLAS"]
    if torch is not None:
        cols += ["torch GFLOP/s", "vs torch"]
    return table(cols, rows)


def bench_fused(cupy, C, torch, quick, rng):
    from .. import reference
    missing = [f for f in ("act_forward", "softmax_xent_forward", "adam_update") if not hasattr(reference, f)]
    if missing:
        return f"(fused kernels skipped: reference lacks {', '.join(missing)} on this branch)"
    n = (1 << 24) if quick else (1 << 26)
    x = cupy.asarray(rng.standard_normal(n, dtype=np.float32))
    rows = []
    # the ceiling: device-to-device copy (bytes read + written)
    y = cupy.empty_like(x)
    t_copy = gpu_time(cupy, lambda: y.__setitem__(Ellipsis, x))
    copy_gbs = 2 * 4 * n / t_copy / 1e9
    rows.append(["device copy (ceiling)", f"{n}", copy_gbs, "", "", "", ""])

    def add(name, shape, nbytes, ours, check, ref_xp, torch_fn):
        check()
        t = gpu_time(cupy, ours)
        row = [name, shape, nbytes / t / 1e9, nbytes / t / 1e9 / copy_gbs]
        t_ref = gpu_time(cupy, ref_xp)
        row += [nbytes / t_ref / 1e9]
        if torch_fn is not None:
            t_pt = gpu_time(cupy, torch_fn)
            row += [nbytes / t_pt / 1e9, t_pt / t]
        else:
            row += ["", ""]
        rows.append(row)

    xt = torch.as_tensor(x, device="cuda") if torch is not None else None
    for kind in ("relu", "sigmoid"):
        def check(kind=kind):
            got = cupy.asnumpy(C.act_forward(x[:100000], kind, 0.0)).astype(np.float64)
            want = reference.act_forward(cupy.asnumpy(x[:100000]).astype(np.float64), kind, 0.0)
            if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
                raise AssertionError(f"bench cuda act {kind}: result differs from the reference")
        tfn = None
        if torch is not None:
            tfn = (lambda: torch.relu(xt)) if kind == "relu" else (lambda: torch.sigmoid(xt))
        add(f"act_forward {kind}", f"{n}", 8 * n, lambda kind=kind: C.act_forward(x, kind, 0.0), check,
            lambda kind=kind: reference.act_forward(x, kind, 0.0), tfn)

    N, K = (4096, 1000) if not quick else (1024, 1000)
    logits = cupy.asarray(rng.standard_normal((N, K), dtype=np.float32))
    labels = cupy.asarray(rng.integers(0, K, N))

    def check_xent():
        loss, probs = C.softmax_xent_forward(logits, labels, True)
        rl, rp = reference.softmax_xent_forward(cupy.asnumpy(logits).astype(np.float64), cupy.asnumpy(labels), True)
        if not (np.allclose(cupy.asnumpy(loss), rl, rtol=1e-4, atol=1e-5)
                and np.allclose(cupy.asnumpy(probs), rp, rtol=1e-4, atol=1e-7)):
            raise AssertionError("bench cuda softmax_xent: result differs from the reference")
    tfn = None
    if torch is not None:
        lt, yt = torch.as_tensor(logits, device="cuda"), torch.as_tensor(labels, device="cuda")
        tfn = lambda: (torch.nn.functional.cross_entropy(lt, yt, reduction="none"), torch.softmax(lt, 1))  # noqa: E731
    add("softmax_xent_forward sparse", f"{N}x{K}", 4 * (2 * N * K + N), lambda: C.softmax_xent_forward(logits, labels, True),
        check_xent, lambda: reference.softmax_xent_forward(logits, labels, True), tfn)

    m = n // 4
    p, g, mm, vv = (cupy.asarray(rng.standard_normal(m, dtype=np.float32)) for _ in range(4))
    vv = cupy.abs(vv)

    def check_adam():
        ps, ms, vs = p[:10000].copy(), mm[:10000].copy(), vv[:10000].copy()
        hp, hm, hv = (cupy.asnumpy(a).astype(np.float64) for a in (ps, ms, vs))
        C.adam_update(ps, g[:10000], ms, vs, 1e-3, 0.9, 0.999, 1e-7, 5)
        reference.adam_update(hp, cupy.asnumpy(g[:10000]).astype(np.float64), hm, hv, 1e-3, 0.9, 0.999, 1e-7, 5)
        if not np.allclose(cupy.asnumpy(ps), hp, rtol=1e-5, atol=1e-6):
            raise AssertionError("bench cuda adam_update: result differs from the reference")
    tfn = None
    if torch is not None:
        pt = torch.nn.Parameter(torch.as_tensor(p, device="cuda").clone())
        pt.grad = torch.as_tensor(g, device="cuda").clone()
        try:  # the fused (single-kernel) Adam where this torch has it
            opt = torch.optim.Adam([pt], lr=1e-3, eps=1e-7, fused=True)
            opt.step()
        except (TypeError, RuntimeError):
            opt = torch.optim.Adam([pt], lr=1e-3, eps=1e-7)
        tfn = opt.step
    # traffic: read p, g, m, v; write p, m, v
    add("adam_update", f"{m}", 4 * 7 * m, lambda: C.adam_update(p, g, mm, vv, 1e-3, 0.9, 0.999, 1e-7, 5),
        check_adam, lambda: reference.adam_update(p, g, mm, vv, 1e-3, 0.9, 0.999, 1e-7, 5), tfn)
    cols = ["kernel", "size", "tensorforge GB/s", "of copy BW", "reference-on-CuPy GB/s", "torch GB/s",
            "vs torch"]
    return table(cols, rows)


def bench_cnn(cupy, C, torch, quick, rng):
    """LeNet-shaped conv and pooling forward passes (batch scaled to fill the GPU) vs torch/cuDNN."""
    from .. import reference
    if not hasattr(reference, "conv2d_forward") or not hasattr(reference, "max_pool2d_forward"):
        return "(conv/pool skipped: reference.conv / reference.pool are not on this branch)"
    B = 256 if quick else 2048
    rows = []
    cases = [("conv1 5x5 1->6", (B, 28, 28, 1), (5, 5, 1, 6)), ("conv2 5x5 6->16", (B, 12, 12, 6), (5, 5, 6, 16))]
    for name, xs, ws in cases:
        x = cupy.asarray(rng.standard_normal(xs, dtype=np.float32))
        w = cupy.asarray(rng.standard_normal(ws, dtype=np.float32))
        b = cupy.asarray(rng.standard_normal(ws[3], dtype=np.float32))
        geo = (1, 1, 0, 0, 0, 0, 1, 1)
        got = cupy.asnumpy(C.conv2d_forward(x[:4], w, b, *geo, "relu"))
        want = reference.conv2d_forward(cupy.asnumpy(x[:4]).astype(np.float64), cupy.asnumpy(w).astype(np.float64),
                                        cupy.asnumpy(b).astype(np.float64), *geo, "relu")
        if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
            raise AssertionError(f"bench cuda {name}: result differs from the reference")
        flop = 2.0 * B * (xs[1] - 4) * (xs[2] - 4) * 25 * ws[2] * ws[3]
        t_pt = None
        if torch is not None:
            xt = torch.as_tensor(x, device="cuda").permute(0, 3, 1, 2)  # NCHW view of NHWC = channels_last
            wt = torch.as_tensor(w, device="cuda").permute(3, 2, 0, 1).contiguous()
            bt = torch.as_tensor(b, device="cuda")
            t_pt = gpu_time(cupy, lambda: torch.relu(torch.nn.functional.conv2d(xt, wt, bt)))
        for algo in ("implicit", "im2col"):  # the implicit GEMM and the explicit-im2col fallback
            C.set_conv_algorithm(algo)
            try:
                t = gpu_time(cupy, lambda: C.conv2d_forward(x, w, b, *geo, "relu"))
            finally:
                C.set_conv_algorithm("implicit")
            row = [f"{name} fwd ({algo})", f"{xs}", flop / t / 1e9]
            if t_pt is not None:
                row += [flop / t_pt / 1e9, t_pt / t]
            rows.append(row)
    x = cupy.asarray(rng.standard_normal((B, 24, 24, 6), dtype=np.float32))
    got = C.max_pool2d_forward(x[:4], 2, 2, 2, 2, 0, 0, 0, 0, True)
    want = reference.max_pool2d_forward(cupy.asnumpy(x[:4]), 2, 2, 2, 2, 0, 0, 0, 0, True)
    if not (np.array_equal(cupy.asnumpy(got[0]), want[0]) and np.array_equal(cupy.asnumpy(got[1]), want[1])):
        raise AssertionError("bench cuda max_pool2d: result differs from the reference")
    nbytes = 4 * x.size * (1 + 0.25 + 0.25)  # read x, write y and argmax
    t = gpu_time(cupy, lambda: C.max_pool2d_forward(x, 2, 2, 2, 2, 0, 0, 0, 0, True))
    row = ["max_pool 2x2 fwd (GB/s)", f"{x.shape}", nbytes / t / 1e9]
    if torch is not None:
        xt = torch.as_tensor(x, device="cuda").permute(0, 3, 1, 2)
        t_pt = gpu_time(cupy, lambda: torch.nn.functional.max_pool2d(xt, 2, 2, return_indices=True))
        row += [nbytes / t_pt / 1e9, t_pt / t]
    rows.append(row)
    cols = ["case", "input (NHWC)", "tensorforge GFLOP/s or GB/s"]
    if torch is not None:
        cols += ["torch", "vs torch"]
    return table(cols, rows)


RNN_SHAPES = [(64, 28, 256, 256), (256, 28, 256, 256), (128, 100, 512, 512)]  # (B, T, F, U)


def bench_rnn(cupy, C, torch, quick, rng):
    """LSTM / GRU (reset_after) forward and forward+backward ms vs torch.nn.LSTM / nn.GRU (cuDNN),
    same Keras-layout weights (converted as bench/rnn.py does), checked against reference/rnn.py
    in float64 first (ours) and against ours (torch) before timing."""
    from .. import reference
    from .rnn import make_weights, torch_module
    rows = []
    for cell in ("lstm", "gru"):
        for B, T, F, U in (RNN_SHAPES[:1] if quick else RNN_SHAPES):
            x, dout = (rng.standard_normal(s, dtype=np.float32) for s in ((B, T, F), (B, T, U)))
            kernel, rk, bias = make_weights(rng, cell, F, U)
            X, K, R, Bi, D = (cupy.asarray(a) for a in (x, kernel, rk, bias, dout))
            Z = cupy.zeros((B, U), cupy.float32)
            if cell == "lstm":
                fwd = lambda: C.lstm_forward(X, K, R, Bi, None, None, None, False, "tanh", "sigmoid")  # noqa: E731
                bwd = lambda f: C.lstm_backward(D, Z, Z, X, K, R, None, False, "tanh", "sigmoid", *f[3:])  # noqa: E731
            else:
                fwd = lambda: C.gru_forward(X, K, R, Bi, None, None, False, True, "tanh", "sigmoid")  # noqa: E731
                bwd = lambda f: C.gru_backward(D, Z, X, K, R, None, False, True, "tanh", "sigmoid", *f[2:])  # noqa: E731
            # check: outputs and dkernel of the first 4 samples against the float64 reference
            b4 = min(B, 4)
            d64 = [a.astype(np.float64) for a in (x[:b4], kernel, rk, bias, dout[:b4])]
            z64 = np.zeros((b4, U))
            if cell == "lstm":
                rf = reference.lstm_forward(*d64[:4], None, None, None, False, "tanh", "sigmoid")
                rb = reference.lstm_backward(d64[4], z64, z64, d64[0], d64[1], d64[2], None, False, "tanh",
                                             "sigmoid", *rf[3:])
            else:
                rf = reference.gru_forward(*d64[:4], None, None, False, True, "tanh", "sigmoid")
                rb = reference.gru_backward(d64[4], z64, d64[0], d64[1], d64[2], None, False, True, "tanh",
                                            "sigmoid", *rf[2:])
            Xs, Ds = X[:b4].copy(), D[:b4].copy()
            if cell == "lstm":
                f4 = C.lstm_forward(Xs, K, R, Bi, None, None, None, False, "tanh", "sigmoid")
                g4 = C.lstm_backward(Ds, Z[:b4].copy(), Z[:b4].copy(), Xs, K, R, None, False, "tanh", "sigmoid", *f4[3:])
            else:
                f4 = C.gru_forward(Xs, K, R, Bi, None, None, False, True, "tanh", "sigmoid")
                g4 = C.gru_backward(Ds, Z[:b4].copy(), Xs, K, R, None, False, True, "tanh", "sigmoid", *f4[2:])
            for name, got, want, tol in (("outputs", f4[0], rf[0], 1e-4), ("dkernel", g4[1], rb[1], 1e-3)):
                err = float(np.abs(cupy.asnumpy(got) - want).max()) / (float(np.abs(want).max()) + 1.0)
                if not err <= tol:
                    raise AssertionError(f"bench cuda {cell} {(B, T, F, U)} {name}: relative error {err:.2e}")
            t_f = gpu_time(cupy, fwd)
            t_fb = gpu_time(cupy, lambda: bwd(fwd()))
            row = [f"{cell} {(B, T, F, U)}", t_f * 1e3, t_fb * 1e3]
            if torch is not None:
                m = torch_module(torch, cell, F, U, kernel, rk, bias).cuda()
                xt = torch.as_tensor(X, device="cuda").requires_grad_(True)
                gt = torch.as_tensor(D, device="cuda")
                with torch.no_grad():
                    ot = m(xt)[0]
                err = float((ot - torch.as_tensor(cupy.ascontiguousarray(fwd()[0]), device="cuda")).abs().max())
                if not err < 1e-3:
                    raise AssertionError(f"bench cuda {cell} {(B, T, F, U)}: torch and ours differ by {err:.2e}")

                def t_fwd():
                    with torch.no_grad():
                        m(xt)

                def t_fwd_bwd():
                    xt.grad = None
                    m.zero_grad(set_to_none=True)
                    m(xt)[0].backward(gt)
                tt_f, tt_fb = gpu_time(cupy, t_fwd), gpu_time(cupy, t_fwd_bwd)
                row += [tt_f * 1e3, tt_fb * 1e3, tt_fb / t_fb]
            rows.append(row)
    cols = ["cell (B, T, F, U)", "fwd ms", "fwd+bwd ms"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "torch/ours fwd+bwd"]
    return table(cols, rows)


LENET_BATCH = 256


def bench_lenet(cupy, C, torch, quick, rng):
    """LeNet (the zoo's, bench/train.py's network) training images/s at batch 256 on the GPU:
    tensorforge's Model.fit on the cuda backend (data on the device, Note [data on the device])
    vs the same network in PyTorch CUDA (NCHW, cuDNN, same RMSprop constants). Each side trains
    the same number of steps on real MNIST after a warm-up; the result check is the test accuracy
    after training (far above chance, else no timing is reported). Wall-clock, synchronised."""
    import time

    import tensorforge as tf
    from .train import _data
    from ..zoo import build_model
    from ..utils import to_categorical
    x, y, xt, yt = _data()
    steps, warm = (20, 5) if quick else (100, 10)
    n = (warm + steps) * LENET_BATCH
    prev = tf.get_backend()
    tf.set_backend("cuda")
    rows = []
    try:
        tf.utils.set_random_seed(0)
        model = build_model("lenet")
        X, Y = cupy.asarray(x[:n]), cupy.asarray(to_categorical(y[:n], 10))
        model.fit(X[:warm * LENET_BATCH], Y[:warm * LENET_BATCH], batch_size=LENET_BATCH, epochs=1,
                  verbose=0, shuffle=False)
        cupy.cuda.get_current_stream().synchronize()
        t0 = time.perf_counter()
        model.fit(X[warm * LENET_BATCH:], Y[warm * LENET_BATCH:], batch_size=LENET_BATCH, epochs=1,
                  verbose=0, shuffle=False)
        cupy.cuda.get_current_stream().synchronize()
        ours = steps * LENET_BATCH / (time.perf_counter() - t0)
        acc = float((model.predict(xt, batch_size=1024, verbose=0).argmax(-1) == yt).mean())
    finally:
        tf.set_backend(prev)
    if acc < 0.5:
        raise AssertionError(f"bench cuda lenet: {acc:.1%} test accuracy after training: broken, not timed")
    rows.append(["tensorforge (cuda)", LENET_BATCH, steps, ours, f"{acc:.1%}", ""])
    if torch is not None:
        nn = torch.nn
        torch.manual_seed(0)
        m = nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(20, 50, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(50 * 6 * 6, 500), nn.ReLU(), nn.Linear(500, 10)).cuda()
        opt = torch.optim.RMSprop(m.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        Xt = torch.as_tensor(np.ascontiguousarray(x[:n].transpose(0, 3, 1, 2)), device="cuda")
        Yt = torch.as_tensor(y[:n], device="cuda")

        def train(lo, hi):
            for i in range(lo, hi):
                sl = slice(i * LENET_BATCH, (i + 1) * LENET_BATCH)
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(m(Xt[sl]), Yt[sl])
                loss.backward()
                opt.step()
                float(loss)  # the loss a progress bar shows: one sync per step, as on our side
        train(0, warm)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        train(warm, warm + steps)
        torch.cuda.synchronize()
        theirs = steps * LENET_BATCH / (time.perf_counter() - t0)
        with torch.no_grad():
            pt = m(torch.as_tensor(np.ascontiguousarray(xt.transpose(0, 3, 1, 2)), device="cuda")).argmax(-1)
        tacc = float((pt.cpu().numpy() == yt).mean())
        rows.append(["pytorch (cuda)", LENET_BATCH, steps, theirs, f"{tacc:.1%}", ""])
        rows[0][-1] = ours / theirs
    cols = ["LeNet training", "batch", "timed steps", "images/s", "test acc after", "ours / torch"]
    return table(cols, rows)


def bench_layers(cupy, C, torch, quick, rng):
    """BatchNormalization (training fwd, fwd+bwd) and Embedding (fwd, fwd+bwd) ms vs torch CUDA,
    the shapes of the CPU `bench layers` suite; each checked against the NumPy reference first."""
    from ..reference import embedding as ref_emb
    from ..reference import norm as ref_norm
    if not hasattr(C, "batch_norm_forward_train"):
        return "(layers skipped: this _C_cuda has no batch norm kernels)"
    rows = []
    for name, xs, axis in [("bn resnet NHWC", (32, 56, 56, 64), -1), ("bn resnet NCHW", (32, 64, 56, 56), 1)]:
        xh = rng.standard_normal(xs).astype(np.float32)
        x, dy = cupy.asarray(xh), cupy.asarray(rng.standard_normal(xs).astype(np.float32))
        Cn = xs[axis]
        g, b = cupy.ones(Cn, cupy.float32), cupy.zeros(Cn, cupy.float32)
        mm, mv = cupy.zeros(Cn, cupy.float32), cupy.ones(Cn, cupy.float32)
        # (a 4-D layer's update, with Bessel's correction: Note [moving variance])
        y, mean, inv = C.batch_norm_forward_train(x, g, b, mm, mv, axis, 0.99, 1e-3, True)
        mvr = np.ones(Cn, np.float32)
        yr, meanr, invr = ref_norm.batch_norm_forward_train(xh, np.ones(Cn, np.float32), np.zeros(Cn, np.float32),
                                                            np.zeros(Cn, np.float32), mvr, axis, 0.99, 1e-3,
                                                            True)
        if not (np.allclose(cupy.asnumpy(y), yr, rtol=1e-4, atol=1e-4)
                and np.allclose(cupy.asnumpy(mv), mvr, rtol=1e-4, atol=1e-4)):
            raise AssertionError(f"bench cuda layers {name}: result differs from the reference")

        def fb():
            _, m_, i_ = C.batch_norm_forward_train(x, g, b, mm, mv, axis, 0.99, 1e-3)
            C.batch_norm_backward(dy, x, m_, i_, g, axis)
        t_f = gpu_time(cupy, lambda: C.batch_norm_forward_train(x, g, b, mm, mv, axis, 0.99, 1e-3))
        t_fb = gpu_time(cupy, fb)
        row = [name, "x".join(map(str, xs)), t_f * 1e3, t_fb * 1e3]
        if torch is not None:
            F = torch.nn.functional
            xt, dyt = torch.as_tensor(x, device="cuda"), torch.as_tensor(dy, device="cuda")
            if axis == -1:
                xt, dyt = xt.permute(0, 3, 1, 2), dyt.permute(0, 3, 1, 2)
            xg = xt.detach().clone(memory_format=torch.channels_last if axis == -1 else torch.contiguous_format)
            xg.requires_grad_(True)
            wt = torch.ones(Cn, device="cuda", requires_grad=True)
            bt = torch.zeros(Cn, device="cuda", requires_grad=True)
            rm, rv = torch.zeros(Cn, device="cuda"), torch.ones(Cn, device="cuda")

            def tfb():
                xg.grad = wt.grad = bt.grad = None
                F.batch_norm(xg, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3).backward(dyt)
            with torch.no_grad():
                t_pf = gpu_time(cupy, lambda: F.batch_norm(xt, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3))
            t_pfb = gpu_time(cupy, tfb)
            row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
        rows.append(row)
    V, D, ids_shape = 20000, 128, (128, 80)
    th = rng.standard_normal((V, D)).astype(np.float32)
    idh = rng.integers(0, V, ids_shape)
    table_, ids = cupy.asarray(th), cupy.asarray(idh)
    dy = cupy.asarray(rng.standard_normal(ids_shape + (D,)).astype(np.float32))
    if not (np.array_equal(cupy.asnumpy(C.embedding_forward(table_, ids)), ref_emb.embedding_forward(th, idh))
            and np.allclose(cupy.asnumpy(C.embedding_backward(dy, ids, V)),
                            ref_emb.embedding_backward(cupy.asnumpy(dy), idh, V), rtol=1e-5, atol=1e-5)):
        raise AssertionError("bench cuda layers embedding: result differs from the reference")
    t_f = gpu_time(cupy, lambda: C.embedding_forward(table_, ids))
    t_fb = gpu_time(cupy, lambda: (C.embedding_forward(table_, ids), C.embedding_backward(dy, ids, V)))
    row = ["embedding", f"128x80 into {V}x{D}", t_f * 1e3, t_fb * 1e3]
    if torch is not None:
        wt = torch.as_tensor(table_, device="cuda").clone().requires_grad_(True)
        it, dyt = torch.as_tensor(ids, device="cuda"), torch.as_tensor(dy, device="cuda")

        def tfb():
            wt.grad = None
            torch.nn.functional.embedding(it, wt).backward(dyt)
        with torch.no_grad():
            t_pf = gpu_time(cupy, lambda: torch.nn.functional.embedding(it, wt))
        t_pfb = gpu_time(cupy, tfb)
        row += [t_pf * 1e3, t_pfb * 1e3, t_pf / t_f, t_pfb / t_fb]
    rows.append(row)
    cols = ["layer", "shape", "fwd ms", "fwd+bwd ms"]
    if torch is not None:
        cols += ["torch fwd ms", "torch fwd+bwd ms", "fwd vs torch", "fwd+bwd vs torch"]
    return table(cols, rows)


# Sections of this suite, and which of them each `tensorforge bench` suite name selects when
# the backend is cuda ("all" runs every section).
SECTIONS = {"gemm": bench_gemm, "fused": bench_fused, "cnn": bench_cnn, "rnn": bench_rnn,
            "train": bench_lenet, "layers": bench_layers}
# "contention" (CPU threads beside a busy process) has no GPU counterpart: it runs the training section.
FOR_SUITE = {"gemm": ["gemm"], "conv": ["cnn"], "pool": ["cnn"], "rnn": ["rnn"], "train": ["train"],
             "contention": ["train"], "overhead": ["gemm"], "layers": ["layers"], "conv3d": ["cnn"],
             "pointwise": ["fused"], "fused": ["fused"], "all": list(SECTIONS)}


def run(args, sections=None, emit=None):
    """Run the named sections (default: all) and return (the tables as text, failed sections).

    Each table goes to ``emit`` (e.g. print) as soon as its section ends, so a later section's
    failure loses nothing measured before it; a section that raises is reported with its error
    and the remaining sections still run (the caller exits non-zero when any failed)."""
    import traceback
    cupy, C = _require_gpu()
    torch = _torch_cuda() if "torch" in getattr(args, "against", ["torch"]) else None
    rng = np.random.default_rng(0)
    quick = getattr(args, "quick", False)
    dev = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = dev["name"].decode() if isinstance(dev["name"], bytes) else dev["name"]
    out, failed = [], []

    def put(text):
        out.append(text)
        if emit is not None:
            emit(text)
    put(f"# device: {name}; CUPY_TF32={os.environ.get('CUPY_TF32')}, "
        f"NVIDIA_TF32_OVERRIDE={os.environ.get('NVIDIA_TF32_OVERRIDE')}; torch: "
        f"{torch.__version__ if torch is not None else 'not used'}")
    for name in (sections or list(SECTIONS)):
        try:
            if name == "gemm":
                table_text = bench_gemm(cupy, C, torch, [1024, 4096] if quick else SQUARE, rng)
            else:
                table_text = SECTIONS[name](cupy, C, torch, quick, rng)
        except Exception as e:  # report it, keep the other sections' figures
            failed.append(name)
            frame = traceback.extract_tb(e.__traceback__)[-1]
            table_text = (f"section {name} FAILED: {type(e).__name__}: {str(e)[:400]} "
                          f"(at {frame.filename}:{frame.lineno})")
        put(table_text + "\n")
    return "\n".join(out), failed


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m tensorforge.bench.cuda", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer sizes")
    p.add_argument("--against", default="cupy,torch", help="peers: cupy (always), torch")
    args = p.parse_args(argv)
    args.against = [x for x in args.against.split(",") if x]
    try:
        _, failed = run(args, emit=print)
    except RuntimeError as e:
        print(str(e), file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
