"""The library's random state: weight initialization, shuffling in fit(), dropout seeds.

``tensorforge.utils.set_random_seed(n)`` reseeds it (and the kernels' counter-based RNG in
``tensorforge._rng`` when that module exists), so the same seed gives bit-identical weights.
"""
import numpy as np

_state = {"rng": np.random.default_rng()}


def set_seed(seed):
    _state["rng"] = np.random.default_rng(int(seed))


def rng():
    return _state["rng"]


def next_seed():
    """A fresh 31-bit seed for a kernel that takes one (dropout)."""
    return int(_state["rng"].integers(0, 2 ** 31 - 1))
