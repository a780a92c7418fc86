"""The models and data of ``tensorforge bench distributed`` and its ``--profile`` (shared by
distributed.py and distributed_profile.py)."""
import numpy as np


def build(name):
    """A zoo model (``tensorforge train``'s) by name."""
    from tensorforge.zoo import build_model
    return build_model(name)


def data(n):
    """The first n bundled MNIST digits as (N, 28, 28, 1) float32 in [0, 1] and one-hot labels."""
    from tensorforge.datasets import mnist
    from tensorforge.utils import to_categorical
    (x, y), _ = mnist.load_data()
    x = (x[:n].astype(np.float32) / 255.0).reshape(-1, 28, 28, 1)
    return x, to_categorical(y[:n], 10)
