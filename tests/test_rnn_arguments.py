"""Keras 2 recurrent-layer arguments tensorforge refused: ``input_dim`` / ``input_length`` (an
input shape (input_length, input_dim)) and LSTM / GRU ``implementation`` (kept in the config
as tf_keras keeps it; SimpleRNN drops it with tf_keras' warning). Expected values printed by
tf_keras 2.21 (session 24: the Sequential's input_shape and get_config()['implementation'])."""
import warnings

import numpy as np
import pytest

from tensorforge import keras


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kw, shape", [
    (dict(input_dim=3, input_length=5), (None, 5, 3)),
    (dict(input_dim=3), (None, None, 3)),
    (dict(input_dim=3, input_length=5, batch_size=2), (2, 5, 3)),
])
def test_input_dim_and_input_length(cls, kw, shape):
    model = keras.Sequential([getattr(keras.layers, cls)(4, **kw)])
    assert model.input_shape == shape
    x = np.ones((2, 5, 3), np.float32)
    assert model.predict(x, verbose=0).shape == (2, 4)


def test_rnn_over_a_cell_takes_them_too():
    model = keras.Sequential([keras.layers.RNN(keras.layers.LSTMCell(4), input_dim=3,
                                               input_length=7)])
    assert model.input_shape == (None, 7, 3)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
@pytest.mark.parametrize("kw, want", [
    (dict(), 2), (dict(implementation=1), 1), (dict(implementation=0), 0),
    (dict(implementation=2, recurrent_dropout=0.1), 1),
])
def test_implementation_in_the_config(cls, kw, want):
    layer = getattr(keras.layers, cls)(4, **kw)
    assert layer.get_config()["implementation"] == want
    again = getattr(keras.layers, cls).from_config(layer.get_config())
    assert again.get_config()["implementation"] == want


def test_implementation_gives_the_same_results():
    x = np.random.default_rng(0).normal(size=(3, 6, 5)).astype(np.float32)
    outs = []
    for impl in (1, 2):
        layer = keras.layers.LSTM(4, implementation=impl, kernel_initializer="ones",
                                  recurrent_initializer="ones")
        outs.append(np.asarray(layer(x)))
    np.testing.assert_array_equal(outs[0], outs[1])


def test_simple_rnn_drops_implementation_with_a_warning_and_bad_values_raise():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        layer = keras.layers.SimpleRNN(4, implementation=2)
    assert "implementation" not in layer.get_config()
    assert any("`implementation` argument in `SimpleRNN`" in str(m.message) for m in w)
    with pytest.raises(ValueError, match="LSTM: implementation must be 0, 1 or 2, got 3"):
        keras.layers.LSTM(4, implementation=3)
