"""TensorFlow 2.21's tf.train.CheckpointManager under checkpoint_interval and
keep_checkpoint_every_n_hours (with a fake clock), for tests/test_tf_checkpoint.py
(tests/data/ckpt_manager_refs.json; scenarios in tests/ckpt_manager_cases.py). Run with the
Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_ckpt_manager_refs.py
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
from tensorflow.python.checkpoint import checkpoint_management as cm  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import ckpt_manager_cases as C  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "ckpt_manager_refs.json")


def main():
    clock = [C.T0]
    real = cm.time.time
    cm.time.time = lambda: clock[0]
    try:
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            out = {"interval": C.interval(tf, d1),
                   "hours": C.hours(tf, d2, lambda t: clock.__setitem__(0, t))}
    finally:
        cm.time.time = real
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
