"""The gaps the twenty-fifth corpus's programs revealed (keras-io's NLP and generative examples,
tools/keras_corpus.md "Twenty-fifth corpus"). Figures marked Keras 2's were printed by
tools/keras_corpus25_refs.py under TensorFlow 2.21 / tf_keras 2.21; the others are worked out
in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers


# ---- a layer written for one batch size (text_classification_with_switch_transformer.py) ----

class FixedTokens(layers.Layer):
    """Reshapes its (batch, 5, 6) input to a fixed (tokens, 6), as the Switch layer does."""

    def __init__(self, tokens, **kw):
        super().__init__(**kw)
        self.tokens = tokens
        self.dense = layers.Dense(3)

    def call(self, x):
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        flat = tf.reshape(x, [self.tokens, 6])
        return tf.reshape(self.dense(flat), [b, t, 3])


def _fixed_model():
    inp = keras.Input((5, 6))
    m = keras.Model(inp, FixedTokens(20)(inp))
    m.layers[1].dense.set_weights([np.arange(18, dtype="float32").reshape(6, 3) / 10,
                                   np.array([0.5, -0.5, 0.0], "float32")])
    return m


def test_fixed_batch_layer_builds_with_the_batch_it_fits():
    m = _fixed_model()
    assert m.output_shape == (4, 5, 3)  # Keras 2's: the batch 20 tokens of 5 make


def test_fixed_batch_layer_values():
    x = np.arange(4 * 5 * 6, dtype="float32").reshape(4, 5, 6) / 100
    y = _fixed_model().predict(x, verbose=0)
    np.testing.assert_allclose(y[[0, 3], [0, 4]], [[0.665, -0.32, 0.195],  # Keras 2's
                                                   [5.795, 5.494, 6.693]], rtol=1e-5)
    w = np.arange(18, dtype="float32").reshape(6, 3) / 10  # and worked out here
    np.testing.assert_allclose(y, x @ w + [0.5, -0.5, 0.0], rtol=1e-5)


def test_fixed_batch_layer_other_batch_is_an_error():
    x = np.zeros((3, 5, 6), "float32")
    with pytest.raises(ValueError, match=r"reshape: cannot reshape x with shape \(3, 5, 6\)"):
        _fixed_model().predict(x, verbose=0)  # Keras 2: InvalidArgumentError at predict


def test_reshape_no_batch_fits_still_refused_at_build():
    with pytest.raises(ValueError, match=r'"fixed_tokens.*" \(FixedTokens\) failed on an input '
                                         r"of shape \(None, 5, 6\).*to \(7, 6\)"):
        FixedTokens(7)(keras.Input((5, 6)))  # 42 elements: no batch of 30 fits (Keras 2 too)


def test_reshape_size_error_counts():
    with pytest.raises(ValueError) as e:
        tf.reshape(np.zeros((2, 3), "float32"), [4, 2])
    assert (e.value.size, e.value.target) == (6, 8)


# ---- model.build of a model returning (logits, None) (Generative_Pretrained_Transformer(GPT).py) ----

class TwoOut(keras.Model):
    def __init__(self):
        super().__init__()
        self.e = layers.Embedding(10, 4)
        self.d = layers.Dense(3)

    def call(self, idx, targets=None):
        B, T = idx.shape
        x = self.d(self.e(idx))
        if targets is None:
            return x, None
        return x, tf.reduce_mean(x)


def test_build_of_model_returning_none_output():
    m = TwoOut()
    m.build((16, 5))
    assert m.built and m.count_params() == 55  # Keras 2's
    assert [tuple(w.shape) for w in m.weights] == [(10, 4), (4, 3), (3,)]
    out, loss = m(np.zeros((2, 5), "int64"))
    assert tuple(out.shape) == (2, 5, 3) and loss is None


# ---- tf.pad of strings (multi_label_trainer_tfidf.py) ----

def test_pad_list_of_string_tensor():
    t = tf.constant("hello world")
    p = tf.pad([t], [[0, 2]], constant_values="<pad>")
    assert p.numpy().tolist() == [b"hello world", b"<pad>", b"<pad>"]  # TensorFlow's
    assert tf.strings.reduce_join(p, separator="").numpy() == b"hello world<pad><pad>"


@pytest.mark.parametrize("x,pads,kw,want", [  # TensorFlow's
    ([["a", "b"]], [[1, 0], [0, 1]], dict(constant_values="x"),
     [[b"x", b"x", b"x"], [b"a", b"b", b"x"]]),
    (["a", "b", "c"], [[1, 1]], dict(mode="REFLECT"), [b"b", b"a", b"b", b"c", b"b"]),
    (["a"], [[1, 1]], {}, [b"", b"a", b""]),
])
def test_pad_strings(x, pads, kw, want):
    assert tf.pad(tf.constant(x), pads, **kw).numpy().tolist() == want


def test_pad_strings_with_a_number_is_an_error():
    with pytest.raises(TypeError, match="tf.pad: constant_values of a string tensor"):
        tf.pad(tf.constant(["a"]), [[1, 1]], constant_values=3)  # TensorFlow: TypeError too


# ---- + of string tensors (text_generation_fnet.py) ----

def test_string_tensor_add():
    s = tf.strings.join(["[start]", tf.constant("hi there"), "[end]"], separator=" ")
    assert ("[start] " + s + " [end]").numpy() == b"[start] [start] hi there [end] [end]"
    assert (tf.constant(["a", "b"]) + tf.constant("x")).numpy().tolist() == [b"ax", b"bx"]
    assert (tf.constant(["a", "b"]) + "!").numpy().tolist() == [b"a!", b"b!"]  # TensorFlow's


def test_string_tensor_add_number_is_an_error():
    with pytest.raises(TypeError, match="input #1 of a string Add"):
        tf.constant("a") + 1  # TensorFlow: InvalidArgumentError
    with pytest.raises(TypeError, match="input #0 of a string Add"):
        2.0 + tf.constant(["a"])


def test_numeric_add_unchanged():
    np.testing.assert_array_equal((tf.constant([1.0, 2.0]) + 2).numpy(), [3.0, 4.0])
    np.testing.assert_array_equal((2 + tf.constant([1, 2])).numpy(), [3, 4])


# ---- tf.constant of a tensor (text_generation_fnet.py's decode_sentence) ----

def test_constant_of_string_tensor_stays_strings():
    s = tf.strings.join(["a", tf.constant("b")], separator=" ")
    c = tf.constant("[start] " + s)
    assert c.dtype == object and c.numpy() == b"[start] a b"  # TensorFlow's (tf.string)


def test_constant_of_tensor_keeps_its_dtype():
    c = tf.constant(tf.constant([1, 2]))
    assert c.dtype == "int32" and c.numpy().tolist() == [1, 2]  # TensorFlow's int32
    assert tf.constant(tf.constant([1, 2]), dtype="float32").dtype == "float32"


# ---- the mask through a nested functional model (text_generation_fnet.py's decoder model) ----

class _MaskingEmbedding(layers.Layer):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.e = layers.Embedding(10, 4, embeddings_initializer="ones")

    def call(self, x):
        return self.e(x)

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0)


def _nested_masked_model():
    x_in = keras.Input((None,), dtype="int32")
    inner = keras.Model(x_in, layers.Dense(3, activation="softmax", kernel_initializer="zeros",
                                           bias_initializer=keras.initializers.Constant(
                                               [2.0, 0.0, 0.0]))(_MaskingEmbedding()(x_in)))
    a = keras.Input((None,), dtype="int32")
    return keras.Model(a, inner(a))


def test_nested_model_output_carries_its_mask():
    assert getattr(_nested_masked_model().outputs[0], "_keras_mask", None) is not None  # Keras 2


def test_nested_model_mask_reaches_loss_and_metrics():
    m = _nested_masked_model()
    m.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
    y = np.array([[0, 1, 0, 0], [0, 0, 0, 0]], "int32")
    loss, acc = m.evaluate(x, y, verbose=0)
    # Keras 2's [0.9062116, 0.6666667]: the 3 unmasked tokens only (p0 = e^2 / (e^2 + 2))
    p0, p1 = np.exp(2) / (np.exp(2) + 2), 1 / (np.exp(2) + 2)
    np.testing.assert_allclose(loss, (-2 * np.log(p0) - np.log(p1)) / 3, rtol=1e-5)
    np.testing.assert_allclose([loss, acc], [0.9062116, 2 / 3], rtol=1e-5)
