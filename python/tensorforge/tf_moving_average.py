"""``tf.train.ExponentialMovingAverage``: shadow copies of variables that follow them,
``shadow -= (1 - decay) * (shadow - variable)`` at each ``apply``, as TensorFlow 2 eager does:

- the first ``apply`` of a variable creates its shadow from the variable's current value (then
  applies one update, which leaves it unchanged);
- with ``num_updates`` (a number or a variable, read at each ``apply``) the decay is
  ``min(decay, (1 + num_updates) / (10 + num_updates))``;
- ``zero_debias`` concerns only averages of non-variable tensors, which TensorFlow refuses
  under eager execution (a TypeError here too), so it changes nothing, as in TensorFlow;
- only float variables (TypeError otherwise); ``average(var)`` is the shadow (None for a
  variable never applied), ``average_name(var)`` is ``"<var name>/<ema name>"`` (with
  TensorFlow's ``_1``, ``_2`` ... when a shadow of that name was made before in the process);
  ``variables_to_restore()`` maps those names to the variables averaged by any moving average
  in the process (TensorFlow's collection), or to ``moving_avg_variables`` when given.

Variables are ``tf.Variable``s and layer weights (Tensors that take gradients).
"""
import numpy as np

from . import _variables
from ._xp import array_module
from .autograd import Tensor

__all__ = ["ExponentialMovingAverage"]

_AVERAGED = {}  # id(variable) -> variable, every variable any moving average applied to
_SHADOW_NAMES = set()  # the shadows' names so far: a repeated one gets _1, _2, ... (TensorFlow)


def _unique(name):
    out, i = name, 0
    while out in _SHADOW_NAMES:
        i += 1
        out = f"{name}_{i}"
    _SHADOW_NAMES.add(out)
    return out


def _base_name(var):
    name = getattr(var, "name", None) or "Variable:0"
    return name[:-2] if name.endswith(":0") else name


class ExponentialMovingAverage:
    """See the module docstring."""

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = bool(zero_debias)
        self._name = name
        self._averages = {}  # id(variable) -> (variable, shadow)

    @property
    def name(self):
        return self._name

    def _decay_value(self):
        d = float(np.asarray(self._decay.numpy() if isinstance(self._decay, Tensor)
                             else self._decay))
        if self._num_updates is not None:
            n = float(np.asarray(self._num_updates.numpy() if isinstance(
                self._num_updates, Tensor) else self._num_updates))
            d = min(d, (1.0 + n) / (10.0 + n))
        return d

    def apply(self, var_list=None):
        """Update the shadow of each variable (creating it on the first call)."""
        vs = list(var_list or [])
        for v in vs:
            if not isinstance(v, Tensor) or not (v in _variables.VARIABLES or v.requires_grad):
                raise TypeError("tf.train.ExponentialMovingAverage.apply: "
                                "tf.train.ExponentialMovingAverage does not support "
                                "non-Variable tensors when eager execution is enabled.")
            if v.dtype.kind != "f":
                raise TypeError(f"tf.train.ExponentialMovingAverage.apply: The variables must "
                                f"be half, float, or double: "
                                f"{getattr(v, 'name', None) or 'Variable:0'}")
        decay = self._decay_value()
        for v in vs:
            entry = self._averages.get(id(v))
            if entry is None or entry[0] is not v:
                xp = array_module(v.data)
                shadow = Tensor(xp.array(v.data), requires_grad=False,
                                name=_unique(f"{_base_name(v)}/{self._name}") + ":0")
                _variables.VARIABLES[shadow] = False
                self._averages[id(v)] = (v, shadow)
                _AVERAGED[id(v)] = v
            shadow = self._averages[id(v)][1]
            # a new array, not an update in place: a value read before (numpy()) stays
            shadow.data = shadow.data - (1.0 - decay) * (shadow.data - v.data)

    def average(self, var):
        entry = self._averages.get(id(var))
        return entry[1] if entry is not None and entry[0] is var else None

    def average_name(self, var):
        """The shadow's name without ``:0`` once it exists, else ``<var>/<ema name>``."""
        shadow = self.average(var)
        return _base_name(shadow) if shadow is not None else f"{_base_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None):
        vs = list(_AVERAGED.values()) if moving_avg_variables is None else \
            list(moving_avg_variables)
        return {self.average_name(v): v for v in vs}
