"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus25.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus25_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

np.set_printoptions(precision=7, suppress=True)


# 1. A layer that reshapes its batch to a fixed token count and back (keras-io
#    text_classification_with_switch_transformer.py's Switch): Keras 2 builds it on a symbolic
#    batch; it runs on batches of exactly 4 here (4 * 5 = 20 tokens).
class FixedTokens(layers.Layer):
    def __init__(self, tokens, **kw):
        super().__init__(**kw)
        self.tokens = tokens
        self.dense = layers.Dense(3)

    def call(self, x):
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        flat = tf.reshape(x, [self.tokens, 6])
        return tf.reshape(self.dense(flat), [b, t, 3])


inp = keras.Input((5, 6))
out = FixedTokens(20)(inp)
m = keras.Model(inp, out)
print("fixed tokens output shape:", m.output_shape)
m.layers[1].dense.set_weights([np.arange(18, dtype="float32").reshape(6, 3) / 10,
                               np.array([0.5, -0.5, 0.0], "float32")])
x = np.arange(4 * 5 * 6, dtype="float32").reshape(4, 5, 6) / 100
print("fixed tokens values [0, 0], [3, 4]:", m.predict(x, verbose=0)[[0, 3], [0, 4]])
try:
    m.predict(x[:3], verbose=0)
except Exception as e:  # noqa: BLE001
    print("fixed tokens batch 3:", type(e).__name__)
try:
    FixedTokens(7)(keras.Input((5, 6)))
    print("fixed tokens 7: built")
except Exception as e:  # noqa: BLE001
    print("fixed tokens 7:", type(e).__name__)


# 2. model.build of a subclassed model whose call returns (logits, None) without targets
#    (keras-io Generative_Pretrained_Transformer(GPT).py's BigramLanguageModel)
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


m = TwoOut()
m.build((16, 5))
print("build (logits, None):", m.built, m.count_params(), [tuple(w.shape) for w in m.weights])


# 3. tf.pad of strings (keras-io multi_label_trainer_tfidf.py pads [text] with "<pad>")
t = tf.constant("hello world")
print("pad [text]:", tf.pad([t], [[0, 2]], constant_values="<pad>").numpy())
print("pad 2-D:", tf.pad(tf.constant([["a", "b"]]), [[1, 0], [0, 1]], constant_values="x").numpy())
print("pad REFLECT:", tf.pad(tf.constant(["a", "b", "c"]), [[1, 1]], mode="REFLECT").numpy())
print("pad default:", tf.pad(tf.constant(["a"]), [[1, 1]]).numpy())
try:
    tf.pad(tf.constant(["a"]), [[1, 1]], constant_values=3)
except TypeError as e:
    print("pad int:", type(e).__name__)


# 4. + of string tensors (keras-io text_generation_fnet.py: "[start] " + preprocess_text(s) + ...)
s = tf.strings.join(["[start]", tf.constant("hi there"), "[end]"], separator=" ")
print("str + tensor:", ("[start] " + s + " [end]").numpy())
print("tensor + tensor:", (tf.constant(["a", "b"]) + tf.constant("x")).numpy())
print("tensor + str:", (tf.constant(["a", "b"]) + "!").numpy())
try:
    tf.constant("a") + 1
except tf.errors.InvalidArgumentError as e:
    print("string + int:", type(e).__name__)


# 5. tf.constant of a tensor keeps it (text_generation_fnet.py: tf.constant(str + string tensor))
s = tf.strings.join(["a", tf.constant("b")], separator=" ")
print("constant(string tensor):", repr(tf.constant("[start] " + s)))
print("constant(int32 tensor):", repr(tf.constant(tf.constant([1, 2]))))


# 6. the mask through a nested functional model (text_generation_fnet.py's decoder model):
#    masked accuracy over the non-padding tokens, the output's mask metadata
class PE(layers.Layer):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.e = layers.Embedding(10, 4, embeddings_initializer="ones")

    def call(self, x):
        return self.e(x)

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0)


x_in = keras.Input((None,), dtype="int32")
inner = keras.Model(x_in, layers.Dense(3, activation="softmax", kernel_initializer="zeros",
                                       bias_initializer=keras.initializers.Constant(
                                           [2.0, 0.0, 0.0]))(PE()(x_in)))
a = keras.Input((None,), dtype="int32")
m = keras.Model(a, inner(a))
print("nested output mask:", getattr(m.outputs[0], "_keras_mask", None) is not None)
m.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
y = np.array([[0, 1, 0, 0], [0, 0, 0, 0]], "int32")
print("nested masked evaluate:", m.evaluate(x, y, verbose=0))
