"""TensorFlow 2's elements for the tf.data.Dataset pipelines tests/test_tf_data_ops.py runs
(tests/data/tf_data_ops_refs.json): each case is an expression over ``tf`` and ``np`` giving a
Dataset (or a value); its elements as nested lists. Run with the Keras 2 oracle venv, never in
tests:
    ../keras-venv/bin/python tools/gen_tf_data_ops_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_data_ops_refs.json")

CASES = {
    "window_flat_map": "tf.data.Dataset.range(10).window(4, shift=1, drop_remainder=True)"
                       ".flat_map(lambda w: w.batch(4))",
    "window_partial": "tf.data.Dataset.range(7).window(3, shift=2).flat_map(lambda w: w.batch(3))",
    "window_stride": "tf.data.Dataset.range(12).window(3, shift=4, stride=2)"
                     ".flat_map(lambda w: w.batch(3))",
    "window_tuple": "tf.data.Dataset.from_tensor_slices((np.arange(6), np.arange(6) * 10))"
                    ".window(2, shift=2).flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2))))",
    "window_series": "tf.data.Dataset.from_tensor_slices(np.arange(8.0, dtype=np.float32))"
                     ".window(5, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(5))"
                     ".map(lambda w: (w[:-1], w[-1]))",
    "flat_map": "tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4]])"
                ".flat_map(lambda r: tf.data.Dataset.from_tensor_slices(r * 2))",
    "interleave": "tf.data.Dataset.range(1, 4).interleave(lambda x: "
                  "tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2, block_length=2)",
    "interleave_1": "tf.data.Dataset.range(3).interleave(lambda x: tf.data.Dataset.range(x, x + 2),"
                    " cycle_length=1)",
    "apply": "tf.data.Dataset.range(5).apply(lambda d: d.map(lambda x: x * 3))",
    "reduce": "tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)",
    "reduce_tuple": "tf.data.Dataset.from_tensor_slices(np.arange(4.0, dtype=np.float32))"
                    ".reduce((np.float32(0), np.float32(1)), lambda s, x: (s[0] + x, s[1] * (x + 1)))",
    "scan": "tf.data.Dataset.range(5).scan(np.int64(0), lambda s, x: (s + x, s * 10 + x))",
    "shard": "tf.data.Dataset.range(10).shard(3, 1)",
    "take_while": "tf.data.Dataset.range(10).take_while(lambda x: x < 4)",
    "unique": "tf.data.Dataset.from_tensor_slices([1, 3, 1, 2, 3, 5]).unique()",
    "get_single_element": "tf.data.Dataset.from_tensors([1.5, 2.5]).get_single_element()",
    "counter": "tf.data.Dataset.counter(start=3, step=2).take(4)",
    "choose": "tf.data.Dataset.choose_from_datasets([tf.data.Dataset.range(3), "
              "tf.data.Dataset.range(10, 13)], tf.data.Dataset.from_tensor_slices("
              "np.array([0, 1, 1, 0, 1], np.int64)))",
    "sample_one": "tf.data.Dataset.sample_from_datasets([tf.data.Dataset.range(3), "
                  "tf.data.Dataset.range(10, 13)], weights=[1.0, 0.0], seed=1)",
}


def _plain(v):
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    a = v.numpy() if hasattr(v, "numpy") else np.asarray(v)
    return a.tolist()


def main():
    ref = {}
    for name, expr in CASES.items():
        v = eval(expr, {"tf": tf, "np": np})  # noqa: S307 -- the cases above
        out = [_plain(e) for e in v] if isinstance(v, tf.data.Dataset) else _plain(v)
        ref[name] = {"expr": expr, "dataset": isinstance(v, tf.data.Dataset), "value": out}
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
