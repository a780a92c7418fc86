"""The gaps the thirty-fifth corpus's programs revealed (jeffheaton/t81_558_deep_learning, the
T81-558 course notebooks, tools/keras_corpus.md "Thirty-fifth corpus"). Figures marked Keras
2's were printed by tools/keras_corpus35_refs.py under tf_keras 2.21; the others are worked
out in the test."""
import numpy as np
import pytest

from tensorforge import keras

X = (np.arange(12, dtype="float32").reshape(4, 3) - 5.0) / 4.0
Y = np.array([[0.5], [-1.0], [2.0], [-0.25]], "float32")
K0 = np.array([[0.5, -0.4, 0.3, -0.2], [-0.1, 0.6, -0.7, 0.2], [0.3, -0.5, 0.1, 0.8]], "float32")
K1 = np.array([[1.0], [-0.5], [0.75], [-1.25]], "float32")


def _prelu_model():
    keras.backend.clear_session()  # the layer names start again (dense, p_re_lu)
    m = keras.Sequential([keras.layers.Dense(4, input_dim=3, activation=keras.layers.PReLU()),
                          keras.layers.Dense(1)])
    m.set_weights([K0, np.zeros(4, "float32"), np.full(4, 0.25, "float32"), K1,
                   np.zeros(1, "float32")])
    return m


# ---- a layer as another layer's activation (the bootstrap and hyperparameter notebooks'
#      Dense(100, activation=PReLU())): tensorforge tracked the PReLU but built it only at
#      its first call, after the model had listed its weights, so summary() left its alpha
#      out, fit never trained it and set_weights did not take it ----

def test_prelu_activation_weights_belong_to_the_dense():
    m = _prelu_model()
    # Keras 2's figures
    assert [(w.name, tuple(w.shape)) for w in m.weights] == [
        ("dense/kernel:0", (3, 4)), ("dense/bias:0", (4,)), ("dense/p_re_lu/alpha:0", (4,)),
        ("dense_1/kernel:0", (4, 1)), ("dense_1/bias:0", (1,))]
    assert m.count_params() == 25 and m.layers[0].count_params() == 20
    np.testing.assert_allclose(m.predict(X, verbose=0).ravel(),
                               [0.034375, -0.125, -0.528125, -0.7671874], rtol=1e-5, atol=1e-6)
    # worked out: PReLU(h) = max(h, 0) + 0.25 * min(h, 0)
    h = X @ K0
    np.testing.assert_allclose(m.predict(X, verbose=0),
                               (np.maximum(h, 0) + 0.25 * np.minimum(h, 0)) @ K1, rtol=1e-5,
                               atol=1e-6)


def test_prelu_activation_alpha_is_trained():
    m = _prelu_model()
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    loss = m.train_on_batch(X, Y)
    # Keras 2's figures
    np.testing.assert_allclose(loss, 1.9103326797485352, rtol=1e-5)
    np.testing.assert_allclose(m.layers[0].activation.get_weights()[0],
                               [0.2423828, 0.2662324, 0.2227964, 0.2660059], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.get_weights()[0][0],
                               [0.5556543, -0.4035693, 0.305354, -0.2900757], rtol=1e-5,
                               atol=1e-6)


def test_prelu_activation_of_a_conv_is_built_with_it():
    inp = keras.Input((5, 5, 2))
    out = keras.layers.Conv2D(3, 3, activation=keras.layers.PReLU(shared_axes=[1, 2]))(inp)
    shapes = [tuple(w.shape) for w in keras.Model(inp, out).weights]
    assert shapes == [(3, 3, 2, 3), (3,), (1, 1, 3)]  # Keras 2's


# ---- Dense with a float unit count: Keras 2 takes int(units) (the hyperparameter notebook's
#      neuronCount * neuronShrink gives 200.0); tensorforge refused it with a TypeError ----

@pytest.mark.parametrize("units", [200.0, 200.7, np.float32(200.0)])
def test_dense_float_units_are_truncated(units):
    d = keras.layers.Dense(units)
    assert d.units == 200 and type(d.units) is int  # Keras 2's
    assert d.get_config()["units"] == 200


# (0.4: Dense(0), as tf_keras; "7": 7 units there too, tests/test_keras_gaps31.py)
@pytest.mark.parametrize("units", [-3.0, float("nan"), True, "seven"])
def test_dense_bad_units_still_raise(units):
    with pytest.raises((TypeError, ValueError), match="Dense: units"):
        keras.layers.Dense(units)


# ---- an object array of numbers (a DataFrame's .values over float and pandas 2's bool
#      get_dummies columns): Keras 2 refuses it with a ValueError; tensorforge raised a
#      TypeError that called the numbers strings ----

def test_object_array_of_numbers_is_a_value_error():
    xo = np.array([[1.5, True], [2.0, False], [0.3, True]], dtype=object)
    m = keras.Sequential([keras.layers.Dense(1, input_dim=2)])
    m.compile(loss="mse", optimizer="adam")
    for call in (lambda: m.fit(xo, np.ones(3), verbose=0), lambda: m.predict(xo, verbose=0),
                 lambda: m.evaluate(xo, np.ones(3), verbose=0)):
        with pytest.raises(ValueError, match=r"object array of shape \(3, 2\).*bool/float.*"
                                             r"Unsupported object type"):
            call()
    # the numeric array of the same values trains
    m.fit(xo.astype("float32"), np.ones(3), verbose=0)


def test_prelu_activation_survives_save_and_load(tmp_path):
    # Keras 2 writes the layer's config as the Dense's activation and its alpha under the
    # Dense (tf_keras loads both back); tensorforge refused "activation 'PReLU'"
    m = _prelu_model()
    m.layers[0].activation.set_weights([np.array([0.1, 0.2, 0.3, 0.4], "float32")])
    path = str(tmp_path / "prelu.h5")
    m.save(path)
    m2 = keras.models.load_model(path)
    assert type(m2.layers[0].activation).__name__ == "PReLU"
    np.testing.assert_array_equal(m2.layers[0].activation.get_weights()[0],
                                  np.array([0.1, 0.2, 0.3, 0.4], "float32"))
    np.testing.assert_allclose(m2.predict(X, verbose=0), m.predict(X, verbose=0), rtol=1e-6)
    m3 = keras.models.model_from_json(m.to_json())
    assert [tuple(w.shape) for w in m3.weights] == [(3, 4), (4,), (4,), (4, 1), (1,)]
