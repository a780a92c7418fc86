"""Max pooling kernels on each ISA path (generic, avx2, avx512), 1 thread CPU time (ups8, issue 15).

    PYTHONPATH=<tree>/python python3 bench/pool_isa_cputime.py [ISAS] [REPS]
    e.g. ... generic,avx2,avx512 10   (run once per build, alternating builds for an A/B)

For each ISA (forced with _C._set_isa, as tests/conftest.py's `isa` fixture does) and each max pool
row of `bench pool` / `bench layers` (LeNet 2x2, ResNet 2x2, ResNet 3x3/2 'same'), it first checks
the forward (values and argmax) and the backward against the NumPy reference, then prints the
minimum CPU ms (time.thread_time) of REPS calls of: the inference forward (fwd), the training
forward with argmax (fwd_am) and the backward (bwd).
"""
import sys
import time

import numpy as np

import tensorforge as tf
from tensorforge import _native, backend
from tensorforge.kernels.pool import pool_geometry
from tensorforge.reference import pool as R

POOLS = [("max 2x2 lenet", (64, 24, 24, 20), 2, "valid"), ("max 2x2 resnet", (32, 56, 56, 64), 2, "valid"),
         ("max 3x3/2 same", (32, 56, 56, 64), 3, "same")]


def main():
    C_ = _native._C
    isas = sys.argv[1].split(",") if len(sys.argv) > 1 else list(C_.supported_isas())
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    tf.set_num_threads(1)
    f, b = backend.lookup("max_pool2d_forward", "cpu"), backend.lookup("max_pool2d_backward", "cpu")

    def tmin(fn):
        fn()
        best = 1e9
        for _ in range(reps):
            t0 = time.thread_time()
            fn()
            best = min(best, time.thread_time() - t0)
        return round(best * 1e3, 3)

    rng = np.random.default_rng(0)
    prev = C_.isa()
    try:
        for isa in isas:
            C_._set_isa(isa)
            for name, xs, k, padding in POOLS:
                x = rng.standard_normal(xs).astype(np.float32)
                kh, kw, sh, sw, pt, pl, pb, pr, OH, OW = pool_geometry(
                    "bench", xs, k, None if padding == "valid" else 2, padding)
                geo = (kh, kw, sh, sw, pt, pl, pb, pr)
                dy = rng.standard_normal((xs[0], OH, OW, xs[3])).astype(np.float32)
                y, am = f(x, *geo, True)
                y_ref, am_ref = R.max_pool2d_forward(x, *geo, True)
                dx = b(dy, am, xs[1], xs[2], *geo)
                if not (np.array_equal(y, y_ref) and np.array_equal(am, am_ref)
                        and np.array_equal(f(x, *geo, False)[0], y_ref)
                        and np.allclose(dx, R.max_pool2d_backward(dy, am_ref, xs[1], xs[2], *geo),
                                        atol=1e-6)):
                    raise AssertionError(f"pool_isa_cputime: {isa} {name} differs from the reference")
                times = dict(fwd=tmin(lambda: f(x, *geo, False)), fwd_am=tmin(lambda: f(x, *geo, True)),
                             bwd=tmin(lambda: b(dy, am, xs[1], xs[2], *geo)))
                print(f"{isa} {name} {times}", flush=True)
    finally:
        C_._set_isa(prev)


if __name__ == "__main__":
    main()
