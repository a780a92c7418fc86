"""``python -m tensorforge.bench [suite ...] [--threads N] [--backend cpu] [--against numpy,torch]``"""
import argparse
import importlib
import os
import sys

from . import PROCESS_SUITES, SUITES
from ._util import header, reexec_clean, set_threads


def build_parser():
    p = argparse.ArgumentParser(prog="tensorforge bench", description="tensorforge benchmarks")
    p.add_argument("suites", nargs="*", default=["gemm"],
                   help=f"one or more of {', '.join(SUITES + PROCESS_SUITES)}, or all (the first "
                        f"{len(SUITES)})")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for every side")
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "numpy"])
    p.add_argument("--against", default="numpy,torch", help="peers to time: numpy, torch")
    p.add_argument("--quick", action="store_true", help="fewer shapes and shorter timing")
    for s in SUITES + PROCESS_SUITES:  # suite options (add_arguments(parser), optional)
        mod = importlib.import_module(f"tensorforge.bench.{s}")
        if hasattr(mod, "add_arguments"):
            mod.add_arguments(p)
    return p


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    suites = list(SUITES) if "all" in args.suites else args.suites
    for s in suites:
        if s not in SUITES + PROCESS_SUITES:
            print(f"tensorforge bench: unknown suite {s!r} (choose from "
                  f"{', '.join(SUITES + PROCESS_SUITES)}, all)", file=sys.stderr)
            return 2
        if s in PROCESS_SUITES and args.backend == "cuda":
            print(f"tensorforge bench: {s} has no cuda section yet (it times CPU ranks)",
                  file=sys.stderr)
            return 2
    reexec_clean(args.threads, argv)
    if args.backend == "cuda":
        return _main_cuda(args, suites)
    import tensorforge as tf
    tf.set_backend(args.backend)
    set_threads(args.threads)
    args.against = [x for x in args.against.split(",") if x]
    for s in suites:
        mod = importlib.import_module(f"tensorforge.bench.{s}")
        print(header(s, args.threads))
        print(mod.run(args))
        print()
    return 0


def _main_cuda(args, suites):
    """--backend cuda: the CUDA suites of bench/cuda.py (GEMM vs cuBLAS, fused kernels, conv/pool,
    LSTM/GRU and LeNet training vs PyTorch CUDA) instead of the CPU tables; one line on stderr
    and exit 2 when no GPU (or CuPy, or the CUDA build) is there."""
    from . import cuda as bench_cuda
    try:
        bench_cuda._require_gpu()
    except RuntimeError as e:
        print(f"tensorforge {e}", file=sys.stderr)
        return 2
    args.against = [x for x in args.against.split(",") if x]
    sections = []
    for s in (["all"] if "all" in args.suites else suites):
        sections += [x for x in bench_cuda.FOR_SUITE[s] if x not in sections]
    print(f"## cuda: {', '.join(sections)}")
    _, failed = bench_cuda.run(args, sections, emit=lambda t: print(t, flush=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
