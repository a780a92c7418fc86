"""tf.saved_model.save / load of Keras models (tf_saved_model.py): the loaded object is called,
its serving signature returns {output name: tensor} as TensorFlow's, and what it cannot do is
said."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


def test_save_load_call_and_signature(tmp_path):
    inp = keras.Input((3,), name="input_1")
    m = keras.Model(inp, keras.layers.Dense(2, name="d")(inp))
    x = np.random.RandomState(0).randn(4, 3).astype("float32")
    want = m.predict(x, verbose=0)
    d = str(tmp_path / "sm")
    tf.saved_model.save(m, d)
    assert tf.saved_model.contains_saved_model(d)
    loaded = tf.saved_model.load(d)
    np.testing.assert_allclose(np.asarray(loaded(x)), want, rtol=1e-6)
    sig = loaded.signatures["serving_default"]
    for out in (sig(tf.constant(x)), sig(input_1=tf.constant(x))):
        assert list(out) == ["d"]  # TensorFlow's key: the output layer's name
        np.testing.assert_allclose(np.asarray(out["d"]), want, rtol=1e-6)
    assert len(loaded.variables) == 2 and len(loaded.trainable_variables) == 2


def test_what_it_cannot_do(tmp_path):
    with pytest.raises(NotImplementedError, match="Keras models and tf.Modules"):
        tf.saved_model.save(object(), str(tmp_path / "mod"))  # (a bare tf.Module: test_corpus16)
    with pytest.raises(OSError, match="does not exist"):
        tf.saved_model.load(str(tmp_path / "nowhere"))
    os.makedirs(tmp_path / "tfsm")
    open(tmp_path / "tfsm" / "saved_model.pb", "wb").close()
    with pytest.raises(ValueError, match="TensorFlow SavedModel"):
        tf.saved_model.load(str(tmp_path / "tfsm"))
    assert not tf.saved_model.contains_saved_model(str(tmp_path / "nowhere"))
