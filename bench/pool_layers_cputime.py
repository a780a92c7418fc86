"""`bench pool` and `bench layers` rows as CPU time (time.thread_time, 1 thread), A/B across builds.

    python3 bench/pool_layers_cputime.py --builds /tmp/base/python python --rounds 3

Each round runs one child process per build (alternating, so the machine's load falls on both
alike); a child times every case `--reps` times and prints the minimum CPU ms per case, and
PyTorch's (1 thread, same data) for the layer rows and the comparable pool rows. The parent prints
the median over rounds. On a machine shared with other jobs the 2-thread wall clock of `bench pool
layers` is mostly scheduling; one thread's CPU time is what the load distorts least (it still
shares the memory bandwidth and the L3). Pool GB/s = (x + y) bytes / forward time; compare with the
1-thread copy bandwidth printed first (np.copyto of 256 MiB, read + write).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

POOLS = [("max 2x2 lenet", (64, 24, 24, 20), "max", 2, "valid"),
         ("max 2x2 resnet", (32, 56, 56, 64), "max", 2, "valid"),
         ("avg 2x2 resnet", (32, 56, 56, 64), "avg", 2, "valid"),
         ("max 3x3/2 same", (32, 56, 56, 64), "max", 3, "same")]
BNS = [("bn resnet NHWC", (32, 56, 56, 64), -1), ("bn dense", (128, 256), -1),
       ("bn resnet NCHW", (32, 64, 56, 56), 1)]


def child(args):
    import time

    import numpy as np
    import tensorforge as tf
    import torch
    from tensorforge import backend
    from tensorforge.kernels.pool import pool_geometry
    tf.set_num_threads(1)
    torch.set_num_threads(1)
    F = torch.nn.functional
    lk = lambda n: backend.lookup(n, "cpu")  # noqa: E731

    def tmin(f):
        f()
        best = 1e9
        for _ in range(args.reps):
            t0 = time.thread_time()
            f()
            best = min(best, time.thread_time() - t0)
        return best * 1e3

    rng = np.random.default_rng(0)
    res = {}
    src = np.ones(64 << 20, np.float32)
    dst = np.empty_like(src)
    res["copy GB/s"] = 2 * src.nbytes / tmin(lambda: np.copyto(dst, src)) / 1e6
    del src, dst
    for name, xs, kind, k, padding in POOLS:
        x = rng.standard_normal(xs).astype(np.float32)
        kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = pool_geometry("b", xs, k, None if padding == "valid" else 2, padding)
        geo, (N, H, W, C) = (kh, kw, sh, sw, pt, pl, pb, pr), xs
        dy = rng.standard_normal((N, OH, OW, C)).astype(np.float32)
        r = {}
        if kind == "max":
            f, b = lk("max_pool2d_forward"), lk("max_pool2d_backward")
            r["fwd"] = tmin(lambda: f(x, *geo, False))
            r["fwd argmax"] = tmin(lambda: f(x, *geo, True))
            am = f(x, *geo, True)[1]
            r["bwd"] = tmin(lambda: b(dy, am, H, W, *geo))
        else:
            f, b = lk("avg_pool2d_forward"), lk("avg_pool2d_backward")
            r["fwd"] = tmin(lambda: f(x, *geo))
            r["bwd"] = tmin(lambda: b(dy, H, W, *geo))
        r["fwd GB/s"] = (x.nbytes + dy.nbytes) / r["fwd"] / 1e6
        if padding == "valid":
            xt = torch.from_numpy(x).permute(0, 3, 1, 2)
            pool = F.max_pool2d if kind == "max" else F.avg_pool2d
            with torch.no_grad():
                r["torch fwd"] = tmin(lambda: pool(xt, k, k))
        res[name] = r
    bf, bb = lk("batch_norm_forward_train"), lk("batch_norm_backward")
    for name, xs, axis in BNS:
        x, dy = (rng.standard_normal(xs).astype(np.float32) for _ in range(2))
        C = xs[axis]
        g, b, mm, mv = np.ones(C, np.float32), np.zeros(C, np.float32), np.zeros(C, np.float32), np.ones(C, np.float32)

        def fb():
            _, m_, i_ = bf(x, g, b, mm, mv, axis, 0.99, 1e-3)  # y stays alive, as in training
            bb(dy, x, m_, i_, g, axis)
        if axis == -1 and x.ndim == 4:
            xt, dyt = (torch.from_numpy(a).permute(0, 3, 1, 2) for a in (x, dy))
            xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(True)
        else:
            xt, dyt = torch.from_numpy(x), torch.from_numpy(dy)
            xg = xt.detach().clone().requires_grad_(True)
        wt, bt = torch.ones(C, requires_grad=True), torch.zeros(C, requires_grad=True)
        rm, rv = torch.zeros(C), torch.ones(C)

        def t_f():
            with torch.no_grad():
                F.batch_norm(xt, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3)

        def t_fb():
            xg.grad = wt.grad = bt.grad = None
            F.batch_norm(xg, rm, rv, wt, bt, training=True, momentum=0.01, eps=1e-3).backward(dyt)
        res[name] = {"fwd": tmin(lambda: bf(x, g, b, mm, mv, axis, 0.99, 1e-3)), "fwd+bwd": tmin(fb),
                     "torch fwd": tmin(t_f), "torch fwd+bwd": tmin(t_fb)}
    ef, eb = lk("embedding_forward"), lk("embedding_backward")
    V, D = 20000, 128
    table = rng.standard_normal((V, D)).astype(np.float32)
    ids = rng.integers(0, V, (128, 80)).astype(np.int64)
    dy = rng.standard_normal((128, 80, D)).astype(np.float32)
    ids_t, dyt, wt = torch.from_numpy(ids), torch.from_numpy(dy), torch.from_numpy(table).clone().requires_grad_(True)

    def te_f():
        with torch.no_grad():
            F.embedding(ids_t, wt)

    def te_fb():
        wt.grad = None
        F.embedding(ids_t, wt).backward(dyt)
    res["embedding"] = {"fwd": tmin(lambda: ef(table, ids)), "fwd+bwd": tmin(lambda: (ef(table, ids), eb(dy, ids, V))),
                        "torch fwd": tmin(te_f), "torch fwd+bwd": tmin(te_fb)}
    print(json.dumps(res))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builds", nargs="+", default=["python"], help="PYTHONPATH of each build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=12)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    runs = {b: [] for b in args.builds}
    for _ in range(args.rounds):
        for b in args.builds:
            env = dict(os.environ, PYTHONPATH=b, OMP_NUM_THREADS="1")
            out = subprocess.run([sys.executable, __file__, "--child", "--reps", str(args.reps)], env=env,
                                 check=True, capture_output=True, text=True).stdout
            runs[b].append(json.loads(out.strip().splitlines()[-1]))
    for b, rs in runs.items():
        print(f"## {b}: median of {len(rs)} rounds (CPU ms at 1 thread; GB/s)")
        print(f"copy GB/s {statistics.median(r['copy GB/s'] for r in rs):.1f}")
        for case in rs[0]:
            if case == "copy GB/s":
                continue
            cols = {k: statistics.median(r[case][k] for r in rs) for k in rs[0][case]}
            extra = ""
            for k in ("fwd", "fwd+bwd"):
                if f"torch {k}" in cols:
                    extra += f"  {k} vs torch {cols['torch ' + k] / cols[k]:.2f}x"
            print(f"{case:15s} " + "  ".join(f"{k} {v:.3f}" for k, v in cols.items()) + extra)


if __name__ == "__main__":
    main()
