"""Keras 2's ``stateful=True`` for recurrent layers: the states carried from one batch to the
next, ``reset_states()`` and ``states``; the recurrent layers' ``input_dim`` /
``input_length`` arguments; and their call on a list ``layer([x, h, c])``, Keras 2's spelling
of ``layer(x, initial_state=[h, c])``. Shared by the fused recurrent layers (recurrent.py) and
``layers.RNN`` over cells (rnn_cells.py); each says how many states it carries through
``_state_count()``."""
import numpy as np

from .._xp import array_module, host, raw
from ..engine.dtype_policy import float_dtype as _float_dtype


def sequence_input_shape(kwargs):
    """Keras 2's recurrent-layer arguments ``input_dim`` / ``input_length`` (``LSTM(32,
    input_dim=8, input_length=10)``): the input_shape (input_length, input_dim) they stand for,
    put into ``kwargs`` in their place unless an input shape is given."""
    if "input_length" in kwargs or ("input_dim" in kwargs and "input_shape" not in kwargs
                                    and "batch_input_shape" not in kwargs):
        length, dim = kwargs.pop("input_length", None), kwargs.pop("input_dim", None)
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (length, dim)
    return kwargs


class CarriedStates:
    """Mixin for a Layer with ``self.stateful``, ``self._states`` (None: zeros) and
    ``_state_count()``."""

    def _call(self, args, kwargs):
        """Keras 2's RNN._standardize_args: a list input is the sequence, then the initial
        states. Keras 2 (and tf_keras) record a call with symbolic ``initial_state=`` as one
        node whose inputs are ``[x, h, c]`` (a seq2seq decoder fed the encoder's states), so
        loading such a file calls ``layer([x, h, c])``."""
        if args and isinstance(args[0], (list, tuple)):
            seq = list(args[0])
            if not seq:
                raise ValueError(f"{self.name}: called on an empty list")
            if len(seq) > 1:
                if kwargs.get("initial_state") is not None:
                    raise ValueError(f"{self.name}: got the initial states twice: in the input "
                                     f"list ({len(seq) - 1} after the sequence) and as "
                                     f"initial_state=")
                kwargs = dict(kwargs, initial_state=seq[1:])
            args = (seq[0],) + tuple(args[1:])
        return super()._call(args, kwargs)

    def reset_states(self, states=None):
        """Zero the carried states (stateful=True), or set them to ``states`` (arrays)."""
        if not self.stateful:
            raise AttributeError(f"{self.name}: reset_states() needs stateful=True")
        if states is None:
            self._states = None
            return
        n = self._state_count()
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != n:
            raise ValueError(f"{self.name}: expected {n} state arrays, got {len(states)}")
        self._states = [np.asarray(host(s), dtype=_float_dtype(self)).copy() for s in states]

    @property
    def states(self):
        return [None] * self._state_count() if self._states is None else list(self._states)

    def _carried(self, x):
        """The carried states for input x (None: none yet), on x's device; a stateful layer
        keeps its batch size."""
        if self._states is None:
            return None
        if self._states[0].shape[0] != x.shape[0]:
            raise ValueError(f"{self.name}: a stateful layer keeps its batch size: it holds states "
                             f"for batches of {self._states[0].shape[0]}, got an input of shape "
                             f"{x.shape} (call reset_states() to start over)")
        xp = array_module(raw(x))
        return [xp.asarray(s) for s in self._states]
