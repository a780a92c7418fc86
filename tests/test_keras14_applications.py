"""keras.applications ConvNeXt and RegNet against Keras 2 (tf_keras 2.21): figures from
tools/keras14_apps_refs.py in tests/data/keras14_apps_refs.json / .npz and the small
keras14_apps_*.h5 weight files it saved with tf_keras's save_weights.

  - structure: layer names, classes and output shapes, the model's name, output shape and
    parameter counts (ConvNeXt Tiny / Small / Base, every RegNet X / Y variant);
  - values: tf_keras's weights for the first layers loaded by name into the whole model (the
    grouped convolutions and the nested Sequential blocks included), that layer's inference
    output compared;
  - weights='imagenet' names Keras 2's file; bad arguments raise ValueError.
"""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import applications
from tensorforge.applications import convnext, regnet

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
with open(os.path.join(DATA, "keras14_apps_refs.json")) as _f:
    REFS = json.load(_f)
ARR = np.load(os.path.join(DATA, "keras14_apps_refs.npz"))


def build(module, fn, kwargs, **more):
    tf.backend.clear_session()
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(getattr(applications, module), fn)(**dict(kwargs, **more))


@pytest.mark.parametrize("key", sorted(REFS["structure"]))
def test_structure_matches_keras2(key):
    ref = dict(REFS["structure"][key])
    want = ref["layers"]  # op layers: tf_keras' TFOpLambda ('tf.__operators__.add_3') in both
    m = build(ref["module"], ref["fn"], ref["kwargs"], weights=None)
    ours = [[l.name, type(l).__name__, [None if d is None else int(d) for d in l.output_shape]]
            for l in m.layers]
    assert [r[0] for r in ours] == [r[0] for r in want], "layer names / order"
    assert ours == want
    assert m.name == ref["name"]
    assert [None if d is None else int(d) for d in m.output_shape] == ref["output_shape"]
    assert m.count_params() == ref["count_params"]
    assert sum(int(np.prod(w.shape)) for w in m.trainable_weights) == ref["trainable"]


@pytest.mark.parametrize("key", sorted(REFS["values"]))
def test_keras2_weights_load_and_outputs_match(key):
    ref = REFS["values"][key]
    path = os.path.join(DATA, ref["file"])
    assert os.path.getsize(path) == ref["bytes"] < 1_200_000
    m = build(ref["module"], ref["fn"], ref["kwargs"], weights=None)
    sub = tf.Model(m.input, m.get_layer(ref["upto"]).output)
    y0 = sub.predict(ARR[f"{key}_x"], verbose=0)
    sub.load_weights(path)
    assert sub.count_params() == ref["params"]
    y = sub.predict(ARR[f"{key}_x"], verbose=0)
    want = ARR[f"{key}_y"]
    assert y.shape == want.shape
    scale = np.abs(want).max()
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=2e-5 * scale)
    assert not np.allclose(y0, want, rtol=1e-2, atol=1e-3 * scale)  # the load mattered


def test_grouped_conv_layers_in_the_models():
    """ConvNeXt's depthwise conv is Conv2D(groups=C) with kernel (7, 7, 1, C); RegNet's 3x3
    conv has group_width channels a group."""
    m = build("convnext", "ConvNeXtTiny", dict(include_top=False, input_shape=(32, 32, 3)),
              weights=None)
    dw = m.get_layer("convnext_tiny_stage_0_block_0_depthwise_conv")
    assert dw.groups == 96 and tuple(dw.kernel.shape) == (7, 7, 1, 96)
    assert dw.get_config()["groups"] == 96
    m = build("regnet", "RegNetX002", dict(include_top=False, input_shape=(32, 32, 3)),
              weights=None)
    g = m.get_layer("regnetx002_Stage_1_XBlock_0_conv_3x3")
    assert g.groups == 56 // 8 and tuple(g.kernel.shape) == (3, 3, 8, 56)


@pytest.mark.parametrize("fn,fname", [
    (applications.ConvNeXtTiny, "convnext_tiny_notop.h5"),
    (applications.RegNetX002, "regnetx002_notop.h5"),
    (applications.RegNetY008, "regnety008_notop.h5")])
def test_imagenet_weights_name_keras2s_file(tmp_path, monkeypatch, fn, fname):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    tf.backend.clear_session()
    with pytest.raises(FileNotFoundError) as e:
        fn(include_top=False, input_shape=(32, 32, 3), weights="imagenet")
    msg = str(e.value)
    assert fname in msg and str(tmp_path / "models") in msg
    assert "https://storage.googleapis.com/tensorflow/keras-applications/" in msg


def test_bad_arguments():
    with pytest.raises(ValueError, match="weights"):
        applications.ConvNeXtTiny(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="classes"):
        applications.RegNetX002(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="pooling"):
        applications.RegNetY002(include_top=False, weights=None, pooling="mean",
                                input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="32"):
        applications.ConvNeXtTiny(include_top=False, weights=None, input_shape=(16, 16, 3))
    with pytest.raises(NotImplementedError, match="block_type"):
        regnet.RegNet((1, 1, 1, 1), (8, 8, 8, 8), 8, "Z", 224, weights=None)


def test_preprocess_and_decode():
    x = np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3)
    assert convnext.preprocess_input(x) is x and regnet.preprocess_input(x) is x
    assert callable(convnext.decode_predictions) and callable(regnet.decode_predictions)


def test_layer_scale_and_stochastic_depth():
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32)
    ls = convnext.LayerScale(0.5, 5)
    np.testing.assert_allclose(ls(x).numpy(), x * 0.5, rtol=1e-6)
    assert ls.get_config()["projection_dim"] == 5
    sd = convnext.StochasticDepth(0.5)
    np.testing.assert_array_equal(sd(x, training=False).numpy(), x)
    y = sd(np.ones((2000, 1, 1), np.float32), training=True).numpy().ravel()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    assert sd.get_config()["drop_path_rate"] == 0.5
