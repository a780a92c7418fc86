"""Model(inputs=intermediate tensors, outputs=...): the part of a functional graph between
them (Keras 2's clone_graph_nodes, engine/functional_utils.py)."""
import numpy as np
import pytest

from tensorforge import keras

L = keras.layers


def _relu(a):
    return np.maximum(a, 0)


def test_sub_model_from_a_hidden_tensor_shares_the_layers():
    inp = keras.Input((4,))
    h = L.Dense(3, name="h")(inp)
    out = L.Dense(2, name="o")(L.Activation("relu")(h))
    full = keras.Model(inp, out)
    sub = keras.Model(h, out)
    assert [type(l).__name__ for l in sub.layers] == ["InputLayer", "Activation", "Dense"]
    assert sub.input_shape == (None, 3) and sub.output_shape == (None, 2)
    assert sub.get_layer("o") is full.get_layer("o")
    x = np.random.RandomState(0).randn(5, 3).astype("float32")
    k, b = full.get_layer("o").get_weights()
    np.testing.assert_allclose(sub.predict(x, verbose=0), _relu(x) @ k + b, rtol=1e-5, atol=1e-6)
    # the full model still runs from its own input
    x4 = np.random.RandomState(1).randn(5, 4).astype("float32")
    hk, hb = full.get_layer("h").get_weights()
    np.testing.assert_allclose(full.predict(x4, verbose=0), _relu(x4 @ hk + hb) @ k + b,
                               rtol=1e-5, atol=1e-6)
    # training the sub-model moves the shared layer's weights
    sub.compile("sgd", "mse")
    sub.fit(x, np.ones((5, 2), "float32"), epochs=1, verbose=0)
    assert not np.allclose(full.get_layer("o").get_weights()[0], k)


def test_intermediate_and_real_inputs_together_and_config_round_trip():
    a = keras.Input((4,), name="a")
    b = keras.Input((2,), name="b")
    h = L.Dense(3, name="h")(a)
    out = L.Dense(1, name="o")(L.Concatenate(name="cat")([h, b]))
    keras.Model([a, b], out)
    sub = keras.Model([h, b], out)
    assert [l.name for l in sub.layers if type(l).__name__ != "InputLayer"] == ["cat", "o"]
    xs = [np.random.RandomState(2).randn(3, 3).astype("float32"),
          np.random.RandomState(3).randn(3, 2).astype("float32")]
    k, bias = sub.get_layer("o").get_weights()
    want = np.concatenate(xs, axis=1) @ k + bias
    np.testing.assert_allclose(sub.predict(xs, verbose=0), want, rtol=1e-5, atol=1e-6)
    clone = keras.Model.from_config(sub.get_config())
    clone.set_weights(sub.get_weights())
    np.testing.assert_allclose(clone.predict(xs, verbose=0), want, rtol=1e-5, atol=1e-6)


def test_an_input_not_given_is_still_a_disconnected_graph():
    a = keras.Input((4,))
    b = keras.Input((4,))
    h = L.Dense(3)(a)
    out = L.Add()([h, L.Dense(3)(b)])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(h, out)
