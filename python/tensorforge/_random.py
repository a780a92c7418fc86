"""The library's one random state: weight initialization, shuffling in fit(), and the seeds of
the kernels' counter-based RNG (dropout masks).

``tensorforge.utils.set_random_seed(n)`` calls ``set_seed(n)``: after it the weights, the
shuffles and every dropout mask are reproducible (bit-identical on the cpu backend). Before any
call the generator is seeded from the OS (NumPy's default).
"""
import numpy as np

_state = {"rng": np.random.default_rng()}
# Kernel seeds are drawn SEED_BLOCK at a time (one Generator.integers call costs as much as a
# small kernel; a training step with two Dropout layers asks for two): _seeds holds the rest of
# the block, handed out last first. set_seed drops it, so the seeds stay a function of the seed.
SEED_BLOCK = 64
_seeds = []


def set_seed(seed):
    """Restart the random state from ``seed`` (an int >= 0, or None for OS entropy)."""
    _state["rng"] = np.random.default_rng(None if seed is None else int(seed))
    _seeds.clear()


def rng():
    return _state["rng"]


def next_seed():
    """A fresh 31-bit seed for a kernel that takes one (dropout)."""
    while True:  # (pop is atomic: threads training at once never get a seed twice)
        try:
            return _seeds.pop()
        except IndexError:
            _seeds.extend(_state["rng"].integers(0, 2 ** 31 - 1, size=SEED_BLOCK).tolist()[::-1])
