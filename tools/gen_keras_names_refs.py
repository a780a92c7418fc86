"""Keras 2's values for the metric classes, regularizer configs and optimizer namespace that
tests/test_keras_names.py checks (tests/data/keras_names_refs.json). Run with the Keras 2
oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_keras_names_refs.py
"""
import json
import os

import numpy as np
import tf_keras as keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "keras_names_refs.json")
Y_TRUE = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
Y_PRED = [[0.2, 0.7, 0.4], [0.9, 0.3, 0.05]]
WEIGHTS = [1.0, 0.5]
METRICS = ["Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "LogCoshError", "Poisson"]


def main():
    ref = {"metrics": {}, "regularizers": {}}
    for name in METRICS:
        m = getattr(keras.metrics, name)()
        m.update_state(np.array(Y_TRUE), np.array(Y_PRED), sample_weight=np.array(WEIGHTS))
        m.update_state(np.array(Y_TRUE[:1]), np.array(Y_PRED[1:]))
        ref["metrics"][name] = {"name": m.name, "result": float(m.result().numpy())}
    for expr in ("keras.regularizers.L2(0.003)", "keras.regularizers.l2(0.003)",
                 "keras.regularizers.L1(l1=0.2)", "keras.regularizers.l1_l2(0.1, 0.2)"):
        r = eval(expr)  # noqa: S307
        w = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.0
        ref["regularizers"][expr] = {"class": type(r).__name__, "config": r.get_config(),
                                     "penalty": float(r(w).numpy())}
    ref["legacy_optimizers"] = sorted(n for n in dir(keras.optimizers.legacy)
                                      if n[0].isupper() and n != "Optimizer")
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
