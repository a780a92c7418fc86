"""Adagrad and Adadelta, whose steps divide by accumulated squared gradients (Adadelta extends
Adagrad with a decaying accumulator and a unit-correcting numerator)."""
from .._xp import array_module
from .optimizer import Optimizer, _number, _zeros

__all__ = ["Adagrad", "Adadelta"]


class Adagrad(Optimizer):
    """acc += g^2; p -= lr*g/(sqrt(acc)+eps); acc starts at initial_accumulator_value."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _number("Adagrad", "initial_accumulator_value",
                                                 initial_accumulator_value, 0)
        self.epsilon = _number("Adagrad", "epsilon", 1e-7 if epsilon is None else epsilon, 0)

    def _init_state(self, p):
        return (array_module(p).full(p.shape, self.initial_accumulator_value, dtype=p.dtype),)

    def _update(self, k, p, g, st, lr):
        k.adagrad_update(p, g, st[0], lr, self.epsilon)

    def get_config(self):
        return dict(super().get_config(), initial_accumulator_value=self.initial_accumulator_value,
                    epsilon=self.epsilon)


class Adadelta(Optimizer):
    """acc = rho*acc + (1-rho)*g^2; d = sqrt(acc_delta+eps)/sqrt(acc+eps)*g;
    acc_delta = rho*acc_delta + (1-rho)*d^2; p -= lr*d (tf.keras 2 default lr 0.001)."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _number("Adadelta", "rho", rho, 0, 1)
        self.epsilon = _number("Adadelta", "epsilon", 1e-7 if epsilon is None else epsilon, 0)

    def _init_state(self, p):
        return _zeros(p, 2)

    def _update(self, k, p, g, st, lr):
        k.adadelta_update(p, g, st[0], st[1], lr, self.rho, self.epsilon)

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, epsilon=self.epsilon)
