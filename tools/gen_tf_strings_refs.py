"""TensorFlow 2's results for the tf.strings functions of tf_strings_convert.py, for
tests/test_tf_strings_convert.py (tests/data/tf_strings_refs.json). Run with the Keras 2
oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_strings_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_strings_refs.json")
CASES = [
    "tf.strings.to_number(['1.5', '-2', '3e2', ' 7 '])",
    "tf.strings.to_number([['4', '5']], out_type=tf.int64)",
    "tf.strings.to_number('12', tf.int32)",
    "tf.strings.as_string([1.5, -2.25, 100.0])",
    "tf.strings.as_string([3, -40])",
    "tf.strings.as_string([True, False])",
    "tf.strings.as_string([1.23456], precision=2)",
    "tf.strings.as_string([1234.5], scientific=True)",
    "tf.strings.as_string([0.5], shortest=True)",
    "tf.strings.as_string([7, 42], width=4, fill='0')",
    "tf.strings.substr(['hello', 'world!'], 1, 3)",
    "tf.strings.substr('hello', -3, 2)",
    "tf.strings.substr('h\\u00e9llo', 1, 2, unit='UTF8_CHAR')",
    "tf.strings.bytes_split('abc')",
    "tf.strings.bytes_split(['ab', 'c'])",
    "tf.strings.unicode_decode('h\\u00e9\\u20ac', 'UTF-8')",
    "tf.strings.unicode_decode(['ab', '\\u00e9'], 'UTF-8')",
    "tf.strings.unicode_encode([104, 233, 8364], 'UTF-8')",
    "tf.strings.unicode_encode([[97, 98], [99, 100]], 'UTF-8')",
    "tf.strings.ngrams(['a', 'b', 'c', 'd'], 2)",
    "tf.strings.ngrams(['a', 'b', 'c'], [1, 3], separator='_')",
    "tf.strings.ngrams([['a', 'b', 'c'], ['d', 'e', 'f']], 2)",
    "tf.strings.ngrams(['a', 'b'], 3, pad_values=('<s>', '</s>'))",
    "tf.strings.ngrams(['a', 'b'], 3, preserve_short_sequences=True)",
    "tf.strings.to_hash_bucket_fast(['hello', 'world', ''], 100)",
    "tf.strings.to_hash_bucket_strong(['hello', 'world'], 50, [7, 11])",
]


def plain(v):
    if isinstance(v, tf.RaggedTensor):
        return {"ragged": plain(v.to_list())}
    a = v.numpy() if hasattr(v, "numpy") else v
    if isinstance(a, list):
        return [plain(x) for x in a]
    a = np.asarray(a)
    if a.dtype.kind in "OS":
        return {"dtype": "string", "value": np.vectorize(lambda b: b.decode("utf-8"),
                                                          otypes=[object])(a).tolist()}
    return {"dtype": a.dtype.name, "value": a.tolist()}


def main():
    ref = {}
    for expr in CASES:
        ref[expr] = plain(eval(expr, {"tf": tf, "np": np}))  # noqa: S307 -- the cases above
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
