"""Keras 2's (tf_keras') figures the tests in tests/test_corpus11.py hold, printed by running
the same calls under tf_keras. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus11_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import json
import os
import tempfile

import numpy as np
import tensorflow as tf
import tf_keras as keras

tmp = tempfile.mkdtemp()

# 1. the training_config tf_keras writes for a loss class with from_logits (h5)
m = keras.Sequential([keras.layers.Dense(3, input_shape=(4,))])
m.compile("adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
m.save(os.path.join(tmp, "m.h5"))
import h5py  # noqa: E402
with h5py.File(os.path.join(tmp, "m.h5")) as f:
    tc = json.loads(f.attrs["training_config"])
print("h5 loss:", json.dumps(tc["loss"]))
m.compile("adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True,
                                                            label_smoothing=0.1))
m.save(os.path.join(tmp, "m2.h5"))
with h5py.File(os.path.join(tmp, "m2.h5")) as f:
    print("h5 loss 2:", json.dumps(json.loads(f.attrs["training_config"])["loss"]))

# 2. save_weights in the TensorFlow format: the state file and latest_checkpoint
m.save_weights(os.path.join(tmp, "ck", "cp-0001.ckpt"))
m.save_weights(os.path.join(tmp, "ck", "cp-0002.ckpt"))
print("state file:", repr(open(os.path.join(tmp, "ck", "checkpoint")).read()))
print("latest:", os.path.relpath(tf.train.latest_checkpoint(os.path.join(tmp, "ck")), tmp))
print("latest of a folder without checkpoints:", tf.train.latest_checkpoint(tmp))

# 3. ModelCheckpoint(save_freq=3) over 2 epochs of 4 batches: the files written
cb = keras.callbacks.ModelCheckpoint(os.path.join(tmp, "sf", "cp-{epoch:02d}.ckpt"),
                                     save_weights_only=True, save_freq=3)
m.fit(np.zeros((40, 4)), np.zeros((40, 3)), batch_size=10, epochs=2, callbacks=[cb], verbose=0)
print("save_freq=3 files:", sorted(f for f in os.listdir(os.path.join(tmp, "sf"))
                                   if f.endswith(".index")))
try:
    keras.callbacks.ModelCheckpoint("x", save_freq="batch")
except ValueError as e:
    print("save_freq='batch':", e)

# 4. a functional input with one trailing unit axis too many
inp = keras.Input(shape=(3, 1))
model = keras.Model(inp, keras.layers.Flatten()(inp))
print("(2, 3, 1, 1) into Input((3, 1)):", model(np.ones((2, 3, 1, 1), "float32")).shape)

# 5. NumPy reductions of a tensor, tf.squeeze / tf.size, iteration of a scalar
t = tf.constant(np.arange(6, dtype="float32").reshape(2, 3))
print("np.mean:", repr(np.mean(t)), "np.sum axis 0:", repr(np.sum(t, axis=0)))
print("squeeze:", tf.squeeze(tf.zeros((1, 3, 1, 2))).shape, "size:", int(tf.size(t)))
try:
    iter(tf.constant(1.0))
except TypeError as e:
    print("iter(scalar):", e)

# 6. tf.one_hot of an int64 Input
ids = keras.Input(shape=(None,), dtype="int64")
oh = keras.Model(ids, tf.one_hot(ids, depth=4))
print("one_hot model:", oh(np.array([[1, 3, 0]])).numpy().tolist(), oh.output_shape)
print("tf.version.VERSION == tf.__version__:", tf.version.VERSION == tf.__version__)
