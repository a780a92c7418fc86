"""pytest-benchmark timings of conv2d forward and forward+backward on the issue's layer shapes
(not collected by CI: run `PYTHONPATH=python python -m pytest bench/test_bench_conv.py`).
The tables with NumPy and PyTorch ratios come from `python -m tensorforge.bench conv`."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.bench.conv import SHAPES


@pytest.fixture(params=SHAPES, ids=[s[0].replace(" ", "_") for s in SHAPES])
def layer(request):
    name, xs, (KH, KW, CO), padding, need_dx = request.param
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    w = (rng.standard_normal((KH, KW, xs[3], CO)) / np.sqrt(KH * KW * xs[3])).astype(np.float32)
    b = rng.standard_normal(CO).astype(np.float32)
    return x, w, b, padding, need_dx


def test_conv_forward(benchmark, layer):
    x, w, b, padding, _ = layer
    y = benchmark(tf.kernels.conv2d, x, w, b, 1, padding, 1, "relu")
    assert y.dtype == np.float32 and (y >= 0).all()


def test_conv_forward_backward(benchmark, layer):
    x, w, b, padding, need_dx = layer
    dy = np.ones(tf.kernels.conv2d(x, w, b, 1, padding).shape, np.float32)

    def step():
        y = tf.kernels.conv2d(x, w, b, 1, padding, 1, "relu")
        return tf.kernels.conv2d_backward(dy, x, w, 1, padding, 1, need_dx, True, True, y=y)
    dx, dw, db = benchmark(step)
    assert dw.shape == w.shape and db.shape == b.shape and (dx is not None) == need_dx
