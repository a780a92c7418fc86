"""Higher-order gradients: a backward pass recorded on the tape, so that its result can itself
be differentiated (a WGAN-GP gradient penalty, double backprop, Hessian-vector products).

Note [higher-order gradients]
The first-order walk (autograd.run_backward and collect_gradients) runs each node's ``backward``
on arrays: fast, and nothing it computes is recorded. A gradient that will be differentiated
again takes this module's walk instead, ``walk_graph``: the gradients are Tensors, and each
node's backward runs as Tensor ops through ``Function.backward_graph(ctx, inputs, *grads)``
(``inputs``: the op's positional arguments as given to apply, kept on the node; their graph is
the path of the second derivative through the op's inputs). Run with grad mode on, what it
computes is recorded like any forward op. It is taken when

  - ``GradientTape.gradient`` is called while another tape records in this thread (the
    inner gradient of nested tapes, as TensorFlow records it on the outer tape), or
  - ``tensorforge.higher_order.grad(..., create_graph=True)`` (torch.autograd.grad's flag).

It visits only the nodes on a path from the target to a source (the generator behind a WGAN's
interpolated images is not walked), and keeps every node's saved context (the outer gradient
walks the same graph again). An op without ``backward_graph`` still gives its first-order
value, but as the output of ``_NoSecondOrder``, a node whose backward raises "second derivative
of <op> is not supported": differentiating through it is an error naming the op, never a
silently missing term, and a gradient nobody differentiates again is unaffected.
ops/double_backward.py (and double_backward_rnn.py, for the recurrent ops) gives the ops
their ``backward_graph``.
"""
import numpy as np

from .autograd import (Function, Tensor, _GradMode, _toposort, call_backward,
                       collect_gradients, keeping_inputs, route_gradient)


class _NoSecondOrder(Function):
    """The first-order gradient ``value`` of op ``name``, depending on ``deps``: differentiating
    it again is an error naming the op."""

    @staticmethod
    def forward(ctx, value, name, *deps):
        ctx.name = name
        return value

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"second derivative of {ctx.name} is not supported: its backward is "
                           "not written in Tensor ops (Function.backward_graph), so the gradient "
                           f"computed through {ctx.name} cannot be differentiated again")


def walk_graph(root, grad, sources):
    """{id(source): gradient Tensor} of ``root`` seeded with ``grad`` (a Tensor), for the
    sources it reaches, recorded on the tape (See Note [higher-order gradients]); what it
    records keeps its inputs, for a derivative of higher order still (Note [what a node keeps]
    in autograd/function.py)."""
    with keeping_inputs():
        return _walk_graph(root, grad, sources)


def _walk_graph(root, grad, sources):
    want = {id(s) for s in sources}
    got = {}
    top = root._node
    if top is None:
        if id(root) in want:
            got[id(root)] = grad
        return got
    inner = {}  # id(node) -> the intermediate sources that node computed
    for s in sources:
        if s._node is not None:
            inner.setdefault(id(s._node), []).append(s)
    order = _toposort(top)
    live = _on_a_path(order, want, inner)
    grads = {id(top): [None] * len(top.out_meta)}
    grads[id(top)][root._index] = grad
    for node in order:
        gs = grads.pop(id(node), None)
        if gs is None:
            continue
        for s in inner.get(id(node), ()):  # an intermediate source: its gradient is final
            if gs[s._index] is not None:
                got[id(s)] = gs[s._index]
        if id(node) not in live:
            continue
        ctx = node.ctx
        if ctx is None:
            raise RuntimeError(f"gradient: the graph through {node.name} was already freed "
                               "(a non-persistent tape's gradient, or backward(), ran on it)")
        # only the inputs on a path to a source: the inner gradient of a gradient penalty
        # wants the input's, not the weights' (backwards read ctx.needs_input_grad)
        needs = ctx.needs_input_grad
        ctx.needs_input_grad = tuple([t is not None and (id(t) in want or (
            t._node is not None and id(t._node) in live)) for t in node.inputs])
        try:
            in_grads = _node_backward(node, gs)
        finally:
            ctx.needs_input_grad = needs
        for t, g in zip(node.inputs, in_grads):
            if t is None or g is None:
                continue
            if not isinstance(g, Tensor):
                g = Tensor(g)
            if tuple(g.shape) != t.shape:
                raise RuntimeError(f"gradient: {node.name}'s backward_graph returned a "
                                   f"gradient of shape {tuple(g.shape)} for an input of "
                                   f"shape {t.shape}")
            if g.dtype != t.data.dtype:
                from .ops.elementwise import cast
                g = cast(g, t.data.dtype)
            route_gradient(t, g, grads, got, want)
    if id(root) in want:
        got[id(root)] = grad
    return got


def _on_a_path(order, want, inner=()):
    """ids of the nodes of ``order`` (root first) from which a wanted tensor is reached
    (``inner``: the ids of the nodes that made the intermediate ones, whose consumers may hold
    an _Edge for them: Note [what a node keeps] in autograd/function.py)."""
    live = set()
    for node in reversed(order):  # producers before their consumers
        for t in node.inputs:
            if t is not None and (id(t) in want or (t._node is not None and (
                    id(t._node) in live or id(t._node) in inner))):
                live.add(id(node))
                break
    return live


def _node_backward(node, gs):
    """The node's input gradients as Tensors: its backward_graph, or the first-order values
    marked _NoSecondOrder when it has none."""
    filled = []
    for g, meta in zip(gs, node.out_meta):
        if g is None and meta is not None:
            shape, dtype, xp = meta
            g = Tensor(xp.zeros(shape, dtype=dtype))
        filled.append(g)
    if node.args is None:  # See Note [what a node keeps] in autograd/function.py
        raise RuntimeError(
            f"second derivative through {node.name}: the op was recorded without keeping its "
            "inputs (in a Model.fit / train_on_batch step, or in the only GradientTape open), "
            "where gradients stay first-order; record it inside a second, nested GradientTape "
            "(TensorFlow's way to a gradient of a gradient), or outside tapes for "
            "higher_order.grad(create_graph=True)")
    bg = None if node.fn is None else node.fn.backward_graph
    if bg is not None:
        out = bg(node.ctx, node.args, *filled)
        return out if isinstance(out, (tuple, list)) else (out,)
    ctx = node.ctx
    raw = [None if g is None else g.data for g in filled]
    with _GradMode(False):
        arrays = call_backward(node, ctx, raw)
    deps = [g for g in filled if g is not None and g.requires_grad]
    deps += [t for t in node.inputs if t is not None]
    return [None if a is None else
            _NoSecondOrder.apply(np.asarray(a) if isinstance(a, np.generic) else a, node.name,
                                 *deps)
            for a in arrays]


def grad(outputs, inputs, grad_outputs=None, create_graph=None):
    """``torch.autograd.grad``: d(sum of outputs)/d(each input), a list of Tensors (None where
    unreached); ``create_graph`` (default: False) records the computation (See Note
    [higher-order gradients]); without it the first-order walk runs and the graph is kept."""
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for t in outs + ins:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: outputs and inputs must be Tensors, got {type(t).__name__}")
    if grad_outputs is None:
        seeds = [None] * len(outs)
    else:
        seeds = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
        if len(seeds) != len(outs):
            raise ValueError(f"grad: {len(seeds)} grad_outputs for {len(outs)} outputs")
    found = {}
    for t, seed in zip(outs, seeds):
        if seed is None:
            if t.size != 1:
                raise RuntimeError(f"grad: grad_outputs must be given for an output of shape "
                                   f"{t.shape}")
            seed = Tensor(np.ones(t.shape, dtype=t.dtype) if isinstance(t.data, np.ndarray)
                          else t.data * 0 + 1)
        elif not isinstance(seed, Tensor):
            seed = Tensor(seed, dtype=t.dtype)
        if tuple(seed.shape) != t.shape:
            raise ValueError(f"grad: grad_outputs of shape {tuple(seed.shape)} for an output of "
                             f"shape {t.shape}")
        if not t.requires_grad:
            continue
        if create_graph:
            with _GradMode(True):
                got = walk_graph(t, seed, ins)
        else:  # the first-order walk on arrays, keeping the graph
            got = {k: Tensor(v) for k, v in collect_gradients(t, seed.data, ins, free=False).items()}
        for k, v in got.items():
            found[k] = v if k not in found else found[k] + v
    res = []
    for s in ins:
        g = found.get(id(s))
        res.append(g if g is None or create_graph else g.detach())
    return res


__all__ = ["grad", "walk_graph"]
