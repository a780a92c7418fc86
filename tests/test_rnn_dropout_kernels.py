"""The recurrent-dropout recurrences (kernels/rnn_dropout.py, csrc/cpu/rnn_dropout.cpp) against
their NumPy reference (reference/rnn_dropout.py) run in float64, over random shapes, masks, both
directions, initial states and activations; the ops on the native path against the same ops on
the NumPy backend; the per-gate state masks fixed over time; argument errors.

(The ops' forward and gradients against Keras 2's cells and finite differences:
tests/test_rnn_dropout.py.)"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend, reference
from tensorforge.autograd import Tensor
from tensorforge.kernels import rnn_dropout as kd
from tensorforge.ops import rnn_dropout as ops_d

pytestmark = pytest.mark.skipif(backend.implementation("lstm_dropout_forward", "cpu") != "native",
                                reason="the native module has no recurrent-dropout kernels")

SHAPES = [(1, 1, 1), (3, 5, 3), (7, 4, 37), (9, 6, 16), (32, 3, 128), (33, 4, 100)]  # (B, T, U)
# (the last two run 2 batch-row chains at 2 threads, the last an uneven split and a lane tail)


def _f64(a):
    return None if a is None else np.asarray(a, np.float64)


def _close(got, want, tol, what):
    if want is None:
        assert got is None, what
        return
    got = np.asarray(got, np.float64)
    err = np.abs(got - want).max() if want.size else 0.0
    assert err <= tol * (1 + np.abs(want).max()), f"{what}: max error {err:.3g}"


def _inputs(rng, G, B, T, U, with_mask, with_h0):
    proj = rng.standard_normal((G, T, B, U)).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) / np.sqrt(U)).astype(np.float32)
    keep = ((rng.random((G, B, U)) < 0.75) / 0.75).astype(np.float32)
    mask = None
    if with_mask:
        mask = (rng.random((B, T)) < 0.7).astype(np.float32)
        mask[0, 0] = 0
    h0 = rng.uniform(-0.5, 0.5, (B, U)).astype(np.float32) if with_h0 else None
    return proj, rk, keep, mask, h0


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("seed", range(4))
def test_lstm_dropout_kernels_match_the_reference(seed, threads):
    rng = np.random.default_rng(seed)
    tf.set_num_threads(threads)
    try:
        for B, T, U in SHAPES:
            with_mask, with_h0, gb = bool(rng.integers(2)), bool(rng.integers(2)), bool(rng.integers(2))
            act, rec = [("tanh", "sigmoid"), ("relu", "hard_sigmoid")][int(rng.integers(2))]
            proj, rk, keep, mask, h0 = _inputs(rng, 4, B, T, U, with_mask, with_h0)
            c0 = rng.uniform(-0.5, 0.5, (B, U)).astype(np.float32) if with_h0 else None
            got = kd.lstm_dropout_forward(proj, rk, keep, h0, c0, mask, gb, act, rec)
            want = reference.lstm_dropout_forward(*map(_f64, (proj, rk, keep, h0, c0, mask)), gb, act,
                                                   rec)
            tag = f"lstm {(B, T, U)} mask={with_mask} h0={with_h0} back={gb} {act}/{rec}"
            for name, g, w in zip(("out", "h_T", "c_T", "gates", "h_prev", "c_prev"), got, want):
                _close(g, w, 1e-5, f"{tag} {name}")
            dout = rng.standard_normal((B, T, U)).astype(np.float32) if rng.random() < 0.8 else None
            dh, dc = (rng.standard_normal((B, U)).astype(np.float32) for _ in range(2))
            gates, c_prev = got[3], got[5]
            gg = kd.lstm_dropout_backward(dout, dh, dc, rk, keep, mask, gb, act, rec, gates, c_prev)
            gw = reference.lstm_dropout_backward(*map(_f64, (dout, dh, dc, rk, keep, mask)), gb, act,
                                                 rec, _f64(gates), _f64(c_prev))
            for name, g, w in zip(("d_gates", "dh0", "dc0"), gg, gw):
                _close(g, w, 1e-4, f"{tag} {name}")
    finally:
        tf.set_num_threads(2)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_gru_dropout_kernels_match_the_reference(seed, reset_after, threads):
    rng = np.random.default_rng(100 + seed)
    tf.set_num_threads(threads)
    try:
        for B, T, U in SHAPES:
            with_mask, with_h0, gb = bool(rng.integers(2)), bool(rng.integers(2)), bool(rng.integers(2))
            act, rec = [("tanh", "sigmoid"), ("relu", "hard_sigmoid")][int(rng.integers(2))]
            proj, rk, keep, mask, h0 = _inputs(rng, 3, B, T, U, with_mask, with_h0)
            bh = (rng.standard_normal(U) * 0.3).astype(np.float32) if reset_after and with_h0 else None
            got = kd.gru_dropout_forward(proj, rk, bh, keep, h0, mask, gb, reset_after, act, rec)
            want = reference.gru_dropout_forward(*map(_f64, (proj, rk, bh, keep, h0, mask)), gb,
                                                  reset_after, act, rec)
            tag = f"gru {(B, T, U)} reset_after={reset_after} mask={with_mask} back={gb} {act}/{rec}"
            for name, g, w in zip(("out", "h_T", "gates", "h_prev", "rec_h"), got, want):
                _close(g, w, 1e-5, f"{tag} {name}")
            dout = rng.standard_normal((B, T, U)).astype(np.float32) if rng.random() < 0.8 else None
            dh = rng.standard_normal((B, U)).astype(np.float32)
            gates, h_prev, rec_h = got[2:]
            gg = kd.gru_dropout_backward(dout, dh, rk, keep, mask, gb, reset_after, act, rec, gates,
                                         h_prev, rec_h)
            gw = reference.gru_dropout_backward(*map(_f64, (dout, dh, rk, keep, mask)), gb,
                                                reset_after, act, rec,
                                                *map(_f64, (gates, h_prev, rec_h)))
            for name, g, w in zip(("d_gates", "d_rec", "dh0"), gg, gw):
                _close(g, w, 1e-4, f"{tag} {name}")
    finally:
        tf.set_num_threads(2)


def _op(cell, reset_after, rng, B=5, T=6, F=7, U=19):
    G = 4 if cell == "lstm" else 3
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    k = (rng.standard_normal((F, G * U)) * 0.4).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) * 0.3).astype(np.float32)
    b = (rng.standard_normal((2, 3 * U) if cell == "gru" and reset_after else (G * U,)) * 0.2
         ).astype(np.float32)
    xk = ((rng.random((G, B, F)) < 0.8) / 0.8).astype(np.float32)
    hk = ((rng.random((G, B, U)) < 0.8) / 0.8).astype(np.float32)
    mask = rng.random((B, T)) < 0.8
    ts = [Tensor(a, requires_grad=True) for a in (x, k, rk, b)]
    if cell == "lstm":
        out, h, c = ops_d.lstm_dropout(*ts, x_keep=xk, h_keep=hk, mask=mask, go_backwards=True)
        loss = (out * out).sum() + (h * c).sum()
    else:
        out, h = ops_d.gru_dropout(*ts, x_keep=xk, h_keep=hk, mask=mask, reset_after=reset_after)
        loss = (out * out).sum() + h.sum()
    loss.backward()
    return [out.numpy(), h.numpy()] + [np.asarray(t.grad) for t in ts]


@pytest.mark.parametrize("cell,reset_after", [("lstm", True), ("gru", True), ("gru", False)])
def test_ops_native_path_equals_the_numpy_path(cell, reset_after):
    """The whole op (projection, recurrence, weight gradients) on the cpu backend (the native
    recurrence) and on the numpy backend (the reference one): same outputs and gradients."""
    got = _op(cell, reset_after, np.random.default_rng(7))
    prev = backend.get_backend()
    backend.set_backend("numpy")
    try:
        want = _op(cell, reset_after, np.random.default_rng(7))
    finally:
        backend.set_backend(prev)
    for name, g, w in zip(("out", "h", "dx", "dkernel", "drecurrent_kernel", "dbias"), got, want):
        _close(g, np.asarray(w, np.float64), 1e-4, f"{cell} {name}")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_masks_are_fixed_over_time(cell):
    """A gate whose state mask is 0 for a unit never sees that unit's state, at any step: with
    h_keep[g] zero everywhere except one column, the recurrent kernel's other rows of gate g
    cannot change the outputs; perturbing them leaves every output equal (the masks are drawn
    once, not per step)."""
    rng = np.random.default_rng(3)
    G, B, T, U = (4 if cell == "lstm" else 3), 4, 7, 5
    proj, rk, _, _, h0 = _inputs(rng, G, B, T, U, False, True)
    keep = np.ones((G, B, U), np.float32)
    keep[1, :, 1:] = 0  # gate 1 (forget / reset) reads only unit 0 of h
    rk2 = rk.copy()
    rk2[1:, U:2 * U] += 5.0  # gate 1's rows for units 1.. (never read)
    run = (lambda w: kd.lstm_dropout_forward(proj, w, keep, h0, None, None, False, "tanh", "sigmoid")
           ) if cell == "lstm" else (
        lambda w: kd.gru_dropout_forward(proj, w, None, keep, h0, None, False, True, "tanh", "sigmoid"))
    a, b = run(rk)[0], run(rk2)[0]
    np.testing.assert_array_equal(a, b)
    rk3 = rk.copy()
    rk3[0, U:2 * U] += 5.0  # the row gate 1 does read: the outputs change
    assert np.abs(run(rk3)[0] - a).max() > 1e-3


def test_masked_steps_keep_the_state_and_zero_the_gate_gradients():
    rng = np.random.default_rng(5)
    B, T, U = 3, 4, 6
    proj, rk, keep, _, h0 = _inputs(rng, 4, B, T, U, False, True)
    mask = np.ones((B, T), np.float32)
    mask[1, 2] = 0
    out, _, _, gates, _, c_prev = kd.lstm_dropout_forward(proj, rk, keep, h0, h0, mask, False, "tanh",
                                                          "sigmoid")
    np.testing.assert_array_equal(out[1, 2], out[1, 1])
    dg, _, _ = kd.lstm_dropout_backward(np.ones((B, T, U), np.float32), h0, h0, rk, keep, mask, False,
                                        "tanh", "sigmoid", gates, c_prev)
    assert not dg[:, 2, 1].any() and dg[:, 2, 0].any()


def test_bad_arguments_name_the_kernel_and_the_shapes():
    from tensorforge import _native
    proj = np.zeros((4, 3, 2, 5), np.float32)
    rk, keep = np.zeros((5, 20), np.float32), np.ones((4, 2, 5), np.float32)
    with pytest.raises(ValueError, match=r"lstm_dropout: h_keep must have shape .*\(4, 2, 5\), got \(4, 5, 2\)"):
        kd.lstm_dropout_forward(proj, rk, keep.transpose(0, 2, 1), None, None)
    with pytest.raises(ValueError, match=r"gru_dropout: proj must have 3 gates on axis 0"):
        kd.gru_dropout_forward(proj, rk[:, :15], None, keep[:3])
    with pytest.raises(ValueError, match=r"lstm_dropout: mask must have shape \(batch, time\) = \(2, 3\)"):
        kd.lstm_dropout_forward(proj, rk, keep, mask=np.ones((3, 2)))
    C = _native._C
    with pytest.raises(ValueError, match=r"lstm_dropout_forward: h_keep must have shape"):
        C.lstm_dropout_forward(proj, rk, keep[:3], None, None, None, False, "tanh", "sigmoid")
    with pytest.raises(ValueError, match=r"gru_dropout_backward: rec_h must have shape"):
        C.gru_dropout_backward(None, np.zeros((2, 5), np.float32), np.zeros((5, 15), np.float32),
                               keep[:3], None, False, True, "tanh", "sigmoid",
                               np.zeros((3, 3, 2, 5), np.float32), np.zeros((3, 2, 5), np.float32),
                               np.zeros((2, 3, 5), np.float32))
    with pytest.raises(TypeError, match=r"lstm_dropout_forward.*proj"):
        C.lstm_dropout_forward(proj.astype(np.float64), rk, keep, None, None, None, False, "tanh",
                               "sigmoid")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_weight_gradients_without_dx(cell):
    """x without requires_grad (a layer reading the model's input): no dx is computed, and the
    weight gradients equal those of the pass that computes dx too."""
    rng = np.random.default_rng(11)
    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell]
    B, T, F, U = 4, 5, 6, 7
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    k = (rng.standard_normal((F, G * U)) * 0.4).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) * 0.3).astype(np.float32)
    xk = ((rng.random((G, B, F)) < 0.8) / 0.8).astype(np.float32)
    hk = ((rng.random((G, B, U)) < 0.8) / 0.8).astype(np.float32)
    op = {"lstm": ops_d.lstm_dropout, "gru": ops_d.gru_dropout,
          "simple_rnn": ops_d.simple_rnn_dropout}[cell]
    grads = []
    for x_grad in (True, False):
        tx = Tensor(x, requires_grad=x_grad)
        tk, trk = Tensor(k, requires_grad=True), Tensor(rk, requires_grad=True)
        out = op(tx, tk, trk, None, x_keep=xk, h_keep=hk)[0]
        (out * out).sum().backward()
        assert (tx.grad is not None) == x_grad
        grads.append((np.asarray(tk.grad), np.asarray(trk.grad)))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
