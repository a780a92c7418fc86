"""Keras weight regularizers: the penalty is added to the training loss (Keras 2 formulas)."""
from .ops import basic

__all__ = ["Regularizer", "L1L2", "L1", "L2", "l1", "l2", "l1_l2", "get"]


class Regularizer:
    def __call__(self, w):
        raise NotImplementedError


class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w**2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w):
        out = None
        if self.l1:
            out = basic.sum(basic.abs(w)) * self.l1
        if self.l2:
            t = basic.sum(w * w) * self.l2
            out = t if out is None else out + t
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``L1(l1=0.01)``: l1 * sum(|w|) (tf.keras 2's class; ``l1(0.01)`` makes one)."""

    def __init__(self, l1=0.01, **kwargs):
        super().__init__(l1=kwargs.pop("l", l1))
        if kwargs:
            raise TypeError(f"L1: unexpected arguments {sorted(kwargs)}")

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``L2(l2=0.01)``: l2 * sum(w**2) (tf.keras 2's class; ``l2(0.01)`` makes one)."""

    def __init__(self, l2=0.01, **kwargs):
        super().__init__(l2=kwargs.pop("l", l2))
        if kwargs:
            raise TypeError(f"L2: unexpected arguments {sorted(kwargs)}")

    def get_config(self):
        return {"l2": self.l2}


def l1(l=0.01):  # noqa: E741
    return L1(l1=l)


def l2(l=0.01):  # noqa: E741
    return L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811
    return L1L2(l1=l1, l2=l2)


def get(identifier):
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in ("l1", "l2", "l1_l2"):
        return globals()[identifier]()
    if isinstance(identifier, dict):
        return L1L2(**identifier)
    raise ValueError(f"regularizers.get: unknown regularizer {identifier!r}")
