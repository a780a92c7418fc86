"""Second derivatives through the recurrent ops (ops/rnn.py: lstm, gru, simple_rnn, what the
LSTM / GRU / SimpleRNN layers and RNN(cell) over the built-in cells run), so that a gradient
taken through them can be differentiated again: a WGAN-GP penalty on a recurrent critic, an
input-gradient regularizer on a sequence model (See Note [higher-order gradients] in
higher_order.py).

The fused BPTT kernel computes its gradients on arrays. ``backward_graph`` instead recomputes
the sequence step by step in recorded Tensor ops (rnn_graph.py) -- the formulas of
reference/rnn.py, which the kernels match: the same gate order and layouts, mask and go_backwards semantics -- and takes the
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
from . import activations, basic
from .rnn import _GRU, _LSTM, _SimpleRNN
from .rnn_graph import gru_graph, lstm_graph, simple_rnn_graph

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
        a[0], a[1], a[2], a[3], a[4], a[5], mask, go_back, _ACT[act], _REC_ACT[rec_act]))


def _gru(ctx, inputs, g_out, g_h):
    mask, go_back, reset_after, act, rec_act = ctx.meta[:5]
    return _vjp(ctx, inputs, (g_out, g_h), lambda a: gru_graph(
        a[0], a[1], a[2], a[3], a[4], mask, go_back, reset_after, _ACT[act], _REC_ACT[rec_act]))


def _simple_rnn(ctx, inputs, g_out, g_h):
    mask, go_back, act = ctx.meta[:3]
    return _vjp(ctx, inputs, (g_out, g_h), lambda a: simple_rnn_graph(
        a[0], a[1], a[2], a[3], a[4], mask, go_back, _ACT[act]))


_LSTM.backward_graph = staticmethod(_lstm)
_GRU.backward_graph = staticmethod(_gru)
_SimpleRNN.backward_graph = staticmethod(_simple_rnn)
