"""Generate the Keras 2 figures for tests/test_masked_loss.py: masked sequence models evaluated
by real Keras 2 (tf_keras) from fixed weights. Run once, never from the tests:

    /work/keras-venv/bin/python tools/keras_masked_loss.py

Writes tests/data/keras_masked_loss.npz: per model "<name>/x", "<name>/y", "<name>/w<i>"
(get_weights() order) and "<name>/eval" (evaluate(): [loss, metric]).
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "keras_masked_loss.npz")


def models(L):
    """name -> (builder, loss, metrics); the same code runs under tensorforge (L = its layers)."""
    return {
        "masking_lstm_mse": (lambda: [L.Masking(input_shape=(5, 3)),
                                      L.LSTM(4, return_sequences=True),
                                      L.TimeDistributed(L.Dense(2))], "mse", ["mae"]),
        "embedding_gru_sparse": (lambda: [L.Embedding(10, 3, mask_zero=True, input_length=5),
                                          L.GRU(4, return_sequences=True),
                                          L.Dense(3, activation="softmax")],
                                 "sparse_categorical_crossentropy", ["accuracy"]),
        "masking_lstm_last": (lambda: [L.Masking(input_shape=(5, 3)), L.LSTM(4),
                                       L.Dense(1, activation="sigmoid")],
                              "binary_crossentropy", ["accuracy"]),
        # no mask: a (B, T, C) softmax output, the crossentropy averages over B and T
        "repeat_timedistributed_cce": (lambda: [L.LSTM(6, input_shape=(5, 3)), L.RepeatVector(4),
                                                L.LSTM(6, return_sequences=True),
                                                L.TimeDistributed(L.Dense(3, activation="softmax"))],
                                       "categorical_crossentropy", ["accuracy"]),
    }


def data(name, rng):
    if name.startswith("embedding"):
        x = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 6, 7, 8, 9], [1, 1, 0, 0, 0]])
        return x, rng.integers(0, 3, (4, 5))
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    x[0, 3:] = 0
    x[1, 1:] = 0
    x[3, 4:] = 0
    if name == "repeat_timedistributed_cce":
        return x, np.eye(3, dtype=np.float32)[rng.integers(0, 3, (4, 4))]
    if name == "masking_lstm_last":
        return x, rng.integers(0, 2, (4, 1)).astype(np.float32)
    return x, rng.standard_normal((4, 5, 2)).astype(np.float32)


def main():
    import tf_keras as keras  # here, so that tests can import models() without Keras
    rng = np.random.default_rng(3)
    keras.utils.set_random_seed(3)
    arrays = {}
    for name, (build, loss, metrics) in models(keras.layers).items():
        m = keras.Sequential(build())
        m.compile("sgd", loss, metrics=metrics)
        x, y = data(name, rng)
        arrays[f"{name}/x"], arrays[f"{name}/y"] = x, y
        for i, w in enumerate(m.get_weights()):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/eval"] = np.array(m.evaluate(x, y, batch_size=4, verbose=0))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
