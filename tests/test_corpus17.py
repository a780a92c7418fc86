"""The seventeenth corpus' gaps (Hands-On ML 2, chapters 10, 13, 14, 16; tools/keras_corpus.md,
"Seventeenth corpus"). Keras 2's / TensorFlow's figures printed by tools/keras_corpus17_refs.py
under tf_keras 2.21; the others worked out in the tests."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


def _q_v():
    q = np.linspace(-1.0, 1.0, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    v = np.cos(np.arange(2 * 3 * 4, dtype=np.float32)).reshape(2, 3, 4)
    return q, v


def test_attention_causal_constructor_argument_masks_the_future():
    # Keras 2.1-2.9's Attention(causal=True) (ch. 16's Transformer); 2.10+ warns, still honours it
    q, v = _q_v()
    with pytest.warns(UserWarning, match="use_causal_mask"):
        att = keras.layers.Attention(use_scale=True, causal=True)
    out = att([q, v]).numpy()
    ref = [[[1.0, 0.5403019785881042, -0.41614699363708496, -0.9899920225143433],
            [0.2215380072593689, 0.41948801279067993, 0.23176200687885284, -0.16904400289058685],
            [-0.03973599895834923, -0.20059800148010254, -0.1770309954881668,
             0.009297999553382397]],
           [[0.8438540101051331, 0.9074469804763794, 0.13673700392246246, -0.7596880197525024],
            [-0.13134099543094635, 0.2672770023345947, 0.42016100883483887, 0.18675099313259125],
            [0.0005610000225715339, 0.2977890074253082, 0.32123100757598877,
             0.04933499917387962]]]
    np.testing.assert_allclose(out, ref, atol=2e-6)
    # the first query sees only the first value: causal, unlike the plain layer
    assert not np.allclose(keras.layers.Attention(use_scale=True)([q, v]).numpy(), out)
    # kept in the config, so that a reloaded layer stays causal
    with pytest.warns(UserWarning, match="use_causal_mask"):
        again = keras.layers.Attention.from_config(att.get_config())
    assert again.causal is True


def test_tokenizer_fits_on_a_single_string_one_text_per_character():
    tok = keras.preprocessing.text.Tokenizer(char_level=True)
    tok.fit_on_texts("First Citizen:\nBefore we")
    assert tok.document_count == 24  # ch. 16 reads it as the number of characters
    assert tok.word_index == {"e": 1, "i": 2, "f": 3, "r": 4, "t": 5, " ": 6, "s": 7, "c": 8,
                              "z": 9, "n": 10, ":": 11, "\n": 12, "b": 13, "o": 14, "w": 15}
    assert tok.texts_to_sequences(["First"]) == [[3, 2, 4, 7, 5]]
    assert tok.sequences_to_texts([[5, 1, 4, 6, 7]]) == ["t e r   s"]
    words = keras.preprocessing.text.Tokenizer()
    words.fit_on_texts("ab a")  # Keras 2: four one-character texts
    assert (words.document_count, words.word_index) == (4, {"a": 1, "b": 2})
    with pytest.raises(TypeError, match="bytes"):
        words.fit_on_texts(b"ab a")


def _ragged_model():
    rng = np.random.RandomState(7)
    weights = [rng.uniform(-0.5, 0.5, (7, 3)), rng.uniform(-0.5, 0.5, (3, 12)),
               rng.uniform(-0.5, 0.5, (4, 12)), rng.uniform(-0.1, 0.1, (2, 12)),
               rng.uniform(-0.5, 0.5, (4, 1)), np.array([0.1])]
    model = keras.models.Sequential([
        keras.layers.InputLayer(input_shape=[None], dtype=tf.int32, ragged=True),
        keras.layers.Embedding(input_dim=7, output_dim=3),
        keras.layers.GRU(4),
        keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([w.astype(np.float32) for w in weights])
    return model


def test_ragged_input_rows_read_to_their_own_length():
    model = _ragged_model()
    X = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6], [0, 0, 1]], ragged_rank=1)
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    ref = [0.5171669721603394, 0.5415999889373779, 0.5307949781417847, 0.5181139707565308]
    np.testing.assert_allclose(model.predict(X, verbose=0).ravel(), ref, atol=2e-6)
    np.testing.assert_allclose(model(X).numpy().ravel(), ref, atol=2e-6)
    # a row alone gives what it gives in the batch (id 0 is data here, not padding)
    one = tf.ragged.constant([[0, 0, 1]], ragged_rank=1)
    np.testing.assert_allclose(model.predict(one, verbose=0).ravel(), ref[3:], atol=2e-6)
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.5))
    assert model.evaluate(X, y, verbose=0) == pytest.approx(0.700707, abs=2e-6)
    h = model.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [0.700707, 0.698131], atol=2e-6)
    np.testing.assert_allclose(model.predict(X, verbose=0).ravel(),
                               [0.5070199966430664, 0.5306259989738464, 0.5243120193481445,
                                0.5046110153198242], atol=2e-6)
    cfg = model.get_config()["layers"][0]["config"]
    assert cfg["ragged"] is True
    assert keras.models.Sequential.from_config(model.get_config()).inputs[0] \
        ._keras_history[0].ragged


def test_ragged_data_for_a_dense_input_is_refused_by_name():
    model = keras.models.Sequential([keras.layers.Embedding(7, 2, input_shape=[None]),
                                     keras.layers.GRU(2)])
    model.compile(loss="mse", optimizer="sgd")
    X = tf.ragged.constant([[1, 2], [3]], ragged_rank=1)
    with pytest.raises(ValueError, match="not ragged.*ragged=True"):
        model.fit(X, np.zeros((2, 2)), verbose=0)


def test_ragged_tensor_arithmetic_and_from_sparse():
    X = tf.ragged.constant([[1, 2], [3]], ragged_rank=1)
    Y = X + 1  # ch. 16's (X + 1).to_tensor(): 0 stays the padding id
    assert Y.values.dtype == np.int32 and Y.to_list() == [[2, 3], [4]]
    np.testing.assert_array_equal(Y.to_tensor().numpy(), [[2, 3], [4, 0]])
    assert (2 * X).to_list() == [[2, 4], [6]] and (X - X).to_list() == [[0, 0], [0]]
    with pytest.raises(TypeError, match="int32 ragged tensor with a float"):
        X + 1.5
    with pytest.raises(ValueError, match="different lengths"):
        X + tf.ragged.constant([[1], [2, 3]], ragged_rank=1)
    st = tf.sparse.SparseTensor(indices=[[0, 0], [0, 1], [2, 0]], values=[b"a", b"b", b"c"],
                                dense_shape=[3, 2])
    r = tf.RaggedTensor.from_sparse(st)  # ch. 13's SequenceExample content
    assert r.to_list() == [[b"a", b"b"], [], [b"c"]]
    np.testing.assert_array_equal(r.row_splits, [0, 2, 2, 3])
    gappy = tf.sparse.SparseTensor(indices=[[0, 1]], values=[1], dense_shape=[1, 2])
    with pytest.raises(ValueError, match="ragged-right"):
        tf.RaggedTensor.from_sparse(gappy)


def test_fill_takes_the_value_dtype():
    # ch. 16 concatenates tf.fill(..., value=sos_id) with int32 ids and indexes strings by them
    assert [tf.fill((2, 1), v).dtype.name for v in (12, 1.5, True)] == \
        ["int32", "float32", "bool"]
    ids = tf.concat([tf.fill((1, 1), 3), tf.constant([[1, 2]])], axis=1)
    assert ids.dtype == np.int32 and "abcd"[ids[0, 0]] == "d"


def test_conv2d_of_numpy_arguments_takes_the_first_dtype():
    images = np.linspace(0.0, 1.0, 2 * 5 * 6 * 3).reshape(2, 5, 6, 3)  # float64, as ch. 14's
    filters = np.zeros((3, 3, 3, 2), dtype=np.float32)
    filters[:, 1, :, 0] = 1
    filters[1, :, :, 1] = 1
    out = tf.nn.conv2d(images, filters, strides=1, padding="SAME")
    assert out.dtype == np.float64
    assert float(out.numpy().sum()) == pytest.approx(474.00000000000006, rel=1e-12)
    np.testing.assert_allclose(out.numpy()[1, 0, 0], [3.3519553072625703, 3.100558659217877],
                               rtol=1e-12)
    # a Tensor's dtype wins over a NumPy argument's
    assert tf.nn.conv2d(images, tf.constant(filters), 1, "SAME").dtype == np.float32


def test_depthwise_max_pool():
    x = np.random.RandomState(0).rand(2, 3, 4, 6).astype(np.float32)
    out = tf.nn.max_pool(x, ksize=(1, 1, 1, 3), strides=(1, 1, 1, 3), padding="VALID")
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 3, 4, 2, 3).max(axis=-1))
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.max_pool(v, ksize=(1, 1, 1, 3), strides=(1, 1, 1, 3),
                                         padding="VALID"))
    g = tape.gradient(y, v).numpy().reshape(2, 3, 4, 2, 3)
    np.testing.assert_array_equal(g.sum(axis=-1), np.ones((2, 3, 4, 2)))  # one winner a group
    with pytest.raises(ValueError, match="evenly divide the input depth"):
        tf.nn.max_pool(x, ksize=(1, 1, 1, 4), strides=(1, 1, 1, 4), padding="VALID")
    with pytest.raises(ValueError, match="strides equal to ksize"):
        tf.nn.max_pool(x, ksize=(1, 1, 1, 3), strides=(1, 1, 1, 1), padding="VALID")
    with pytest.raises(ValueError, match="depth and space at once"):
        tf.nn.max_pool(x, ksize=(1, 2, 2, 3), strides=(1, 2, 2, 3), padding="VALID")


def test_tf_data_experimental_unbatch_and_dataset_docs():
    ds = tf.data.Dataset.range(6).batch(4).apply(tf.data.experimental.unbatch())
    assert [int(v) for v in ds] == [0, 1, 2, 3, 4, 5]
    # ch. 13 prints the first line of every public Dataset method's docstring
    for m in dir(tf.data.Dataset):
        if not (m.startswith("_") or m.endswith("_")):
            doc = getattr(tf.data.Dataset, m).__doc__
            assert doc and doc.split("\n")[0].strip(), m


def test_keras_wrappers_is_reachable_as_an_attribute():
    # ch. 10: keras.wrappers.scikit_learn.KerasRegressor(build_model) with no import of its own
    assert keras.wrappers.scikit_learn.KerasRegressor.__name__ == "KerasRegressor"
