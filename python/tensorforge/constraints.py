"""Keras 2 weight constraints (keras/constraints.py): projections applied to a weight after each
optimizer step.

A layer's ``kernel_constraint=`` / ``bias_constraint=`` / ... (any of the names below, or an
instance) is stored on the weight it constrains (``Tensor._constraint``, set by
``Layer.add_weight``); ``Optimizer.apply_gradients`` runs it on the updated values, in place, as
Keras 2's optimizers assign ``constraint(new_value)``. Each is written in a layer's config as
``{"class_name": "MaxNorm", "config": {...}}`` and read back from it.

  MaxNorm(max_value=2, axis=0)     w * clip(|w|, 0, max_value) / (eps + |w|), |w| the L2 norm
                                   over ``axis`` (for a Dense kernel, each unit's incoming weights)
  MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)
                                   w * (rate * clip(|w|, min, max) + (1 - rate) * |w|) / (eps + |w|)
  UnitNorm(axis=0)                 w / (eps + |w|)
  NonNeg()                         w * (w >= 0)
  RadialConstraint()               each (KH, KW) slice of a 4-D kernel made radially symmetric,
                                   ring by ring from its diagonal (Keras 2's exact rule, below)
eps is Keras 2's backend epsilon, 1e-7.
"""
from ._xp import array_module

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "UnitNorm", "NonNeg", "RadialConstraint",
           "get", "serialize", "deserialize", "max_norm", "min_max_norm", "unit_norm", "non_neg",
           "radial_constraint", "maxnorm", "nonneg", "unitnorm"]

_EPS = 1e-7


class Constraint:
    """Base class: ``__call__(w)`` returns the projected array (same shape and dtype)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    xp = array_module(w)
    return xp.sqrt(xp.sum(w * w, axis=axis, keepdims=True))


def _axis(axis):
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _number(cls, name, v):
    """v itself (Keras 2 keeps the value as given: MaxNorm(3)'s config says 3), checked to be
    a real number."""
    try:
        float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{cls}: {name} must be a number, got {v!r}") from None
    return v


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = _number("MaxNorm", "max_value", max_value), _axis(axis)

    def __call__(self, w):
        xp = array_module(w)
        norms = _norms(w, self.axis)
        desired = xp.clip(norms, 0, float(self.max_value))
        return (w * (desired / (w.dtype.type(_EPS) + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"max_value": self.max_value,
                "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _number("MinMaxNorm", "min_value", min_value)
        self.max_value = _number("MinMaxNorm", "max_value", max_value)
        self.rate, self.axis = _number("MinMaxNorm", "rate", rate), _axis(axis)

    def __call__(self, w):
        xp = array_module(w)
        norms = _norms(w, self.axis)
        rate = float(self.rate)
        desired = rate * xp.clip(norms, float(self.min_value), float(self.max_value)) + \
            (1 - rate) * norms
        return (w * (desired / (w.dtype.type(_EPS) + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = _axis(axis)

    def __call__(self, w):
        return (w / (w.dtype.type(_EPS) + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class NonNeg(Constraint):
    def __call__(self, w):
        return w * (w >= 0).astype(w.dtype)


# Keras 2's function-style aliases
max_norm, min_max_norm, unit_norm, non_neg = MaxNorm, MinMaxNorm, UnitNorm, NonNeg
# and Keras 2.0-2.2's legacy ones (keras/constraints.py; tf_keras dropped them), which Keras 2
# tutorials import: `from keras.constraints import maxnorm`
maxnorm, nonneg, unitnorm = MaxNorm, NonNeg, UnitNorm

class RadialConstraint(Constraint):
    """Keras 2's RadialConstraint, for a square 4-D kernel (K, K, C_in, C_out): each (K, K)
    slice is rebuilt as nested square rings, with s = K // 2: for odd K the centre takes
    w[s - 1, s - 1] and ring i = 1 .. s takes w[s + i - 1, s + i - 1]; for even K the inner 2x2
    takes w[s - 1, s - 1] and ring i = 2 .. s takes w[s + i - 1, s + i - 1] (tf_keras 2.21's
    while-loop of tf.pad over the diagonal, reproduced value for value)."""

    def __call__(self, w):
        shape = tuple(w.shape)
        if len(shape) != 4:
            raise ValueError(f"RadialConstraint: the weight tensor must have rank 4, got shape "
                             f"{shape}")
        K = shape[0]
        if shape[1] != K or K < 2:
            raise ValueError(f"RadialConstraint: the kernel must be square with a side >= 2 "
                             f"(K, K, C_in, C_out), got shape {shape}")
        xp = array_module(w)
        s = K // 2
        new = w[s - 1:s, s - 1:s]  # (1, 1, C_in, C_out)
        if K % 2 == 0:
            new = xp.broadcast_to(new, (2, 2) + shape[2:])
        for i in range(K % 2 == 0, s):  # one ring more, of the diagonal's value w[s + i, s + i]
            n = new.shape[0]
            ring = xp.empty((n + 2, n + 2) + shape[2:], dtype=w.dtype)
            ring[...] = w[s + i, s + i]
            ring[1:-1, 1:-1] = new
            new = ring
        return xp.ascontiguousarray(new)


_BY_NAME = {"MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm, "UnitNorm": UnitNorm, "NonNeg": NonNeg,
            "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "unit_norm": UnitNorm,
            "non_neg": NonNeg, "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm,
            "RadialConstraint": RadialConstraint, "radial_constraint": RadialConstraint}
radial_constraint = RadialConstraint


def serialize(c):
    if c is None:
        return None
    if not isinstance(c, Constraint):
        raise ValueError(f"constraints.serialize: {c!r} is not a Constraint (subclass "
                         "tensorforge.constraints.Constraint, with get_config)")
    return {"class_name": type(c).__name__, "config": c.get_config()}


def deserialize(config, custom_objects=None):
    name = config.get("class_name") if isinstance(config, dict) else config
    if isinstance(name, str):
        name = name.split(">")[-1]
    from ._custom_objects import custom_object
    cls = (custom_objects or {}).get(name) or custom_object(name) or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"constraints: unknown constraint {name!r} (known: MaxNorm, "
                         "MinMaxNorm, UnitNorm, NonNeg, RadialConstraint; a custom one: pass "
                         "custom_objects)")
    if not isinstance(cls, type) and callable(cls) and not isinstance(config, dict):
        return cls  # a function given by name (custom_objects): itself, as Keras 2 returns it
    cfg = dict(config.get("config") or {}) if isinstance(config, dict) else {}
    return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)


def get(identifier):
    """A Constraint from None, a name ('max_norm', 'non_neg', ...), a config dict, or an
    instance / callable (kept as given)."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"constraints.get: expected a name, a config dict or a Constraint, got "
                    f"{type(identifier).__name__}")
