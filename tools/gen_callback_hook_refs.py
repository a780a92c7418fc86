"""tf_keras 2.21's callback hooks during evaluate / predict / fit's validation, for
tests/test_callback_hooks.py (tests/data/callback_hook_refs.json). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_callback_hook_refs.py
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import callback_hook_cases as C  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "callback_hook_refs.json")


def main():
    r = np.random.RandomState(1)
    weights = [r.randn(4, 1).astype("float32"), r.randn(1).astype("float32")]
    out = {"weights": [w.tolist() for w in weights],
           "events": {n: C.run(keras, n, weights) for n in C.SCENARIOS}}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=0)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
