"""A multilayer perceptron on MNIST: Keras' classic mnist_mlp.py with only the imports changed.

    python examples/mlp_mnist.py            # 5 epochs on the data (bundled digits by default)
    TENSORFORGE_EXAMPLE_LIMIT=2000 python examples/mlp_mnist.py   # a quick slice (tests use this)
"""
import os

from tensorforge.datasets import mnist
from tensorforge.layers import Dense, Dropout
from tensorforge.models import Sequential
from tensorforge.optimizers import Adam
from tensorforge.utils import set_random_seed, to_categorical

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
batch_size = 128
num_classes = 10
epochs = 4 if LIMIT else 5

set_random_seed(1)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, y_train, x_test, y_test = x_train[:LIMIT], y_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]

x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
y_train = to_categorical(y_train, num_classes)
y_test = to_categorical(y_test, num_classes)
print(x_train.shape[0], "train samples,", x_test.shape[0], "test samples")

model = Sequential()
model.add(Dense(256, activation="relu", input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(256, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=Adam(), metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("test loss:", round(float(score[0]), 4))
print("test accuracy:", round(float(score[1]), 4))
