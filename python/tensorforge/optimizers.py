"""Keras optimizers: SGD (momentum, nesterov), RMSprop, Adam, Adagrad.

Arguments and defaults are tf.keras 2's (``learning_rate``; the Keras 2.2 spelling ``lr`` is
accepted as an alias; ``decay`` is Keras 2's time-based decay lr / (1 + decay * iterations)).
Adagrad follows tf.keras 2 (learning_rate 0.001, accumulators start at 0.1); standalone Keras 2.3
used lr 0.01 and zero accumulators — pass those explicitly to reproduce it.
``clipnorm`` clips each gradient tensor to that L2 norm, ``clipvalue`` clips elementwise (Keras).

Each parameter's update is ONE call of the fused in-place kernel ``kernels.optim.<name>_update``
(native on the cpu backend); the optimizer only allocates state arrays.
"""
import math

import numpy as np

from ._xp import array_module

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "Adagrad", "get", "serialize", "deserialize"]


def _kernels():
    from .kernels import optim
    return optim


def _checked_grad(name, p):
    """p.grad of a parameter Tensor, checked: a real floating array of p's shape, or None."""
    from .autograd import Tensor
    if not isinstance(p, Tensor):
        raise TypeError(f"{name}.apply_gradients: expected parameter Tensors (model.weights), got "
                        f"{type(p).__name__}")
    g = p.grad
    if g is None:
        return None
    if not hasattr(g, "dtype") or not hasattr(g, "shape"):
        raise TypeError(f"{name}.apply_gradients: the gradient of a parameter of shape "
                        f"{tuple(p.shape)} must be an array, got {type(g).__name__}")
    if g.dtype.kind != "f":
        raise TypeError(f"{name}.apply_gradients: gradients must be real floating arrays, got "
                        f"{g.dtype} for a parameter of shape {tuple(p.shape)}")
    if tuple(g.shape) != tuple(p.shape):
        raise ValueError(f"{name}.apply_gradients: a gradient of shape {tuple(g.shape)} for a "
                         f"parameter of shape {tuple(p.shape)}")
    return g


class Optimizer:
    _defaults = {}

    def __init__(self, learning_rate=None, clipnorm=None, clipvalue=None, decay=0.0, lr=None,
                 name=None, **kwargs):
        for k in ("global_clipnorm",):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        if learning_rate is None:
            learning_rate = lr if lr is not None else self._defaults["learning_rate"]
        if learning_rate <= 0 or not math.isfinite(learning_rate):
            raise ValueError(f"{type(self).__name__}: learning_rate must be a positive number, "
                             f"got {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.clipnorm = None if clipnorm is None else float(clipnorm)
        self.clipvalue = None if clipvalue is None else float(clipvalue)
        self.decay = float(decay)
        self.iterations = 0
        self._state = {}  # id(param) -> tuple of state arrays
        self.name = name or type(self).__name__

    # Keras 2.2 attribute name
    @property
    def lr(self):
        return self.learning_rate

    @lr.setter
    def lr(self, v):
        self.learning_rate = float(v)

    def _current_lr(self):
        lr = self.learning_rate
        if self.decay:
            lr = lr / (1.0 + self.decay * self.iterations)
        return lr

    def _clip(self, g):
        if self.clipnorm is not None:
            xp = array_module(g)
            norm = float(xp.sqrt((g * g).sum()))
            if norm > self.clipnorm:
                g = g * np.float32(self.clipnorm / norm)
        if self.clipvalue is not None:
            g = array_module(g).clip(g, -self.clipvalue, self.clipvalue)
        return g

    def apply_gradients(self, params):
        """Update every Tensor in ``params`` that has a .grad, in place."""
        self.iterations += 1
        lr = self._current_lr()
        k = _kernels()
        for p in params:
            g = _checked_grad(type(self).__name__, p)
            if g is None:
                continue
            xp = array_module(g)
            if g.dtype != p.data.dtype or not g.flags.c_contiguous:
                g = xp.ascontiguousarray(g, dtype=p.data.dtype)
            if self.clipnorm is not None or self.clipvalue is not None:
                g = self._clip(g)
            st = self._state.get(id(p))
            if st is None:
                st = self._state[id(p)] = (p,) + self._init_state(p.data)
            self._update(k, p.data, g, st[1:], lr)

    # state for save/load: list of arrays in parameter order
    def get_state(self, params):
        out = []
        for p in params:
            st = self._state.get(id(p))
            out.append([] if st is None else [s for s in st[1:] if s is not None])
        return out

    def set_state(self, params, states):
        for p, arrs in zip(params, states):
            if not arrs:
                continue
            proto = self._init_state(p.data)
            it = iter(arrs)
            self._state[id(p)] = (p,) + tuple(None if s is None else np.array(next(it), dtype=s.dtype)
                                              for s in proto)

    def get_config(self):
        cfg = {"learning_rate": self.learning_rate, "decay": self.decay}
        if self.clipnorm is not None:
            cfg["clipnorm"] = self.clipnorm
        if self.clipvalue is not None:
            cfg["clipvalue"] = self.clipvalue
        return cfg

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"


class SGD(Optimizer):
    """v = momentum*v - lr*g; p += v (nesterov: p += momentum*v - lr*g); plain: p -= lr*g."""
    _defaults = {"learning_rate": 0.01}

    def __init__(self, learning_rate=None, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum:
            raise ValueError(f"SGD: momentum must be >= 0, got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _init_state(self, p):
        return (array_module(p).zeros_like(p) if self.momentum else None,)

    def _update(self, k, p, g, st, lr):
        k.sgd_update(p, g, st[0], lr, self.momentum, self.nesterov)

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)


class RMSprop(Optimizer):
    """ms = rho*ms + (1-rho)*g^2; p -= lr*g/(sqrt(ms)+eps)."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        if momentum or centered:
            raise NotImplementedError("RMSprop: momentum and centered (tf.keras extras) are not "
                                      "supported; Keras 2's RMSprop has neither")
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(1e-7 if epsilon is None else epsilon)

    def _init_state(self, p):
        return (array_module(p).zeros_like(p),)

    def _update(self, k, p, g, st, lr):
        k.rmsprop_update(p, g, st[0], lr, self.rho, self.epsilon)

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, epsilon=self.epsilon)


class Adam(Optimizer):
    """Keras 2 Adam: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t*m/(sqrt(v)+eps)."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs):
        if amsgrad:
            raise NotImplementedError("Adam: amsgrad=True is not supported")
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)

    def _init_state(self, p):
        xp = array_module(p)
        return (xp.zeros_like(p), xp.zeros_like(p))

    def _update(self, k, p, g, st, lr):
        k.adam_update(p, g, st[0], st[1], lr, self.beta_1, self.beta_2, self.epsilon,
                      self.iterations)

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)


class Adagrad(Optimizer):
    """acc += g^2; p -= lr*g/(sqrt(acc)+eps); acc starts at initial_accumulator_value."""
    _defaults = {"learning_rate": 0.001}

    def __init__(self, learning_rate=None, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)

    def _init_state(self, p):
        return (array_module(p).full(p.shape, self.initial_accumulator_value, dtype=p.dtype),)

    def _update(self, k, p, g, st, lr):
        k.adagrad_update(p, g, st[0], lr, self.epsilon)

    def get_config(self):
        return dict(super().get_config(), initial_accumulator_value=self.initial_accumulator_value,
                    epsilon=self.epsilon)


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adagrad": Adagrad}


def get(identifier):
    """An optimizer instance from a name ('adam'), a class, or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier.lower()]()
        except KeyError:
            raise ValueError(f"optimizers.get: unknown optimizer {identifier!r}; known: "
                             f"{', '.join(_BY_NAME)}") from None
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(f"optimizers.get: expected an optimizer name or instance, got {identifier!r}")


def serialize(opt):
    return {"class_name": type(opt).__name__, "config": opt.get_config()}


def deserialize(cfg):
    cls = {c.__name__: c for c in _BY_NAME.values()}[cfg["class_name"]]
    return cls(**cfg["config"])
