"""A dense autoencoder on MNIST: 784 -> 64 -> 784, trained to reproduce its input.

    python examples/autoencoder_mnist.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/autoencoder_mnist.py   # a quick slice (tests)
"""
import os

from tensorforge.datasets import mnist
from tensorforge.layers import Dense
from tensorforge.models import Sequential
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
epochs = 5 if LIMIT else 10

set_random_seed(1)
(x_train, _), (x_test, _) = mnist.load_data()
if LIMIT:
    x_train, x_test = x_train[:LIMIT], x_test[:LIMIT]
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

autoencoder = Sequential([
    Dense(128, activation="relu", input_shape=(784,)),  # encoder
    Dense(64, activation="relu"),                       # the code
    Dense(128, activation="relu"),                      # decoder
    Dense(784, activation="sigmoid"),
])
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
before = float(autoencoder.evaluate(x_test, x_test, verbose=0))
autoencoder.fit(x_train, x_train, batch_size=64, epochs=epochs, shuffle=True, verbose=2)
after = float(autoencoder.evaluate(x_test, x_test, verbose=0))
print(f"reconstruction loss before training: {before:.4f}")
print(f"reconstruction loss after training: {after:.4f}")
