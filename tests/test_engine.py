"""The CPU engine's runtime: the thread pool (tf/parallel.h) and the cache-derived GEMM blocking.

Kernels' own numerics are tested per op family; here: results do not depend on which thread ran
which chunk (bit-identical repeats at 2 threads), two Python threads may call kernels at once
(the second runs its loop alone), a forked child can still run parallel kernels, a blocking
forced small (many KC/MC/NC blocks, edge tiles everywhere) still matches the float64 reference,
and backend_info() reports the caches and the blocking it chose.
"""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import tensorforge as tf
from tfhelpers import assert_close, subprocess_env

pytestmark = pytest.mark.skipif(tf._native._C is None, reason="native CPU module unavailable")


@pytest.fixture
def two_threads():
    prev_backend, prev = tf.get_backend(), tf.get_num_threads()
    tf.set_backend("cpu")
    tf.set_num_threads(2)
    yield
    tf.set_num_threads(prev)
    tf.set_backend(prev_backend)


def _ref_gemm(a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return a64 @ b64, np.abs(a64) @ np.abs(b64)


def test_parallel_results_repeat_bit_for_bit(two_threads):
    """Chunks are claimed by whichever thread runs, but reductions sum per-chunk partials in
    chunk order: repeated calls give identical bits (GEMM, conv weight gradient, optimizer)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 500)).astype(np.float32)
    b = rng.standard_normal((500, 260)).astype(np.float32)
    g1 = tf.ops.gemm(a, b)
    for _ in range(5):
        assert np.array_equal(tf.ops.gemm(a, b), g1)
    from tensorforge.kernels import conv as kconv
    for shape_x, shape_w in [((8, 20, 20, 12), (3, 3, 12, 16)), ((16, 12, 12, 3), (5, 5, 3, 20))]:
        x = rng.standard_normal(shape_x).astype(np.float32)
        w = rng.standard_normal(shape_w).astype(np.float32)
        dy = rng.standard_normal(shape_x[:3] + shape_w[3:]).astype(np.float32)
        first = kconv.conv2d_backward(dy, x, w, padding="same")
        for _ in range(3):
            again = kconv.conv2d_backward(dy, x, w, padding="same")
            for name, u, v in zip(("dx", "dw", "db"), again, first):
                assert np.array_equal(u, v), f"conv {name} {shape_w} differs between runs"


def test_two_python_threads_call_kernels_at_once(two_threads):
    """While one caller's loop holds the pool, another thread's kernel runs on its own thread:
    both results are right and nothing deadlocks."""
    rng = np.random.default_rng(2)
    pairs = [(rng.standard_normal((257, 300)).astype(np.float32),
              rng.standard_normal((300, 190)).astype(np.float32)) for _ in range(4)]
    results, errors = {}, []

    def work(i):
        try:
            a, b = pairs[i]
            for _ in range(15):
                results[i] = tf.ops.gemm(a, b)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "a kernel call hung with concurrent callers"
    assert not errors, errors
    for i, (a, b) in enumerate(pairs):
        ref, scale = _ref_gemm(a, b)
        assert_close(results[i], ref, scale=scale, n=a.shape[1], what=f"thread {i}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_runs_parallel_kernels(two_threads):
    """The pool's helpers do not exist in a fork()ed child (a data loader's worker): the child
    starts its own and gets the right answer instead of hanging."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((400, 300)).astype(np.float32)
    b = rng.standard_normal((300, 350)).astype(np.float32)
    tf.ops.gemm(a, b)  # the parent's helpers are running now
    ref, scale = _ref_gemm(a, b)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report 1 on success; never return into pytest
        ok = 0
        try:
            got = tf.ops.gemm(a, b)
            err = np.abs(got - ref) <= 64 * np.finfo(np.float32).eps * 300 * scale
            ok = int(err.all())
        finally:
            os.write(w, bytes([ok]))
            os._exit(0)
    os.close(w)
    import select
    ready, _, _ = select.select([r], [], [], 60)
    status = os.read(r, 1) if ready else b""
    os.close(r)
    if not ready:
        os.kill(pid, 9)
    os.waitpid(pid, 0)
    assert status == b"\x01", "the forked child hung or computed a wrong GEMM"


_SMALL_BLOCKING_CHILD = r"""
import numpy as np, tensorforge as tf
tf.set_backend("cpu")
info = tf.backend_info(print_it=False)
assert "KC 40, MC " in info["gemm_blocking"], info["gemm_blocking"]
rng = np.random.default_rng(4)
bad = []
for threads in (1, 2):
    tf.set_num_threads(threads)
    for M, K, N, ta, tb in [(97, 131, 203, False, False), (61, 83, 400, True, False),
                            (256, 96, 97, False, True), (300, 40, 33, True, True),
                            (13, 300, 1000, False, False), (250, 257, 130, False, False)]:
        a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
        b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
        bias = rng.standard_normal(N).astype(np.float32)
        got = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb, bias=bias, activation="relu")
        A = (a.T if ta else a).astype(np.float64); B = (b.T if tb else b).astype(np.float64)
        ref = np.maximum(A @ B + bias, 0)
        tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A) @ np.abs(B) + np.abs(bias))
        if not (np.abs(got - ref) <= tol).all():
            bad.append((threads, M, K, N, ta, tb))
assert not bad, bad
print("ok")
"""


def test_gemm_small_forced_blocking_matches_reference():
    """TENSORFORGE_GEMM_BLOCKING=40,30,64: many K blocks (beta = 1 accumulation, bias/relu on the
    last only), MC blocks and NC blocks with edge tiles, at 1 and 2 threads."""
    env = subprocess_env({"TENSORFORGE_GEMM_BLOCKING": "40,30,64"})
    r = subprocess.run([sys.executable, "-c", _SMALL_BLOCKING_CHILD], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr


_PIN_CHILD = r"""
import os, sys, numpy as np, tensorforge as tf
from tensorforge import _native
C = _native._C
mode = sys.argv[1]
if mode == "one_cpu":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
allowed = os.sched_getaffinity(0)
tf.set_backend("cpu")
tf.set_num_threads(2)
rng = np.random.default_rng(5)
a = rng.standard_normal((300, 200)).astype(np.float32)
b = rng.standard_normal((200, 500)).astype(np.float32)
ref = a.astype(np.float64) @ b.astype(np.float64)
tol = 16 * 200 * np.finfo(np.float32).eps * (np.abs(a).astype(np.float64) @ np.abs(b))
before = set(os.listdir("/proc/self/task"))
assert (np.abs(tf.ops.gemm(a, b) - ref) <= tol).all()
helpers = [int(t) for t in set(os.listdir("/proc/self/task")) - before]
assert len(helpers) == 1, helpers  # 2 threads: the caller and one pool helper
aff = os.sched_getaffinity(helpers[0])
print("pins", C.pool_pins(), "allowed", sorted(allowed), "helper", sorted(aff))
if mode == "moved":  # the caller moves onto the helper's CPU: the next loop re-pins the helper
    (cpu,) = aff
    os.sched_setaffinity(0, {cpu})
    assert (np.abs(tf.ops.gemm(a, b) - ref) <= tol).all()
    aff2 = os.sched_getaffinity(helpers[0])
    os.sched_setaffinity(0, allowed)
    print("pins", C.pool_pins(), "helper", sorted(aff2))
print("ok")
"""


def _pin_child(mode, env=None):
    r = subprocess.run([sys.executable, "-c", _PIN_CHILD, mode], env=subprocess_env(env),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.endswith("ok\n"), r.stdout + r.stderr
    return [line.split() for line in r.stdout.splitlines()]


@pytest.mark.skipif(not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
                    reason="helper pinning is Linux-only and needs two CPUs to choose from")
def test_pool_helper_pinned_off_the_callers_cpu():
    """Note [helpers pinned off the caller's cpu]: the helper runs on one CPU of the allowed set,
    is re-pinned when the caller moves onto that CPU, is left alone with TENSORFORGE_PIN_THREADS=0
    and where the process has one CPU only; results are right in every case."""
    lines = _pin_child("normal")
    pins, helper = int(lines[0][1]), lines[0][lines[0].index("helper") + 1:]
    # at least the first loop's pin (the scheduler may also move the caller onto the helper's CPU
    # on a busy machine, which re-pins it once more)
    assert pins >= 1 and len(helper) == 1, lines
    lines = _pin_child("moved")
    first, second = lines[0][lines[0].index("helper") + 1:], lines[1][lines[1].index("helper") + 1:]
    assert len(first) == 1 and len(second) == 1 and first != second, lines
    assert int(lines[1][1]) > int(lines[0][1]) >= 1, lines  # a pin after the caller's move
    lines = _pin_child("normal", {"TENSORFORGE_PIN_THREADS": "0"})
    allowed = lines[0][lines[0].index("allowed") + 1:lines[0].index("helper")]
    assert int(lines[0][1]) == 0 and lines[0][lines[0].index("helper") + 1:] == allowed, lines
    lines = _pin_child("one_cpu")
    assert int(lines[0][1]) == 0 and len(lines[0][lines[0].index("helper") + 1:]) == 1, lines


def test_backend_info_reports_caches_and_blocking():
    info = tf.backend_info(print_it=False)
    for key in ("cpu", "caches", "gemm_blocking", "scheduler"):
        assert key in info, f"backend_info() lacks {key!r}: {sorted(info)}"
    assert info["caches"].startswith("L1d ") and " L2 " in info["caches"], info["caches"]
    ci = tf._native._C.cpu_info()
    assert ci["l1d"] >= 8 << 10 and ci["l2"] >= ci["l1d"], ci
    mr, nr, kc, mc, nc = (ci[k] for k in ("sgemm_mr", "sgemm_nr", "sgemm_kc", "sgemm_mc", "sgemm_nc"))
    assert mc % mr == 0 and nc % nr == 0 and 64 <= kc <= 1024, ci
    # the KC x NR packed B panel takes at most 1.25x L1d, or an eighth of L2 where the panel is
    # fed from L2 (AMD full-width AVX-512: Note [cache blocking])
    assert kc * nr * 4 <= max(1.25 * ci["l1d"], ci["l2"] / 8), ci
    # the packed A block (MC x KC floats) fits the core's L2, as Note [cache blocking] chooses
    assert mc * kc * 4 <= ci["l2"], ci
    # the packed KC x NC B block takes at most half of L3, an eighth where KC comes from L2
    # (AMD full-width AVX-512), unless that is below the floor of 8 panels
    l3_share = 8 if kc * nr * 4 > 1.25 * ci["l1d"] else 2
    assert nc == 8 * nr or kc * nc * 4 <= ci["l3"] / l3_share, ci


def test_set_num_threads_is_what_kernels_use():
    prev = tf.get_num_threads()
    try:
        tf.set_num_threads(3)
        assert tf.get_num_threads() == 3
        rng = np.random.default_rng(5)
        a = rng.standard_normal((130, 70)).astype(np.float32)
        b = rng.standard_normal((70, 90)).astype(np.float32)
        ref, scale = _ref_gemm(a, b)
        assert_close(tf.ops.gemm(a, b), ref, scale=scale, n=70, what="3 threads")
    finally:
        tf.set_num_threads(prev)


def test_thread_count_from_environment():
    """TENSORFORGE_NUM_THREADS, else OMP_NUM_THREADS, sets the pool's default size."""
    code = "import tensorforge as tf; print(tf.get_num_threads())"
    for extra, want in [({"TENSORFORGE_NUM_THREADS": "3", "OMP_NUM_THREADS": "5"}, "3"),
                        ({"OMP_NUM_THREADS": "5"}, "5")]:
        env = subprocess_env(extra)
        if "TENSORFORGE_NUM_THREADS" not in extra:
            env.pop("TENSORFORGE_NUM_THREADS", None)
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == want, (extra, r.stdout, r.stderr)
