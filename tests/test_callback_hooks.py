"""Callbacks' test and predict hooks during evaluate / predict (arrays and generators) and fit's
validation: the same hooks, batch numbers, log keys and running losses as tf_keras 2.21
(tools/gen_callback_hook_refs.py; scenarios in tests/callback_hook_cases.py)."""
import json
import os

import numpy as np
import pytest

from tensorforge import keras

import callback_hook_cases as C

with open(os.path.join(os.path.dirname(__file__), "data", "callback_hook_refs.json")) as _f:
    REF = json.load(_f)
WEIGHTS = [np.asarray(w, np.float32) for w in REF["weights"]]


@pytest.mark.parametrize("name", C.SCENARIOS)
def test_hooks_and_logs_as_keras(name):
    got = C.run(keras, name, WEIGHTS)
    want = REF["events"][name]
    assert [e[:3] for e in got] == [e[:3] for e in want]
    for g, w in zip(got, want):
        if w[3] is None:
            assert g[3] is None
        else:
            np.testing.assert_allclose(g[3], w[3], rtol=1e-5)


def test_predict_batch_logs_hold_the_batch_outputs():
    x, _ = C.data()
    m = C.model(keras, WEIGHTS)
    seen = []
    cb = keras.callbacks.LambdaCallback(
        on_predict_batch_end=lambda batch, logs: seen.append(np.array(logs["outputs"])))
    out = m.predict(x, batch_size=16, verbose=0, callbacks=[cb])
    assert [len(s) for s in seen] == [16, 16, 8]
    np.testing.assert_array_equal(np.concatenate(seen), out)
