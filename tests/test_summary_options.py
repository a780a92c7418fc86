"""model.summary(show_trainable=, expand_nested=, layer_range=) print tf_keras 2.21's lines
(tools/gen_summary_refs.py; models in tests/summary_cases.py)."""
import json
import os

import pytest

from tensorforge import keras

import summary_cases as C

with open(os.path.join(os.path.dirname(__file__), "data", "summary_refs.json"),
          encoding="utf-8") as _f:
    REF = json.load(_f)


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_summary_lines_as_keras(name):
    keras.backend.clear_session()  # (layer names as a fresh session gives them)
    assert C.lines(keras, name) == REF[name]


def test_layer_range_errors():
    m = C.model(keras)
    with pytest.raises(ValueError, match="length 2"):
        m.summary(layer_range=["inner"])
    with pytest.raises(ValueError, match="do not match"):
        m.summary(layer_range=["nope", "top"])
