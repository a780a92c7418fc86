"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus17.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle), from any folder:

    /work/keras-venv/bin/python tools/keras_corpus17_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. Attention(causal=True) (Hands-On ML 2 ch. 16's simplified Transformer): the constructor
#    argument Keras 2.10+ deprecates and still honours
q = np.linspace(-1.0, 1.0, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
v = np.cos(np.arange(2 * 3 * 4, dtype=np.float32)).reshape(2, 3, 4)
att = keras.layers.Attention(use_scale=True, causal=True)
print("causal attention:", att([q, v]).numpy().round(6).tolist())
print("causal attention config has causal:", "causal" in att.get_config())

# 2. Tokenizer.fit_on_texts of one string (ch. 16's char-RNN): each character is a text
tok = keras.preprocessing.text.Tokenizer(char_level=True)
tok.fit_on_texts("First Citizen:\nBefore we")
print("char tokenizer:", tok.document_count, tok.word_index)
print("  sequences:", tok.texts_to_sequences(["First"]),
      tok.sequences_to_texts([[5, 1, 4, 6, 7]]))
wtok = keras.preprocessing.text.Tokenizer()
wtok.fit_on_texts("ab a")
print("word tokenizer on a str:", wtok.document_count, wtok.word_index)

# 3. A ragged input (ch. 16's Reber-grammar GRU): Embedding -> GRU -> Dense, fixed weights
rng = np.random.RandomState(7)
weights = [rng.uniform(-0.5, 0.5, (7, 3)).astype(np.float32),          # embeddings
           rng.uniform(-0.5, 0.5, (3, 12)).astype(np.float32),         # GRU kernel
           rng.uniform(-0.5, 0.5, (4, 12)).astype(np.float32),         # recurrent kernel
           rng.uniform(-0.1, 0.1, (2, 12)).astype(np.float32),         # biases
           rng.uniform(-0.5, 0.5, (4, 1)).astype(np.float32),          # Dense
           np.array([0.1], np.float32)]
model = keras.models.Sequential([
    keras.layers.InputLayer(input_shape=[None], dtype=tf.int32, ragged=True),
    keras.layers.Embedding(input_dim=7, output_dim=3),
    keras.layers.GRU(4),
    keras.layers.Dense(1, activation="sigmoid")])
model.set_weights(weights)
X = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6], [0, 0, 1]], ragged_rank=1)
y = np.array([[1.0], [0.0], [1.0], [0.0]])
print("ragged predictions:", model.predict(X, verbose=0).ravel().round(6).tolist())
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.5))
print("ragged evaluate:", round(model.evaluate(X, y, verbose=0), 6))
h = model.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
print("ragged fit losses:", np.round(h.history["loss"], 6).tolist())
print("after fit:", model.predict(X, verbose=0).ravel().round(6).tolist())

# 4. tf.nn.conv2d of float64 NumPy images with float32 NumPy filters (ch. 14)
images = np.linspace(0.0, 1.0, 2 * 5 * 6 * 3).reshape(2, 5, 6, 3)
filters = np.zeros((3, 3, 3, 2), dtype=np.float32)
filters[:, 1, :, 0] = 1
filters[1, :, :, 1] = 1
out = tf.nn.conv2d(images, filters, strides=1, padding="SAME")
print("conv2d dtype:", out.dtype.name, "sum:", float(out.numpy().sum()),
      "corner:", out.numpy()[1, 0, 0].tolist())

# 5. tf.fill's dtype follows the value
print("fill dtypes:", [tf.fill((2, 1), v).dtype.name for v in (12, 1.5, True)])
