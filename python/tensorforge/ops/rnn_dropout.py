"""The recurrent ops under recurrent dropout: lstm_dropout, gru_dropout, simple_rnn_dropout.

Note [recurrent dropout steps]
Keras 2 trains a recurrent layer with ``recurrent_dropout`` as its implementation 1: one dropout
mask per gate on the input (``x_keep`` (G, B, F), or None) and one per gate on the recurrent
state (``h_keep`` (G, B, U)), drawn once per batch: gate g reads ``(x * x_keep[g]) @ kernel_g +
(h * h_keep[g]) @ recurrent_kernel_g``. The fused kernels (ops/rnn.py) read h once for every
gate, so they cannot run it. A step loop of recorded Tensor ops can (rnn_graph.py), but at ~25
ops per step, each a node forward and backward, the Python bookkeeping costs 5-10x the
arithmetic at the sizes Keras 2's examples use (imdb_lstm: LSTM(128, dropout=0.2,
recurrent_dropout=0.2), batch 32, 80 steps).

So here the whole sequence is one autograd node. The input projection of every step and gate,
dx and the weight gradients are batched GEMMs over all steps at once (kernel / recurrent kernel
gradients: (masked input)^T dGates per gate); the recurrence between them, forward and backward,
is one kernel call (kernels/rnn_dropout.py: native for float32 on the CPU,
csrc/cpu/rnn_dropout.cpp; else its NumPy twin reference/rnn_dropout.py, Note [recurrent dropout
kernels]), which saves the gates / previous states indexed by input time as the fused kernels
do. SimpleRNN's recurrence (one gate) stays an array-level loop here: per step one GEMM of the
masked state and its activation. Masks, go_backwards and
initial states follow reference/rnn.py. Activations: the fused kernels' (tanh / relu, sigmoid /
hard_sigmoid); the layers run any other through rnn_graph.py. A second derivative recomputes the
sequence in Tensor ops (rnn_graph.py) as double_backward_rnn.py does for the fused ops.
"""

from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels import rnn_dropout as kd
from ..kernels.gemm import matmul
from ..reference.rnn import _act, _dact
from .double_backward_rnn import _ACT, _REC_ACT, _vjp
from .rnn_graph import gru_graph, lstm_graph, simple_rnn_graph

__all__ = ["lstm_dropout", "gru_dropout", "simple_rnn_dropout"]


def _raw(a):
    return a.data if isinstance(a, Tensor) else a


def _blocks(w, G, U):
    """(G, K, U) view of a (K, G*U) kernel: gate g's columns."""
    return w.reshape(w.shape[0], G, U).transpose(1, 0, 2)


def _blocks_t(w, G, U):
    """(G, U, K) C-contiguous: gate g's columns transposed, for the GEMMs that multiply by them
    from the right. A copy, made once per pass: a batched GEMM of few slices reads a transposed
    view through a row-block split that repacks it per block (LSTM(128) at batch 32, one step's
    dh: 171 us through the view, ~45 us from the copy, 1 thread)."""
    return array_module(w).ascontiguousarray(_blocks(w, G, U).transpose(0, 2, 1))


def _project(x, kernel, x_keep, G, U):
    """-> (P, X): P (G, T, B, U) gate g's input projection of every step,
    (x * x_keep[g]) @ kernel_g; X (G, T*B, F) the masked inputs (None without x_keep), which the
    backward's dkernel reads again. Gate-major, so the per-gate GEMMs write and read it in place."""
    xp = array_module(x)
    B, T, F = x.shape
    xt = x.transpose(1, 0, 2)  # (T, B, F)
    if x_keep is None:
        P = matmul(xp.ascontiguousarray(xt).reshape(T * B, F), kernel)
        return xp.ascontiguousarray(P.reshape(T, B, G, U).transpose(2, 0, 1, 3)), None
    X = (xt[None] * x_keep[:, None]).reshape(G, T * B, F)
    return matmul(X, _blocks(kernel, G, U)).reshape(G, T, B, U), X


def _input_grads(x, kernel, x_keep, X, dZ, needs):
    """(dx (B, T, F), dkernel (F, G*U)) from dZ (G, T, B, U), the gates' pre-activation
    gradients on the input side, each None unless needs[0] / needs[1] (a layer reading the model's
    input needs no dx: one whole-sequence GEMM fewer); X: _project's masked inputs."""
    xp = array_module(x)
    G, T, B, U = dZ.shape
    F = x.shape[2]
    dx = dk = None
    if x_keep is None:  # one GEMM each over all gates
        dZ2 = xp.ascontiguousarray(dZ.transpose(1, 2, 0, 3)).reshape(T * B, G * U)
        if needs[0]:
            dx = xp.ascontiguousarray(matmul(dZ2, kernel.T).reshape(T, B, F).transpose(1, 0, 2))
        if needs[1]:
            dk = matmul(xp.ascontiguousarray(x.transpose(1, 0, 2)).reshape(T * B, F).T, dZ2)
        return dx, dk
    dZg = dZ.reshape(G, T * B, U)
    if needs[0]:
        dX = matmul(dZg, _blocks_t(kernel, G, U)).reshape(G, T, B, F)
        dx = xp.ascontiguousarray((dX * x_keep[:, None]).sum(axis=0).transpose(1, 0, 2))
    if needs[1]:
        dk = matmul(X.transpose(0, 2, 1), dZg)  # (G, F, U)
        dk = xp.ascontiguousarray(dk.transpose(1, 0, 2).reshape(F, G * U))
    return dx, dk


def _recurrent_grad(h_in, dR):
    """drecurrent_kernel (U, G*U): per gate, h_in[g]^T dR[g] over every step; h_in (G, T, B, U)
    the recurrent GEMM's inputs, dR (G, T, B, U)."""
    xp = array_module(dR)
    G, T, B, U = dR.shape
    dRg = dR.reshape(G, T * B, U)
    d = matmul(h_in.reshape(G, T * B, U).transpose(0, 2, 1), dRg)  # (G, U, U)
    return xp.ascontiguousarray(d.transpose(1, 0, 2).reshape(U, G * U))


def _state(s, xp, B, U, dtype):
    return xp.zeros((B, U), dtype=dtype) if s is None else xp.array(s, dtype=dtype)


def _init(s, x):
    """An initial state as x's array type and dtype, or None (zeros)."""
    return None if s is None else array_module(x).asarray(s, dtype=x.dtype)


def _steps(T, go_backwards):
    return [(s, T - 1 - s if go_backwards else s) for s in range(T)]


def _keep(mask, t):
    return None if mask is None else (mask[:, t] != 0)[:, None]


def _grad_or_zeros(g, xp, shape, dtype):
    return xp.zeros(shape, dtype=dtype) if g is None else g


# ---- LSTM ------------------------------------------------------------------------------------
class _LSTMDropout(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, c0, x_keep=None, h_keep=None,
                mask=None, go_backwards=False, activation="tanh",
                recurrent_activation="sigmoid"):
        U = recurrent_kernel.shape[0]
        P, X = _project(x, kernel, x_keep, 4, U)
        if bias is not None:
            P += bias.reshape(4, 1, 1, U)
        out, h, c, gates, h_prev, c_prev = kd.lstm_dropout_forward(
            P, recurrent_kernel, h_keep, _init(h0, x), _init(c0, x), mask, go_backwards,
            activation, recurrent_activation)
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, h_prev, c_prev, X)
        ctx.meta = (mask, go_backwards, activation, recurrent_activation, bias is not None,
                    x_keep, h_keep)
        return out, h, c

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        x, kernel, recurrent_kernel, gates, h_prev, c_prev, X = ctx.saved
        mask, go_back, act, rec_act, has_b, x_keep, h_keep = ctx.meta
        xp, dt = array_module(x), x.dtype
        B, _, _ = x.shape
        U = recurrent_kernel.shape[0]
        dZ, dh, dc = kd.lstm_dropout_backward(
            g_out, _grad_or_zeros(g_h, xp, (B, U), dt), _grad_or_zeros(g_c, xp, (B, U), dt),
            recurrent_kernel, h_keep, mask, go_back, act, rec_act, gates, c_prev)
        needs = ctx.needs_input_grad
        dx, dk = _input_grads(x, kernel, x_keep, X, dZ, needs)
        drk = _recurrent_grad(h_prev[None] * h_keep[:, None], dZ) if needs[2] else None
        db = dZ.sum(axis=(1, 2)).reshape(4 * U) if has_b else None
        return dx, dk, drk, db, dh if needs[4] else None, dc if needs[5] else None

    @staticmethod
    def backward_graph(ctx, inputs, g_out, g_h, g_c):
        mask, go_back, act, rec_act, _, x_keep, h_keep = ctx.meta
        return _vjp(ctx, inputs, (g_out, g_h, g_c), lambda a: lstm_graph(
            a[0], a[1], a[2], a[3], a[4], a[5], mask, go_back, _ACT[act], _REC_ACT[rec_act],
            x_keep=x_keep, h_keep=h_keep))


# ---- GRU -------------------------------------------------------------------------------------
class _GRUDropout(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, x_keep=None, h_keep=None, mask=None,
                go_backwards=False, reset_after=True, activation="tanh",
                recurrent_activation="sigmoid"):
        U = recurrent_kernel.shape[0]
        P, X = _project(x, kernel, x_keep, 3, U)
        b_rec_h = None
        if bias is not None:
            b_in = bias[0] if reset_after else bias
            P += b_in.reshape(3, 1, 1, U)
            if reset_after:  # the z and r recurrent biases add before the activation
                P[:2] += bias[1, :2 * U].reshape(2, 1, 1, U)
                b_rec_h = bias[1, 2 * U:]
        out, h, gates, h_prev, rec_h = kd.gru_dropout_forward(
            P, recurrent_kernel, b_rec_h, h_keep, _init(h0, x), mask, go_backwards, reset_after,
            activation, recurrent_activation)
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, h_prev, rec_h, X)
        ctx.meta = (mask, go_backwards, reset_after, activation, recurrent_activation,
                    bias is not None, x_keep, h_keep)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        x, kernel, recurrent_kernel, gates, h_prev, rec_h, X = ctx.saved
        mask, go_back, reset_after, act, rec_act, has_b, x_keep, h_keep = ctx.meta
        xp, dt = array_module(x), x.dtype
        B, _, _ = x.shape
        U = recurrent_kernel.shape[0]
        dZ, dR2, dh = kd.gru_dropout_backward(
            g_out, _grad_or_zeros(g_h, xp, (B, U), dt), recurrent_kernel, h_keep, mask, go_back,
            reset_after, act, rec_act, gates, h_prev, rec_h)
        needs = ctx.needs_input_grad
        dx, dk = _input_grads(x, kernel, x_keep, X, dZ, needs)
        drk = None
        if needs[2]:
            dR = dZ.copy()
            dR[2] = dR2
            h_in = h_prev[None] * h_keep[:, None]
            if not reset_after:
                h_in[2] = rec_h  # the candidate's GEMM reads r * h * h_keep[2]
            drk = _recurrent_grad(h_in, dR)
        db = None
        if has_b:
            db_in = dZ.sum(axis=(1, 2)).reshape(3 * U)
            if reset_after:
                db_rec = db_in.copy()
                db_rec[2 * U:] = dR2.sum(axis=(0, 1))
                db = xp.stack([db_in, db_rec])
            else:
                db = db_in
        return dx, dk, drk, db, dh if needs[4] else None

    @staticmethod
    def backward_graph(ctx, inputs, g_out, g_h):
        mask, go_back, reset_after, act, rec_act, _, x_keep, h_keep = ctx.meta
        return _vjp(ctx, inputs, (g_out, g_h), lambda a: gru_graph(
            a[0], a[1], a[2], a[3], a[4], mask, go_back, reset_after, _ACT[act],
            _REC_ACT[rec_act], x_keep=x_keep, h_keep=h_keep))


# ---- SimpleRNN -------------------------------------------------------------------------------
class _SimpleRNNDropout(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, x_keep=None, h_keep=None, mask=None,
                go_backwards=False, activation="tanh"):
        xp, dt = array_module(x), x.dtype
        B, T, _ = x.shape
        U = recurrent_kernel.shape[0]
        P, X = _project(x, kernel, x_keep, 1, U)
        P = P[0]
        if bias is not None:
            P += bias
        h = _state(h0, xp, B, U, dt)
        out = xp.empty((B, T, U), dtype=dt)
        cand, h_prev = xp.empty((T, B, U), dtype=dt), xp.empty((T, B, U), dtype=dt)
        for s, t in _steps(T, go_backwards):
            h_prev[t] = h
            cand[t] = _act(xp, P[t] + matmul(h * h_keep[0], recurrent_kernel), activation)
            keep = _keep(mask, t)
            h = cand[t] if keep is None else xp.where(keep, cand[t], h)
            out[:, s] = h
        ctx.save_for_backward(x, kernel, recurrent_kernel, cand, h_prev, X)
        ctx.meta = (mask, go_backwards, activation, bias is not None, x_keep, h_keep)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        x, kernel, recurrent_kernel, cand, h_prev, X = ctx.saved
        mask, go_back, act, has_b, x_keep, h_keep = ctx.meta
        xp, dt = array_module(x), x.dtype
        B, T, _ = x.shape
        U = recurrent_kernel.shape[0]
        dh = _grad_or_zeros(g_h, xp, (B, U), dt).copy()
        rkT = xp.ascontiguousarray(recurrent_kernel.T)
        dZ = xp.empty((1, T, B, U), dtype=dt)
        for s, t in reversed(_steps(T, go_back)):
            if g_out is not None:
                dh += g_out[:, s]
            d = dZ[0, t]
            d[...] = dh * _dact(cand[t], act)
            dh_new = matmul(d, rkT) * h_keep[0]
            keep = _keep(mask, t)
            if keep is None:
                dh = dh_new
            else:
                d *= keep
                dh = xp.where(keep, dh_new, dh)
        needs = ctx.needs_input_grad
        dx, dk = _input_grads(x, kernel, x_keep, X, dZ, needs)
        drk = _recurrent_grad(h_prev[None] * h_keep[:, None], dZ) if needs[2] else None
        db = dZ.sum(axis=(0, 1, 2)) if has_b else None
        return dx, dk, drk, db, dh if needs[4] else None

    @staticmethod
    def backward_graph(ctx, inputs, g_out, g_h):
        mask, go_back, act, _, x_keep, h_keep = ctx.meta
        return _vjp(ctx, inputs, (g_out, g_h), lambda a: simple_rnn_graph(
            a[0], a[1], a[2], a[3], a[4], mask, go_back, _ACT[act], x_keep=x_keep,
            h_keep=h_keep))


# ---- entry points ----------------------------------------------------------------------------
def _masks(op, x, G, U, x_keep, h_keep):
    """Validate the dropout masks: x_keep (G, B, F) or None, h_keep (G, B, U), x's dtype."""
    B, _, F = x.shape
    dt = _raw(x).dtype
    if h_keep is None:
        raise ValueError(f"{op}: h_keep (the recurrent dropout masks, ({G}, {B}, {U})) is "
                         f"required; without recurrent dropout use the fused op")
    for name, m, shape in (("x_keep", x_keep, (G, B, F)), ("h_keep", h_keep, (G, B, U))):
        if m is not None and tuple(m.shape) != shape:
            raise ValueError(f"{op}: {name} must have shape {shape} (gates, batch, "
                             f"{'features' if name == 'x_keep' else 'units'}), got "
                             f"{tuple(m.shape)} for x {tuple(x.shape)}")
    xp = array_module(_raw(x))
    return (None if x_keep is None else xp.asarray(_raw(x_keep), dtype=dt),
            xp.asarray(_raw(h_keep), dtype=dt))


def _mask01(mask, x):
    if mask is None:
        return None
    m = _raw(mask)
    return array_module(m).asarray(m != 0)


def lstm_dropout(x, kernel, recurrent_kernel, bias, h0=None, c0=None, x_keep=None, h_keep=None,
                 mask=None, go_backwards=False, activation="tanh",
                 recurrent_activation="sigmoid"):
    """ops.lstm with Keras 2's per-gate dropout masks -> (outputs (B, T, U), h_T, c_T)."""
    x_keep, h_keep = _masks("lstm_dropout", x, 4, recurrent_kernel.shape[0], x_keep, h_keep)
    return _LSTMDropout.apply(x, kernel, recurrent_kernel, bias, h0, c0, x_keep=x_keep,
                              h_keep=h_keep, mask=_mask01(mask, x), go_backwards=go_backwards,
                              activation=activation,
                              recurrent_activation=recurrent_activation)


def gru_dropout(x, kernel, recurrent_kernel, bias, h0=None, x_keep=None, h_keep=None,
                mask=None, go_backwards=False, reset_after=True, activation="tanh",
                recurrent_activation="sigmoid"):
    """ops.gru with Keras 2's per-gate dropout masks -> (outputs (B, T, U), h_T)."""
    x_keep, h_keep = _masks("gru_dropout", x, 3, recurrent_kernel.shape[0], x_keep, h_keep)
    return _GRUDropout.apply(x, kernel, recurrent_kernel, bias, h0, x_keep=x_keep,
                             h_keep=h_keep, mask=_mask01(mask, x), go_backwards=go_backwards,
                             reset_after=reset_after, activation=activation,
                             recurrent_activation=recurrent_activation)


def simple_rnn_dropout(x, kernel, recurrent_kernel, bias, h0=None, x_keep=None, h_keep=None,
                       mask=None, go_backwards=False, activation="tanh"):
    """ops.simple_rnn with Keras 2's dropout masks (G = 1) -> (outputs (B, T, U), h_T)."""
    x_keep, h_keep = _masks("simple_rnn_dropout", x, 1, recurrent_kernel.shape[0], x_keep,
                            h_keep)
    return _SimpleRNNDropout.apply(x, kernel, recurrent_kernel, bias, h0, x_keep=x_keep,
                                   h_keep=h_keep, mask=_mask01(mask, x),
                                   go_backwards=go_backwards, activation=activation)
