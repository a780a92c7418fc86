"""TensorFlow 2.21's tf.feature_column + tf_keras DenseFeatures outputs, for
tests/test_feature_column.py (tests/data/feature_column_refs.npz). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_feature_column_refs.py
Embedding tables are drawn by TensorFlow; the file records them (by weight name order) and the
outputs they give, and the test sets its own tables to them.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import feature_column_cases as C  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "feature_column_refs.npz")


def main():
    feats = C.features()
    out, meta = {}, {}
    for name, cols in C.columns(tf).items():
        layer = keras.layers.DenseFeatures(cols)
        inp = {k: tf.constant(v.astype(str) if v.dtype == object else v) for k, v in feats.items()}
        y = layer(inp).numpy()
        out[f"{name}/out"] = y
        for i, w in enumerate(layer.weights):
            out[f"{name}/w{i}"] = w.numpy()
        meta[name] = {"weights": [w.name for w in layer.weights],
                      "names": [c.name for c in cols]}
    out["meta"] = np.array(json.dumps(meta))
    out["functional_json"] = np.array(C.functional(tf, keras).to_json())
    np.savez(OUT, **out)
    print(json.dumps(meta, indent=1))
    for k in out:
        if k.endswith("/out"):
            print(k, out[k].shape)


if __name__ == "__main__":
    main()
