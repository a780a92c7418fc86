"""A softmax/sigmoid output under a cross-entropy of the other kind trains as tf_keras 2 trains
it: on the logits (softmax cross-entropy of a sigmoid layer's logits, sigmoid cross-entropy of a
softmax layer's logits), metrics on the layer's own output; in a Sequential / functional model
(the fused output path), a subclassed model and after K.softmax in a Lambda (the activation's
tag, activations.tag_logits). Expected figures:
tests/data/keras_logits_refs.json, from tools/gen_keras_logits_refs.py (tf_keras 2.21)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tensorforge import layers as L

REFS = json.load(open(os.path.join(os.path.dirname(__file__), "data", "keras_logits_refs.json")))


def _model(case):
    """The model of tools/gen_keras_logits_refs.py's build()."""
    act, how = case["activation"], case["build"]
    if how == "activation_layer":
        m = tf.Sequential([L.Dense(4, input_shape=(5,)), L.Activation(act)])
    elif how == "subclassed":
        class Net(tf.Model):
            def __init__(self):
                super().__init__()
                self.dense = L.Dense(4, activation=act)

            def call(self, x):
                return self.dense(x)
        m = Net()
        m(np.zeros((1, 5), np.float32))
    elif how == "lambda_backend":
        fn = getattr(K, act)
        m = tf.Sequential([L.Dense(4, input_shape=(5,)), L.Lambda(lambda t: fn(t))])
    else:
        m = tf.Sequential([L.Dense(4, activation=act, input_shape=(5,))])
    loss = case["loss"]
    if loss == "CategoricalCrossentropy(from_logits=True)":
        loss = tf.losses.CategoricalCrossentropy(from_logits=True)
    m.compile(optimizer=tf.optimizers.SGD(learning_rate=0.5), loss=loss,
              metrics=["accuracy"])
    m.layers[0].set_weights([np.array(REFS["kernel"], np.float32),
                             np.array(REFS["bias"], np.float32)])
    return m


def _close(got, want):
    np.testing.assert_allclose(np.atleast_1d(got), np.atleast_1d(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFS["cases"]))
def test_loss_step_and_metric_equal_tf_keras(name):
    case = REFS["cases"][name]
    x = np.array(REFS["x"], np.float32)
    y = np.array(REFS["targets"][case["target"]])
    m = _model(case)
    _close(m.evaluate(x, y, batch_size=16, verbose=0), case["before"])
    _close(m.train_on_batch(x, y), case["step"])
    k, b = m.layers[0].get_weights()
    np.testing.assert_allclose(k, case["kernel_after"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, case["bias_after"], rtol=1e-5, atol=1e-6)
    _close(m.evaluate(x, y, batch_size=16, verbose=0), case["after"])


@pytest.mark.parametrize("name", ["softmax_binary", "sigmoid_categorical"])
def test_predict_still_applies_the_layers_activation(name):
    case = REFS["cases"][name]
    x = np.array(REFS["x"], np.float32)
    m = _model(case)
    z = x @ np.array(REFS["kernel"], np.float32) + np.array(REFS["bias"], np.float32)
    want = (np.exp(z) / np.exp(z).sum(1, keepdims=True) if case["activation"] == "softmax"
            else 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(m.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
