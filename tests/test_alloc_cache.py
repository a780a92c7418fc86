"""The cache of large freed array blocks under NumPy's allocator (csrc/runtime/alloc_cache.cpp,
Note [large array page faults]): reuse, the data handed out, the cap, the age limit, the switch,
threads, and arrays of other handlers freed by their own."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tfhelpers import subprocess_env

C = tf._native._C
if C is None or not hasattr(C, "alloc_cache_info"):
    pytest.skip("native CPU module unavailable", allow_module_level=True)
if os.environ.get("TENSORFORGE_ALLOC_CACHE") in ("0", "off", "false", "no"):
    pytest.skip("the array cache is off in this environment (TENSORFORGE_ALLOC_CACHE)",
                allow_module_level=True)

MIB = 1 << 20
OURS = "tensorforge_alloc_cache"
# numpy.core became numpy._core in NumPy 2 (1.26 has a numpy._core without multiarray)
_multiarray = (np._core.multiarray if np.lib.NumpyVersion(np.__version__) >= "2.0.0"
               else np.core.multiarray)


def handler_name(a=None):
    return _multiarray.get_handler_name(a) if a is not None else _multiarray.get_handler_name()


def addr(a):
    return a.__array_interface__["data"][0]


@pytest.fixture
def cache():
    """The cache with a 1 MiB threshold, a 64 MiB cap and an hour's age limit (a stall of the
    shared machine must not expire a block a test expects back), emptied; restored afterwards."""
    info = C.alloc_cache_info()
    assert info["available"] and info["installed"], info
    C._alloc_cache_configure(MIB, 64 * MIB, 3600.0)
    C.alloc_cache_clear()
    try:
        yield C
    finally:
        C.alloc_cache_install()
        C._alloc_cache_configure(info["min_bytes"], info["cap_bytes"], info["max_age_s"])


def delta(before, key):
    return C.alloc_cache_info()[key] - before[key]


def test_installed_at_import_and_reported():
    info = C.alloc_cache_info()
    assert info["available"] and info["installed"] and info["off_reason"] == ""
    assert info["min_bytes"] == 128 << 10  # glibc's default mmap threshold: Note [cache threshold]
    assert 0 < info["cap_bytes"] <= 1 << 30
    assert info["max_age_s"] == 2.0  # Note [cache age limit]
    row = tf.backend_info(print_it=False)["alloc_cache"]
    assert row.startswith("on, blocks >= 128 KiB, cap "), row
    assert "unused ones kept 2 s;" in row and " for age)" in row, row
    assert handler_name() == OURS
    before = C.alloc_cache_info()
    a = np.empty(128 << 10, np.uint8)
    assert handler_name(a) == OURS and delta(before, "live_blocks") == 1
    b = np.empty((128 << 10) - 1, np.uint8)  # below: malloc's (glibc's heap serves those)
    assert handler_name(b) == OURS and delta(before, "live_blocks") == 1
    del a, b
    assert handler_name(np.empty(10, np.uint8)) == OURS  # small ones: our handler, plain malloc


def test_freed_block_is_reused_by_size_class(cache):
    n = 4 * MIB
    before = C.alloc_cache_info()
    a = np.empty(n, np.uint8)
    p = addr(a)
    assert p % (2 * MIB) == 0  # whole huge pages
    assert (delta(before, "misses"), delta(before, "live_blocks")) == (1, 1)
    del a
    assert (delta(before, "cached_blocks"), delta(before, "cached_bytes")) == (1, n)
    b = np.empty(n - 100_000, np.uint8)  # the same class (n rounded up to 1/8 of 2^21 steps)
    assert addr(b) == p and delta(before, "hits") == 1
    del b
    c = np.empty(2 * MIB, np.uint8)  # a smaller class: never handed a much larger block
    assert addr(c) != p and delta(before, "misses") == 2 and delta(before, "hits") == 1
    small = np.empty(MIB - 1, np.uint8)  # below the threshold: malloc's
    assert delta(before, "live_blocks") == 1
    del c, small
    assert delta(before, "live_blocks") == 0


def test_class_bytes_bound_the_slack():
    # Through the cache: a fresh block's capacity is n's class; check the bound on many sizes.
    C._alloc_cache_configure(MIB, 64 * MIB)
    try:
        C.alloc_cache_clear()
        rng = np.random.default_rng(0)
        for n in list(rng.integers(MIB, 40 * MIB, 20)) + [MIB, 2 * MIB, 2 * MIB + 1, 4 * MIB - 1]:
            before = C.alloc_cache_info()
            a = np.empty(int(n), np.uint8)
            cap = delta(before, "live_bytes")
            assert n <= cap <= n + n / 8 + 4096 and cap % 4096 == 0, (n, cap)
            del a
    finally:
        C.alloc_cache_clear()
        C._alloc_cache_configure(MIB, 1 << 30)


def test_zeros_from_a_reused_block_are_zero(cache):
    n = 3 * MIB // 4
    a = np.empty(n, np.float32)
    a.fill(7.0)
    p = addr(a)
    del a
    before = C.alloc_cache_info()
    z = np.zeros(n, np.float32)  # calloc: the cached block, cleared
    assert addr(z) == p and delta(before, "hits") == 1
    assert not z.any()


def test_resize_keeps_the_content(cache):
    n = MIB  # 4 MiB of float32
    a = np.arange(n, dtype=np.float32)
    p = addr(a)
    a.resize(n - 1000, refcheck=False)  # same class: the block stays
    assert addr(a) == p
    np.testing.assert_array_equal(a, np.arange(n - 1000, dtype=np.float32))
    a.resize(3 * n, refcheck=False)  # a larger class: moved, content kept, the rest zero
    np.testing.assert_array_equal(a[:n - 1000], np.arange(n - 1000, dtype=np.float32))
    assert not a[n - 1000:].any()
    a.resize(1000, refcheck=False)  # below the threshold: back to malloc, content kept
    np.testing.assert_array_equal(a, np.arange(1000, dtype=np.float32))
    b = np.arange(1000, dtype=np.float32)  # malloc's block grown large: stays malloc's
    before = C.alloc_cache_info()
    b.resize(2 * n, refcheck=False)
    np.testing.assert_array_equal(b[:1000], np.arange(1000, dtype=np.float32))
    assert not b[1000:].any() and delta(before, "live_blocks") == 0
    del a, b


def test_cap_is_respected_oldest_evicted_first(cache):
    C._alloc_cache_configure(MIB, 6 * MIB)
    arrays = [np.empty(2 * MIB, np.uint8) for _ in range(6)]
    addrs = [addr(a) for a in arrays]
    before = C.alloc_cache_info()
    for i in range(6):  # freed in order: the first three go when the last three come
        arrays[i] = None
        assert C.alloc_cache_info()["cached_bytes"] <= 6 * MIB
    info = C.alloc_cache_info()
    assert (info["cached_blocks"], info["cached_bytes"]) == (3, 6 * MIB)
    assert delta(before, "evictions") == 3
    again = [np.empty(2 * MIB, np.uint8) for _ in range(3)]
    assert sorted(addr(a) for a in again) == sorted(addrs[3:])
    big = np.empty(7 * MIB, np.uint8)  # larger than the cap: unmapped when freed, not kept
    del big
    assert C.alloc_cache_info()["cached_bytes"] == 0
    del again


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="RSS read from /proc (Linux)")
def test_unused_block_is_given_back_after_the_age_limit(cache):
    """Note [cache age limit]: a one-off large temporary does not stay mapped until the cap."""
    C._alloc_cache_configure(MIB, 64 * MIB, 0.2)
    a = np.ones(32 * MIB, np.uint8)  # touched: resident
    del a
    assert C.alloc_cache_info()["cached_bytes"] == 32 * MIB
    time.sleep(0.3)
    before, rss = C.alloc_cache_info(), rss_bytes()
    assert before["cached_bytes"] == 32 * MIB  # nothing expires without a take or release
    b = np.empty(2 * MIB, np.uint8)  # another class, untouched: the take unmaps the old block
    assert (delta(before, "expired"), delta(before, "evictions"), delta(before, "misses")) == (1, 1, 1)
    info = C.alloc_cache_info()
    assert (info["cached_bytes"], info["cached_blocks"]) == (0, 0)
    assert rss - rss_bytes() >= 24 * MIB  # the pages really went back
    c = np.empty(4 * MIB, np.uint8)
    del c  # kept: young
    time.sleep(0.3)
    before = C.alloc_cache_info()
    del b  # a release expires too: c's block goes, b's is kept
    info = C.alloc_cache_info()
    assert (delta(before, "expired"), info["cached_blocks"], info["cached_bytes"]) == (1, 1, 2 * MIB)
    time.sleep(0.3)
    C._alloc_cache_configure(MIB, 64 * MIB, 0.25)  # configuring applies the limit at once
    assert C.alloc_cache_info()["cached_bytes"] == 0 and delta(before, "expired") == 2


def test_reuse_within_the_age_limit_still_hits(cache):
    """A training step retakes its blocks within milliseconds: every step after the first hits."""
    C._alloc_cache_configure(MIB, 64 * MIB, 1.0)
    before = C.alloc_cache_info()
    sizes = [2 * MIB, 4 * MIB, 6 * MIB + 4096]
    for step in range(15):
        arrays = [np.full(n, step, np.uint8) for n in sizes]
        assert all((a[::4096] == step).all() for a in arrays)  # strided: small temporaries
        del arrays
        time.sleep(0.01)
    assert (delta(before, "misses"), delta(before, "hits")) == (3, 3 * 14)
    assert delta(before, "expired") == 0 and delta(before, "evictions") == 0
    assert delta(before, "cached_blocks") == 3


def test_cap_and_age_evictions_keep_the_counts_consistent(cache):
    C._alloc_cache_configure(MIB, 6 * MIB, 0.3)
    arrays = [np.empty(2 * MIB, np.uint8) for _ in range(5)]
    before = C.alloc_cache_info()
    del arrays[:4]  # four freed, three fit: one evicted for the cap
    info = C.alloc_cache_info()
    assert (info["cached_blocks"], info["cached_bytes"]) == (3, 6 * MIB)
    assert (delta(before, "evictions"), delta(before, "expired")) == (1, 0)
    time.sleep(0.4)
    del arrays  # its release expires the three: only it is held
    info = C.alloc_cache_info()
    assert (info["cached_blocks"], info["cached_bytes"], info["live_blocks"]) == (
        1, 2 * MIB, before["live_blocks"] - 5)
    assert (delta(before, "evictions"), delta(before, "expired")) == (4, 3)
    again = np.empty(2 * MIB, np.uint8)  # young: reused
    assert delta(before, "hits") == 1 and C.alloc_cache_info()["cached_bytes"] == 0
    del again


def test_clear_session_and_clear_alloc_cache_empty_it(cache):
    a = np.empty(8 * MIB, np.uint8)
    del a
    assert C.alloc_cache_info()["cached_bytes"] == 8 * MIB
    K.clear_session()
    assert C.alloc_cache_info()["cached_bytes"] == 0
    a = np.empty(8 * MIB, np.uint8)
    del a
    K.clear_alloc_cache()
    assert C.alloc_cache_info()["cached_blocks"] == 0


def test_arrays_of_other_handlers_are_freed_by_their_own(cache):
    C._alloc_cache_uninstall()
    assert handler_name() == "default_allocator"
    before_install = np.ones(4 * MIB, np.uint8)  # NumPy's default handler
    C.alloc_cache_install()
    ours = np.full(4 * MIB, 3, np.uint8)
    assert (handler_name(before_install), handler_name(ours)) == ("default_allocator", OURS)
    C._alloc_cache_uninstall()
    after = np.full(4 * MIB, 5, np.uint8)
    assert handler_name(after) == "default_allocator"
    before = C.alloc_cache_info()
    del ours  # ours, though the default handler is current: back into the cache
    assert delta(before, "cached_blocks") == 1 and delta(before, "live_blocks") == -1
    C.alloc_cache_install()
    del before_install, after  # the default handler's, though ours is current: not ours
    assert delta(before, "cached_blocks") == 1
    again = np.empty(4 * MIB, np.uint8)
    assert delta(before, "hits") == 1
    del again


def test_new_threads_start_with_numpys_default_until_enabled():
    """Note [allocator context]: NumPy's handler lives in a context variable, and a thread starts
    with an empty context (before Python 3.14's thread_inherit_context)."""
    seen = {}

    def work():
        seen["start"] = handler_name()
        seen["enabled"] = tf.backend.enable_alloc_cache()
        seen["after"] = handler_name(np.empty(2 * MIB, np.uint8))

    t = threading.Thread(target=work)
    t.start()
    t.join()
    inherits = bool(getattr(sys.flags, "thread_inherit_context", 0))
    assert seen["start"] == (OURS if inherits else "default_allocator")
    assert seen["enabled"] is True and seen["after"] == OURS


def test_many_threads_allocate_and_free_concurrently(cache):
    C._alloc_cache_configure(MIB, 24 * MIB)  # small cap: evictions race with reuse too
    errors = []
    start = C.alloc_cache_info()

    def work(tid):
        try:
            tf.backend.enable_alloc_cache()
            rng = np.random.default_rng(tid)
            held = []
            for i in range(150):
                n = int(rng.choice([1000, 300_000, MIB, 2 * MIB + 4096, 5 * MIB]))
                a = np.full(n, (tid * 31 + i) % 251, np.uint8)
                held.append((a, (tid * 31 + i) % 251))
                if len(held) > 3:  # another thread handed the same block would break this
                    b, v = held.pop(int(rng.integers(len(held))))
                    if not (b == v).all():
                        errors.append(f"thread {tid}: a block changed under it")
                        return
            for b, v in held:
                if not (b == v).all():
                    errors.append(f"thread {tid}: a block changed under it")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    end = C.alloc_cache_info()
    assert end["live_blocks"] == start["live_blocks"]
    assert end["hits"] > start["hits"] and end["cached_bytes"] <= 24 * MIB


def test_disabled_by_environment():
    code = ("import numpy as np, tensorforge as tf; from tensorforge import _native; "
            "i = _native._C.alloc_cache_info(); "
            "m = np._core.multiarray if np.__version__[0] >= '2' else np.core.multiarray; "
            "print(i['available'], i['installed'], m.get_handler_name(np.empty(1 << 23, np.uint8))); "
            "print(tf.backend_info(print_it=False)['alloc_cache'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=subprocess_env({"TENSORFORGE_ALLOC_CACHE": "0"}))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "False False default_allocator"
    assert lines[1] == "off (TENSORFORGE_ALLOC_CACHE=0)"


def test_training_loop_installs_it_in_a_new_thread():
    seen = {}

    def fit():
        seen["before"] = handler_name()
        m = tf.models.Sequential([tf.layers.Dense(4, input_shape=(8,))])
        m.compile("sgd", "mse")
        x = np.ones((64, 8), np.float32)
        m.fit(x, x[:, :4], batch_size=16, epochs=1, verbose=0)
        seen["after"] = handler_name()
        C._alloc_cache_uninstall()
        seen["over_default"] = C.alloc_cache_install(over_default_only=True)  # over the default: yes
        seen["again"] = handler_name()

    t = threading.Thread(target=fit)
    t.start()
    t.join()
    inherits = bool(getattr(sys.flags, "thread_inherit_context", 0))
    assert seen["before"] == (OURS if inherits else "default_allocator")
    assert seen["after"] == OURS and seen["over_default"] is True and seen["again"] == OURS


def test_a_new_block_keeps_the_mapped_total_within_the_live_peak(cache):
    """Note [cache within the live peak]: a block freed in one size class is unmapped when a
    request of another would take live + held above the most live bytes reached; blocks that
    fit are still handed out again."""
    base = C.alloc_cache_info()
    assert base["peak_live_bytes"] == base["live_bytes"]  # cleared: the peak starts again
    a = np.empty(8 * MIB, np.uint8)
    assert C.alloc_cache_info()["peak_live_bytes"] == base["live_bytes"] + 8 * MIB
    del a  # held: the live bytes are back where they were
    b = np.empty(4 * MIB, np.uint8)  # another class: 8 held + 4 new would pass the peak
    info = C.alloc_cache_info()
    assert (info["cached_bytes"], delta(base, "evictions"), delta(base, "misses")) == (0, 1, 2)
    c = np.empty(4 * MIB, np.uint8)  # 8 MiB live again: the peak, nothing held to give back
    del b, c  # both held: 8 MiB, within the peak
    info = C.alloc_cache_info()
    assert (info["cached_bytes"], info["peak_live_bytes"] - base["live_bytes"]) == (8 * MIB,) * 2
    d, e = np.empty(4 * MIB, np.uint8), np.empty(4 * MIB, np.uint8)
    assert (delta(base, "hits"), delta(base, "misses"), delta(base, "evictions")) == (2, 3, 1)
    del d, e
