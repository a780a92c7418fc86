"""TensorFlow 2's RNN cell wrappers (``tf.nn.RNNCellDropoutWrapper``,
``RNNCellResidualWrapper``, ``RNNCellDeviceWrapper``): a Keras RNN cell seen through a
wrapper that ``keras.layers.RNN`` runs like the cell (state_size / output_size / weights are
the cell's).

- Dropout: inputs, outputs and new states each multiplied by a fresh mask of ``keep_prob``
  (kept entries scaled by 1 / keep_prob) at every call, training or not, as TensorFlow's
  wrapper does; ``variational_recurrent=True`` draws one mask per sequence instead (reset
  when the RNN layer starts a sequence). Masks come from tensorforge's seeded stream (or
  ``seed``): TensorFlow's distribution, not its numbers.
- Residual: output = residual_fn(inputs, cell output), inputs + output by default.
- Device: the cell as it is (tensorforge places nothing; the device is recorded).
"""
import numpy as np

from .. import _random
from .._xp import array_module, raw
from ..engine.base_layer import Layer
from .rnn_cells import _call_cell

__all__ = ["RNNCellDropoutWrapper", "RNNCellResidualWrapper", "RNNCellDeviceWrapper"]


class _Wrapper(Layer):
    def __init__(self, cell, **kwargs):
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise TypeError(f"{type(self).__name__}: cell must be an RNN cell (a call method and "
                            f"a state_size), got {type(cell).__name__}")
        super().__init__(name=kwargs.pop("name", None))
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return getattr(self.cell, "output_size", None)

    def build(self, input_shape):
        if isinstance(self.cell, Layer):
            self.cell._maybe_build(tuple(input_shape))

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return self.cell.get_initial_state(inputs=inputs, batch_size=batch_size, dtype=dtype)

    def reset_dropout_mask(self):
        if hasattr(self.cell, "reset_dropout_mask"):
            self.cell.reset_dropout_mask()

    def _cell_call(self, inputs, states, training):
        out, new = _call_cell(self.cell, inputs, list(states) if isinstance(
            states, (list, tuple)) else [states], training)
        return out, new


class RNNCellDropoutWrapper(_Wrapper):
    """Dropout on a cell's inputs, outputs and states (See the module doc)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(cell, **kwargs)
        for arg, p in (("input_keep_prob", input_keep_prob),
                       ("output_keep_prob", output_keep_prob),
                       ("state_keep_prob", state_keep_prob)):
            if not 0.0 < float(p) <= 1.0:
                raise ValueError(f"RNNCellDropoutWrapper: Parameter {arg} must be between 0 and "
                                 f"1: {p}")
        self.input_keep_prob, self.output_keep_prob = float(input_keep_prob), \
            float(output_keep_prob)
        self.state_keep_prob = float(state_keep_prob)
        self.variational_recurrent, self.seed = bool(variational_recurrent), seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._masks = {}

    def reset_dropout_mask(self):
        self._masks = {}
        super().reset_dropout_mask()

    def _drop(self, x, which, keep):
        if keep >= 1.0:
            return x
        mask = self._masks.get((which, tuple(x.shape))) if self.variational_recurrent else None
        if mask is None:
            u = (self._rng or _random.rng()).random(tuple(x.shape))
            mask = np.floor(keep + u).astype(np.float32) / np.float32(keep)
            mask = array_module(raw(x)).asarray(mask)
            if self.variational_recurrent:
                self._masks[(which, tuple(x.shape))] = mask
        return x * mask

    def call(self, inputs, states, training=None):
        x = self._drop(inputs, "input", self.input_keep_prob)
        out, new = self._cell_call(x, states, training)
        new = [self._drop(s, f"state{i}", self.state_keep_prob) for i, s in enumerate(new)]
        return self._drop(out, "output", self.output_keep_prob), new


class RNNCellResidualWrapper(_Wrapper):
    """The cell's output plus its input (or ``residual_fn(inputs, output)``)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self.residual_fn = residual_fn

    def call(self, inputs, states, training=None):
        out, new = self._cell_call(inputs, states, training)
        if self.residual_fn is not None:
            return self.residual_fn(inputs, out), new
        if tuple(inputs.shape) != tuple(out.shape):
            raise ValueError(f"RNNCellResidualWrapper: the cell's input {tuple(inputs.shape)} "
                             f"and output {tuple(out.shape)} must have the same shape")
        return inputs + out, new


class RNNCellDeviceWrapper(_Wrapper):
    """The cell, with ``device`` recorded (See the module doc)."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self.device = device

    def call(self, inputs, states, training=None):
        return self._cell_call(inputs, states, training)
