"""The FeatureSpace scenario of tests/test_feature_space.py, written once for the test
(tensorforge) and tools/gen_feature_space_refs.py (tf_keras 2.21): the keras-io structured-data
example's feature kinds over a small synthetic table like its heart-disease CSV."""
import numpy as np


def data():
    r = np.random.RandomState(0)
    n = 64
    return {"sex": r.randint(0, 2, n).astype("int64"), "cp": r.randint(0, 4, n).astype("int64"),
            "thal": np.array(["fixed", "normal", "reversible"])[r.randint(0, 3, n)],
            "age": r.uniform(29, 77, n).astype("float32"),
            "chol": r.uniform(120, 560, n).astype("float32"),
            "oldpeak": r.uniform(0, 6, n).astype("float32")}, r.randint(0, 2, n).astype("int64")


def concat_space(FeatureSpace, crosses=False):
    extra = {}
    if crosses:
        extra = {"crosses": [FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=8),
                             FeatureSpace.cross(feature_names=("thal", "cp"), crossing_dim=16)]}
    return FeatureSpace(features={"sex": FeatureSpace.integer_categorical(num_oov_indices=0),
                                  "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
                                  "thal": FeatureSpace.string_categorical(num_oov_indices=0),
                                  "age": FeatureSpace.float_discretized(num_bins=5),
                                  "chol": FeatureSpace.float_normalized(),
                                  "oldpeak": FeatureSpace.float_normalized()},
                        output_mode="concat", **extra)


def run(tf, FeatureSpace, crosses=False):
    """{name: array}: the first batch preprocessed (concat), a dict-mode space's outputs."""
    feats, y = data()
    ds = tf.data.Dataset.from_tensor_slices((feats, y)).batch(32)
    fs = concat_space(FeatureSpace, crosses)
    fs.adapt(ds.map(lambda x, _: x))
    out = {}
    for x, _ in ds.take(1):
        out["concat"] = np.asarray(fs(x))
    d = FeatureSpace(features={"thal": "string_categorical", "age": "float",
                               "cp": "integer_hashed"}, output_mode="dict", hashing_dim=4)
    d.adapt(tf.data.Dataset.from_tensor_slices(feats))
    got = d({k: feats[k][:5] for k in ("thal", "age", "cp")})
    for k in sorted(got):
        out[f"dict/{k}"] = np.asarray(got[k])
    one = d({k: feats[k][0] for k in ("thal", "age", "cp")})  # scalars: one unbatched sample
    for k in sorted(one):
        out[f"one/{k}"] = np.asarray(one[k])
    return out
