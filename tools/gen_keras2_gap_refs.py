"""Print tf_keras 2's figures for three Keras 2 behaviours, as the literals committed in
tests/test_input_dtypes.py, tests/test_progbar_means.py and tests/test_cosine_signs.py:

- DTYPES: the dtype a custom layer's call() sees behind an Input of each dtype, for a direct
  model call with int64 / int32 / float64 data, for predict, and in a Sequential;
- PROGBAR: the running values fit shows after each batch (tf_keras's batch logs, which its
  progress bar prints) and at the epoch end, for the loss, a scalar-valued metric function, a
  per-sample one and a Layer.add_metric scalar, with an uneven last batch;
- COSINE: the sign of the cosine losses and metrics by function, name and class.

    /work/keras-venv/bin/python tools/gen_keras2_gap_refs.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

K = keras.backend
SEEN = []


class Spy(keras.layers.Layer):
    def call(self, x):
        SEEN.append(x.dtype.name)
        return tf.cast(x, "float32")


def seen(fn):
    del SEEN[:]
    fn()
    return SEEN[-1]


def dtypes():
    out = {}
    for dt in ("int32", None, "float64", "int64"):
        inp = keras.Input(shape=(3,), dtype=dt) if dt else keras.Input(shape=(3,))
        m = keras.Model(inp, Spy()(inp))
        for x in (np.array([[1, 2, 3]]), np.array([[1, 2, 3]], np.int32),
                  np.array([[1., 2, 3]])):
            out[(dt, x.dtype.name)] = seen(lambda: m(x))
        out[(dt, "predict")] = seen(lambda: m.predict(np.array([[1, 2, 3]]), verbose=0))
    out[("sequential", "int64")] = seen(lambda: keras.Sequential([Spy()])(np.array([[1, 2, 3]])))
    out[("sequential_int32", "int64")] = seen(lambda: keras.Sequential(
        [keras.Input(shape=(3,), dtype="int32"), Spy()])(np.array([[1, 2, 3]])))
    return out


def ymean(y_true, y_pred):
    return K.mean(y_true)


def ysamp(y_true, y_pred):
    return K.mean(y_true, axis=-1)


class XMean(keras.layers.Layer):
    def call(self, x):
        self.add_metric(K.mean(x), name="xmean")
        return x


def progbar():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 20], np.float32).reshape(10, 1)
    inp = keras.Input(shape=(1,))
    out = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(XMean()(inp))
    m = keras.Model(inp, out)
    m.compile(keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=[ymean, ysamp])
    steps, epoch = [], []

    class Rec(keras.callbacks.Callback):
        def on_train_batch_end(self, b, logs=None):
            steps.append({k: round(float(v), 6) for k, v in logs.items()})

        def on_epoch_end(self, e, logs=None):
            epoch.append({k: round(float(v), 6) for k, v in logs.items()})
    m.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Rec()], shuffle=False)
    return steps, epoch[0]


def cosine():
    yt = np.array([[1., 2., 0.], [0., 1., 1.], [3., -1., 2.]], np.float32)
    yp = np.array([[1., 1., 1.], [0., 2., -1.], [1., 0., 2.]], np.float32)
    r = lambda v: np.round(np.asarray(v, np.float64), 6).tolist()  # noqa: E731
    out = {"losses.cosine_similarity": r(keras.losses.cosine_similarity(yt, yp)),
           "losses.CosineSimilarity": r(keras.losses.CosineSimilarity()(yt, yp)),
           "metrics.get(cosine_similarity)": r(keras.metrics.get("cosine_similarity")(yt, yp)),
           "metrics.get(cosine_proximity)": r(keras.metrics.get("cosine_proximity")(yt, yp))}
    mo = keras.metrics.CosineSimilarity()
    mo.update_state(yt, yp)
    mo.update_state(yt[:1], -yp[:1])
    out["metrics.CosineSimilarity"] = r(mo.result())
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, keras.layers.Dense(3, kernel_initializer="identity",
                                                use_bias=False)(inp))
    for met in ("cosine_similarity", "cosine_proximity"):
        model.compile("sgd", loss="cosine_similarity", metrics=[met])
        values = r(model.evaluate(yp, yt, verbose=0))
        out[f"compile(loss=cosine_similarity, metrics=[{met}])"] = (model.metrics_names, values)
    return out


if __name__ == "__main__":
    print("DTYPES =", dtypes())
    steps, epoch = progbar()
    print("PROGBAR_STEPS =", steps)
    print("PROGBAR_EPOCH =", epoch)
    print("COSINE =", cosine())
