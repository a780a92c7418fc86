"""Shared by the tests that evaluate recorded TensorFlow expressions (test_tf_ops.py,
test_tf_image_ops.py): the recorded cases and arrays, and the gradient weights the recording
scripts (tools/gen_tf_ops_refs.py, tools/gen_tf_image_refs.py) used."""
import json
import os

import numpy as np


def load(name):
    """(cases, arrays, inputs) of tests/data/<name>.json / .npz."""
    base = os.path.join(os.path.dirname(__file__), "data", name)
    with open(base + ".json") as f:
        cases = json.load(f)["cases"]
    arrays = np.load(base + ".npz")
    return cases, arrays, {k[3:]: arrays[k] for k in arrays.files if k.startswith("in/")}


def weights(shape):
    """cos(arange(size)) in ``shape``: the loss weights of the recorded gradients."""
    n = int(np.prod(shape)) if len(shape) else 1
    return np.cos(np.arange(n, dtype=np.float64)).reshape(shape)


def flat(out):
    if isinstance(out, (list, tuple)):
        return [a for o in out for a in flat(o)]
    return [out]
