"""A small VGG-style CNN on MNIST: three 3x3 convolutions of 64 filters with max-pooling and dropout.

    python examples/cnn_mnist.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/cnn_mnist.py   # a quick slice (tests use this)
"""
import os

from tensorforge.datasets import mnist
from tensorforge.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from tensorforge.models import Sequential
from tensorforge.utils import set_random_seed, to_categorical

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
batch_size = 128
epochs = 3 if LIMIT else 2

set_random_seed(1)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, y_train, x_test, y_test = x_train[:LIMIT], y_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

model = Sequential([
    Conv2D(64, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Conv2D(64, (3, 3), padding="same", activation="relu"),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Conv2D(64, (3, 3), padding="same", activation="relu"),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Flatten(),
    Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2)
score = model.evaluate(x_test, y_test, verbose=0)
print("test loss:", round(float(score[0]), 4))
print("test accuracy:", round(float(score[1]), 4))
