"""compile(metrics=['accuracy' / 'acc' / 'crossentropy' / 'ce']) picks its variant by shapes as
tf_keras 2 does (a 3-unit sigmoid output under binary_crossentropy gets categorical accuracy,
sparse labels under any loss sparse accuracy), with the log keys as given; and
train_on_batch / test_on_batch(reset_metrics=False) continue from the state fit (its last
epoch, or its last validation) and evaluate leave, as tf_keras's metric objects do.
Expected figures: tests/data/keras_metric_refs.json, from tools/gen_keras_metric_refs.py
(tf_keras 2.21)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L

REFS = json.load(open(os.path.join(os.path.dirname(__file__), "data", "keras_metric_refs.json")))
N = len(REFS["x"])
X = np.array(REFS["x"], np.float32)
SEQ = np.array(REFS["seq"], np.float32)


def _target(name):
    return np.array(REFS["targets"][name])


def _weights(units):
    return [np.array(w, np.float32) for w in REFS["weights"][str(units)]]


def _loss(name):
    if name == "custom_sparse":
        def custom_sparse(y_true, y_pred):
            return tf.losses.sparse_categorical_crossentropy(y_true, y_pred)
        return custom_sparse
    return name


def _close(got, want):
    assert list(got) == list(want)  # the log keys, in order
    np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFS["choice"]))
def test_accuracy_and_crossentropy_chosen_by_shapes_as_tf_keras(name):
    case = REFS["choice"][name]
    seq = case["input"] == "seq"
    if case["input"] == "subclassed":  # tf_keras's softmax / sigmoid tag eagerly too
        class Net(tf.Model):
            def __init__(self):
                super().__init__()
                self.dense = L.Dense(case["units"], activation=case["activation"])

            def call(self, x):
                return self.dense(x)
        m = Net()
        m(np.zeros((1, X.shape[1]), np.float32))
    else:
        m = tf.Sequential([L.Dense(case["units"], activation=case["activation"],
                                   input_shape=(3, X.shape[1]) if seq else (X.shape[1],))])
    m.compile(optimizer=tf.optimizers.SGD(learning_rate=0.1), loss=_loss(case["loss"]),
              metrics=list(case["metrics"]))
    m.layers[0].set_weights(_weights(case["units"]))
    x, y = (SEQ if seq else X), _target(case["target"])
    _close(m.evaluate(x, y, batch_size=N, verbose=0, return_dict=True), case["evaluate"])
    _close(m.train_on_batch(x, y, return_dict=True), case["train_on_batch"])
    h = m.fit(x, y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    _close({k: v[-1] for k, v in h.history.items()}, case["fit"])
    _close(m.evaluate(x, y, batch_size=N, verbose=0, return_dict=True), case["evaluate_after"])


def test_binary_crossentropy_on_3_units_is_categorical_accuracy_not_binary():
    # the case that differs from Keras 2.2's rule (by the loss): the figure is not binary accuracy
    case = REFS["choice"]["bce_3_units_accuracy"]
    y = _target("multi_hot3")
    k, b = _weights(3)
    p = 1 / (1 + np.exp(-(X @ k + b)))
    binary = float(((p > 0.5) == (y > 0.5)).mean())
    categorical = float((p.argmax(1) == y.argmax(1)).mean())
    assert binary != pytest.approx(categorical)
    assert case["evaluate"]["accuracy"] == pytest.approx(categorical)


def _fresh():
    m = tf.Sequential([L.Dense(4, activation="softmax", input_shape=(X.shape[1],))])
    m.compile(optimizer=tf.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
              metrics=["accuracy", tf.metrics.CategoricalAccuracy(name="cat_acc")])
    m.layers[0].set_weights(_weights(4))
    return m


def test_batches_continue_from_fits_last_epoch():
    want = REFS["continue"]["after_fit"]
    y = _target("onehot4")
    m = _fresh()
    h = m.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    _close({k: v[-1] for k, v in h.history.items()}, want["fit"])
    _close(m.train_on_batch(X[:5], y[:5], reset_metrics=False, return_dict=True),
           want["train_on_batch"])
    _close(m.test_on_batch(X[5:8], y[5:8], reset_metrics=False, return_dict=True),
           want["test_on_batch"])
    _close(m.train_on_batch(X[:5], y[:5], return_dict=True), want["train_on_batch_reset"])


def test_batches_continue_from_fits_last_validation():
    want = REFS["continue"]["after_fit_with_validation"]
    y = _target("onehot4")
    m = _fresh()
    h = m.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
              validation_data=(X[:6], y[:6]))
    _close({k: v[-1] for k, v in h.history.items()}, want["fit"])
    _close(m.train_on_batch(X[6:], y[6:], reset_metrics=False, return_dict=True),
           want["train_on_batch"])


def test_batches_continue_from_evaluate():
    want = REFS["continue"]["after_evaluate"]
    y = _target("onehot4")
    m = _fresh()
    _close(m.evaluate(X, y, batch_size=5, verbose=0, return_dict=True), want["evaluate"])
    _close(m.test_on_batch(X[:4], y[:4], reset_metrics=False, return_dict=True),
           want["test_on_batch"])
    _close(m.train_on_batch(X[4:], y[4:], reset_metrics=False, return_dict=True),
           want["train_on_batch"])
