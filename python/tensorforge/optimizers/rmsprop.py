"""RMSprop: tf_keras 2.11+'s default class (epsilon inside the square root); the Keras 2.0-2.10
rule is ``optimizers.legacy.RMSprop`` (Note [RMSprop epsilon] in legacy.py)."""
from .._xp import array_module
from .optimizer import Optimizer, _native_kernel, _number

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """tf_keras 2.11+'s RMSprop, what ``keras.optimizers.RMSprop`` and the string 'rmsprop' are
    in tf_keras 2.21: ms = rho*ms + (1-rho)*g^2; p -= lr*g/sqrt(ms+eps). ``centered`` uses
    ms - mg^2 (mg the running mean of g) in place of ms; ``momentum``: mom = momentum*mom +
    lr*g/sqrt(ms+eps); p -= mom. ``optimizers.legacy.RMSprop`` (Keras 2.0-2.10) divides by
    sqrt(ms)+eps when momentum is 0 (the fused native kernel); the two differ for gradients
    below ~sqrt(eps / (1 - rho)) ~ 1e-3, where this one's steps are the smaller. Note [RMSprop
    epsilon] in optimizers/legacy.py."""
    _defaults = {"learning_rate": 0.001}
    _eps_in_sqrt = True

    def __init__(self, learning_rate=None, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _number("RMSprop", "rho", rho, 0, 1)
        self.momentum = _number("RMSprop", "momentum", momentum, 0, 1)
        self.epsilon = _number("RMSprop", "epsilon", 1e-7 if epsilon is None else epsilon, 0)
        self.centered = bool(centered)

    def _init_state(self, p):
        xp = array_module(p)
        return (xp.zeros_like(p), xp.zeros_like(p) if self.centered else None,
                xp.zeros_like(p) if self.momentum else None)

    def _fused(self):
        """Whether the step is the native kernel's (plain: no momentum, not centered)."""
        return not (self.momentum or self.centered)

    def _update(self, k, p, g, st, lr):
        if self._fused():
            k.rmsprop_update(p, g, st[0], lr, self.rho, self.epsilon,
                             eps_in_sqrt=self._eps_in_sqrt)
        else:
            k.rmsprop_ext_update(p, g, st[0], st[1], st[2], lr, self.rho, self.momentum,
                                 self.epsilon, eps_in_sqrt=self._eps_in_sqrt)

    def _native_update(self, lr):
        fn = None if not self._fused() or type(self)._update is not RMSprop._update \
            else _native_kernel("rmsprop_update")
        if fn is None:
            return None
        rho, eps, inside = self.rho, self.epsilon, self._eps_in_sqrt

        def step(p, g, st):
            fn(p, g, st[1], lr, rho, eps, None, inside)
        return step

    def _native_update_sum(self, lr):
        fn = None if not self._fused() or type(self)._update is not RMSprop._update \
            else _native_kernel("rmsprop_update")
        if fn is None:
            return None
        rho, eps, inside = self.rho, self.epsilon, self._eps_in_sqrt

        def step(p, g, g2, st):
            fn(p, g, st[0], lr, rho, eps, g2, inside)
        return step

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, momentum=self.momentum,
                    epsilon=self.epsilon, centered=self.centered)
