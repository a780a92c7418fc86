"""Image preprocessing and augmentation layers (layers/preprocessing_image.py, image_ops.py) and
image_dataset_from_directory (utils/image_dataset.py): the transform / resize arithmetic and the
directory split against tf_keras 2 (tests/data/image_preprocessing_refs.*, from
tools/gen_image_preprocessing_refs.py), deterministic properties of the random layers, the
training / inference rule, models that train and save with them, and argument errors."""
import json
import os
import sys

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import image_ops, keras, layers
from tensorforge.layers.experimental import preprocessing as exp_pre

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from gen_image_preprocessing_refs import CASES, RESIZES, write_tree  # noqa: E402

_DIR = os.path.join(os.path.dirname(__file__), "data")
R = np.load(os.path.join(_DIR, "image_preprocessing_refs.npz"))
with open(os.path.join(_DIR, "image_preprocessing_refs.json")) as _f:
    J = json.load(_f)
X = R["image"]  # (2, 7, 9, 3) float32 in [0, 255)


def _np(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


# ---- the shared arithmetic against tf_keras -----------------------------------------------------

@pytest.mark.parametrize("case", sorted(CASES))
def test_transform_matches_tf_keras(case):
    kind, params, fill_mode, interp, fill_value = CASES[case]
    h, w = X.shape[1:3]
    m = {"rotation": lambda: image_ops.rotation_matrix(params, h, w),
         "zoom": lambda: image_ops.zoom_matrix(params, h, w),
         "translation": lambda: image_ops.translation_matrix(params)}[kind]()
    np.testing.assert_allclose(m, R[case + "_matrix"], rtol=1e-5, atol=1e-5)
    got = image_ops.transform(X, R[case + "_matrix"], fill_mode, fill_value, interp)
    assert got.dtype == np.float32 and got.shape == X.shape
    np.testing.assert_allclose(got, R[case], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("case", sorted(RESIZES))
def test_resizing_matches_tf_keras(case):
    h, w, interp, crop = RESIZES[case]
    layer = layers.Resizing(h, w, interpolation=interp, crop_to_aspect_ratio=crop)
    got = _np(layer(X))
    assert got.shape == (2, h, w, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got, R["resize_" + case], rtol=1e-5, atol=1e-3)
    assert layer.compute_output_shape((None, 7, 9, 3)) == (None, h, w, 3)


def test_crops_rescaling_and_contrast_match_tf_keras():
    np.testing.assert_array_equal(_np(layers.CenterCrop(5, 4)(X)), R["center_crop_5_4"])
    np.testing.assert_allclose(_np(layers.CenterCrop(8, 12)(X)), R["center_crop_up_8_12"],
                               rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(_np(layers.RandomCrop(4, 8)(X, training=False)),
                               R["random_crop_infer_4_8"], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(_np(layers.Rescaling(1 / 127.5, offset=-1)(X)),
                               R["rescaling_offset"], rtol=1e-6, atol=1e-6)
    for c in (1.5, 0.3):
        got = np.clip(image_ops.adjust_contrast(X, c), 0, 255)
        np.testing.assert_allclose(got, R[f"contrast_{c}"], rtol=1e-5, atol=1e-3)


# ---- deterministic properties of the random layers ----------------------------------------------

def test_random_flip_modes_are_exact_flips():
    x = np.arange(4 * 5 * 6 * 2, dtype=np.float32).reshape(4, 5, 6, 2)
    out = _np(layers.RandomFlip("horizontal", seed=3)(x, training=True))
    for o, a in zip(out, x):  # each image is itself or its left-right mirror
        assert np.array_equal(o, a) or np.array_equal(o, a[:, ::-1])
    out = _np(layers.RandomFlip("vertical", seed=3)(x, training=True))
    for o, a in zip(out, x):
        assert np.array_equal(o, a) or np.array_equal(o, a[::-1])
    big = np.repeat(x[:1], 64, axis=0)
    out = _np(layers.RandomFlip("horizontal", seed=0)(big, training=True))
    flipped = np.array([np.array_equal(o, big[0, :, ::-1]) for o in out])
    assert 10 < flipped.sum() < 54  # per-image coin flips, not one for the batch
    assert np.array_equal(out[flipped], big[flipped][:, :, ::-1])
    out = _np(layers.RandomFlip(seed=1)(big, training=True))
    kinds = {next(k for k, f in enumerate((lambda a: a, lambda a: a[:, ::-1],
                                           lambda a: a[::-1], lambda a: a[::-1, ::-1]))
                  if np.array_equal(o, f(big[0]))) for o in out}
    assert kinds == {0, 1, 2, 3}


def test_random_rotation_quarter_turn_is_rot90():
    x = np.random.RandomState(0).uniform(0, 1, size=(3, 8, 8, 2)).astype(np.float32)
    out = _np(layers.RandomRotation((0.25, 0.25))(x, training=True))
    np.testing.assert_allclose(out, np.rot90(x, k=1, axes=(1, 2)), atol=1e-4)
    out = _np(layers.RandomRotation((-0.5, -0.5), interpolation="nearest")(x, training=True))
    np.testing.assert_allclose(out, np.rot90(x, k=2, axes=(1, 2)), atol=1e-6)


def test_random_translation_and_zoom_by_whole_pixels():
    x = np.random.RandomState(1).uniform(0, 1, size=(2, 6, 10, 1)).astype(np.float32)
    # width_factor 0.2 of 10 pixels: a shift right by exactly 2, the left columns filled
    out = _np(layers.RandomTranslation(0, (0.2, 0.2), fill_mode="constant", fill_value=-1.0)(
        x, training=True))
    np.testing.assert_allclose(out[:, :, 2:], x[:, :, :-2], atol=1e-6)
    assert np.all(out[:, :, :2] == -1)
    # zoom factor 0 (a zoom of 1) is the identity; RandomZoom keeps the aspect ratio
    np.testing.assert_allclose(_np(layers.RandomZoom(0.0)(x, training=True)), x, atol=1e-6)


def test_contrast_brightness_height_width_crop_ranges():
    x = np.random.RandomState(2).uniform(0, 255, size=(5, 12, 10, 3)).astype(np.float32)
    c = _np(layers.RandomContrast(0.5, seed=0)(x, training=True))
    assert c.min() >= 0 and c.max() <= 255
    mean = x.mean(axis=(1, 2), keepdims=True)
    usable = (np.abs(x - mean) > 20) & (c > 0) & (c < 255)  # away from the mean, not clipped
    ratio = ((c - mean) / (x - mean))[usable]
    assert np.ptp(ratio) < 1e-3  # one contrast factor for the whole call
    assert 0.5 - 1e-4 <= ratio[0] <= 1.5 + 1e-4
    b = _np(layers.RandomBrightness((0.1, 0.1))(x, training=True))  # + 0.1 * 255, clipped
    np.testing.assert_allclose(b, np.clip(x + 25.5, 0, 255), atol=1e-4)
    b = _np(layers.RandomBrightness(0.5, value_range=(0, 1))(x / 255, training=True))
    assert b.min() >= 0 and b.max() <= 1
    hgt = _np(layers.RandomHeight((0.5, 0.5))(x, training=True))
    assert hgt.shape == (5, 18, 10, 3)
    wid = _np(layers.RandomWidth((-0.5, -0.5), interpolation="nearest")(x, training=True))
    assert wid.shape == (5, 12, 5, 3)
    np.testing.assert_array_equal(wid, x[:, :, 1::2])  # nearest, half-pixel centres
    crop = _np(layers.RandomCrop(7, 4, seed=5)(x, training=True))
    assert crop.shape == (5, 7, 4, 3)
    hits = [(i, j) for i in range(6) for j in range(7)
            if np.array_equal(crop, x[:, i:i + 7, j:j + 4])]
    assert len(hits) == 1  # one window of the input, the same for the whole batch


def test_unbatched_image_and_integer_input():
    img = np.arange(6 * 6 * 3, dtype=np.uint8).reshape(6, 6, 3)
    out = _np(layers.RandomRotation((0.25, 0.25))(img, training=True))
    assert out.shape == (6, 6, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, np.rot90(img.astype(np.float32)), atol=1e-3)
    assert _np(layers.Resizing(3, 4)(img)).shape == (3, 4, 3)


# ---- when they augment ---------------------------------------------------------------------------

AUGMENTERS = [lambda: layers.RandomFlip(), lambda: layers.RandomRotation(0.2),
              lambda: layers.RandomZoom(0.3), lambda: layers.RandomTranslation(0.2, 0.2),
              lambda: layers.RandomContrast(0.5), lambda: layers.RandomBrightness(0.3),
              lambda: layers.RandomHeight(0.3), lambda: layers.RandomWidth(0.3)]


@pytest.mark.parametrize("make", AUGMENTERS)
def test_identity_at_inference_and_active_in_training(make):
    x = np.random.RandomState(3).uniform(0, 255, size=(8, 9, 11, 3)).astype(np.float32)
    layer = make()
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    tf.utils.set_random_seed(0)
    changed = [_np(layer(x, training=True)) for _ in range(3)]
    assert any(c.shape != x.shape or not np.allclose(c, x) for c in changed)
    model = keras.Sequential([keras.Input((9, 11, 3)), layer])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_training_left_unset_augments_as_keras():
    """Keras 2: a random layer's call defaults to training=True, so a bare call (e.g. in
    dataset.map) augments; predict / evaluate and training=False do not."""
    x = np.random.RandomState(4).uniform(0, 1, size=(16, 6, 6, 1)).astype(np.float32)
    aug = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.2)])
    assert not np.allclose(_np(aug(x)), x)
    np.testing.assert_array_equal(_np(aug(x, training=False)), x)
    np.testing.assert_array_equal(aug.predict(x, verbose=0), x)
    ds = tf.data.Dataset.from_tensor_slices((x, np.zeros(16))).batch(8).map(
        lambda a, b: (aug(a, training=True), b))
    xb, _ = next(iter(ds))
    assert xb.shape == (8, 6, 6, 1) and not np.allclose(_np(xb), x[:8])
    # an ordinary layer still defaults to inference outside fit
    d = layers.Dropout(0.5)
    np.testing.assert_array_equal(_np(d(x)), x)


def test_model_trains_with_augmentation_and_sees_augmented_inputs():
    seen = []

    class Spy(layers.Layer):
        def call(self, inputs, training=None):
            seen.append((bool(training), inputs.numpy().copy()))
            return inputs

    rng = np.random.RandomState(5)
    x = rng.uniform(0, 255, size=(32, 8, 8, 3)).astype(np.float32)
    y = (x[:, :, :, 0].mean(axis=(1, 2)) > 127).astype(np.float32)
    inp = keras.Input((8, 8, 3))
    h = keras.Sequential([layers.RandomFlip(), layers.RandomRotation(0.1)])(inp)
    h = Spy()(layers.Rescaling(1 / 255.0)(h))
    h = layers.Conv2D(4, 3, activation="relu")(h)
    out = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling2D()(h))
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    w0 = [w.copy() for w in model.get_weights()]
    hist = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    assert len(hist.history["loss"]) == 2 and np.isfinite(hist.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(w0, model.get_weights()))
    train_inputs = [a for t, a in seen if t]
    assert train_inputs and not np.allclose(train_inputs[0], x / 255.0, atol=1e-6)
    seen.clear()
    model.evaluate(x, y, verbose=0)
    assert seen and all(not t for t, _ in seen)
    np.testing.assert_allclose(seen[0][1], x / 255.0, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("suffix", ["tfm", "h5"])
def test_config_round_trip_and_save_load(tmp_path, suffix):
    if suffix == "h5":
        pytest.importorskip("h5py")
    made = [layers.Resizing(6, 6, interpolation="nearest", crop_to_aspect_ratio=True),
            layers.CenterCrop(5, 5), layers.RandomFlip("vertical", seed=1),
            layers.RandomRotation((-0.1, 0.2), fill_mode="constant", fill_value=3.0),
            layers.RandomZoom(0.1, (-0.2, 0.1), fill_mode="wrap", interpolation="nearest"),
            layers.RandomTranslation(0.1, 0.05, fill_mode="nearest"),
            layers.RandomContrast((0.1, 0.3)), layers.RandomBrightness(0.2, (0, 1)),
            layers.RandomCrop(4, 4), layers.Rescaling(2.0, offset=-1.0)]
    for lay in made:
        cfg = lay.get_config()
        again = type(lay).from_config(cfg)
        assert again.get_config() == cfg
    model = keras.Sequential([keras.Input((7, 7, 3))] + made + [layers.Flatten(),
                                                                 layers.Dense(2)])
    assert model.output_shape == (None, 2)
    x = np.random.RandomState(6).uniform(0, 1, size=(3, 7, 7, 3)).astype(np.float32)
    path = str(tmp_path / f"m.{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(a).__name__ for a in loaded.layers] == [type(a).__name__ for a in model.layers]
    assert loaded.layers[3].get_config()["fill_value"] == 3.0
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_loads_a_tf_keras_model_file_with_every_image_layer():
    pytest.importorskip("h5py")
    d = os.path.join(_DIR, "keras_h5")
    model = keras.models.load_model(os.path.join(d, "augment_layers.h5"))
    ref = np.load(os.path.join(d, "augment_layers.npz"))
    assert [type(a).__name__ for a in model.layers[:3]] == ["RandomFlip", "RandomRotation",
                                                            "RandomZoom"]
    assert model.layers[0].seed == 1 and model.layers[1].fill_mode == "constant"
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y"], rtol=1e-5,
                               atol=1e-5)


def test_keras_import_paths():
    for name in ("Resizing", "CenterCrop", "Rescaling", "RandomFlip", "RandomRotation",
                 "RandomZoom", "RandomTranslation", "RandomContrast", "RandomCrop",
                 "RandomHeight", "RandomWidth"):
        assert getattr(exp_pre, name) is getattr(layers, name)
    assert layers.RandomBrightness is not None
    assert keras.preprocessing.image_dataset_from_directory is \
        keras.utils.image_dataset_from_directory
    assert keras.utils.load_img is keras.preprocessing.image.load_img
    assert keras.preprocessing.image.smart_resize is image_ops.smart_resize
    assert tf.compat.as_bytes("JFIF") == b"JFIF" and tf.compat.as_text(b"ab") == "ab"


def test_tf_nn_softmax_of_one_prediction_row():
    """The tutorials' ``tf.nn.softmax(model.predict(img)[0])``: a rank-1 vector of logits."""
    s = _np(tf.nn.softmax(np.array([1.0, 2.0, 3.0], np.float32)))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s, e / e.sum(), rtol=1e-6)


def test_symbolic_output_shapes():
    inp = keras.Input((10, 12, 3))
    assert layers.RandomHeight(0.2)(inp).shape[1:] == (None, 12, 3)
    assert layers.RandomWidth(0.2)(inp).shape[1:] == (10, None, 3)
    assert layers.RandomCrop(4, 5)(inp).shape[1:] == (4, 5, 3)
    assert layers.RandomZoom(0.2)(inp).shape[1:] == (10, 12, 3)


# ---- bad arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.RandomFlip("diagonal"), "RandomFlip: unknown mode"),
    (lambda: layers.RandomRotation((0.3, 0.1)), "RandomRotation: factor cannot have an upper"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "RandomRotation: unknown fill_mode"),
    (lambda: layers.RandomRotation(0.1, interpolation="cubic"),
     "RandomRotation: unknown interpolation"),
    (lambda: layers.RandomZoom(1.5), "RandomZoom: height_factor must have values between"),
    (lambda: layers.RandomZoom(0.1, (-1.5, 0.1)),
     "RandomZoom: width_factor must have values larger"),
    (lambda: layers.RandomTranslation(0.1, 2.0), "RandomTranslation: width_factor must"),
    (lambda: layers.RandomContrast(-0.1), "RandomContrast: factor cannot have negative"),
    (lambda: layers.RandomBrightness(1.5), r"RandomBrightness: factor must be in the range"),
    (lambda: layers.RandomBrightness(0.1, value_range=5), "RandomBrightness: value_range"),
    (lambda: layers.RandomHeight((-2.0, 0.5)), "RandomHeight: factor must have values larger"),
    (lambda: layers.RandomWidth("wide"), "RandomWidth: factor must be a finite number"),
    (lambda: layers.RandomCrop(0, 4), "RandomCrop: height must be a positive integer"),
    (lambda: layers.CenterCrop(4, 2.5), "CenterCrop: width must be a positive integer"),
    (lambda: layers.Resizing(4, 4, interpolation="lanczos9"), "Resizing: interpolation"),
    (lambda: layers.RandomFlip(seed="x"), "RandomFlip: seed must be an integer"),
])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_input_rank_names_the_layer_and_shape():
    # Keras 2's input-spec wording: the layer's name, the rank it takes, the shape received
    with pytest.raises(ValueError, match=r'layer "random_flip\w*" is incompatible with the layer: '
                                         r"expected min_ndim=3, found ndim=2. Full shape "
                                         r"received: \(4, 5\)"):
        layers.RandomFlip()(np.zeros((4, 5), np.float32), training=True)
    with pytest.raises(ValueError, match=r'layer "resizing\w*" .*\(2, 3, 4, 5, 1\)'):
        layers.Resizing(2, 2)(np.zeros((2, 3, 4, 5, 1), np.float32))


# ---- image_dataset_from_directory ------------------------------------------------------------

@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    pytest.importorskip("PIL")
    root = str(tmp_path_factory.mktemp("images"))
    write_tree(root)
    return root


def _rel(root, paths):
    return [os.path.relpath(p, root) for p in paths]


def test_image_dataset_split_matches_keras(tree, capsys):
    tr, va = keras.utils.image_dataset_from_directory(
        tree, validation_split=0.25, subset="both", seed=7, image_size=(6, 5), batch_size=4)
    out = capsys.readouterr().out
    assert "Found 17 files belonging to 3 classes." in out
    assert "Using 13 files for training." in out and "Using 4 files for validation." in out
    assert tr.class_names == va.class_names == J["class_names"]
    assert _rel(tree, tr.file_paths) == J["train_files"]
    assert _rel(tree, va.file_paths) == J["val_files"]
    batches = list(tr)
    assert [b[0].shape for b in batches] == [(4, 6, 5, 3)] * 3 + [(1, 6, 5, 3)]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int32
    labels = np.concatenate([_np(b[1]) for b in batches])
    want = [J["class_names"].index(p.split(os.sep)[0]) for p in J["train_files"]]
    assert sorted(labels.tolist()) == sorted(want)
    only_val = tf.keras.preprocessing.image_dataset_from_directory(
        tree, validation_split=0.25, subset="validation", seed=7, image_size=(6, 5))
    assert _rel(tree, only_val.file_paths) == J["val_files"]


def test_image_dataset_pixels_match_keras(tree):
    ds = keras.utils.image_dataset_from_directory(tree, shuffle=False, image_size=(6, 5),
                                                  batch_size=100, label_mode="categorical")
    assert _rel(tree, ds.file_paths) == J["ordered_files"]
    x, y = next(iter(ds))
    np.testing.assert_allclose(_np(x), R["dir_images_6x5"], rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(_np(y), R["dir_labels_categorical"])
    gray = keras.utils.image_dataset_from_directory(
        os.path.join(tree, "cats"), labels=None, shuffle=False, image_size=(4, 4),
        batch_size=100, crop_to_aspect_ratio=True, color_mode="grayscale")
    g = _np(next(iter(gray)))
    assert g.shape == (7, 4, 4, 1)
    # Pillow's RGB -> L weights round one grey level apart from TensorFlow's PNG decoder
    np.testing.assert_allclose(g, R["dir_images_gray_crop_4x4"], atol=1.01)


def test_image_dataset_labels_modes_and_training(tree):
    ds = keras.utils.image_dataset_from_directory(
        os.path.join(tree), class_names=["owls", "dogs", "cats"], shuffle=False,
        image_size=(8, 8), batch_size=None, color_mode="rgba")
    elems = list(ds)
    assert len(elems) == 17 and elems[0][0].shape == (8, 8, 4)
    assert _np(elems[0][1]) == 2  # cats is class 2 in the given order
    two = os.path.join(tree, "two")
    if not os.path.isdir(two):
        os.makedirs(two)
        for c in ("cats", "dogs"):
            os.symlink(os.path.join(tree, c), os.path.join(two, c))
    binary = keras.utils.image_dataset_from_directory(two, label_mode="binary", seed=1,
                                                      image_size=(8, 8), batch_size=4,
                                                      follow_links=True)
    xb, yb = next(iter(binary))
    assert yb.shape == (4, 1) and yb.dtype == np.float32
    model = keras.Sequential([keras.Input((8, 8, 3)), layers.RandomFlip("horizontal"),
                              layers.Rescaling(1 / 255.0), layers.Flatten(),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(binary, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


def test_image_dataset_errors(tree, tmp_path):
    f = keras.utils.image_dataset_from_directory
    with pytest.raises(ValueError, match="image_dataset_from_directory: give a seed"):
        f(tree, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="subset must be 'training', 'validation' or 'both'"):
        f(tree, validation_split=0.2, subset="test", seed=1)
    with pytest.raises(ValueError, match="validation_split must be set"):
        f(tree, subset="training", seed=1)
    with pytest.raises(ValueError, match="color_mode must be one of"):
        f(tree, color_mode="cmyk")
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes"):
        f(tree, label_mode="binary")
    with pytest.raises(ValueError, match="does not exist"):
        f(str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="class_names .* do not match"):
        f(tree, class_names=["cats", "dogs"])
    with pytest.raises(ValueError, match="image_size must be a pair"):
        f(tree, image_size=(0, 4))
    empty = tmp_path / "empty" / "a"
    empty.mkdir(parents=True)
    with pytest.raises(ValueError, match="no images found"):
        f(str(tmp_path / "empty"))
    bad = tmp_path / "bad" / "a"
    bad.mkdir(parents=True)
    (bad / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    ds = f(str(tmp_path / "bad"), image_size=(4, 4))
    with pytest.raises(ValueError, match="cannot decode the image file .*broken.jpg"):
        next(iter(ds))


def test_image_dataset_without_pillow_names_the_extra(tree, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import Image` now fails
    with pytest.raises(ImportError, match=r"pip install tensorforge\[image\]"):
        keras.utils.image_dataset_from_directory(tree, image_size=(4, 4))
