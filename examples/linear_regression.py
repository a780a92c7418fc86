"""Linear regression with one Dense unit, mean squared error and plain SGD.

The data are y = 3.0*x1 - 2.0*x2 + 0.5*x3 + 1.0 + noise; the learned kernel and bias should come
back close to those coefficients.

    python examples/linear_regression.py
    TENSORFORGE_EXAMPLE_LIMIT=256 python examples/linear_regression.py   # fewer samples (tests)
"""
import os

import numpy as np

from tensorforge.layers import Dense
from tensorforge.models import Sequential
from tensorforge.optimizers import SGD
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))
n = LIMIT or 2000
true_w = np.array([3.0, -2.0, 0.5], dtype="float32")
true_b = 1.0

set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.standard_normal((n, 3)).astype("float32")
y = (x @ true_w + true_b + 0.05 * rng.standard_normal(n)).astype("float32").reshape(-1, 1)

model = Sequential([Dense(1, input_dim=3)])
model.compile(optimizer=SGD(learning_rate=0.05), loss="mse")
model.fit(x, y, batch_size=16, epochs=30, verbose=0)

kernel, bias = model.get_weights()
print("learned weights:", " ".join(f"{v:.4f}" for v in kernel.ravel()))
print("learned bias:", f"{float(bias[0]):.4f}")
print("true weights:", " ".join(f"{v:.4f}" for v in true_w), "true bias:", f"{true_b:.4f}")
print("final mse:", f"{float(model.evaluate(x, y, verbose=0)):.6f}")
