"""A training step's objects are freed by reference counting, not left for the cyclic garbage
collector (Note [graph reference cycles] in engine/node.py): with the collector off, a step of
train_on_batch / fit / evaluate / predict / a direct call leaves nothing for gc.collect() to free.
A cycle through a step's outputs would hold the whole autograd graph (every saved activation)
until the next collection."""
import gc

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.symbolic.node import pack_like


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cyclic_garbage():
    """(how many objects gc.collect() found unreachable, their type names)."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        n = gc.collect()
        names = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return n, names


def _data(n=8):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (n, 8, 8, 3)).astype("float32")
    return x, np.eye(4, dtype="float32")[rng.integers(0, 4, n)]


def _residual_model():
    """Conv + BatchNormalization + an Add and a Concatenate (multi-input layers: their inputs
    are packed with pack_like on every call)."""
    inp = keras.Input((8, 8, 3))
    a = keras.layers.Conv2D(4, 3, padding="same")(inp)
    a = keras.layers.BatchNormalization()(a)
    b = keras.layers.Conv2D(4, 1)(inp)
    s = keras.layers.Add()([a, b])
    c = keras.layers.Concatenate()([s, keras.layers.ReLU()(a)])
    out = keras.layers.Dense(4, activation="softmax")(keras.layers.GlobalAveragePooling2D()(c))
    return keras.Model(inp, out)


def _sequential_model():
    return keras.Sequential([keras.layers.Conv2D(4, 3, input_shape=(8, 8, 3)),
                             keras.layers.BatchNormalization(), keras.layers.Dropout(0.5),
                             keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])


@pytest.mark.parametrize("build", [_residual_model, _sequential_model])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_leaves_no_cyclic_garbage(build, optimizer, no_gc):
    tf.utils.set_random_seed(0)
    x, y = _data()
    m = build()
    m.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    m.train_on_batch(x, y)  # the first calls build state that lives on (optimizer slots, ...)
    m.fit(x, y, batch_size=4, epochs=1, verbose=0)
    m.evaluate(x, y, verbose=0)
    m.predict(x, verbose=0)
    _cyclic_garbage()
    loss = m.train_on_batch(x, y)
    m.fit(x, y, batch_size=4, epochs=1, verbose=0)
    m.evaluate(x, y, verbose=0)
    m.predict(x, verbose=0)
    m(x, training=True)
    assert np.isfinite(loss).all()
    assert _cyclic_garbage() == (0, [])


def test_pack_like_keeps_no_reference_to_its_values(no_gc):
    x = [[0.5]]  # a tracked object
    structure = [1, (2, {"k": 3})]
    assert pack_like(structure, ["a", "b", x]) == ["a", ("b", {"k": x})]
    assert _cyclic_garbage() == (0, [])
