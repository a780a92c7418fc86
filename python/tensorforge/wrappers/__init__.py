"""Keras 2's ``keras.wrappers``: the scikit-learn estimator API (``scikit_learn``)."""
from . import scikit_learn  # noqa: F401

__all__ = ["scikit_learn"]
