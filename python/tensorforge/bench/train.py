"""LeNet training images/s: tensorforge vs PyTorch CPU, same model, batch, optimizer and threads.

The model is the zoo's LeNet (tensorforge.cli.build_model('lenet'), the Keras-2 program of the
library issue): Conv2D 20 5x5 relu -> MaxPool 2/2 'same' -> Conv2D 50 5x5 'same' relu ->
MaxPool 2/2 'same' -> Flatten -> Dense 500 relu -> Dense 10 softmax, RMSprop (Keras defaults:
lr 1e-3, rho 0.9, eps 1e-7), batch 32, categorical cross-entropy. PyTorch gets the same network in
NCHW with the same RMSprop constants and CrossEntropyLoss (its fused log-softmax + NLL).

Both sides train on the bundled MNIST digits (real data): WARMUP steps first, then a fixed number
of timed steps (one pass of `fit` over steps*batch images for us, the usual zero_grad / forward /
backward / step loop for PyTorch). Before the timing is trusted, each side's test accuracy on the
2,000 held-out digits after training is checked to be far above chance (the benchmark's result
check); it is printed next to the throughput.
"""
import time

import numpy as np

from ._util import table, try_torch

BATCH = 32
WARMUP = 10


def _data():
    from tensorforge.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = (x_train.astype(np.float32) / 255.0).reshape(-1, 28, 28, 1)
    x_test = (x_test.astype(np.float32) / 255.0).reshape(-1, 28, 28, 1)
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


def _ours(x, y, xt, yt, steps):
    import tensorforge as tf
    from tensorforge.cli import build_model
    from tensorforge.utils import to_categorical
    tf.utils.set_random_seed(0)
    model = build_model("lenet")
    yoh = to_categorical(y, 10)
    n_warm = WARMUP * BATCH
    model.fit(x[:n_warm], yoh[:n_warm], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    xs, ys = _take(x, yoh, n_warm, steps * BATCH)
    t0 = time.perf_counter()
    model.fit(xs, ys, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    dt = time.perf_counter() - t0
    acc = float((np.asarray(model.predict(xt, batch_size=256, verbose=0)).argmax(-1) == yt).mean())
    return steps * BATCH / dt, acc


def _take(x, y, start, n):
    """n samples from start on, wrapping around (a fixed, reproducible stream)."""
    idx = (start + np.arange(n)) % len(x)
    return x[idx], y[idx]


def _torch(torch, x, y, xt, yt, steps):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),       # 28 -> 24 -> 12 ('same' = no pad here)
        nn.Conv2d(20, 50, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),  # 12 -> 12 -> 6
        nn.Flatten(), nn.Linear(50 * 6 * 6, 500), nn.ReLU(), nn.Linear(500, 10))
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    Y = torch.from_numpy(y)

    def step(i):
        idx = (i * BATCH + torch.arange(BATCH)) % len(X)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[idx]), Y[idx])
        loss.backward()
        opt.step()

    for i in range(WARMUP):
        step(i)
    t0 = time.perf_counter()
    for i in range(WARMUP, WARMUP + steps):
        step(i)
    dt = time.perf_counter() - t0
    with torch.no_grad():
        pred = model(torch.from_numpy(np.ascontiguousarray(xt.transpose(0, 3, 1, 2)))).argmax(-1).numpy()
    return steps * BATCH / dt, float((pred == yt).mean())


def run(args):
    import tensorforge as tf
    torch = try_torch() if "torch" in args.against else None
    steps = 60 if args.quick else 250
    x, y, xt, yt = _data()
    rows = []
    ips, acc = _ours(x, y, xt, yt, steps)
    if acc < 0.5:
        raise AssertionError(f"bench train: tensorforge LeNet reached only {acc:.1%} test accuracy "
                             f"after {steps} steps: training is broken, timing not reported")
    rows.append([f"tensorforge ({tf.get_backend()})", BATCH, steps, ips, f"{acc:.1%}", "-"])
    if torch is not None:
        ips_pt, acc_pt = _torch(torch, x, y, xt, yt, steps)
        if acc_pt < 0.5:
            raise AssertionError(f"bench train: PyTorch LeNet reached only {acc_pt:.1%}")
        rows.append(["pytorch (cpu)", BATCH, steps, ips_pt, f"{acc_pt:.1%}", "-"])
        rows[0][-1] = ips / ips_pt
    cols = ["LeNet training", "batch", "timed steps", "images/s", "test acc after", "ours / torch"]
    return table(cols, rows)
