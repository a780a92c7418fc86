"""What the fifth Keras 2 corpus (tools/keras_corpus.md) needed: the preprocessing layers
(Normalization, StringLookup, IntegerLookup, CategoryEncoding, TextVectorization), string data
through the engine and ``tf.data``, ``tf.strings``, ``tf.tensordot``, and the dataset builders
``timeseries_dataset_from_array`` / ``text_dataset_from_directory``.

Expected figures come from real Keras 2 (tf_keras) through tools/gen_corpus5_expected.py
(tests/data/corpus5_expected.json); the inputs below are the ones that script feeds it.
"""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers

with open(os.path.join(os.path.dirname(__file__), "data", "corpus5_expected.json")) as _f:
    E = json.load(_f)

X3 = np.arange(24, dtype=np.float32).reshape(2, 4, 3) ** 1.5 / 7.0
WORDS = np.array([["b"], ["a"], ["c"], ["b"], ["d"], ["c"], ["b"], ["e"]])
INTS = np.array([[7], [3], [7], [12], [3], [7], [5], [42], [5]])
TEXTS = np.array(["The cat sat on the mat.", "A dog!  The DOG barked; at the cat?",
                  "Cats, dogs & birds: the end<br />done"])


def close(got, want, tol=1e-5):
    got = got.numpy() if hasattr(got, "numpy") else got
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=tol, atol=tol)


def strs(t):
    a = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    return [[v.decode() if isinstance(v, bytes) else v for v in r] for r in a.tolist()]


def vocab(layer, **kw):
    return [int(v) if isinstance(v, np.integer) else v for v in layer.get_vocabulary(**kw)]


# ---- Normalization -----------------------------------------------------------------------
def test_normalization_adapt_weights_output_and_params():
    n = layers.Normalization()
    n.adapt(X3)
    want = E["norm_last"]
    for w, e in zip(n.get_weights(), want["weights"]):
        close(w, e)
    assert n.get_weights()[2].dtype == np.int64
    close(n(X3[:1]), want["out"])
    assert n.count_params() == want["count_params"]


@pytest.mark.parametrize("case,axis,batch", [("norm_axes12", (1, 2), 1), ("norm_none", None, None)])
def test_normalization_other_axes(case, axis, batch):
    n = layers.Normalization(axis=axis)
    n.adapt(X3, batch_size=batch)
    for w, e in zip(n.get_weights(), E[case]["weights"]):
        close(w, e)
    close(n(X3[1:] if case == "norm_axes12" else X3[:1]), E[case]["out"])


def test_normalization_given_stats_invert_and_dataset():
    n = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
    close(n(np.array([[3.0, 2.0, 0.0]], np.float32)), E["norm_given"]["out"])
    assert len(n.get_weights()) == E["norm_given"]["weights"]
    n = layers.Normalization(invert=True)
    n.adapt(X3)
    close(n(np.array([[[1.0, -1.0, 0.5]]], np.float32)), E["norm_invert"]["out"])
    n = layers.Normalization()
    n.adapt(tf.data.Dataset.from_tensor_slices(X3.reshape(-1, 3)).batch(5))
    for w, e in zip(n.get_weights(), E["norm_dataset"]["weights"]):
        close(w, e)


def test_normalization_in_a_model_counts_its_weights_as_keras():
    inp = keras.Input(shape=(3,))
    n = layers.Normalization()
    n.adapt(X3.reshape(-1, 3))
    m = keras.Model(inp, layers.Dense(2)(n(inp)))
    want = E["norm_model"]
    assert m.count_params() == want["count_params"]
    assert sum(int(np.prod(w.shape)) for w in m.trainable_weights) == want["trainable"]
    assert [list(w.shape) for w in m.get_weights()] == want["shapes"]


def test_normalization_bad_arguments():
    with pytest.raises(ValueError, match="Normalization.*mean and variance"):
        layers.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="Normalization.*axis"):
        layers.Normalization(axis=5).adapt(X3)
    with pytest.raises(ValueError, match="Normalization.adapt.*shape"):
        n = layers.Normalization()
        n.adapt(X3)
        n.adapt(np.zeros((4, 5), np.float32))


# ---- StringLookup / IntegerLookup --------------------------------------------------------
def test_string_lookup_adapt_orders_by_count_then_token_descending():
    s = layers.StringLookup()
    s.adapt(WORDS)
    assert vocab(s) == E["str_int"]["vocab"]
    assert s.vocabulary_size() == E["str_int"]["size"]
    q = np.array([["a"], ["b"], ["zz"], ["e"]])
    assert s(q).numpy().tolist() == E["str_int"]["out"]


@pytest.mark.parametrize("mode,key,query", [
    ("binary", "str_binary", [["a"], ["b"], ["zz"], ["e"]]),
    ("one_hot", "str_one_hot", ["a", "zz", "b"]),
    ("count", "str_count", [["a", "b", "a"], ["c", "zz", "zz"]])])
def test_string_lookup_encoded_outputs(mode, key, query):
    s = layers.StringLookup(output_mode=mode)
    s.adapt(WORDS)
    close(s(np.array(query)), E[key]["out"])


def test_string_lookup_mask_max_tokens_vocabulary_invert_tfidf():
    s = layers.StringLookup(mask_token="[MASK]", max_tokens=4)
    s.adapt(WORDS)
    assert vocab(s) == E["str_mask_max"]["vocab"]
    assert vocab(s, include_special_tokens=False) == E["str_mask_max"]["no_special"]
    assert s(np.array([["[MASK]", "b", "c", "a"]])).numpy().tolist() == E["str_mask_max"]["out"]
    s = layers.StringLookup(vocabulary=["x", "y", "z"])
    assert vocab(s) == E["str_vocab"]["vocab"]
    assert s(np.array([["z", "q", "x"]])).numpy().tolist() == E["str_vocab"]["out"]
    assert vocab(layers.StringLookup(vocabulary=["[UNK]", "x", "y"])) == \
        E["str_vocab_special"]["vocab"]
    inv = layers.StringLookup(vocabulary=["x", "y", "z"], invert=True)
    assert strs(inv(np.array([[0, 1, 3]]))) == E["str_invert"]["out"]
    s = layers.StringLookup(vocabulary=["x", "y", "z"], output_mode="tf_idf",
                            idf_weights=[0.5, 1.0, 2.0])
    close(s(np.array([["x", "z", "z", "q"]])), E["str_tf_idf"]["out"])


def test_string_lookup_without_oov_indices_refuses_unknown_tokens():
    s = layers.StringLookup(vocabulary=["x", "y"], num_oov_indices=0)
    assert s(np.array([["y", "x"]])).numpy().tolist() == E["str_no_oov"]["out"]
    assert E["str_no_oov"]["error"]  # Keras 2 raises too (InvalidArgumentError)
    with pytest.raises(ValueError, match="StringLookup.*OOV values \\['q'\\]"):
        s(np.array([["q"]]))
    with pytest.raises(ValueError, match="StringLookup: num_oov_indices must be >= 0"):
        layers.StringLookup(num_oov_indices=-1)
    with pytest.raises(ValueError, match="output_mode"):
        layers.StringLookup(output_mode="bogus")


def test_integer_lookup_modes():
    il = layers.IntegerLookup()
    il.adapt(INTS)
    assert vocab(il) == E["int_int"]["vocab"]
    assert il(np.array([[7], [9], [42], [5]])).numpy().tolist() == E["int_int"]["out"]
    il = layers.IntegerLookup(output_mode="binary")
    il.adapt(INTS)
    close(il(np.array([[7], [9], [3]])), E["int_binary"]["out"])
    il = layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=2)
    assert vocab(il) == E["int_oov2"]["vocab"]
    assert il(np.array([[20, 11, 14, 30, 5]])).numpy().tolist() == E["int_oov2"]["out"]
    il = layers.IntegerLookup(vocabulary=[10, 20, 30], mask_token=0)
    assert vocab(il) == E["int_mask"]["vocab"]
    assert il(np.array([[0, 10, 30, 99]])).numpy().tolist() == E["int_mask"]["out"]
    with pytest.raises(ValueError, match="IntegerLookup: expected integer inputs"):
        layers.IntegerLookup(vocabulary=[1, 2])(np.array([[1.5]]))


# ---- CategoryEncoding --------------------------------------------------------------------
def test_category_encoding():
    ce = np.array([[1, 3], [0, 0], [2, 3]])
    close(layers.CategoryEncoding(num_tokens=4)(ce), E["cat_multi"])
    close(layers.CategoryEncoding(num_tokens=4, output_mode="count")(ce), E["cat_count"])
    w = np.array([[0.5, 2.0], [1.0, 1.0], [3.0, 0.25]])
    close(layers.CategoryEncoding(num_tokens=4, output_mode="count")(ce, count_weights=w),
          E["cat_count_w"])
    close(layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 0, 1])),
          E["cat_one_hot"])
    assert E["cat_error"]
    with pytest.raises(ValueError, match="CategoryEncoding.*0 <= values < 3"):
        layers.CategoryEncoding(num_tokens=3)(np.array([[3]]))


# ---- TextVectorization and tf.strings ----------------------------------------------------
def test_text_vectorization_default_and_lengths():
    tv = layers.TextVectorization()
    tv.adapt(TEXTS)
    assert vocab(tv) == E["tv_default"]["vocab"]
    assert tv(TEXTS[:2]).numpy().tolist() == E["tv_default"]["out"]
    tv = layers.TextVectorization(max_tokens=6, output_sequence_length=4)
    tv.adapt(TEXTS)
    assert vocab(tv) == E["tv_max_len"]["vocab"]
    assert tv(TEXTS[:, None]).numpy().tolist() == E["tv_max_len"]["out"]


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_text_vectorization_bag_of_words(mode):
    tv = layers.TextVectorization(output_mode=mode)
    tv.adapt(TEXTS)
    assert vocab(tv) == E["tv_" + mode]["vocab"]
    close(tv(TEXTS[1:]), E["tv_" + mode]["out"], tol=1e-4)


def test_text_vectorization_ngrams_characters_and_custom_standardize():
    tv = layers.TextVectorization(ngrams=2, output_sequence_length=12)
    tv.adapt(TEXTS[:1])
    assert vocab(tv) == E["tv_ngrams"]["vocab"]
    assert tv(TEXTS[:1]).numpy().tolist() == E["tv_ngrams"]["out"]
    tv = layers.TextVectorization(split="character", standardize="lower", max_tokens=8)
    tv.adapt(TEXTS[:1])
    assert vocab(tv) == E["tv_char"]["vocab"]

    def custom_standardization(input_data):
        lowercase = tf.strings.lower(input_data)
        stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
        return tf.strings.regex_replace(stripped_html,
                                        r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]", "")

    tv = layers.TextVectorization(standardize=custom_standardization, output_sequence_length=8)
    tv.adapt(tf.data.Dataset.from_tensor_slices(TEXTS).batch(2))
    assert vocab(tv) == E["tv_custom"]["vocab"]
    assert tv(TEXTS[2:, None]).numpy().tolist() == E["tv_custom"]["out"]


def test_tf_strings():
    t = tf.convert_to_tensor(TEXTS)
    assert [v.decode() for v in tf.strings.lower(t).numpy()] == E["strings"]["lower"]
    assert [v.decode() for v in tf.strings.regex_replace(t, "[aeiou]+", "_").numpy()] == \
        E["strings"]["replaced"]
    once = tf.strings.regex_replace(t, "t", "T", replace_global=False)
    assert [v.decode() for v in once.numpy()] == E["strings"]["once"]
    with pytest.raises(TypeError, match="tf.strings.lower: expected strings"):
        tf.strings.lower(np.array([1.0]))


def test_string_input_model_predicts_as_keras():
    inp = keras.Input(shape=(1,), dtype="string")
    sl = layers.StringLookup(vocabulary=["x", "y", "z"], output_mode="binary")
    m = keras.Model(inp, layers.Dense(2, kernel_initializer="ones")(sl(inp)))
    want = E["str_model"]
    close(m.predict(np.array([["y"], ["q"]]), verbose=0), want["out"])
    assert list(m.output_shape) == want["shape"]
    assert m.count_params() == want["params"]
    assert inp.dtype == np.dtype(object)


def test_dataset_of_dataframe_columns_feeds_a_dict_input_model():
    """The structured-data example's pattern: a dict of 1-D columns (strings too) through
    tf.data into Inputs of shape (1,): Keras 2 adds the trailing axis."""
    cols = {"num": np.array([1.0, 2.0, 3.0, 4.0]), "cat": np.array(["a", "b", "a", "c"])}
    y = np.array([0, 1, 0, 1])
    ds = tf.data.Dataset.from_tensor_slices((cols, y)).batch(2)
    num = keras.Input(shape=(1,), name="num")
    cat = keras.Input(shape=(1,), name="cat", dtype="string")
    lk = layers.StringLookup(output_mode="binary")
    lk.adapt(ds.map(lambda x, _: x["cat"]).map(lambda x: tf.expand_dims(x, -1)))
    out = layers.Dense(1, activation="sigmoid")(layers.concatenate([num, lk(cat)]))
    m = keras.Model([num, cat], out)
    m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h = m.fit(ds, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
    p = m.predict({"num": tf.convert_to_tensor([2.0]), "cat": tf.convert_to_tensor(["b"])},
                  verbose=0)
    assert p.shape == (1, 1) and 0 < float(p[0, 0]) < 1


# ---- tensordot ---------------------------------------------------------------------------
def test_tensordot_forward_and_gradient():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 3, 4)).astype(np.float32)
    b = rng.normal(size=(4, 3, 5)).astype(np.float32)
    close(tf.tensordot(a, b, [[1, 2], [1, 0]]), np.tensordot(a, b, [[1, 2], [1, 0]]))
    u, v = rng.normal(size=(6, 5)).astype(np.float32), rng.normal(size=(6, 5)).astype(np.float32)
    close(tf.tensordot(u, v, 2), np.tensordot(u, v, 2))  # the collaborative-filtering call
    ut = tf.Variable(u)
    with tf.GradientTape() as tape:
        loss = tf.tensordot(ut, v, 2)
    close(tape.gradient(loss, ut), v)  # d(sum u*v)/du = v
    with pytest.raises(ValueError, match="tensordot: contracted dimensions differ"):
        tf.tensordot(a, a, 1)  # (2, 3, 4) . (2, 3, 4): 4 against 2


# ---- dataset builders --------------------------------------------------------------------
def test_timeseries_dataset_from_array():
    data = np.arange(40, dtype=np.float32).reshape(20, 2)
    tg = np.arange(100, 120)
    ds = keras.utils.timeseries_dataset_from_array(data, tg, sequence_length=4, sampling_rate=2,
                                                   sequence_stride=3, batch_size=2)
    got = [[x.numpy().tolist(), y.numpy().tolist()] for x, y in ds]
    assert got == E["ts_targets"]
    ds = keras.preprocessing.timeseries_dataset_from_array(data, None, sequence_length=3,
                                                           batch_size=4, start_index=5,
                                                           end_index=15)
    assert [x.numpy().tolist() for x in ds] == E["ts_range"]
    ds = keras.utils.timeseries_dataset_from_array(data, tg, sequence_length=5, batch_size=None)
    assert int(ds.cardinality()) == E["ts_unbatched"]["n"]
    assert [t.numpy().tolist() for t in next(iter(ds))] == E["ts_unbatched"]["first"]
    with pytest.raises(ValueError, match="sampling_rate must be higher than 0"):
        keras.utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)


def test_text_dataset_from_directory(tmp_path):
    for c, k in (("neg", 5), ("pos", 4), ("zzz", 1)):
        (tmp_path / c).mkdir()
        for i in range(k):
            (tmp_path / c / ("%s_%d.txt" % (c, i))).write_text("%s review %d" % (c, i))
    kw = dict(batch_size=3, validation_split=0.3, seed=7)
    tr = keras.utils.text_dataset_from_directory(str(tmp_path), subset="training", **kw)
    va = keras.preprocessing.text_dataset_from_directory(str(tmp_path), subset="validation", **kw)

    def pairs(ds):
        return sorted([t.decode(), int(lab)] for x, y in ds for t, lab in zip(x.numpy(), y.numpy()))
    want = E["text_dir"]
    assert tr.class_names == want["class_names"]
    assert pairs(tr) == want["train"] and pairs(va) == want["val"]
    assert int(tr.cardinality()) == want["n_train_batches"]
    cat = keras.utils.text_dataset_from_directory(str(tmp_path), batch_size=20,
                                                  label_mode="categorical", shuffle=False)
    x, y = next(iter(cat))
    assert [t.decode() for t in x.numpy()] == E["text_dir_cat"]["texts"]
    close(y, E["text_dir_cat"]["y"])
    with pytest.raises(ValueError, match="subset must be 'training' or 'validation'"):
        keras.utils.text_dataset_from_directory(str(tmp_path), validation_split=0.2, seed=1)


# ---- the scikit-learn wrapper ------------------------------------------------------------
# tf_keras dropped keras.wrappers, so there is no Keras 2 run to take figures from; these check
# the behaviour of Keras 2.2-2.6's keras/wrappers/scikit_learn.py against scikit-learn itself.
def _classifier(units=4, out=2, activation="softmax", loss="categorical_crossentropy"):
    from tensorforge.models import Sequential
    m = Sequential([layers.Dense(units, activation="relu", input_shape=(3,)),
                    layers.Dense(out, activation=activation)])
    m.compile("adam", loss, metrics=["accuracy"])
    return m


def test_keras_classifier_labels_probabilities_and_score():
    from tensorforge.wrappers.scikit_learn import KerasClassifier
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = np.where(x[:, 0] > 0, "yes", "no")
    clf = KerasClassifier(_classifier, units=5, epochs=2, batch_size=8, verbose=0)
    clf.fit(x, y)
    assert list(clf.classes_) == ["no", "yes"] and clf.n_classes_ == 2
    proba = clf.predict_proba(x)
    assert proba.shape == (40, 2)
    assert list(clf.predict(x)) == list(clf.classes_[proba.argmax(-1)])
    acc = clf.model.evaluate(x, np.eye(2)[np.searchsorted(clf.classes_, y)], verbose=0)[1]
    assert clf.score(x, y) == pytest.approx(acc)
    # one sigmoid unit: two probability columns, as scikit-learn expects
    sig = KerasClassifier(_classifier, out=1, activation="sigmoid", loss="binary_crossentropy",
                          epochs=1, verbose=0)
    sig.fit(x, (x[:, 1] > 0).astype(int))
    p = sig.predict_proba(x[:4])
    assert p.shape == (4, 2)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)


def test_keras_wrappers_in_scikit_learn_model_selection():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from tensorforge.wrappers.scikit_learn import KerasClassifier, KerasRegressor
    rng = np.random.default_rng(2)
    x = rng.normal(size=(36, 3)).astype(np.float32)
    y = np.eye(2)[(x[:, 0] > 0).astype(int)]
    clf = KerasClassifier(_classifier, batch_size=12, verbose=0)
    assert clone(clf).get_params()["batch_size"] == 12
    g = GridSearchCV(clf, {"units": [2, 4], "epochs": [1]}, scoring="neg_log_loss", cv=2)
    g.fit(x, y)
    assert g.best_params_["units"] in (2, 4) and np.isfinite(g.best_score_)
    assert g.best_estimator_.model.metrics_names == ["loss", "accuracy"]

    def regressor():
        from tensorforge.models import Sequential
        m = Sequential([layers.Dense(1, input_shape=(3,))])
        m.compile("sgd", "mse")
        return m
    reg = KerasRegressor(regressor, epochs=1, verbose=0)
    reg.fit(x, x[:, 0])
    assert reg.predict(x[:5]).shape == (5,)
    assert reg.score(x, x[:, 0]) == pytest.approx(-reg.model.evaluate(x, x[:, 0], verbose=0))
    with pytest.raises(ValueError, match="epochz is not a legal parameter"):
        KerasClassifier(_classifier, epochz=3)


def test_keras_2_import_paths_of_the_new_names():
    from tensorforge.keras.layers.experimental.preprocessing import (  # noqa: F401
        CategoryEncoding, IntegerLookup, Normalization, StringLookup, TextVectorization)
    from tensorforge.keras.layers.experimental import RandomFourierFeatures  # noqa: F401
    from tensorforge.keras.wrappers.scikit_learn import KerasClassifier  # noqa: F401
    from tensorforge.keras.preprocessing import timeseries_dataset_from_array  # noqa: F401
    from tensorforge.keras.utils import text_dataset_from_directory  # noqa: F401
    assert Normalization is layers.Normalization and TextVectorization is layers.TextVectorization


def test_tf_data_takes_a_python_list_of_texts_as_one_tensor():
    ds = tf.data.Dataset.from_tensor_slices(["one text", "two texts", "three"]).batch(2)
    got = [x.numpy().tolist() for x in ds]
    assert got == [[b"one text", b"two texts"], [b"three"]]


# ---- the harness's offline files for this corpus (tools/keras_offline_data.py) --------------
def test_offline_files_have_the_real_layout(tmp_path):
    import sys
    import zipfile
    import pandas as pd
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tools"))
    import keras_offline_data as kod
    heart = kod.heart_frame()
    assert heart.shape == (303, 14) and all(isinstance(v, str) for v in heart["thal"])
    assert list(heart.columns)[-1] == "target" and set(heart["target"]) == {0, 1}
    kod.jena_zip(str(tmp_path / "j.zip"), rows=300)
    jena = pd.read_csv(zipfile.ZipFile(tmp_path / "j.zip").open("jena_climate_2009_2016.csv"))
    assert list(jena.columns) == ["Date Time"] + kod.JENA_COLUMNS and len(jena) == 300
    kod.movielens_zip(str(tmp_path / "m.zip"), users=7, movies=20, ratings=100)
    z = zipfile.ZipFile(tmp_path / "m.zip")
    ratings = pd.read_csv(z.open("ml-latest-small/ratings.csv"))
    assert list(ratings.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert len(ratings) == 100 and ratings["rating"].between(0.5, 5.0).all()
    assert list(pd.read_csv(z.open("ml-latest-small/movies.csv")).columns) == \
        ["movieId", "title", "genres"]
    kod.creditcard_csv(str(tmp_path / "c.csv"), rows=50)
    lines = (tmp_path / "c.csv").read_text().splitlines()
    assert len(lines) == 51 and lines[0].split(",")[-1] == '"Class"'
    assert len(lines[1].split(",")) == 31 and lines[1].split(",")[-1] in ('"0"', '"1"')
    kod.aclimdb_tree(str(tmp_path), per_class=2)
    assert sorted(os.listdir(tmp_path / "aclImdb" / "train")) == ["neg", "pos"]
    assert len(os.listdir(tmp_path / "aclImdb" / "test" / "pos")) == 2
    kod.news20_tree(str(tmp_path), per_group=2)
    assert len(os.listdir(tmp_path / "20_newsgroup")) == 20
    assert (tmp_path / "20_newsgroup" / "comp.graphics" / "38987").exists()
    kod.glove_txt(str(tmp_path / "g.txt"), extra=3)
    first = (tmp_path / "g.txt").read_text().splitlines()[0].split()
    assert len(first) == 101


def test_integer_ids_beyond_float32_reach_integer_lookup_exactly():
    ids = [16777217, 16777219, 2 ** 40 + 1]  # not representable in float32
    inp = keras.Input(shape=(1,), dtype="int64")
    il = layers.IntegerLookup(vocabulary=ids)
    m = keras.Model(inp, il(inp))
    got = m.predict(np.array([[16777219], [2 ** 40 + 1], [16777218]], np.int64), verbose=0)
    assert got.reshape(-1).tolist() == [2, 3, 0]
    assert il(np.array([[16777217]], np.int64)).numpy().tolist() == [[1]]


@pytest.mark.parametrize("mode", ["int", "tf_idf"])
def test_text_vectorization_vocabulary_survives_save_and_load(tmp_path, mode):
    """The adapted (or given) vocabulary and idf weights travel in TextVectorization's config:
    before, a reloaded model mapped every word to [UNK] (index 1) without a word of warning."""
    texts = np.array(["the cat sat", "the dog ran", "a cat", "the cat ran far"])
    tv = layers.TextVectorization(output_mode=mode, **({"output_sequence_length": 5} if mode == "int" else {}))
    tv.adapt(texts)
    inp = layers.Input((1,), dtype="string")
    model = keras.Model(inp, tv(inp))
    x = np.array([["the cat ran"], ["a dog far"]])
    want = np.asarray(model.predict(x))
    if mode == "int":  # the: 2, cat: 3 (most frequent first, then ties by first seen)
        assert want[0, 0] == tv.get_vocabulary().index("the") and want[0, 1] == tv.get_vocabulary().index("cat")
        assert (want[:, :3] > 1).all()
    path = str(tmp_path / "tv_model")
    model.save(path)
    got = np.asarray(keras.models.load_model(path).predict(x))
    np.testing.assert_allclose(got, want, rtol=1e-6)
    fixed = layers.TextVectorization(vocabulary=["cat", "dog"])
    assert fixed.get_config()["vocabulary"] == ["cat", "dog"]
