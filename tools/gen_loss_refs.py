"""Generate tests/data/loss_refs.npz: tf_keras 2 loss and metric values (and loss gradients) on
fixed random inputs, the oracle for tests/test_losses_metrics.py.

    /work/keras-venv/bin/python tools/gen_loss_refs.py      # tensorflow-cpu + tf_keras

For each case: '<case>/y', '<case>/p' (inputs), '<case>/per_sample' (the Keras loss function's
per-sample values), '<case>/mean' (the loss class's default reduction) and '<case>/grad' (d mean /
d y_pred). Metric functions: 'metric/<name>' (the batch mean of the tf_keras metric function on
the inputs of case METRIC_INPUTS[name]).
"""
import json
import os
import sys

import numpy as np

# case -> (tf_keras loss function name, kwargs, inputs kind)
CASES = {
    "mean_squared_error": ("mean_squared_error", {}, "real"),
    "mean_absolute_error": ("mean_absolute_error", {}, "real"),
    "mean_absolute_percentage_error": ("mean_absolute_percentage_error", {}, "real"),
    "mean_squared_logarithmic_error": ("mean_squared_logarithmic_error", {}, "positive"),
    "hinge": ("hinge", {}, "binary_real"),
    "hinge_pm1": ("hinge", {}, "pm1_real"),
    "squared_hinge": ("squared_hinge", {}, "binary_real"),
    "categorical_hinge": ("categorical_hinge", {}, "onehot_real"),
    "logcosh": ("log_cosh", {}, "real"),
    "huber": ("huber", {}, "real"),
    "huber_delta": ("huber", {"delta": 0.3}, "real"),
    "kullback_leibler_divergence": ("kullback_leibler_divergence", {}, "dist"),
    "poisson": ("poisson", {}, "counts"),
    "cosine_similarity": ("cosine_similarity", {}, "real"),
    "categorical_crossentropy": ("categorical_crossentropy", {}, "onehot_prob"),
    "categorical_crossentropy_smooth": ("categorical_crossentropy", {"label_smoothing": 0.1},
                                        "onehot_prob"),
    "categorical_crossentropy_logits": ("categorical_crossentropy", {"from_logits": True},
                                        "onehot_real"),
    "binary_crossentropy": ("binary_crossentropy", {}, "binary_prob"),
    "binary_crossentropy_logits": ("binary_crossentropy", {"from_logits": True}, "binary_real"),
    "mse_3d": ("mean_squared_error", {}, "real3d"),
}

METRICS = {  # tf_keras.metrics function -> inputs of this case
    "binary_accuracy": "binary_prob",
    "categorical_accuracy": "onehot_prob",
    "top_k_categorical_accuracy": "onehot_prob",
    "top_k_categorical_accuracy_k2": "onehot_prob",
    "mean_absolute_percentage_error": "real",
    "mean_squared_logarithmic_error": "positive",
    "kullback_leibler_divergence": "dist",
    "poisson": "counts",
    "logcosh": "real",
    "hinge": "binary_real",
    "categorical_hinge": "onehot_real",
}


# Metric classes: (class, kwargs, inputs kind); two update_state calls (the second with
# sample weights), then result(): 'mclass/<case>'.
METRIC_CLASSES = {
    "auc": ("AUC", {}, "binary_prob"),
    "auc_50": ("AUC", {"num_thresholds": 50}, "binary_prob"),
    "precision": ("Precision", {}, "binary_prob"),
    "recall_thr": ("Recall", {"thresholds": 0.3}, "binary_prob"),
    "binary_accuracy_thr": ("BinaryAccuracy", {"threshold": 0.7}, "binary_prob"),
    "categorical_accuracy": ("CategoricalAccuracy", {}, "onehot_prob"),
    "top_k_2": ("TopKCategoricalAccuracy", {"k": 2}, "onehot_prob"),
    "rmse": ("RootMeanSquaredError", {}, "real"),
    "mse": ("MeanSquaredError", {}, "real"),
    "categorical_crossentropy": ("CategoricalCrossentropy", {}, "onehot_prob"),
}


def inputs(kind, seed):
    r = np.random.default_rng(seed)
    n, c = 6, 5
    f = np.float32
    if kind == "real":
        return r.standard_normal((n, c)).astype(f), r.standard_normal((n, c)).astype(f)
    if kind == "real3d":
        return r.standard_normal((3, 4, c)).astype(f), r.standard_normal((3, 4, c)).astype(f)
    if kind == "positive":
        return r.uniform(0, 3, (n, c)).astype(f), r.uniform(0.1, 3, (n, c)).astype(f)
    if kind == "binary_real":
        return r.integers(0, 2, (n, c)).astype(f), r.standard_normal((n, c)).astype(f)
    if kind == "pm1_real":
        return (2 * r.integers(0, 2, (n, c)) - 1).astype(f), r.standard_normal((n, c)).astype(f)
    if kind == "binary_prob":
        return r.integers(0, 2, (n, c)).astype(f), r.uniform(0.02, 0.98, (n, c)).astype(f)
    if kind in ("onehot_real", "onehot_prob"):
        y = np.eye(c, dtype=f)[r.integers(0, c, n)]
        z = r.standard_normal((n, c)).astype(f)
        if kind == "onehot_prob":
            z = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        return y, z.astype(f)
    if kind == "dist":
        y = r.uniform(0, 1, (n, c))
        p = r.uniform(0.05, 1, (n, c))
        return (y / y.sum(-1, keepdims=True)).astype(f), (p / p.sum(-1, keepdims=True)).astype(f)
    if kind == "counts":
        return r.poisson(2.0, (n, c)).astype(f), r.uniform(0.2, 4, (n, c)).astype(f)
    raise ValueError(kind)


def main(out):
    import warnings
    warnings.filterwarnings("ignore")
    import tensorflow as tf
    import tf_keras as keras
    arrays = {}
    for i, (case, (fn_name, kw, kind)) in enumerate(CASES.items()):
        y, p = inputs(kind, i)
        fn = getattr(keras.losses, fn_name)
        pt = tf.Variable(p)
        with tf.GradientTape() as tape:
            per = fn(tf.constant(y), pt, **kw)
            mean = tf.reduce_mean(per)
        arrays.update({f"{case}/y": y, f"{case}/p": p, f"{case}/per_sample": per.numpy(),
                       f"{case}/mean": mean.numpy(), f"{case}/grad": tape.gradient(mean, pt).numpy()})
    for j, (name, kind) in enumerate(METRICS.items()):
        y, p = inputs(kind, 100 + j)
        if name == "top_k_categorical_accuracy_k2":
            v = keras.metrics.top_k_categorical_accuracy(y, p, k=2)
        else:
            v = getattr(keras.metrics, name, None) or getattr(keras.losses, name)
            v = v(y, p)
        arrays[f"metric/{name}/y"], arrays[f"metric/{name}/p"] = y, p
        arrays[f"metric/{name}"] = np.float64(np.mean(v.numpy()))
    for j, (case, (cls, kw, kind)) in enumerate(METRIC_CLASSES.items()):
        m = getattr(keras.metrics, cls)(**kw)
        (y1, p1), (y2, p2) = inputs(kind, 200 + j), inputs(kind, 300 + j)
        w2 = np.random.default_rng(j).uniform(0, 2, len(y2)).astype(np.float32)
        m.update_state(y1, p1)
        m.update_state(y2, p2, sample_weight=w2)
        arrays.update({f"mclass/{case}/y1": y1, f"mclass/{case}/p1": p1, f"mclass/{case}/y2": y2,
                       f"mclass/{case}/p2": p2, f"mclass/{case}/w2": w2,
                       f"mclass/{case}": np.float64(m.result().numpy()),
                       f"mclass/{case}/name": np.frombuffer(m.name.encode(), np.uint8)})
    arrays["metric_classes"] = np.frombuffer(json.dumps(METRIC_CLASSES).encode(), dtype=np.uint8)
    arrays["cases"] = np.frombuffer(json.dumps(CASES).encode(), dtype=np.uint8)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out}: {len(CASES)} losses, {len(METRICS)} metrics")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "data",
                                                            "loss_refs.npz"))
