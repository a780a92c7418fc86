"""Generate tests/data/keras_layer_robustness.json: what Keras 2 (tf_keras) does with every
layer recipe of tests/layer_recipes.py under each bad-input probe (wrong rank, last axis changed
after build, zero batch, NaN/inf, strings, complex, object arrays) and each absurd constructor
argument: the output shape, or the error class and message (the oracle for
tests/test_layer_robustness.py).

    ulimit -v 10000000; /work/keras-venv/bin/python tools/gen_layer_robustness_refs.py
    ... gen_layer_robustness_refs.py Identity EinsumDense   # only these recipes, merged into
                                                            # the existing file

(the memory limit turns an attempt at a huge allocation into a quick error on the Keras side.)
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import layer_recipes as R  # noqa: E402


# Probes Keras 2 grinds through for minutes (it builds the multi-GB output piecewise).
SLOW = {(n, b): "not run: Keras 2 spends minutes building the multi-GB output"
        for n in ("UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
                  "ZeroPadding2D", "ZeroPadding3D")
        for b in ("size_huge", "padding_huge")}


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf_keras as keras
    tf.config.set_visible_devices([], "GPU")
    keras.utils.set_random_seed(0)
    L = keras.layers
    path = os.path.join(HERE, "..", "tests", "data", "keras_layer_robustness.json")
    only = sys.argv[1:]
    out = {"keras_version": keras.__version__, "probes": {}, "bad": {}}
    if only:
        with open(path) as f:
            out = json.load(f)
    for name in sorted(only or R.RECIPES):
        out["probes"][name] = {p: R.run_probe(L, name, p, np) for p in R.PROBES}
        out["bad"][name] = {b: R.run_bad_argument(L, name, b, np) if (name, b) not in SLOW
                            else {"ok": False, "stage": "call", "error": "not run",
                                  "message": SLOW[(name, b)]}
                            for b in sorted(R.RECIPES[name].get("bad", {}))}
        print(name, {p: (o or {}).get("error", (o or {}).get("shape")) for p, o in
                     out["probes"][name].items()}, flush=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
