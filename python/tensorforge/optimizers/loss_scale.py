"""Keras 2's ``mixed_precision.LossScaleOptimizer``: an optimizer wrapping another, for the
loss scaling that float16 gradients need.

tensorforge computes in float32 (See mixed_precision.py), so scaling changes no gradient that
does not overflow; the wrapper is kept for the programs written around it, with tf_keras 2's
behaviour: ``get_scaled_loss`` multiplies by ``loss_scale``, ``get_unscaled_gradients``
divides; with ``dynamic=True`` a step whose gradients hold an inf or NaN is skipped and the
scale halved, and after ``dynamic_growth_steps`` finite steps in a row the scale doubles. The
update itself is the inner optimizer's (its state, iterations and learning rate).
"""
import math

from .._xp import array_module
from ..autograd import Tensor
from . import deserialize, get, serialize
from .optimizer import Optimizer, _number

__all__ = ["LossScaleOptimizer"]


class LossScaleOptimizer(Optimizer):
    def __init__(self, inner_optimizer, dynamic=True, initial_scale=None,
                 dynamic_growth_steps=None):
        inner = get(inner_optimizer)
        if isinstance(inner, LossScaleOptimizer):
            raise TypeError("LossScaleOptimizer: inner_optimizer is already a "
                            "LossScaleOptimizer")
        self.__dict__["inner_optimizer"] = inner
        self.dynamic = bool(dynamic)
        if not self.dynamic and initial_scale is None:
            raise ValueError("LossScaleOptimizer: initial_scale must be given when dynamic is "
                             "False")
        if not self.dynamic and dynamic_growth_steps is not None:
            raise ValueError("LossScaleOptimizer: dynamic_growth_steps must be None when "
                             "dynamic is False")
        self.initial_scale = _number("LossScaleOptimizer", "initial_scale",
                                     2.0 ** 15 if initial_scale is None else initial_scale, 0,
                                     lo_open=True)
        self.dynamic_growth_steps = int(2000 if dynamic_growth_steps is None
                                        else dynamic_growth_steps)
        if self.dynamic_growth_steps < 1:
            raise ValueError(f"LossScaleOptimizer: dynamic_growth_steps must be >= 1, got "
                             f"{dynamic_growth_steps}")
        self.loss_scale = self.initial_scale
        self.dynamic_counter = 0
        self.name = "LossScaleOptimizer"

    # the inner optimizer's step counter, learning rate and state are the wrapper's
    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, v):
        self.inner_optimizer.iterations = v

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, v):
        self.inner_optimizer.learning_rate = v

    lr = learning_rate

    def get_state(self, params):
        return self.inner_optimizer.get_state(params)

    def set_state(self, params, states):
        self.inner_optimizer.set_state(params, states)

    def get_scaled_loss(self, loss):
        """loss * loss_scale (a callable loss: a callable returning it)."""
        if callable(loss) and not isinstance(loss, Tensor):
            return lambda: loss() * self.loss_scale
        return loss * self.loss_scale

    def get_unscaled_gradients(self, grads):
        """Each gradient / loss_scale (None stays None)."""
        inv = 1.0 / self.loss_scale
        return [None if g is None else g * inv for g in grads]

    def _apply_arrays(self, live, raw, checked=False, raw2=None):
        if self.dynamic:
            grads = raw if raw2 is None else [g + g2 for g, g2 in zip(raw, raw2)]
            finite = all(bool(array_module(g).isfinite(g).all()) for g in grads)
            if not finite:  # skip the step, halve the scale (tf_keras 2's dynamic loss scale;
                # its step counter counts the skipped step)
                self.loss_scale = max(self.loss_scale / 2.0, 1.0)
                self.dynamic_counter = 0
                self.inner_optimizer.iterations += 1
                return
            self.dynamic_counter += 1
            if self.dynamic_counter >= self.dynamic_growth_steps:
                doubled = self.loss_scale * 2.0
                if math.isfinite(doubled):
                    self.loss_scale = doubled
                self.dynamic_counter = 0
        self.inner_optimizer._apply_arrays(live, raw, checked, raw2)

    def get_config(self):
        return {"inner_optimizer": serialize(self.inner_optimizer), "dynamic": self.dynamic,
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        inner = config.pop("inner_optimizer")
        return cls(deserialize(inner) if isinstance(inner, dict) else inner, **config)

    def __getattr__(self, name):
        # the inner optimizer's other attributes (epsilon, beta_1, ...), read through
        if name.startswith("__") or name == "inner_optimizer":
            raise AttributeError(name)
        return getattr(self.__dict__["inner_optimizer"], name)
