"""Interleaved A/B of the LSTM (or GRU) kernels' forward, backward alone and forward+backward, wall
ms at N threads: one child process per variant and round (order alternating), each printing the
median of its reps; the parent prints every round and the medians over rounds. A variant is a build
(PYTHONPATH) plus environment settings, so one build's experiment switches compare too.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE chrt -f 10 python3 bench/rnn_ab.py ROUNDS REPS \
        "B,T,F,U;..." name:PYTHONPATH:ENV[,ENV...] ...      (ENV '-' for none)
    options: --threads N (default 2), --torch (PyTorch fwd+bwd, first variant, round 0), --cell gru

On a shared machine run it at real-time priority (chrt) and compare within rounds: the host has
slow periods in which our memory-touching kernels lose far more than PyTorch's (bench/RESULTS.md,
session 16)."""
import json
import os
import statistics
import subprocess
import sys
import time


def child(reps, shapes, threads, torch_on, cell):
    import numpy as np
    import tensorforge as tf
    from tensorforge import backend
    from tensorforge.bench.rnn import fns, make_weights, torch_module
    from tensorforge.reference import rnn as ref_rnn
    tf.set_num_threads(threads)
    impl = type("Impl", (), {n: staticmethod(backend.lookup(n, "cpu")) for n in ref_rnn.__all__})
    rng = np.random.default_rng(0)
    res = {}

    def med(fn):
        for _ in range(3):
            fn()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1e3

    for (B, T, F, U) in shapes:
        x = rng.standard_normal((B, T, F)).astype(np.float32)
        kernel, rk, bias = make_weights(rng, cell, F, U)
        dout = rng.standard_normal((B, T, U)).astype(np.float32)
        fwd, fwd_bwd = fns(cell, impl, x, kernel, rk, bias, dout)
        z = np.zeros((B, U), np.float32)
        f = fwd()
        if cell == "lstm":
            def bwd():
                return impl.lstm_backward(dout, z, z, x, kernel, rk, None, False, "tanh", "sigmoid", *f[3:])
        else:
            def bwd():
                return impl.gru_backward(dout, z, x, kernel, rk, None, False, True, "tanh", "sigmoid", *f[2:])
        k = f"{cell} {B},{T},{F},{U}"
        res[k + " fwd"] = med(fwd)
        res[k + " bwd"] = med(bwd)
        res[k + " fwd+bwd"] = med(fwd_bwd)
        if torch_on:
            import torch
            torch.set_num_threads(threads)
            m = torch_module(torch, cell, F, U, kernel, rk, bias)
            xt = torch.from_numpy(x).requires_grad_(True)
            gt = torch.from_numpy(dout)
            res[k + " torch fwd+bwd"] = med(lambda: m(xt)[0].backward(gt))
    print(json.dumps(res))


def main():
    a = sys.argv[1:]
    threads, torch_on, cell = 2, False, "lstm"
    if "--threads" in a:
        i = a.index("--threads")
        threads = int(a[i + 1])
        del a[i:i + 2]
    if "--torch" in a:
        a.remove("--torch")
        torch_on = True
    if "--cell" in a:
        i = a.index("--cell")
        cell = a[i + 1]
        del a[i:i + 2]
    if a[0] == "--child":
        shapes = [tuple(int(v) for v in s.split(",")) for s in a[2].split(";")]
        return child(int(a[1]), shapes, threads, a[3] == "1", cell)
    rounds, reps, shapes = int(a[0]), a[1], a[2]
    vs = [v.split(":") for v in a[3:]]
    runs = {v[0]: [] for v in vs}
    for r in range(rounds):
        for name, pp, envs in (vs if r % 2 == 0 else vs[::-1]):
            env = dict(os.environ, PYTHONPATH=pp, OMP_NUM_THREADS=str(threads))
            for kv in (envs.split(",") if envs != "-" else []):
                k, v = kv.split("=", 1)
                env[k] = v
            to = "1" if (torch_on and r == 0 and name == vs[0][0]) else "0"
            out = subprocess.run([sys.executable, __file__, "--child", reps, shapes, to, "--threads", str(threads),
                                  "--cell", cell], env=env, capture_output=True, text=True)
            if out.returncode:
                print(out.stderr)
                sys.exit(1)
            d = json.loads(out.stdout.strip().splitlines()[-1])
            runs[name].append(d)
            print(f"round {r} {name}: " + "  ".join(f"{k.split(' ', 1)[1]}={v:.2f}" for k, v in d.items()), flush=True)
    print("medians of rounds:")
    for k in runs[vs[0][0]][0]:
        print(k.ljust(36) + "".join(f"{n}={statistics.median(x[k] for x in runs[n] if k in x):.2f}  "
                                    for n in runs if k in runs[n][0]))


if __name__ == "__main__":
    main()
