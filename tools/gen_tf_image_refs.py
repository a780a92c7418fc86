"""TensorFlow 2's values (and gradients) of the tf.image functions of tf_image_ops.py, for
tests/test_tf_image_ops.py (tests/data/tf_image_refs.json + .npz): each case is an expression
over the inputs below with ``tf`` bound to the library under test; gradients are
d/d(input) of sum(out * cos(arange(size))). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_image_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

from gen_tf_ops_refs import _flat, _weights  # the same loss weights (tools/ is the script's dir)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_image_refs")
rng = np.random.default_rng(11)
INPUTS = {
    "im": rng.uniform(0, 1, size=(5, 6, 3)).astype(np.float32),
    "bat": rng.uniform(0, 1, size=(2, 7, 5, 3)).astype(np.float32),
    "u8": rng.integers(0, 256, size=(4, 5, 3)).astype(np.uint8),
    "big": rng.uniform(0, 1, size=(2, 16, 14, 2)).astype(np.float32),
    "big2": rng.uniform(0, 1, size=(2, 16, 14, 2)).astype(np.float32),
    "gray": rng.uniform(0, 1, size=(4, 4, 1)).astype(np.float32),
}
CASES = {
    "flip_lr": ("tf.image.flip_left_right(bat)", "bat"),
    "flip_ud": ("tf.image.flip_up_down(im)", "im"),
    "rot90": ("tf.image.rot90(im)", "im"),
    "rot90_k3_batch": ("tf.image.rot90(bat, k=3)", "bat"),
    "transpose": ("tf.image.transpose(bat)", "bat"),
    "central_crop": ("tf.image.central_crop(im, 0.5)", "im"),
    "central_crop_batch": ("tf.image.central_crop(bat, 0.7)", "bat"),
    "crop_or_pad_crop": ("tf.image.resize_with_crop_or_pad(im, 3, 4)", "im"),
    "crop_or_pad_pad": ("tf.image.resize_with_crop_or_pad(bat, 10, 8)", "bat"),
    "crop_or_pad_mixed": ("tf.image.resize_with_crop_or_pad(im, 8, 3)", "im"),
    "brightness": ("tf.image.adjust_brightness(im, 0.2)", "im"),
    "brightness_u8": ("tf.image.adjust_brightness(u8, 0.3)", None),
    "gamma": ("tf.image.adjust_gamma(im, 2.0, 1.5)", "im"),
    "gamma_u8": ("tf.image.adjust_gamma(u8, 0.5)", None),
    "standardize": ("tf.image.per_image_standardization(bat)", "bat"),
    "standardize_u8": ("tf.image.per_image_standardization(u8)", None),
    "grayscale": ("tf.image.rgb_to_grayscale(im)", "im"),
    "grayscale_u8": ("tf.image.rgb_to_grayscale(u8)", None),
    "to_rgb": ("tf.image.grayscale_to_rgb(gray)", "gray"),
    "rgb_to_hsv": ("tf.image.rgb_to_hsv(im)", None),
    "hsv_round_trip": ("tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(bat))", None),
    "saturation": ("tf.image.adjust_saturation(im, 1.7)", None),
    "saturation_u8": ("tf.image.adjust_saturation(u8, 0.4)", None),
    "hue": ("tf.image.adjust_hue(bat, 0.3)", None),
    "hue_neg": ("tf.image.adjust_hue(im, -0.45)", None),
    "total_variation": ("tf.image.total_variation(bat)", "bat"),
    "total_variation_3d": ("tf.image.total_variation(im)", "im"),
    "image_gradients": ("tf.image.image_gradients(bat)", "bat"),
    "sobel": ("tf.image.sobel_edges(bat)", "bat"),
    "ssim": ("tf.image.ssim(big, big2, 1.0)", "big"),
    "ssim_small_window": ("tf.image.ssim(big, big * 0.8 + 0.1, 1.0, filter_size=5, filter_sigma=1.0)", "big"),
}


def main():
    arrays = {f"in/{k}": v for k, v in INPUTS.items()}
    meta = {}
    for name, (expr, wrt) in CASES.items():
        env = {k: tf.constant(v) for k, v in INPUTS.items()}
        env.update(tf=tf, np=np)
        with tf.GradientTape() as tape:
            if wrt:
                tape.watch(env[wrt])
            outs = _flat(eval(expr, env))  # noqa: S307 -- the cases above
            loss = tf.constant(0.0, tf.float64)
            for o in outs:
                if o.dtype.is_floating:
                    loss += tf.reduce_sum(tf.cast(o, tf.float64) * _weights(o.shape))
        for j, o in enumerate(outs):
            arrays[f"{name}/out{j}"] = o.numpy()
        meta[name] = {"expr": expr, "wrt": wrt, "dtypes": [o.dtype.name for o in outs]}
        if wrt:
            g = tape.gradient(loss, env[wrt])
            arrays[f"{name}/grad"] = g.numpy()
    np.savez_compressed(OUT + ".npz", **arrays)
    with open(OUT + ".json", "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": meta}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
