"""Keras weight regularizers: the penalty is added to the training loss (Keras 2 formulas)."""
import numpy as np

from ._custom_objects import class_config, from_class_config
from .ops import basic

__all__ = ["Regularizer", "L1L2", "L1", "L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


class Regularizer:
    """The base of Keras 2's regularizers: a subclass defines ``__call__`` (and ``get_config``
    only if a model holding it is saved: Keras 2 asks for the config when saving, not when the
    regularizer is given to a layer)."""

    def __call__(self, w):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")  # Keras 2's text

    @classmethod
    def from_config(cls, config):
        return cls(**config)


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


class OrthogonalRegularizer(Regularizer):
    """tf_keras 2.10+'s: factor * mean over pairs of |cosine| between the rows ('rows') or the
    columns ('columns') of a 2-D weight, pushing them towards orthogonality."""

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got "
                             f"{mode!r}")
        self.factor, self.mode = float(factor), mode

    def __call__(self, w):
        if len(w.shape) != 2:
            raise ValueError(f"OrthogonalRegularizer: inputs must be 2-D, got shape "
                             f"{tuple(w.shape)}")
        axis = 1 if self.mode == "rows" else 0
        n = w / basic.sqrt(basic.maximum(basic.sum(w * w, axis=axis, keepdims=True), 1e-12))
        product = basic.matmul(n, basic.transpose(n)) if self.mode == "rows" else basic.matmul(
            basic.transpose(n), n)
        size = product.shape[0]
        off = product * (1.0 - np.eye(size, dtype=np.float32))
        pairs = size * (size - 1.0) / 2.0
        return basic.sum(basic.abs(off)) * (self.factor * 0.5 / pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


orthogonal_regularizer = OrthogonalRegularizer


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
        if "class_name" in identifier:
            return deserialize(identifier)
        return L1L2(**identifier)
    raise ValueError(f"regularizers.get: unknown regularizer {identifier!r}")


_CLASSES = {c.__name__: c for c in (L1L2, L1, L2, OrthogonalRegularizer)}
_CLASSES.update({"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer})


def serialize(regularizer, use_legacy_format=False):
    """A regularizer as tf_keras 2.13+ writes it (or the legacy form)."""
    if not isinstance(regularizer, Regularizer) or not hasattr(regularizer, "get_config"):
        raise ValueError(f"regularizers.serialize: cannot serialize {regularizer!r}")
    return class_config(regularizer, "keras.regularizers", _CLASSES, use_legacy_format)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    if isinstance(config, str):
        return get(config)
    return from_class_config("regularizers", config, _CLASSES, custom_objects, "regularizer")