"""Timing, environment and table helpers shared by the benchmark suites."""
import datetime
import os
import platform
import statistics
import sys
import time

CHILD_FLAG = "TENSORFORGE_BENCH_CHILD"


def reexec_clean(threads, argv):
    """Re-run this process once with NumPy at its best and thread counts pinned, before NumPy
    loads in the child. Returns only in the child (or when already clean)."""
    if os.environ.get(CHILD_FLAG) == "1":
        return
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)  # the machine forces Haswell (AVX2), halving NumPy's GEMM
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env[CHILD_FLAG] = "1"
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "tensorforge.bench", *argv], env)


def set_threads(threads):
    import tensorforge as tf
    tf.set_num_threads(threads)
    torch = try_torch()
    if torch is not None:
        torch.set_num_threads(threads)


_torch = "unset"


def try_torch():
    """torch, or None when it is not installed."""
    global _torch
    if _torch == "unset":
        try:
            import torch
            _torch = torch
        except Exception:
            _torch = None
    return _torch


SETTLE_S = 0.1


def timeit(fn, warmup=2, min_time=0.3, min_runs=5, max_runs=200):
    """Median wall seconds of fn() after warm-up runs, repeating for at least min_time.

    It first sleeps SETTLE_S: the sides share a process, and a library's worker threads keep
    spinning for a while after its last call (libgomp's barrier spin in ours and PyTorch's,
    OpenBLAS's thread server in NumPy's), which on two cores steals a core from whichever side
    is timed next (square 1024 SGEMM measured 111 GFLOP/s right after the NumPy and PyTorch runs,
    ~190 alone). After the pause every side starts from idle peers."""
    time.sleep(SETTLE_S)
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < min_time and len(times) < max_runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def timeit_alternating(fns, rounds=3, warmup=2, min_time=0.3, min_runs=5, max_runs=200):
    """Median wall seconds of each of ``fns``, sampled in ``rounds`` turns taken in order
    (fn0, fn1, ..., fn0, fn1, ...), each turn after timeit's SETTLE_S pause: for ratios between
    sides. On a shared VM the speed of the same code moves for seconds at a time (LeNet conv2
    forward+backward at 2 threads: medians of 5.9 and 8.7 ms in two runs a minute apart, while
    PyTorch's stayed within 10%); sampled back to back, each side met a different stretch."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    samples = [[] for _ in fns]
    per_runs, per_time, cap = -(-min_runs // rounds), min_time / rounds, max(1, max_runs // rounds)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            time.sleep(SETTLE_S)
            start, n = time.perf_counter(), 0
            while n < per_runs or (time.perf_counter() - start < per_time and n < cap):
                t0 = time.perf_counter()
                fn()
                samples[i].append(time.perf_counter() - t0)
                n += 1
    return [statistics.median(s) for s in samples]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(suite, threads):
    import numpy as np

    import tensorforge as tf
    torch = try_torch()
    info = tf.backend_info(print_it=False)
    lines = [
        f"# tensorforge bench {suite}  ({datetime.date.today().isoformat()})",
        f"# machine: {cpu_model()}, {os.cpu_count()} cpus; threads: {threads} (both sides); "
        f"isa: {info['isa']}; OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', 'unset')}",
        f"# numpy {np.__version__}" + (f", torch {torch.__version__}" if torch is not None else ", torch not installed"),
    ]
    if torch is not None:  # a peer forced to a lower ISA (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA) says so
        lines[-1] += (f" (cpu capability {torch.backends.cpu.get_cpu_capability()}, oneDNN max ISA "
                      f"{os.environ.get('ONEDNN_MAX_CPU_ISA', 'unset')})")
    return "\n".join(lines)


def table(columns, rows):
    """Markdown table; rows are lists (floats formatted to 3 significant-ish places)."""
    def fmt(v):
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
        return str(v)
    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(v.rjust(w) for v, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join(out)
