"""TensorFlow 2.21's losses and gradients through complex tensors for the cases of
tests/complex_grad_cases.py (tests/data/complex_grad_refs.npz). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_complex_grad_refs.py
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import complex_grad_cases as C  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "data", "complex_grad_refs.npz")


def main():
    out = {}
    for name in C.CASES:
        loss, ga, gb = C.run(tf, name)
        out[f"{name}/loss"] = loss
        for k, g in (("a", ga), ("b", gb)):
            if g is not None:
                out[f"{name}/d{k}"] = g
    np.savez(OUT, **out)
    print("wrote", OUT, len(C.CASES), "cases")


if __name__ == "__main__":
    main()
