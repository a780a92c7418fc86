"""LeNet written as a Sequential and as a functional Model: same images/s, same accuracy.

Both models start from identical weights (the functional one gets the Sequential one's arrays),
train on the same bundled MNIST digits with the same seed (so the same shuffles), and are timed
in alternating rounds (seq, func, seq, func, ...) so a noisy shared machine slows both alike.
Checks before it reports: the two models' predictions agree before training, and after each
round their weights are identical (the same computation, in the same order).

    PYTHONPATH=python python3 bench/functional_vs_sequential.py [--n 2000] [--rounds 3] [--threads 2]
"""
import argparse
import time

import numpy as np

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.datasets import mnist
from tensorforge.models import Model, Sequential
from tensorforge.optimizers import RMSprop
from tensorforge.utils import set_random_seed, to_categorical


def lenet_sequential():
    return Sequential([
        L.Conv2D(20, (5, 5), activation="relu", input_shape=(28, 28, 1)),
        L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"),
        L.Conv2D(50, (5, 5), padding="same", activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"),
        L.Flatten(),
        L.Dense(500, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])


def lenet_functional():
    inputs = L.Input(shape=(28, 28, 1))
    x = L.Conv2D(20, (5, 5), activation="relu")(inputs)
    x = L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same")(x)
    x = L.Conv2D(50, (5, 5), padding="same", activation="relu")(x)
    x = L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same")(x)
    x = L.Flatten()(x)
    x = L.Dense(500, activation="relu")(x)
    outputs = L.Dense(10, activation="softmax")(x)
    return Model(inputs, outputs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=None)
    a = p.parse_args()
    if a.threads:
        tf.set_num_threads(a.threads)
    (x, y), (xt, yt) = mnist.load_data()
    x = x[:a.n].reshape(-1, 28, 28, 1).astype(np.float32) / 255
    y = to_categorical(y[:a.n], 10)
    xt = xt.reshape(-1, 28, 28, 1).astype(np.float32) / 255
    yt = to_categorical(yt, 10)
    set_random_seed(0)
    seq, fun = lenet_sequential(), lenet_functional()
    fun.set_weights(seq.get_weights())
    for m in (seq, fun):
        m.compile(optimizer=RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"])
    assert np.array_equal(seq.predict(xt[:64]), fun.predict(xt[:64])), "models differ before training"
    assert fun._logits_outputs == seq._logits_outputs == frozenset([0]), "fused softmax-xent not used"
    times = {"sequential": [], "functional": []}
    cpu = {"sequential": [], "functional": []}  # process CPU seconds: less noisy when shared
    for r in range(a.rounds):
        for name, m in (("sequential", seq), ("functional", fun)):
            set_random_seed(100 + r)  # the same shuffle for both
            time.sleep(0.1)
            t0, c0 = time.perf_counter(), time.process_time()
            m.fit(x, y, batch_size=32, epochs=1, verbose=0)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
        same = all(np.array_equal(u, v) for u, v in zip(seq.get_weights(), fun.get_weights()))
        assert same, f"round {r}: the two models' weights differ after training"
    for name, m in (("sequential", seq), ("functional", fun)):
        loss, acc = m.evaluate(xt, yt, batch_size=256, verbose=0)
        ips = [a.n / t for t in times[name]]
        print(f"{name:>10}: {np.median(ips):8.0f} images/s (median of {a.rounds} rounds: "
              f"{', '.join(f'{v:.0f}' for v in ips)}), test accuracy {100 * acc:.2f}% "
              f"loss {loss:.4f} on {len(xt)} held-out digits")
    s, f = np.median([a.n / t for t in times["sequential"]]), np.median([a.n / t for t in times["functional"]])
    cs, cf = (np.median([a.n / t for t in cpu[k]]) for k in ("sequential", "functional"))
    print(f"functional / sequential images/s: {f / s:.3f} wall, {cf / cs:.3f} per CPU-second "
          f"({cs:.0f} vs {cf:.0f} images per CPU-second; threads {tf.get_num_threads()})")


if __name__ == "__main__":
    main()
