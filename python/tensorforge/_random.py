"""The library's one random state: weight initialization, shuffling in fit(), and the seeds of
the kernels' counter-based RNG (dropout masks).

``tensorforge.utils.set_random_seed(n)`` calls ``set_seed(n)``: after it the weights, the
shuffles and every dropout mask are reproducible (bit-identical on the cpu backend). Before any
call the generator is seeded from the OS (NumPy's default).
"""
import numpy as np

_state = {"rng": np.random.default_rng()}


def set_seed(seed):
    """Restart the random state from ``seed`` (an int >= 0, or None for OS entropy)."""
    _state["rng"] = np.random.default_rng(None if seed is None else int(seed))


def rng():
    return _state["rng"]


def next_seed():
    """A fresh 31-bit seed for a kernel that takes one (dropout)."""
    return int(_state["rng"].integers(0, 2 ** 31 - 1))
