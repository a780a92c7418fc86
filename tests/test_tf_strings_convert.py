"""tf.strings to_number / as_string / substr / bytes_split / unicode_decode / unicode_encode /
ngrams / to_hash_bucket_*: results against TensorFlow 2's (tools/gen_tf_strings_refs.py ->
tests/data/tf_strings_refs.json)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.tf_ragged import RaggedTensor

with open(os.path.join(os.path.dirname(__file__), "data", "tf_strings_refs.json"),
          encoding="utf-8") as _f:
    REF = json.load(_f)


def _plain(v):
    if isinstance(v, RaggedTensor):
        return {"ragged": _plain(v.to_list())}
    a = v.numpy() if hasattr(v, "numpy") else v
    if isinstance(a, list):
        return [_plain(x) for x in a]
    a = np.asarray(a)
    if a.dtype.kind in "OS":
        return {"dtype": "string", "value": np.vectorize(lambda b: b.decode("utf-8"),
                                                          otypes=[object])(a).tolist()}
    return {"dtype": a.dtype.name, "value": a.tolist()}


@pytest.mark.parametrize("expr", sorted(REF))
def test_strings_match_tensorflow(expr):
    got = _plain(eval(expr, {"tf": tf, "np": np}))  # noqa: S307 -- the recorded cases
    want = REF[expr]
    if "ragged" in want or want["dtype"] == "string" or want["dtype"].startswith("int"):
        assert got == want
    else:
        assert got["dtype"] == want["dtype"]
        np.testing.assert_allclose(got["value"], want["value"], rtol=1e-6)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: tf.strings.to_number(["1.5", "x"]), ValueError, ["could not correctly convert", "x"]),
    (lambda: tf.strings.substr("abc", 5, 1), ValueError, ["pos 5"]),
    (lambda: tf.strings.as_string(["a"]), TypeError, ["numeric"]),
    (lambda: tf.strings.ngrams([["a"]] * 2 + [["b"]], 0), ValueError, ["widths >= 1"]),
    (lambda: tf.strings.unicode_decode("a", "UTF-16-BE"), ValueError, ["UTF-8"]),
])
def test_bad_arguments(call, exc, words):
    with pytest.raises(exc) as e:
        call()
    for w in words:
        assert w in str(e.value)
