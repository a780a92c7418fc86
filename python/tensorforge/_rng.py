"""The seed source for ops that need fresh randomness per call (dropout with seed=None).

``tensorforge.utils.set_random_seed(n)`` calls ``set_seed(n)``; after it, the sequence of seeds
drawn by ``next_seed()`` -- hence every dropout mask -- is reproducible. Before any call the
generator is seeded from the OS (NumPy's default).
"""
import numpy as np

_gen = np.random.default_rng()


def set_seed(n):
    """Restart the seed sequence from ``n`` (an int >= 0, or None for OS entropy)."""
    global _gen
    _gen = np.random.default_rng(n)


def next_seed():
    """A fresh 64-bit seed (a Python int in [0, 2**64)) from the module generator."""
    return int(_gen.integers(0, 2**64, dtype=np.uint64))
