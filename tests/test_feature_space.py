"""keras.utils.FeatureSpace against tf_keras 2.21 (tools/gen_feature_space_refs.py; scenario in
tests/feature_space_cases.py): adapt on a Dataset of dicts, concat and dict outputs, an
unbatched sample, hashed features and crosses, and the keras-io example's two models (training
on preprocessed data, inference on raw dicts through get_inputs / get_encoded_features)."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.utils import FeatureSpace

import feature_space_cases as C

REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "feature_space_refs.npz"))


def _check(got, prefix=""):
    for k, v in got.items():
        np.testing.assert_allclose(v, REFS[prefix + k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_outputs_as_keras():
    _check(C.run(tf, FeatureSpace))


def test_crosses_as_keras():
    if not hasattr(keras.layers, "HashedCrossing"):
        pytest.fail("layers.HashedCrossing is missing")
    _check(C.run(tf, FeatureSpace, crosses=True), "crossed/")


def test_training_and_inference_models():
    feats, y = C.data()
    ds = tf.data.Dataset.from_tensor_slices((feats, y)).batch(32)
    fs = C.concat_space(FeatureSpace)
    fs.adapt(ds.map(lambda x, _: x))
    enc = fs.get_encoded_features()
    pred = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(4)(enc))
    train = keras.Model(inputs=enc, outputs=pred)  # starts at the encoded features
    train.compile("adam", "binary_crossentropy")
    train.fit(ds.map(lambda x, y: (fs(x), y)), epochs=1, verbose=0)
    infer = keras.Model(inputs=fs.get_inputs(), outputs=pred)  # raw dicts in
    raw = {k: v[:4] for k, v in feats.items()}
    np.testing.assert_allclose(infer.predict(raw, verbose=0),
                               train.predict(np.asarray(fs(raw)), verbose=0), rtol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="Invalid feature type"):
        FeatureSpace({"a": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    fs = FeatureSpace({"a": "float_normalized"})
    with pytest.raises(ValueError, match="adapt"):
        fs({"a": np.ones(3)})
    with pytest.raises(ValueError, match="tf.data.Dataset"):
        fs.adapt({"a": np.ones(3)})
