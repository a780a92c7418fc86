"""The gaps the thirtieth corpus's programs revealed (keras-io's structured-data and time-series
examples in their Keras 2 revisions, leriomaggio/deep-learning-keras-tensorflow's notebooks;
tools/keras_corpus.md "Thirtieth corpus"). Figures marked Keras 2's / TensorFlow's were printed
by tools/keras_corpus30_refs.py under tf_keras 2.21 / TensorFlow 2.21; the others are worked out
in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers

K = keras.backend
X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)


# ---- a merge layer on a list of one tensor is that tensor (tf_keras 2.21; keras-io's
#      feature_preprocessing_layer.py concatenates the outputs of a dict of one layer) ----

@pytest.mark.parametrize("cls", [layers.Add, layers.Multiply, layers.Average, layers.Maximum,
                                 layers.Minimum, layers.Concatenate])
def test_merge_of_one_input(cls):
    np.testing.assert_array_equal(cls()([X]).numpy(), X)  # Keras 2's: the input itself
    assert tuple(cls()([keras.Input((3,))]).shape) == (None, 3)
    np.testing.assert_array_equal(layers.concatenate([X]).numpy(), X)


def test_merge_of_no_input_and_subtract_of_one_still_raise():
    with pytest.raises(ValueError, match="Subtract` layer should be called on exactly 2 inputs"):
        layers.Subtract()([keras.Input((3,))])  # Keras 2's message
    with pytest.raises(ValueError, match="at least 1 input. Got 0 inputs"):
        layers.Add()([])  # (tf_keras 2.21 fails there with an IndexError of its own indexing)


# ---- a subclassed Model called on a dict of Inputs runs on stand-ins of that dict
#      (feature_preprocessing_layer.py's FeaturePreprocessor(tf.keras.models.Model)) ----

class _Prep(keras.Model):
    def __init__(self):
        super().__init__()
        self.lookup = layers.StringLookup(vocabulary=["a", "b"])
        self.norm = layers.Normalization(mean=[2.0], variance=[4.0])

    def call(self, inputs):
        return layers.concatenate([self.norm(inputs["num"]),
                                   tf.cast(self.lookup(inputs["cat"]), tf.float32)])


def test_subclassed_model_on_a_dict_of_inputs():
    inp = {"num": keras.Input((1,), name="num"),
           "cat": keras.Input((1,), dtype=tf.string, name="cat")}
    out = _Prep()(inp)
    assert tuple(out.shape) == (None, 2)  # Keras 2's
    m = keras.Model(inp, out)
    y = m({"num": np.array([[0.0], [4.0]], np.float32), "cat": np.array([["b"], ["z"]])})
    np.testing.assert_allclose(y.numpy(), [[-1.0, 2.0], [1.0, 0.0]])  # Keras 2's


def test_subclassed_model_on_a_dict_reports_its_own_error():
    class Bad(keras.Model):
        def call(self, inputs):
            return inputs["missing"]

    with pytest.raises(ValueError, match=r'"bad".*KeyError.*missing'):
        Bad(name="bad")({"a": keras.Input((1,), name="a")})


# ---- TensorFlow's "float" is float32 ("double" float64, "half" float16): Keras 2's
#      K.placeholder(dtype="float") (leriomaggio's Keras Backend notebook) ----

def test_tensorflow_float_names():
    assert [tf.as_dtype(n).name for n in ("float", "double", "half")] == \
        ["float32", "float64", "float16"]  # TensorFlow's
    assert K.placeholder(dtype="float", shape=(3, 2)).dtype == "float32"
    assert K.variable(np.ones((2, 2)), dtype="float").dtype == "float32"
    assert K.constant(1.0, dtype="double").dtype == "float64"
    assert K.cast(np.array([1, 2]), "float").dtype == "float32"
    assert keras.Input((2,), dtype="float").dtype == "float32"
    assert tf.cast([1, 2], "float").dtype == "float32"


def test_k_dot_of_a_float_placeholder_and_a_variable():
    x = K.placeholder(dtype="float", shape=(None, 3))
    w = K.variable(np.arange(6.0).reshape(3, 2))
    f = K.function([x], [K.dot(x, w)])
    np.testing.assert_allclose(f([X])[0], X @ np.arange(6.0).reshape(3, 2), rtol=1e-6)


# ---- plot_model takes tf_keras 2.21's arguments only (feature_engineering_with_lambda.py
#      passes input_layer_graph=) ----

def test_plot_model_rejects_an_unknown_argument(tmp_path):
    m = keras.Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(TypeError, match="unexpected keyword argument 'input_layer_graph'"):
        keras.utils.plot_model(m, input_layer_graph="g.png")  # Keras 2's TypeError
    text = keras.utils.plot_model(m, to_file=str(tmp_path / "m.txt"), show_trainable=True,
                                  layer_range=None, show_layer_activations=True)
    assert "Dense" in text


# ---- a rank-1 target for a rank-2 output of several units: Keras 2 expands it to (N, 1) and
#      the elementwise loss / metric broadcasts it (keras-io EEG_Signal_Classifiation: one
#      standardized label per row against Dense(68), loss "mse", metric "mae") ----

def _dense3():
    m = keras.Sequential([layers.Dense(3, input_shape=(2,), kernel_initializer="ones",
                                       bias_initializer=keras.initializers.Constant(
                                           [0.0, 1.0, -1.0]))])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


XE = np.array([[1.0, 2.0], [0.0, -1.0], [0.5, 0.5], [2.0, 0.0]], np.float32)
YE = np.array([1.0, -1.0, 0.0, 3.0], np.float32)


def test_rank1_target_broadcasts_over_the_units():
    m = _dense3()
    # outputs x1 + x2 + (0, 1, -1) against one label a row: squared errors 26 / 12, absolute 14 / 12
    np.testing.assert_allclose(m.evaluate(XE, YE, verbose=0), [26 / 12, 14 / 12], rtol=1e-6)
    h = m.fit(XE, YE, epochs=1, batch_size=4, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [2.1666665077209473], rtol=1e-6)  # Keras 2's
    np.testing.assert_allclose(m.get_weights()[0],  # Keras 2's kernel after one SGD step
                               [[0.9991666674613953, 0.9933333396911621, 1.0049999952316284],
                                [0.9925000071525574, 0.9900000095367432, 0.9950000047683716]],
                               rtol=1e-6)


def test_rank1_target_for_categorical_crossentropy_still_raises():
    m = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="one-hot targets"):  # Keras 2: a ValueError too
        m.fit(XE, YE, epochs=1, verbose=0)
