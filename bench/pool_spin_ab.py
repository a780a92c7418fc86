"""A/B of the pool helpers' spin (TENSORFORGE_SPIN_US, csrc/runtime/parallel.cpp) on one build.

Each configuration is a helper spin in microseconds (--spins, default 50 = the pool's default,
and 1000); every round runs each configuration in a fresh process, alternating, and each
process times tf.ops.matmul at n = 512 and 1024, 2 threads: `warm` = back-to-back calls, `slept` =
the first calls after a 0.2 s sleep (what bench gemm's settled rounds see). Reported: median wall
and process-CPU milliseconds per call over all rounds (CPU / wall near 2: both threads worked,
near 1: one did).

    PYTHONPATH=python python3 bench/pool_spin_ab.py [--rounds 5] [--spins 50 1000]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, time, numpy as np, tensorforge as tf
tf.set_backend("cpu"); tf.set_num_threads(2)
out = {}
for n in (512, 1024):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    for _ in range(3): tf.ops.matmul(a, b)
    for mode, sleep, calls in (("warm", 0.0, 20), ("slept", 0.2, 7)):
        walls, cpus = [], []
        for rep in range(3 if mode == "slept" else 1):
            if sleep: time.sleep(sleep)
            for _ in range(calls):
                c0 = time.process_time(); t0 = time.perf_counter()
                tf.ops.matmul(a, b)
                walls.append(time.perf_counter() - t0); cpus.append(time.process_time() - c0)
        out[f"{n} {mode}"] = (walls, cpus)
print(json.dumps(out))
"""

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--spins", type=int, nargs="+", default=[50, 1000])
    args = p.parse_args()
    configs = [f"spin {s} us" for s in args.spins]
    res = {name: {} for name in configs}
    for _ in range(args.rounds):
        for name, spin in zip(configs, args.spins):
            env = dict(os.environ, TENSORFORGE_SPIN_US=str(spin))
            r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                               check=True)
            out = json.loads(r.stdout)
            for key, (walls, cpus) in out.items():
                w, c = res[name].setdefault(key, ([], []))
                w.extend(walls)
                c.extend(cpus)
    keys = list(next(iter(res.values())))
    print("| case | " + " | ".join(f"{n}: wall ms, CPU ms" for n in configs) + " |")
    print("|---|" + "---|" * len(configs))
    for key in keys:
        cells = []
        for name in configs:
            w, c = res[name][key]
            cells.append(f"{1e3 * statistics.median(w):.2f}, {1e3 * statistics.median(c):.2f}")
        print(f"| matmul {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
