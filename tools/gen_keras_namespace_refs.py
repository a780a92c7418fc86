"""The public names of tf_keras 2's namespaces (keras.layers, keras.backend, keras.callbacks,
...) that tests/test_keras_namespaces.py checks tensorforge for (tests/data/
keras_namespace_names.json). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_keras_namespace_refs.py
"""
import json
import os

import tf_keras as keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "keras_namespace_names.json")
NAMESPACES = ["", "layers", "backend", "callbacks", "utils", "losses", "metrics", "optimizers",
              "initializers", "regularizers", "constraints", "activations", "models",
              "preprocessing", "preprocessing.image", "preprocessing.sequence",
              "preprocessing.text", "datasets", "applications", "optimizers.schedules",
              "optimizers.legacy", "layers.experimental", "layers.experimental.preprocessing",
              "mixed_precision", "saving", "experimental"]


def main():
    out = {"tf_keras": keras.__version__, "namespaces": {}}
    for ns in NAMESPACES:
        mod = keras
        for part in filter(None, ns.split(".")):
            mod = getattr(mod, part)
        out["namespaces"][ns] = sorted(n for n in dir(mod) if not n.startswith("_"))
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
