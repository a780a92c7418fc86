"""Keras 2's (tf_keras') figures the tests in tests/test_corpus41.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21, and the small model file they load. Run with
the Keras 2 venv (the oracle of tools/keras_parity.py) from the repository root:

    /work/keras-venv/bin/python tools/keras_corpus41_refs.py

It writes tests/data/corpus41_siamese_lambda.h5: Neural Network Projects with Python's siamese
network (chapter7/siamese_nn.py with utils.py) at a few units, a shared Dense network on two
inputs and a Lambda of the named function euclidean_distance, compiled with the book's
contrastive_loss, saved by tf_keras (which stores the named function as bytecode, function_type
'lambda'); the printed values were copied into the tests.
"""
import json

import h5py
import numpy as np
import tf_keras as keras
from tf_keras import backend as K

np.set_printoptions(precision=7, suppress=True)
FILE = "tests/data/corpus41_siamese_lambda.h5"


def euclidean_distance(vectors):  # chapter7/utils.py's
    vector1, vector2 = vectors
    sum_square = K.sum(K.square(vector1 - vector2), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def contrastive_loss(Y_true, D):  # chapter7/utils.py's
    margin = 1
    return K.mean(Y_true * K.square(D) + (1 - Y_true) * K.maximum((margin-D),0))


shared = keras.Sequential([keras.layers.Dense(3, activation="sigmoid", input_shape=(4,))],
                          name="Shared_Conv_Network")
top, bottom = keras.Input((4,)), keras.Input((4,))
distance = keras.layers.Lambda(euclidean_distance, output_shape=(1,))([shared(top), shared(bottom)])
model = keras.Model(inputs=[top, bottom], outputs=distance)
for i, w in enumerate(model.weights):
    w.assign(np.cos(np.arange(np.prod(w.shape), dtype="float32") * (0.7 + 0.2 * i))
             .reshape(w.shape) * 1.5)
model.compile(loss=contrastive_loss, optimizer="adam")
model.save(FILE)
with h5py.File(FILE, "r") as f:
    cfg = json.loads(f.attrs["model_config"])
lam = [l for l in cfg["config"]["layers"] if l["class_name"] == "Lambda"][0]["config"]
print("1. function_type:", lam["function_type"], "module:", lam["module"])
XA = np.sin(np.arange(12, dtype="float32")).reshape(3, 4)
XB = np.cos(np.arange(12, dtype="float32") * 0.5).reshape(3, 4)
Y = np.array([1.0, 0.0, 1.0], dtype="float32")
print("2. predict:", model.predict([XA, XB], verbose=0).ravel().tolist())
print("3. evaluate (contrastive loss):", model.evaluate([XA, XB], Y, verbose=0))
