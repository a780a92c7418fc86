"""Print what real Keras 2 (tf_keras) gives for the models of tests/test_functional.py: summary
text (as Python string literals), layer order, metrics_names, train_on_batch structure.

Run once with the Keras venv (never a test dependency); the literals are committed in the tests:
    /work/keras-venv/bin/python tools/keras_model_oracle.py
"""
import json

import numpy as np
import tf_keras as keras
from tf_keras import layers as L


def lines(model):
    out = []
    model.summary(print_fn=out.append)
    return out


def show(title, model):
    print(f"# ---- {title}")
    print(json.dumps(lines(model), indent=0))


seq = keras.Sequential([L.Dense(32, activation="relu", input_shape=(784,), name="hidden"),
                        L.Dense(10, activation="softmax", name="probs")], name="mlp")
show("sequential mlp", seq)

a = keras.Input(shape=(784,), name="image")
b = keras.Input(shape=(16,), name="aux")
h = L.Dense(32, activation="relu", name="h_image")(a)
h2 = L.Dense(32, name="h_aux")(b)
c = L.concatenate([h, h2], name="merged")
o1 = L.Dense(10, activation="softmax", name="main")(c)
o2 = L.Dense(1, activation="sigmoid", name="side")(c)
two = keras.Model([a, b], [o1, o2], name="two_io")
show("two inputs two outputs", two)
print([l.name for l in two.layers])

x1 = keras.Input(shape=(8,), name="left")
x2 = keras.Input(shape=(8,), name="right")
shared = L.Dense(4, activation="tanh", name="shared")
d = L.Subtract(name="diff")([shared(x1), shared(x2)])
siam = keras.Model([x1, x2], L.Dense(1, name="score")(d), name="siamese")
show("shared layer", siam)

inner = keras.Sequential([L.Dense(3, input_shape=(4,), name="s1"), L.Dense(2, name="s2")],
                         name="inner_seq")
fi = keras.Input((4,), name="outer_in")
nest = keras.Model(fi, L.Dense(1, name="head")(inner(fi)), name="nested")
show("sequential inside functional", nest)
outer = keras.Sequential([nest, L.Dense(3, name="after")], name="outer_seq")
show("functional inside sequential", outer)

# metrics names and return values
two.compile("sgd", ["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"],
            loss_weights=[1.0, 0.5])
r = two.train_on_batch([np.zeros((4, 784)), np.zeros((4, 16))], [np.eye(10)[:4], np.ones((4, 1))])
print("two_io metrics_names", two.metrics_names, "len", len(r))
siam.compile("sgd", "mse", metrics=["mae"])
r = siam.train_on_batch([np.zeros((4, 8)), np.zeros((4, 8))], np.ones((4, 1)))
print("siamese metrics_names", siam.metrics_names, r)
two.compile("sgd", {"main": "categorical_crossentropy", "side": "binary_crossentropy"},
            metrics={"main": "acc"})
r = two.train_on_batch([np.zeros((4, 784)), np.zeros((4, 16))], [np.eye(10)[:4], np.ones((4, 1))])
print("two_io dict metrics_names", two.metrics_names, "len", len(r))
print(json.dumps(siam.get_config()))
