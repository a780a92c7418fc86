"""``tensorforge.GradientTape``: TensorFlow 2's tape on tensorforge's autograd.

    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)   # arrays-as-Tensors, None: unconnected
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

Every op on a Tensor that requires grad is recorded anyway (autograd.py); the tape only turns
grad mode on inside its block, makes the Tensors given to ``watch()`` require grad for as long as
it is open, and asks the recorded graph for the gradients of its target. Unlike
``Tensor.backward()`` it leaves no ``.grad`` behind: the gradients are collected per source and
returned, shaped like ``sources`` (a Tensor, or a list / tuple / dict of them, nested).

``persistent=False`` (the default): ``gradient`` may be called once, and the graph's saved arrays
are freed by it; ``persistent=True`` keeps them for more calls.

Nested tapes: a ``gradient`` asked while another tape records (the inner tape of a WGAN-GP
gradient penalty) is itself recorded, so the outer tape can differentiate it (See Note
[higher-order gradients] in higher_order.py).
"""
import threading

from .autograd import Tensor, _grad_state, collect_gradients_of_sum, enable_grad, no_grad
from .higher_order import walk_graph
from ._xp import array_module, raw


class _Recording(threading.local):
    tapes = ()  # the tapes whose block this thread is in, outermost first


_recording = _Recording()


class GradientTape:
    """TensorFlow 2's ``tf.GradientTape(persistent=False, watch_accessed_variables=True)``."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched = []      # [(tensor, its requires_grad before watch)]
        self._mode = None
        self._used = False
        self._recording = False

    def __enter__(self):
        self._mode = enable_grad()
        self._mode.__enter__()
        self._recording = True
        _recording.tapes = _recording.tapes + (self,)
        return self

    def __exit__(self, *exc):
        self._recording = False
        _recording.tapes = tuple(t for t in _recording.tapes if t is not self)
        self._mode.__exit__(*exc)
        for t, was in self._watched:  # the graph already holds them: the flag is not needed
            t.requires_grad = was
        self._watched = []
        return False

    def watch(self, tensor):
        """Record the ops on ``tensor`` (a Tensor, or a nested list / tuple / dict of them) from
        now on, so that gradients with respect to it can be asked for."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch: expected Tensors, got {type(t).__name__}; "
                                "convert arrays with tensorforge.convert_to_tensor first")
            if not t.requires_grad:
                self._watched.append((t, False))
                t.requires_grad = True

    def stop_recording(self):
        """``with tape.stop_recording():`` ops inside record nothing."""
        return no_grad()

    def reset(self):
        self._used = False

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """d(sum of ``target``)/d(each source), shaped like ``sources``; None for a source the
        target does not depend on (``unconnected_gradients='zero'``: zeros)."""
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
        if pending:  # one walk for all targets: they may share a graph the walk frees
            for k, v in collect_gradients_of_sum(pending, flat,
                                                 free=not self.persistent).items():
                found[k] = v if k not in found else found[k] + v
        out = []
        for s in flat:
            g = found.get(id(s))
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


__all__ = ["GradientTape"]
