"""Bad input at the layer level, for every layer class of the Keras API, against what Keras 2
does (tests/data/keras_layer_robustness.json, from tools/gen_layer_robustness_refs.py; the
recipes and probes are tests/layer_recipes.py).

Where Keras 2 refuses an input (wrong rank, last axis changed after build, ...) ours raises a
ValueError or TypeError whose message names the layer and the input's shape; where Keras 2
computes (a zero-size batch, NaN/inf values, a rank it allows) ours computes the same output
shape (and NaN where Keras' output has NaN). Inputs of the wrong dtype (strings into a numeric
layer, complex, object arrays) are always refused: NumPy would drop a complex input's imaginary
part without a word, and Keras 2 refuses them in most layers. Absurd constructor arguments
(units=10**12, strides 0, a negative rate, a kernel larger than the input) raise a ValueError or
TypeError naming the layer, at construction or at the first call, without trying to allocate
the absurd weight or output.
"""
import inspect
import json
import os
import time
import warnings

import numpy as np
import pytest

import layer_recipes as R
from tensorforge import layers as L
from tensorforge.engine.base_layer import _shape_str

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "data", "keras_layer_robustness.json")) as f:
    KERAS = json.load(f)

# Where ours differs from Keras 2 on purpose, and why. Each entry is still tested: the test
# asserts the behaviour stated here.
_BATCH_DIMS = ("Keras 2 treats the extra leading axis as more batch axes; ours takes the "
               "documented rank only")
STRICTER = {  # Keras 2 computes, ours refuses (a ValueError/TypeError naming the layer)
    ("Attention", "rank_plus"): _BATCH_DIMS,
    ("AdditiveAttention", "rank_plus"): _BATCH_DIMS,
    ("Conv1D", "rank_plus"): _BATCH_DIMS,
    ("Conv2D", "rank_plus"): _BATCH_DIMS,
    ("Conv3D", "rank_plus"): _BATCH_DIMS,
    ("RandomContrast", "rank_plus"): _BATCH_DIMS,
    ("TextVectorization", "rank_plus"): "a batch of strings is (batch,) or (batch, 1)",
    ("Attention", "rank_minus"): "2-D (batch, dim) query and value: Keras 2 attends over the "
                                 "batch axis as if it were time; ours wants (batch, steps, dim)",
    ("AdditiveAttention", "rank_minus"): "as Attention",
    ("BatchNormalization", "rank_minus"): "a 1-D input has only the batch axis: Keras 2 "
                                          "normalizes the batch as features",
    ("LayerNormalization", "rank_minus"): "as BatchNormalization",
    ("Normalization", "rank_minus"): "as BatchNormalization",
    ("UpSampling3D", "rank_plus"): "Keras 2 upsamples axes 1-3 of any rank; ours wants 5-D",
    ("UpSampling3D", "rank_minus"): "as rank_plus",
}
NAN_DIFFERS = {  # the output shapes agree; Keras' output has NaN and ours not, or the reverse
    ("MaxPooling1D", "nan"): "TF's MaxPool skips NaN; ours propagates it (as PyTorch's max_pool)",
    ("MaxPooling2D", "nan"): "as MaxPooling1D",
    ("MaxPooling3D", "nan"): "as MaxPooling1D",
}
KERAS_INTERNAL_ERROR = {  # Keras 2 fails inside a TF op (no argument check); ours computes the
    # shape its sibling layer gives
    ("ConvLSTM1D", "zero_batch"): "tf_keras 2.21 fails in TF's BiasAdd on an empty batch "
                                  "(ConvLSTM2D computes the (0, ...) output): ours computes it "
                                  "as ConvLSTM2D does",
    ("ConvLSTM3D", "zero_batch"): "as ConvLSTM1D",
}
PASSES_TEXT = {  # Keras 2 refuses text, ours returns it unchanged: harmless
    "ActivityRegularization": "an identity on its input; with l1 = l2 = 0 (the defaults) it "
                              "never reads the values (with a penalty, the op refuses text)",
}


def _exported_layer_classes():
    mods = [L, L.experimental]
    out = {}
    for m in mods:
        for n in dir(m):
            c = getattr(m, n)
            if inspect.isclass(c) and issubclass(c, L.Layer):
                out[c.__name__] = c
    return out


def test_every_exported_layer_class_has_a_recipe():
    classes = _exported_layer_classes()
    missing = sorted(set(classes) - set(R.RECIPES) - set(R.NOT_CALLED))
    assert not missing, f"layer classes without a recipe in tests/layer_recipes.py: {missing}"
    stale = sorted(set(R.RECIPES) - set(classes))
    assert not stale, f"recipes for classes the API no longer exports: {stale}"
    assert set(KERAS["probes"]) == set(R.RECIPES), \
        "regenerate tests/data/keras_layer_robustness.json (tools/gen_layer_robustness_refs.py)"


def _cases():
    for name in sorted(R.RECIPES):
        for probe in R.PROBES:
            if KERAS["probes"][name][probe] is not None:
                yield pytest.param(name, probe, id=f"{name}-{probe}")


def _first_shape(xs):
    return _shape_str(tuple(xs[0].shape))


def _call(layer, name, xs):
    """(output or None, exception or None, seconds); NumPy warnings are errors (a ComplexWarning
    is a silently wrong answer)."""
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            return R.call_layer(layer, name, xs), None, time.perf_counter() - t
        except Exception as e:  # noqa: BLE001 -- the test judges it
            return None, e, time.perf_counter() - t


def _assert_refused(e, layer, xs, what):
    assert e is not None, f"{what}: computed where it must refuse"
    assert isinstance(e, (ValueError, TypeError)), f"{what}: {type(e).__name__}: {e}"
    msg = str(e)
    assert layer.name in msg or type(layer).__name__ in msg, \
        f"{what}: the message does not name the layer: {msg}"
    assert _first_shape(xs) in msg, \
        f"{what}: the message does not give the input shape {_first_shape(xs)}: {msg}"


@pytest.mark.parametrize("name,probe", list(_cases()))
def test_layer_probe_matches_keras(name, probe):
    ref = KERAS["probes"][name][probe]
    recipe = R.RECIPES[name]
    xs = R.make_inputs(name, probe, np)
    layer = R.make_layer(L, name)
    if probe == "last_dim":  # built on the valid input first
        y, e, _ = _call(layer, name, R.make_inputs(name, "valid", np))
        assert e is None, f"the valid input failed: {e}"
    y, e, secs = _call(layer, name, xs)
    assert secs < 5, f"{name} {probe}: {secs:.1f} s"
    what = f"{name} ({probe}, input {[_shape_str(x.shape) for x in xs]} {xs[0].dtype})"
    text = probe == "str" or (probe == "object" and recipe.get("dtype") == "str")
    if text and name in PASSES_TEXT and e is None:
        assert [np.shape(y)] == [tuple(xs[0].shape)], what
        return
    if (name, probe) in KERAS_INTERNAL_ERROR:
        assert e is None and ref["error"] == "InvalidArgumentError", what
        assert [np.shape(t)[0] for t in (y if isinstance(y, (list, tuple)) else [y])] == [0], what
        return
    if probe == "complex" or not ref["ok"] or (name, probe) in STRICTER or (
            text and e is not None and not recipe.get("text_ok")):
        # complex: always refused (a float32 cast would drop the imaginary part); text into a
        # numeric layer: refused, or passed through where Keras 2 passes it (Dropout, Layer)
        _assert_refused(e, layer, xs, what)
        return
    assert e is None, f"{what}: Keras 2 gives {ref['shape']}, ours raised {type(e).__name__}: {e}"
    ys = y if isinstance(y, (list, tuple)) else [y]
    arrs = [np.asarray(t.numpy() if hasattr(t, "numpy") else t) for t in ys]
    if recipe.get("random"):
        assert [a.ndim for a in arrs] == [len(s) for s in ref["shape"]], what
        return
    assert [list(a.shape) for a in arrs] == ref["shape"], what
    if probe == "nan":
        has_nan = any(a.dtype.kind == "f" and np.isnan(a).any() for a in arrs)
        assert has_nan == (ref["nan"] != ((name, probe) in NAN_DIFFERS)), what


def _bad_cases():
    for name in sorted(R.RECIPES):
        for bad in sorted(R.RECIPES[name].get("bad", {})):
            yield pytest.param(name, bad, id=f"{name}-{bad}")


@pytest.mark.parametrize("name,bad", list(_bad_cases()))
def test_absurd_constructor_argument(name, bad, monkeypatch):
    """Refused (at construction, or at the first call with the layer's name and the input's
    shape) without trying the allocation; computing is allowed only where Keras 2 computes the
    same shape (a transposed convolution's kernel may exceed its input). The output limit is
    fixed at 8 GiB, so the refusal does not depend on the machine's memory (a 128 GiB GPU host
    computed UpSampling1D(10**9)'s 48 GB)."""
    monkeypatch.setenv("TENSORFORGE_MAX_OUTPUT_BYTES", str(8 << 30))
    ref = KERAS["bad"][name][bad]
    args = R.RECIPES[name]["bad"][bad]
    t = time.perf_counter()
    try:
        layer = R.make_layer(L, name, args)
    except (ValueError, TypeError) as e:  # refused at once: the message names the class
        assert name in str(e) or ("activation" in args and "activation" in str(e)), str(e)
        return
    xs = R.make_inputs(name, "valid", np)
    y, e, _ = _call(layer, name, xs)
    secs = time.perf_counter() - t
    assert secs < 5, f"{name}({args}): {secs:.1f} s"
    what = f"{name}({args})"
    if e is not None or not ref["ok"]:
        _assert_refused(e, layer, xs, what)
        return
    ys = y if isinstance(y, (list, tuple)) else [y]
    assert [list(np.shape(t)) for t in ys] == ref["shape"], what


# The symbolic path (building a functional graph): where Keras 2 refuses an input of the wrong
# rank or last axis, calling the layer on such an Input() refuses it too, with the layer's name,
# instead of recording a wrong output shape that only fails (or broadcasts) when the graph runs.
SYMBOLIC_GAPS = {}  # (layer, probe) -> why the graph records a shape Keras 2 refuses (none now)


def _symbolic_cases():
    for name in sorted(R.RECIPES):
        for probe in ("rank_plus", "rank_minus", "last_dim"):
            if KERAS["probes"][name][probe] is not None:
                yield pytest.param(name, probe, id=f"{name}-{probe}")


def _inputs_like(name, probe):
    import tensorforge.keras as keras
    dt = R.RECIPES[name].get("dtype", "float32")
    return [keras.Input(a.shape[1:], dtype="string" if dt == "str" else dt)
            for a in R.make_inputs(name, probe, np)]


@pytest.mark.parametrize("name,probe", list(_symbolic_cases()))
def test_symbolic_call_matches_keras(name, probe):
    ref = KERAS["probes"][name][probe]
    layer = R.make_layer(L, name)
    if probe == "last_dim":
        R.call_layer(layer, name, _inputs_like(name, "valid"))
    ins = _inputs_like(name, probe)
    try:
        y, e = R.call_layer(layer, name, ins), None
    except Exception as err:  # noqa: BLE001 -- judged below
        y, e = None, err
    what = f"{name} ({probe}, Input shapes {[_shape_str(t.shape) for t in ins]})"
    if (name, probe) in SYMBOLIC_GAPS:
        assert e is None, f"{what}: now refused; move it out of SYMBOLIC_GAPS"
        return
    if not ref["ok"] or (name, probe) in STRICTER:
        assert isinstance(e, (ValueError, TypeError)), f"{what}: {e!r}"
        assert layer.name in str(e) or name in str(e), f"{what}: {e}"
        return
    assert e is None, f"{what}: Keras 2 gives {ref['shape']}, ours raised {e!r}"
    if not R.RECIPES[name].get("random"):
        ys = y if isinstance(y, (list, tuple)) else [y]
        assert [list(t.shape[1:]) for t in ys] == [s[1:] for s in ref["shape"]], what
