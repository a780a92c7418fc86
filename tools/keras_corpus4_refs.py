"""Expected figures for tests/test_corpus4.py, generated once from real Keras 2 (tf_keras):

    /work/keras-venv/bin/python tools/keras_corpus4_refs.py    # writes tests/data/keras_corpus4_refs.json

What the fourth corpus of Keras 2 programs (issue 12; tools/keras_corpus.md) needed: a model
built for (None, None) inputs (a Sequential whose Embedding has no input_length) called on a
concrete Input takes that Input's shape (babi_memnn.py); binary accuracy compares y_true
exactly with the thresholded prediction (non-0/1 targets never match); ``add_metric(metric(y,
p))`` logs the metric object under its own name with its state over the epoch; a subclassed
model takes a dict of inputs; a layer's first call argument may be passed by keyword
(endpoint_layer_pattern.py); an (N, 28, 28) array feeds an Input((28, 28, 1))
(siamese_contrastive.py)."""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "keras_corpus4_refs.json")
ref = {}

# 1. shapes through models built for (None, None)
seq = keras.Sequential([layers.Embedding(30, 8), layers.Dropout(0.3)])
ref["seq_on_input7"] = list(seq(keras.Input((7,))).shape)
story, query = keras.Input((6,)), keras.Input((4,))
enc_m = keras.Sequential([layers.Embedding(20, 5), layers.Dropout(0.3)])
enc_c = keras.Sequential([layers.Embedding(20, 4), layers.Dropout(0.3)])
enc_q = keras.Sequential([layers.Embedding(20, 5, input_length=4), layers.Dropout(0.3)])
m, c, q = enc_m(story), enc_c(story), enc_q(query)
match = layers.Activation("softmax")(layers.dot([m, q], axes=(2, 2)))
resp = layers.Permute((2, 1))(layers.add([match, c]))
ans = layers.concatenate([resp, q])
ref["memnn_shapes"] = {"match": list(match.shape), "response": list(resp.shape),
                       "answer": list(ans.shape),
                       "lstm": list(layers.LSTM(3)(ans).shape)}

# 2. binary accuracy with targets that are not 0/1
yt = np.array([[0.3], [1.0], [0.0], [0.7], [1.0], [0.0]], np.float32)
yp = np.array([[0.6], [0.9], [0.2], [0.8], [0.4], [0.7]], np.float32)
ref["binary_accuracy_fn"] = keras.metrics.binary_accuracy(yt, yp).numpy().tolist()
bo = keras.metrics.BinaryAccuracy()
bo.update_state(yt, yp)
ref["binary_accuracy_obj"] = float(bo.result().numpy())
x6 = np.array([[0.6], [0.9], [0.2], [0.8], [0.4], [0.7]], np.float32)
lin = keras.Sequential([keras.Input((1,)), layers.Dense(1, use_bias=False, kernel_initializer="ones")])
lin.compile("sgd", "mse", metrics=["binary_accuracy"])
ref["binary_accuracy_evaluate"] = [float(v) for v in lin.evaluate(x6, yt, batch_size=4, verbose=0)]


# 3. add_metric(metric_obj(...)) in an endpoint layer, weights fixed (learning rate 0)
class Endpoint(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            self.add_metric(self.accuracy_fn(targets, logits, sample_weight))
        return tf.nn.softmax(logits)


rng = np.random.default_rng(0)
xe = rng.normal(size=(40, 3)).astype(np.float32)
ye = (rng.random((40, 1)) < 0.5).astype(np.float32)
we = rng.random((40, 1)).astype(np.float32)
kern = np.array([[0.5], [-1.0], [0.25]], np.float32)
inp, tgt, sw = keras.Input((3,), name="inputs"), keras.Input((1,), name="targets"), \
    keras.Input((1,), name="sample_weight")
dense = layers.Dense(1, use_bias=False)
model = keras.Model([inp, tgt, sw], Endpoint()(dense(inp), tgt, sw))
dense.set_weights([kern])
model.compile(keras.optimizers.SGD(0.0))
h = model.fit({"inputs": xe, "targets": ye, "sample_weight": we}, batch_size=8, epochs=2,
              shuffle=False, verbose=0)
ref["endpoint"] = {"x": xe.tolist(), "y": ye.tolist(), "w": we.tolist(), "kernel": kern.tolist(),
                   "history": {k: [float(v) for v in vs] for k, vs in h.history.items()}}
ev = model.evaluate({"inputs": xe, "targets": ye, "sample_weight": we}, batch_size=8, verbose=0,
                    return_dict=True)
ref["endpoint"]["evaluate"] = {k: float(v) for k, v in ev.items()}


# 4. a subclassed model fed a dict; the layer's first argument by keyword
class LogReg(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1, use_bias=False)
        self.endpoint = Endpoint()

    def call(self, inputs):
        logits = self.dense(inputs["inputs"])
        return self.endpoint(logits=logits, targets=inputs["targets"],
                             sample_weight=inputs["sample_weight"])


sub = LogReg()
sub.compile(keras.optimizers.SGD(0.0))
data = {"inputs": xe, "targets": ye, "sample_weight": we}
sub(data)
sub.dense.set_weights([kern])
h2 = sub.fit(data, batch_size=8, epochs=1, shuffle=False, verbose=0)
ref["subclass_dict"] = {"history": {k: [float(v) for v in vs] for k, vs in h2.history.items()},
                        "predict": sub.predict(data, verbose=0).tolist()}

# 5. an array one axis short of an Input whose last axis is 1 (and one with an extra unit axis)
i = keras.Input((4, 1))
m = keras.Model(i, layers.Flatten()(i))
xa = np.arange(8, dtype=np.float32).reshape(2, 4)
ref["conform_short"] = m.predict(xa, verbose=0).tolist()
i = keras.Input((4,))
m = keras.Model(i, layers.Dense(2, kernel_initializer="ones")(i))
m.compile("sgd", "mse")
ref["conform_long"] = m.predict(xa[..., None], verbose=0).tolist()
ref["conform_long_evaluate"] = float(m.evaluate(xa[..., None], np.zeros((2, 2)), verbose=0))

with open(OUT, "w") as f:
    json.dump(ref, f, indent=1)
print("wrote", OUT)
