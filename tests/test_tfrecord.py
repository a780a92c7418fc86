"""TFRecord files and tf.train.Example: files and bytes TensorFlow 2 wrote, and what it parsed
from them (tools/gen_tfrecord_refs.py -> tests/data/tfrecord/), read, parsed and written here."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf

D = os.path.join(os.path.dirname(__file__), "data", "tfrecord")
with open(os.path.join(D, "refs.json")) as _f:
    REF = json.load(_f)


def _spec():
    out = {}
    for k, (kind, shape, dt, default) in REF["spec"].items():
        dtype = tf.as_dtype(dt if dt != "string" else object)
        out[k] = (tf.io.FixedLenFeature(shape, dtype, default_value=default) if kind == "fixed"
                  else tf.io.VarLenFeature(dtype))
    return out


def _plain(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, tf.SparseTensor):
            vals = v.values.numpy().tolist()
            out[k] = {"indices": v.indices.numpy().tolist(),
                      "values": [x.decode() if isinstance(x, bytes) else x for x in vals],
                      "dense_shape": v.dense_shape.numpy().tolist()}
        else:
            a = np.asarray(v.numpy())
            out[k] = (np.vectorize(lambda b: b.decode())(a).tolist() if a.dtype.kind in "OS"
                      else a.tolist())
    return out


def _example(entries):
    def feature(kind, values):
        if kind == "bytes":
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=[v.encode() for v in values]))
        if kind == "float":
            return tf.train.Feature(float_list=tf.train.FloatList(value=values))
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(
        feature={k: feature(kind, vals) for k, kind, vals in entries}))


@pytest.mark.parametrize("name, comp", [("plain.tfrecord", None), ("gzip.tfrecord", "GZIP")])
def test_tensorflow_files_parse_as_tensorflow_parsed_them(name, comp):
    ds = tf.data.TFRecordDataset(os.path.join(D, name), compression_type=comp)
    got = [_plain(tf.io.parse_single_example(r, _spec())) for r in ds]
    assert got == REF["single"]
    parsed = ds.map(lambda r: tf.io.parse_single_example(r, _spec()))
    assert [_plain(e) for e in parsed] == REF["single"]


def test_parse_example_batches_and_sparse_to_dense():
    sers = [bytes.fromhex(h) for h in REF["serialized_hex"]]
    out = tf.io.parse_example(tf.constant(sers), _spec())
    assert _plain(out) == REF["batched"]
    assert tf.sparse.to_dense(out["tags"]).numpy().tolist() == REF["dense_tags"]


def test_examples_serialize_to_tensorflows_bytes_and_back():
    """Each Feature's bytes equal TensorFlow's; whole Examples equal as maps (TensorFlow writes
    map entries in its hash order, this writer in insertion order: both parse the same)."""
    for entries, hexed, feats in zip(REF["examples"], REF["serialized_hex"], REF["feature_hex"]):
        ex = _example(entries)
        for k, f in ex.features.feature.items():
            assert f.SerializeToString().hex() == feats[k], k
        assert len(ex.SerializeToString()) == len(bytes.fromhex(hexed))
        again = tf.train.Example.FromString(bytes.fromhex(hexed))
        assert again == ex
        first = entries[0]
        assert again.features.feature[first[0]].WhichOneof("kind") == first[1] + "_list"


def test_writer_writes_tensorflows_bytes(tmp_path):
    path = tmp_path / "raw.tfrecord"
    records = [bytes.fromhex(h) for h in REF["raw_records_hex"]]
    with tf.io.TFRecordWriter(str(path)) as w:
        for r in records:
            w.write(r)
    assert path.read_bytes() == open(os.path.join(D, "raw.tfrecord"), "rb").read()
    assert [r.numpy() for r in tf.data.TFRecordDataset(str(path))] == records


def test_corrupt_truncated_and_mismatched_input(tmp_path):
    good = open(os.path.join(D, "raw.tfrecord"), "rb").read()
    bad = bytearray(good)
    bad[13] ^= 0xFF  # inside the first record's data (bytes 12-14)
    (tmp_path / "bad.tfrecord").write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="record 0 is corrupt"):
        list(tf.data.TFRecordDataset(str(tmp_path / "bad.tfrecord")))
    (tmp_path / "cut.tfrecord").write_bytes(good[:-10])
    with pytest.raises(ValueError, match="record 2 is truncated|record 1 is truncated"):
        list(tf.data.TFRecordDataset(str(tmp_path / "cut.tfrecord")))
    with pytest.raises(ValueError, match="not GZIP"):
        list(tf.data.TFRecordDataset(os.path.join(D, "plain.tfrecord"), compression_type="GZIP"))
    ser = bytes.fromhex(REF["serialized_hex"][0])
    with pytest.raises(ValueError, match="'image' has 4 values"):
        tf.io.parse_single_example(ser, {"image": tf.io.FixedLenFeature([3], tf.float32)})
    with pytest.raises(ValueError, match="'nothing' is missing"):
        tf.io.parse_single_example(ser, {"nothing": tf.io.FixedLenFeature([], tf.int64)})
    with pytest.raises(ValueError, match="holds a float_list"):
        tf.io.parse_single_example(ser, {"image": tf.io.FixedLenFeature([4], tf.int64)})
    with pytest.raises(ValueError):
        tf.train.Example.FromString(b"\x0a\x20abc")  # a length past the end


def test_writer_leaves_no_file_when_the_block_fails(tmp_path):
    path = tmp_path / "x.tfrecord"
    with pytest.raises(RuntimeError):
        with tf.io.TFRecordWriter(str(path)) as w:
            w.write(b"abc")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_tfrecord_pipeline_trains_a_model(tmp_path):
    from tensorforge import keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype(np.float32)
    y = (x.sum(1) > 0).astype(np.int64)
    path = str(tmp_path / "train.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type="ZLIB")) as w:
        for xi, yi in zip(x, y):
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=xi)),
                "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[yi]))})).SerializeToString())
    spec = {"x": tf.io.FixedLenFeature([4], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64)}

    def parse(r):
        d = tf.io.parse_single_example(r, spec)
        return d["x"], d["y"]
    ds = tf.data.TFRecordDataset(path, compression_type="ZLIB").map(parse).batch(32)
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax", input_shape=(4,))])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy", ["accuracy"])
    hist = model.fit(ds, epochs=10, verbose=0)
    assert hist.history["accuracy"][-1] > 0.9
