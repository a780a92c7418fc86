"""Generate tests/data/image_preprocessing_refs.npz: tf_keras 2's own ``transform()`` (the
ImageProjectiveTransformV3 op behind RandomRotation / RandomZoom / RandomTranslation) with fixed
matrices, and ``tf.image.resize`` / ``smart_resize`` / the deterministic layers (Resizing,
CenterCrop, RandomCrop at inference, Rescaling) on a fixed image: the oracle for
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
    np.savez_compressed(OUT, **out)
    print("wrote", os.path.normpath(OUT), len(out), "arrays")


if __name__ == "__main__":
    main()
