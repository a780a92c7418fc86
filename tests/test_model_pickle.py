"""Pickling and deep-copying models (GDL's `pickle.dump(self, f)` of its model classes, MC
ensembles' copy.deepcopy): a functional graph's id-keyed plan, the optimizer's id-keyed state
and the identity-keyed registry of variables are made again for the loaded objects, so a
loaded model predicts, evaluates and goes on training exactly as the original would."""
import copy
import pickle

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.autograd import Tensor


class _Scale(keras.layers.Layer):
    """A custom layer whose weight is a tf.Variable attribute (tracked by the registry)."""

    def build(self, input_shape):
        self.w = tf.Variable(np.full(input_shape[-1:], 0.5, "float32"), trainable=True)
        self.frozen = tf.Variable(np.ones(input_shape[-1:], "float32"), trainable=False)

    def call(self, x):
        return x * self.w * self.frozen


def _data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 2)).astype("float32")


def _functional():
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(3, activation="tanh")(inp)
    inner = keras.Model(inp, _Scale()(h), name="inner")
    i2 = keras.Input((4,))
    out = keras.layers.Dense(2)(inner(i2) + 1.0)  # an op layer in the graph too
    m = keras.Model(i2, out)
    m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    return m


def _sequential():
    m = keras.Sequential([keras.layers.Dense(3, activation="relu", input_shape=(4,)),
                          keras.layers.Dense(2)])
    m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return m


def _max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a.get_weights(), b.get_weights()))


@pytest.mark.parametrize("build", [_functional, _sequential])
@pytest.mark.parametrize("clone", ["pickle", "deepcopy"])
def test_a_trained_model_loads_back_and_trains_on_as_the_original(build, clone):
    x, y = _data()
    m = build()
    m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    m2 = pickle.loads(pickle.dumps(m)) if clone == "pickle" else copy.deepcopy(m)
    assert m2 is not m and m2.layers[-1] is not m.layers[-1]
    np.testing.assert_array_equal(m2.predict(x, verbose=0), m.predict(x, verbose=0))
    assert m2.evaluate(x, y, verbose=0) == m.evaluate(x, y, verbose=0)
    before = m.get_weights()
    # the Adam moments came along: one more epoch on each gives the same weights, and not
    # those of a copy whose optimizer starts afresh
    fresh = pickle.loads(pickle.dumps(m))
    fresh.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    m2.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    fresh.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(before, m.get_weights()):  # training the copy left the original alone
        np.testing.assert_array_equal(a, b)
    m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert _max_diff(m, m2) == 0.0
    assert _max_diff(m, fresh) > 1e-4


def test_variables_of_a_loaded_model_keep_their_trainable_flags():
    m = _functional()
    m.fit(*_data(), epochs=1, verbose=0)
    m2 = pickle.loads(pickle.dumps(m))
    scale = m2.get_layer("inner").layers[-1]
    assert (scale.w.trainable, scale.frozen.trainable) == (True, False)
    assert len(m2.trainable_weights) == len(m.trainable_weights) == 5
    assert len(m2.non_trainable_weights) == 1
    m2.summary(print_fn=lambda *a, **k: None)


def test_a_tensor_pickles_as_a_leaf_and_a_variable_as_a_variable():
    a = Tensor(np.arange(3, dtype="float32"), requires_grad=True)
    b = (a * 2.0).sum()
    b2 = pickle.loads(pickle.dumps(b))
    assert float(b2.data) == 6.0 and b2.requires_grad and b2._node is None
    b2.backward()  # a leaf: its own gradient, no way back to a
    assert float(b2.grad) == 1.0 and a.grad is None
    v = tf.Variable([1.0, 2.0], trainable=False)
    v2 = copy.deepcopy(v)
    assert v2.trainable is False and v2.data is not v.data
    with pytest.raises(AttributeError, match="only variables"):
        pickle.loads(pickle.dumps(Tensor(np.ones(2)))).trainable


class _GAN:
    """GDL's pattern: a class holding its models, saved with pickle.dump(self, f)."""

    def __init__(self):
        self.generator = _functional()
        self.model = keras.Model(self.generator.inputs, self.generator.outputs)
        self.history = self.generator.fit(*_data(), epochs=1, verbose=0)


def test_an_object_holding_its_models_pickles_to_a_file(tmp_path):
    gan = _GAN()
    path = tmp_path / "obj.pkl"
    with open(path, "wb") as f:
        pickle.dump(gan, f)
    with open(path, "rb") as f:
        back = pickle.load(f)
    x, _ = _data()
    np.testing.assert_array_equal(back.model.predict(x, verbose=0),
                                  gan.generator.predict(x, verbose=0))
    assert back.history.history["loss"] == gan.history.history["loss"]
    # the two loaded models still share their layers, as the saved ones did
    assert back.model.layers[-1] is back.generator.layers[-1]
