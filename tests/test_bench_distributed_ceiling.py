"""`tensorforge bench distributed --ceiling`'s two plain processes meet before each timed round
through files (bench/distributed_profile.py, pair_barrier; also the 2p_b16 job of
bench/dist_profile_ab.py): neither passes before the other arrived, and
a partner that never comes is an error naming the round, not a hang."""
import os
import subprocess
import sys
import time

import pytest

from tensorforge.bench import distributed_profile as D

PY = os.path.join(os.path.dirname(__file__), "..", "python")
WAITER = ("import sys, time; from tensorforge.bench.distributed_profile import pair_barrier; "
          "time.sleep(float(sys.argv[2])); pair_barrier(sys.argv[1], 0); print(time.time())")


def _spawn(folder, delay):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(PY))
    return subprocess.Popen([sys.executable, "-c", WAITER, folder, str(delay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_pair_barrier_holds_the_early_process_until_the_late_one_arrives(tmp_path):
    early, late = _spawn(str(tmp_path), 0.0), _spawn(str(tmp_path), 3.0)
    outs = [p.communicate(timeout=60) for p in (early, late)]
    assert [p.returncode for p in (early, late)] == [0, 0], outs
    t_early, t_late = (float(o[0].strip()) for o in outs)
    # the early one left the barrier only once the late one (3 s later) had arrived
    assert abs(t_early - t_late) < 1.0, (t_early, t_late)
    assert sorted(f.split(".")[0] for f in os.listdir(tmp_path)) == ["r0", "r0"]


def test_pair_barrier_without_a_partner_raises_naming_the_round(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="round 3"):
        D.pair_barrier(str(tmp_path), 3, timeout=0.2)
    assert time.monotonic() - t0 < 5
