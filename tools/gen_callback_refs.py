"""Generate tests/data/callback_refs.json: the learning rates tf_keras 2's ReduceLROnPlateau sets
for fixed sequences of monitored values (the oracle for tests/test_callbacks_extra.py).

    /work/keras-venv/bin/python tools/gen_callback_refs.py
"""
import json
import os

CASES = {
    "plateau": ({"monitor": "val_loss", "factor": 0.5, "patience": 2},
                [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8]),
    "cooldown_min_lr": ({"monitor": "val_loss", "factor": 0.1, "patience": 1, "cooldown": 2,
                         "min_lr": 0.0005},
                        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    "acc_auto_max_min_delta": ({"monitor": "val_acc", "factor": 0.2, "patience": 1,
                                "min_delta": 0.05},
                               [0.5, 0.52, 0.6, 0.61, 0.7, 0.7, 0.7]),
}
LR0 = 0.1


def main(out):
    import warnings
    warnings.filterwarnings("ignore")
    import tf_keras as keras

    class Model:  # what the callback touches
        stop_training = False

    res = {}
    for name, (kw, values) in CASES.items():
        m = Model()
        m.optimizer = keras.optimizers.legacy.SGD(learning_rate=LR0)
        cb = keras.callbacks.ReduceLROnPlateau(**kw)
        cb.set_model(m)
        cb.on_train_begin()
        lrs = []
        for epoch, v in enumerate(values):
            logs = {kw["monitor"]: v}
            cb.on_epoch_end(epoch, logs)
            lrs.append(float(keras.backend.get_value(m.optimizer.lr)))
        res[name] = lrs
    with open(out, "w") as f:
        json.dump({"cases": CASES, "lr0": LR0, "lrs": res}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(os.path.join(here, "..", "tests", "data", "callback_refs.json"))
