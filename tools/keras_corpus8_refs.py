"""Figures for tests/test_corpus8.py, printed once under TensorFlow 2.21 / tf_keras (never a test
dependency):  /work/keras-venv/bin/python tools/keras_corpus8_refs.py

Each section prints what the test's "TensorFlow's" comments and constants hold.
"""
import numpy as np


def extract_patches_refs():
    """tf.image.extract_patches on a small ramp: SAME with strides and VALID with rates."""
    import tensorflow as tf
    x = np.arange(1 * 5 * 4 * 2, dtype=np.float32).reshape(1, 5, 4, 2)
    same = tf.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME")
    print("SAME 2x3 strides 2x3:", same.shape, same.numpy().astype(int).ravel().tolist())
    valid = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 2, 1, 1], [1, 2, 2, 1], "VALID")
    print("VALID 2x2 rates 2x2 strides 2x1:", valid.shape,
          valid.numpy().astype(int).ravel().tolist())


def tf_names_refs():
    """tf.math.top_k with ties, tf.tile by a tensor, TextLineDataset's line endings, ragged
    StringLookup under tf_keras (Keras 2)."""
    import os
    import tempfile
    import tensorflow as tf
    import tf_keras
    v = tf.math.top_k(np.array([[1.0, 3.0, 2.0, 3.0], [0.5, -1.0, 0.5, 4.0]]), k=3)
    print("top_k:", v.values.numpy().tolist(), v.indices.numpy().tolist(), v.indices.dtype.name)
    print("tile:", tf.tile(tf.constant([[1, 2]]), tf.constant([2, 2])).numpy().tolist())
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "a.txt"), "wb") as f:
        f.write(b"first line\r\nsecond\n\nfourth")
    with open(os.path.join(d, "b.txt"), "wb") as f:
        f.write(b"other\n")
    ds = tf.data.TextLineDataset([os.path.join(d, "a.txt"), os.path.join(d, "b.txt")])
    print("TextLineDataset:", list(ds.as_numpy_iterator()))
    terms = tf.ragged.constant([["cs.LG", "stat.ML"], ["cs.CV"], ["cs.LG", "cs.CV", "cs.AI"]])
    lk = tf_keras.layers.StringLookup(output_mode="multi_hot")
    lk.adapt(terms)
    print("vocab:", lk.get_vocabulary())
    print("multi_hot:", lk(terms).numpy().tolist(), lk(terms).dtype.name)
    ti = tf_keras.layers.StringLookup(output_mode="tf_idf")
    ti.adapt(terms)
    print("tf_idf:", np.round(ti(terms).numpy(), 6).tolist())
    print("int:", tf_keras.layers.StringLookup(vocabulary=["cs.LG", "cs.CV"])(terms).to_list())
    import re
    import string
    strip = (string.punctuation + "¿").replace("[", "").replace("]", "")
    x = tf.strings.regex_replace(tf.strings.lower(["[start] ¡Mañana casa pequeño! ¿Dónde? [end]"]),
                                 "[%s]" % re.escape(strip), "")
    print("regex_replace:", x.numpy()[0].decode("utf-8"),
          tf.strings.regex_replace(["ñ_a1"], r"\w", "x").numpy()[0].decode())


def loss_none_output_refs():
    """A two-output model compiled with loss=[mse, None], fit on one target array: tf_keras
    pairs it with the first output (its history keys and loss from identical weights)."""
    import tf_keras as keras
    inp = keras.Input((3,))
    h = keras.layers.Dense(2, kernel_initializer="ones", name="h")(inp)
    out = keras.layers.Dense(1, kernel_initializer="ones", name="out")(h)
    m = keras.Model(inp, [out, h])
    m.compile(keras.optimizers.legacy.SGD(0.01), loss=["mse", None])
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    y = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    hist = m.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    print("history:", {k: [round(v, 6) for v in vals] for k, vals in hist.history.items()})
    print("evaluate:", [round(v, 6) for v in np.atleast_1d(m.evaluate(x, y, verbose=0))])


if __name__ == "__main__":
    loss_none_output_refs()
    extract_patches_refs()
    tf_names_refs()
