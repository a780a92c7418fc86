"""Recording an op: ``Function`` (forward and backward side by side, ``apply`` runs one and
records a ``Node`` holding the other), the ``Context`` a backward reads, and what a node keeps
of its inputs."""
import itertools
from operator import is_not

import numpy as np

from .._xp import array_module, to_one_device
from .grad_mode import _grad_state
from .tensor import Tensor, _new_tensor, _wrap


class Node:
    """One recorded op: its backward, its saved context, its inputs and output metadata."""

    # fn, args: the Function class and its positional arguments as given (Tensors keep their
    # graph), for a differentiable backward (Note [higher-order gradients] in higher_order.py)
    __slots__ = ("backward", "ctx", "inputs", "out_meta", "name", "fn", "args")

    def __init__(self, backward, ctx, inputs, out_meta, name, fn=None, args=()):
        self.backward = backward
        self.fn = fn
        self.args = args
        self.ctx = ctx
        self.inputs = inputs      # one entry per positional input: Tensor needing grad, or None
        self.out_meta = out_meta  # [(shape, dtype, xp)] per output, for zero-filling
        self.name = name


# Note [what a node keeps]
# A node needs, for the first-order walk, only what its backward saved (ctx.saved, as PyTorch's
# derivatives.yaml: relu its output, add nothing, matmul its two inputs) and, per input, where
# the gradient goes: the producing node and output index, and the input's shape and dtype for
# the walk's checks. A second-order walk (Note [higher-order gradients] in higher_order.py)
# also needs the inputs themselves, with their values and graphs (``node.args``). Keeping them
# on every node kept every intermediate array of the forward alive until backward, whether or
# not a backward needed it: a Dense layer's matmul output and pre-activation beside its
# activation, a FocalNet's gates and products (7 GB in the first step of keras-io's
# focal_modulation_network). So where no second derivative can be asked of the graph, a node
# keeps no input Tensor but a leaf's (whose .grad the walk writes), an _Edge for the others,
# and no args: inside Model.fit / train_on_batch's step (a K.gradients in a compiled loss,
# which wants the graph's second derivatives, runs that step again keeping them: See Note
# [gradients of graph tensors] in engine/graph_gradients.py) and inside a GradientTape that is
# the only one open (its gradient stays first-order: Note [what a tape watches]). A second tape
# opened inside, higher_order's recorded walk and code outside any tape or fit step (where
# ``higher_order.grad(..., create_graph=True)`` may follow any forward) keep them. A
# second-order walk that reaches a node without them is an error naming the op.
class _Edge:
    """A lean node's link to an input another op made (Note [what a node keeps]): the
    producing node and output, the input's shape and dtype; ``data`` is the edge itself, so
    the walks read ``t.data.shape`` / ``t.data.dtype`` of an edge as of a Tensor."""

    __slots__ = ("_node", "_index", "shape", "dtype")
    grad = None
    requires_grad = True

    def __init__(self, t):
        self._node, self._index = t._node, t._index
        d = t.data
        self.shape, self.dtype = tuple(d.shape), d.dtype

    @property
    def data(self):
        return self


def _lean_inputs(inputs):
    return [t if t is None or t._node is None else _Edge(t) for t in inputs]


class Context:
    """Per-call scratch space for a Function: saved arrays and flags. ``grad_out``: None, or
    one entry per positional input, an array that input's gradient may be written into (See
    Note [gradient outputs]); backward then returns that very array."""

    grad_out = None
    saved = ()  # (apply makes a Context without __init__; save_for_backward sets its own)

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved = ()

    def save_for_backward(self, *arrays):
        self.saved = arrays


# A symbolic tensor (symbolic.node.KerasTensor) among an op's arguments records the op as a layer
# of a functional graph instead of computing it. symbolic.node fills these in when imported, so
# this module imports nothing from the engine.
_symbolic_types = []
_record_symbolic = [None]


def _forward(cls, ctx, raw, kwargs):
    """cls.forward on the raw arrays; where it fails because they mix host and GPU arrays, again
    with the host ones copied to the GPU (Note [mixed host and device operands] in _xp.py)."""
    try:
        return cls.forward(ctx, *raw, **kwargs) if kwargs else cls.forward(ctx, *raw)
    except TypeError:
        if not to_one_device(raw):
            raise
        return cls.forward(ctx, *raw, **kwargs) if kwargs else cls.forward(ctx, *raw)


class Function:
    """Base class of differentiable ops; see the module docstring.

    ``backward_graph(ctx, inputs, *grads)``: optional, the backward written in Tensor ops, so
    that a gradient can itself be differentiated (Note [higher-order gradients] in
    higher_order.py). ``inputs``: the positional arguments as given to apply (Tensors keep
    their graph); ``grads``: Tensors; returns one Tensor (or None) per positional input. None:
    a second derivative through this op is an error naming it.
    """

    backward_graph = None

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        # Runs for every op of every step: See Note [lean apply].
        raw = list(args)
        inputs = None  # the node's inputs: a Tensor needing grad, or None, per argument
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                if type(a) is not Tensor and _symbolic_types and type(a) is _symbolic_types[0]:
                    return _record_symbolic[0](cls.apply, *args, **kwargs)
                raw[i] = a.data
                if a.requires_grad:
                    if inputs is None:
                        inputs = [None] * len(args)
                    inputs[i] = a
        ctx = _new_context(Context)
        if inputs is None or not _grad_state.enabled:
            n = len(args)
            ctx.needs_input_grad = (_NO_NEEDS[n] if n < len(_NO_NEEDS) else _no_grad_needs(n)) \
                if inputs is None else tuple(map(is_not, inputs, _NONES))
            out = _forward(cls, ctx, raw, kwargs)
            if type(out) is np.ndarray:
                return _wrap(out)
            if isinstance(out, tuple):
                return tuple([None if o is None else _wrap(o) for o in out])
            return _wrap(out)
        ctx.needs_input_grad = tuple(map(is_not, inputs, _NONES))
        out = _forward(cls, ctx, raw, kwargs)
        node = _new_node(Node)
        node.backward = cls.backward
        node.ctx = ctx
        node.name = cls.__name__
        node.fn = cls
        if _grad_state.keep_inputs:
            node.inputs = inputs
            node.args = args
        else:  # See Note [what a node keeps]
            node.inputs = _lean_inputs(inputs)
            node.args = None
        if type(out) is np.ndarray:  # one NumPy output: the usual op (_wrap, inlined)
            node.out_meta = ((out.shape, out.dtype, np),)
            t = _new_tensor(Tensor)
            t.data = out
            t.requires_grad = True
            t.grad = None
            t._node = node
            t._index = 0
            t.name = None
            return t
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        node.out_meta = [None if o is None else (o.shape, o.dtype,
                                                 np if type(o) is np.ndarray else array_module(o))
                         for o in outs]
        tensors = []
        for i, o in enumerate(outs):
            if o is None:
                tensors.append(None)
                continue
            t = _wrap(o)
            t.requires_grad = True
            t._node = node
            t._index = i
            tensors.append(t)
        return tuple(tensors) if multi else tensors[0]


_new_context = _new_node = object.__new__
_NONES = itertools.repeat(None)  # tuple(map(is_not, inputs, _NONES)): needs_input_grad
_NO_NEEDS = [(False,) * n for n in range(9)]


def _no_grad_needs(n):
    """(False,) * n, made once per n."""
    while len(_NO_NEEDS) <= n:
        _NO_NEEDS.append((False,) * len(_NO_NEEDS))
    return _NO_NEEDS[n]


# Note [lean apply]: a small training step runs ~20 ops forward and as many backward; at batch 32
# their Python bookkeeping competes with the kernels themselves. So apply makes one pass over the
# arguments for the raw arrays and the node's inputs (the needs-grad flags follow from them in
# one C-level map), makes the Context and the Node without calling their __init__ (and shares
# the all-False flags tuple of an op that records nothing), wraps a NumPy result without
# Tensor()'s conversions (_wrap, inlined for the recorded one), and reads the grad mode only when
# some input needs grad. The ops that run most often (arithmetic, activations) skip apply
# altogether when nothing is recorded: Note [op fast path] in ops/basic.py.
