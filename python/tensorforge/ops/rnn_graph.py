"""The recurrent cells (LSTM, GRU, SimpleRNN over a whole sequence) in recorded Tensor ops.

One formulation, two users:
- the second derivative through the recurrent ops (double_backward_rnn.py, rnn_dropout.py):
  the sequence recomputed step by step so that its gradient is itself a graph;
- the recurrent layers when the fused kernels do not cover the call: an activation other than
  the kernels' (tanh / relu, and sigmoid / hard_sigmoid for the gates: Keras 2 takes any), and
  the per-gate dropout masks of recurrent_dropout under a second derivative.

The formulas are reference/rnn.py's (gate order, layouts, mask and go_backwards semantics), with
Keras 2's implementation-1 dropout masks: ``x_keep`` (G, B, F) and ``h_keep`` (G, B, U) (or None),
gate g reading ``(x * x_keep[g]) @ kernel_g`` and ``(h * h_keep[g]) @ recurrent_kernel_g``; the
state carried past a step (LSTM c, GRU's z * h) is never masked. ``activation`` and
``recurrent_activation`` are callables on Tensors.
"""

from .._xp import array_module
from ..autograd import Tensor
from . import basic, elementwise
from .manip import stack

__all__ = ["lstm_graph", "gru_graph", "simple_rnn_graph"]


def _cols(z, k, U):
    """Gate block k (U columns) of z (B, G*U)."""
    return z[:, k * U:(k + 1) * U]


def _state(s, like, B, U):
    if s is not None:
        return s
    d = like.data if isinstance(like, Tensor) else like
    return array_module(d).zeros((B, U), dtype=d.dtype)


def _keep(mask, t):
    """(B, 1) bool: the batch rows whose step t is real (None: no mask)."""
    return None if mask is None else (mask[:, t] != 0)[:, None]


def _steps(T, go_backwards):
    return [(s, T - 1 - s if go_backwards else s) for s in range(T)]


def _project(x, kernel, bias, x_keep, G, U):
    """Every step's input projection, per gate: a list of G (B, T, U) (bias added), or one
    (B, T, G*U) array when there is no input mask (then ``gate(P, t, g)`` slices it)."""
    B, T, F = x.shape
    if x_keep is None:
        P = basic.reshape(basic.matmul(basic.reshape(x, (B * T, F)), kernel), (B, T, G * U))
        return P if bias is None else P + bias
    out = []
    for g in range(G):
        xg = basic.reshape(x * x_keep[g][:, None, :], (B * T, F))
        p = basic.reshape(basic.matmul(xg, kernel[:, g * U:(g + 1) * U]), (B, T, U))
        out.append(p if bias is None else p + bias[g * U:(g + 1) * U])
    return out


def _gate(P, t, g, U):
    return P[g][:, t] if isinstance(P, list) else P[:, t, g * U:(g + 1) * U]


def _recurrent(h, recurrent_kernel, h_keep, gates, U):
    """[(h * h_keep[g]) @ recurrent_kernel_g for g in gates] (one GEMM when unmasked)."""
    if h_keep is None:
        lo, hi = gates[0] * U, (gates[-1] + 1) * U
        R = basic.matmul(h, recurrent_kernel[:, lo:hi])
        return [R[:, (g - gates[0]) * U:(g - gates[0] + 1) * U] for g in gates]
    return [basic.matmul(h * h_keep[g], recurrent_kernel[:, g * U:(g + 1) * U]) for g in gates]


def lstm_graph(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
               recurrent_activation, x_keep=None, h_keep=None):
    """(outputs, h_T, c_T) of reference/rnn.py's lstm_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    act, rec = activation, recurrent_activation
    P = _project(x, kernel, bias, x_keep, 4, U)
    h, c = _state(h0, x, B, U), _state(c0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        R = _recurrent(h, recurrent_kernel, h_keep, (0, 1, 2, 3), U)
        z = [_gate(P, t, g, U) + R[g] for g in range(4)]
        i, f, g, o = rec(z[0]), rec(z[1]), act(z[2]), rec(z[3])
        cn = f * c + i * g
        hn = o * act(cn)
        keep = _keep(mask, t)
        if keep is not None:
            cn, hn = elementwise.where(keep, cn, c), elementwise.where(keep, hn, h)
        h, c = hn, cn
        outs[s] = h
    return stack(outs, axis=1), h, c


def gru_graph(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, reset_after, activation,
              recurrent_activation, x_keep=None, h_keep=None):
    """(outputs, h_T) of reference/rnn.py's gru_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    act, rec = activation, recurrent_activation
    b_in = b_rec = None
    if bias is not None:
        b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, None)
    P = _project(x, kernel, b_in, x_keep, 3, U)
    h = _state(h0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        if reset_after:
            R = _recurrent(h, recurrent_kernel, h_keep, (0, 1, 2), U)
            if b_rec is not None:
                R = [R[g] + b_rec[g * U:(g + 1) * U] for g in range(3)]
            z = rec(_gate(P, t, 0, U) + R[0])
            r = rec(_gate(P, t, 1, U) + R[1])
            hh = act(_gate(P, t, 2, U) + r * R[2])
        else:
            R = _recurrent(h, recurrent_kernel, h_keep, (0, 1), U)
            z = rec(_gate(P, t, 0, U) + R[0])
            r = rec(_gate(P, t, 1, U) + R[1])
            h2 = h if h_keep is None else h * h_keep[2]
            hh = act(_gate(P, t, 2, U) + basic.matmul(r * h2, recurrent_kernel[:, 2 * U:]))
        hn = z * h + (1.0 - z) * hh
        keep = _keep(mask, t)
        h = hn if keep is None else elementwise.where(keep, hn, h)
        outs[s] = h
    return stack(outs, axis=1), h


def simple_rnn_graph(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation,
                     x_keep=None, h_keep=None):
    """(outputs, h_T) of reference/rnn.py's simple_rnn_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    P = _project(x, kernel, bias, x_keep, 1, U)
    h = _state(h0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        y = activation(_gate(P, t, 0, U) + _recurrent(h, recurrent_kernel, h_keep, (0,), U)[0])
        keep = _keep(mask, t)
        h = y if keep is None else elementwise.where(keep, y, h)
        outs[s] = h
    return stack(outs, axis=1), h
