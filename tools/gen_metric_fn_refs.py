"""Generate tests/data/metric_fn_refs.npz and tests/data/metric_fn_refs.json: what tf_keras 2
(the oracle, tf_keras 2.21) gives for the metric functions called directly, for custom metric
functions averaged by fit / evaluate, and for metrics_names and train_on_batch / test_on_batch
with Layer.add_metric; the expected figures of tests/test_metric_functions.py.

    /work/keras-venv/bin/python tools/gen_metric_fn_refs.py      # tensorflow-cpu + tf_keras

What tf_keras 2 gives (recorded by this script, summarised here):
* Every metric function returns one value per sample, shape y_pred.shape[:-1] (a 1-D y_pred
  gives a scalar): binary_accuracy is the mean over the last axis, the categorical ones a match
  per sample; sparse_top_k_categorical_accuracy alone keeps a (N, 1) y_true's shape (N, 1). The
  accuracies are float32 whatever the input dtype; the loss-type metrics have y_pred's dtype.
* fit / evaluate average a metric function's values with a Mean: per-sample values count once
  each, a scalar once per batch (the epoch value of a scalar metric is the plain mean of its
  batch values, whatever the batch sizes); as a weighted metric a scalar counts once per weight.
  A custom metric sees y_true (N, 1) for 1-D targets.
* model.metrics_names is [] after compile (and after predict) until the first fit / evaluate /
  train_on_batch / test_on_batch; a functional model's Layer.add_metric names are listed from
  the start (its graph made them). train_on_batch / test_on_batch return the add_metric values
  after the compiled ones, in metrics_names order (running means: one count per batch).
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras

K = keras.backend
M = keras.metrics
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data")


def fn_cases():
    """name -> (metric name, y, p, kwargs)."""
    rng = np.random.default_rng(12)
    n, c = 7, 6
    p = rng.random((n, c)).astype(np.float32)
    p[1, 2] = p[1, 4]  # a tie (in_top_k counts it)
    lab = rng.integers(0, c, n)
    onehot = np.eye(c, dtype=np.float32)[lab]
    multi = (rng.random((n, c)) < 0.4).astype(np.float32)
    seq_p = rng.random((3, 4, c)).astype(np.float32)
    seq_lab = rng.integers(0, c, (3, 4))
    reg_y = rng.normal(size=(n, 3)).astype(np.float32)
    reg_p = rng.normal(size=(n, 3)).astype(np.float32)
    pos_y, pos_p = np.abs(reg_y) + 0.1, np.abs(reg_p) + 0.1
    prob_y = rng.dirichlet(np.ones(c), n).astype(np.float32)
    pm1 = np.where(multi > 0, 1.0, -1.0).astype(np.float32)
    cases = {
        "binary_accuracy": ("binary_accuracy", multi, p, {}),
        "binary_accuracy_t07": ("binary_accuracy", multi, p, {"threshold": 0.7}),
        "binary_accuracy_n1": ("binary_accuracy", multi[:, :1], p[:, :1], {}),
        "binary_accuracy_seq": ("binary_accuracy", (seq_p > 0.4).astype(np.float32)[..., :2],
                                seq_p[..., 2:4], {}),
        "categorical_accuracy": ("categorical_accuracy", onehot, p, {}),
        "categorical_accuracy_seq": ("categorical_accuracy", np.eye(c, dtype=np.float32)[seq_lab],
                                     seq_p, {}),
        "sparse_categorical_accuracy": ("sparse_categorical_accuracy", lab, p, {}),
        "sparse_categorical_accuracy_n1": ("sparse_categorical_accuracy", lab.reshape(n, 1), p, {}),
        "sparse_categorical_accuracy_seq": ("sparse_categorical_accuracy", seq_lab, seq_p, {}),
        "top_k_categorical_accuracy": ("top_k_categorical_accuracy", onehot, p, {}),
        "top_k_categorical_accuracy_k2": ("top_k_categorical_accuracy", onehot, p, {"k": 2}),
        "sparse_top_k_categorical_accuracy_k2": ("sparse_top_k_categorical_accuracy", lab, p,
                                                 {"k": 2}),
        "sparse_top_k_categorical_accuracy_n1_k3": ("sparse_top_k_categorical_accuracy",
                                                    lab.reshape(n, 1), p, {"k": 3}),
        "mean_squared_error": ("mse", reg_y, reg_p, {}),
        "mean_squared_error_f64": ("mse", reg_y.astype(np.float64), reg_p.astype(np.float64), {}),
        "mean_absolute_error": ("mae", reg_y, reg_p, {}),
        "mean_absolute_error_seq": ("mae", seq_p[::-1].copy(), seq_p, {}),
        "mean_absolute_percentage_error": ("mape", reg_y, reg_p, {}),
        "mean_squared_logarithmic_error": ("msle", pos_y, pos_p, {}),
        "binary_crossentropy": ("binary_crossentropy", multi, p, {}),
        "categorical_crossentropy": ("categorical_crossentropy", onehot, p, {}),
        "sparse_categorical_crossentropy": ("sparse_categorical_crossentropy", lab, p, {}),
        "hinge": ("hinge", pm1, reg_p[:, :1].repeat(2, 1).repeat(3, 1), {}),
        "squared_hinge": ("squared_hinge", pm1, p - 0.5, {}),
        "categorical_hinge": ("categorical_hinge", onehot, p, {}),
        "logcosh": ("logcosh", reg_y, reg_p, {}),
        "kullback_leibler_divergence": ("kld", prob_y, p / p.sum(-1, keepdims=True), {}),
        "poisson": ("poisson", pos_y, pos_p, {}),
    }
    return cases


def metric_fn_refs(arrays, meta):
    for case, (name, y, p, kw) in fn_cases().items():
        fn = getattr(M, name) if hasattr(M, name) else M.get(name)
        v = fn(tf.constant(y), tf.constant(p), **kw)
        arrays[f"fn/{case}/y"], arrays[f"fn/{case}/p"] = y, p
        arrays[f"fn/{case}/value"] = v.numpy()
        meta["fn"][case] = {"metric": name, "kwargs": kw, "shape": list(v.shape),
                            "dtype": v.dtype.name}


# ---- fit / evaluate over custom metric functions ---------------------------------------------

def scalar_mae(y_true, y_pred):
    return K.mean(K.abs(y_true - y_pred))


def per_sample_mae(y_true, y_pred):
    return K.mean(K.abs(y_true - y_pred), axis=-1)


def y_true_rank(y_true, y_pred):
    return tf.cast(tf.rank(y_true) * 10 + tf.shape(y_true)[-1], tf.float32)


def fit_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    y = (rng.random(10) < 0.5).astype(np.float32)  # 1-D targets
    sw = (rng.random(10) * 2).astype(np.float32)
    kernel = rng.normal(scale=0.5, size=(4, 1)).astype(np.float32)
    return x, y, sw, kernel


def fit_refs(arrays, meta):
    x, y, sw, kernel = fit_data()
    arrays["fit/x"], arrays["fit/y"], arrays["fit/sw"], arrays["fit/kernel"] = x, y, sw, kernel
    for weighted in (False, True):
        inp = keras.Input((4,))
        out = keras.layers.Dense(1, activation="sigmoid")(inp)
        model = keras.Model(inp, out)
        model.layers[-1].set_weights([kernel, np.zeros(1, np.float32)])
        fns = [scalar_mae, per_sample_mae, "binary_accuracy", y_true_rank]
        kw = {"weighted_metrics": fns} if weighted else {"metrics": fns}
        model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", **kw)
        w = sw if weighted else None
        h = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False, sample_weight=w)
        ev = model.evaluate(x, y, batch_size=4, verbose=0, sample_weight=w, return_dict=True)
        key = "weighted" if weighted else "unweighted"
        meta["fit"][key] = {"history": {k: v[0] for k, v in h.history.items()},
                            "evaluate": {k: float(v) for k, v in ev.items()}}


# ---- metrics_names and train_on_batch / test_on_batch with add_metric -----------------------

class AddMetrics(keras.layers.Layer):
    def call(self, t):
        self.add_metric(K.mean(t), name="act_mean")
        self.add_metric(K.max(t), name="act_max")
        return t


def names_model(kernels, with_added):
    inp = keras.Input((4,))
    h = keras.layers.Dense(3)(inp)
    if with_added:
        h = AddMetrics()(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    model = keras.Model(inp, out)
    model.layers[1].set_weights([kernels[0], np.zeros(3, np.float32)])
    model.layers[-1].set_weights([kernels[1], np.zeros(1, np.float32)])
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=["accuracy"])
    return model


def names_refs(arrays, meta):
    x, y, _, _ = fit_data()
    rng = np.random.default_rng(4)
    kernels = [rng.normal(size=(4, 3)).astype(np.float32),
               rng.normal(size=(3, 1)).astype(np.float32)]
    arrays["names/k0"], arrays["names/k1"] = kernels
    out = {}
    for with_added in (False, True):
        key = "add_metric" if with_added else "plain"
        m = names_model(kernels, with_added)
        r = {"after_compile": list(m.metrics_names)}
        m.predict(x, verbose=0)
        r["after_predict"] = list(m.metrics_names)
        r["train_on_batch"] = [float(v) for v in np.atleast_1d(m.train_on_batch(x, y))]
        r["after_train_on_batch"] = list(m.metrics_names)
        r["test_on_batch"] = [float(v) for v in np.atleast_1d(m.test_on_batch(x, y))]
        r["test_on_batch_dict"] = {k: float(v) for k, v in
                                   m.test_on_batch(x, y, return_dict=True).items()}
        r["test_on_batch_continued"] = [float(v) for v in np.atleast_1d(
            m.test_on_batch(x[:4], y[:4], reset_metrics=False))]
        m = names_model(kernels, with_added)
        r["fresh_test_on_batch"] = [float(v) for v in np.atleast_1d(m.test_on_batch(x, y))]
        m = names_model(kernels, with_added)
        r["evaluate"] = [float(v) for v in np.atleast_1d(m.evaluate(x, y, verbose=0))]
        r["after_evaluate"] = list(m.metrics_names)
        out[key] = r
    seq = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    seq.compile("sgd", "mse", metrics=["mae"])
    out["sequential_after_compile"] = list(seq.metrics_names)
    meta["names"] = out


def main():
    arrays, meta = {}, {"fn": {}, "fit": {}, "tf_keras": keras.__version__}
    metric_fn_refs(arrays, meta)
    fit_refs(arrays, meta)
    names_refs(arrays, meta)
    np.savez_compressed(os.path.join(OUT, "metric_fn_refs.npz"), **arrays)
    with open(os.path.join(OUT, "metric_fn_refs.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(meta["names"], indent=1))
    print(json.dumps(meta["fit"], indent=1))


if __name__ == "__main__":
    main()
