"""Keras 2's SGD (momentum, nesterov) on the base Optimizer (optimizer.py)."""
from .._xp import array_module
from .optimizer import Optimizer, _native_kernel, _number

__all__ = ["SGD"]


class SGD(Optimizer):
    """v = momentum*v - lr*g; p += v (nesterov: p += momentum*v - lr*g); plain: p -= lr*g."""
    _defaults = {"learning_rate": 0.01}

    def __init__(self, learning_rate=None, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _number("SGD", "momentum", momentum, 0, 1)
        self.nesterov = bool(nesterov)

    def _init_state(self, p):
        return (array_module(p).zeros_like(p) if self.momentum else None,)

    def _update(self, k, p, g, st, lr):
        k.sgd_update(p, g, st[0], lr, self.momentum, self.nesterov)

    def _native_update(self, lr):
        fn = _native_kernel("sgd_update") if type(self)._update is SGD._update else None
        if fn is None:
            return None
        momentum, nesterov = self.momentum, self.nesterov

        def step(p, g, st):
            fn(p, g, st[1], lr, momentum, nesterov)
        return step

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)
