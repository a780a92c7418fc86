"""Training beside a busy process: LeNet images/s at 1 and 2 threads with a competitor on one core.

Users share machines (a data loader, a notebook, a second training run, CI). The competitor here
is a separate process running a 1-thread NumPy matmul loop, pinned to the last CPU; our threads
are not pinned. For each thread count the zoo LeNet (bench/train.py's model, batch 32, RMSprop)
trains chunks of steps, alternating thread counts (1, 2, 1, 2, ...) so that drifting machine
load hits both alike; each figure is the median over its chunks. Two small ops from the issue
are timed the same way (a 128x256 dropout and a 128x784x256 GEMM, median microseconds), since a
collapse shows there first. PyTorch (when installed) gets the same LeNet loop under the same
competitor. The rows without the competitor ("alone") show what the scheduling costs on an
idle machine.

The target (issue 15): under the competitor, 2 threads >= 0.9x of 1 thread's images/s.
The last line counts the loops after which the pool ran on the calling thread alone for a while
because a helper straggled (Note [straggler backoff] in csrc/runtime/parallel.cpp).
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from ._util import table, try_torch
from .train import BATCH, WARMUP, _data, _Ours, _Torch

_COMPETITOR = (
    "import numpy as np\n"
    "a = np.random.rand(256, 256).astype(np.float32)\n"
    "while True:\n"
    "    a = (a @ a) * np.float32(1e-3)\n"
)


def add_arguments(p):
    p.add_argument("--no-alone", action="store_true", help="skip the rows without the competitor")


class Competitor:
    """A busy 1-thread NumPy process pinned to the last CPU (a context manager)."""

    def __init__(self):
        self.proc = None

    def __enter__(self):
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.proc = subprocess.Popen([sys.executable, "-c", _COMPETITOR], env=env)
        if cpus and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(self.proc.pid, {cpus[-1]})
        time.sleep(0.3)  # let it start spinning
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def _op_us(fn, min_time=0.4, min_runs=20):
    times = []
    start = time.perf_counter()
    fn()
    while len(times) < min_runs or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def _small_ops():
    """The issue's two small ops as closures on our kernels."""
    from tensorforge import ops
    from tensorforge.ops.losses_ops import dropout
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 256)).astype(np.float32)
    a = rng.standard_normal((128, 784)).astype(np.float32)
    b = rng.standard_normal((784, 256)).astype(np.float32)
    return {
        "dropout 128x256 (us)": lambda: dropout(x, 0.5, training=True, seed=1),
        "matmul 128x784x256 (us)": lambda: ops.matmul(a, b),
    }


def _measure(sides, threads, rounds, per_round, torch):
    """{(side, threads): median images/s} with chunks alternating over threads and sides."""
    import tensorforge as tf
    rates = {(name, t): [] for name, _ in sides for t in threads}
    step = WARMUP
    for _ in range(rounds):
        for t in threads:
            for name, side in sides:
                tf.set_num_threads(t)
                if torch is not None:
                    torch.set_num_threads(t)
                t0 = time.perf_counter()
                side.chunk(step, per_round)
                rates[(name, t)].append(per_round * BATCH / (time.perf_counter() - t0))
            step += per_round
    return {k: statistics.median(v) for k, v in rates.items()}


def _measure_ops(ops_, threads, rounds):
    import tensorforge as tf
    res = {(name, t): [] for name in ops_ for t in threads}
    for _ in range(rounds):
        for t in threads:
            tf.set_num_threads(t)
            for name, fn in ops_.items():
                res[(name, t)].append(_op_us(fn))
    return {k: min(v) for k, v in res.items()}


def run(args):
    import tensorforge as tf
    torch = try_torch() if "torch" in args.against else None
    rounds, per_round = (3, 10) if args.quick else (5, 25)
    threads = (1, 2)
    x, y, xt, yt = _data()
    sides = [("tensorforge (%s)" % tf.get_backend(), _Ours(x, y))]
    if torch is not None:
        sides.append(("pytorch (cpu)", _Torch(torch, x, y)))
    for _, side in sides:
        side.chunk(0, WARMUP)
    small = _small_ops()
    settings = [("alone", False)] if not getattr(args, "no_alone", False) else []
    settings.append(("1 busy process on cpu %d" % max(os.sched_getaffinity(0)), True))
    rows, backoffs = [], []
    C = tf._native._C
    for label, busy in settings:
        b0 = C.pool_backoffs() if hasattr(C, "pool_backoffs") else 0
        if busy:
            with Competitor():
                r = _measure(sides, threads, rounds, per_round, torch)
                o = _measure_ops(small, threads, 3)
        else:
            r = _measure(sides, threads, rounds, per_round, torch)
            o = _measure_ops(small, threads, 3)
        if hasattr(C, "pool_backoffs"):
            backoffs.append(f"{label}: {C.pool_backoffs() - b0}")
        for name, _ in sides:
            rows.append([f"LeNet training images/s, {name}", label, r[(name, 1)], r[(name, 2)],
                         r[(name, 2)] / r[(name, 1)]])
        for name in small:
            # for a time, 2-thread speed relative to 1 thread is t1 / t2
            rows.append([name, label, o[(name, 1)], o[(name, 2)], o[(name, 1)] / o[(name, 2)]])
        if torch is not None and busy:
            rows.append(["ours / pytorch at 2 threads (images/s)", label,
                         r[(sides[0][0], 1)] / r[(sides[1][0], 1)],
                         r[(sides[0][0], 2)] / r[(sides[1][0], 2)], "-"])
    tf.set_num_threads(args.threads)
    for name, side in sides:
        acc = side.accuracy(xt, yt)
        if acc < 0.5:  # the result check: a side that does not learn is not timed
            raise AssertionError(f"bench contention: {name} LeNet reached only {acc:.1%} test accuracy")
    cols = ["what", "machine", "1 thread", "2 threads", "2t speed / 1t (>= 0.9 busy)"]
    out = table(cols, rows)
    if backoffs:  # Note [straggler backoff] in csrc/runtime/parallel.cpp
        out += "\n\nloops after which the pool ran alone for a while (straggling helper): " + ", ".join(backoffs)
    return out
