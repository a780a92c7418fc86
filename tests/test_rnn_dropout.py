"""ops/rnn_dropout.py (Keras 2's per-gate dropout masks, the sequence as one op) and the
layers' step loop for activations the fused kernels lack (ops/rnn_graph.py).

Oracle: Keras 2's cells (implementation 1) written out below in float64 NumPy, and their central
finite differences for every gradient."""
import numpy as np
import pytest

from tensorforge import keras
from tensorforge.ops import rnn_dropout as ops_d
from tensorforge.ops import rnn_graph as ops_g
from tensorforge.autograd import Tensor
from tensorforge.higher_order import grad
from tfhelpers import numeric_grad

L = keras.layers


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _hsig(z):
    return np.clip(0.2 * z + 0.5, 0, 1)


_ACTS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": _sig,
         "hard_sigmoid": _hsig, "softsign": lambda z: z / (1 + np.abs(z)), "linear": lambda z: z}


def keras_cell_forward(cell, x, k, rk, b, states, x_keep, h_keep, mask, go_backwards,
                       act="tanh", rec="sigmoid", reset_after=True):
    """Keras 2's LSTMCell / GRUCell / SimpleRNNCell (implementation 1) over a sequence, float64:
    gate g reads (x * x_keep[g]) @ k_g and (h * h_keep[g]) @ rk_g; a masked step keeps the state
    and repeats it as its output. -> (outputs (B, T, U), final states...)."""
    a, r_ = _ACTS[act], _ACTS[rec]
    B, T, F = x.shape
    U = rk.shape[0]
    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell]
    xk = np.ones((G, B, F)) if x_keep is None else x_keep
    hk = np.ones((G, B, U)) if h_keep is None else h_keep
    kg = [k[:, g * U:(g + 1) * U] for g in range(G)]
    rg = [rk[:, g * U:(g + 1) * U] for g in range(G)]
    st = [s.copy() for s in states]
    outs = []
    for t in (range(T - 1, -1, -1) if go_backwards else range(T)):
        h = st[0]
        xs = [(x[:, t] * xk[g]) @ kg[g] for g in range(G)]
        hs = [(h * hk[g]) for g in range(G)]
        if cell == "lstm":
            pre = [xs[g] + hs[g] @ rg[g] + (0 if b is None else b[g * U:(g + 1) * U])
                   for g in range(4)]
            c = r_(pre[1]) * st[1] + r_(pre[0]) * a(pre[2])
            new = [r_(pre[3]) * a(c), c]
        elif cell == "gru":
            if b is None:
                bi, br = np.zeros(3 * U), np.zeros(3 * U)
            else:
                bi, br = (b[0], b[1]) if reset_after else (b, np.zeros(3 * U))
            z = r_(xs[0] + bi[:U] + hs[0] @ rg[0] + br[:U])
            r = r_(xs[1] + bi[U:2 * U] + hs[1] @ rg[1] + br[U:2 * U])
            if reset_after:
                hh = a(xs[2] + bi[2 * U:] + r * (hs[2] @ rg[2] + br[2 * U:]))
            else:
                hh = a(xs[2] + bi[2 * U:] + (r * hs[2]) @ rg[2])
            new = [z * h + (1 - z) * hh]
        else:
            new = [a(xs[0] + hs[0] @ rg[0] + (0 if b is None else b))]
        if mask is not None:
            m = mask[:, t:t + 1] != 0
            new = [np.where(m, n, o) for n, o in zip(new, st)]
        st = new
        outs.append(st[0])
    return [np.stack(outs, axis=1)] + st


def _case(cell, rng, B=3, T=5, F=4, U=3, reset_after=True, with_x_keep=True, with_mask=True):
    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell]
    x = rng.standard_normal((B, T, F))
    k = rng.uniform(-0.6, 0.6, (F, G * U))
    rk = rng.uniform(-0.6, 0.6, (U, G * U))
    b = rng.uniform(-0.3, 0.3, (2, 3 * U) if (cell == "gru" and reset_after) else (G * U,))
    states = [rng.uniform(-0.5, 0.5, (B, U)) for _ in range(2 if cell == "lstm" else 1)]
    x_keep = (rng.integers(0, 2, (G, B, F)) * 2.0) if with_x_keep else None
    h_keep = rng.integers(0, 2, (G, B, U)) * 1.25
    mask = None
    if with_mask:
        mask = np.ones((B, T), np.float32)
        mask[0, 0] = mask[1, 2] = mask[-1, 3:] = 0
    return x, k, rk, b, states, x_keep, h_keep, mask


def _run_op(cell, args, x_keep, h_keep, mask, go_backwards, reset_after=True, act="tanh",
            rec="sigmoid"):
    x, k, rk, b, *states = args
    if cell == "lstm":
        return ops_d.lstm_dropout(x, k, rk, b, *states, x_keep=x_keep, h_keep=h_keep, mask=mask,
                                go_backwards=go_backwards, activation=act,
                                recurrent_activation=rec)
    if cell == "gru":
        return ops_d.gru_dropout(x, k, rk, b, *states, x_keep=x_keep, h_keep=h_keep, mask=mask,
                               go_backwards=go_backwards, reset_after=reset_after,
                               activation=act, recurrent_activation=rec)
    return ops_d.simple_rnn_dropout(x, k, rk, b, *states, x_keep=x_keep, h_keep=h_keep, mask=mask,
                                  go_backwards=go_backwards, activation=act)


CELLS = [("lstm", True, "tanh", "sigmoid"), ("lstm", True, "relu", "hard_sigmoid"),
         ("gru", True, "tanh", "sigmoid"), ("gru", False, "tanh", "hard_sigmoid"),
         ("simple_rnn", True, "tanh", None), ("simple_rnn", True, "relu", None)]


@pytest.mark.parametrize("cell,reset_after,act,rec", CELLS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_forward_and_gradients_match_keras_cells(cell, reset_after, act, rec, go_backwards,
                                                 backend):
    rng = np.random.default_rng(7)
    x, k, rk, b, states, x_keep, h_keep, mask = _case(cell, rng, reset_after=reset_after,
                                                      with_x_keep=not go_backwards)
    rec = rec or "sigmoid"
    args64 = [x, k, rk, b] + states
    weights = [rng.standard_normal(a.shape) for a in
               [np.zeros((3, 5, 3))] + [np.zeros((3, 3))] * len(states)]

    def loss64():
        outs = keras_cell_forward(cell, *args64[:4], args64[4:], x_keep, h_keep, mask,
                                  go_backwards, act, rec, reset_after)
        return sum(float((o * w).sum()) for o, w in zip(outs, weights))

    want = keras_cell_forward(cell, *args64[:4], args64[4:], x_keep, h_keep, mask, go_backwards,
                              act, rec, reset_after)
    ts = [Tensor(a.astype(np.float32), requires_grad=True) for a in args64]
    outs = _run_op(cell, ts, None if x_keep is None else x_keep.astype(np.float32),
                   h_keep.astype(np.float32), mask, go_backwards, reset_after, act, rec)
    for o, w in zip(outs, want):
        np.testing.assert_allclose(o.numpy(), w, rtol=2e-5, atol=2e-5)
    total = None
    for o, w in zip(outs, weights):
        term = (o * w.astype(np.float32)).sum()
        total = term if total is None else total + term
    total.backward()
    for i, (t, a) in enumerate(zip(ts, args64)):
        num = numeric_grad(loss64, a)
        np.testing.assert_allclose(t.grad, num, rtol=2e-3, atol=2e-4,
                                   err_msg=f"{cell} gradient of argument {i}")


@pytest.mark.parametrize("cell,reset_after", [("lstm", True), ("gru", True), ("gru", False),
                                              ("simple_rnn", True)])
def test_op_equals_the_recorded_step_loop(cell, reset_after, rng):
    """The one-node op and rnn_graph's loop of Tensor ops: outputs and every gradient."""
    x, k, rk, b, states, x_keep, h_keep, mask = _case(cell, rng, B=4, T=7, F=5, U=6,
                                                      reset_after=reset_after)
    xk, hk = x_keep.astype(np.float32), h_keep.astype(np.float32)
    results = []
    for run in ("op", "graph"):
        ts = [Tensor(a.astype(np.float32), requires_grad=True) for a in [x, k, rk, b] + states]
        if run == "op":
            outs = _run_op(cell, ts, xk, hk, mask, True, reset_after)
        else:
            from tensorforge.ops.double_backward_rnn import _ACT, _REC_ACT
            act, rec = _ACT["tanh"], _REC_ACT["sigmoid"]
            if cell == "lstm":
                outs = ops_g.lstm_graph(*ts, mask, True, act, rec, x_keep=xk, h_keep=hk)
            elif cell == "gru":
                outs = ops_g.gru_graph(*ts, mask, True, reset_after, act, rec, x_keep=xk,
                                     h_keep=hk)
            else:
                outs = ops_g.simple_rnn_graph(*ts, mask, True, act, x_keep=xk, h_keep=hk)
        loss = (outs[0] * outs[0]).sum() + outs[1].sum()
        loss.backward()
        results.append([o.numpy() for o in outs] + [t.grad for t in ts])
    for a, b_ in zip(*results):
        np.testing.assert_allclose(a, b_, rtol=1e-4, atol=1e-5)


def test_second_derivative_through_the_op(rng):
    """A gradient penalty through lstm_dropout (d/dkernel of ||dL/dx||^2) against finite
    differences of the op's own first derivative, float64."""
    x, k, rk, b, states, x_keep, h_keep, mask = _case("lstm", rng, B=2, T=4, F=3, U=2)

    def penalty(kk, keep_graph):
        xt = Tensor(x.copy(), requires_grad=True)
        kt = Tensor(kk, requires_grad=True)
        out, h, c = ops_d.lstm_dropout(xt, kt, rk, b, *states, x_keep=x_keep, h_keep=h_keep,
                                     mask=mask)
        loss = (out * out).sum() + (h * c).sum()
        (gx,) = grad(loss, [xt], create_graph=keep_graph)
        return (gx * gx).sum(), kt

    pen, kt = penalty(k.copy(), True)
    (gk,) = grad(pen, [kt])
    v = rng.standard_normal(k.shape)
    eps = 1e-6
    num = (float(penalty(k + eps * v, False)[0].numpy())
           - float(penalty(k - eps * v, False)[0].numpy())) / (2 * eps)
    assert abs(float((gk.numpy() * v).sum()) - num) <= 1e-5 * max(1.0, abs(num))


@pytest.mark.parametrize("cls,kw,act,rec", [
    (L.LSTM, dict(activation="softsign"), "softsign", "sigmoid"),
    (L.LSTM, dict(activation="linear", recurrent_activation="tanh"), "linear", "tanh"),
    (L.GRU, dict(recurrent_activation="tanh"), "tanh", "tanh"),
    (L.GRU, dict(activation="sigmoid", reset_after=False), "sigmoid", "sigmoid"),
    (L.SimpleRNN, dict(activation="sigmoid"), "sigmoid", None),
    (L.SimpleRNN, dict(activation="linear"), "linear", None)])
def test_any_activation_runs_as_keras(cls, kw, act, rec, rng):
    """Keras 2 takes any activation; the fused kernels have tanh / relu (sigmoid / hard_sigmoid
    for the gates): the others run as the recorded step loop, forward and gradients."""
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    mask = np.ones((3, 5), bool)
    mask[1, 3:] = False
    layer = cls(3, return_sequences=True, return_state=True, bias_initializer="random_normal",
                **kw)
    xt = Tensor(x, requires_grad=True)
    outs = layer(xt, mask=mask)
    cell = {L.LSTM: "lstm", L.GRU: "gru", L.SimpleRNN: "simple_rnn"}[cls]
    W = [w.astype(np.float64) for w in layer.get_weights()]
    n_st = 2 if cell == "lstm" else 1
    want = keras_cell_forward(cell, x.astype(np.float64), W[0], W[1], W[2],
                              [np.zeros((3, 3))] * n_st, None, None, mask, False, act,
                              rec or "sigmoid", kw.get("reset_after", True))
    for o, w in zip(outs, want):
        np.testing.assert_allclose(o.numpy(), w, rtol=2e-5, atol=2e-5)
    outs[0].sum().backward()
    assert xt.grad is not None and np.isfinite(xt.grad).all() and np.abs(xt.grad).sum() > 0
    assert layer.kernel.grad is not None and np.abs(layer.kernel.grad).sum() > 0


def test_recurrent_dropout_layers_train(rng):
    """imdb_lstm's layer stack (Embedding, LSTM(dropout, recurrent_dropout)) and a GRU / SimpleRNN
    with recurrent dropout fit a separable toy task."""
    x = rng.integers(1, 50, size=(256, 12))
    y = (x[:, :6].sum(axis=1) > x[:, 6:].sum(axis=1)).astype("float32")[:, None]
    for rnn in (L.LSTM(16, dropout=0.2, recurrent_dropout=0.2),
                L.GRU(16, dropout=0.2, recurrent_dropout=0.2, reset_after=False),
                L.SimpleRNN(16, recurrent_dropout=0.1, go_backwards=True)):
        model = keras.Sequential([L.Embedding(50, 8, mask_zero=True), rnn,
                                  L.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01))
        first = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=6, batch_size=32, verbose=0)
        last = model.evaluate(x, y, verbose=0)
        assert last < 0.6 * first, f"{type(rnn).__name__}: loss {first} -> {last}"


def test_bad_masks_name_the_op():
    x = np.zeros((2, 3, 4), np.float32)
    k, rk = np.zeros((4, 8), np.float32), np.zeros((2, 8), np.float32)
    with pytest.raises(ValueError, match=r"lstm_dropout: h_keep must have shape \(4, 2, 2\)"):
        ops_d.lstm_dropout(x, k, rk, None, h_keep=np.ones((4, 3, 2), np.float32))
    with pytest.raises(ValueError, match=r"lstm_dropout: x_keep must have shape \(4, 2, 4\)"):
        ops_d.lstm_dropout(x, k, rk, None, x_keep=np.ones((2, 4), np.float32),
                         h_keep=np.ones((4, 2, 2), np.float32))
    with pytest.raises(ValueError, match="gru_dropout: h_keep"):
        ops_d.gru_dropout(x, np.zeros((4, 6), np.float32), rk[:, :6], None)
