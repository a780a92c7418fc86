"""The CheckpointManager scenarios of tests/test_tf_checkpoint.py, written once for the test
(tensorforge) and tools/gen_ckpt_manager_refs.py (TensorFlow 2.21)."""
import os

# the fake clock: seconds after T0 at which each save happens (hours = 1, max_to_keep = 2)
T0, TIMES = 1_000_000.0, [0, 1000, 2000, 4000, 5000, 9000, 9100, 9200]


def _base(p):
    return None if p is None else os.path.basename(p)


def interval(tf, directory):
    """checkpoint_interval=3 over a run of steps, then two check_interval=False saves."""
    step = tf.Variable(0, dtype=tf.int64)
    ck = tf.train.Checkpoint(step=step, w=tf.Variable(1.0))
    mgr = tf.train.CheckpointManager(ck, directory, max_to_keep=None, step_counter=step,
                                     checkpoint_interval=3)
    got = []
    for s in [0, 1, 2, 3, 3, 5, 6, 7, 9, 10]:
        step.assign(s)
        got.append(_base(mgr.save()))
    forced = _base(mgr.save(check_interval=False))  # not the last saved step: saved
    step.assign(11)
    forced2 = _base(mgr.save(check_interval=False))
    return {"saves": got, "forced_same_step": forced, "forced": forced2,
            "checkpoints": [_base(p) for p in mgr.checkpoints]}


def hours(tf, directory, set_clock):
    """max_to_keep=2, keep_checkpoint_every_n_hours=1, saves at TIMES on a fake clock."""
    ck = tf.train.Checkpoint(w=tf.Variable(1.0))
    mgr = tf.train.CheckpointManager(ck, directory, max_to_keep=2,
                                     keep_checkpoint_every_n_hours=1)
    for t in TIMES:
        set_clock(T0 + t)
        mgr.save()
    on_disk = sorted(f[:-len(".index")] for f in os.listdir(directory) if f.endswith(".index"))
    again = tf.train.CheckpointManager(ck, directory, max_to_keep=2,
                                       keep_checkpoint_every_n_hours=1)
    return {"on_disk": on_disk, "managed": [_base(p) for p in mgr.checkpoints],
            "reopened": [_base(p) for p in again.checkpoints],
            "latest": _base(again.latest_checkpoint)}
