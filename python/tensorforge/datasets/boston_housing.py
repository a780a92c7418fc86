"""Boston housing prices, Keras 2's ``boston_housing.load_data``: x float64 (N, 13), y float64
(N,), 404 / 102 after a seeded shuffle. Read from ``boston_housing.npz`` where Keras 2 cached it
(see _files.py); nothing is downloaded."""
import numpy as np

from . import _files

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    what = "boston_housing.load_data"
    if not 0 <= test_split < 1:
        raise ValueError(f"{what}: test_split must be in [0, 1), got {test_split}")
    a = _files.load_npz(_files.find(what, path, ORIGIN), ["x", "y"])
    x, y = a["x"], a["y"]
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"{what}: x {x.shape} and y {y.shape} are not (N, F) and (N,)")
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    x, y = x[idx], y[idx]
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))
