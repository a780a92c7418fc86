"""A/B of ``tensorforge bench distributed``'s train jobs between builds, rounds interleaved
(issue 13, dist7; see bench/RESULTS.md):

    python3 bench/dist_train_ab.py main=/work/main/python,branch=python ROUNDS [MODEL]

Per round and side: ``python -m tensorforge.bench.distributed train MODEL`` (1 process), then
the same under ``mpiexec -n 2 ... --distributed``; prints the wall-clock ratio (2 ranks' images/s
over 1 process's), the projected ratio 2 x (1-process CPU ms/image) / (both ranks' CPU ms/image)
and the CPU figures, then the medians. ``CEILING=1`` also runs, per round, two plain processes
at half the batch started together (``train MODEL --half``, no MPI: the 2 ranks' bound with a
free exchange, dist8) and prints its wall ratio and the ranks' share of it. ``NICE=1`` runs the jobs under ``nice -n -10``. (Do not
put mpiexec under ``chrt -f``: a rank's MPI thread left spinning at SCHED_FIFO hung it once.)
"""
import json
import os
import shutil
import statistics as st
import subprocess
import sys
import tempfile


def launch(path, n, model, copies=1):
    cmd = [sys.executable, "-m", "tensorforge.bench.distributed", "train", model]
    if n:
        cmd = ["mpiexec", "-n", str(n)] + cmd + ["--distributed"]
    folder = None
    if copies > 1:  # the plain pair starts each round together (bench/distributed.py)
        folder = tempfile.mkdtemp(prefix="tf_bench_pair_")
        cmd = cmd + ["--half", folder]
    if os.environ.get("NICE"):
        cmd = ["nice", "-n", "-10"] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.path.abspath(path))
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
          for _ in range(copies)]
    res = []
    for p in ps:
        out, err = p.communicate(timeout=300)
        lines = [x for x in out.splitlines() if x.startswith("{")]
        if p.returncode != 0 or not lines:
            raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {err[-2000:]}")
        res.append(json.loads(lines[-1]))
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
    if copies == 1:
        return res[0]
    return {"images_per_s": sum(r["images_per_s"] for r in res),
            "cpu_s_per_image": sum(r["cpu_s_per_image"] for r in res) / copies,
            "falls": all(r["loss_last"] < r["loss_first"] for r in res)}


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
            extra = ""
            if os.environ.get("CEILING"):
                pair = launch(path, 0, model, copies=2)
                if not pair["falls"]:
                    raise SystemExit(f"{name}: the loss of a plain half-batch process did not fall")
                ceil = pair["images_per_s"] / one["images_per_s"]
                extra = (f" ceiling (2 plain x half) x {ceil:.2f}, ranks / ceiling {wall / ceil:.3f}, "
                         f"CPU ms/image {pair['cpu_s_per_image'] * 1e3:.4f}")
                res.setdefault(name + " ceiling", []).append((ceil, wall / ceil))
            res.setdefault(name, []).append((wall, proj, c1, c2))
            print(f"round {r} {name}: load {os.getloadavg()[0]:.1f} wall x {wall:.2f} projected x "
                  f"{proj:.3f} CPU ms/image 1 process {c1:.4f} 2 ranks together {c2:.4f}{extra}",
                  flush=True)
    for name, v in res.items():
        if name.endswith(" ceiling"):
            print(name, "median: x %.2f ranks / ceiling %.3f" % tuple(st.median(c) for c in zip(*v)))
            continue
        print(name, "median: wall x %.2f projected x %.3f 1 process %.4f 2 ranks %.4f"
              % tuple(st.median(c) for c in zip(*v)))


if __name__ == "__main__":
    main(sys.argv[1:])
