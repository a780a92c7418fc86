"""A model with two inputs and two outputs (the Keras 2 functional-API guide's pattern): a digit
image and a side vector go in; the digit class and a binary "is it even" flag come out, with
per-output losses weighted by loss_weights.

    python examples/two_input_model.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/two_input_model.py   # a quick slice (tests)
"""
import os

import numpy as np

from tensorforge.datasets import mnist
from tensorforge.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D, concatenate
from tensorforge.models import Model
from tensorforge.utils import set_random_seed, to_categorical

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))
epochs = 3 if LIMIT else 4

set_random_seed(2)
rng = np.random.default_rng(2)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, y_train, x_test, y_test = x_train[:LIMIT], y_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
# The side input: the image's mean intensity per row band (a hint, not the answer).
side_train = x_train.reshape(-1, 4, 196).mean(axis=2)
side_test = x_test.reshape(-1, 4, 196).mean(axis=2)

image = Input(shape=(28, 28, 1), name="image")
side = Input(shape=(4,), name="side")
x = Conv2D(16, 5, activation="relu")(image)
x = MaxPooling2D(2)(x)
x = Flatten()(x)
x = concatenate([x, side])
x = Dense(64, activation="relu")(x)
digit = Dense(10, activation="softmax", name="digit")(x)
even = Dense(1, activation="sigmoid", name="even")(x)
model = Model(inputs=[image, side], outputs=[digit, even])
model.summary()
model.compile(optimizer="adam",
              loss={"digit": "categorical_crossentropy", "even": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "even": 0.5}, metrics=["accuracy"])
model.fit({"image": x_train, "side": side_train},
          {"digit": to_categorical(y_train, 10), "even": (y_train % 2 == 0).astype("float32")},
          batch_size=32, epochs=epochs, verbose=2)
results = model.evaluate([x_test, side_test],
                         [to_categorical(y_test, 10), (y_test % 2 == 0).astype("float32")],
                         verbose=0)
for name, v in zip(model.metrics_names, results):
    print(f"{name}: {v:.4f}")
