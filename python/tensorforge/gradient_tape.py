"""``tensorforge.GradientTape``: TensorFlow 2's tape on tensorforge's autograd.

    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)   # arrays-as-Tensors, None: unconnected
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

Every op on a Tensor that requires grad is recorded anyway (autograd/function.py); the tape only turns
grad mode on inside its block, makes the Tensors given to ``watch()`` require grad for as long as
it is open, and asks the recorded graph for the gradients of its target. Unlike
``Tensor.backward()`` it leaves no ``.grad`` behind: the gradients are collected per source and
returned, shaped like ``sources`` (a Tensor, or a list / tuple / dict of them, nested).

``persistent=False`` (the default): ``gradient`` may be called once, and the graph's saved arrays
are freed by it; ``persistent=True`` keeps them for more calls.

Nested tapes: a ``gradient`` asked while another tape records (the inner tape of a WGAN-GP
gradient penalty) is itself recorded, so the outer tape can differentiate it (See Note
[higher-order gradients] in higher_order.py).

What a tape watches follows TensorFlow (Note [what a tape watches]): the trainable variables
(unless ``watch_accessed_variables=False``), the tensors given to ``watch()``, and what the ops
run inside its block make of them; ``watched_variables()`` lists the variables it watched.
"""
import enum
import threading
import warnings
import weakref

import numpy as np

from . import _variables
from .autograd import function as _function
from .autograd import (Tensor, _grad_state, collect_gradients_of_sum, enable_grad, keeping_inputs,
                       no_grad)
from .higher_order import walk_graph
from ._xp import array_module, raw


class UnconnectedGradients(enum.Enum):
    """``tf.UnconnectedGradients``: what ``GradientTape.gradient`` returns for a source the
    target does not depend on (TensorFlow's values, also accepted as strings)."""
    NONE = "none"
    ZERO = "zero"


# Note [what a tape watches]: TensorFlow records an op on a tape only when the tape's block is
# open and an input is watched (a trainable variable, a watch()ed tensor, or an output of an
# op the tape recorded); a gradient reaches a source only through recorded ops. tensorforge's
# autograd records every op on a Tensor that requires grad, whenever it runs (autograd/function.py). So,
# while a tape's block is open in this thread, the nodes autograd makes are also listed on the
# tape (_listing_new_node replaces autograd's node allocator only while some tape is open, so
# nothing else pays for it), and `gradient` gives a source a gradient only when TensorFlow's
# tape would have watched it: a watch()ed tensor, a trainable variable (unless
# watch_accessed_variables=False), or a tensor an op in the block made; and the walk passes
# only through the block's nodes. A source made before the block (`x2 = tf.Variable(2.0) +
# 1.0`, the autodiff guide), an unwatched variable of a watch_accessed_variables=False tape, a
# path through an op run before the block (`u = v * 3` outside, `y = u * v` inside: dy/dv = u)
# and a target computed after the block get None or no share, as in TensorFlow. A tape asked
# for a gradient while another one records (higher_order.walk_graph, the nested-tape path) is
# not restricted this way.
_open_tapes = [0]
_open_lock = threading.Lock()


def _listing_new_node(cls):
    node = object.__new__(cls)
    log = _recording.log  # this thread's nodes since its outermost open tape began (or None)
    if log is not None:
        log.append(node)
    return node


class _Recording(threading.local):
    tapes = ()  # the tapes whose block this thread is in, outermost first
    log = None  # the autograd nodes made since the outermost of them began, in order


_recording = _Recording()

# Note [tapes that share a graph]: TensorFlow's tapes record separately, so two tapes open over
# one forward pass (the DCGAN tutorial's gen_tape and disc_tape: both losses read the
# discriminator's output on the generated images) each walk their own record, and the first
# one's gradient frees nothing the second needs. Here the tapes share autograd's one graph: a
# non-persistent tape's walk frees only the nodes no other live tape made (_LIVE: the tapes
# that may still walk: persistent ones, and non-persistent ones not yet asked), so the second
# tape still finds them, and frees them itself.
_LIVE = weakref.WeakSet()


class GradientTape:
    """TensorFlow 2's ``tf.GradientTape(persistent=False, watch_accessed_variables=True)``."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched = []      # [(tensor, its requires_grad before watch)]
        self._watched_ids = {}  # id -> a tensor given to watch()
        # the autograd nodes made while the block is open, in order; they live as long as the
        # tape (the gradient walk of a non-persistent tape has freed their saved arrays)
        self._nodes = []
        self._mode = None
        self._used = False
        self._recording = False
        self._freed_watch = None  # watched_variables(), kept when the walk frees the nodes

    def __enter__(self):
        self._mode = enable_grad()
        self._mode.__enter__()
        # the only tape open: a first-order graph; a nested one keeps its nodes' inputs for the
        # outer tape's second derivatives (Note [what a node keeps] in autograd/function.py)
        self._keep = keeping_inputs(bool(_recording.tapes))
        self._keep.__enter__()
        self._recording = True
        if not _recording.tapes:
            _recording.log = []
        self._start = len(_recording.log)
        _recording.tapes = _recording.tapes + (self,)
        _LIVE.add(self)  # See Note [tapes that share a graph]
        with _open_lock:  # See Note [what a tape watches]
            _open_tapes[0] += 1
            _function._new_node = _listing_new_node
        return self

    def __exit__(self, *exc):
        self._recording = False
        self._nodes = _recording.log[self._start:]
        _recording.tapes = tuple(t for t in _recording.tapes if t is not self)
        if not _recording.tapes:
            _recording.log = None
        with _open_lock:
            _open_tapes[0] -= 1
            if not _open_tapes[0]:
                _function._new_node = object.__new__
        self._keep.__exit__(*exc)
        self._mode.__exit__(*exc)
        for t, was in self._watched:  # the graph already holds them: the flag is not needed
            t.requires_grad = was
        self._watched = []
        return False

    def _made_nodes(self):
        return _recording.log[self._start:] if self._recording else self._nodes

    def watched_variables(self):
        """The variables this tape watched: those given to ``watch()``, then the trainable ones
        its block's ops read (unless ``watch_accessed_variables=False``), in order."""
        if self._freed_watch is not None:  # the nodes no longer list their inputs
            return self._freed_watch
        out = [t for t in self._watched_ids.values() if t in _variables.VARIABLES]
        seen = set(self._watched_ids)
        if self.watch_accessed_variables:
            for node in self._made_nodes():
                for t in node.inputs:  # a trainable variable: a leaf that requires grad
                    if t is not None and t._node is None and id(t) not in seen and \
                            t.requires_grad:
                        seen.add(id(t))
                        out.append(t)
        return tuple(out)

    def _watches(self, s, made):
        """Whether TensorFlow's tape would give source ``s`` a gradient (Note [what a tape
        watches]); ``made``: the ids of the nodes made in the block."""
        if s._node is None:  # a trainable variable (tf.Variable or a layer's weight): a leaf
            return (self.watch_accessed_variables and s.requires_grad) or \
                id(s) in self._watched_ids
        return id(s) in self._watched_ids or id(s._node) in made

    def watch(self, tensor):
        """Record the ops on ``tensor`` (a Tensor, or a nested list / tuple / dict of them) from
        now on, so that gradients with respect to it can be asked for."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch: expected Tensors, got {type(t).__name__}; "
                                "convert arrays with tensorforge.convert_to_tensor first")
            if np.dtype(t.data.dtype).kind != "f":  # TensorFlow warns and watches nothing
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. "
                              f"tf.float32), got {np.dtype(t.data.dtype).name}", stacklevel=2)
                continue
            self._watched_ids[id(t)] = t
            if not t.requires_grad:
                self._watched.append((t, False))
                t.requires_grad = True

    def stop_recording(self):
        """``with tape.stop_recording():`` ops inside record nothing."""
        return no_grad()

    def reset(self):
        self._used = False
        self._freed_watch = None
        _LIVE.add(self)

    def _kept_nodes(self):
        """The ids of the nodes other live tapes made (See Note [tapes that share a graph])."""
        kept = set()
        for tape in list(_LIVE):
            if tape is not self:
                kept.update(map(id, tape._made_nodes()))
        return kept

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """d(sum of ``target``)/d(each source), shaped like ``sources``; None for a source the
        target does not depend on (``unconnected_gradients='zero'``: zeros)."""
        unconnected_gradients = getattr(unconnected_gradients, "value", unconnected_gradients)
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError("GradientTape.gradient: unconnected_gradients must be 'none' or "
                             f"'zero', got {unconnected_gradients!r}")
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on a "
                               "non-persistent tape (use GradientTape(persistent=True))")
        self._used = True
        flat = _flatten(sources)
        for s in flat:
            if not isinstance(s, Tensor):
                raise TypeError(f"GradientTape.gradient: sources must be Tensors (variables or "
                                f"watched tensors), got {type(s).__name__}")
        targets = _flatten(target)
        if output_gradients is not None:
            seeds = _flatten(output_gradients)
            if len(seeds) != len(targets):
                raise ValueError(f"GradientTape.gradient: {len(seeds)} output_gradients for "
                                 f"{len(targets)} targets")
        else:
            seeds = [None] * len(targets)
        # recorded when another tape records now (See Note [higher-order gradients])
        graph = _grad_state.enabled and any(t is not self for t in _recording.tapes)
        found, pending = {}, []
        for t, seed in zip(targets, seeds):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.gradient: target must be a Tensor, got "
                                f"{type(t).__name__}")
            xp = array_module(t.data)
            g = xp.ones_like(t.data) if seed is None else \
                xp.asarray(raw(seed), dtype=t.data.dtype)
            if tuple(g.shape) != t.shape:
                raise ValueError(f"GradientTape.gradient: output_gradients of shape "
                                 f"{tuple(g.shape)} for a target of shape {t.shape}")
            if t.requires_grad:
                if graph:  # a Tensor seed keeps its graph
                    got = walk_graph(t, seed if isinstance(seed, Tensor) and
                                     seed.dtype == g.dtype else Tensor(g), flat)
                    for k, v in got.items():
                        found[k] = v if k not in found else found[k] + v
                else:
                    pending.append((t, g))
        made = set(map(id, self._made_nodes()))
        if not self.persistent:
            self._freed_watch = self.watched_variables()
            _LIVE.discard(self)
        if pending:  # one walk for all targets: they may share a graph the walk frees
            for k, v in collect_gradients_of_sum(pending, flat, free=not self.persistent,
                                                 within=made, keep=self._kept_nodes()).items():
                found[k] = v if k not in found else found[k] + v
        out = []
        for s in flat:
            g = found.get(id(s)) if self._watches(s, made) else None
            if g is None and unconnected_gradients == "zero":
                g = array_module(s.data).zeros_like(s.data)
            out.append(g if g is None or isinstance(g, Tensor) else Tensor(g))
        return _pack(sources, iter(out))


def _flatten(x):
    if isinstance(x, dict):
        return [t for k in sorted(x) for t in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flatten(v)]
    return [x]


def _pack(like, it):
    if isinstance(like, dict):
        return {k: _pack(like[k], it) for k in sorted(like)}
    if isinstance(like, (list, tuple)):
        return type(like)(_pack(v, it) for v in like) if type(like) in (list, tuple) else \
            [_pack(v, it) for v in like]
    return next(it)


__all__ = ["GradientTape", "UnconnectedGradients"]
