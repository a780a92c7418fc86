"""A/B of the pool helpers' spin (Note [adaptive spin] in csrc/runtime/parallel.cpp) on one build.

Each configuration is an environment (TENSORFORGE_SPIN_US=50: the fixed 50 us spin of session 12;
unset: adaptive); every round runs each configuration in a fresh process, alternating, and each
process times tf.ops.matmul at n = 512 and 1024, 2 threads: `warm` = back-to-back calls, `slept` =
the first calls after a 0.2 s sleep (what bench gemm's settled rounds see). Reported: median wall
and process-CPU milliseconds per call over all rounds (CPU / wall near 2: both threads worked,
near 1: one did), and pool_spins() of the adaptive runs.

    PYTHONPATH=python python3 bench/pool_spin_ab.py [--rounds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, time, numpy as np, tensorforge as tf
from tensorforge import _C
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
out["spins"] = _C.pool_spins() if hasattr(_C, "pool_spins") else {}
print(json.dumps(out))
"""

CONFIGS = {"spin 50 us (fixed)": {"TENSORFORGE_SPIN_US": "50"}, "adaptive": {}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    res = {name: {} for name in CONFIGS}
    spins = []
    for _ in range(args.rounds):
        for name, extra in CONFIGS.items():
            env = dict(os.environ, **extra)
            if not extra:
                env.pop("TENSORFORGE_SPIN_US", None)
            r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                               check=True)
            out = json.loads(r.stdout)
            if name == "adaptive":
                spins.append(out.pop("spins"))
            else:
                out.pop("spins")
            for key, (walls, cpus) in out.items():
                w, c = res[name].setdefault(key, ([], []))
                w.extend(walls)
                c.extend(cpus)
    keys = list(next(iter(res.values())))
    print("| case | " + " | ".join(f"{n}: wall ms, CPU ms" for n in CONFIGS) + " |")
    print("|---|" + "---|" * len(CONFIGS))
    for key in keys:
        cells = []
        for name in CONFIGS:
            w, c = res[name][key]
            cells.append(f"{1e3 * statistics.median(w):.2f}, {1e3 * statistics.median(c):.2f}")
        print(f"| matmul {key} | " + " | ".join(cells) + " |")
    print("adaptive pool_spins per process:", spins)


if __name__ == "__main__":
    main()
