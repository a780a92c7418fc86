"""Every layer recipe of tests/test_save_roundtrip_all_layers.py, saved as .h5 by tensorforge,
loaded by real Keras 2 (tf_keras), and the reverse.

    PYTHONPATH=python python3 tools/check_sweep_h5_in_keras.py write DIR        # tensorforge
    /work/keras-venv/bin/python tools/check_sweep_h5_in_keras.py check DIR      # tf_keras
    PYTHONPATH=python python3 tools/check_sweep_h5_in_keras.py readback DIR     # tensorforge

`write` saves each recipe's model (trained one step) as DIR/<name>.h5 with its inputs and
tensorforge's predictions (DIR/<name>.npz). `check` loads each file with
tf_keras.models.load_model, compares Keras' predictions with ours (max abs error), and saves the
model again from Keras as DIR/<name>.keras2.h5 with Keras' predictions (<name>.keras2.npz:
the fixtures of tests/test_save_roundtrip_all_layers.py's Keras-file tests are copies). `readback` loads those Keras-written files in
tensorforge and compares with the same predictions. A line per recipe: ok, or what went wrong.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _recipes():
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import test_save_roundtrip_all_layers as sweep
    return sweep


def write(d):
    sweep = _recipes()
    import tensorforge as tf
    for name in sorted(sweep.RECIPES):
        try:
            tf.utils.set_random_seed(0)
            case = sweep.RECIPES[name]()
            model, trains = sweep._build(case)
            y = np.zeros((sweep.N, 2), np.float32) + 0.5
            if trains:
                sweep._steps(model, case, y, 1)
            want = sweep._predict(model, case)
            model.save(os.path.join(d, name + ".h5"))
            np.savez(os.path.join(d, name + ".npz"), want=want, stateful=case["stateful"],
                     **{f"x{i}": x for i, x in enumerate(case["xs"])})
            print(f"{name:24s} written")
        except Exception as e:  # noqa: BLE001 -- a report line per recipe
            print(f"{name:24s} WRITE FAILED {type(e).__name__}: {str(e)[:200]}")


def _inputs(npz):
    xs = [npz[f"x{i}"] for i in range(sum(k.startswith("x") for k in npz.files))]
    return xs if len(xs) > 1 else xs[0]


def check(d):
    import tf_keras as keras

    def _lambda_double(t):
        return t * 2.0
    for f in sorted(os.listdir(d)):
        if not f.endswith(".h5") or f.endswith(".keras2.h5"):
            continue
        name = f[:-3]
        npz = np.load(os.path.join(d, name + ".npz"))
        try:
            m = keras.models.load_model(os.path.join(d, f),
                                        custom_objects={"_lambda_double": _lambda_double})
            got = np.asarray(m(_inputs(npz), training=False))
            err = float(np.max(np.abs(got.astype(np.float64) - npz["want"]))) \
                if got.shape == npz["want"].shape else f"shape {got.shape} vs {npz['want'].shape}"
            m.save(os.path.join(d, name + ".keras2.h5"))
            np.savez(os.path.join(d, name + ".keras2.npz"), want=got,
                     **{k: npz[k] for k in npz.files if k.startswith("x")})
            print(f"{name:24s} keras loads it, max |diff| {err}")
        except Exception as e:  # noqa: BLE001
            print(f"{name:24s} KERAS FAILED {type(e).__name__}: {str(e)[:300]}")


def readback(d):
    _recipes()
    import tensorforge as tf
    from test_save_roundtrip_all_layers import _lambda_double
    for f in sorted(os.listdir(d)):
        if not f.endswith(".keras2.h5"):
            continue
        name = f[:-len(".keras2.h5")]
        npz = np.load(os.path.join(d, name + ".npz"))
        try:
            m = tf.keras.models.load_model(os.path.join(d, f),
                                           custom_objects={"_lambda_double": _lambda_double})
            got = np.asarray(m(_inputs(npz), training=False).numpy())
            err = float(np.max(np.abs(got.astype(np.float64) - npz["want"]))) \
                if got.shape == npz["want"].shape else f"shape {got.shape} vs {npz['want'].shape}"
            print(f"{name:24s} tensorforge loads Keras' file, max |diff| {err}")
        except Exception as e:  # noqa: BLE001
            print(f"{name:24s} READBACK FAILED {type(e).__name__}: {str(e)[:300]}")


if __name__ == "__main__":
    {"write": write, "check": check, "readback": readback}[sys.argv[1]](sys.argv[2])
