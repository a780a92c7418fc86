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
from tensorforge.kernels import rnn_dropout as kd
from rnn_dropout_ab import B, F, T, U, op_fwd_bwd  # bench/ (pytest puts it on sys.path)

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("impl", ["ours", "numpy", "torch"])
def test_rnn_dropout_fwd_bwd(benchmark, monkeypatch, cell, impl):
    tf.set_num_threads(2)
    torch.set_num_threads(2)
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
    run = op_fwd_bwd(cell, rng, x)
    assert np.isfinite(np.asarray(run().numpy())).all()
    benchmark(run)
