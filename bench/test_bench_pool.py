"""pytest-benchmark timings of pooling forward and forward+backward (not collected by CI:
`PYTHONPATH=python python -m pytest bench/test_bench_pool.py`). Ratios against NumPy, PyTorch
and the measured copy bandwidth come from `python -m tensorforge.bench pool`."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.bench.pool import SHAPES


@pytest.fixture(params=SHAPES, ids=[s[0].replace(" ", "_") for s in SHAPES])
def case(request):
    name, xs, kind, k, padding = request.param
    x = np.random.default_rng(0).standard_normal(xs).astype(np.float32)
    return x, kind, k, padding


def test_pool_forward(benchmark, case):
    x, kind, k, padding = case
    op = tf.kernels.max_pool2d if kind == "max" else tf.kernels.avg_pool2d
    y = benchmark(op, x, k, None if padding == "valid" else 2, padding)
    assert y.shape[0] == x.shape[0] and y.shape[3] == x.shape[3]


def test_pool_forward_backward(benchmark, case):
    x, kind, k, padding = case
    s = None if padding == "valid" else 2
    if kind == "max":
        def step():
            y, am = tf.kernels.max_pool2d(x, k, s, padding, with_argmax=True)
            return tf.kernels.max_pool2d_backward(np.ones_like(y), am, x.shape, k, s, padding)
    else:
        def step():
            y = tf.kernels.avg_pool2d(x, k, s, padding)
            return tf.kernels.avg_pool2d_backward(np.ones_like(y), x.shape, k, s, padding)
    dx = benchmark(step)
    assert dx.shape == x.shape
