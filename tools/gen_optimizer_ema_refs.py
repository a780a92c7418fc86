"""tf_keras 2.21's weights after fit / apply_gradients with use_ema=True, for
tests/test_optimizer_ema.py (tests/data/optimizer_ema_refs.npz). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_optimizer_ema_refs.py
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import ema_models as M  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "optimizer_ema_refs.npz")


def main():
    x, y = M.data()
    r = np.random.RandomState(0)
    w0 = [(0.5 * r.randn(*w.shape)).astype("float32") for w in M.model(keras).get_weights()]
    out = {f"w0_{i}": w for i, w in enumerate(w0)}
    for name, (cls, kw) in M.CASES.items():
        m = M.model(keras, w0)
        m.compile(getattr(keras.optimizers, cls)(**kw), "mse")
        h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        out[f"{name}/loss"] = np.array(h.history["loss"], np.float32)
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/fit_{i}"] = w
        # a hand loop: five apply_gradients, the weights before and after finalize
        m, opt = M.hand_loop(tf, keras, name, w0)
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/loop_{i}"] = w
        opt.finalize_variable_values(m.trainable_variables)
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/final_{i}"] = w
    np.savez(OUT, **out)
    print("wrote", OUT, len(out), "arrays")


if __name__ == "__main__":
    main()
