"""A/B of a GradientTape custom-loop step between two checkouts (the cost of Note [what a tape
watches] in python/tensorforge/gradient_tape.py): a 3-layer MLP (32 -> 64 -> 64 -> 10, batch
32, Adam), 1,000 steps after 50 warm-up, process CPU time per step, the two checkouts
alternating in fresh processes, 1 thread.

    python3 bench/tape_watch_ab.py /work/base /work/wt-corpus13 [--rounds 5]
"""
import argparse
import os
import subprocess
import sys

STEP = r'''
import sys, time, numpy as np
sys.path.insert(0, sys.argv[1] + "/python")
import tensorforge as tf
from tensorforge import keras
L = keras.layers
m = keras.Sequential([L.Dense(64, activation="relu", input_shape=(32,)),
                      L.Dense(64, activation="relu"), L.Dense(10)])
opt = keras.optimizers.Adam()
lf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
rng = np.random.default_rng(0)
x = rng.normal(size=(32, 32)).astype("float32"); y = rng.integers(0, 10, 32)
def step():
    with tf.GradientTape() as tape:
        loss = lf(y, m(x, training=True))
    g = tape.gradient(loss, m.trainable_weights)
    opt.apply_gradients(zip(g, m.trainable_weights))
for _ in range(50):
    step()
t0 = time.process_time()
for _ in range(1000):
    step()
print(f"{(time.process_time() - t0) * 1e3:.1f}")
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", TENSORFORGE_NUM_THREADS="1")
    env.pop("PYTHONPATH", None)
    res = {args.a: [], args.b: []}
    print(f"| round | {args.a} (us/step) | {args.b} (us/step) |\n|---|---|---|")
    for r in range(args.rounds):
        row = []
        for repo in (args.a, args.b):
            out = subprocess.run([sys.executable, "-c", STEP, repo], env=env, check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1]
            res[repo].append(float(out))
            row.append(out)
        print(f"| {r + 1} | {row[0]} | {row[1]} |")
    med = {k: sorted(v)[len(v) // 2] for k, v in res.items()}
    print(f"medians: {med[args.a]:.1f} vs {med[args.b]:.1f} us/step "
          f"({(med[args.b] / med[args.a] - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
