"""tf.data.Dataset's window / flat_map / interleave / reduce / scan / shard / take_while /
unique / counter / choose_from_datasets ...: the elements TensorFlow 2 gives for the same
pipelines (tools/gen_tf_data_ops_refs.py -> tests/data/tf_data_ops_refs.json)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf

with open(os.path.join(os.path.dirname(__file__), "data", "tf_data_ops_refs.json")) as _f:
    REF = json.load(_f)


def _plain(v):
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return (v.numpy() if hasattr(v, "numpy") else np.asarray(v)).tolist()


@pytest.mark.parametrize("case", sorted(REF))
def test_pipeline_matches_tensorflow(case):
    v = eval(REF[case]["expr"], {"tf": tf, "np": np})  # noqa: S307 -- the recorded cases
    if REF[case]["dataset"]:
        assert isinstance(v, tf.data.Dataset)
        got = [_plain(e) for e in v]
        assert got == [_plain(e) for e in v]  # a Dataset is a recipe: a second pass is the same
    else:
        got = _plain(v)
    assert got == REF[case]["value"]


def test_window_series_trains_a_model():
    """The TF time-series tutorial's pipeline feeds fit."""
    from tensorforge import keras
    series = np.sin(np.arange(200, dtype=np.float32) / 5)
    ds = tf.data.Dataset.from_tensor_slices(series).window(11, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(11)).map(lambda w: (w[:-1], w[-1:])).batch(16)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(10,))])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    hist = model.fit(ds, epochs=8, verbose=0)
    assert hist.history["loss"][-1] < 0.05 * hist.history["loss"][0]


def test_list_files_and_interleave_text_lines(tmp_path):
    for i in range(3):
        (tmp_path / f"part{i}.txt").write_text(f"a{i}\nb{i}\n")
    files = tf.data.Dataset.list_files(str(tmp_path / "part*.txt"), shuffle=False)
    assert [f.numpy().decode() for f in files] == [str(tmp_path / f"part{i}.txt") for i in range(3)]
    lines = files.interleave(tf.data.TextLineDataset, cycle_length=3)
    assert [x.numpy() for x in lines] == [b"a0", b"a1", b"a2", b"b0", b"b1", b"b2"]
    shuffled = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), seed=3)
    assert sorted(f.numpy() for f in shuffled) == [f.numpy() for f in files]
    with pytest.raises(ValueError, match="no files match"):
        tf.data.Dataset.list_files(str(tmp_path / "*.csv"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="shard"):
        tf.data.Dataset.range(4).shard(2, 2)
    with pytest.raises(ValueError, match="window"):
        tf.data.Dataset.range(4).window(0)
    with pytest.raises(TypeError, match="flat_map"):
        list(tf.data.Dataset.range(2).flat_map(lambda x: x * 2))
    with pytest.raises(ValueError, match="more than one"):
        tf.data.Dataset.range(2).get_single_element()
    with pytest.raises(ValueError, match="weights"):
        tf.data.Dataset.sample_from_datasets([tf.data.Dataset.range(2)], weights=[-1.0])


def test_sample_from_datasets_mixes_by_weight_and_options_are_kept():
    a = tf.data.Dataset.from_tensors(np.int64(0)).repeat(2000)
    b = tf.data.Dataset.from_tensors(np.int64(1)).repeat(2000)
    got = np.array([int(x) for x in tf.data.Dataset.sample_from_datasets(
        [a, b], weights=[0.25, 0.75], seed=0).take(2000)])
    assert 0.70 < got.mean() < 0.80  # 1500 expected ones; binomial sd ~ 19
    opts = tf.data.Options()
    opts.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = tf.data.Dataset.range(3).with_options(opts)
    assert ds.options() is opts and [int(x) for x in ds] == [0, 1, 2]


def test_map_outputs_are_values_not_views_of_a_variable():
    # the map output fast path (tf_data_struct._as_array) must not hand out a variable's
    # storage: the optimizers update variables in place
    v = tf.Variable([1.0, 2.0])
    elems = list(tf.data.Dataset.range(2).map(lambda i: v))
    v.assign([5.0, 6.0])
    assert [e.numpy().tolist() for e in elems] == [[1.0, 2.0], [1.0, 2.0]]
    out = list(tf.data.Dataset.range(3).map(lambda i: (tf.cast(i, tf.float32) * 2.0, i)))
    assert [(a.dtype.name, a.numpy().item(), b.dtype.name) for a, b in out] == \
        [("float32", 0.0, "int64"), ("float32", 2.0, "int64"), ("float32", 4.0, "int64")]
