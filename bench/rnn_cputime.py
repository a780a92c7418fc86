"""LSTM / GRU forward and forward+backward CPU time (time.thread_time, 1 thread), A/B across builds.

    python3 bench/rnn_cputime.py --builds python /work/main/python --rounds 5
    python3 bench/rnn_cputime.py --builds python /work/main/python --threads 2 --wall --reps 20

`--threads 2 --wall`: wall clock at 2 threads a side (median of the reps), for a quiet machine.

Each round runs one child process per build (alternating, so the machine's load falls on both
alike); a child times every shape `--reps` times and prints the minimum CPU ms per case. The
parent prints the median over rounds per build, and PyTorch's (same weights, same thread count)
from the first build's children. CPU time of the calling thread at 1 thread is what a busy
shared machine distorts least; wall-clock ratios at 2 threads are for a quiet machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

SHAPES = [(64, 28, 28, 128), (64, 28, 256, 256), (128, 28, 256, 256), (32, 100, 512, 512)]


def child(args):
    import time

    import numpy as np
    import tensorforge as tf
    from tensorforge import backend
    from tensorforge.bench.rnn import fns, make_weights, torch_module
    from tensorforge.reference import rnn as ref_rnn
    tf.set_num_threads(args.threads)
    impl = type("Impl", (), {n: staticmethod(backend.lookup(n, "cpu")) for n in ref_rnn.__all__})
    torch = None
    if args.torch:
        import torch
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    res = {}

    clock = time.perf_counter if args.wall else time.thread_time

    def best(fn):
        fn()
        ts = []
        for _ in range(args.reps):
            t0 = clock()
            fn()
            ts.append(clock() - t0)
        # CPU time: the minimum; wall clock (several threads): the median of the reps
        return (statistics.median(ts) if args.wall else min(ts)) * 1e3

    for cell in args.cells.split(","):
        for B, T, F, U in [SHAPES[int(i)] for i in args.shapes.split(",")]:
            x = rng.standard_normal((B, T, F)).astype(np.float32)
            kernel, rk, bias = make_weights(rng, cell, F, U)
            dout = rng.standard_normal((B, T, U)).astype(np.float32)
            fwd, fwd_bwd = fns(cell, impl, x, kernel, rk, bias, dout)
            key = f"{cell} {(B, T, F, U)}"
            res[key + " fwd"] = best(fwd)
            res[key + " fwd+bwd"] = best(fwd_bwd)
            if torch is not None:
                m = torch_module(torch, cell, F, U, kernel, rk, bias)
                xt = torch.from_numpy(x).requires_grad_(True)
                gt = torch.from_numpy(dout)

                def t_fwd():
                    with torch.no_grad():
                        m(xt)

                def t_fb():
                    m(xt)[0].backward(gt)
                res[key + " torch fwd"] = best(t_fwd)
                res[key + " torch fwd+bwd"] = best(t_fb)
    print(json.dumps(res))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--builds", nargs="+", default=["python"], help="PYTHONPATH of each build")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--cells", default="lstm,gru")
    p.add_argument("--shapes", default="0,1", help="indices into SHAPES")
    p.add_argument("--threads", type=int, default=1, help="threads on every side")
    p.add_argument("--wall", action="store_true",
                   help="wall clock (median of the reps) instead of the calling thread's CPU time")
    p.add_argument("--child", action="store_true")
    p.add_argument("--torch", action="store_true")
    args = p.parse_args()
    if args.child:
        return child(args)
    runs = {b: [] for b in args.builds}
    for r in range(args.rounds):
        for i, b in enumerate(args.builds if r % 2 == 0 else args.builds[::-1]):
            nt = str(args.threads)
            env = dict(os.environ, PYTHONPATH=b, OMP_NUM_THREADS=nt, OPENBLAS_NUM_THREADS=nt)
            cmd = [sys.executable, __file__, "--child", "--reps", str(args.reps), "--cells", args.cells,
                   "--shapes", args.shapes, "--threads", nt] + (["--wall"] if args.wall else []) + (
                       ["--torch"] if b == args.builds[0] else [])
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            runs[b].append(json.loads(out.strip().splitlines()[-1]))
    keys = list(runs[args.builds[0]][0])
    what = ("wall ms (perf_counter), median over rounds of each child's median of" if args.wall
            else "CPU ms (thread_time), median over rounds of each child's min of")
    print(what, args.reps, "reps,", args.threads, "thread(s)")
    print("case".ljust(40) + "".join(b[-24:].rjust(26) for b in args.builds))
    for k in keys:
        vals = [statistics.median(r[k] for r in runs[b] if k in r) if k in runs[b][0] else float("nan")
                for b in args.builds]
        print(k.ljust(40) + "".join(f"{v:26.2f}" for v in vals))


if __name__ == "__main__":
    main()
