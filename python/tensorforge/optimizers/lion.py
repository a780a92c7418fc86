"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") as tf_keras 2.13+'s
``keras.optimizers.Lion``, on the array module of the parameters (no native kernel):
    p -= lr * sign(beta_1 * m + (1 - beta_1) * g)
    m = beta_2 * m + (1 - beta_2) * g
weight_decay is the base class's decoupled p -= p * wd * lr before the step, as tf_keras'.
Loaded on first use of ``optimizers.Lion`` (the package's __getattr__): it builds on the
package's Optimizer.
"""
from .._xp import array_module
from .optimizer import Optimizer, _number

__all__ = ["Lion"]


class Lion(Optimizer):
    _defaults = {"learning_rate": 0.0001}

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.99, name="Lion", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(f"Lion: `beta_1`={beta_1} must be between ]0, 1]. Otherwise, the "
                             "optimizer degenerates to SignSGD.")
        self.beta_1 = float(beta_1)
        self.beta_2 = _number("Lion", "beta_2", beta_2, 0, 1)

    def _init_state(self, p):
        return (array_module(p).zeros_like(p),)

    def _update(self, k, p, g, st, lr):
        xp = array_module(p)
        (m,) = st
        t = p.dtype.type
        p -= t(lr) * xp.sign(m * t(self.beta_1) + g * t(1.0 - self.beta_1))
        m *= t(self.beta_2)
        m += g * t(1.0 - self.beta_2)

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2)
