"""A/B of the distributed step profile (``tensorforge bench distributed --profile``'s job)
between two builds, rounds interleaved, CPU time per phase (issue 13; see bench/RESULTS.md).

    python3 bench/dist_profile_ab.py --a /work/main/python --b python [--rounds 3]
        [--jobs 1p_b32,1p_b16,2r,2r_sharded] [--json OUT]

Each side runs THIS checkout's profile job (python/tensorforge/bench/distributed_profile.py)
against its own tensorforge package (the side's PYTHONPATH), so a side without the profile
module can be measured too. Jobs: 1p_b32 / 1p_b16 one process (batch 32 / 16), 2r two ranks
of 16 (fit(distributed=True), the shared-memory window), 2r_sharded the same with
DistributedOptimizer(sharded=True), 2r_whole with DistributedOptimizer(sharded=False) (every
rank's whole update: fit's default before dist5), 2p_b16 two independent one-process batch-16
jobs started together (no MPI, private memory: what two busy cores sharing the L3 and memory
cost the kernels, against 1p_b16 alone and the ranks of 2r, which also share the window; dist8).
Prints per job the median over rounds and
ranks of each phase's CPU ms per step, the projected speed-up 2 x T(1 process, b32) / (both
ranks' step CPU) per round, and the kernels' CPU ms per step.
"""
import argparse
import json
import os
import shutil
import statistics as st
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILE = os.path.join(HERE, "..", "python", "tensorforge", "bench", "distributed_profile.py")
JOBS = {"1p_b32": (0, ["32"]), "1p_b16": (0, ["16"]),
        "2r": (2, ["16", "--distributed"]), "2r_sharded": (2, ["16", "--distributed", "--sharded"]),
        "2r_whole": (2, ["16", "--distributed", "--unsharded"]),
        "2p_b16": (-2, ["16"])}
PHASES = ("forward", "backward", "reduce", "wait", "update", "logs", "other", "step")
OPS = ("conv2d_backward", "conv2d_forward", "dense_backward", "gemm", "rmsprop_update",
       "max_pool2d_backward", "max_pool2d_forward")
LAUNCH = ("import importlib.util, sys\n"
          "import tensorforge.bench.distributed\n"
          "s = importlib.util.spec_from_file_location('tensorforge.bench.distributed_profile', "
          "sys.argv[1])\n"
          "m = importlib.util.module_from_spec(s); sys.modules[s.name] = m; s.loader.exec_module(m)\n"
          "m.main(sys.argv[2:])\n")


def run_job(path, job):
    n, args = JOBS[job]
    cmd = [sys.executable, "-c", LAUNCH, os.path.abspath(PROFILE), "profile", "lenet"] + args
    if n > 0:
        cmd = ["mpiexec", "-n", str(n)] + cmd
    env = dict(os.environ, PYTHONPATH=os.path.abspath(path), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    # n < 0: -n independent processes at once (2p_b16), their records side by side as "ranks";
    # they meet before the timed steps through files (the profile job's pair barrier)
    folder = tempfile.mkdtemp(prefix="tf_profile_pair_") if n < 0 else None
    if folder:
        env["TENSORFORGE_BENCH_PAIR_DIR"] = folder
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in range(max(1, -n))]
    ranks = []
    try:
        for p in procs:
            out, err = p.communicate()
            lines = [l for l in out.splitlines() if l.startswith("{")]
            if p.returncode != 0 or not lines:
                raise RuntimeError(f"{job} on {path} failed ({p.returncode}): {err[-1500:]}")
            ranks += json.loads(lines[-1])["ranks"]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return ranks


def summary(recs):
    out, by = [], {}
    for r in recs:
        by.setdefault((r["job"], r["side"]), []).append(r)
    out.append("| job | side | runs | " + " | ".join(PHASES) + " | busy (step - wait - logs) |")
    out.append("|---|---|---|" + "---|" * (len(PHASES) + 1))
    for (job, side), rs in sorted(by.items()):
        xs = [x["cpu_ms"] for r in rs for x in r["ranks"]]
        out.append(f"| {job} | {side} | {len(rs)} | "
                   + " | ".join(f"{st.median(x[k] for x in xs):.2f}" for k in PHASES)
                   + f" | {st.median(x['step'] - x['wait'] - x['logs'] for x in xs):.2f} |")
    out.append("")
    for side in sorted({r["side"] for r in recs}):
        for job in ("2r", "2r_sharded", "2r_whole"):
            got = []
            for rnd in sorted({r["round"] for r in recs}):
                one = [r for r in recs if (r["side"], r["job"], r["round"]) == (side, "1p_b32", rnd)]
                two = [r for r in recs if (r["side"], r["job"], r["round"]) == (side, job, rnd)]
                if one and two:
                    t1 = one[0]["ranks"][0]["cpu_ms"]["step"]
                    got.append(f"{2 * t1 / sum(x['cpu_ms']['step'] for x in two[0]['ranks']):.3f}")
            if got:
                out.append(f"{side} {job}: projected x per round {', '.join(got)}")
    out.append("")
    out.append("| job | side | " + " | ".join(OPS) + " |")
    out.append("|---|---|" + "---|" * len(OPS))
    for (job, side), rs in sorted(by.items()):
        ks = [x["kernels_cpu_ms"] for r in rs for x in r["ranks"]]
        out.append(f"| {job} | {side} | "
                   + " | ".join(f"{st.median(k.get(o, 0.0) for k in ks):.2f}" for o in OPS) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="side A's python/ directory (e.g. main's)")
    ap.add_argument("--b", required=True, help="side B's python/ directory")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--json", default=None, help="also write every record here")
    a = ap.parse_args()
    recs = []
    for rnd in range(a.rounds):
        for side, path in (("A", a.a), ("B", a.b)):
            for job in a.jobs.split(","):
                load = os.getloadavg()[0]
                recs.append({"round": rnd, "side": side, "job": job, "load": load,
                             "ranks": run_job(path, job)})
                print(f"round {rnd} side {side} {job}: load {load:.1f}, step CPU ms "
                      + " / ".join(f"{x['cpu_ms']['step']:.2f}" for x in recs[-1]["ranks"]),
                      flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(recs, f)
    print(summary(recs))


if __name__ == "__main__":
    main()
