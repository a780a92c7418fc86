"""Records TensorFlow's results for tools/compat_v1_cases.py into
tests/data/compat_v1_refs.json (run with TensorFlow 2 and tf_keras installed):

    /work/keras-venv/bin/python tools/gen_compat_v1_refs.py
"""
import json
import os

import tensorflow as tf
import tf_keras as keras

from compat_v1_cases import CASES, OPTIMIZERS, optimizer_run, results

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out = {"tensorflow": tf.__version__, "tf_keras": keras.__version__, "cases": {},
           "optimizers": {}}
    for name, fn in CASES.items():
        out["cases"][name] = results(fn(tf))
    for name in OPTIMIZERS:
        out["optimizers"][name] = optimizer_run(keras, tf, name)
    path = os.path.join(os.path.dirname(HERE), "tests", "data", "compat_v1_refs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print(path, len(out["cases"]), "cases,", len(out["optimizers"]), "optimizers")


if __name__ == "__main__":
    main()
