"""TensorFlow 2.21's tf.train.CheckpointManager under checkpoint_interval and
keep_checkpoint_every_n_hours (with a fake clock), for tests/test_tf_checkpoint.py
(tests/data/ckpt_manager_refs.json). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_ckpt_manager_refs.py
"""
import json
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
from tensorflow.python.checkpoint import checkpoint_management as cm  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "ckpt_manager_refs.json")
# the fake clock: seconds after T0 at which each save happens (hours = 1, max_to_keep = 2)
T0, TIMES = 1_000_000.0, [0, 1000, 2000, 4000, 5000, 9000, 9100, 9200]


def interval_case():
    with tempfile.TemporaryDirectory() as d:
        step = tf.Variable(0, dtype=tf.int64)
        ck = tf.train.Checkpoint(step=step, w=tf.Variable(1.0))
        mgr = tf.train.CheckpointManager(ck, d, max_to_keep=None, step_counter=step,
                                         checkpoint_interval=3)
        got = []
        for s in [0, 1, 2, 3, 3, 5, 6, 7, 9, 10]:
            step.assign(s)
            p = mgr.save()
            got.append(None if p is None else os.path.basename(p))
        forced = mgr.save(check_interval=False)  # step 10 again: skipped even so
        step.assign(11)
        forced2 = mgr.save(check_interval=False)
        return {"saves": got, "forced_same_step": None if forced is None else os.path.basename(forced),
                "forced": os.path.basename(forced2), "checkpoints":
                [os.path.basename(p) for p in mgr.checkpoints]}


def hours_case():
    clock = [T0]
    real = cm.time.time
    cm.time.time = lambda: clock[0]
    try:
        with tempfile.TemporaryDirectory() as d:
            ck = tf.train.Checkpoint(w=tf.Variable(1.0))
            mgr = tf.train.CheckpointManager(ck, d, max_to_keep=2,
                                             keep_checkpoint_every_n_hours=1)
            for t in TIMES:
                clock[0] = T0 + t
                mgr.save()
            on_disk = sorted(f[:-len(".index")] for f in os.listdir(d) if f.endswith(".index"))
            managed = [os.path.basename(p) for p in mgr.checkpoints]
            # a new manager over the directory: what it manages
            again = tf.train.CheckpointManager(ck, d, max_to_keep=2,
                                               keep_checkpoint_every_n_hours=1)
            return {"on_disk": on_disk, "managed": managed,
                    "reopened": [os.path.basename(p) for p in again.checkpoints],
                    "latest": os.path.basename(again.latest_checkpoint)}
    finally:
        cm.time.time = real


def main():
    out = {"T0": T0, "times": TIMES, "interval": interval_case(), "hours": hours_case()}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
