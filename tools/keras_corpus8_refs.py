"""Figures for tests/test_corpus8.py, printed once under TensorFlow 2.21 / tf_keras (never a test
dependency):  /work/keras-venv/bin/python tools/keras_corpus8_refs.py

Each section prints what the test's "TensorFlow's" comments and constants hold.
"""
import numpy as np


def extract_patches_refs():
    """tf.image.extract_patches on a small ramp: SAME with strides and VALID with rates."""
    import tensorflow as tf
    x = np.arange(1 * 5 * 4 * 2, dtype=np.float32).reshape(1, 5, 4, 2)
    same = tf.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME")
    print("SAME 2x3 strides 2x3:", same.shape, same.numpy().astype(int).ravel().tolist())
    valid = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 2, 1, 1], [1, 2, 2, 1], "VALID")
    print("VALID 2x2 rates 2x2 strides 2x1:", valid.shape,
          valid.numpy().astype(int).ravel().tolist())


if __name__ == "__main__":
    extract_patches_refs()
