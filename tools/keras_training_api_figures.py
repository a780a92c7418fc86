"""Expected figures for tests/test_training_api.py, computed once with Keras 2 (tf_keras):
sample_weight / class_weight in the loss and its gradient, and a masked sequence's loss.

    /work/keras-venv/bin/python tools/keras_training_api_figures.py

prints the literals pasted into the test. The inputs and initial weights come from
``inputs()`` below, which the test repeats with the same NumPy calls.
"""
import json

import numpy as np


def inputs():
    r = np.random.default_rng(12)
    d = {
        "x": r.normal(size=(6, 4)).astype(np.float32),
        "k": (r.normal(size=(4, 3)) * 0.5).astype(np.float32),
        "b": (r.normal(size=(3,)) * 0.1).astype(np.float32),
        "cls": np.array([0, 1, 2, 1, 0, 2]),
        "sw": np.array([1.0, 2.0, 0.5, 0.0, 3.0, 1.5], np.float32),
        "yreg": r.normal(size=(6, 2)).astype(np.float32),
        "k2": (r.normal(size=(4, 2)) * 0.5).astype(np.float32),
        "k1": (r.normal(size=(4, 1)) * 0.5).astype(np.float32),
        "ybin": np.array([0, 1, 1, 0, 1, 1], np.float32),
        # masked sequences: ids (3, 5), 0 = padding
        "ids": np.array([[3, 1, 4, 0, 0], [2, 2, 0, 0, 0], [1, 4, 3, 2, 1]]),
        "yseq": np.array([[0, 2, 1, 0, 0], [1, 1, 2, 2, 2], [2, 0, 1, 1, 0]]),
        "emb": (r.normal(size=(5, 3)) * 0.5).astype(np.float32),
        "lk": (r.normal(size=(3, 16)) * 0.4).astype(np.float32),
        "lr": (r.normal(size=(4, 16)) * 0.4).astype(np.float32),
        "lb": (r.normal(size=(16,)) * 0.1).astype(np.float32),
        "dk": (r.normal(size=(4, 3)) * 0.5).astype(np.float32),
        "db": np.zeros(3, np.float32),
        "sw3": np.array([1.0, 0.5, 2.0], np.float32),
    }
    return d


def main():
    import tf_keras as keras
    d = inputs()
    out = {}
    onehot = np.eye(3, dtype=np.float32)[d["cls"]]

    def softmax_model():
        inp = keras.Input((4,))
        m = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
        m.set_weights([d["k"], d["b"]])
        return m

    m = softmax_model()
    m.compile(keras.optimizers.legacy.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
    out["cce_eval"] = m.evaluate(d["x"], onehot, batch_size=6, verbose=0)
    out["cce_eval_sw"] = m.evaluate(d["x"], onehot, sample_weight=d["sw"], batch_size=6, verbose=0)
    out["cce_eval_sw_b4"] = m.evaluate(d["x"], onehot, sample_weight=d["sw"], batch_size=4,
                                       verbose=0)
    out["cce_tob_sw"] = m.train_on_batch(d["x"], onehot, sample_weight=d["sw"])
    out["cce_tob_sw_kernel"] = m.get_weights()[0].tolist()

    m = softmax_model()
    m.compile(keras.optimizers.legacy.SGD(0.1), "sparse_categorical_crossentropy")
    cw = {0: 1.0, 1: 2.0, 2: 0.5}
    out["scce_tob_cw"] = m.train_on_batch(d["x"], d["cls"][:, None], class_weight=cw)
    out["scce_tob_cw_kernel"] = m.get_weights()[0].tolist()

    m = softmax_model()
    m.compile(keras.optimizers.legacy.SGD(0.1), "categorical_crossentropy")
    h = m.fit(d["x"], onehot, batch_size=4, epochs=1, shuffle=False, verbose=0,
              class_weight=cw)
    out["cce_fit_cw_loss"] = h.history["loss"]
    out["cce_fit_cw_kernel"] = m.get_weights()[0].tolist()

    inp = keras.Input((4,))
    m = keras.Model(inp, keras.layers.Dense(2)(inp))
    m.set_weights([d["k2"], np.zeros(2, np.float32)])
    m.compile(keras.optimizers.legacy.SGD(0.1), "mse")
    h = m.fit(d["x"], d["yreg"], batch_size=3, epochs=2, shuffle=False, verbose=0,
              sample_weight=d["sw"])
    out["mse_fit_sw_loss"] = h.history["loss"]
    out["mse_fit_sw_kernel"] = m.get_weights()[0].tolist()

    inp = keras.Input((4,))
    m = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))
    m.set_weights([d["k1"], np.zeros(1, np.float32)])
    m.compile(keras.optimizers.legacy.SGD(0.1), "binary_crossentropy")
    out["bce_tob_cw"] = m.train_on_batch(d["x"], d["ybin"][:, None], class_weight={0: 3.0, 1: 0.5})
    out["bce_tob_cw_kernel"] = m.get_weights()[0].tolist()

    def seq_model(loss):
        inp = keras.Input((5,))
        h = keras.layers.Embedding(5, 3, mask_zero=True)(inp)
        h = keras.layers.LSTM(4, return_sequences=True)(h)
        o = keras.layers.TimeDistributed(keras.layers.Dense(3, activation="softmax"))(h)
        m = keras.Model(inp, o)
        m.set_weights([d["emb"], d["lk"], d["lr"], d["lb"], d["dk"], d["db"]])
        m.compile(keras.optimizers.legacy.SGD(0.5), loss)
        return m

    m = seq_model("sparse_categorical_crossentropy")
    out["mask_eval"] = m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0)
    out["mask_eval_sw"] = m.evaluate(d["ids"], d["yseq"], sample_weight=d["sw3"], batch_size=3,
                                     verbose=0)
    out["mask_tob"] = m.train_on_batch(d["ids"], d["yseq"])
    out["mask_tob_dense_kernel"] = m.get_weights()[4].tolist()
    out["mask_eval_after"] = m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0)
    # weighted_metrics (tf_keras: 'weighted_' prefix only on a name clash) and masked metrics
    m = softmax_model()
    m.compile(keras.optimizers.legacy.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy", "mse"])
    out["wm_eval_sw"] = m.evaluate(d["x"], onehot, sample_weight=d["sw"], batch_size=4, verbose=0)
    out["wm_names"] = m.metrics_names
    m = softmax_model()
    m.compile(keras.optimizers.legacy.SGD(0.1), "categorical_crossentropy",
              weighted_metrics=["acc"])
    h = m.fit(d["x"], onehot, sample_weight=d["sw"], batch_size=4, verbose=0, shuffle=False,
              validation_data=(d["x"], onehot, d["sw"]))
    out["wm_fit"] = [h.history[k][0] for k in ("loss", "acc", "val_loss", "val_acc")]
    m = seq_model("sparse_categorical_crossentropy")
    m.compile(keras.optimizers.legacy.SGD(0.5), "sparse_categorical_crossentropy",
              metrics=["accuracy"], weighted_metrics=["accuracy"])
    out["mask_wm_eval"] = m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0)
    out["mask_wm_eval_sw_b2"] = m.evaluate(d["ids"], d["yseq"], sample_weight=d["sw3"],
                                           batch_size=2, verbose=0)
    names = out.pop("wm_names")
    print(names)
    print(json.dumps({k: np.round(np.asarray(v, np.float64), 6).tolist() for k, v in out.items()},
                     indent=None))


if __name__ == "__main__":
    main()
