"""Second derivatives through the recurrent ops (ops/rnn.py: lstm, gru, simple_rnn, what the
LSTM / GRU / SimpleRNN layers and RNN(cell) over the built-in cells run), so that a gradient
taken through them can be differentiated again: a WGAN-GP penalty on a recurrent critic, an
input-gradient regularizer on a sequence model (See Note [higher-order gradients] in
higher_order.py).

The fused BPTT kernel computes its gradients on arrays. ``backward_graph`` instead recomputes
the sequence step by step in recorded Tensor ops -- the formulas of reference/rnn.py, which the
kernels match: the same gate order and layouts, mask and go_backwards semantics -- and takes the
vector-Jacobian product of that graph with the recorded walk (higher_order.walk_graph) at the
incoming output gradients. Every op it uses (matmul, getitem, the activations, where, stack)
has a backward_graph of its own, so the result differentiates again, to any order. The
recomputed graph hangs off the op's inputs through ``_Cut`` nodes, where its walk stops: the
product is the op's own Jacobian, never a path through what made the inputs.

Cost: T steps of small Tensor ops (the first-order path keeps the fused kernel); meant for the
gradient penalties of small critics, not for training a large recurrent model.
"""

from .._xp import array_module
from ..autograd import Function, Tensor
from ..higher_order import walk_graph
from . import activations, basic, elementwise
from .manip import stack
from .rnn import _GRU, _LSTM, _SimpleRNN

_ACT = {"tanh": activations.tanh, "relu": activations.relu}
_REC_ACT = {"sigmoid": activations.sigmoid, "hard_sigmoid": activations.hard_sigmoid}


class _Cut(Function):
    """The input itself, as a node of its own: the boundary of a recomputed graph (its walk
    stops at the node's output, a wanted source) that differentiates as the identity."""

    @staticmethod
    def forward(ctx, a):
        return a.view()

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def backward_graph(ctx, inputs, g):
        return (g,)


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


def _project(x, kernel, bias):
    """Every step's input projection: (B*T, F) @ (F, G*U) + bias, as (B, T, G*U)."""
    B, T, F = x.shape
    P = basic.reshape(basic.matmul(basic.reshape(x, (B * T, F)), kernel),
                      (B, T, kernel.shape[1]))
    return P if bias is None else P + bias


def _steps(T, go_backwards):
    return [(s, T - 1 - s if go_backwards else s) for s in range(T)]


def lstm_graph(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
               recurrent_activation):
    """(outputs, h_T, c_T) of reference/rnn.py's lstm_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    act, rec = _ACT[activation], _REC_ACT[recurrent_activation]
    P = _project(x, kernel, bias)
    h, c = _state(h0, x, B, U), _state(c0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        z = P[:, t] + basic.matmul(h, recurrent_kernel)
        i, f, g, o = rec(_cols(z, 0, U)), rec(_cols(z, 1, U)), act(_cols(z, 2, U)), rec(_cols(z, 3, U))
        cn = f * c + i * g
        hn = o * act(cn)
        keep = _keep(mask, t)
        if keep is not None:
            cn, hn = elementwise.where(keep, cn, c), elementwise.where(keep, hn, h)
        h, c = hn, cn
        outs[s] = h
    return stack(outs, axis=1), h, c


def gru_graph(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, reset_after, activation,
              recurrent_activation):
    """(outputs, h_T) of reference/rnn.py's gru_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    act, rec = _ACT[activation], _REC_ACT[recurrent_activation]
    b_in = b_rec = None
    if bias is not None:
        b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, None)
    P = _project(x, kernel, b_in)
    h = _state(h0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        p = P[:, t]
        if reset_after:
            R = basic.matmul(h, recurrent_kernel)
            if b_rec is not None:
                R = R + b_rec
            z = rec(_cols(p, 0, U) + _cols(R, 0, U))
            r = rec(_cols(p, 1, U) + _cols(R, 1, U))
            hh = act(_cols(p, 2, U) + r * _cols(R, 2, U))
        else:
            R = basic.matmul(h, recurrent_kernel[:, :2 * U])
            z = rec(_cols(p, 0, U) + _cols(R, 0, U))
            r = rec(_cols(p, 1, U) + _cols(R, 1, U))
            hh = act(_cols(p, 2, U) + basic.matmul(r * h, recurrent_kernel[:, 2 * U:]))
        hn = z * h + (1.0 - z) * hh
        keep = _keep(mask, t)
        h = hn if keep is None else elementwise.where(keep, hn, h)
        outs[s] = h
    return stack(outs, axis=1), h


def simple_rnn_graph(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation):
    """(outputs, h_T) of reference/rnn.py's simple_rnn_forward, in Tensor ops."""
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    act = _ACT[activation]
    P = _project(x, kernel, bias)
    h = _state(h0, x, B, U)
    outs = [None] * T
    for s, t in _steps(T, go_backwards):
        y = act(P[:, t] + basic.matmul(h, recurrent_kernel))
        keep = _keep(mask, t)
        h = y if keep is None else elementwise.where(keep, y, h)
        outs[s] = h
    return stack(outs, axis=1), h


def _vjp(ctx, inputs, grads, run):
    """The op's input gradients at ``grads`` (one Tensor per output), in recorded Tensor ops:
    ``run`` recomputes the outputs from the inputs (cut from their graph), then one walk of
    sum(output * grad) back to the inputs the outer walk needs."""
    ins, srcs = list(inputs), []
    for i, a in enumerate(inputs):
        if isinstance(a, Tensor) and ctx.needs_input_grad[i]:
            # a leaf a tape watched may no longer require grad when its gradient is asked for
            # (the tape's block has ended): a fresh leaf then, no graph to keep beyond it
            ins[i] = _Cut.apply(a) if a.requires_grad else Tensor(a.data, requires_grad=True)
            srcs.append(ins[i])
    if not srcs:
        return (None,) * len(inputs)
    outs = run(ins)
    total = None
    for o, g in zip(outs, grads):
        term = basic.sum(o * g)
        total = term if total is None else total + term
    seed = Tensor(array_module(total.data).ones((), dtype=total.dtype))
    got = walk_graph(total, seed, srcs)
    return tuple(got.get(id(a)) for a in ins)


def _lstm(ctx, inputs, g_out, g_h, g_c):
    mask, go_back, act, rec_act = ctx.meta[:4]
    return _vjp(ctx, inputs, (g_out, g_h, g_c), lambda a: lstm_graph(
        a[0], a[1], a[2], a[3], a[4], a[5], mask, go_back, act, rec_act))


def _gru(ctx, inputs, g_out, g_h):
    mask, go_back, reset_after, act, rec_act = ctx.meta[:5]
    return _vjp(ctx, inputs, (g_out, g_h), lambda a: gru_graph(
        a[0], a[1], a[2], a[3], a[4], mask, go_back, reset_after, act, rec_act))


def _simple_rnn(ctx, inputs, g_out, g_h):
    mask, go_back, act = ctx.meta[:3]
    return _vjp(ctx, inputs, (g_out, g_h), lambda a: simple_rnn_graph(
        a[0], a[1], a[2], a[3], a[4], mask, go_back, act))


_LSTM.backward_graph = staticmethod(_lstm)
_GRU.backward_graph = staticmethod(_gru)
_SimpleRNN.backward_graph = staticmethod(_simple_rnn)
