"""A/B of ``tensorforge bench distributed``'s train jobs between builds, rounds interleaved
(issue 13, dist7; see bench/RESULTS.md):

    python3 bench/dist_train_ab.py main=/work/main/python,branch=python ROUNDS [MODEL]

Per round and side: ``python -m tensorforge.bench.distributed train MODEL`` (1 process), then
the same under ``mpiexec -n 2 ... --distributed``; prints the wall-clock ratio (2 ranks' images/s
over 1 process's), the projected ratio 2 x (1-process CPU ms/image) / (both ranks' CPU ms/image)
and the CPU figures, then the medians. ``NICE=1`` runs the jobs under ``nice -n -10``. (Do not
put mpiexec under ``chrt -f``: a rank's MPI thread left spinning at SCHED_FIFO hung it once.)
"""
import json
import os
import statistics as st
import subprocess
import sys


def launch(path, n, model):
    cmd = [sys.executable, "-m", "tensorforge.bench.distributed", "train", model]
    if n:
        cmd = ["mpiexec", "-n", str(n)] + cmd + ["--distributed"]
    if os.environ.get("NICE"):
        cmd = ["nice", "-n", "-10"] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.path.abspath(path))
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    lines = [x for x in p.stdout.splitlines() if x.startswith("{")]
    if p.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    return json.loads(lines[-1])


def main(argv):
    sides = dict(a.split("=", 1) for a in argv[0].split(","))
    rounds, model = int(argv[1]), argv[2] if len(argv) > 2 else "lenet"
    res = {}
    for r in range(rounds):
        for name, path in sides.items():
            one, two = launch(path, 0, model), launch(path, 2, model)
            if not (two["same_weights"] and two["loss_last"] < two["loss_first"]):
                raise SystemExit(f"{name}: the ranks disagree or the loss did not fall: {two}")
            wall = two["images_per_s"] / one["images_per_s"]
            proj = 2 * one["cpu_s_per_image"] / two["cpu_s_per_image"]
            c1, c2 = one["cpu_s_per_image"] * 1e3, two["cpu_s_per_image"] * 1e3
            res.setdefault(name, []).append((wall, proj, c1, c2))
            print(f"round {r} {name}: load {os.getloadavg()[0]:.1f} wall x {wall:.2f} projected x "
                  f"{proj:.3f} CPU ms/image 1 process {c1:.4f} 2 ranks together {c2:.4f}",
                  flush=True)
    for name, v in res.items():
        print(name, "median: wall x %.2f projected x %.3f 1 process %.4f 2 ranks %.4f"
              % tuple(st.median(c) for c in zip(*v)))


if __name__ == "__main__":
    main(sys.argv[1:])
