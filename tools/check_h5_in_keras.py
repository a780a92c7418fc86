"""Check that .h5 files tensorforge writes load in real Keras 2 and predict the same.

    PYTHONPATH=python python3 tools/check_h5_in_keras.py write DIR     # tensorforge side
    /work/keras-venv/bin/python tools/check_h5_in_keras.py check DIR   # Keras 2 (tf_keras) side

`write` saves every zoo model (trained one step so the optimizer has state) and every Keras
fixture of tests/data/keras_h5 (loaded by us), with `save` and `save_weights`, plus inputs and
tensorforge's predictions; `check` loads each file with tf_keras.models.load_model (and
load_weights into the loaded model) and compares Keras' predictions with ours (max relative
error). For the zoo models it then trains one more step: Keras' predictions after it match ours
after the same step only when the optimizer state (Adam's moments, RMSprop's averages) was
restored.
"""
import os
import sys

import numpy as np


def write(d):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
    from tensorforge import zoo as cli
    r = np.random.default_rng(0)
    for name in cli.MODELS:
        m = cli.build_model(name)
        lay = cli.input_layout(name)
        shape = {"image": (28, 28, 1), "flat": (784,), "sequence": (28, 28)}[lay]
        x = r.random((8,) + shape).astype("float32")
        y = np.eye(10, dtype="float32")[r.integers(0, 10, 8)]
        m.train_on_batch(x, y)
        m.save(os.path.join(d, name + ".h5"))
        m.save_weights(os.path.join(d, name + "_weights.h5"))
        y0 = m.predict(x)
        m.train_on_batch(x, y)  # the step Keras must repeat from the restored optimizer state
        np.savez(os.path.join(d, name + ".npz"), x=x, y=y0, t=y, it=m.optimizer.iterations - 1,
                 y_next=m.predict(x), has_dropout=any("Dropout" in type(l).__name__
                                                      for l in m.layers))
        print("wrote", name)
    # the Keras-written fixtures (functional, Embedding(mask_zero) + BN, GRU both ways, ...),
    # loaded by tensorforge and written again by it
    from tensorforge import models
    fx = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras_h5")
    for f in sorted(os.listdir(fx)):
        if not f.endswith(".h5") or f.endswith("_weights.h5"):
            continue
        name = "fx_" + f[:-3]
        m = models.load_model(os.path.join(fx, f))
        stem = f[:-3]
        if not os.path.exists(os.path.join(fx, stem + ".npz")):  # cudnn_*_model.h5
            stem = stem[:-len("_model")]
        z = np.load(os.path.join(fx, stem + ".npz"))
        xs = [z[k] for k in sorted(z.files) if k.startswith("x")]
        x = xs if len(xs) > 1 else xs[0]
        m.save(os.path.join(d, name + ".h5"))
        m.save_weights(os.path.join(d, name + "_weights.h5"))
        y = m.predict(x)
        ys = {"y": y} if not isinstance(y, list) else {f"y{i or ''}": a for i, a in enumerate(y)}
        np.savez(os.path.join(d, name + ".npz"), it=m.optimizer.iterations if m.optimizer else 0,
                 **ys, **{k: z[k] for k in z.files if k.startswith("x")})
        print("wrote", name)


def check(d):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras
    bad = 0
    for f in sorted(os.listdir(d)):
        if not f.endswith(".npz"):
            continue
        name = f[:-4]
        z = np.load(os.path.join(d, f))
        m = keras.models.load_model(os.path.join(d, name + ".h5"))
        xs = [z[k] for k in sorted(z.files) if k.startswith("x")]
        x = xs if len(xs) > 1 else xs[0]
        def rel(yk):
            """Largest error beyond the tests' tolerance (atol 1e-6), relative to |y|: below
            1e-5 is np.allclose(rtol=1e-5, atol=1e-6)."""
            yk = yk if isinstance(yk, list) else [yk]
            return max(float(np.max(np.maximum(np.abs(a - z[k]) - 1e-6, 0) / np.abs(z[k])))
                       for a, k in zip(yk, ("y", "y1")))
        err = rel(m.predict(x, verbose=0))
        it = int(m.optimizer.iterations.numpy()) if m.optimizer is not None else 0
        m.load_weights(os.path.join(d, name + "_weights.h5"))
        err2 = rel(m.predict(x, verbose=0))
        if "t" not in z.files:  # a re-saved fixture: no training step to compare
            ok = err < 1e-5 and err2 < 1e-5 and it == int(z["it"])
            bad += not ok
            print(f"{name}: rel err {err:.2e} (weights file {err2:.2e}), optimizer "
                  f"{type(m.optimizer).__name__} iterations {it} {'OK' if ok else 'MISMATCH'}")
            continue
        m.train_on_batch(z["x"], z["t"])
        y_next = m.predict(z["x"], verbose=0)
        err3 = float(np.max(np.abs(y_next - z["y_next"]) / (np.abs(z["y_next"]) + 1e-6)))
        if z["has_dropout"]:
            err3 = 0.0  # the dropout masks of the two frameworks differ: no step comparison
        ok = err < 1e-5 and err2 < 1e-5 and it == int(z["it"]) and err3 < 1e-3
        bad += not ok
        print(f"{name}: rel err {err:.2e} (weights file {err2:.2e}), optimizer "
              f"{type(m.optimizer).__name__} iterations {it} (ours {int(z['it'])}), after one "
              f"more step {err3:.1e} "
              f"{'OK' if ok else 'MISMATCH'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
