"""A masked sequence gives the same loss and metrics as Keras 2: Masking / Embedding(mask_zero)
masks flow through the recurrent layers to the loss, which averages over the unmasked steps
(tf_keras' figures from tools/keras_masked_loss.py, same weights)."""
import os
import sys

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from keras_masked_loss import models  # noqa: E402  (the model definitions, not Keras)

DATA = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_masked_loss.npz"))


@pytest.mark.parametrize("name", sorted(models(L)))
def test_masked_loss_matches_keras(name, backend):
    build, loss, metrics = models(L)[name]
    model = tf.models.Sequential(build())
    model.compile("sgd", loss, metrics=metrics)
    x, y = DATA[f"{name}/x"], DATA[f"{name}/y"]
    model.predict(x[:1], verbose=0)
    n = len(model.get_weights())
    model.set_weights([DATA[f"{name}/w{i}"] for i in range(n)])
    got = model.evaluate(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(got, DATA[f"{name}/eval"], rtol=2e-5, atol=1e-6)


def test_masked_steps_get_no_gradient(backend):
    """Changing the targets at masked steps changes neither the loss nor the update."""
    build, loss, metrics = models(L)["masking_lstm_mse"]
    x, y = DATA["masking_lstm_mse/x"], DATA["masking_lstm_mse/y"].copy()
    results = []
    for fill in (0.0, 100.0):
        model = tf.models.Sequential(build())
        model.compile("sgd", loss)
        model.predict(x[:1], verbose=0)
        model.set_weights([DATA[f"masking_lstm_mse/w{i}"] for i in range(len(model.get_weights()))])
        yy = y.copy()
        yy[(x == 0).all(-1)] = fill
        results.append((model.train_on_batch(x, yy), model.get_weights()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
