"""LSTM / GRU (reset_after=True) forward and every gradient against PyTorch's nn.LSTM / nn.GRU
from identical weights, in float32 on both sides: batch 1, odd sizes, the LSTM's input
projection fused into the step GEMM (features <= 64) and not (65), go_backwards (PyTorch runs
the reversed sequence), initial states, the 2-thread step path. Masks have no PyTorch
counterpart here; tests/test_rnn.py checks them against a float64 oracle. Skipped only where
PyTorch is not installed."""
import numpy as np
import pytest

from tensorforge.bench.rnn import torch_module
from test_rnn import analytic_grads, call, loss_weights, make_case

torch = pytest.importorskip("torch")

CASES = [  # (cell, B, T, F, U, go_backwards)
    ("lstm", 1, 7, 5, 3, False),
    ("lstm", 5, 9, 64, 33, True),     # fused projection, at the limit
    ("lstm", 4, 6, 65, 20, False),    # one GEMM over the sequence
    ("lstm", 40, 3, 8, 96, True),     # >= 2 MFLOP per step: the 2-thread path
    ("lstm", 64, 4, 28, 128, False),  # bench shape's sizes: weight gradients per step, 2 threads
    ("lstm", 3, 4, 8, 512, True),     # dW 4.3 MB: the whole-sequence weight-gradient GEMMs
    ("gru", 1, 7, 5, 3, True),
    ("gru", 5, 9, 64, 33, False),
    ("gru", 40, 3, 8, 96, True),
]


def torch_grads(cell, a, w, go_backwards):
    F, U = a["kernel"].shape[0], a["recurrent_kernel"].shape[0]
    bias = a["bias"]
    m = torch_module(torch, cell, F, U, a["kernel"], a["recurrent_kernel"], bias)
    x = torch.tensor(a["x"], requires_grad=True)
    h0 = torch.tensor(a["h0"][None], requires_grad=True)
    states = (h0,)
    if cell == "lstm":
        c0 = torch.tensor(a["c0"][None], requires_grad=True)
        states = (h0, c0)
    xs = x.flip(1) if go_backwards else x  # Keras: run over the reversed sequence
    out, st = m(xs, states if cell == "lstm" else h0)
    finals = st if cell == "lstm" else (st,)
    loss = (out * torch.tensor(w[0])).sum()
    for s, wk in zip(finals, w[1:]):
        loss = loss + (s[0] * torch.tensor(wk)).sum()
    loss.backward()
    g = {"x": x.grad.numpy(), "h0": h0.grad[0].numpy()}
    if cell == "lstm":
        g["c0"] = c0.grad[0].numpy()
        g["kernel"] = m.weight_ih_l0.grad.numpy().T
        g["recurrent_kernel"] = m.weight_hh_l0.grad.numpy().T
        g["bias"] = m.bias_ih_l0.grad.numpy()
    else:  # torch r, z, n -> Keras z, r, h
        def zr(v):
            return np.concatenate([v[..., U:2 * U], v[..., :U], v[..., 2 * U:]], axis=-1)
        g["kernel"] = zr(m.weight_ih_l0.grad.numpy().T)
        g["recurrent_kernel"] = zr(m.weight_hh_l0.grad.numpy().T)
        g["bias"] = np.stack([zr(m.bias_ih_l0.grad.numpy()), zr(m.bias_hh_l0.grad.numpy())])
    return out.detach().numpy(), g


@pytest.mark.parametrize("cell,B,T,F,U,gb", CASES)
def test_matches_pytorch_from_identical_weights(rng, cell, B, T, F, U, gb):
    a = make_case(rng, cell, B, T, F, U, h0=True, c0=True)
    w = loss_weights(rng, cell, B, T, U)
    got = analytic_grads(cell, a, w, gb, {}, "cpu")
    t_out, ref = torch_grads(cell, a, w, gb)
    ours_out = np.asarray(call(cell, a, gb)[0])
    np.testing.assert_allclose(ours_out, t_out, rtol=0, atol=2e-5 * (1 + np.abs(t_out).max()))
    assert set(got) == set(ref)
    for n, r in ref.items():
        tol = 1e-4 * (1.0 + np.abs(r).max())
        err = np.abs(got[n] - r).max()
        assert err <= tol, f"{cell} {(B, T, F, U)} gb={gb} d{n}: max error {err:.3g} > {tol:.3g}"
