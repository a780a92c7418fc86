"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus24.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus24_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. tf.image.resize(preserve_aspect_ratio=True) (keras-io handwriting_recognition.py)
img = np.arange(2 * 6 * 1, dtype=np.float32).reshape(2, 6, 1)
r = tf.image.resize(img, (4, 4), preserve_aspect_ratio=True)
print("resize (2, 6) -> (4, 4) kept:", r.shape, r.numpy().ravel())
r = tf.image.resize(np.ones((3, 50, 200, 1), np.float32), (32, 128), preserve_aspect_ratio=True)
print("resize (50, 200) -> (32, 128):", r.shape)
r = tf.image.resize(np.ones((7, 3, 1), np.float32), (32, 128), preserve_aspect_ratio=True)
print("resize (7, 3) -> (32, 128):", r.shape)
r = tf.image.resize(np.ones((5, 5, 1), np.float32), (3, 4), preserve_aspect_ratio=True,
                    method="nearest")
print("resize (5, 5) -> (3, 4) nearest:", r.shape)

# 2. Tensor % (floormod)
for a, b in ((tf.constant(27), 2), (tf.constant(-7), 3), (7, tf.constant(3)),
             (tf.constant([5.5, -1.5]), 2), (tf.constant(7.0), -2.0)):
    r = a % b
    print("mod:", r.numpy(), r.dtype.name)

# 3. K.ctc_batch_cost with trailing labels >= num_classes - 1 (null labels, dropped)
rng = np.random.default_rng(0)
y_pred = rng.random((3, 8, 6)).astype("float32")
y_pred /= y_pred.sum(-1, keepdims=True)
il = np.full((3, 1), 8, "int64")
y_true = np.array([[1, 2, 99, 99], [3, 3, 1, 99], [4, 0, 2, 5]], "float32")
print("ctc padded:", keras.backend.ctc_batch_cost(y_true, y_pred, il, np.full((3, 1), 4))
      .numpy().ravel())
print("ctc trimmed:", keras.backend.ctc_batch_cost(y_true, y_pred, il, np.array([[2], [3], [3]]))
      .numpy().ravel())
try:
    keras.backend.ctc_batch_cost(np.array([[1, 99, 2]], "float32"), y_pred[:1], il[:1],
                                 np.array([[3]]))
except tf.errors.InvalidArgumentError as e:
    print("ctc null then label:", type(e).__name__)

# 4. tf.cast of a SparseTensor, then tf.edit_distance (handwriting_recognition.py's metric)
labels = tf.constant([[3.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
s = tf.cast(tf.sparse.from_dense(labels), dtype=tf.int64)
print("sparse cast:", s.indices.numpy().tolist(), s.values.numpy(), s.values.dtype.name,
      s.dense_shape.numpy())
pred = tf.cast(tf.sparse.from_dense(tf.constant([[3, 2, 0], [2, 0, 0]], dtype=tf.int64)),
               tf.int64)
print("edit distance:", tf.edit_distance(pred, s, normalize=False).numpy())

# 5. ConvLSTM2D forward and gradients with set weights (keras-io conv_lstm.py's layer kinds)
x = rng.standard_normal((2, 4, 6, 5, 3)).astype("float32")
for act, ract, rs in (("relu", "hard_sigmoid", True), ("tanh", "sigmoid", False)):
    layer = keras.layers.ConvLSTM2D(4, 3, padding="same", activation=act,
                                    recurrent_activation=ract, return_sequences=rs,
                                    go_backwards=not rs)
    layer.build((None, None, 6, 5, 3))
    w = np.random.default_rng(7)
    layer.set_weights([w.standard_normal((3, 3, 3, 16)).astype("float32") * 0.3,
                       w.standard_normal((3, 3, 4, 16)).astype("float32") * 0.3,
                       w.standard_normal(16).astype("float32") * 0.1])
    with tf.GradientTape() as tape:
        xt = tf.constant(x)
        tape.watch(xt)
        y = layer(xt)
        loss = tf.reduce_sum(y * y)
    g = tape.gradient(loss, layer.trainable_weights + [xt])
    print("convlstm", act, ract, "y sum %.6f  loss %.6f" % (float(tf.reduce_sum(y)), float(loss)),
          "grad sums", [round(float(tf.reduce_sum(v)), 5) for v in g],
          "y[0, -1, 2, 3]" if rs else "y[1, 4, 1]", (y[0, -1, 2, 3] if rs else y[1, 4, 1]).numpy())
