"""One Model.fit step of the zoo MLP (Dense 256 relu, Dropout, Dense 256 relu, Dropout, Dense 10
softmax; Adam; categorical cross-entropy; batch 128) on the bundled MNIST digits, in ms: the
figure a change to the loss path (losses.py, ops/losses_ops.py) must not move.

    OMP_NUM_THREADS=1 PYTHONPATH=python /work/notes/quiet.sh python3 bench/fit_step_mlp.py [LOSS]

LOSS (optional, a Keras loss name, e.g. mse or binary_crossentropy) recompiles the model with it
and Adam: the categorical cross-entropy of a softmax output may take the native compiled step
(engine/compiled_step.py), the others the general step through losses.batch_mean.
To compare two trees, run it with PYTHONPATH pointing at each, alternating (A, B, A, B). Each
run: a warm-up fit, then ROUNDS fits of STEPS steps; prints the median and the best ms per step
(wall time) and the best thread CPU ms per step. The result check: the training loss after the
timed fits is below the first fit's (the model learns).
"""
import os
import statistics
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge.datasets import mnist
from tensorforge.utils import to_categorical
from tensorforge.zoo import BATCH_SIZE, build_model

STEPS, ROUNDS = 40, 7


def main():
    (x, y), _ = mnist.load_data()
    b = BATCH_SIZE["mlp"]
    n = STEPS * b
    x = (x[:n].reshape(n, -1) / 255.0).astype(np.float32)
    y = to_categorical(y[:n], 10)
    tf.utils.set_random_seed(0)
    model = build_model("mlp")
    loss = sys.argv[1] if len(sys.argv) > 1 else "categorical_crossentropy"
    if len(sys.argv) > 1:
        model.compile(optimizer=tf.keras.optimizers.Adam(), loss=loss)
    first = model.fit(x, y, batch_size=b, epochs=1, verbose=0, shuffle=False).history["loss"][0]
    wall, cpu = [], []
    for _ in range(ROUNDS):
        t0, c0 = time.perf_counter(), time.thread_time()
        last = model.fit(x, y, batch_size=b, epochs=1, verbose=0, shuffle=False).history["loss"][0]
        wall.append((time.perf_counter() - t0) / STEPS * 1e3)
        cpu.append((time.thread_time() - c0) / STEPS * 1e3)
    assert last < first, (first, last)
    print(f"mlp fit step ({loss}), batch {b}, {STEPS} steps x {ROUNDS} rounds, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}: median {statistics.median(wall):.3f} ms, best "
          f"{min(wall):.3f} ms, best thread CPU {min(cpu):.3f} ms (loss {first:.4f} -> {last:.4f})")


if __name__ == "__main__":
    main()
