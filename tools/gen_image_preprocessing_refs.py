"""Generate tests/data/image_preprocessing_refs.npz (and .json): tf_keras 2's own
``transform()`` (the ImageProjectiveTransformV3 op behind RandomRotation / RandomZoom /
RandomTranslation) with fixed matrices, and ``tf.image.resize`` / ``smart_resize`` / the
deterministic layers (Resizing, CenterCrop, RandomCrop at inference, Rescaling) on a fixed
image, image_dataset_from_directory on a small tree of image files (split, order, decoded and
resized pixels), and a tf_keras model file holding every image layer
(tests/data/keras_h5/augment_layers.*): the oracle for
tests/test_preprocessing_image.py.

    /work/keras-venv/bin/python tools/gen_image_preprocessing_refs.py

The inputs (image(), CASES, RESIZES) are defined here and imported by the test.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                   "image_preprocessing_refs.npz")


def image():
    """(2, 7, 9, 3) float32: distinct values, not symmetric (so flips and rotations show)."""
    rng = np.random.RandomState(12)
    return (rng.uniform(0, 255, size=(2, 7, 9, 3))).astype(np.float32)


# name -> (matrix kind, parameters, fill_mode, interpolation, fill_value); the matrix for each
# of the 2 images is built by tf_keras's get_*_matrix from the parameters.
CASES = {
    "rot_reflect_bilinear": ("rotation", [0.3, -1.1], "reflect", "bilinear", 0.0),
    "rot_wrap_nearest": ("rotation", [2.0, -0.4], "wrap", "nearest", 0.0),
    "rot_constant_bilinear": ("rotation", [0.7, 3.0], "constant", "bilinear", 17.5),
    "rot_nearest_bilinear": ("rotation", [-0.9, 1.6], "nearest", "bilinear", 0.0),
    "zoom_reflect_bilinear": ("zoom", [[1.3, 0.7], [0.6, 1.45]], "reflect", "bilinear", 0.0),
    "zoom_wrap_bilinear": ("zoom", [[1.9, 1.2], [0.8, 2.3]], "wrap", "bilinear", 0.0),
    "zoom_constant_nearest": ("zoom", [[1.5, 1.5], [0.55, 0.75]], "constant", "nearest", -3.0),
    "trans_reflect_bilinear": ("translation", [[2.5, -3.25], [-11.0, 8.5]], "reflect",
                               "bilinear", 0.0),
    "trans_wrap_nearest": ("translation", [[-4.5, 2.5], [13.0, -9.5]], "wrap", "nearest", 0.0),
    "trans_constant_bilinear": ("translation", [[1.75, 0.5], [-2.25, -6.0]], "constant",
                                "bilinear", 9.0),
    "trans_nearest_nearest": ("translation", [[3.5, -2.5], [-20.0, 0.5]], "nearest", "nearest",
                              0.0),
}
RESIZES = {  # name -> (height, width, interpolation, crop_to_aspect_ratio)
    "up_bilinear": (11, 13, "bilinear", False),
    "down_bilinear": (4, 5, "bilinear", False),
    "mixed_nearest": (12, 4, "nearest", False),
    "crop_aspect_bilinear": (5, 5, "bilinear", True),
    "crop_aspect_nearest": (8, 3, "nearest", True),
}


# image_dataset_from_directory: the tree write_tree() makes (class -> file names; a .txt file
# and a hidden folder that must be skipped), and the calls compared.
TREE = {"cats": ["c%02d.png" % i for i in range(7)] + ["notes.txt"],
        "dogs": ["d%02d.PNG" % i for i in range(5)] + ["x.bmp"],
        "owls": ["o%02d.jpg" % i for i in range(4)],
        ".hidden": ["h.png"]}


def tree_pixels(k):
    """The uint8 (9, 7, 3) pixels of the k-th file written (k in writing order)."""
    rng = np.random.RandomState(100 + k)
    return rng.randint(0, 256, size=(9, 7, 3)).astype(np.uint8)


def write_tree(root):
    """Write TREE under ``root`` (PNG and BMP lossless; the .jpg files are written as PNG
    bytes under a .jpg name, which decoders accept by content); returns {relative path: k}."""
    from PIL import Image
    index = {}
    k = 0
    for cls, names in TREE.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for nm in names:
            path = os.path.join(root, cls, nm)
            if nm.endswith(".txt"):
                with open(path, "w") as f:
                    f.write("not an image")
                continue
            fmt = "BMP" if nm.endswith(".bmp") else "PNG"
            Image.fromarray(tree_pixels(k)).save(path, format=fmt)
            index[os.path.join(cls, nm)] = k
            k += 1
    return index


def _dataset_refs(out):
    import json
    import tempfile

    import tf_keras as keras
    root = tempfile.mkdtemp()
    write_tree(root)
    rel = lambda ps: [os.path.relpath(p, root) for p in ps]  # noqa: E731
    tr, va = keras.utils.image_dataset_from_directory(
        root, validation_split=0.25, subset="both", seed=7, image_size=(6, 5), batch_size=4)
    meta = {"class_names": tr.class_names, "train_files": rel(tr.file_paths),
            "val_files": rel(va.file_paths)}
    ds = keras.utils.image_dataset_from_directory(root, shuffle=False, image_size=(6, 5),
                                                  batch_size=100, label_mode="categorical")
    x, y = next(iter(ds))
    out["dir_images_6x5"], out["dir_labels_categorical"] = x.numpy(), y.numpy()
    meta["ordered_files"] = rel(ds.file_paths)
    ds = keras.utils.image_dataset_from_directory(os.path.join(root, "cats"), labels=None,
                                                  shuffle=False, image_size=(4, 4),
                                                  batch_size=100, crop_to_aspect_ratio=True,
                                                  color_mode="grayscale")  # (TF: no gray BMP)
    out["dir_images_gray_crop_4x4"] = next(iter(ds)).numpy()
    with open(OUT.replace(".npz", ".json"), "w") as f:
        json.dump(meta, f, indent=1)


def _keras_h5():
    """tests/data/keras_h5/augment_layers.h5: a tf_keras 2 model file holding every image
    preprocessing layer (their configs carry tf.keras's rng_type), with its inference outputs."""
    import tf_keras as keras
    from tf_keras import layers
    m = keras.Sequential([
        keras.Input((16, 16, 3)), layers.RandomFlip("horizontal", seed=1),
        layers.RandomRotation(0.1, fill_mode="constant"), layers.RandomZoom(0.1, 0.2),
        layers.RandomTranslation(0.1, 0.1), layers.RandomContrast(0.2),
        layers.RandomBrightness(0.1), layers.RandomHeight(0.2), layers.RandomWidth(0.2),
        layers.RandomCrop(12, 12), layers.Resizing(8, 8), layers.CenterCrop(6, 6),
        layers.Rescaling(1 / 255.0), layers.Flatten(), layers.Dense(2)])
    d = os.path.join(os.path.dirname(OUT), "keras_h5")
    m.save(os.path.join(d, "augment_layers.h5"))
    x = np.random.RandomState(0).uniform(0, 255, (2, 16, 16, 3)).astype(np.float32)
    np.savez(os.path.join(d, "augment_layers.npz"), x=x, y=m.predict(x, verbose=0))


def main():
    import tensorflow as tf
    from tf_keras import layers
    from tf_keras.src.layers.preprocessing import image_preprocessing as ip

    x = image()
    h, w = x.shape[1:3]
    out = {"image": x}
    for name, (kind, params, fill_mode, interp, fill_value) in CASES.items():
        p = tf.constant(params, tf.float32)
        if kind == "rotation":
            m = ip.get_rotation_matrix(p, float(h), float(w))
        elif kind == "zoom":
            m = ip.get_zoom_matrix(p, float(h), float(w))
        else:
            m = ip.get_translation_matrix(p)
        out[name + "_matrix"] = m.numpy()
        out[name] = ip.transform(tf.constant(x), m, fill_mode=fill_mode, fill_value=fill_value,
                                 interpolation=interp).numpy()
    for name, (rh, rw, interp, crop) in RESIZES.items():
        out["resize_" + name] = layers.Resizing(rh, rw, interpolation=interp,
                                                crop_to_aspect_ratio=crop)(x).numpy()
    out["center_crop_5_4"] = layers.CenterCrop(5, 4)(x).numpy()
    out["center_crop_up_8_12"] = layers.CenterCrop(8, 12)(x).numpy()  # larger: smart_resize
    out["random_crop_infer_4_8"] = layers.RandomCrop(4, 8)(x, training=False).numpy()
    out["rescaling_offset"] = layers.Rescaling(1 / 127.5, offset=-1)(x).numpy()
    # RandomContrast draws one factor per call and runs adjust_contrast, then clips to [0, 255]
    out["contrast_1.5"] = tf.clip_by_value(tf.image.adjust_contrast(x, 1.5), 0, 255).numpy()
    out["contrast_0.3"] = tf.clip_by_value(tf.image.adjust_contrast(x, 0.3), 0, 255).numpy()
    _dataset_refs(out)
    _keras_h5()
    np.savez_compressed(OUT, **out)
    print("wrote", os.path.normpath(OUT), len(out), "arrays")


if __name__ == "__main__":
    main()
