"""TensorFlow's figures for the tf.image / tf.io / tf.strings names the sixth corpus's programs
call (tests/test_tf_image_io.py), printed as Python literals:

    /work/keras-venv/bin/python tools/keras_corpus6_refs.py

The input image: np.arange(20).reshape(4, 5, 1) * 12 as uint8 (the test rebuilds it).
"""
import numpy as np


def image():
    return (np.arange(20).reshape(4, 5, 1) * 12).astype(np.uint8)


CSV_TEXT = "a,b,c,label\n1,0.5,x,0\n2,,y,1\n3,2.25,,2\n4,1.0,x,1\n5,3.5,z,0\n"
CSV_DEFAULTS = [[0], [-1.0], ["NA"], [0]]


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
    r = tf.image.resize(f, (2, 3), method="area")
    print("AREA_2x3 =", np.round(r.numpy()[:, :, 0].astype(np.float64), 6).tolist())
    rgb = np.random.default_rng(4).random((2, 3, 3)).astype(np.float32)
    print("YUV =", np.round(tf.image.rgb_to_yuv(rgb).numpy()[1].astype(np.float64), 6).tolist())
    print("PSNR =", round(float(tf.image.psnr(rgb, rgb * 0.9, max_val=1.0)), 5))
    x = np.arange(2 * 2 * 3 * 8, dtype=np.float32).reshape(2, 2, 3, 8)
    print("D2S_0 =", tf.nn.depth_to_space(x, 2).numpy()[0, :, :, 1].tolist())
    print("S2D_0 =", tf.nn.space_to_depth(tf.nn.depth_to_space(x, 2), 2).numpy()[1, 1, 2]
          .tolist())
    m = np.arange(6.0).reshape(2, 3)
    print("REPEAT_FLAT =", tf.repeat(m, repeats=[2]).numpy().tolist())
    print("REPEAT_AXIS0 =", tf.repeat(m, repeats=[1, 2], axis=0).numpy().tolist())
    print("REPEAT_AXIS1 =", tf.repeat(m, repeats=2, axis=1).numpy().tolist())
    print("LINSPACE =", tf.linspace(0, 1, 5).dtype.name, tf.linspace(0.0, 1.0, 5).dtype.name,
          tf.linspace(0, 1, 5).numpy().tolist())
    import os
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "t.csv")
    with open(path, "w") as f:
        f.write(CSV_TEXT)
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=2, column_defaults=CSV_DEFAULTS,
                                               label_name="label", num_epochs=1, shuffle=False)
    batches = [({k: (v.dtype.name, v.numpy().tolist()) for k, v in f.items()},
                (y.dtype.name, y.numpy().tolist())) for f, y in ds]
    print("CSV_BATCHES =", batches)
    print("CSV_KEYS =", [list(f) for f, _ in ds][0])
    print("REDUCE_JOIN_AXIS1 =",
          tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator="-").numpy()
          .tolist())


if __name__ == "__main__":
    main()
