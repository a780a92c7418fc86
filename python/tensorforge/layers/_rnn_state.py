"""Keras 2's ``stateful=True`` for recurrent layers: the states carried from one batch to the
next, ``reset_states()`` and ``states``. Shared by the fused recurrent layers (recurrent.py)
and ``layers.RNN`` over cells (rnn_cells.py); each says how many states it carries through
``_state_count()``."""
import numpy as np

from .._xp import array_module, host, raw
from ..engine.dtype_policy import float_dtype as _float_dtype


class CarriedStates:
    """Mixin for a Layer with ``self.stateful``, ``self._states`` (None: zeros) and
    ``_state_count()``."""

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
