"""Recurrent networks on MNIST: each image is read as 28 time steps of 28 features (its rows).

    python examples/rnn_mnist.py               # SimpleRNN, LSTM and GRU in turn
    python examples/rnn_mnist.py lstm          # just one of simple_rnn, lstm, gru
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/rnn_mnist.py gru   # a quick slice (tests)
"""
import os
import sys

from tensorforge.datasets import mnist
from tensorforge.layers import GRU, LSTM, Dense, SimpleRNN
from tensorforge.models import Sequential
from tensorforge.utils import set_random_seed, to_categorical

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
CELLS = {"simple_rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}
units = 64 if LIMIT else 256
batch_size = 128 if not LIMIT else 32
epochs = 3 if LIMIT else 2

(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, y_train, x_test, y_test = x_train[:LIMIT], y_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]
x_train = x_train.astype("float32") / 255   # (N, 28, 28) = (batch, time steps, features)
x_test = x_test.astype("float32") / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

names = sys.argv[1:] or list(CELLS)
for name in names:
    if name not in CELLS:
        sys.exit(f"rnn_mnist.py: unknown cell {name!r} (choose from {', '.join(CELLS)})")
    set_random_seed(1)
    model = Sequential([
        CELLS[name](units, input_shape=(28, 28)),
        Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2)
    score = model.evaluate(x_test, y_test, verbose=0)
    print(f"{name} test accuracy:", round(float(score[1]), 4))
