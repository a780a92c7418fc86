"""Real Keras 2 (tf_keras) answers for tests/test_subclassing.py: a subclassed model's summary,
a custom loss's metrics name, add_loss in evaluate, Dot / merge output shapes.
    /work/keras-venv/bin/python tools/keras_model_oracle2.py
"""
import json

import numpy as np
import tf_keras as keras
from tf_keras import backend as K
from tf_keras import layers as L


class MyModel(keras.Model):
    def __init__(self):
        super().__init__(name="my_model")
        self.d1 = L.Dense(8, activation="relu", name="d1")
        self.out = L.Dense(3, activation="softmax", name="probs")

    def call(self, inputs, training=None):
        return self.out(self.d1(inputs))


m = MyModel()
m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
m.fit(np.zeros((4, 5)), np.zeros(4), verbose=0)
out = []
m.summary(print_fn=out.append)
print(json.dumps(out, indent=0))


def my_loss(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1)


i = keras.Input((3,), name="x")
o = L.Dense(2, name="y")(i)
f = keras.Model(i, o)
f.compile("sgd", my_loss, metrics=["mae", my_loss])
print("custom", f.metrics_names, f.train_on_batch(np.ones((2, 3)), np.ones((2, 2))), f.metrics_names)
for axes, sa, sb in ((1, (5,), (5,)), (2, (3, 4), (6, 4)), (1, (3, 4), (3, 6)), ((2, 1), (3, 4), (4, 6))):
    a, b = keras.Input(sa), keras.Input(sb)
    print("dot", axes, L.Dot(axes)([a, b]).shape)
a, b = keras.Input((1, 4)), keras.Input((3, 4))
print("add broadcast", L.Add()([a, b]).shape, L.Maximum()([a, b]).shape)
print(json.dumps(L.Lambda(lambda x: x, output_shape=(3,)).get_config())[:300])
print(json.dumps(L.Dot(axes=1, normalize=True).get_config()))
