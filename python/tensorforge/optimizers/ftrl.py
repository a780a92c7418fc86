"""Ftrl ("Follow The Regularized Leader", McMahan et al. 2013) with tf_keras 2's legacy
semantics (``tf_keras.optimizers.legacy.Ftrl``, TensorFlow's ApplyFtrlV2 kernel), on the
array module of the parameters (no native kernel).

Per step, with accum starting at initial_accumulator_value and linear at 0:
    g_s = g + 2 * l2_shrinkage * p
    accum_new = accum + g^2
    linear += g_s - (accum_new^-lr_power - accum^-lr_power) / lr * p
    quadratic = accum_new^-lr_power / lr + 2 * l2',   l2' = l2 + beta / (2 * lr)
    p = (sign(linear) * l1 - linear) / quadratic where |linear| > l1, else 0
Loaded on first use of ``optimizers.Ftrl`` (the package's __getattr__): it builds on the
package's Optimizer.
"""
from .._xp import array_module
from .optimizer import Optimizer, _number

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, name="Ftrl",
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.learning_rate_power = _number("Ftrl", "learning_rate_power", learning_rate_power,
                                           hi=0)
        self.initial_accumulator_value = _number("Ftrl", "initial_accumulator_value",
                                                 initial_accumulator_value, 0)
        self.l1_regularization_strength = _number("Ftrl", "l1_regularization_strength",
                                                  l1_regularization_strength, 0)
        self.l2_regularization_strength = _number("Ftrl", "l2_regularization_strength",
                                                  l2_regularization_strength, 0)
        self.l2_shrinkage_regularization_strength = _number(
            "Ftrl", "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
            0)
        self.beta = _number("Ftrl", "beta", beta, 0)

    def _init_state(self, p):
        xp = array_module(p)
        return (xp.full(p.shape, self.initial_accumulator_value, dtype=p.dtype),
                xp.zeros_like(p))

    def _update(self, k, p, g, st, lr):
        xp = array_module(p)
        accum, linear = st
        t = p.dtype.type
        power = t(-self.learning_rate_power)
        lr_t = t(lr)
        l1 = t(self.l1_regularization_strength)
        l2 = t(self.l2_regularization_strength + self.beta / (2.0 * lr))
        g_s = g + t(2 * self.l2_shrinkage_regularization_strength) * p if \
            self.l2_shrinkage_regularization_strength else g
        accum_new = accum + g * g
        linear += g_s - (accum_new ** power - accum ** power) / lr_t * p
        quadratic = accum_new ** power / lr_t + t(2) * l2
        p[...] = xp.where(xp.abs(linear) > l1, (xp.sign(linear) * l1 - linear) / quadratic,
                          t(0))
        accum[...] = accum_new

    def get_config(self):
        return dict(super().get_config(), learning_rate_power=self.learning_rate_power,
                    initial_accumulator_value=self.initial_accumulator_value,
                    l1_regularization_strength=self.l1_regularization_strength,
                    l2_regularization_strength=self.l2_regularization_strength,
                    l2_shrinkage_regularization_strength=(
                        self.l2_shrinkage_regularization_strength),
                    beta=self.beta)
