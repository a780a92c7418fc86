"""The backward walks: ``run_backward`` (``Tensor.backward``: gradients into the leaves' ``.grad``),
``collect_gradients`` (a tape's ``gradient``: gradients returned), and the grad-ready hooks of
data-parallel training."""
import numpy as np

from .._xp import to_one_device
from .grad_mode import _GradMode, _grad_state


def backward_on_one_device(node, ctx, grads):
    """node.backward again after it failed on arrays of two devices (a GPU gradient meeting a
    host array the forward saved): the host ones moved to the GPU (Note [mixed host and device
    operands] in _xp.py); the TypeError again when that was not the failure."""
    saved = list(getattr(ctx, "saved", None) or ())
    args = saved + list(grads)
    if not to_one_device(args):
        raise
    ctx.saved = tuple(args[:len(saved)])
    return node.backward(ctx, *args[len(saved):])


def call_backward(node, ctx, grads):
    """``node.backward(ctx, *grads)`` as a tuple of input gradients, retried on one device when
    it failed on arrays of two (backward_on_one_device)."""
    try:
        out = node.backward(ctx, *grads)
    except TypeError:  # Note [mixed host and device operands] in _xp.py
        out = backward_on_one_device(node, ctx, grads)
    return out if isinstance(out, (tuple, list)) else (out,)


def route_gradient(t, g, grads, got, want):
    """A collecting walk's step: ``g``, a gradient of ``t``, added to the slot of the node that
    made ``t`` (``grads``: id(node) -> one slot per output), or to ``got`` when ``t`` is a
    wanted leaf (``want``: ids)."""
    tn = t._node
    if tn is None:
        if id(t) in want:
            got[id(t)] = g if id(t) not in got else got[id(t)] + g
        return
    slot = grads.get(id(tn))
    if slot is None:
        slot = grads[id(tn)] = [None] * len(tn.out_meta)
    i = t._index
    slot[i] = g if slot[i] is None else slot[i] + g


def zero_filled(gs, out_meta):
    """A node's output gradients with zeros (of the output's shape, dtype and module) for the
    outputs nothing flowed back to."""
    filled = []
    for g, meta in zip(gs, out_meta):
        if g is None and meta is not None:
            shape, dtype, xp = meta
            g = xp.zeros(shape, dtype=dtype)
        filled.append(g)
    return filled


def _toposort(root_node):
    """Nodes reachable from root_node (or from each node of a list), each after every node that
    consumes its outputs."""
    order, seen = [], set()  # (a Node hashes by identity)
    roots = root_node if isinstance(root_node, list) else [root_node]
    stack = [(r, False) for r in reversed(roots)]
    pop, push = stack.pop, stack.append
    while stack:
        node, done = pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        push((node, True))
        for t in node.inputs:
            if t is not None:
                tn = t._node
                if tn is not None and tn not in seen:
                    push((tn, False))
    order.reverse()  # root first
    return order


def as_input_dtype(g, dtype):
    """A gradient in its input's dtype; a complex gradient of a real input is its real part
    (See Note [complex gradients] in ops/complex.py)."""
    if g.dtype.kind == "c" and dtype.kind != "c":
        g = g.real
    return g.astype(dtype, copy=False)


def _accumulate(current, g):
    return g if current is None else current + g


def run_backward(root, grad):
    hooks = _grad_state.grad_ready  # See Note [grad-ready hooks]
    if hooks is not None:
        _grad_state.grad_ready = None
    top = root._node
    if top is None:  # a leaf
        root.grad = _accumulate(root.grad, grad)
        return
    grads = {top: [None] * len(top.out_meta)}  # node -> its outputs' gradients so far
    grads[top][root._index] = grad
    order = _toposort(top)
    pop = grads.pop
    for node in (order if hooks is None else _firing_grad_ready(order, grads, *hooks)):
        gs = pop(node, None)
        if gs is None:
            continue
        ctx = node.ctx
        if ctx is None:
            raise RuntimeError(f"backward: the graph through {node.name} was already freed "
                               "(backward runs once per forward)")
        grads_in = gs if len(gs) == 1 and gs[0] is not None else zero_filled(gs, node.out_meta)
        in_grads = call_backward(node, ctx, grads_in)
        node.ctx = node.args = None  # free saved arrays
        for t, g in zip(node.inputs, in_grads):
            if t is None or g is None:
                continue
            d = t.data
            if g.shape != d.shape and tuple(g.shape) != tuple(d.shape):
                raise RuntimeError(f"backward: {node.name} returned a gradient of shape "
                                   f"{tuple(g.shape)} for an input of shape {t.shape}")
            if g.dtype is not d.dtype and g.dtype != d.dtype:
                g = as_input_dtype(g, d.dtype)
            tn = t._node
            if tn is None:
                g = g if t.grad is None else t.grad + g
                # NumPy turns 0-d results into scalars (a sum over every axis: the gradient
                # of Attention's scale); a weight's gradient stays an array for the optimizer
                t.grad = np.asarray(g) if isinstance(g, np.generic) else g
            else:
                slot = grads.get(tn)
                if slot is None:
                    slot = grads[tn] = [None] * len(tn.out_meta)
                i = t._index
                slot[i] = g if slot[i] is None else slot[i] + g


# Note [grad-ready hooks]
# Data-parallel training (tensorforge.distributed) reduces a parameter's gradient over the ranks
# while backward still runs the layers before it. It arms a one-shot hook for the next backward
# of this thread: ``on_grad_ready(leaves, fn)``. A leaf's gradient is final once the last node
# of the walk that takes it as an input has run (the walk is a topological order, so the nodes
# that consume a leaf are known before the walk starts): ``fn(leaf)`` is then called, between
# two nodes, once per leaf the walk reaches (leaves it does not reach get no call: their .grad
# stays as it was). ``fn`` may write the leaf's .grad array in place: if that array is also a
# pending gradient of the walk or another ready leaf's .grad (an op may hand one array to two
# inputs), the leaf gets its own copy first. Without an armed hook run_backward pays one
# attribute lookup; nothing else changes.
#
# Note [gradient outputs]
# ``on_grad_ready(leaves, fn, out)`` may also give an array per leaf (``out``: {id(leaf): array},
# the leaf's view of a gradient bucket) for its gradient to be written into, sparing the copy
# into the bucket. The first node of the walk that consumes such a leaf, when the leaf takes
# no other gradient before it (.grad None, one input slot of that node), finds the array in
# ``ctx.grad_out`` at that input's position; an op that can write there (gemm, conv2d: the
# kernels' output arguments, See Note [gradient outputs] in kernels/_common.py) does so and
# returns that array, which then becomes the leaf's .grad as any fresh gradient would. An op that
# ignores grad_out returns a new array as usual (fn copies it). The array is the caller's: the
# hook's own-copy rule above does not apply to it.
def on_grad_ready(leaves, fn, out=None):
    """Call ``fn(leaf)`` as soon as the next ``backward()`` in this thread has finished the
    gradient of each of ``leaves`` (See Note [grad-ready hooks]); one-shot. ``out``: optional
    {id(leaf): array} its gradient may be written into (See Note [gradient outputs])."""
    _grad_state.grad_ready = ({id(t): t for t in leaves}, fn, out or None)


def _firing_grad_ready(order, grads, watched, fn, out=None):
    """``order``, calling ``fn`` on each watched leaf after the last node that consumes it
    (and handing ``out``'s arrays to the first, See Note [gradient outputs])."""
    last, first = {}, {}
    for node in order:
        for t in node.inputs:
            if t is not None and id(t) in watched:
                last[id(t)] = node
                if out is not None and id(t) in out and id(t) not in first:
                    first[id(t)] = node
    ready = {}
    for i, node in last.items():
        ready.setdefault(id(node), []).append(watched[i])
    given = {}
    for i, node in first.items():
        given.setdefault(id(node), []).append(watched[i])
    owned = set()
    for node in order:
        leaves = given.get(id(node))
        if leaves is not None and node.ctx is not None:
            slots = [None] * len(node.inputs)
            for t in leaves:
                pos = [k for k, x in enumerate(node.inputs) if x is t]
                if t.grad is None and len(pos) == 1:
                    slots[pos[0]] = out[id(t)]
            node.ctx.grad_out = tuple(slots)
        yield node
        for t in ready.get(id(node), ()):
            g = t.grad
            if g is None:
                continue
            if out is not None and g is out.get(id(t)):
                fn(t)
                continue
            root = g if getattr(g, "base", None) is None else g.base
            if id(root) in owned or any(x is not None and (x is root or getattr(x, "base", None)
                                                           is root)
                                        for slot in grads.values() for x in slot):
                g = t.grad = g.copy()
                root = g
            owned.add(id(root))
            fn(t)


def collect_gradients(root, grad, sources, free):
    """{id(source): gradient array} of ``root`` (seeded with ``grad``) for the sources it
    reaches: the walk of run_backward, collecting instead of writing ``.grad`` (GradientTape.gradient,
    higher_order.grad without create_graph)."""
    return collect_gradients_of_sum([(root, grad)], sources, free)


# Note [a freed graph keeps no tensors]: a non-persistent tape's gradient frees each node it
# walks: its saved arrays and its input Tensors, so its target, still a Tensor that requires
# grad, holds no activations. A hand-written loop that sums the returned losses (Gulli et
# al.'s autoencoder: ``epoch_loss += train(...)``, the loss computed in the tape) otherwise
# chained every step's graph, inputs and activations included, to the running sum: ~3 MB a
# step of a 784-128-784 MLP on batches of 256, 37 GB over its 50 epochs, where TensorFlow's
# returned loss is a plain value. A walk that reaches a freed node still raises (its ctx).
def collect_gradients_of_sum(roots, sources, free, within=None, keep=()):
    """collect_gradients for several (root, seed) pairs at once: the gradients of their sum, in
    one walk that runs each node's backward once. A tape's ``gradient(list_of_targets, ...)``
    needs this: targets that share a graph (the per-weight gradients of one loss, differentiated
    again by an outer tape) walked one after the other would find the shared nodes freed by the
    first walk of a non-persistent tape. ``within``: None, or the ids of the only nodes the
    walk may pass through (a tape's block, Note [what a tape watches] in gradient_tape.py);
    ``keep``: the ids of nodes not to free (Note [tapes that share a graph] there)."""
    want = {id(s) for s in sources}
    got = {}
    grads, tops = {}, []
    for root, grad in roots:
        top = root._node
        if top is None:  # a leaf target: d root / d root
            if id(root) in want:
                got[id(root)] = grad if id(root) not in got else got[id(root)] + grad
            continue
        if id(top) not in grads:
            grads[id(top)] = [None] * len(top.out_meta)
            tops.append(top)
        slot = grads[id(top)]
        slot[root._index] = grad if slot[root._index] is None else slot[root._index] + grad
    if not tops:
        return got
    inner = {id(s._node): [] for s in sources if s._node is not None}
    for s in sources:
        if s._node is not None:
            inner[id(s._node)].append(s)
    for node in _toposort(tops):
        gs = grads.pop(id(node), None)
        if gs is None:
            continue
        for s in inner.get(id(node), ()):  # an intermediate source: its gradient is final now
            if gs[s._index] is not None:
                got[id(s)] = gs[s._index]
        if within is not None and id(node) not in within:
            continue  # an op run outside the tape's block: the gradient stops at its output
        ctx = node.ctx
        if ctx is None:
            raise RuntimeError(f"gradient: the graph through {node.name} was "
                               "already freed (a non-persistent tape's gradient, or backward(), "
                               "ran on it)")
        with _GradMode(False):
            grads_in = zero_filled(gs, node.out_meta)
            in_grads = call_backward(node, ctx, grads_in)
        inputs = node.inputs
        if free and id(node) not in keep:  # its saved arrays and input Tensors: See
            node.ctx = node.args = None  # Note [a freed graph keeps no tensors]
            node.inputs = ()
        for t, g in zip(inputs, in_grads):
            if t is None or g is None:
                continue
            if g.dtype != t.data.dtype:
                g = as_input_dtype(g, t.data.dtype)
            route_gradient(t, g, grads, got, want)
    return got
