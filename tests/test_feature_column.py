"""tf.feature_column + keras.layers.DenseFeatures against TensorFlow 2.21 / tf_keras
(tools/gen_feature_column_refs.py; columns in tests/feature_column_cases.py): outputs (hash
buckets by TensorFlow's Fingerprint64), column order by name, embedding tables, weight names,
gradients, and the TF 2 structured-data tutorial's flow (a dict Dataset into a Sequential)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

import feature_column_cases as C

REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "feature_column_refs.npz"))
META = json.loads(str(REFS["meta"]))


@pytest.mark.parametrize("name", sorted(META))
def test_dense_features_as_tensorflow(name):
    cols = C.columns(tf)[name]
    assert [c.name for c in cols] == META[name]["names"]
    layer = keras.layers.DenseFeatures(cols)
    feats = C.features()
    layer(feats)  # builds
    assert [w.name.split("/", 1)[1] for w in layer.weights] == \
        [n.split("/", 1)[1] for n in META[name]["weights"]]
    if layer.weights:
        layer.set_weights([REFS[f"{name}/w{i}"] for i in range(len(layer.weights))])
    np.testing.assert_allclose(layer(feats).numpy(), REFS[f"{name}/out"], rtol=1e-6, atol=1e-7)


def test_embedding_column_gradient_by_hand():
    col = tf.feature_column.embedding_column(
        tf.feature_column.categorical_column_with_identity("ca", num_buckets=4), dimension=2)
    layer = keras.layers.DenseFeatures([col])
    feats = {"ca": np.array([0, 2, 2, 3])}
    layer(feats)
    table = layer.weights[0]
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(feats) * np.array([[1.0, 2.0]], np.float32))
    g = tape.gradient(y, table)
    # rows 0 and 3 once, row 2 twice, row 1 never; each use adds [1, 2]
    np.testing.assert_allclose(np.asarray(g), [[1, 2], [0, 0], [2, 4], [1, 2]])


def test_structured_data_tutorial_flow():
    feats = C.features()
    labels = np.array([0, 1, 1, 0, 1, 0], np.float32)
    ds = tf.data.Dataset.from_tensor_slices((feats, labels)).batch(3)
    cols = C.columns(tf)["mixed_sorted"] + C.columns(tf)["embedding"]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.DenseFeatures(cols),
                              keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(ds, epochs=3, verbose=0)
    assert len(h.history["loss"]) == 3 and np.isfinite(h.history["loss"]).all()
    assert model.predict(ds, verbose=0).shape == (6, 1)


def test_bad_columns_and_features():
    fc = tf.feature_column
    thal = fc.categorical_column_with_vocabulary_list("thal", ["a", "b"])
    with pytest.raises(ValueError, match="DenseColumn"):
        keras.layers.DenseFeatures([thal])
    with pytest.raises(ValueError, match="sorted"):
        fc.bucketized_column(fc.numeric_column("x"), [3, 1])
    with pytest.raises(ValueError, match="Duplicate keys"):
        fc.categorical_column_with_vocabulary_list("thal", ["a", "a"])
    with pytest.raises(ValueError, match="hash_bucket_size"):
        fc.categorical_column_with_hash_bucket("thal", 0)
    layer = keras.layers.DenseFeatures([fc.numeric_column("age")])
    with pytest.raises(ValueError, match="'age'"):
        layer({"chol": np.ones(3)})
    ident = keras.layers.DenseFeatures([fc.indicator_column(
        fc.categorical_column_with_identity("ca", 3))])
    with pytest.raises(ValueError, match="outside"):
        ident({"ca": np.array([0, 5])})


def test_keras_written_dense_features_model_loads_and_runs():
    m = keras.models.model_from_json(str(REFS["functional_json"]))
    df = m.layers[2]
    assert [type(c).__name__ for c in df.feature_columns] == [
        "NumericColumn", "BucketizedColumn", "EmbeddingColumn", "IndicatorColumn"]
    ours = C.functional(tf, keras)  # the same model built here: same weights -> same outputs
    ours.set_weights(m.get_weights())
    x = [np.array([[1.5], [0.2]], np.float32), np.array([["a"], ["zz"]], dtype=object)]
    np.testing.assert_allclose(m.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-6)
    again = keras.models.model_from_json(m.to_json())  # and our config of it reads back
    assert [c.name for c in again.layers[2].feature_columns] == [c.name for c in
                                                                df.feature_columns]


def test_config_round_trip_of_every_case():
    feats = C.features()
    for name, cols in C.columns(tf).items():
        layer = keras.layers.DenseFeatures(cols)
        want = layer(feats).numpy()
        if name in ("numeric", "mixed_sorted"):  # chol's normalizer_fn is a lambda: refused
            with pytest.raises(ValueError, match="normalizer_fn"):
                layer.get_config()
            continue
        again = keras.layers.DenseFeatures.from_config(layer.get_config())
        again(feats)
        again.set_weights(layer.get_weights())
        np.testing.assert_allclose(again(feats).numpy(), want, rtol=1e-6, err_msg=name)
