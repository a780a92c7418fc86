"""pytest-benchmark twins of `tensorforge bench all --backend cuda` (not run by CI; skipped without
a GPU):
    python -m pytest bench/test_bench_cuda.py --benchmark-only
GEMM vs cuBLAS (TF32 off), LSTM / GRU forward+backward vs torch (cuDNN), LeNet conv1 forward;
every candidate is checked against the float64 reference first, and every timed call ends with a
stream synchronisation (pytest-benchmark times host wall clock).
"""
import os

import numpy as np
import pytest

os.environ.setdefault("CUPY_TF32", "0")
os.environ.setdefault("NVIDIA_TF32_OVERRIDE", "0")

from tensorforge import backend, reference  # noqa: E402
from tensorforge.bench.rnn import check, make_weights  # noqa: E402

if not backend.cuda_available():
    pytest.skip("cuda: no GPU visible (or built without CUDA kernels)", allow_module_level=True)
cupy = pytest.importorskip("cupy")
from tensorforge import _native  # noqa: E402

C = _native._C_cuda


def _synced(fn):
    def run():
        fn()
        cupy.cuda.get_current_stream().synchronize()
    return run


@pytest.mark.parametrize("n", [1024, 4096])
@pytest.mark.parametrize("impl", ["ours", "cublas"])
def test_gemm(benchmark, n, impl):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    A, B = cupy.asarray(a), cupy.asarray(b)
    out = cupy.empty((n, n), cupy.float32)
    fn = (lambda: C.gemm(A, B, out)) if impl == "ours" else (lambda: cupy.matmul(A, B, out=out))
    fn()
    check(f"gemm {impl}", cupy.asnumpy(out[:64]), a[:64].astype(np.float64) @ b.astype(np.float64), 1e-5)
    benchmark(_synced(fn))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("impl", ["ours", "torch"])
def test_rnn_fwd_bwd(benchmark, cell, impl):
    B, T, F, U = 64, 28, 256, 256
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, F), dtype=np.float32)
    dout = rng.standard_normal((B, T, U), dtype=np.float32)
    kernel, rk, bias = make_weights(rng, cell, F, U)
    X, K, R, Bi, D = (cupy.asarray(v) for v in (x, kernel, rk, bias, dout))
    Z = cupy.zeros((B, U), cupy.float32)
    d64 = [v.astype(np.float64) for v in (x, kernel, rk, bias)]
    if cell == "lstm":
        want = reference.lstm_forward(*d64, None, None, None, False, "tanh", "sigmoid")[0]
    else:
        want = reference.gru_forward(*d64, None, None, False, True, "tanh", "sigmoid")[0]
    if impl == "torch":
        torch = pytest.importorskip("torch")
        from tensorforge.bench.rnn import torch_module
        m = torch_module(torch, cell, F, U, kernel, rk, bias).cuda()
        xt = torch.as_tensor(X, device="cuda").requires_grad_(True)
        gt = torch.as_tensor(D, device="cuda")
        with torch.no_grad():
            check(f"torch {cell}", m(xt)[0].cpu().numpy(), want, 1e-4)

        def run():
            m(xt)[0].backward(gt)
            torch.cuda.synchronize()
        benchmark(run)
        return
    if cell == "lstm":
        def fwd():
            return C.lstm_forward(X, K, R, Bi, None, None, None, False, "tanh", "sigmoid")

        def fb():
            C.lstm_backward(D, Z, Z, X, K, R, None, False, "tanh", "sigmoid", *fwd()[3:])
    else:
        def fwd():
            return C.gru_forward(X, K, R, Bi, None, None, False, True, "tanh", "sigmoid")

        def fb():
            C.gru_backward(D, Z, X, K, R, None, False, True, "tanh", "sigmoid", *fwd()[2:])
    check(f"ours {cell}", cupy.asnumpy(fwd()[0]), want, 1e-4)
    benchmark(_synced(fb))


def test_lenet_conv1_forward(benchmark):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2048, 28, 28, 1), dtype=np.float32)
    w = rng.standard_normal((5, 5, 1, 6), dtype=np.float32)
    b = rng.standard_normal(6, dtype=np.float32)
    X, W, Bi = cupy.asarray(x), cupy.asarray(w), cupy.asarray(b)
    geo = (1, 1, 0, 0, 0, 0, 1, 1)
    got = cupy.asnumpy(C.conv2d_forward(X[:4], W, Bi, *geo, "relu"))
    want = reference.conv2d_forward(x[:4].astype(np.float64), w.astype(np.float64), b.astype(np.float64),
                                    *geo, "relu")
    check("conv1", got, want, 1e-4)
    benchmark(_synced(lambda: C.conv2d_forward(X, W, Bi, *geo, "relu")))
