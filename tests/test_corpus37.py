"""The gaps the thirty-seventh corpus's programs revealed (lazyprogrammer/machine_learning_examples,
the Advanced NLP and Recommender Systems courses' Keras 2.0-2.2 programs, tools/keras_corpus.md
"Thirty-seventh corpus"). Figures marked Keras 2's were printed by tools/keras_corpus37_refs.py
under tf_keras 2.21."""
import numpy as np
import pytest

from tensorforge import keras
import tensorforge.backend as K

X = np.sin(np.arange(16, dtype="float32")).reshape(2, 4, 2)


def _fixed(layer):
    layer.set_weights([np.cos(np.arange(w.size, dtype="float32") * (0.3 + 0.1 * i)).reshape(w.shape)
                       * 0.5 for i, w in enumerate(layer.get_weights())])
    return layer


# ---- K.tensorflow_backend: Keras 2.0-2.2's backend package had its TensorFlow module as an
#      attribute; the course's programs open with
#      `if len(K.tensorflow_backend._get_available_gpus()) > 0: from keras.layers import CuDNNLSTM` ----

def test_backend_has_tensorflow_backend_attribute():
    tb = K.tensorflow_backend
    assert tb is keras.backend.tensorflow_backend
    gpus = tb._get_available_gpus()
    assert isinstance(gpus, list) and all(g.startswith("/device:GPU:") for g in gpus)
    from tensorforge import tf_session
    assert tb.set_session is tf_session.set_session  # `from ...tensorflow_backend import set_session`
    # any other name is the backend's, as that module held all of them
    assert tb.sum is K.sum


# ---- Bidirectional with return_state (bilstm_test.py): Keras 2 returns the merged output, then the
#      forward layer's states, then the backward layer's; tensorforge refused return_state ----

def test_bidirectional_lstm_return_state_matches_keras():
    inp = keras.Input((4, 2))
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
    m = keras.Model(inp, bi(inp))
    _fixed(bi)
    assert m.output_shape == [(None, 6), (None, 3), (None, 3), (None, 3), (None, 3)]
    o, hf, cf, hb, cb = m.predict(X, verbose=0)
    # Keras 2's figures (row 1)
    np.testing.assert_allclose(o[1], [-0.2128794, -0.1917886, -0.1162116, -0.1606678, 0.1540921,
                                      0.1902252], atol=2e-6)
    np.testing.assert_allclose(cf[1], [-0.481444, -0.3825519, -0.2087468], atol=2e-6)
    np.testing.assert_allclose(cb[1], [-0.2356245, 0.2473635, 0.3761753], atol=2e-6)
    # the output is the two final hidden states side by side
    np.testing.assert_array_equal(o, np.concatenate([hf, hb], axis=1))


def test_bidirectional_gru_return_state_merge_none_matches_keras():
    inp = keras.Input((4, 2))
    bi = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True, return_state=True),
                                    merge_mode=None)
    m = keras.Model(inp, bi(inp))
    _fixed(bi)
    assert m.output_shape == [(None, 4, 3), (None, 4, 3), (None, 3), (None, 3)]
    yf, yb, hf, hb = m.predict(X, verbose=0)
    np.testing.assert_allclose(yf[1, 0], [-0.1626045, -0.1888348, -0.1943037], atol=2e-6)
    np.testing.assert_allclose(hf[1], [-0.3364628, -0.3830123, -0.34486], atol=2e-6)
    np.testing.assert_allclose(hb[1], [0.184103, 0.4445599, 0.5804108], atol=2e-6)
    # the backward outputs are put back in time order: its last step's state is at t = 0
    np.testing.assert_allclose(yb[:, 0], hb, atol=1e-7)
    np.testing.assert_allclose(yf[:, -1], hf, atol=1e-7)


def test_bidirectional_initial_state_halves_match_keras():
    inp = keras.Input((4, 2))
    st = [keras.Input((3,)) for _ in range(4)]
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True), merge_mode="sum")
    m = keras.Model([inp] + st, bi(inp, initial_state=st))
    _fixed(bi)
    S = [np.full((2, 3), v, "float32") for v in (0.1, -0.2, 0.3, -0.4)]
    o, hf, cf, hb, cb = m.predict([X] + S, verbose=0)
    np.testing.assert_allclose(o[0], [-0.2813296, -0.0074866, 0.1072949], atol=2e-6)
    np.testing.assert_allclose(cf[0], [-0.4286045, -0.2822617, -0.0769744], atol=2e-6)
    np.testing.assert_allclose(cb[0], [-0.0542038, 0.3397523, 0.3946482], atol=2e-6)
    np.testing.assert_allclose(o, hf + hb, atol=1e-6)


def test_bidirectional_return_state_eager_call_trains_and_round_trips(tmp_path):
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
    outs = bi(X)
    assert [tuple(t.shape) for t in outs] == [(2, 6), (2, 3), (2, 3), (2, 3), (2, 3)]
    # the states are outputs a model can train through (the seq2seq encoder's use)
    inp = keras.Input((4, 2))
    o, hf, cf, hb, cb = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))(inp)
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([hf, cb]))
    m = keras.Model(inp, out)
    m.compile("sgd", "mse")
    before = [w.copy() for w in m.get_weights()]
    m.fit(X, np.ones((2, 1), "float32"), epochs=1, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, m.get_weights())]
    assert all(changed), changed  # both directions' weights got gradients
    p = str(tmp_path / "m.h5")
    m.save(p)
    m2 = keras.models.load_model(p)
    np.testing.assert_allclose(m2.predict(X, verbose=0), m.predict(X, verbose=0), atol=1e-6)


def test_bidirectional_odd_initial_state_count_is_refused():
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
    with pytest.raises(ValueError, match="initial_state.*even"):
        bi(X, initial_state=[np.zeros((2, 3), "float32")] * 3)
