"""pytest-benchmark twins of `python -m tensorforge.bench rnn` (not run by CI):
    PYTHONPATH=python python -m pytest bench/test_bench_rnn.py --benchmark-only
LSTM / GRU forward+backward at the issue's shapes, ours (native cpu) vs the NumPy fallback and
PyTorch CPU with the same weights; every candidate is checked against the float64 reference first.
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend
from tensorforge import reference as ref
from tensorforge.bench.rnn import SHAPES, check, fns, make_weights, torch_module

torch = pytest.importorskip("torch")


def _impl(name):
    if name == "numpy":
        return ref.rnn
    return type("Impl", (), {n: staticmethod(backend.lookup(n, "cpu")) for n in ref.rnn.__all__})


def _case(cell, shape):
    B, T, F, U = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    kernel, rk, bias = make_weights(rng, cell, F, U)
    dout = rng.standard_normal((B, T, U)).astype(np.float32)
    return x, kernel, rk, bias, dout


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("impl", ["ours", "numpy", "torch"])
def test_rnn_fwd_bwd(benchmark, cell, shape, impl):
    tf.set_num_threads(2)
    torch.set_num_threads(2)
    x, kernel, rk, bias, dout = _case(cell, shape)
    r_fwd, _ = fns(cell, ref.rnn, *[a.astype(np.float64) for a in (x, kernel, rk, bias, dout)])
    expect = r_fwd()[0]
    if impl == "torch":
        m = torch_module(torch, cell, shape[2], shape[3], kernel, rk, bias)
        xt = torch.from_numpy(x).requires_grad_(True)
        gt = torch.from_numpy(dout)
        with torch.no_grad():
            check("torch", m(xt)[0].numpy(), expect, 1e-4)

        def run():
            m(xt)[0].backward(gt)
        benchmark(run)
    else:
        fwd, fwd_bwd = fns(cell, _impl("numpy" if impl == "numpy" else "cpu"), x, kernel, rk, bias, dout)
        check(impl, fwd()[0], expect, 1e-4)
        benchmark(fwd_bwd)
