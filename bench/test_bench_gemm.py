"""pytest-benchmark for GEMM (not part of the test run; CI runs tests/ only).

  PYTHONPATH=python python -m pytest bench/test_bench_gemm.py --benchmark-group-by=param:shape

Each case first checks tensorforge against a float64 reference, then times tensorforge and NumPy
on the same arrays (same thread count: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS from the
environment; unset OPENBLAS_CORETYPE so NumPy runs its best kernel). The GFLOP/s of each run is
stored in extra_info. The suite `python -m tensorforge.bench gemm` prints the comparison table.
"""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.bench.gemm import cases

CASES = cases(quick=False)


@pytest.fixture(scope="module", autouse=True)
def _cpu_backend():
    if tf._native._C is None:
        pytest.skip("native CPU module unavailable")
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"warning: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} slows NumPy's GEMM")
    prev = tf.get_backend()
    tf.set_backend("cpu")
    yield
    tf.set_backend(prev)


def _operands(M, K, N, ta, tb):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    return a, b


@pytest.mark.parametrize("impl", ["tensorforge", "numpy"])
@pytest.mark.parametrize("name,M,K,N,ta,tb", CASES, ids=[c[0].replace(" ", "_") for c in CASES])
def test_gemm(benchmark, impl, name, M, K, N, ta, tb):
    a, b = _operands(M, K, N, ta, tb)
    A, B = (a.T if ta else a), (b.T if tb else b)
    if impl == "tensorforge":
        fn = lambda: tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)  # noqa: E731
    else:
        fn = lambda: A @ B  # noqa: E731
    out = fn()
    ref = A.astype(np.float64) @ B.astype(np.float64)
    tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A) @ np.abs(B))
    assert (np.abs(out - ref) <= tol).all(), f"{impl} {name}: wrong result"
    benchmark.extra_info["shape"] = f"{M}x{K}x{N}"
    benchmark.pedantic(fn, rounds=20, warmup_rounds=2, iterations=1)
    if benchmark.stats is not None:  # None under --benchmark-disable (a smoke run)
        benchmark.extra_info["gflops"] = 2.0 * M * N * K / benchmark.stats.stats.median / 1e9
