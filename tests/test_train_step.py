"""The training step's fast paths give the same numbers as the general ones:
Keras loss class instances train on the same fused native path as the loss names (identical
values), and the native fast paths of the kernel entry points refuse bad arguments with the same
clear messages as the Python checks."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import losses, layers
from tensorforge.models import Sequential


def _data(n=96, d=12, c=4, seed=0):
    r = np.random.default_rng(seed)
    x = r.standard_normal((n, d)).astype(np.float32)
    labels = r.integers(0, c, n)
    return x, labels, np.eye(c, dtype=np.float32)[labels]


def _history(loss, last="softmax", units=4, y=None, sample_weight=None, metrics=("accuracy",)):
    x, labels, onehot = _data()
    tf.utils.set_random_seed(3)
    m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)),
                    layers.Dense(units, activation=last)])
    m.compile(optimizer="sgd", loss=loss, metrics=list(metrics))
    h = m.fit(x, onehot if y is None else y, batch_size=32, epochs=2, verbose=0, shuffle=False,
              sample_weight=sample_weight)
    return m, h.history


def _spec(model):
    return model._out_specs[0]


@pytest.mark.parametrize("name,instance", [
    ("categorical_crossentropy", lambda: losses.CategoricalCrossentropy()),
    ("sparse_categorical_crossentropy", lambda: losses.SparseCategoricalCrossentropy()),
])
def test_loss_instance_takes_the_fused_softmax_path_with_identical_values(name, instance):
    y = None if name.startswith("categorical") else _data()[1]
    m1, h1 = _history(name, y=y)
    m2, h2 = _history(instance(), y=y)
    assert _spec(m2).fused == "softmax" and _spec(m1).fused == "softmax"
    assert h1 == h2  # bit-identical: the same code path
    assert m2.loss.__class__.__name__.endswith("Crossentropy")  # compile keeps what was given


def test_binary_and_mse_instances_match_their_names():
    x, labels, _ = _data()
    yb = (labels % 2).astype(np.float32)
    m1, h1 = _history("binary_crossentropy", last="sigmoid", units=1, y=yb)
    m2, h2 = _history(losses.BinaryCrossentropy(), last="sigmoid", units=1, y=yb)
    assert _spec(m2).fused == "sigmoid" and h1 == h2
    m1, h1 = _history("mse", y=None, metrics=("mae",))
    m2, h2 = _history(losses.MeanSquaredError(), metrics=("mae",))
    assert _spec(m2).loss_fn is losses.mean_squared_error and h1 == h2


def test_from_logits_instance_equals_softmax_layer_with_the_name():
    # a linear last layer + CategoricalCrossentropy(from_logits=True) computes what a softmax
    # layer + 'categorical_crossentropy' computes (both run the fused loss on the same logits)
    m1, h1 = _history("categorical_crossentropy", last="softmax")
    m2, h2 = _history(losses.CategoricalCrossentropy(from_logits=True), last="linear")
    assert _spec(m2).fused == "softmax" and _spec(m2).from_logits
    assert not m2._logits_outputs  # the layer is not asked for logits: it already gives them
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-6)
    assert h1["accuracy"] == h2["accuracy"]
    _, labels, _ = _data()
    m3, h3 = _history(losses.SparseCategoricalCrossentropy(from_logits=True), last="linear",
                      y=labels)
    np.testing.assert_allclose(h1["loss"], h3["loss"], rtol=1e-6)


def test_from_logits_instance_value_against_numpy():
    x, labels, onehot = _data()
    tf.utils.set_random_seed(1)
    m = Sequential([layers.Dense(4, input_shape=(12,))])
    m.compile(optimizer="sgd", loss=losses.CategoricalCrossentropy(from_logits=True))
    z = m.predict(x, verbose=0).astype(np.float64)
    logp = z - z.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    want = -(onehot * logp).sum(1).mean()
    np.testing.assert_allclose(m.evaluate(x, onehot, verbose=0), want, rtol=1e-5)


def test_from_logits_instance_with_softmax_layer_is_not_fused_into_the_layer():
    # Keras 2 applies the softmax, then treats its output as logits: so must we
    x, labels, onehot = _data()
    tf.utils.set_random_seed(1)
    m = Sequential([layers.Dense(4, activation="softmax", input_shape=(12,))])
    m.compile(optimizer="sgd", loss=losses.CategoricalCrossentropy(from_logits=True))
    p = m.predict(x, verbose=0).astype(np.float64)
    logp = p - np.log(np.exp(p).sum(1, keepdims=True))
    want = -(onehot * logp).sum(1).mean()
    np.testing.assert_allclose(m.evaluate(x, onehot, verbose=0), want, rtol=1e-5)


def test_non_default_instances_keep_their_own_path():
    for loss in (losses.CategoricalCrossentropy(label_smoothing=0.1),
                 losses.CategoricalCrossentropy(reduction="sum")):
        m, h = _history(loss)
        assert _spec(m).loss_fn is loss and not _spec(m).fused
        assert np.isfinite(h["loss"]).all()


def test_loss_instance_with_sample_weight_matches_the_name():
    w = np.linspace(0.5, 2.0, 96).astype(np.float32)
    _, h1 = _history("categorical_crossentropy", sample_weight=w)
    _, h2 = _history(losses.CategoricalCrossentropy(), sample_weight=w)
    assert h1 == h2
    _, h3 = _history(losses.CategoricalCrossentropy(from_logits=True), last="linear",
                     sample_weight=w)
    np.testing.assert_allclose(h1["loss"], h3["loss"], rtol=1e-6)
