"""Reference recurrences of the LSTM / GRU under Keras 2's recurrent dropout (ops/rnn_dropout.py).

Note [recurrent dropout kernels]
Keras 2 trains a recurrent layer with ``recurrent_dropout`` as its implementation 1: gate g reads
``(h * h_keep[g]) @ recurrent_kernel_g``, one mask per gate (``h_keep`` (G, B, U)) fixed over
time, so one GEMM of h cannot feed every gate as in the fused kernels (reference/rnn.py). These
kernels run only the recurrence; the caller (ops/rnn_dropout.py) does the input projection of all
steps before and the weight gradients after, as batched GEMMs. Per step: G GEMMs of the masked
states by the gate blocks of the recurrent kernel, then the gate formulas and the cell update.

Layouts, all indexed by the input time t (step s reads t = T-1-s when go_backwards):
  proj (G, T, B, U): the input projection of each step and gate, input bias included (GRU
    reset_after: the z and r recurrent biases too; the candidate's, ``rec_bias_h`` (U,), is added
    to its recurrent GEMM before the reset gate scales it).
  gates (G, T, B, U): the activated gates (LSTM i, f, c, o; GRU z, r, hh).
  h_prev, c_prev (T, B, U): the states entering the step; GRU rec_h (T, B, U): reset_after
    ``(h * h_keep[2]) @ W_h + rec_bias_h``, else ``r * h * h_keep[2]`` (the candidate's GEMM input).
  outputs (B, T, U) in processing order s (Keras); mask (B, T): 0 keeps the state (by select).
Backward: ``d_gates`` (G, T, B, U) are the gradients at the gates' pre-activations (0 at masked
steps); GRU ``d_rec`` (T, B, U) is the gradient at the candidate's recurrent GEMM output
(reset_after: r * d_hh'; else d_hh'). d_outputs may be None (zeros).
"""
from .._xp import array_module
from .rnn import _act, _dact, _drec, _rec

__all__ = ["lstm_dropout_forward", "lstm_dropout_backward", "gru_dropout_forward",
           "gru_dropout_backward"]


def _steps(T, go_backwards):
    return [(s, T - 1 - s if go_backwards else s) for s in range(T)]


def _keep(mask, t):
    return None if mask is None else (mask[:, t] != 0)[:, None]


def _state(s, xp, B, U, dtype):
    return xp.zeros((B, U), dtype=dtype) if s is None else s


def _blocks(w, G, U):
    """(G, U, U) view of a (U, G*U) recurrent kernel: gate g's columns."""
    return w.reshape(w.shape[0], G, U).transpose(1, 0, 2)


def lstm_dropout_forward(proj, recurrent_kernel, h_keep, h0, c0, mask, go_backwards, activation,
                         recurrent_activation):
    """-> (outputs (B, T, U), h_T, c_T, gates (4, T, B, U), h_prev (T, B, U), c_prev (T, B, U))."""
    xp, dt = array_module(proj), proj.dtype
    _, T, B, U = proj.shape
    Wg = _blocks(recurrent_kernel, 4, U)
    h, c = _state(h0, xp, B, U, dt), _state(c0, xp, B, U, dt)
    out = xp.empty((B, T, U), dtype=dt)
    gates = xp.empty((4, T, B, U), dtype=dt)
    h_prev, c_prev = xp.empty((T, B, U), dtype=dt), xp.empty((T, B, U), dtype=dt)
    for s, t in _steps(T, go_backwards):
        h_prev[t], c_prev[t] = h, c
        z = proj[:, t] + xp.matmul(h * h_keep, Wg)
        gt = gates[:, t]
        gt[:2] = _rec(xp, z[:2], recurrent_activation)
        gt[2] = _act(xp, z[2], activation)
        gt[3] = _rec(xp, z[3], recurrent_activation)
        cn = gt[1] * c + gt[0] * gt[2]
        hn = gt[3] * _act(xp, cn, activation)
        keep = _keep(mask, t)
        if keep is not None:
            cn, hn = xp.where(keep, cn, c), xp.where(keep, hn, h)
        h, c = hn, cn
        out[:, s] = h
    return out, h, c, gates, h_prev, c_prev


def lstm_dropout_backward(d_outputs, d_h_T, d_c_T, recurrent_kernel, h_keep, mask, go_backwards,
                          activation, recurrent_activation, gates, c_prev):
    """-> (d_gates (4, T, B, U), dh0 (B, U), dc0 (B, U))."""
    xp, dt = array_module(gates), gates.dtype
    _, T, B, U = gates.shape
    Wg = _blocks(recurrent_kernel, 4, U)
    dh, dc = d_h_T.copy(), d_c_T.copy()
    dZ = xp.empty((4, T, B, U), dtype=dt)
    for s, t in reversed(_steps(T, go_backwards)):
        if d_outputs is not None:
            dh += d_outputs[:, s]
        i, f, g, o = gates[:, t]
        tc = _act(xp, f * c_prev[t] + i * g, activation)
        dcc = dc + dh * o * _dact(tc, activation)
        d = dZ[:, t]
        d[0] = dcc * g * _drec(i, recurrent_activation)
        d[1] = dcc * c_prev[t] * _drec(f, recurrent_activation)
        d[2] = dcc * i * _dact(g, activation)
        d[3] = dh * tc * _drec(o, recurrent_activation)
        keep = _keep(mask, t)
        if keep is not None:
            d[...] = xp.where(keep, d, 0)
        dh_new = (xp.matmul(d, Wg.transpose(0, 2, 1)) * h_keep).sum(axis=0)
        if keep is None:
            dh, dc = dh_new, dcc * f
        else:
            dh, dc = xp.where(keep, dh_new, dh), xp.where(keep, dcc * f, dc)
    return dZ, dh, dc


def gru_dropout_forward(proj, recurrent_kernel, rec_bias_h, h_keep, h0, mask, go_backwards,
                        reset_after, activation, recurrent_activation):
    """-> (outputs (B, T, U), h_T, gates (3, T, B, U), h_prev (T, B, U), rec_h (T, B, U))."""
    xp, dt = array_module(proj), proj.dtype
    _, T, B, U = proj.shape
    Wg = _blocks(recurrent_kernel, 3, U)
    h = _state(h0, xp, B, U, dt)
    out = xp.empty((B, T, U), dtype=dt)
    gates = xp.empty((3, T, B, U), dtype=dt)
    h_prev, rec_h = xp.empty((T, B, U), dtype=dt), xp.empty((T, B, U), dtype=dt)
    for s, t in _steps(T, go_backwards):
        h_prev[t] = h
        gt = gates[:, t]
        if reset_after:
            R = xp.matmul(h * h_keep, Wg)
            gt[:2] = _rec(xp, proj[:2, t] + R[:2], recurrent_activation)
            rh = R[2] if rec_bias_h is None else R[2] + rec_bias_h
            gt[2] = _act(xp, proj[2, t] + gt[1] * rh, activation)
        else:
            R = xp.matmul(h * h_keep[:2], Wg[:2])
            gt[:2] = _rec(xp, proj[:2, t] + R, recurrent_activation)
            rh = gt[1] * h * h_keep[2]
            gt[2] = _act(xp, proj[2, t] + rh @ Wg[2], activation)
        rec_h[t] = rh
        hn = gt[0] * h + (1 - gt[0]) * gt[2]
        keep = _keep(mask, t)
        h = hn if keep is None else xp.where(keep, hn, h)
        out[:, s] = h
    return out, h, gates, h_prev, rec_h


def gru_dropout_backward(d_outputs, d_h_T, recurrent_kernel, h_keep, mask, go_backwards,
                         reset_after, activation, recurrent_activation, gates, h_prev, rec_h):
    """-> (d_gates (3, T, B, U), d_rec (T, B, U), dh0 (B, U))."""
    xp, dt = array_module(gates), gates.dtype
    _, T, B, U = gates.shape
    WgT = _blocks(recurrent_kernel, 3, U).transpose(0, 2, 1)
    dh = d_h_T.copy()
    dZ = xp.empty((3, T, B, U), dtype=dt)
    dR2 = xp.empty((T, B, U), dtype=dt)
    for s, t in reversed(_steps(T, go_backwards)):
        if d_outputs is not None:
            dh += d_outputs[:, s]
        z, r, hh = gates[:, t]
        hp, rh = h_prev[t], rec_h[t]
        keep = _keep(mask, t)
        d = dZ[:, t]
        d[0] = dh * (hp - hh) * _drec(z, recurrent_activation)
        d[2] = dh * (1 - z) * _dact(hh, activation)
        if keep is not None:
            d[0], d[2] = xp.where(keep, d[0], 0), xp.where(keep, d[2], 0)
        if reset_after:
            d[1] = d[2] * rh * _drec(r, recurrent_activation)
            dR2[t] = d[2] * r
            rec_in = xp.stack([d[0], d[1], dR2[t]])
            dh_new = dh * z + (xp.matmul(rec_in, WgT) * h_keep).sum(axis=0)
        else:
            d_rh = d[2] @ WgT[2]  # gradient at r * h * h_keep[2]
            d[1] = d_rh * hp * h_keep[2] * _drec(r, recurrent_activation)
            dR2[t] = d[2]
            dh_new = (dh * z + d_rh * r * h_keep[2]
                      + (xp.matmul(d[:2], WgT[:2]) * h_keep[:2]).sum(axis=0))
        dh = dh_new if keep is None else xp.where(keep, dh_new, dh)
    return dZ, dR2, dh
