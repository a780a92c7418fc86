"""Keras 2's (tf_keras 2.21) figures for layers' ``activity_regularizer=``, for
tests/test_activity_regularizer.py (tests/data/activity_reg_refs.npz). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_activity_reg_refs.py

Each case builds a small model, sets its weights from a seeded NumPy generator (saved), and
records the layer losses of one call, one legacy-SGD train_on_batch (loss, weights after) and an
evaluate. The test builds the same models in tensorforge from the saved weights.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import sys  # noqa: E402

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers, regularizers  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import activity_reg_models as M  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "activity_reg_refs.npz")


DATA = {
    "dense_softmax": (lambda r: r.randn(6, 5).astype("float32"),
                      lambda r: np.eye(3, dtype="float32")[r.randint(0, 3, 6)]),
    "lstm_states": (lambda r: r.randn(5, 4, 3).astype("float32"),
                    lambda r: r.randn(5, 1).astype("float32")),
    "conv_l1l2": (lambda r: r.randn(4, 6, 6, 2).astype("float32"),
                  lambda r: r.randn(4, 1).astype("float32")),
    "embedding_l1": (lambda r: r.randint(0, 10, (6, 5)).astype("int32"),
                     lambda r: r.randint(0, 2, (6, 1)).astype("float32")),
}


def main():
    out = {}
    for name, (build, loss) in M.CASES.items():
        make_x, make_y = DATA[name]
        r = np.random.RandomState(len(name))
        model = build(keras, layers, regularizers)
        ws = [(0.5 * r.randn(*w.shape)).astype("float32") for w in model.get_weights()]
        model.set_weights(ws)
        x, y = make_x(r), make_y(r)
        model(x)
        out[f"{name}/call_losses"] = np.array([float(v) for v in model.losses], np.float32)
        model.compile(keras.optimizers.legacy.SGD(learning_rate=0.1), loss)
        out[f"{name}/train_loss"] = np.float32(model.train_on_batch(x, y))
        out[f"{name}/eval_loss"] = np.float32(model.evaluate(x, y, verbose=0))
        for i, w in enumerate(ws):
            out[f"{name}/w{i}"] = w
        for i, w in enumerate(model.get_weights()):
            out[f"{name}/after{i}"] = w
        out[f"{name}/x"], out[f"{name}/y"] = x, y
    # wrappers call the wrapped layer whole: its terms over (batch x time) rows, one per direction
    x = np.random.RandomState(0).randn(2, 3, 4).astype("float32")
    td, bi = M.wrapped(layers, regularizers)
    td(x)
    bi(x)
    out["wrappers/x"] = x
    out["wrappers/time_distributed"] = np.array([float(v) for v in td.losses], np.float32)
    out["wrappers/bidirectional"] = np.array([float(v) for v in bi.losses], np.float32)
    # a model written by Keras 2 with activity regularizers, read back by tensorforge
    out["json/dense_softmax"] = np.array(M.dense_softmax(keras, layers, regularizers).to_json())
    np.savez(OUT, **out)
    print("wrote", OUT, len(out), "arrays")


if __name__ == "__main__":
    main()
