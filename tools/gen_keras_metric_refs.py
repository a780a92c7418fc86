"""Generate tests/data/keras_metric_refs.json: how tf_keras 2 (the oracle, tf_keras 2.21) picks
'accuracy' / 'acc' / 'crossentropy' / 'ce', and what train_on_batch / test_on_batch with
reset_metrics=False continue from after fit and evaluate; the expected figures of
tests/test_keras_metric_choice.py.

    /work/keras-venv/bin/python tools/gen_keras_metric_refs.py      # tensorflow-cpu + tf_keras

* "choice" cases: tf_keras's compile_utils picks the accuracy by shapes, not by the loss: binary
  when the output's last axis is 1, sparse categorical when the target has fewer axes than the
  output (or a last axis of 1 against a wider output), categorical otherwise (so a 3-unit
  sigmoid output under binary_crossentropy gets categorical accuracy, Keras 2.2 gave binary).
  Each case: one Dense layer from fixed weights; evaluate(return_dict=True) (the log keys and
  values), one SGD(0.1) train_on_batch, one fit epoch's history (batch = all samples, no
  shuffle), evaluate again.
* "continue" cases: tf_keras's fit leaves its metric objects holding the last epoch's training
  means, or the last validation's when fit validates, and evaluate leaves evaluate's; a later
  train_on_batch / test_on_batch(reset_metrics=False) adds its batch to that state.
"""
import json
import os

import numpy as np

N, F = 12, 5


def data():
    rng = np.random.default_rng(21)
    x = rng.normal(size=(N, F)).astype(np.float32)
    seq = rng.normal(size=(N, 3, F)).astype(np.float32)
    labels = rng.integers(0, 4, N)
    weights = {u: [rng.normal(scale=0.8, size=(F, u)).astype(np.float32),
                   rng.normal(scale=0.2, size=u).astype(np.float32)] for u in (1, 3, 4)}
    targets = {
        "multi_hot3": (rng.random((N, 3)) < 0.4).astype(np.float32),
        "binary_n": (rng.random(N) < 0.5).astype(np.float32),
        "sparse_n": labels,
        "sparse_n1": labels.reshape(N, 1),
        "onehot4": np.eye(4, dtype=np.float32)[labels],
        "sparse_seq": rng.integers(0, 4, (N, 3)),
    }
    return x, seq, targets, weights


# case -> (units, activation, loss, target, metrics, input: "x", "seq" (3 steps), or
# "subclassed" (x into a Model subclass calling the Dense))
CHOICE = {
    "bce_3_units_accuracy": (3, "sigmoid", "binary_crossentropy", "multi_hot3", ["accuracy"], "x"),
    "bce_3_units_acc_ce": (3, "softmax", "binary_crossentropy", "multi_hot3", ["acc", "ce"], "x"),
    # 'ce' is categorical cross-entropy here, of a sigmoid output: tf_keras's reads the sigmoid's
    # logits (its tagged output), i.e. softmax cross-entropy of the logits
    "bce_3_units_sigmoid_acc_ce": (3, "sigmoid", "binary_crossentropy", "multi_hot3",
                                   ["acc", "ce"], "x"),
    "bce_3_units_sigmoid_subclassed": (3, "sigmoid", "binary_crossentropy", "multi_hot3",
                                       ["acc", "ce"], "subclassed"),
    "sigmoid_4_units_cce_metric": (4, "sigmoid", "categorical_crossentropy", "onehot4",
                                   ["accuracy", "categorical_crossentropy", "binary_crossentropy"],
                                   "x"),
    "bce_1_unit_labels_n": (1, "sigmoid", "binary_crossentropy", "binary_n", ["accuracy", "crossentropy"], "x"),
    "mse_1_unit": (1, "sigmoid", "mse", "binary_n", ["accuracy"], "x"),
    "custom_loss_sparse_labels": (4, "softmax", "custom_sparse", "sparse_n", ["accuracy", "ce"], "x"),
    "scce_labels_n1": (4, "softmax", "sparse_categorical_crossentropy", "sparse_n1", ["acc"], "x"),
    "cce_onehot": (4, "softmax", "categorical_crossentropy", "onehot4", ["accuracy", "ce"], "x"),
    "scce_sequence": (4, "softmax", "sparse_categorical_crossentropy", "sparse_seq", ["accuracy"], "seq"),
}


def loss_of(keras, loss):
    if loss == "custom_sparse":  # a user function: tf_keras knows nothing of the loss
        def custom_sparse(y_true, y_pred):
            return keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
        return custom_sparse
    return loss


def sgd(keras, lr):
    opt = keras.optimizers.legacy.SGD if hasattr(keras.optimizers, "legacy") else keras.optimizers.SGD
    return opt(learning_rate=lr)


def model(keras, units, activation, loss, metrics, weights, inp):
    L = keras.layers
    if inp == "subclassed":
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = L.Dense(units, activation=activation)

            def call(self, x):
                return self.dense(x)
        m = Net()
        m(np.zeros((1, F), np.float32))
    else:
        m = keras.Sequential([L.Dense(units, activation=activation,
                                      input_shape=(3, F) if inp == "seq" else (F,))])
    m.compile(optimizer=sgd(keras, 0.1), loss=loss_of(keras, loss), metrics=list(metrics))
    m.layers[0].set_weights(weights[units])
    return m


def floats(d):
    return {k: float(v) for k, v in d.items()}


def choice_case(keras, x, seq, targets, weights, spec):
    units, act, loss, target, metrics, inp = spec
    xx, y = (seq if inp == "seq" else x), targets[target]
    m = model(keras, units, act, loss, metrics, weights, inp)
    out = {"units": units, "activation": act, "loss": loss, "target": target,
           "metrics": metrics, "input": inp}
    out["evaluate"] = floats(m.evaluate(xx, y, batch_size=N, verbose=0, return_dict=True))
    out["train_on_batch"] = floats(m.train_on_batch(xx, y, return_dict=True))
    h = m.fit(xx, y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    out["fit"] = {k: float(v[-1]) for k, v in h.history.items()}
    out["evaluate_after"] = floats(m.evaluate(xx, y, batch_size=N, verbose=0, return_dict=True))
    return out


def continue_cases(keras, x, targets, weights):
    """fit / evaluate, then batches with reset_metrics=False (4-unit softmax, one-hot targets,
    batch 4, SGD(0.1), accuracy and a CategoricalAccuracy object)."""
    y = targets["onehot4"]

    def fresh():
        m = keras.Sequential([keras.layers.Dense(4, activation="softmax", input_shape=(F,))])
        m.compile(optimizer=sgd(keras, 0.1), loss="categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.CategoricalAccuracy(name="cat_acc")])
        m.layers[0].set_weights(weights[4])
        return m
    out = {}
    m = fresh()
    h = m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    out["after_fit"] = {
        "fit": {k: float(v[-1]) for k, v in h.history.items()},
        "train_on_batch": floats(m.train_on_batch(x[:5], y[:5], reset_metrics=False,
                                                  return_dict=True)),
        "test_on_batch": floats(m.test_on_batch(x[5:8], y[5:8], reset_metrics=False,
                                                return_dict=True)),
        "train_on_batch_reset": floats(m.train_on_batch(x[:5], y[:5], return_dict=True))}
    m = fresh()
    h = m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
              validation_data=(x[:6], y[:6]))
    out["after_fit_with_validation"] = {
        "fit": {k: float(v[-1]) for k, v in h.history.items()},
        "train_on_batch": floats(m.train_on_batch(x[6:], y[6:], reset_metrics=False,
                                                  return_dict=True))}
    m = fresh()
    out["after_evaluate"] = {
        "evaluate": floats(m.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)),
        "test_on_batch": floats(m.test_on_batch(x[:4], y[:4], reset_metrics=False,
                                                return_dict=True)),
        "train_on_batch": floats(m.train_on_batch(x[4:], y[4:], reset_metrics=False,
                                                  return_dict=True))}
    return out


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf_keras as keras
    tf.config.threading.set_intra_op_parallelism_threads(1)
    x, seq, targets, weights = data()
    out = {"x": x.tolist(), "seq": seq.tolist(),
           "targets": {k: v.tolist() for k, v in targets.items()},
           "weights": {str(u): [w.tolist() for w in ws] for u, ws in weights.items()},
           "choice": {name: choice_case(keras, x, seq, targets, weights, spec)
                      for name, spec in CHOICE.items()},
           "continue": continue_cases(keras, x, targets, weights),
           "generated_by": f"tf_keras {keras.__version__}, tensorflow {tf.__version__}"}
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests",
                        "data", "keras_metric_refs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
