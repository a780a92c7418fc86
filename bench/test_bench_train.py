"""pytest-benchmark of one LeNet training step (batch 32, RMSprop) for tensorforge and PyTorch
(not collected by CI: run `PYTHONPATH=python python -m pytest bench/test_bench_train.py`).
The table with images/s and the ratio comes from `tensorforge bench train`.

Each side first trains 20 steps on real digits and must lower its loss (the result check), then
one step (forward, backward, optimizer update) is timed on a fixed batch."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.bench import train as T


@pytest.fixture(scope="module")
def data():
    x, y, _, _ = T._data()
    return x[:32 * 21], y[:32 * 21]


def test_lenet_step_tensorforge(benchmark, data):
    from tensorforge.zoo import build_model
    from tensorforge.utils import to_categorical
    x, y = data
    tf.utils.set_random_seed(0)
    model = build_model("lenet")
    yoh = to_categorical(y, 10)
    first = float(np.ravel(model.train_on_batch(x[:32], yoh[:32]))[0])
    for i in range(1, 20):
        model.train_on_batch(x[32 * i:32 * (i + 1)], yoh[32 * i:32 * (i + 1)])
    last = float(np.ravel(model.test_on_batch(x[:32 * 20], yoh[:32 * 20]))[0])
    assert last < first, "LeNet did not learn: timing would be meaningless"
    xb, yb = x[-32:], yoh[-32:]
    benchmark(model.train_on_batch, xb, yb)


def test_lenet_step_torch(benchmark, data):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(1800, 500), nn.ReLU(), nn.Linear(500, 10))
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    x, y = data
    X = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    Y = torch.from_numpy(y)

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    first = step(X[:32], Y[:32])
    for i in range(1, 20):
        step(X[32 * i:32 * (i + 1)], Y[32 * i:32 * (i + 1)])
    with torch.no_grad():
        last = nn.functional.cross_entropy(model(X[:32 * 20]), Y[:32 * 20]).item()
    assert last < first
    benchmark(step, X[-32:], Y[-32:])
