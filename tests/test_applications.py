"""keras.applications against Keras 2 (tf_keras 2.21): figures from
tools/keras_applications_refs.py in tests/data/applications_refs.json / .npz and the small
applications_*.h5 weight files it saved with tf_keras's save_weights.

  - structure: layer names (automatic ones included), classes and output shapes, the model's
    name, output shape and parameter counts, for configurations with and without the top,
    pooling avg / max, classes=10, inputs from 32x32 to 224x224 and (None, None, 3);
  - values: tf_keras's weights loaded through our HDF5 reader (by layer order for a whole
    model, by name for the first layers of a bigger one), the inference output compared;
  - weights='imagenet' reads the Keras 2 file name from ~/.keras/models ($KERAS_HOME here), or
    raises FileNotFoundError naming the file, the place and the URL;
  - preprocess_input in each mode (NumPy 4-D, 3-D, channels_first, int, symbolic) and
    decode_predictions;
  - bad arguments raise ValueError naming the argument.
"""
import json
import os
import shutil

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import applications
from tensorforge.applications import imagenet_utils

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
with open(os.path.join(DATA, "applications_refs.json")) as _f:
    REFS = json.load(_f)
ARR = np.load(os.path.join(DATA, "applications_refs.npz"))


def build(module, fn, kwargs, **more):
    tf.backend.clear_session()
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(getattr(applications, module), fn)(**dict(kwargs, **more))


def _shape(s):
    return [None if d is None else int(d) for d in s]


# op layers (``x + 3.0`` on a symbolic tensor; no weights) are tf_keras' TFOpLambda layers in
# both, named after the op ('tf.__operators__.add_3'): compared as they are


@pytest.mark.parametrize("key", sorted(REFS["structure"]))
def test_structure_matches_keras2(key):
    ref = dict(REFS["structure"][key])
    m = build(ref["module"], ref["fn"], ref["kwargs"], weights=None)
    ours = [[l.name, type(l).__name__, _shape(l.output_shape)] for l in m.layers]
    assert [r[0] for r in ours] == [r[0] for r in ref["layers"]], "layer names / order"
    assert ours == ref["layers"]
    assert m.name == ref["name"]
    assert _shape(m.output_shape) == ref["output_shape"]
    assert m.count_params() == ref["count_params"]
    assert sum(int(np.prod(w.shape)) for w in m.trainable_weights) == ref["trainable"]


def _truncated(m, upto):
    return m if upto is None else tf.Model(m.input, m.get_layer(upto).output)


@pytest.mark.parametrize("key", sorted(REFS["values"]))
def test_keras2_weights_load_and_outputs_match(key):
    ref = REFS["values"][key]
    path = os.path.join(DATA, ref["file"])
    assert os.path.getsize(path) == ref["bytes"] < 1_200_000
    if ref["upto"] is None:  # a whole model's file: Keras 2's own load, by layer order
        m = build(ref["module"], ref["fn"], ref["kwargs"], weights=path)
    else:  # the first layers: by name into the whole model
        m = build(ref["module"], ref["fn"], ref["kwargs"], weights=None)
        m.load_weights(path, by_name=True)
    sub = _truncated(m, ref["upto"])
    assert sub.count_params() == ref["params"]
    y = sub.predict(ARR[f"{key}_x"], verbose=0)
    want = ARR[f"{key}_y"]
    assert y.shape == want.shape
    scale = np.abs(want).max()
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=2e-5 * scale)


def test_weights_loaded_change_the_output():
    """The value check is not vacuous: random weights give another output."""
    ref = REFS["values"]["mobilenet_a025_notop_32"]
    m = build(ref["module"], ref["fn"], ref["kwargs"], weights=None)
    y = m.predict(ARR["mobilenet_a025_notop_32_x"], verbose=0)
    assert not np.allclose(y, ARR["mobilenet_a025_notop_32_y"], rtol=1e-2, atol=1e-3)


def test_imagenet_weights_read_from_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    kwargs = dict(alpha=0.25, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    with pytest.raises(FileNotFoundError) as e:
        with pytest.warns(UserWarning, match="224"):
            build("mobilenet", "MobileNet", kwargs, weights="imagenet")
    msg = str(e.value)
    assert "mobilenet_2_5_224_tf_no_top.h5" in msg and str(tmp_path / "models") in msg
    assert "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/" in msg
    (tmp_path / "models").mkdir()
    shutil.copy(os.path.join(DATA, "applications_mobilenet_a025_notop_32.h5"),
                tmp_path / "models" / "mobilenet_2_5_224_tf_no_top.h5")
    with pytest.warns(UserWarning, match="224"):
        m = build("mobilenet", "MobileNet", kwargs, weights="imagenet")
    assert m.name == "mobilenet_0.25_224"
    np.testing.assert_allclose(m.predict(ARR["mobilenet_a025_notop_32_x"], verbose=0),
                               ARR["mobilenet_a025_notop_32_y"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn,fname", [
    ("VGG16", "vgg16_weights_tf_dim_ordering_tf_kernels.h5"),
    ("VGG19", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("ResNet50", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("ResNet152", "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("MobileNetV2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"),
    ("DenseNet121", "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("EfficientNetB0", "efficientnetb0_notop.h5"),  # builds the ImageNet std division too
    ("MobileNetV3Small", "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    ("InceptionResNetV2", "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
])
def test_missing_imagenet_file_is_named(fn, fname, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    top = fname.endswith("_kernels.h5")  # VGG16 with its top: builds 138M weights (~5 s)
    with pytest.raises(FileNotFoundError) as e:
        getattr(applications, fn)(include_top=top, weights="imagenet",
                                  input_shape=None if top else
                                  (96, 96, 3) if fn == "MobileNetV2" else
                                  (75, 75, 3) if fn == "InceptionResNetV2" else
                                  (224, 224, 3) if fn == "MobileNetV3Small" else (32, 32, 3))
    assert fname in str(e.value)


@pytest.mark.parametrize("fn,kwargs,arg", [
    ("VGG16", dict(weights="imagenet", classes=10), "classes"),
    ("ResNet50", dict(weights="imagenet", classes=10), "classes"),
    ("MobileNetV2", dict(weights="imagenet", classes=10), "classes"),
    ("DenseNet121", dict(weights=None, include_top=False, input_shape=(31, 32, 3)), "Input size"),
    ("MobileNet", dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "Input size"),
    ("VGG19", dict(weights=None, include_top=False, pooling="mean"), "pooling"),
    ("ResNet101", dict(weights="no/such/file.h5"), "weights"),
    ("ResNet50", dict(weights=None, input_shape=(32, 32)), "input_shape"),
    ("MobileNet", dict(weights="imagenet", alpha=0.3), "alpha"),
    ("MobileNet", dict(weights="imagenet", depth_multiplier=2), "depth multiplier"),
    ("MobileNetV2", dict(weights="imagenet", alpha=0.6), "alpha"),
    ("VGG16", dict(weights=None, include_top=True, input_shape=(None, None, 3)), "input_shape"),
    ("ResNet50", dict(weights="imagenet", input_shape=(200, 200, 3)), "input_shape"),
    ("DenseNet169", dict(weights="imagenet", classifier_activation="relu"),
     "classifier_activation"),
])
def test_bad_arguments_raise_value_error(fn, kwargs, arg, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    tf.backend.clear_session()
    with pytest.raises(ValueError, match=arg):
        getattr(applications, fn)(**kwargs)


def test_input_tensor_is_used_and_model_inputs_are_its_source():
    tf.backend.clear_session()
    inp = tf.keras.Input((32, 32, 3))
    x = tf.keras.layers.Rescaling(1 / 255.0)(inp)
    m = applications.ResNet50(include_top=False, weights=None, input_tensor=x, pooling="avg")
    assert m.inputs[0] is inp and m.output_shape == (None, 2048)
    assert m.layers[1].name == "rescaling" and m.layers[2].name == "conv1_pad"
    y = m.predict(np.zeros((1, 32, 32, 3), np.float32), verbose=0)
    assert y.shape == (1, 2048)


def test_saved_application_loads_back(tmp_path):
    """An application saved whole (.h5: config and weights) rebuilds with the same output
    (ReLU(6), DepthwiseConv2D, ZeroPadding2D, Add, Rescaling, Normalization, swish)."""
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype(np.float32)
    for fn, kw in (("MobileNetV2", dict(alpha=0.35)), ("EfficientNetB0", {})):
        m = build(fn.lower().replace("netv2", "net_v2").replace("b0", ""), fn,
                  dict(kw, include_top=False, input_shape=(32, 32, 3), pooling="avg"),
                  weights=None)
        m.save(tmp_path / f"{fn}.h5")
        # custom_objects: until keras.activations knows 'swish' (the keras13 lane adds it)
        m2 = tf.keras.models.load_model(tmp_path / f"{fn}.h5", custom_objects={
            "swish": applications.efficientnet.swish})
        assert [l.name for l in m2.layers] == [l.name for l in m.layers]
        np.testing.assert_allclose(m2.predict(x, verbose=0), m.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-6)


def test_frozen_base_then_partly_unfrozen_as_keras2():
    """The transfer-learning tutorial's pattern: trainable variables with the base frozen, and
    with its layers from 100 on unfrozen, as tf_keras counts them."""
    ref = REFS["transfer"]
    tf.backend.clear_session()
    base = applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
    base.trainable = False
    inputs = tf.keras.Input(shape=(96, 96, 3))
    x = tf.keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
    assert len(model.trainable_variables) == ref["frozen"]
    base.trainable = True
    for layer in base.layers[:100]:
        layer.trainable = False
    assert len(base.layers) == ref["base_layers"]
    assert len(model.trainable_variables) == ref["unfrozen"]
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == ref["unfrozen_size"]
    assert model.count_params() == ref["count_params"]


def test_custom_scale_layer():
    """InceptionResNetV2's residual sum, x + scale * r, and its config."""
    layer = applications.inception_resnet_v2.CustomScaleLayer(0.17)
    a, b = np.ones((2, 3), np.float32), np.full((2, 3), 2.0, np.float32)
    np.testing.assert_allclose(np.asarray(layer([a, b])), a + 0.17 * b, rtol=1e-6)
    assert layer.get_config()["scale"] == 0.17


def test_keras_namespace_and_module_names():
    import tensorforge.keras.applications.resnet50 as r50
    assert tf.keras.applications.ResNet50 is applications.resnet.ResNet50 is r50.ResNet50
    for mod in ("vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "mobilenet", "mobilenet_v2",
                "mobilenet_v3", "densenet", "xception", "inception_v3", "inception_resnet_v2",
                "efficientnet", "efficientnet_v2", "nasnet", "resnet_rs",
                "imagenet_utils"):
        m = getattr(tf.keras.applications, mod)
        assert callable(m.preprocess_input) and callable(m.decode_predictions)


# ---- preprocess_input / decode_predictions -------------------------------------------------
@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_modes_match_keras2(mode):
    x = ARR["pre_x"]
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode=mode),
                               ARR[f"pre_{mode}"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x[0].copy(), mode=mode),
                               ARR[f"pre_{mode}_3d"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(
        imagenet_utils.preprocess_input(np.moveaxis(x, -1, 1).copy(), mode=mode,
                                        data_format="channels_first"),
        ARR[f"pre_{mode}_cf"], rtol=1e-6, atol=1e-5)
    tf.backend.clear_session()
    inp = tf.keras.Input((4, 5, 3))
    sym = tf.Model(inp, imagenet_utils.preprocess_input(inp, mode=mode)).predict(x, verbose=0)
    np.testing.assert_allclose(sym, ARR[f"pre_{mode}_sym"], rtol=1e-6, atol=1e-5)


def test_preprocess_input_in_place_int_and_family_modes():
    x = ARR["pre_x"].copy()
    out = imagenet_utils.preprocess_input(x, mode="tf")
    assert out is x  # a float array is changed in place, as in Keras 2
    xi = (ARR["pre_x"][0] // 1).astype(np.int32)
    got = imagenet_utils.preprocess_input(xi, mode="caffe")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ARR["pre_int"], rtol=1e-6)
    x = ARR["pre_x"]
    for module, mode in (("vgg16", "caffe"), ("vgg19", "caffe"), ("resnet", "caffe"),
                         ("resnet50", "caffe"), ("mobilenet", "tf"), ("mobilenet_v2", "tf"),
                         ("densenet", "torch"), ("resnet_v2", "tf"), ("xception", "tf"),
                         ("inception_v3", "tf"), ("inception_resnet_v2", "tf"),
                         ("nasnet", "tf")):
        np.testing.assert_allclose(getattr(applications, module).preprocess_input(x.copy()),
                                   ARR[f"pre_{mode}"], rtol=1e-6, atol=1e-5, err_msg=module)
    assert applications.efficientnet.preprocess_input(x) is x  # the model rescales itself
    assert applications.mobilenet_v3.preprocess_input(x) is x
    assert applications.efficientnet_v2.preprocess_input(x) is x
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(x.copy(), mode="bgr")
    with pytest.raises(ValueError, match="data_format"):
        imagenet_utils.preprocess_input(x.copy(), data_format="nhwc")


def test_decode_predictions(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    preds = ARR["decode_preds"]
    with pytest.raises(FileNotFoundError, match="imagenet_class_index.json"):
        applications.vgg16.decode_predictions(preds)
    (tmp_path / "models").mkdir()
    with open(tmp_path / "models" / "imagenet_class_index.json", "w") as f:
        json.dump({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}, f)
    got = applications.resnet50.decode_predictions(preds, top=3)
    assert [[(a, b) for a, b, _ in row] for row in got] == \
        [[(a, b) for a, b, _ in row] for row in REFS["decode"]]
    np.testing.assert_allclose([[c for *_, c in row] for row in got],
                               [[c for *_, c in row] for row in REFS["decode"]], rtol=1e-7)
    with pytest.raises(ValueError, match="shape"):
        imagenet_utils.decode_predictions(preds[:, :10])
