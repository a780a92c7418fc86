"""TensorFlow's figures for the tf.image / tf.io / tf.strings names the sixth corpus's programs
call (tests/test_tf_image_io.py), printed as Python literals:

    /work/keras-venv/bin/python tools/keras_corpus6_refs.py

The input image: np.arange(20).reshape(4, 5, 1) * 12 as uint8 (the test rebuilds it).
"""
import numpy as np


def image():
    return (np.arange(20).reshape(4, 5, 1) * 12).astype(np.uint8)


def main():
    import tensorflow as tf
    img = image()
    f = tf.image.convert_image_dtype(img, tf.float32)
    print("CONVERTED_ROW1 =", np.round(f.numpy()[1, :, 0].astype(np.float64), 7).tolist())
    print("BACK_TO_UINT8 =", tf.image.convert_image_dtype(f * 0.5, tf.uint8).numpy()[:, :, 0]
          .tolist())
    for size in ((3, 7), (2, 2), (6, 3)):
        r = tf.image.resize(f, size)
        print(f"RESIZE_{size[0]}x{size[1]} =",
              np.round(r.numpy()[:, :, 0].astype(np.float64), 6).tolist())
    r = tf.image.resize(img, (3, 7), method="nearest")
    print("NEAREST_3x7 =", r.numpy()[:, :, 0].tolist(), r.dtype.name)
    print("UNICODE_SPLIT =", tf.strings.unicode_split("ab\u00e9c", "UTF-8").numpy().tolist())
    print("REDUCE_JOIN_AXIS1 =",
          tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator="-").numpy()
          .tolist())


if __name__ == "__main__":
    main()
