"""Keras 2.2's K.function with K.learning_phase() among its inputs (the Keras FAQ's "output of
an intermediate layer", test mode [x, 0] / train mode [x, 1]); tf_keras 2.21 refuses it, Keras
2.2 ran it. K.learning_phase() stays the int 0 / 1 it is in tf_keras."""
import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import backend as K


def _model():
    return keras.Sequential([keras.layers.Dense(8, input_shape=(3,), activation="relu"),
                             keras.layers.Dropout(0.5), keras.layers.Dense(2)])


def test_learning_phase_marks_the_training_flag_of_k_function():
    model = _model()
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    get = K.function([model.layers[0].input, K.learning_phase()], [model.layers[2].output])
    test_mode = get([x, 0])[0]
    np.testing.assert_allclose(test_mode, model.predict(x, verbose=0), rtol=1e-6)
    train_mode = get([x, 1])[0]  # dropout active: some of the 64 x 8 hidden units dropped
    assert train_mode.shape == (64, 2) and not np.allclose(train_mode, test_mode)
    # the phase may stand anywhere in the list
    first = K.function([K.learning_phase(), model.layers[0].input], [model.layers[0].output])
    np.testing.assert_allclose(first([0, x])[0], np.maximum(x @ model.layers[0].get_weights()[0]
                                                            + model.layers[0].get_weights()[1],
                                                            0), rtol=1e-5, atol=1e-6)


def test_learning_phase_is_still_an_int_and_bad_values_raise():
    phase = K.learning_phase()
    assert phase == 0 and isinstance(phase, int) and repr(phase) == "0" and phase + 1 == 1
    model = _model()
    get = K.function([model.input, K.learning_phase()], [model.output])
    with pytest.raises(ValueError, match="learning phase value must be 0 or 1, got 2"):
        get([np.ones((1, 3), np.float32), 2])
    with pytest.raises(ValueError, match="expected 2 input array"):
        get([np.ones((1, 3), np.float32)])
    with pytest.raises(ValueError, match="more than once"):
        K.function([model.input, K.learning_phase(), K.learning_phase()], [model.output])
