"""pytest-benchmark timings of the Conv1D, Conv2DTranspose and UpSampling2D layers, forward and
backward on autograd Tensors (not collected by CI: run
`PYTHONPATH=python python -m pytest bench/test_bench_conv_layers.py`). The table with PyTorch
ratios comes from `python -m tensorforge.bench conv`."""
import numpy as np
import pytest

from tensorforge.autograd import Tensor
from tensorforge.bench.conv_layers import LAYERS, _layer


@pytest.mark.parametrize("case", LAYERS, ids=[c[0].replace(" ", "_") for c in LAYERS])
def test_layer_forward_backward(benchmark, case):
    name, kind, xs, kw = case
    layer = _layer(kind, kw)
    x = Tensor(np.random.default_rng(0).standard_normal(xs).astype(np.float32), requires_grad=True)
    dy = np.ones(layer(x).shape, np.float32)

    def step():
        x.grad = None
        for t in layer.weights:
            t.grad = None
        layer(x).backward(dy)
    benchmark(step)
    assert x.grad.shape == x.shape and all(t.grad is not None for t in layer.weights)
