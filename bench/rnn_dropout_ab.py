"""LSTM / GRU under recurrent dropout (dropout = recurrent_dropout = 0.2), A/B across builds, with
PyTorch's plain LSTM / GRU beside them (torch has no recurrent dropout: its figure is the same
shapes without the masks, a yardstick, not the same computation).

    python3 bench/rnn_dropout_ab.py --builds python /work/main/python --threads 1 --rounds 3

Cases at Keras 2's imdb_lstm sizes (batch 32, 80 steps, 128 features, 128 units):
  op fwd+bwd   ops.lstm_dropout / ops.gru_dropout (reset_after=True) under the tape: forward, a
               loss, backward to x and every weight, with Keras 2's per-gate masks;
  fit step     one Model.fit batch of Input((80, 128)) -> LSTM/GRU(128, dropout=0.2,
               recurrent_dropout=0.2) -> Dense(1, sigmoid), adam, binary crossentropy;
  torch        nn.LSTM / nn.GRU forward + backward (same shapes, no dropout).
Each round runs one child process per build, alternating (the machine's load falls on both
alike); a child prints the median wall ms of `--reps` runs per case; the parent prints the median
over rounds. OMP_NUM_THREADS is set for the children before Python starts.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

B, T, F, U = 32, 80, 128, 128


def op_fwd_bwd(cell, rng, x):
    """A closure: the dropout op's forward, a loss and backward to x and every weight, with
    Keras 2's per-gate masks (rate 0.2) drawn from rng; returns the outputs."""
    import numpy as np
    from tensorforge.autograd import Tensor
    from tensorforge.ops import rnn_dropout as ops_d
    G = 4 if cell == "lstm" else 3
    k = (rng.standard_normal((F, G * U)) / np.sqrt(F)).astype(np.float32)
    rk = (rng.standard_normal((U, G * U)) / np.sqrt(U)).astype(np.float32)
    b = (rng.standard_normal((G * U,) if cell == "lstm" else (2, G * U)) * 0.1).astype(np.float32)
    xk = ((rng.random((G, B, F)) < 0.8) / 0.8).astype(np.float32)
    hk = ((rng.random((G, B, U)) < 0.8) / 0.8).astype(np.float32)
    op = ops_d.lstm_dropout if cell == "lstm" else ops_d.gru_dropout

    def run():
        ts = [Tensor(a, requires_grad=True) for a in (x, k, rk, b)]
        out = op(*ts, x_keep=xk, h_keep=hk)[0]
        (out * out).sum().backward()
        return out
    return run


def child(args):
    import time

    import numpy as np
    import tensorforge as tf
    from tensorforge import keras
    tf.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    res = {}

    def median_ms(fn):
        fn()
        ts = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1e3

    x = rng.standard_normal((B, T, F)).astype(np.float32)
    for cell in ("lstm", "gru"):
        res[f"{cell} op fwd+bwd"] = median_ms(op_fwd_bwd(cell, rng, x))

        layer = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
        m = keras.Sequential([keras.Input((T, F)), layer(U, dropout=0.2, recurrent_dropout=0.2),
                              keras.layers.Dense(1, activation="sigmoid")])
        m.compile("adam", "binary_crossentropy")
        y = (rng.random((B, 1)) < 0.5).astype(np.float32)
        res[f"{cell} fit step"] = median_ms(lambda: m.train_on_batch(x, y))
    if args.torch:
        import torch
        torch.set_num_threads(args.threads)
        xt = torch.from_numpy(x).requires_grad_(True)
        for cell, mod in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
            m = mod(F, U, batch_first=True)

            def t_fwd_bwd():
                out = m(xt)[0]
                (out * out).sum().backward()
            res[f"{cell} torch fwd+bwd (no dropout)"] = median_ms(t_fwd_bwd)
    print(json.dumps(res))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builds", nargs="+", default=["python"], help="PYTHONPATHs to compare")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--torch", action="store_true")
    args = ap.parse_args()
    if args.child:
        return child(args)
    env0 = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    per = {bld: {} for bld in args.builds}
    for r in range(args.rounds):
        for i, bld in enumerate(args.builds):
            cmd = [sys.executable, __file__, "--child", "--threads", str(args.threads), "--reps",
                   str(args.reps)] + (["--torch"] if i == 0 else [])
            out = subprocess.run(cmd, env=dict(env0, PYTHONPATH=bld), capture_output=True,
                                 text=True, check=True).stdout
            for key, v in json.loads(out.strip().splitlines()[-1]).items():
                per[bld].setdefault(key, []).append(v)
    keys = list(per[args.builds[0]])
    print(f"threads {args.threads}, (B, T, F, U) = {(B, T, F, U)}, median wall ms over "
          f"{args.rounds} rounds")
    print("| case | " + " | ".join(args.builds) + " |")
    print("|---|" + "---|" * len(args.builds))
    for key in keys:
        cells = [f"{statistics.median(per[b][key]):.2f}" if key in per[b] else "-" for b in args.builds]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
