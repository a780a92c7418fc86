"""Keras 2.1-2.2's CuDNNLSTM / CuDNNGRU (layers/cudnn_recurrent.py): cuDNN's LSTM and GRU with
their two biases in one weight. tf_keras 2.21 cannot run them without a GPU ("Could not find
device for node CudnnRNNV3"); its weight shapes, initial bias and config keys (printed by it:
bias (8 U,) with ones at [5 U, 6 U) for unit_forget_bias, GRU bias (6 U,)) are checked here,
and the numbers against the plain LSTM / GRU given the matrices cuDNN reads from the weights
(Note [cuDNN weight layout]; Keras' own outputs for files it wrote: tests/test_hdf5.py)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras.layers import GRU, LSTM, CuDNNGRU, CuDNNLSTM

X = np.random.default_rng(0).standard_normal((4, 6, 3)).astype(np.float32)


def _plain(k, rk, gates):
    """cuDNN's reading of each gate's blocks: the input block flattened as (U, F), transposed
    back; the recurrent block transposed."""
    U, F = rk.shape[0], k.shape[0]
    return (np.hstack([kg.reshape(U, F).T for kg in np.hsplit(k, gates)]),
            np.hstack([rg.T for rg in np.hsplit(rk, gates)]))
KERAS_KEYS = {"name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
              "stateful", "time_major", "units", "kernel_initializer", "recurrent_initializer",
              "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
              "bias_regularizer", "activity_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint"}


def test_cudnn_lstm_is_the_lstm_with_summed_biases():
    layer = CuDNNLSTM(5, return_sequences=True)
    out = layer(X)
    k, rk, b = layer.get_weights()
    assert layer.name.startswith("cu_dnnlstm")
    assert (k.shape, rk.shape, b.shape) == ((3, 20), (5, 20), (40,))
    np.testing.assert_array_equal(b, np.r_[np.zeros(25), np.ones(5), np.zeros(10)])
    b = np.random.default_rng(1).standard_normal(40).astype(np.float32)
    layer.set_weights([k, rk, b])
    ref = LSTM(5, return_sequences=True)
    ref.build((None, 6, 3))
    ref.set_weights(list(_plain(k, rk, 4)) + [b[:20] + b[20:]])
    np.testing.assert_allclose(np.asarray(layer(X)), np.asarray(ref(X)), rtol=1e-6, atol=1e-7)
    assert set(layer.get_config()) == KERAS_KEYS | {"unit_forget_bias"}
    assert out.shape == (4, 6, 5)


def test_cudnn_gru_is_the_reset_after_gru_and_trains():
    layer = CuDNNGRU(4, return_state=True)
    x = keras.Input((6, 3))
    out, h = layer(x)
    k, rk, b = layer.get_weights()
    assert b.shape == (24,) and set(layer.get_config()) == KERAS_KEYS
    b = np.random.default_rng(2).standard_normal(24).astype(np.float32)
    layer.set_weights([k, rk, b])
    ref = GRU(4, reset_after=True)
    ref.build((None, 6, 3))
    ref.set_weights(list(_plain(k, rk, 3)) + [b.reshape(2, 12)])
    model = keras.Model(x, out)
    np.testing.assert_allclose(model.predict(X, verbose=0), np.asarray(ref(X)), rtol=1e-6,
                               atol=1e-7)
    # both halves of the bias take the gradient of the summed bias
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(X))
    g = tape.gradient(loss, layer.bias).numpy()
    np.testing.assert_allclose(g[:8], g[12:20], rtol=1e-6)  # z and r: input = recurrent half


def test_cudnn_layers_refuse_masks():
    x = keras.Input((6,), dtype="int32")
    e = keras.layers.Embedding(10, 3, mask_zero=True)(x)
    model = keras.Model(x, CuDNNLSTM(2)(e))
    with pytest.raises(ValueError, match="Masking is not supported for CuDNN RNNs"):
        model.predict(np.array([[1, 2, 0, 0, 0, 0]]), verbose=0)
