"""Shared by the tests that evaluate tools/gen_tf_io14_refs.py's recorded TensorFlow
expressions (test_tf_io14*.py): loading the records and comparing an output with one."""
import json
import os

import numpy as np

from tensorforge.autograd import Tensor

_PATH = os.path.join(os.path.dirname(__file__), "data", "tf_io14_refs.json")
with open(_PATH) as _f:
    REFS = json.load(_f)


def decode(rec):
    """The value a record stands for: bytes, a NumPy array (strings: an object array of
    bytes), a list, a dict, ("sparse", indices, values, dense_shape), ("indexed", values,
    indices) or ("ragged", flat_values, row_splits)."""
    if "bytes" in rec:
        return bytes.fromhex(rec["bytes"])
    if "list" in rec:
        return [decode(r) for r in rec["list"]]
    if "dict" in rec:
        return {k: decode(v) for k, v in rec["dict"].items()}
    if "ragged" in rec:
        return ("ragged",) + tuple(decode(r) for r in rec["ragged"])
    if "indexed" in rec:
        return ("indexed",) + tuple(decode(r) for r in rec["indexed"])
    if "sparse" in rec:
        return ("sparse",) + tuple(decode(r) for r in rec["sparse"])
    if "python" in rec:
        return rec["python"]
    if rec["dtype"] == "string":
        out = np.empty(len(rec["values"]), dtype=object)
        out[:] = [bytes.fromhex(v) for v in rec["values"]]
        return out.reshape(rec["shape"])
    vals = [float(v) if isinstance(v, str) else v for v in rec["values"]]
    return np.asarray(vals, dtype=rec["dtype"]).reshape(rec["shape"])


def inputs():
    return {k: decode(v) for k, v in REFS["inputs"].items()}


def _array(o):
    if isinstance(o, Tensor):
        o = o.numpy()
    if isinstance(o, bytes):
        return np.asarray(o, dtype=object)
    return np.asarray(o)


def check(got, want, where, rtol=1e-6, atol=1e-6, int_atol=0):
    """Assert ``got`` (tensorforge's output) equals the recorded ``want``: same structure,
    dtype, shape; strings and bytes exactly, integers within ``int_atol`` (0: exactly),
    floats within rtol / atol."""
    if isinstance(want, tuple) and want and want[0] == "sparse":
        assert hasattr(got, "indices") and hasattr(got, "dense_shape"), (where, type(got))
        for part, w in zip(("indices", "values", "dense_shape"), want[1:]):
            check(getattr(got, part), w, f"{where}.{part}", rtol, atol, int_atol)
        return
    if isinstance(want, tuple) and want and want[0] == "ragged":
        for part, w in zip(("flat_values", "row_splits"), want[1:]):
            check(getattr(got, part), w, f"{where}.{part}", rtol, atol, int_atol)
        return
    if isinstance(want, tuple) and want and want[0] == "indexed":
        for part, w in zip(("values", "indices"), want[1:]):
            check(getattr(got, part), w, f"{where}.{part}", rtol, atol, int_atol)
        return
    if isinstance(want, list):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), (where, got)
        for i, (g, w) in enumerate(zip(got, want)):
            check(g, w, f"{where}[{i}]", rtol, atol, int_atol)
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (where, got)
        for k in want:
            check(got[k], want[k], f"{where}[{k!r}]", rtol, atol, int_atol)
        return
    if isinstance(want, bytes):
        g = got.numpy() if isinstance(got, Tensor) else got
        assert g == want, (where, g.hex() if isinstance(g, bytes) else g, want.hex())
        return
    if not isinstance(want, np.ndarray):
        assert got == want, (where, got, want)
        return
    g = _array(got)
    assert g.dtype == want.dtype, (where, g.dtype, want.dtype)
    assert g.shape == want.shape, (where, g.shape, want.shape)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(g, want, rtol=rtol, atol=atol, err_msg=where)
    elif int_atol and want.dtype.kind in "iu":
        diff = np.abs(g.astype(np.int64) - want.astype(np.int64))
        assert diff.max(initial=0) <= int_atol, (where, int(diff.max()), int_atol)
    else:
        np.testing.assert_array_equal(g, want, err_msg=where)
