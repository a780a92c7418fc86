"""LeNet on MNIST (Keras 2 style): two convolutions, two max-poolings, two dense layers, RMSprop.

    python examples/lenet_mnist.py          # 2 epochs, ~97-98% on the bundled 8,000/2,000 digits
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/lenet_mnist.py  # a quick slice (tests use this)
"""
import os

from tensorforge.datasets import mnist
from tensorforge.layers import Conv2D, Dense, Flatten, MaxPooling2D
from tensorforge.models import Sequential
from tensorforge.optimizers import RMSprop
from tensorforge.utils import set_random_seed, to_categorical

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
batch_size = 32
epochs = 2

set_random_seed(1)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, y_train, x_test, y_test = x_train[:LIMIT], y_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]
# images as (N, H, W, C), channels last, as Keras' default
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

model = Sequential()
model.add(Conv2D(20, kernel_size=(5, 5), activation="relu", input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"))
model.add(Conv2D(50, kernel_size=(5, 5), padding="same", activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"))
model.add(Flatten())
model.add(Dense(500, activation="relu"))
model.add(Dense(10, activation="softmax"))
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2)
score = model.evaluate(x_test, y_test, verbose=0)
print("test loss:", round(float(score[0]), 4))
print("test accuracy:", round(float(score[1]), 4))
