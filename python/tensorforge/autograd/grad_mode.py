"""The thread's grad mode: whether ops record a graph (``no_grad``, ``enable_grad``), whether
recorded nodes keep their inputs (``keeping_inputs``, Note [what a node keeps] in function.py),
and the armed grad-ready hook (Note [grad-ready hooks] in backward.py)."""
import threading


class _GradState(threading.local):
    """This thread's grad mode and armed grad-ready hook. The defaults are class attributes, so
    a thread that never set them reads them without the AttributeError a plain
    ``threading.local`` raises (and ``getattr(..., default)`` swallows) on every training step."""
    enabled = True
    explicit = False  # grad mode asked for (enable_grad: a tape, fit's step), not the default
    grad_ready = None
    keep_inputs = True  # See Note [what a node keeps]


_grad_state = _GradState()


def is_grad_enabled():
    return _grad_state.enabled


class _GradMode:
    """``with no_grad():`` / ``with enable_grad():`` (a plain class: entered on every training
    step, where a generator-based context manager costs several times more)."""

    __slots__ = ("mode", "prev", "prev_explicit")

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.prev, self.prev_explicit = _grad_state.enabled, _grad_state.explicit
        _grad_state.enabled = self.mode
        if self.mode:
            _grad_state.explicit = True

    def __exit__(self, *exc):
        _grad_state.enabled, _grad_state.explicit = self.prev, self.prev_explicit
        return False


def no_grad():
    """Context manager: ops record nothing on the tape inside it."""
    return _GradMode(False)


def enable_grad():
    return _GradMode(True)


class _KeepInputs:
    """``with keeping_inputs(flag):`` the nodes recorded inside keep their inputs (True) or
    only what their backward saved (False). See Note [what a node keeps]."""

    __slots__ = ("keep", "prev")

    def __init__(self, keep):
        self.keep = keep

    def __enter__(self):
        self.prev = _grad_state.keep_inputs
        _grad_state.keep_inputs = self.keep

    def __exit__(self, *exc):
        _grad_state.keep_inputs = self.prev
        return False


def keeping_inputs(keep=True):
    return _KeepInputs(bool(keep))


def keeps_inputs():
    """Whether the nodes recorded now keep their inputs (Note [what a node keeps])."""
    return _grad_state.keep_inputs
