"""TFRecord files and tf.train.Example bytes written by TensorFlow 2, and what TensorFlow parses
from them, for tests/test_tfrecord.py (tests/data/tfrecord/). Run with the Keras 2 oracle venv,
never in tests:
    ../keras-venv/bin/python tools/gen_tfrecord_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "tfrecord")


def feature(kind, values):
    if kind == "bytes":
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    if kind == "float":
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


EXAMPLES = [  # (key, kind, values) in insertion order
    [("image", "float", [0.5, -1.25, 3.0, 1e-3]), ("label", "int64", [7]),
     ("name", "bytes", [b"first"]), ("tags", "int64", [1, -2, 2 ** 40])],
    [("image", "float", [1.0, 2.0, 3.0, 4.0]), ("label", "int64", [-1]),
     ("name", "bytes", [b"second"]), ("tags", "int64", [])],
    [("image", "float", [0.0, 0.0, 0.0, 0.25]), ("label", "int64", [3]), ("tags", "int64", [5])],
]
SPEC = {"image": ("fixed", [2, 2], "float32", None), "label": ("fixed", [], "int64", None),
        "name": ("fixed", [], "string", "none"), "tags": ("var", None, "int64", None)}


def spec():
    out = {}
    for k, (kind, shape, dt, default) in SPEC.items():
        dtype = tf.as_dtype(dt)
        out[k] = (tf.io.FixedLenFeature(shape, dtype, default_value=default) if kind == "fixed"
                  else tf.io.VarLenFeature(dtype))
    return out


def plain(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, tf.SparseTensor):
            out[k] = {"indices": v.indices.numpy().tolist(),
                      "values": [x.decode() if isinstance(x, bytes) else x for x in v.values.numpy().tolist()],
                      "dense_shape": v.dense_shape.numpy().tolist()}
        else:
            a = np.asarray(v.numpy())
            out[k] = (np.vectorize(lambda b: b.decode())(a).tolist() if a.dtype.kind in "OS"
                      else a.tolist())
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    exs = [tf.train.Example(features=tf.train.Features(feature={k: feature(kind, vals)
                                                                 for k, kind, vals in e}))
           for e in EXAMPLES]
    sers = [e.SerializeToString() for e in exs]
    with tf.io.TFRecordWriter(os.path.join(OUT, "plain.tfrecord")) as w:
        for s in sers:
            w.write(s)
    with tf.io.TFRecordWriter(os.path.join(OUT, "gzip.tfrecord"),
                              tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        for s in sers:
            w.write(s)
    ds = tf.data.TFRecordDataset(os.path.join(OUT, "plain.tfrecord"))
    single = [plain(tf.io.parse_single_example(r, spec())) for r in ds]
    batched = plain(tf.io.parse_example(tf.constant(sers), spec()))
    dense_tags = tf.sparse.to_dense(tf.io.parse_example(tf.constant(sers), spec())["tags"]).numpy()
    feature_hex = [{k: feature(kind, vals).SerializeToString().hex() for k, kind, vals in e}
                   for e in EXAMPLES]  # a map's entry order is TensorFlow's hash order: per feature
    ref = {"feature_hex": feature_hex, "examples": [[[k, kind, [v.decode() if isinstance(v, bytes) else v for v in vals]]
                         for k, kind, vals in e] for e in EXAMPLES],
           "serialized_hex": [s.hex() for s in sers], "spec": SPEC, "single": single,
           "batched": batched, "dense_tags": dense_tags.tolist(),
           "raw_records_hex": [r.hex() for r in (b"abc", bytes(range(256)) * 3, b"")]}
    with tf.io.TFRecordWriter(os.path.join(OUT, "raw.tfrecord")) as w:
        for r in (b"abc", bytes(range(256)) * 3, b""):
            w.write(r)
    with open(os.path.join(OUT, "refs.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
