"""Data-parallel scaling: ``tensorforge bench distributed`` (needs tensorforge[mpi]).

1. Training images/s of the zoo's LeNet (batch 32) and CNN (batch 128) on the bundled MNIST
   digits, and the CPU seconds per image of all ranks together: one plain process with 1
   kernel thread (no MPI), then ``mpiexec -n 2`` and ``-n 4`` ranks x 1 thread each with
   ``fit(distributed=True)`` (the same global batch, split over the ranks). Each job trains
   WARMUP steps, then ROUNDS chunks of STEPS global batches; its figure is the median chunk.
   On a shared machine the load moves between jobs, so 1 process and 2 ranks run back to back,
   ``--repeat`` rounds (4 ranks in the first only): the table gives the median images/s, the
   median of each round's ratio, every round's ratio, and the load average seen.
   Check first: after the job every rank holds the same weights (an allgather of a checksum)
   and the loss went down, else no figure is reported.
   ``--per-rank-batch`` adds 2 ranks that each train the model's batch (the global batch
   doubles): weak scaling, the figure Horovod reports. ``--ceiling`` adds two independent plain
   processes started together, each training half the model's batch (no MPI, no exchange,
   private memory; images/s summed): what 2 ranks would give if the distributed step cost
   nothing, i.e. the bound that two busy cores sharing the L3 and memory set (dist8). Splitting the global batch (strong
   scaling) is bounded by what a step costs whatever its batch -- LeNet's 3.6 MB of Dense
   weights read, packed and updated every step: at 1 thread, 32 images take ~29 ms and 16
   images ~17.5 ms (``bench train --profile``), so 2 ranks of 16 cannot exceed ~1.7x even with
   a free reduction.
2. The fused gradient allreduce of the CNN and LeNet (GradientBuckets) as a training step runs
   it -- begin, the grad-ready hook once per gradient in backward order, each gradient
   freshly written into its bucket view just before (as the gemm / conv2d kernels do in
   backward; the write is not timed), finish; and the same with each gradient written to a
   fresh array the hook copies into the view (ops without gradient outputs) --
   and after the fact (``allreduce()``: copy-and-scale,
   reduce), against one ``mpi4py`` ``Allreduce`` of a buffer of the same total size, and one
   Allreduce per parameter (no fusion), 2 ranks, interleaved, median of ITERS each. Check
   first: both fused results equal the average / sum the test can compute itself.

3. ``--profile``: instead of 1 and 2, where a LeNet step's time goes on each rank (forward,
   backward, reduce, waits, update, the logs' collective; CPU and wall; the native kernels),
   1 process at batch 32 and 16 against 2 ranks x 16 (See distributed_profile.py).

The ranks are launched as ``mpiexec -n N python -m tensorforge.bench.distributed <job>``; each
prints one JSON line on rank 0. On a machine with fewer cores than ranks (4 ranks on 2 cores)
the ranks time-share the cores; read that row as an oversubscription figure, not scaling.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

from ._util import table
from ._dist_models import build as _build, data as _data

MODELS = {"lenet": 32, "cnn": 128}
STEPS = {"lenet": 40, "cnn": 8}
WARMUP, ROUNDS, ITERS = 5, 3, 100


# ---- the jobs (one process per rank) -------------------------------------------------------------

def job_train(name, distributed, overlap=True, sharded=False, transport="auto", weak=False,
              half=None):
    import tensorforge as tf
    from tensorforge.utils import set_random_seed
    tf.set_num_threads(1)
    if distributed:
        import tensorforge.distributed as tfd
        tfd.init(threads=1, timeout=300)
    set_random_seed(0)
    batch, steps = MODELS[name], STEPS[name]
    if distributed and weak:  # the model's batch on every rank (Horovod's scaling figures)
        batch *= tfd.size()
    if half:  # one of --ceiling's two independent processes (``half``: their rendezvous folder)
        batch //= 2
    model = _build(name)
    if distributed and not overlap:  # every bucket reduced after backward (the A/B of overlap)
        model.optimizer = tfd.DistributedOptimizer(model.optimizer, overlap=False)
    if distributed and sharded:  # each rank updates 1/N of the weights (the A/B of sharding)
        model.optimizer = tfd.DistributedOptimizer(model.optimizer, sharded=True)
    if distributed and transport != "auto":  # MPI's Allreduce vs the shared window (shm.py)
        model.optimizer = tfd.DistributedOptimizer(model.optimizer, transport=transport)
    need = (WARMUP + ROUNDS * steps) * batch
    x, y = _data(need)
    kw = dict(batch_size=batch, epochs=1, verbose=0, shuffle=False, distributed=distributed)
    h0 = model.fit(x[:WARMUP * batch], y[:WARMUP * batch], **kw)
    rates, cpus, losses = [], [], []
    for r in range(ROUNDS):
        lo = (WARMUP + r * steps) * batch
        xs, ys = x[lo:lo + steps * batch], y[lo:lo + steps * batch]
        if distributed:
            tfd.barrier()
        elif half:
            from .distributed_profile import pair_barrier
            pair_barrier(half, r)
        t0, c0 = time.perf_counter(), time.process_time()
        h = model.fit(xs, ys, **kw)
        c1 = time.process_time() - c0
        if distributed:
            tfd.barrier()
            c1 = sum(tfd.allgather_object(c1))  # CPU seconds of every rank
        rates.append(steps * batch / (time.perf_counter() - t0))
        cpus.append(c1 / (steps * batch))
        losses.append(h.history["loss"][-1])
    same = True
    if distributed:
        s = float(sum(np.abs(w).sum() for w in model.get_weights()))
        same = len(set(tfd.allgather_object(s))) == 1
        if tfd.rank() != 0:
            return None
    return {"model": name, "ranks": tfd.size() if distributed else 1,
            "images_per_s": float(np.median(rates)), "same_weights": same,
            "cpu_s_per_image": float(np.median(cpus)),
            "loss_first": h0.history["loss"][0], "loss_last": losses[-1],
            "mpi": tfd.mpi_library_version() if distributed else "none"}


def job_allreduce(name="cnn"):
    import tensorforge.distributed as tfd
    from tensorforge.distributed import _comm
    from tensorforge.utils import set_random_seed
    tfd.init(threads=1, timeout=300)
    r, n = tfd.rank(), tfd.size()
    set_random_seed(0)
    params = _build(name)._compiled_params()
    rs = np.random.RandomState(1)
    base = [rs.standard_normal(p.data.shape).astype(np.float32) for p in params]
    fresh = [b + np.float32(r) for b in base]
    fused = tfd.GradientBuckets()
    for p, g in zip(params, fresh):
        p.grad = g
    fused.allreduce(params)  # check before timing: the average of base + rank over the ranks
    for p, b in zip(params, base):
        np.testing.assert_allclose(p.grad, b + np.float32((n - 1) / 2), rtol=1e-6, atol=1e-6)
    total = sum(b.size for b in base)
    flat = np.concatenate([g.ravel() for g in fresh])
    MPI, comm = _comm._state["MPI"], _comm._comm()

    def t_fused():
        for p, g in zip(params, fresh):  # backward hands over fresh arrays every step
            p.grad = g
        t0 = time.perf_counter()
        fused.allreduce(params)
        return time.perf_counter() - t0

    order = list(reversed(params))  # the order backward finishes them

    grads = [g.copy() for g in fresh[::-1]]

    serial = tfd.GradientBuckets(overlap=False)

    def t_hooked(fused=fused, write=True):
        """What a training step does: the hook per gradient, finish(). ``write``: the kernels
        write each gradient into its bucket view (gemm / conv2d outputs, See Note [gradient
        outputs] in autograd/backward.py), else into a fresh array the hook copies into the view."""
        t0 = time.perf_counter()
        fused.begin(params, 1.0, arm=False)
        t = time.perf_counter() - t0
        views = fused._targets if write else {}
        for p, g, src in zip(order, grads, fresh[::-1]):
            g = views.get(id(p), g)
            np.copyto(g, src)  # backward writes the gradient just before its hook (not timed)
            p.grad = g
            t0 = time.perf_counter()
            fused.grad_ready(p)
            t += time.perf_counter() - t0
        t0 = time.perf_counter()
        fused.finish()
        return t + time.perf_counter() - t0

    from tensorforge.distributed.shm import SharedMemoryBuckets
    window = SharedMemoryBuckets()  # the same hook path (begin, grad_ready, finish)

    for buckets, write in ((fused, True), (serial, True), (fused, False), (window, True)):
        t_hooked(buckets, write)                 # the same check on the hook path (the sum)
        for p, b in zip(params, base):
            np.testing.assert_allclose(p.grad, n * b + np.float32(n * (n - 1) / 2), rtol=1e-5,
                                       atol=1e-5)

    def t_one():
        t0 = time.perf_counter()
        comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        return time.perf_counter() - t0

    src, dst = flat.copy(), flat.copy()

    def t_copy_one():  # the floor of any packing: one memcpy of the total (source freshly written)
        np.copyto(src, flat)
        t0 = time.perf_counter()
        np.copyto(dst, src)
        comm.Allreduce(MPI.IN_PLACE, dst, op=MPI.SUM)
        return time.perf_counter() - t0

    per = [g.copy() for g in fresh]

    def t_per_param():
        t0 = time.perf_counter()
        for g in per:
            comm.Allreduce(MPI.IN_PLACE, g, op=MPI.SUM)
        return time.perf_counter() - t0

    times = {"hooked": [], "window": [], "serial": [], "hooked_copy": [], "fused": [], "one": [],
             "copy_one": [], "per_param": []}
    for i in range(ITERS + 5):
        for k, f in (("hooked", t_hooked), ("window", lambda: t_hooked(window)),
                     ("serial", lambda: t_hooked(serial)),
                     ("hooked_copy", lambda: t_hooked(fused, False)),
                     ("fused", t_fused), ("one", t_one), ("copy_one", t_copy_one),
                     ("per_param", t_per_param)):
            comm.Barrier()
            t = f()
            if i >= 5:
                times[k].append(t)
    if r != 0:
        return None
    res = {"ranks": n, "params": len(params), "floats": int(total), "buckets": len(fused.buckets),
           "mpi": tfd.mpi_library_version()}
    for k, v in times.items():
        res[k + "_us"] = float(np.median(v)) * 1e6
        res[k + "_min_us"] = float(np.min(v)) * 1e6
    return res


# ---- the suite (driver, no MPI in this process) --------------------------------------------------

def _launch(n, args, timeout=900):
    from tensorforge.distributed.launch import mpiexec_command
    cmd = [sys.executable, "-m", "tensorforge.bench.distributed"] + args
    if n:
        cmd = mpiexec_command(n, cmd)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return _result(cmd, p.returncode, p.stdout, p.stderr)


def _result(cmd, rc, stdout, stderr):
    lines = [l for l in stdout.splitlines() if l.startswith("{")]
    if rc != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed ({rc}): {stderr.strip()[-2000:]}")
    return json.loads(lines[-1])


def _launch_pair(args, timeout=900):
    """--ceiling: two plain processes of ``args`` started together; images/s summed, CPU per
    image their mean (each trained as many images), the loss check on both."""
    import tempfile
    folder = tempfile.mkdtemp(prefix="tf_bench_pair_")
    cmd = [sys.executable, "-m", "tensorforge.bench.distributed"] + args + ["--half", folder]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
          for _ in range(2)]
    res = []
    try:
        for p in ps:
            out, err = p.communicate(timeout=timeout)
            res.append(_result(cmd, p.returncode, out, err))
    finally:
        for p in ps:
            if p.poll() is None:
                p.kill()
        import shutil
        shutil.rmtree(folder, ignore_errors=True)
    a, b = res
    return dict(a, images_per_s=a["images_per_s"] + b["images_per_s"],
                cpu_s_per_image=(a["cpu_s_per_image"] + b["cpu_s_per_image"]) / 2,
                loss_first=max(a["loss_first"], b["loss_first"]),
                loss_last=max(a["loss_last"], b["loss_last"]) if
                a["loss_last"] < a["loss_first"] and b["loss_last"] < b["loss_first"] else
                float("inf"))


def add_arguments(parser):
    parser.add_argument("--repeat", type=int, default=3,
                        help="distributed: rounds of 1 process and 2 ranks, back to back "
                             "(medians reported; the machine's load moves between rounds)")
    parser.add_argument("--sharded", action="store_true",
                        help="distributed: also 2 ranks with DistributedOptimizer(sharded=True) "
                             "in every round (on one machine also fit's default)")
    parser.add_argument("--per-rank-batch", action="store_true",
                        help="distributed: also 2 ranks each training the model's batch (the "
                             "global batch doubles: weak scaling, as Horovod reports it) in "
                             "every round")
    parser.add_argument("--mpi-transport", action="store_true",
                        help="distributed: also 2 ranks reducing with MPI's Allreduce "
                             "(transport='mpi') in every round, the A/B of the shared window")
    parser.add_argument("--ceiling", action="store_true",
                        help="distributed: also two independent processes at half the model's "
                             "batch, started together, in every round: 2 ranks' bound with a "
                             "free exchange on this machine")


def run(args):
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "skipped: mpi4py is not installed (pip install 'tensorforge[mpi]')"
    if getattr(args, "profile", False):  # where a 2-rank step's time goes (distributed_profile)
        from .distributed_profile import run as run_profile
        return run_profile(args, _launch, table)
    out = []
    rows, mpi = [], "?"
    repeat = 1 if getattr(args, "quick", False) else max(1, int(getattr(args, "repeat", 3)))
    counts = (0, 2) if getattr(args, "quick", False) else (0, 2, 4)
    every = (0, 2)
    if getattr(args, "sharded", False):  # "2s": 2 ranks, sharded update
        counts, every = counts + ("2s",), every + ("2s",)
    if getattr(args, "mpi_transport", False):  # "2m": 2 ranks, MPI's Allreduce
        counts, every = counts + ("2m",), every + ("2m",)
    if getattr(args, "per_rank_batch", False):  # "2w": 2 ranks, the model's batch each
        counts, every = counts + ("2w",), every + ("2w",)
    if getattr(args, "ceiling", False):  # "2p": 2 plain processes, half the batch each
        counts, every = counts + ("2p",), every + ("2p",)
    runs, loads, two = {}, [], ("2s", "2m", "2w", "2p")
    for rnd in range(repeat):  # See the module docstring: 1 and 2 ranks back to back
        for name in MODELS:
            for n in counts if rnd == 0 else every:
                loads.append(os.getloadavg()[0])
                flags = ((["--distributed"] if n and n != "2p" else [])
                         + (["--sharded"] if n == "2s" else []) + (["--mpi"] if n == "2m" else [])
                         + (["--weak"] if n == "2w" else []))
                res = (_launch_pair(["train", name] + flags) if n == "2p" else
                       _launch(2 if n in two else n, ["train", name] + flags))
                ok = res["same_weights"] and res["loss_last"] < res["loss_first"]
                mpi = res["mpi"] if n and n != "2p" else mpi
                runs.setdefault((name, n), []).append(
                    (res["images_per_s"] if ok else float("nan"), res["cpu_s_per_image"], ok))
    for name in MODELS:
        base = runs[(name, 0)]
        for n in counts:
            rs = runs[(name, n)]
            # the ratio of each round's pair (measured minutes apart at most), then the median
            ratios = [r[0] / b[0] for r, b in zip(rs, base)]
            cpu = float(np.median([r[1] for r in rs]))
            cpu_base = float(np.median([b[1] for b in base]))
            label = ("1 process, no MPI" if n == 0 else "2 ranks, sharded update" if n == "2s"
                     else "2 ranks, MPI Allreduce" if n == "2m" else
                     f"2 ranks, {MODELS[name]} per rank" if n == "2w" else
                     "2 plain processes x half, no exchange (ceiling)" if n == "2p" else
                     f"{n} ranks")
            rows.append([name, MODELS[name] * (2 if n == "2w" else 1), label,
                         len(rs), float(np.median([r[0] for r in rs])), float(np.median(ratios)),
                         " ".join(f"{x:.2f}" for x in ratios), cpu * 1e3,
                         (2 if n in two else max(n, 1)) * cpu_base / cpu,
                         "yes" if all(r[2] for r in rs) else "NO (check failed)"])
    out.append(f"# {mpi}; 1 kernel thread per process; {os.cpu_count()} cpus; load average "
               f"(1 min) {min(loads):.1f}-{max(loads):.1f} during the training runs")
    out.append(table(["model", "global batch", "processes", "runs", "images/s (median)",
                      "x 1 process (median)", "x per round", "CPU ms/image (all ranks)",
                      "projected x on free cores", "ranks agree, loss falls"], rows))
    out.append("projected x = ranks x (CPU time per image of 1 process) / (CPU time per image of "
               "all ranks): the speed-up with a free core per rank, if no rank waits on a busy "
               "core (MPI spins while it waits, so waiting shows up as CPU time too).")
    names = {"hooked": "fused, training step (kernels write into the views, reduce)",
             "window": "shared-memory window, training step (shm.py: the default here)",
             "serial": "the same, overlap=False (every bucket reduced after backward)",
             "hooked_copy": "fused, training step, gradients copied into the views by the hooks",
             "fused": "fused, after backward (allreduce(): copy-and-scale, reduce)",
             "one": "one mpi4py Allreduce of the same total size",
             "copy_one": "one memcpy of the total size, then that Allreduce (packing's floor)",
             "per_param": "one Allreduce per parameter (no fusion)"}
    for name in ("cnn", "lenet"):
        ar = _launch(2, ["allreduce", name])
        out.append("")
        out.append(f"{name} gradients: {ar['params']} tensors, {ar['floats']:,} floats "
                   f"({ar['floats'] * 4 / 1024:.0f} KiB) in {ar['buckets']} bucket(s), "
                   f"{ar['ranks']} ranks")
        out.append(table(["allreduce", "median us", "x one (median)", "min us", "x one (min)"],
                         [[names[k], ar[k + "_us"], ar[k + "_us"] / ar["one_us"],
                           ar[k + "_min_us"], ar[k + "_min_us"] / ar["one_min_us"]]
                          for k in names]))
    return "\n".join(out)


def main(argv):
    if argv[0] == "train":
        res = job_train(argv[1], "--distributed" in argv, "--no-overlap" not in argv,
                        "--sharded" in argv, "mpi" if "--mpi" in argv else "auto",
                        "--weak" in argv, argv[argv.index("--half") + 1] if "--half" in argv
                        else None)
    elif argv[0] == "profile":
        from .distributed_profile import main as profile_main
        return profile_main(argv)
    elif argv[0] == "allreduce":
        res = job_allreduce(argv[1] if len(argv) > 1 else "cnn")
    else:
        raise SystemExit(f"unknown job {argv[0]!r}")
    if res is not None:
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
