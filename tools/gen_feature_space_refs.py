"""tf_keras 2.21's FeatureSpace outputs, for tests/test_feature_space.py
(tests/data/feature_space_refs.npz; scenario in tests/feature_space_cases.py). Run with the Keras
2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_feature_space_refs.py
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tf_keras.utils import FeatureSpace  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import feature_space_cases as C  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "feature_space_refs.npz")


def main():
    out = C.run(tf, FeatureSpace)
    out.update({f"crossed/{k}": v for k, v in C.run(tf, FeatureSpace, crosses=True).items()})
    np.savez(OUT, **out)
    print({k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main()
