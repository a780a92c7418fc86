"""What a LeNet rank's Dense-layer gradient and update would cost with the weight gradient's rows
split over the ranks (issue 13, dist8; see bench/RESULTS.md), one process, CPU time.

A rank of ``fit(distributed=True)`` at global batch 32 on 2 ranks (the sharded window update,
distributed/shm.py) now does, for LeNet's Dense kernel W (1800 x 500, 97% of the weights):

    now     dense_backward at its 16 rows: dX, db and the whole dW (3.6 MB written into its
            region); after the barrier, RMSprop on its half of W reading both ranks' regions
    split   dense_backward at its 16 rows without dW (dX, db); its 16 rows of X and of the
            (masked) output gradient written into a shared (32, .) pair; after the barrier, its
            half of dW's rows from all 32 rows (one GEMM, K = 32: already the sum, no second
            region to read), then RMSprop on its half reading that one gradient

``split`` writes half of dW instead of all of it and the update reads one gradient instead of
two: ~5.4 MB less traffic a rank and step. It is not implemented (the compiled step, the window
and the update would all change); this measures what it could save, with the rank's other
traffic between steps imitated by streaming FLUSH MB (the step's conv layers and the other
rank's share of the L3). The other rank's side (its reads of the shared X / gradient rows, the
cross-core traffic either way) is not modelled. Check first: both give the same W and RMSprop
state as the sum of the two ranks' gradients within float32 reduction-order tolerance.

    OMP_NUM_THREADS=1 PYTHONPATH=python python3 bench/dist_dw_split_ab.py [--flush 0,8,16] [--rounds 15]
"""
import argparse
import time

import numpy as np

import tensorforge as tf
from tensorforge import _native

K, N, ROWS = 1800, 500, 16   # LeNet's Dense layer; a rank's rows at global batch 32 on 2 ranks
LR, RHO, EPS = 1e-3, 0.9, 1e-7


class Rank:
    """Rank 0's arrays: the shared W and RMSprop state, both ranks' gradient regions, its rows."""

    def __init__(self, rng):
        self.w0 = (rng.standard_normal((K, N)) * 0.05).astype(np.float32)
        self.ms0 = (np.abs(rng.standard_normal((K, N))) * 1e-4).astype(np.float32)
        self.x = rng.standard_normal((2 * ROWS, K)).astype(np.float32)   # both ranks' rows
        self.g = rng.standard_normal((2 * ROWS, N)).astype(np.float32)
        self.y = np.abs(rng.standard_normal((2 * ROWS, N))).astype(np.float32) + 0.1  # relu out
        self.r1 = np.empty((K, N), np.float32)   # the other rank's region, as it wrote it
        _native._C.dense_backward(self.g[ROWS:], self.x[ROWS:], self.w0, self.y[ROWS:],
                                  False, True, False, self.r1, None)
        self.reset()
        self.r0 = np.empty((K, N), np.float32)
        self.db = np.empty(N, np.float32)
        self.xs = np.empty((2 * ROWS, K // 2), np.float32)  # the shared rows: X's first half
        self.gs = self.g * (self.y > 0)                      # the masked gradient rows (relu)
        self.xs[ROWS:] = self.x[ROWS:, :K // 2]

    def reset(self):
        self.w, self.ms = self.w0.copy(), self.ms0.copy()

    def now(self):
        C, h = _native._C, K // 2
        C.dense_backward(self.g[:ROWS], self.x[:ROWS], self.w, self.y[:ROWS], True, True, True,
                         self.r0, self.db)
        C.rmsprop_update(self.w[:h], self.r0[:h], self.ms[:h], LR, RHO, EPS, self.r1[:h])

    def split(self):
        C, h = _native._C, K // 2
        C.dense_backward(self.g[:ROWS], self.x[:ROWS], self.w, self.y[:ROWS], True, False, True,
                         None, self.db)
        self.xs[:ROWS] = self.x[:ROWS, :h]      # this rank's rows into the shared pair
        self.gs[:ROWS] = self.g[:ROWS] * (self.y[:ROWS] > 0)
        C.gemm(self.xs, self.gs, self.r0[:h], 1.0, 0.0, True, False)   # its half of dW, K = 32
        C.rmsprop_update(self.w[:h], self.r0[:h], self.ms[:h], LR, RHO, EPS)


def check(rank):
    """Both variants' W and state of rank 0's half against float64 arithmetic."""
    h = K // 2
    dw = (rank.x[:, :h].astype(np.float64).T @ (rank.g * (rank.y > 0)).astype(np.float64))
    ms = RHO * rank.ms0[:h].astype(np.float64) + (1 - RHO) * dw * dw
    w = rank.w0[:h] - LR * dw / (np.sqrt(ms) + EPS)
    for name in ("now", "split"):
        rank.reset()
        getattr(rank, name)()
        for got, ref, what in ((rank.ms[:h], ms, "RMSprop state"), (rank.w[:h], w, "W")):
            # float32 sums of 16 / 32 products and the float32 update: scaled by the largest value
            err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
            if err > 1e-5:
                raise SystemExit(f"{name}: {what} of the half differs from float64 by {err:.2e} of its largest value")
    rank.reset()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--flush", default="0,8,16", help="MB streamed before each call, per run")
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    tf.set_num_threads(1)
    rank = Rank(np.random.default_rng(0))
    check(rank)
    for mb in (int(v) for v in a.flush.split(",")):
        junk = np.ones(max(1, mb << 18), np.float32)
        res = {"now": [], "split": []}
        for _ in range(a.rounds):
            for name in res:
                f, t = getattr(rank, name), 0.0
                for _ in range(5):
                    if mb:
                        junk.sum()
                    t0 = time.thread_time()
                    f()
                    t += time.thread_time() - t0
                res[name].append(t / 5 * 1e3)
            rank.reset()
        now, split = (float(np.median(res[k])) for k in ("now", "split"))
        print(f"flush {mb:2d} MB: now {now:.3f} ms (min {min(res['now']):.3f}), split {split:.3f} "
              f"ms (min {min(res['split']):.3f}), saved {now - split:.3f} ms a rank and step",
              flush=True)


if __name__ == "__main__":
    main()
