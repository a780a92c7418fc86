"""The Adam family: Adam (amsgrad), AdamW (decoupled weight decay), Adamax and Nadam, which share
beta_1, beta_2 and epsilon (``_AdamFamily``)."""
import warnings

import numpy as np

from .optimizer import Optimizer, _native_kernel, _number, _zeros
from .schedules import LearningRateSchedule

__all__ = ["Adam", "AdamW", "Adamax", "Nadam"]


class _AdamFamily(Optimizer):
    """beta_1, beta_2 in [0, 1) (1 would divide by zero in the bias correction), epsilon >= 0."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        cls = type(self).__name__
        self.beta_1 = _number(cls, "beta_1", beta_1, 0, 1, hi_open=True)
        self.beta_2 = _number(cls, "beta_2", beta_2, 0, 1, hi_open=True)
        self.epsilon = _number(cls, "epsilon", 1e-7 if epsilon is None else epsilon, 0)

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)


class Adam(_AdamFamily):
    """Keras 2 Adam: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t*m/(sqrt(v)+eps);
    amsgrad: v is replaced by vhat = max(vhat, v) in the step."""

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise TypeError(f"Adam: amsgrad must be a bool, got {type(amsgrad).__name__} {amsgrad!r}")
        self.amsgrad = bool(amsgrad)

    def _init_state(self, p):
        return _zeros(p, 3 if self.amsgrad else 2)

    def _update(self, k, p, g, st, lr):
        if self.amsgrad:
            k.adam_amsgrad_update(p, g, st[0], st[1], st[2], lr, self.beta_1, self.beta_2,
                                  self.epsilon, self._iterations)
        else:
            k.adam_update(p, g, st[0], st[1], lr, self.beta_1, self.beta_2, self.epsilon,
                          self._iterations)

    def _adam_kernel(self):
        """The native adam_update, where the plain (not amsgrad) rule runs at an int step."""
        if self.amsgrad or type(self._iterations) is not int or type(self)._update is not Adam._update:
            return None
        return _native_kernel("adam_update")

    def _native_update(self, lr):
        t, fn = self._iterations, self._adam_kernel()
        if fn is None:
            return None
        b1, b2, eps = self.beta_1, self.beta_2, self.epsilon

        def step(p, g, st):
            fn(p, g, st[1], st[2], lr, b1, b2, eps, t)
        return step

    def _native_update_sum(self, lr):
        t, fn = self._iterations, self._adam_kernel()
        if fn is None:
            return None
        b1, b2, eps = self.beta_1, self.beta_2, self.epsilon

        def step(p, g, g2, st):
            fn(p, g, st[0], st[1], lr, b1, b2, eps, t, g2)
        return step

    def _native_multi(self, lr):
        t = self._iterations
        fn = None if self.amsgrad or type(t) is not int or type(self)._update is not Adam._update \
            else _native_kernel("adam_update_multi")
        if fn is None:
            return None
        b1, b2, eps = self.beta_1, self.beta_2, self.epsilon

        def step(params, grads, states):
            fn([p.data for p in params], grads, [st[1] for st in states],
               [st[2] for st in states], lr, b1, b2, eps, t)
        return step

    def get_config(self):
        return dict(super().get_config(), amsgrad=self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (tf.keras 2.11+ ``AdamW``): before each step
    p -= p * weight_decay * lr, then the Adam update."""

    def __init__(self, learning_rate=None, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)


class Adamax(_AdamFamily):
    """m = b1*m + (1-b1)*g; u = max(b2*u, |g|); p -= lr/(1-b1^t) * m/(u+eps)."""

    def _init_state(self, p):
        return _zeros(p, 2)

    def _update(self, k, p, g, st, lr):
        k.adamax_update(p, g, st[0], st[1], lr, self.beta_1, self.beta_2, self.epsilon,
                        self._iterations)


class Nadam(_AdamFamily):
    """Nadam (Dozat's schedule): momentum mu_t = b1*(1 - 0.5*0.96^t), tf_keras 2.11+'s default
    class (what ``keras.optimizers.Nadam`` and 'nadam' are in tf_keras 2.21). An explicit
    ``schedule_decay`` (Keras 2.0-2.10's argument; ``optimizers.legacy.Nadam`` defaults it to
    0.004) gives Keras 2.0-2.10's mu_t = b1*(1 - 0.5*0.96^(schedule_decay*t)), whose momentum
    is ~0.45 from the first step where the new schedule's climbs from 0.47 towards 0.9.

    As in Keras 2, Nadam has no time-based ``decay`` of the learning rate and rejects a schedule:
    tf_keras's legacy class silently replaces ``decay`` by ``schedule_decay``; here a non-zero
    ``decay`` warns and is ignored the same way."""

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 schedule_decay=None, **kwargs):
        if kwargs.get("decay"):
            warnings.warn("Nadam: `decay` is ignored (Keras 2's Nadam has no learning-rate decay; "
                          "its momentum schedule uses schedule_decay)", UserWarning, stacklevel=2)
        kwargs.pop("decay", None)
        lr = learning_rate if learning_rate is not None else kwargs.get("lr")
        if isinstance(lr, LearningRateSchedule):
            raise ValueError("Nadam: a LearningRateSchedule is not supported as the learning rate "
                             "(as in Keras 2); use a number")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.schedule_decay = None if schedule_decay is None else \
            _number("Nadam", "schedule_decay", schedule_decay, 0)
        self._sched = (0, 1.0)  # (iterations, prod of mu_1..mu_iterations)

    def _mu(self, t):
        decay = 1.0 if self.schedule_decay is None else self.schedule_decay
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** (decay * t))

    def _prepare_step(self):
        # The running product of the momentum schedule is a function of the step count alone,
        # so it is recomputed (not stored) after a load or a change of iterations.
        t = self._iterations
        done, prod = self._sched
        if done > t - 1:
            done, prod = 0, 1.0
        for s in range(done + 1, t + 1):
            prod *= self._mu(s)
        self._sched = (t, prod)
        self._coef = (self._mu(t), self._mu(t + 1), prod, prod * self._mu(t + 1))

    def _init_state(self, p):
        return _zeros(p, 2)

    def _update(self, k, p, g, st, lr):
        mu_t, mu_next, sched, sched_next = self._coef
        k.nadam_update(p, g, st[0], st[1], lr, self.beta_1, self.beta_2, self.epsilon, mu_t,
                       mu_next, sched, sched_next, self._iterations)

    def _current_lr(self):
        return self._learning_rate

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("decay", None)
        if self.schedule_decay is not None:  # tf_keras's legacy class: schedule_decay as 'decay'
            cfg["decay"] = self.schedule_decay
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "decay" in config:
            config.setdefault("schedule_decay", config.pop("decay"))
        return cls(**config)
