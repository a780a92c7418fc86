"""Per-call Python overhead of ops on small shapes, and SGEMM at n = 64 against NumPy.

Issue 15 bounds an op's per-call Python overhead on small shapes at 2 us: the argument checks
live in the native binding once, not in Python and again in C++. Each row times the public op
(``tensorforge.ops.*``, as a program calls it) against the work it dispatches to, called
directly: the native binding (``_C.gemm``, ``_C.act_forward``) or, for ``add`` (NumPy's own
ufunc on the cpu backend), ``numpy.add``. The overhead is the difference. Tensor rows pass a
Tensor that does not require grad (no tape), as inference code does.

Timing: CPU time of the calling thread (``time.thread_time``; every call here runs on the
calling thread: below the pool's thresholds), the best of ROUNDS interleaved rounds of N calls
(op, direct, op, direct, ...), so that a shared machine's other jobs, which steal wall time but
not this thread's CPU time, disturb both sides alike. The result check: each op's output equals
the direct call's before timing.
"""
import time

import numpy as np

from ._util import table

ROUNDS, N = 7, 2000


def _best_interleaved(fns, calls, rounds):
    """Best per-call thread CPU seconds of each fn over interleaved rounds."""
    for fn in fns:
        for _ in range(50):
            fn()
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.thread_time()
            for _ in range(calls):
                fn()
            best[i] = min(best[i], (time.thread_time() - t0) / calls)
    return best


def _cases():
    from tensorforge import _C, ops
    from tensorforge.autograd import Tensor
    r = np.random.default_rng(0)
    a4, b4 = (r.standard_normal((4, 4)).astype(np.float32) for _ in range(2))
    a8, b8 = (r.standard_normal((8, 8)).astype(np.float32) for _ in range(2))
    t4, t8 = Tensor(a4), Tensor(a8)
    return [
        ("add (4, 4)", "numpy.add", lambda: ops.add(a4, b4), lambda: np.add(a4, b4)),
        ("matmul (8, 8)", "_C.gemm", lambda: ops.matmul(a8, b8),
         lambda: _C.gemm(a8, b8, None, 1.0, 0.0, False, False, None, None)),
        ("relu (4, 4)", "_C.act_forward", lambda: ops.relu(a4),
         lambda: _C.act_forward(a4, "relu", 0.0)),
        ("add Tensor (4, 4)", "numpy.add", lambda: ops.add(t4, b4), lambda: np.add(a4, b4)),
        ("matmul Tensor (8, 8)", "_C.gemm", lambda: ops.matmul(t8, b8),
         lambda: _C.gemm(a8, b8, None, 1.0, 0.0, False, False, None, None)),
        ("relu Tensor (4, 4)", "_C.act_forward", lambda: ops.relu(t4),
         lambda: _C.act_forward(a4, "relu", 0.0)),
    ]


def _value(x):
    return np.asarray(x.data if hasattr(x, "data") and not isinstance(x, np.ndarray) else x)


def run(args):
    import tensorforge as tf
    if tf.get_backend() != "cpu":
        return "bench overhead: the cpu backend only (it times the native bindings)"
    rounds, calls = (3, 500) if args.quick else (ROUNDS, N)
    rows = []
    for name, direct_name, op, direct in _cases():
        if not np.array_equal(_value(op()), _value(direct())):  # the result check
            raise AssertionError(f"bench overhead {name}: the op and {direct_name} disagree")
        t_op, t_direct = _best_interleaved([op, direct], calls, rounds)
        rows.append([name, t_op * 1e6, direct_name, t_direct * 1e6, (t_op - t_direct) * 1e6])
    out = table(["op (cpu backend)", "op us/call", "direct call", "direct us/call",
                 "overhead us (<= 2)"], rows)
    return out + "\n\n" + gemm64(rounds, calls // 10)


def gemm64(rounds, calls):
    """SGEMM n = 64 through ops.gemm, the binding and NumPy (a @ b), same thread count."""
    from tensorforge import _C, ops
    r = np.random.default_rng(1)
    a, b = (r.standard_normal((64, 64)).astype(np.float32) for _ in range(2))
    ref = a.astype(np.float64) @ b
    if not np.allclose(ops.gemm(a, b), ref, rtol=1e-4, atol=1e-4):
        raise AssertionError("bench overhead: gemm 64 does not match the float64 reference")
    fns = [lambda: ops.gemm(a, b), lambda: _C.gemm(a, b, None, 1.0, 0.0, False, False, None, None),
           lambda: a @ b]
    t = _best_interleaved(fns, max(calls, 20), rounds)
    flop = 2.0 * 64 ** 3
    return table(["SGEMM 64x64x64", "ops.gemm us", "_C.gemm us", "numpy us", "ops.gemm GFLOP/s",
                  "numpy GFLOP/s", "ops.gemm vs numpy (>= 0.9)"],
                 [["square 64", t[0] * 1e6, t[1] * 1e6, t[2] * 1e6, flop / t[0] / 1e9,
                   flop / t[2] / 1e9, t[2] / t[0]]])
