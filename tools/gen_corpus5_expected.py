"""Expected figures for tests/test_corpus5.py, computed by real Keras 2 (tf_keras):

    /work/keras-venv/bin/python tools/gen_corpus5_expected.py   # writes tests/data/corpus5_expected.json

The preprocessing layers the fifth corpus's programs call (Normalization, StringLookup,
IntegerLookup, CategoryEncoding, TextVectorization), the dataset builders
(timeseries_dataset_from_array, text_dataset_from_directory) and a functional model on a
string Input. Inputs are fixed in this file; the test feeds the same inputs to tensorforge.
"""
import json
import os
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data",
                   "corpus5_expected.json")


def arr(t):
    a = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    if a.dtype == object:
        return [[v.decode() if isinstance(v, bytes) else v for v in r] if np.ndim(r) else
                (r.decode() if isinstance(r, bytes) else r) for r in a.tolist()]
    return a.tolist()


def vocab(layer, **kw):
    return [v.decode() if isinstance(v, bytes) else (int(v) if isinstance(v, np.integer) else v)
            for v in layer.get_vocabulary(**kw)]


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- the class name is the expected figure
        return type(e).__name__
    return None


E = {}

# ---- Normalization -----------------------------------------------------------------------
x3 = np.arange(24, dtype=np.float32).reshape(2, 4, 3) ** 1.5 / 7.0
n = layers.Normalization()
n.adapt(x3)
E["norm_last"] = dict(weights=[arr(w) for w in n.get_weights()], out=arr(n(x3[:1])),
                      count_params=n.count_params())
n = layers.Normalization(axis=(1, 2))
n.adapt(x3, batch_size=1)
E["norm_axes12"] = dict(weights=[arr(w) for w in n.get_weights()], out=arr(n(x3[1:])))
n = layers.Normalization(axis=None)
n.adapt(x3)
E["norm_none"] = dict(weights=[arr(w) for w in n.get_weights()], out=arr(n(x3[:1])))
n = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
E["norm_given"] = dict(out=arr(n(np.array([[3.0, 2.0, 0.0]], np.float32))),
                       weights=len(n.get_weights()))
n = layers.Normalization(invert=True)
n.adapt(x3)
E["norm_invert"] = dict(out=arr(n(np.array([[[1.0, -1.0, 0.5]]], np.float32))))
ds = tf.data.Dataset.from_tensor_slices(x3.reshape(-1, 3)).batch(5)
n = layers.Normalization()
n.adapt(ds)
E["norm_dataset"] = dict(weights=[arr(w) for w in n.get_weights()])
inp = keras.Input(shape=(3,))
n = layers.Normalization()
n.adapt(x3.reshape(-1, 3))
m = keras.Model(inp, layers.Dense(2)(n(inp)))
E["norm_model"] = dict(count_params=m.count_params(),
                       trainable=int(sum(np.prod(w.shape) for w in m.trainable_weights)),
                       shapes=[list(w.shape) for w in m.get_weights()])

# ---- StringLookup ------------------------------------------------------------------------
words = np.array([["b"], ["a"], ["c"], ["b"], ["d"], ["c"], ["b"], ["e"]])
s = layers.StringLookup()
s.adapt(words)
q = np.array([["a"], ["b"], ["zz"], ["e"]])
E["str_int"] = dict(vocab=vocab(s), out=arr(s(q)), size=s.vocabulary_size())
s = layers.StringLookup(output_mode="binary")
s.adapt(words)
E["str_binary"] = dict(vocab=vocab(s), out=arr(s(q)))
s = layers.StringLookup(output_mode="one_hot")
s.adapt(words)
E["str_one_hot"] = dict(out=arr(s(np.array(["a", "zz", "b"]))))
s = layers.StringLookup(output_mode="count")
s.adapt(words)
E["str_count"] = dict(out=arr(s(np.array([["a", "b", "a"], ["c", "zz", "zz"]]))))
s = layers.StringLookup(mask_token="[MASK]", max_tokens=4)
s.adapt(words)
E["str_mask_max"] = dict(vocab=vocab(s), out=arr(s(np.array([["[MASK]", "b", "c", "a"]]))),
                         no_special=vocab(s, include_special_tokens=False))
s = layers.StringLookup(vocabulary=["x", "y", "z"])
E["str_vocab"] = dict(vocab=vocab(s), out=arr(s(np.array([["z", "q", "x"]]))))
s = layers.StringLookup(vocabulary=["[UNK]", "x", "y"])
E["str_vocab_special"] = dict(vocab=vocab(s))
s = layers.StringLookup(vocabulary=["x", "y", "z"], invert=True)
E["str_invert"] = dict(out=arr(s(np.array([[0, 1, 3]]))))
s = layers.StringLookup(vocabulary=["x", "y"], num_oov_indices=0)
E["str_no_oov"] = dict(out=arr(s(np.array([["y", "x"]]))),
                       error=error_of(lambda: s(np.array([["q"]]))))
s = layers.StringLookup(vocabulary=["x", "y", "z"], output_mode="tf_idf",
                        idf_weights=[0.5, 1.0, 2.0])
E["str_tf_idf"] = dict(out=arr(s(np.array([["x", "z", "z", "q"]]))))

# ---- IntegerLookup -----------------------------------------------------------------------
ints = np.array([[7], [3], [7], [12], [3], [7], [5], [42], [5]])
il = layers.IntegerLookup()
il.adapt(ints)
E["int_int"] = dict(vocab=vocab(il), out=arr(il(np.array([[7], [9], [42], [5]]))))
il = layers.IntegerLookup(output_mode="binary")
il.adapt(ints)
E["int_binary"] = dict(out=arr(il(np.array([[7], [9], [3]]))))
il = layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=2)
E["int_oov2"] = dict(vocab=vocab(il), out=arr(il(np.array([[20, 11, 14, 30, 5]]))))
il = layers.IntegerLookup(vocabulary=[10, 20, 30], mask_token=0)
E["int_mask"] = dict(vocab=vocab(il), out=arr(il(np.array([[0, 10, 30, 99]]))))

# ---- CategoryEncoding --------------------------------------------------------------------
ce = np.array([[1, 3], [0, 0], [2, 3]])
E["cat_multi"] = arr(layers.CategoryEncoding(num_tokens=4)(ce))
E["cat_count"] = arr(layers.CategoryEncoding(num_tokens=4, output_mode="count")(ce))
E["cat_count_w"] = arr(layers.CategoryEncoding(num_tokens=4, output_mode="count")(
    ce, count_weights=np.array([[0.5, 2.0], [1.0, 1.0], [3.0, 0.25]])))
E["cat_one_hot"] = arr(layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(
    np.array([3, 0, 1])))
E["cat_error"] = error_of(lambda: layers.CategoryEncoding(num_tokens=3)(np.array([[3]])))

# ---- TextVectorization -------------------------------------------------------------------
texts = np.array(["The cat sat on the mat.", "A dog!  The DOG barked; at the cat?",
                  "Cats, dogs & birds: the end<br />done"])
tv = layers.TextVectorization()
tv.adapt(texts)
E["tv_default"] = dict(vocab=vocab(tv), out=arr(tv(texts[:2])))
tv = layers.TextVectorization(max_tokens=6, output_sequence_length=4)
tv.adapt(texts)
E["tv_max_len"] = dict(vocab=vocab(tv), out=arr(tv(texts[:, None])))
for mode in ("multi_hot", "count", "tf_idf"):
    tv = layers.TextVectorization(output_mode=mode)
    tv.adapt(texts)
    E["tv_" + mode] = dict(vocab=vocab(tv), out=np.round(tv(texts[1:]).numpy(), 5).tolist())
tv = layers.TextVectorization(ngrams=2, output_sequence_length=12)
tv.adapt(texts[:1])
E["tv_ngrams"] = dict(vocab=vocab(tv), out=arr(tv(texts[:1])))
tv = layers.TextVectorization(split="character", standardize="lower", max_tokens=8)
tv.adapt(texts[:1])
E["tv_char"] = dict(vocab=vocab(tv))


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]", "")


tv = layers.TextVectorization(standardize=custom_standardization, output_sequence_length=8)
tv.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(2))
E["tv_custom"] = dict(vocab=vocab(tv), out=arr(tv(texts[2:, None])))
E["strings"] = dict(lower=arr(tf.strings.lower(texts)),
                    replaced=arr(tf.strings.regex_replace(texts, "[aeiou]+", "_")),
                    once=arr(tf.strings.regex_replace(texts, "t", "T", replace_global=False)))

# a model on a string Input: StringLookup -> Embedding, and TextVectorization -> Embedding
inp = keras.Input(shape=(1,), dtype="string")
sl = layers.StringLookup(vocabulary=["x", "y", "z"], output_mode="binary")
m = keras.Model(inp, layers.Dense(2, kernel_initializer="ones")(sl(inp)))
E["str_model"] = dict(out=arr(m.predict(np.array([["y"], ["q"]]), verbose=0)),
                      shape=list(m.output_shape), params=m.count_params())

# ---- timeseries_dataset_from_array -------------------------------------------------------
data = np.arange(40, dtype=np.float32).reshape(20, 2)
tg = np.arange(100, 120)
ds = keras.utils.timeseries_dataset_from_array(data, tg, sequence_length=4, sampling_rate=2,
                                               sequence_stride=3, batch_size=2)
E["ts_targets"] = [[arr(x), arr(y)] for x, y in ds]
ds = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=3, batch_size=4,
                                               start_index=5, end_index=15)
E["ts_range"] = [arr(x) for x in ds]
ds = keras.utils.timeseries_dataset_from_array(data, tg, sequence_length=5, batch_size=None)
E["ts_unbatched"] = dict(n=int(ds.cardinality()), first=[arr(t) for t in next(iter(ds))])

# ---- text_dataset_from_directory -----------------------------------------------------------
with tempfile.TemporaryDirectory() as d:
    for c, k in (("neg", 5), ("pos", 4), ("zzz", 1)):
        os.makedirs(os.path.join(d, c))
        for i in range(k):
            with open(os.path.join(d, c, "%s_%d.txt" % (c, i)), "w") as f:
                f.write("%s review %d" % (c, i))
    tr = keras.utils.text_dataset_from_directory(d, batch_size=3, validation_split=0.3,
                                                 subset="training", seed=7)
    va = keras.utils.text_dataset_from_directory(d, batch_size=3, validation_split=0.3,
                                                 subset="validation", seed=7)
    pairs = lambda ds: sorted([t.decode(), int(l)] for x, y in ds  # noqa: E731
                              for t, l in zip(x.numpy(), y.numpy()))
    E["text_dir"] = dict(class_names=tr.class_names, train=pairs(tr), val=pairs(va),
                         n_train_batches=int(tr.cardinality()))
    cat = keras.utils.text_dataset_from_directory(d, batch_size=20, label_mode="categorical",
                                                  shuffle=False)
    x, y = next(iter(cat))
    E["text_dir_cat"] = dict(texts=[t.decode() for t in x.numpy()], y=arr(y))

with open(OUT, "w") as f:
    json.dump(E, f, indent=0, sort_keys=True)
print("wrote", OUT, "with", len(E), "cases", file=sys.stderr)
