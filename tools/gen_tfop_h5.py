"""TFOpLambda interop fixtures: functional models whose graphs hold TF ops on symbolic tensors.

    /work/keras-venv/bin/python tools/gen_tfop_h5.py gen            # tf_keras: tests/data/tfop_*.h5
    PYTHONPATH=python python3 tools/gen_tfop_h5.py write DIR         # tensorforge saves DIR/*.h5
    /work/keras-venv/bin/python tools/gen_tfop_h5.py check DIR      # tf_keras loads DIR/*.h5

The same model code (tests/tfop_models.py) runs under both libraries (``k``: tf_keras or tensorforge.keras, ``tf``:
tensorflow or tensorforge), weights set to fixed values. ``gen`` saves tf_keras' models as the
fixtures tests/test_tfop_interop.py loads, and writes (and prints) tests/data/tfop_refs.json: their
predictions on ``INPUTS``, layers (name, class, output shape), summary text, and each op layer's
name, class, config ``function`` and inbound node (the figures the test compares with);
``write`` saves tensorforge's, ``check`` loads them in tf_keras and compares its predictions with
the figures tensorforge printed (max abs difference) and prints the summary tf_keras shows.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from tfop_models import INPUTS, MODELS, build  # noqa: E402


def _preds(m, name):
    x = INPUTS[name]
    p = m.predict(x if len(x) > 1 else x[0], verbose=0)
    return p if isinstance(p, list) else [p]


def _op_layers(cfg):
    return [[l["name"], l["class_name"], l["config"]["function"], l["inbound_nodes"]]
            for l in cfg["layers"] if l["class_name"] in ("TFOpLambda", "SlicingOpLambda")]


def gen():
    import tensorflow as tf
    import tf_keras as k
    refs = {}
    for name in MODELS:
        k.backend.clear_session()
        m = build(name, k, tf)
        m.save(os.path.join(DATA, f"tfop_{name}.h5"))
        lines = []
        m.summary(print_fn=lines.append)
        refs[name] = {
            "preds": [np.round(p, 6).tolist() for p in _preds(m, name)],
            "layers": [[l.name, type(l).__name__, list(l.output_shape)] for l in m.layers],
            "ops": _op_layers(m.get_config()), "summary": "\n".join(lines)}
        print(f"== {name}\n" + json.dumps(refs[name]))
    with open(os.path.join(DATA, "tfop_refs.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(n)}: {json.dumps(r)}" for n, r in refs.items())
                + "\n}\n")


def write(d):
    sys.path.insert(0, os.path.join(HERE, "..", "python"))
    import tensorforge as tf
    from tensorforge import keras as k
    os.makedirs(d, exist_ok=True)
    for name in MODELS:
        k.backend.clear_session()
        m = build(name, k, tf)
        m.save(os.path.join(d, f"{name}.h5"))
        np.savez(os.path.join(d, f"{name}.npz"), *_preds(m, name))
        print("wrote", name)


def check(d):
    import tf_keras as k
    worst = 0.0
    for name in MODELS:
        m = k.models.load_model(os.path.join(d, f"{name}.h5"))
        z = np.load(os.path.join(d, f"{name}.npz"))
        ours = [z[f"arr_{i}"] for i in range(len(z.files))]
        theirs = _preds(m, name)
        err = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs))
        worst = max(worst, err)
        print(f"{name}: tf_keras loads tensorforge's file, {len(m.layers)} layers, "
              f"max |tf_keras - tensorforge| = {err:.3g}")
        m.summary(line_length=100)
    print("worst", worst)


if __name__ == "__main__":
    {"gen": lambda: gen(), "write": lambda: write(sys.argv[2]),
     "check": lambda: check(sys.argv[2])}[sys.argv[1]]()
