"""Keras 2 (tf_keras) reference for weight constraints: tests/data/keras_constraints.npz.

    /work/keras-venv/bin/python tools/gen_constraint_refs.py

A model with Dense(kernel MaxNorm(0.5), bias NonNeg), Conv1D(kernel UnitNorm(axis=[0, 1])) and
Embedding(MinMaxNorm(0.2, 0.8, rate=0.5, axis=1)) is trained 3 steps with SGD(0.5) on
fixed data; the file holds the data, the initial weights (w0_*) and the weights after the steps
(w3_*), which tests/test_save_roundtrip_models.py reproduces (and after a save / load).
"""
import os

import numpy as np
import tf_keras as keras

r = np.random.default_rng(0)
ids = r.integers(0, 6, (8, 5))
y = (r.standard_normal((8, 3)) * 4).astype(np.float32)
inp = keras.Input((5,))
h = keras.layers.Embedding(6, 4, embeddings_constraint=keras.constraints.MinMaxNorm(
    0.2, 0.8, rate=0.5, axis=1))(inp)
h = keras.layers.Conv1D(2, 3, kernel_constraint=keras.constraints.UnitNorm(axis=[0, 1]))(h)
h = keras.layers.Flatten()(h)
out = keras.layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(0.5),
                         bias_constraint=keras.constraints.NonNeg())(h)
model = keras.Model(inp, out)
model.compile(keras.optimizers.SGD(0.5), "mse")
w0 = model.get_weights()
for _ in range(3):
    model.train_on_batch(ids, y)
w3 = model.get_weights()
path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras_constraints.npz")
np.savez(path, ids=ids, y=y, **{f"w0_{i}": w for i, w in enumerate(w0)},
         **{f"w3_{i}": w for i, w in enumerate(w3)})
print("wrote", path, [w.shape for w in w0])
