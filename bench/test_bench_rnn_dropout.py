"""pytest-benchmark twins of bench/rnn_dropout_ab.py's op rows (not run by CI):
    PYTHONPATH=python python -m pytest bench/test_bench_rnn_dropout.py --benchmark-only
LSTM / GRU with dropout = recurrent_dropout = 0.2 (Keras 2's per-gate masks), forward+backward of
the op under the tape at imdb_lstm's sizes (32, 80, 128, 128), 2 threads: the native recurrence
("ours"), its NumPy twin (reference/rnn_dropout.py, "numpy") and PyTorch's plain nn.LSTM /
nn.GRU ("torch": it has no recurrent dropout, so a yardstick, not the same computation).
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import reference as ref
from tensorforge.autograd import Tensor
from tensorforge.kernels import rnn_dropout as kd
from tensorforge.ops import rnn_dropout as ops_d

torch = pytest.importorskip("torch")
B, T, F, U = 32, 80, 128, 128


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("impl", ["ours", "numpy", "torch"])
def test_rnn_dropout_fwd_bwd(benchmark, monkeypatch, cell, impl):
    tf.set_num_threads(2)
    torch.set_num_threads(2)
    G = 4 if cell == "lstm" else 3
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    if impl == "torch":
        m = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(F, U, batch_first=True)
        xt = torch.from_numpy(x).requires_grad_(True)

        def t_run():
            out = m(xt)[0]
            (out * out).sum().backward()
        benchmark(t_run)
        return
    if impl == "numpy":  # the recurrence's NumPy twin; the GEMMs around it stay native
        monkeypatch.setattr(kd, "kernel_for", lambda op, name, dtype: getattr(ref, name))
    k = (rng.standard_normal((F, G * U)) / np.sqrt(F)).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) / np.sqrt(U)).astype(np.float32)
    b = (rng.standard_normal((G * U,) if cell == "lstm" else (2, G * U)) * 0.1).astype(np.float32)
    xk = ((rng.random((G, B, F)) < 0.8) / 0.8).astype(np.float32)
    hk = ((rng.random((G, B, U)) < 0.8) / 0.8).astype(np.float32)
    op = ops_d.lstm_dropout if cell == "lstm" else ops_d.gru_dropout

    def run():
        ts = [Tensor(a, requires_grad=True) for a in (x, k, rk, b)]
        out = op(*ts, x_keep=xk, h_keep=hk)[0]
        (out * out).sum().backward()
        return out
    assert np.isfinite(np.asarray(run().numpy())).all()
    benchmark(run)
