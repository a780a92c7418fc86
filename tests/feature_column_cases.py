"""The feature columns of tests/test_feature_column.py, written once for the test (tensorforge)
and tools/gen_feature_column_refs.py (TensorFlow 2.21 / tf_keras): the TF 2 structured-data
tutorial's columns (numeric, bucketized, vocabulary list, hash bucket, identity, indicator,
embedding) over a small table like its heart-disease CSV."""
import numpy as np


def features():
    return {"age": np.array([29, 41, 54, 63, 70, 35], np.int64),
            "chol": np.array([204.0, 180.5, 239.0, 310.0, 199.0, 250.25], np.float32),
            "thal": np.array(["fixed", "normal", "reversible", "normal", "unknown", "1"],
                             dtype=object),
            "ca": np.array([0, 1, 2, 3, 0, 1], np.int64)}


def columns(tf):
    """case -> list of feature columns, built with ``tf.feature_column`` of the module ``tf``."""
    fc = tf.feature_column
    age = fc.numeric_column("age")
    chol = fc.numeric_column("chol", normalizer_fn=lambda x: (x - 200.0) / 50.0)
    age_b = fc.bucketized_column(age, boundaries=[18, 25, 30, 35, 40, 45, 50, 55, 60, 65])
    thal = fc.categorical_column_with_vocabulary_list("thal", ["fixed", "normal", "reversible"])
    thal_oov = fc.categorical_column_with_vocabulary_list(
        "thal", ["fixed", "normal", "reversible"], num_oov_buckets=4)
    thal_hash = fc.categorical_column_with_hash_bucket("thal", hash_bucket_size=7)
    ca = fc.categorical_column_with_identity("ca", num_buckets=4)
    age_hash = fc.categorical_column_with_hash_bucket("age", 5, dtype=tf.int64)
    return {"numeric": [age, chol],
            "bucketized": [age_b],
            "indicator_vocab": [fc.indicator_column(thal)],
            "indicator_oov": [fc.indicator_column(thal_oov)],
            "indicator_hash": [fc.indicator_column(thal_hash)],
            "indicator_identity": [fc.indicator_column(ca)],
            "indicator_int_hash": [fc.indicator_column(age_hash)],
            "mixed_sorted": [fc.indicator_column(thal), age_b, chol, age],
            "crossed": [fc.indicator_column(fc.crossed_column([age_b, "thal"], 11)),
                        fc.embedding_column(fc.crossed_column(["thal", "ca", ca], 7), 2)],
            "embedding": [fc.embedding_column(thal, dimension=3)],
            "embedding_sqrtn": [fc.embedding_column(thal_oov, dimension=2, combiner="sqrtn")]}


def functional(tf, keras):
    """A functional model whose DenseFeatures takes a dict of two named Inputs (its config's
    inbound node is tf_keras 2's dict of named references)."""
    fc = tf.feature_column
    age = keras.Input((1,), name="age")
    thal = keras.Input((1,), name="thal", dtype="string")
    cols = [fc.numeric_column("age"),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("thal", ["a", "b"])),
            fc.embedding_column(fc.categorical_column_with_hash_bucket("thal", 5), 2),
            fc.bucketized_column(fc.numeric_column("age"), [1.0, 2.0])]
    x = keras.layers.DenseFeatures(cols)({"age": age, "thal": thal})
    return keras.Model([age, thal], keras.layers.Dense(1)(x))
