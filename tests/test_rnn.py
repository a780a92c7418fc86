"""LSTM / GRU / SimpleRNN against an independent float64 per-step implementation (written here,
straight from the Keras formulas), finite-difference gradients through time, every backend and
ISA path, masks (all-zero rows, leading zeros), go_backwards, both GRU variants, hard_sigmoid,
gradients through the final states only, and bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import kernels
from tensorforge.autograd import Tensor
from tensorforge.reference import rnn as ref_rnn
from tfhelpers import assert_close, assert_grad_close, numeric_grad, on_backend, to_numpy


# ---- the float64 oracle ----------------------------------------------------------------------
def _sig(z, kind):
    if kind == "hard_sigmoid":
        return np.clip(0.2 * z + 0.5, 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-z))


def _act(z, kind):
    return np.tanh(z) if kind == "tanh" else np.maximum(z, 0.0)


def oracle(cell, x, kernel, rk, bias, h0=None, c0=None, mask=None, go_backwards=False,
           reset_after=True, act="tanh", rec_act="sigmoid"):
    """Keras' step functions in float64, one sample at a time would be slow; one step at a time."""
    x = np.asarray(x, np.float64)
    B, T, F = x.shape
    U = rk.shape[0]
    W, R = np.asarray(kernel, np.float64), np.asarray(rk, np.float64)
    h = np.zeros((B, U)) if h0 is None else np.asarray(h0, np.float64).copy()
    c = np.zeros((B, U)) if c0 is None else np.asarray(c0, np.float64).copy()
    m = np.ones((B, T), bool) if mask is None else np.asarray(mask) != 0
    if go_backwards:  # Keras: reverse the inputs (and mask), then run forwards
        x, m = x[:, ::-1], m[:, ::-1]
    outs = []
    for t in range(T):
        xt = x[:, t]
        if cell == "lstm":
            b = np.zeros(4 * U) if bias is None else np.asarray(bias, np.float64)
            Wi, Wf, Wc, Wo = (W[:, k * U:(k + 1) * U] for k in range(4))
            Ri, Rf, Rc, Ro = (R[:, k * U:(k + 1) * U] for k in range(4))
            bi, bf, bc, bo = (b[k * U:(k + 1) * U] for k in range(4))
            i = _sig(xt @ Wi + h @ Ri + bi, rec_act)
            f = _sig(xt @ Wf + h @ Rf + bf, rec_act)
            cn = f * c + i * _act(xt @ Wc + h @ Rc + bc, act)
            o = _sig(xt @ Wo + h @ Ro + bo, rec_act)
            hn = o * _act(cn, act)
        elif cell == "gru":
            Wz, Wr, Wh = (W[:, k * U:(k + 1) * U] for k in range(3))
            Rz, Rr, Rh = (R[:, k * U:(k + 1) * U] for k in range(3))
            if reset_after:
                b = np.zeros((2, 3 * U)) if bias is None else np.asarray(bias, np.float64)
                bi, br = b[0], b[1]
                z = _sig(xt @ Wz + bi[:U] + h @ Rz + br[:U], rec_act)
                r = _sig(xt @ Wr + bi[U:2 * U] + h @ Rr + br[U:2 * U], rec_act)
                hh = _act(xt @ Wh + bi[2 * U:] + r * (h @ Rh + br[2 * U:]), act)
            else:
                b = np.zeros(3 * U) if bias is None else np.asarray(bias, np.float64)
                z = _sig(xt @ Wz + h @ Rz + b[:U], rec_act)
                r = _sig(xt @ Wr + h @ Rr + b[U:2 * U], rec_act)
                hh = _act(xt @ Wh + (r * h) @ Rh + b[2 * U:], act)
            hn = z * h + (1 - z) * hh
            cn = c
        else:
            b = np.zeros(U) if bias is None else np.asarray(bias, np.float64)
            hn = _act(xt @ W + h @ R + b, act)
            cn = c
        keep = m[:, t:t + 1]
        h = np.where(keep, hn, h)
        c = np.where(keep, cn, c)
        outs.append(h)
    out = np.stack(outs, axis=1)
    return (out, h, c) if cell == "lstm" else (out, h)


G = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def make_case(rng, cell, B, T, F, U, h0=False, c0=False, mask=None, reset_after=True, bias=True):
    g = G[cell]
    s = 1.0 / np.sqrt(F + U)
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    kernel = (rng.standard_normal((F, g * U)) * 2 * s).astype(np.float32)
    rk = (rng.standard_normal((U, g * U)) * 2 * s).astype(np.float32)
    if not bias:
        b = None
    elif cell == "gru" and reset_after:
        b = (rng.standard_normal((2, g * U)) * 0.5).astype(np.float32)
    else:
        b = (rng.standard_normal(g * U) * 0.5).astype(np.float32)
    args = dict(x=x, kernel=kernel, recurrent_kernel=rk, bias=b)
    args["h0"] = rng.standard_normal((B, U)).astype(np.float32) * 0.5 if h0 else None
    if cell == "lstm":
        args["c0"] = rng.standard_normal((B, U)).astype(np.float32) if c0 else None
    if mask == "random":
        m = rng.random((B, T)) < 0.7
        m[0, :] = False                       # an all-zero row
        if B > 1:
            m[1, : max(1, T // 2)] = False    # leading zeros
        args["mask"] = m
    return args


def call(cell, a, go_backwards=False, reset_after=True, act="tanh", rec_act="sigmoid"):
    kw = dict(mask=a.get("mask"), go_backwards=go_backwards, activation=act)
    if cell == "lstm":
        return tf.ops.lstm(a["x"], a["kernel"], a["recurrent_kernel"], a["bias"], a["h0"], a["c0"],
                           recurrent_activation=rec_act, **kw)
    if cell == "gru":
        return tf.ops.gru(a["x"], a["kernel"], a["recurrent_kernel"], a["bias"], a["h0"],
                          reset_after=reset_after, recurrent_activation=rec_act, **kw)
    return tf.ops.simple_rnn(a["x"], a["kernel"], a["recurrent_kernel"], a["bias"], a["h0"], **kw)


def call_oracle(cell, a, go_backwards=False, reset_after=True, act="tanh", rec_act="sigmoid"):
    return oracle(cell, a["x"], a["kernel"], a["recurrent_kernel"], a["bias"], a["h0"],
                  a.get("c0"), a.get("mask"), go_backwards, reset_after, act, rec_act)


def variants(cell):
    if cell == "lstm":
        return [dict(), dict(rec_act="hard_sigmoid"), dict(act="relu")]
    if cell == "gru":
        return [dict(reset_after=True), dict(reset_after=False),
                dict(reset_after=False, rec_act="hard_sigmoid"), dict(reset_after=True, act="relu")]
    return [dict(), dict(act="relu")]


def random_configs(rng, cell, n):
    out = [(1, 1, 1, 1), (17, 30, 70, 70), (5, 7, 70, 1), (2, 3, 1, 33)]
    out += [(int(rng.integers(1, 18)), int(rng.integers(1, 31)), int(rng.integers(1, 71)),
             int(rng.integers(1, 71))) for _ in range(n)]
    return out


def check_forward(cell, a, got, go_backwards, var, what):
    ref = call_oracle(cell, a, go_backwards, **var)
    F, U = a["kernel"].shape[0], a["recurrent_kernel"].shape[0]
    for name, g, r in zip(("outputs", "h_T", "c_T"), got, ref):
        assert_close(g, r, scale=1.0 + np.abs(r), n=F + U, factor=16, atol=1e-6,
                     what=f"{what} {name}")


# ---- forward ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_forward_random_shapes(backend, rng, cell):
    for k, (B, T, F, U) in enumerate(random_configs(rng, cell, 6)):
        for j, var in enumerate(variants(cell)):
            gb = bool((k + j) % 2)
            a = make_case(rng, cell, B, T, F, U, h0=(k % 3 != 0), c0=(k % 2 == 0),
                          mask="random" if (k + j) % 3 != 1 else None,
                          reset_after=var.get("reset_after", True), bias=(k != 2))
            a_b = {n: (on_backend(v, backend) if isinstance(v, np.ndarray) else v) for n, v in a.items()}
            got = call(cell, a_b, gb, **var)
            assert all(to_numpy(g).dtype == np.float32 for g in got)
            check_forward(cell, a, got, gb, var, f"{cell} {(B, T, F, U)} {var} gb={gb}")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_reference_matches_oracle_float64(rng, cell):
    """reference/rnn.py run in float64 against the oracle: agreement to float64 rounding."""
    for B, T, F, U in [(3, 7, 5, 4), (1, 1, 2, 3), (6, 11, 9, 8)]:
        for var in variants(cell):
            for gb in (False, True):
                a = make_case(rng, cell, B, T, F, U, h0=True, c0=True, mask="random",
                              reset_after=var.get("reset_after", True))
                a64 = {n: (v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype == np.float32
                           else v) for n, v in a.items()}
                m = None if a64.get("mask") is None else a64["mask"].astype(np.float64)
                ra = var.get("reset_after", True)
                act, ract = var.get("act", "tanh"), var.get("rec_act", "sigmoid")
                if cell == "lstm":
                    got = ref_rnn.lstm_forward(a64["x"], a64["kernel"], a64["recurrent_kernel"],
                                               a64["bias"], a64["h0"], a64["c0"], m, gb, act, ract)[:3]
                elif cell == "gru":
                    got = ref_rnn.gru_forward(a64["x"], a64["kernel"], a64["recurrent_kernel"],
                                              a64["bias"], a64["h0"], m, gb, ra, act, ract)[:2]
                else:
                    got = ref_rnn.simple_rnn_forward(a64["x"], a64["kernel"], a64["recurrent_kernel"],
                                                     a64["bias"], a64["h0"], m, gb, act)[:2]
                ref = call_oracle(cell, a, gb, **var)
                for g, r in zip(got, ref):
                    np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)


def test_forward_isa_paths(isa, rng):
    """Every compiled ISA path, shapes that hit every SIMD tail and micro-tile edge."""
    for cell in ("lstm", "gru", "simple_rnn"):
        big = (40, 3, 8, 96) if cell != "simple_rnn" else (40, 3, 8, 176)  # 2 threads
        for k, (B, T, F, U) in enumerate([(1, 1, 1, 1), (7, 5, 3, 17), (13, 4, 33, 31), (9, 3, 20, 70), big]):
            for j, var in enumerate(variants(cell)):
                gb = bool((k + j) % 2)
                a = make_case(rng, cell, B, T, F, U, h0=bool(k % 2), c0=True,
                              mask="random" if k % 2 == 0 else None,
                              reset_after=var.get("reset_after", True))
                check_forward(cell, a, call(cell, a, gb, **var), gb, var,
                              f"[{isa}] {cell} {(B, T, F, U)} {var}")


# ---- gradients -------------------------------------------------------------------------------
def _inputs_of(cell, a):
    names = ["x", "kernel", "recurrent_kernel", "bias", "h0"] + (["c0"] if cell == "lstm" else [])
    return [n for n in names if a.get(n) is not None]


def analytic_grads(cell, a, weights, go_backwards, var, backend, final_only=False):
    """Gradients of sum(outputs * w_out) + sum(h_T * w_h) (+ sum(c_T * w_c)) from our kernels."""
    ts = {}
    for n, v in a.items():
        if isinstance(v, np.ndarray) and n in _inputs_of(cell, a):
            ts[n] = Tensor(on_backend(v, backend), requires_grad=True)
        elif isinstance(v, np.ndarray):
            ts[n] = on_backend(v, backend)
        else:
            ts[n] = v
    outs = call(cell, ts, go_backwards, **var)
    loss = None
    for k, (o, w) in enumerate(zip(outs, weights)):
        if final_only and k == 0:
            continue
        term = (o * Tensor(on_backend(w, backend))).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    return {n: to_numpy(ts[n].grad) for n in _inputs_of(cell, a)}


def numeric_grads(cell, a, weights, go_backwards, var, final_only=False):
    a64 = {n: (v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype == np.float32 else v)
           for n, v in a.items()}

    def loss():
        outs = call_oracle(cell, a64, go_backwards, **var)
        return sum(float((o * w).sum()) for k, (o, w) in enumerate(zip(outs, weights))
                   if not (final_only and k == 0))
    return {n: numeric_grad(loss, a64[n]) for n in _inputs_of(cell, a)}


def loss_weights(rng, cell, B, T, U):
    w = [rng.standard_normal((B, T, U)), rng.standard_normal((B, U))]
    if cell == "lstm":
        w.append(rng.standard_normal((B, U)))
    return w


GRAD_CASES = [(cell, var) for cell in ("lstm", "gru", "simple_rnn") for var in variants(cell)]


@pytest.mark.parametrize("cell,var", GRAD_CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(GRAD_CASES)])
def test_gradients_finite_difference(backend, rng, cell, var):
    """BPTT of our float32 kernels against float64 central differences of the oracle."""
    for B, T, F, U, gb, mask in [(2, 5, 3, 3, False, "random"), (3, 4, 2, 4, True, "random"),
                                 (1, 3, 2, 2, True, None)]:
        a = make_case(rng, cell, B, T, F, U, h0=True, c0=True, mask=mask,
                      reset_after=var.get("reset_after", True))
        w = loss_weights(rng, cell, B, T, U)
        got = analytic_grads(cell, a, w, gb, var, backend)
        num = numeric_grads(cell, a, w, gb, var)
        for n in got:
            assert_grad_close(got[n], num[n], rtol=2e-3, atol=2e-4,
                              what=f"{cell} {var} {(B, T, F, U)} gb={gb} d{n}")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_gradients_through_final_states_only(backend, rng, cell):
    var = dict(reset_after=False) if cell == "gru" else dict()
    a = make_case(rng, cell, 3, 6, 4, 5, h0=True, c0=True, mask="random", reset_after=False)
    w = loss_weights(rng, cell, 3, 6, 5)
    got = analytic_grads(cell, a, w, False, var, backend, final_only=True)
    num = numeric_grads(cell, a, w, False, var, final_only=True)
    for n in got:
        assert_grad_close(got[n], num[n], rtol=2e-3, atol=2e-4, what=f"{cell} final-only d{n}")
    assert np.abs(got["x"]).max() > 0


def test_backward_isa_paths_vs_float64_reference(isa, rng):
    """Native BPTT on every ISA against reference/rnn.py's backward run in float64, at sizes
    where the fused kernels' tiles and tails all show up."""
    for cell in ("lstm", "gru", "simple_rnn"):
        # the last shape is big enough per step (>= 2 MFLOP) for the kernels to use 2 threads
        big = (40, 3, 8, 96) if cell != "simple_rnn" else (40, 3, 8, 176)
        # LSTM, batch < 24: the whole-sequence backward, its chain beside the GEMMs (Note [chain
        # beside the GEMMs]): 300 units (a partial last panel on every ISA) in one time block;
        # 30 steps of 20 rows in blocks of 13, 13 and 4 steps
        # LSTM, batch >= 48 with small weights: the backward's batch-row chains (Note [backward
        # batch-row chains]), two chains of 25 rows, 40 units (partial panels on every ISA)
        # (24, 2, 8, 256): past the row chains' bound (2.2 x a 1 MiB L2), the per-step unit chunks
        # at 2 threads (Note [per-step weight gradients])
        # GRU reset_after: the chain beside the GEMMs too (Note [GRU chain beside the GEMMs]):
        # 300 units in one block, 30 steps of 20 rows in blocks of 7, 13 and 10 steps
        rows = [(5, 3, 8, 300), (20, 30, 8, 40), (50, 4, 8, 40), (24, 2, 8, 256)] if cell == "lstm" else []
        rows = [(5, 3, 8, 300), (20, 30, 8, 40)] if cell == "gru" else rows
        for k, (B, T, F, U) in enumerate([(7, 9, 5, 19), (17, 6, 33, 40), (2, 3, 70, 70), big] + rows):
            for var in (variants(cell) if k < 3 else variants(cell)[-1:]):
                gb = bool(k % 2)
                ra = var.get("reset_after", True)
                act, ract = var.get("act", "tanh"), var.get("rec_act", "sigmoid")
                a = make_case(rng, cell, B, T, F, U, h0=True, c0=True,
                              mask="random" if k != 1 else None, reset_after=ra)
                w = loss_weights(rng, cell, B, T, U)
                got = analytic_grads(cell, a, w, gb, var, "cpu")
                d = lambda v: None if v is None else v.astype(np.float64)  # noqa: E731
                m = None if a.get("mask") is None else a["mask"].astype(np.float64)
                x, K, R, b, h0 = d(a["x"]), d(a["kernel"]), d(a["recurrent_kernel"]), d(a["bias"]), d(a["h0"])
                if cell == "lstm":
                    f = ref_rnn.lstm_forward(x, K, R, b, h0, d(a["c0"]), m, gb, act, ract)
                    ref = ref_rnn.lstm_backward(w[0], w[1], w[2], x, K, R, m, gb, act, ract, *f[3:])
                    names = ["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"]
                elif cell == "gru":
                    f = ref_rnn.gru_forward(x, K, R, b, h0, m, gb, ra, act, ract)
                    ref = ref_rnn.gru_backward(w[0], w[1], x, K, R, m, gb, ra, act, ract, *f[2:])
                    names = ["x", "kernel", "recurrent_kernel", "bias", "h0"]
                else:
                    f = ref_rnn.simple_rnn_forward(x, K, R, b, h0, m, gb, act)
                    ref = ref_rnn.simple_rnn_backward(w[0], w[1], x, K, R, m, gb, act, *f[2:])
                    names = ["x", "kernel", "recurrent_kernel", "bias", "h0"]
                for n, r in zip(names, ref):
                    scale = 1.0 + np.abs(r)
                    assert_close(got[n], r, scale=scale, n=(F + U) * T * (B if n != "x" else 1),
                                 factor=4, atol=1e-5, what=f"[{isa}] {cell} {var} {(B, T, F, U)} d{n}")


def test_masked_steps_carry_state_and_block_gradient(backend, rng):
    """A fully masked sample keeps its initial state at every output, and x of masked steps gets
    exactly zero gradient (NaN there does not leak either)."""
    a = make_case(rng, "lstm", 4, 6, 3, 5, h0=True, c0=True, mask="random")
    a["x"][0, 2] = np.nan  # row 0 is fully masked
    out, h, c = call("lstm", {n: (on_backend(v, backend) if isinstance(v, np.ndarray) else v)
                              for n, v in a.items()})
    out, h, c = to_numpy(out), to_numpy(h), to_numpy(c)
    np.testing.assert_array_equal(out[0], np.broadcast_to(a["h0"][0], out[0].shape))
    np.testing.assert_array_equal(c[0], a["c0"][0])
    assert np.isfinite(out).all()
    a["x"][0, 2] = 0.0
    w = loss_weights(rng, "lstm", 4, 6, 5)
    g = analytic_grads("lstm", a, w, False, {}, backend)
    m = a["mask"]
    assert (g["x"][~m] == 0).all()
    np.testing.assert_allclose(g["h0"][0], w[0][0].sum(0) + w[1][0], rtol=1e-5)


def test_nan_propagates(backend, rng):
    a = make_case(rng, "gru", 2, 4, 3, 5, h0=True)
    a["x"][1, 1, 0] = np.nan
    out, h = call("gru", {n: (on_backend(v, backend) if isinstance(v, np.ndarray) else v)
                          for n, v in a.items()})
    out = to_numpy(out)
    assert np.isnan(out[1, 1:]).all() and np.isfinite(out[1, 0]).all() and np.isfinite(out[0]).all()


# ---- bad input -------------------------------------------------------------------------------
def test_bad_input(backend):
    x = np.zeros((2, 3, 4), np.float32)
    k, rk, b = np.zeros((4, 20), np.float32), np.zeros((5, 20), np.float32), np.zeros(20, np.float32)
    with pytest.raises(ValueError, match=r"lstm: x must be 3-D .*got shape \(2, 4\)"):
        tf.ops.lstm(x[:, 0], k, rk, b)
    with pytest.raises(ValueError, match=r"lstm: recurrent_kernel must have shape .*\(5, 20\).*got \(5, 16\)"):
        tf.ops.lstm(x, k, rk[:, :16], b)
    with pytest.raises(ValueError, match=r"lstm: kernel must have shape .*\(4, 20\).*got \(3, 20\)"):
        tf.ops.lstm(x, k[:3], rk, b)
    with pytest.raises(ValueError, match=r"lstm: bias must have shape \(20,\)"):
        tf.ops.lstm(x, k, rk, b[:12])
    with pytest.raises(ValueError, match=r"lstm: mask must have shape \(batch, time\) = \(2, 3\)"):
        tf.ops.lstm(x, k, rk, b, mask=np.ones((3, 2), bool))
    with pytest.raises(ValueError, match=r"lstm: h0 must have shape \(batch, units\) = \(2, 5\)"):
        tf.ops.lstm(x, k, rk, b, h0=np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match=r"lstm: x must be float32 or float64, got float16"):
        tf.ops.lstm(x.astype(np.float16), k, rk, b)
    with pytest.raises(TypeError, match=r"lstm: arguments must share one dtype"):
        tf.ops.lstm(x.astype(np.float64), k, rk, b)
    with pytest.raises(TypeError, match=r"lstm: kernel must be float32 or float64, got int64"):
        tf.ops.lstm(x, k.astype(np.int64), rk, b)
    with pytest.raises(ValueError, match=r"lstm: x must not be empty"):
        tf.ops.lstm(np.zeros((2, 0, 4), np.float32), k, rk, b)
    with pytest.raises(ValueError, match=r"lstm: recurrent_activation must be one of"):
        tf.ops.lstm(x, k, rk, b, recurrent_activation="relu")
    gk, grk = np.zeros((4, 15), np.float32), np.zeros((5, 15), np.float32)
    with pytest.raises(ValueError, match=r"gru: bias must have shape \(2, 15\)"):
        tf.ops.gru(x, gk, grk, np.zeros(15, np.float32))
    with pytest.raises(ValueError, match=r"gru: bias must have shape \(15,\)"):
        tf.ops.gru(x, gk, grk, np.zeros((2, 15), np.float32), reset_after=False)
    with pytest.raises(ValueError, match=r"gru: recurrent_kernel must have shape"):
        tf.ops.gru(x, k, rk, None)
    with pytest.raises(ValueError, match=r"simple_rnn: kernel must have shape \(features, 1\*units\)"):
        tf.ops.simple_rnn(x, np.zeros((4, 6), np.float32), np.zeros((5, 5), np.float32), None)
    with pytest.raises(ValueError, match=r"simple_rnn: activation must be one of"):
        tf.ops.simple_rnn(x, np.zeros((4, 5), np.float32), np.zeros((5, 5), np.float32), None,
                          activation="elu")


def test_native_rejects_bad_arrays_directly():
    """The _C functions are reachable without kernels.rnn's checks: they must raise, not crash."""
    C = tf._native._C
    if C is None or not hasattr(C, "lstm_forward"):
        pytest.skip("native CPU module unavailable")
    x = np.zeros((2, 3, 4), np.float32)
    k, rk, b = np.zeros((4, 20), np.float32), np.zeros((5, 20), np.float32), np.zeros(20, np.float32)
    with pytest.raises(ValueError):
        C.lstm_forward(x, k[:3], rk, b, None, None, None, False, "tanh", "sigmoid")
    with pytest.raises(TypeError):
        C.lstm_forward(x.astype(np.float64), k, rk, b, None, None, None, False, "tanh", "sigmoid")
    with pytest.raises(ValueError):
        C.lstm_forward(x[:, ::2], k, rk, b, None, None, None, False, "tanh", "sigmoid")
    with pytest.raises(ValueError):
        C.gru_forward(x, k[:, :15], rk[:, :15], np.zeros(15, np.float32), None, None, False, True,
                      "tanh", "sigmoid")
    k5, rk5 = np.ascontiguousarray(k[:, :5]), np.ascontiguousarray(rk[:, :5])
    f = C.simple_rnn_forward(x, k5, rk5, None, None, None, False, "tanh")
    with pytest.raises(ValueError, match="d_outputs must have shape"):
        C.simple_rnn_backward(np.zeros((2, 3, 4), np.float32), np.zeros((2, 5), np.float32), x,
                              k5, rk5, None, False, "tanh", f[2], f[3])
    with pytest.raises(ValueError, match="mask must have shape"):
        C.simple_rnn_forward(x, k5, rk5, None, None, np.ones((2, 4), np.float32), False, "tanh")
    with pytest.raises(ValueError, match="activation must be"):
        C.simple_rnn_forward(x, k5, rk5, None, None, None, False, "elu")


def test_kernels_entry_points_accept_views_and_bool_masks(rng):
    a = make_case(rng, "lstm", 3, 4, 6, 5, mask="random")
    xv = np.concatenate([a["x"], a["x"]], axis=2)[:, :, ::2]  # non-contiguous view
    got = kernels.rnn.lstm_forward(xv, a["kernel"], a["recurrent_kernel"], a["bias"],
                                   mask=a["mask"].astype(np.int32))
    ref = oracle("lstm", xv, a["kernel"], a["recurrent_kernel"], a["bias"], mask=a["mask"])
    assert_close(got[0], ref[0], scale=1 + np.abs(ref[0]), n=11, factor=16)


# ---- cached scratch (Note [workspace] in csrc/include/tf/workspace.h) ----------------------------
def test_workspace_reuse_and_release_do_not_change_results(rng):
    """The native backward keeps its gate-gradient and packed-weight scratch between calls: a small
    call after a large one (scratch full of the large call's values) and after
    release_workspaces() must give the same bits, and match the float64 reference."""
    from tensorforge import backend
    from tensorforge.kernels import rnn as krnn

    def grads(B, T, F, U, seed):
        r = np.random.default_rng(seed)
        x = r.standard_normal((B, T, F)).astype(np.float32)
        k = (r.standard_normal((F, 4 * U)) / np.sqrt(F)).astype(np.float32)
        rk = (r.standard_normal((U, 4 * U)) / np.sqrt(U)).astype(np.float32)
        b = r.standard_normal(4 * U).astype(np.float32)
        dout = r.standard_normal((B, T, U)).astype(np.float32)
        f = krnn.lstm_forward(x, k, rk, b)
        g = krnn.lstm_backward(dout, None, None, x, k, rk, None, False, "tanh", "sigmoid", *f[3:])
        fr = ref_rnn.lstm_forward(*(a.astype(np.float64) for a in (x, k, rk, b)), None, None, None,
                                  False, "tanh", "sigmoid")
        z = np.zeros((B, U))
        gr = ref_rnn.lstm_backward(dout.astype(np.float64), z, z, x.astype(np.float64),
                                   k.astype(np.float64), rk.astype(np.float64), None, False, "tanh",
                                   "sigmoid", *fr[3:])
        return [np.asarray(a) for a in g[:4]], gr[:4]

    small = (3, 5, 7, 20)
    first, want = grads(*small, seed=1)
    grads(16, 12, 40, 96, seed=2)                 # grows every scratch slot, fills it with other values
    after_large, _ = grads(*small, seed=1)
    backend.release_workspaces()
    after_release, _ = grads(*small, seed=1)
    for a, b_, c, w in zip(first, after_large, after_release, want):
        np.testing.assert_array_equal(a, b_)
        np.testing.assert_array_equal(a, c)
        assert_close(a, w, scale=1.0 + np.abs(w), n=64, factor=16, atol=1e-6, what="lstm grads")


# ---- LSTM weight gradients per step (Note [per-step weight gradients] in csrc/cpu/rnn_impl.h)
def same_bits_at_1_and_2_threads(run):
    """run()'s arrays at 1 and at 2 threads, asserted bit-equal; -> the 1-thread arrays."""
    per_threads = []
    prev = tf.get_num_threads()
    try:
        for nt in (1, 2):
            tf.set_num_threads(nt)
            per_threads.append([np.asarray(v) for v in run()])
    finally:
        tf.set_num_threads(prev)
    for g1, g2 in zip(*per_threads):
        np.testing.assert_array_equal(g1, g2)
    return per_threads[0]


@pytest.mark.parametrize("B,T,F,U", [
    (64, 4, 28, 128),  # the bench shape's sizes: per-step weight gradients, 4 unit chunks at 2 threads
    (33, 5, 3, 37),    # partial panels (37 units: 2 x 16 + 5), uneven batch rows per chunk
    (1, 6, 11, 20),    # batch 1 (< 24): the whole-sequence GEMMs
    (3, 4, 8, 512),    # dW (520, 2048) = 4.3 MB: the whole-sequence GEMMs
    (5, 3, 8, 300),    # the chain beside the GEMMs on 2 threads, one time block, a partial last panel
    (20, 30, 8, 40),   # the same in time blocks of 13, 13 and 4 steps
    (20, 30, 8, 32),   # the same, 4U = 128: the padded weight-gradient rows (144 floats apart)
    (49, 3, 5, 33),    # the backward's batch-row chains (batch >= 48): 24 + 25 rows, odd units
    (48, 3, 70, 60),   # the same, F > 64: the forward's projection as one GEMM (not fused)
    (17, 4, 6, 40),    # the backward's row chains at batch 17 (8 + 9 rows; before: the whole-sequence GEMMs)
    (64, 3, 40, 208),  # forward weights 0.85 x a 1 MiB L2: past the forward's chains (unit chunks);
                       # the backward's chains (1.65 x)
])
def test_lstm_weight_gradients_per_step_and_whole_sequence(rng, B, T, F, U):
    """The native LSTM backward's ways to its weight gradients (batch-row chains' partials while
    the weights stay near the L2 and the batch is >= 16, per-step unit chunks, else time blocks of
    the whole sequence beside the chain) against reference/rnn.py in float64,
    with masks (all-zero and leading-zero rows), initial states and go_backwards, and the same
    bits at 1 and 2 threads, forward and backward (each weight column sums its steps in one order
    whatever the chunks; batch-row chains are cut by the shape alone)."""
    from tensorforge.kernels import rnn as krnn
    a = make_case(rng, "lstm", B, T, F, U, h0=True, c0=True, mask="random")
    a["mask"][-1, -1] = True
    m = a["mask"].astype(np.float32)
    dout = rng.standard_normal((B, T, U)).astype(np.float32)
    dh, dc = rng.standard_normal((2, B, U)).astype(np.float32)
    args = [a[n] for n in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0")]
    for gb in (False, True):
        def run():
            f = krnn.lstm_forward(*args, m, gb, "tanh", "sigmoid")
            g = krnn.lstm_backward(dout, dh, dc, a["x"], a["kernel"], a["recurrent_kernel"], m, gb,
                                   "tanh", "sigmoid", *f[3:])
            return list(g) + list(f)
        per_threads = [same_bits_at_1_and_2_threads(run)]
        d = [v.astype(np.float64) for v in args]
        fr = ref_rnn.lstm_forward(*d, m.astype(np.float64), gb, "tanh", "sigmoid")
        ref = ref_rnn.lstm_backward(dout.astype(np.float64), dh.astype(np.float64), dc.astype(np.float64),
                                    d[0], d[1], d[2], m.astype(np.float64), gb, "tanh", "sigmoid", *fr[3:])
        for name, got, r in zip(["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"], per_threads[0], ref):
            assert_close(got, r, scale=1.0 + np.abs(r), n=(F + U) * T * B, factor=4, atol=1e-5,
                         what=f"lstm {(B, T, F, U)} gb={gb} d{name}")
        assert np.abs(per_threads[0][1]).max() > 0 and np.abs(per_threads[0][0]).max() > 0


@pytest.mark.parametrize("B,T,F,U", [
    (20, 30, 8, 40),   # time blocks of 7, 13 and 10 steps (a short first, a partial last block)
    (5, 3, 8, 300),    # one block; 300 units: a partial last panel on every ISA
    (64, 3, 40, 208),  # 2 threads: the chain beside the time-block tasks
])
def test_gru_weight_gradients_time_blocks(rng, B, T, F, U):
    """The native GRU backward (reset_after: the chain beside the weight-gradient GEMMs of its
    finished time blocks; reset_after=False: unit-chunk phases, then the whole-sequence GEMMs)
    against reference/rnn.py in float64, with masks, an initial state and go_backwards, and the
    same bits at 1 and 2 threads (the ordered streams add the blocks in one order)."""
    from tensorforge.kernels import rnn as krnn
    for ra in (True, False):
        a = make_case(rng, "gru", B, T, F, U, h0=True, mask="random", reset_after=ra)
        a["mask"][-1, -1] = True
        m = a["mask"].astype(np.float32)
        dout = rng.standard_normal((B, T, U)).astype(np.float32)
        dh = rng.standard_normal((B, U)).astype(np.float32)
        args = [a[n] for n in ("x", "kernel", "recurrent_kernel", "bias", "h0")]
        for gb in (False, True):
            def run():
                f = krnn.gru_forward(*args, m, gb, ra, "tanh", "sigmoid")
                return krnn.gru_backward(dout, dh, a["x"], a["kernel"], a["recurrent_kernel"], m, gb, ra,
                                         "tanh", "sigmoid", *f[2:])
            per_threads = [same_bits_at_1_and_2_threads(run)]
            d = [v.astype(np.float64) for v in args]
            fr = ref_rnn.gru_forward(*d, m.astype(np.float64), gb, ra, "tanh", "sigmoid")
            ref = ref_rnn.gru_backward(dout.astype(np.float64), dh.astype(np.float64), d[0], d[1], d[2],
                                       m.astype(np.float64), gb, ra, "tanh", "sigmoid", *fr[2:])
            for name, got, r in zip(["x", "kernel", "recurrent_kernel", "bias", "h0"], per_threads[0], ref):
                assert_close(got, r, scale=1.0 + np.abs(r), n=(F + U) * T * B, factor=4, atol=1e-5,
                             what=f"gru {(B, T, F, U)} reset_after={ra} gb={gb} d{name}")
                assert np.abs(got).max() > 0, name
