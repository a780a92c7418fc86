"""Sentiment classification with Embedding(mask_zero=True) + LSTM on a small synthetic text task.

Each "review" is a sequence of word ids (1..49; 0 is padding). Words 1..10 are positive, 11..20
negative, the rest neutral; a review is positive when it has more positive than negative words.
Reviews have different lengths and are pre-padded with zeros; mask_zero=True tells the LSTM to
skip the padding, so the model must count sentiment words over the real steps.

    python examples/sentiment_lstm.py
    TENSORFORGE_EXAMPLE_LIMIT=1500 python examples/sentiment_lstm.py   # fewer reviews (tests)
"""
import os

import numpy as np

from tensorforge.layers import LSTM, Dense, Embedding
from tensorforge.models import Sequential
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))
VOCAB, MAXLEN = 50, 12
POSITIVE, NEGATIVE = range(1, 11), range(11, 21)


def make_reviews(n, rng):
    x = np.zeros((n, MAXLEN), dtype="int64")
    y = np.zeros(n, dtype="float32")
    i = 0
    while i < n:
        length = rng.integers(3, MAXLEN + 1)
        words = rng.integers(1, VOCAB, length)
        pos = np.isin(words, POSITIVE).sum()
        neg = np.isin(words, NEGATIVE).sum()
        if pos == neg:
            continue                      # ties are ambiguous: draw again
        x[i, MAXLEN - length:] = words    # pre-padding, like keras' pad_sequences default
        y[i] = float(pos > neg)
        i += 1
    return x, y


set_random_seed(0)
rng = np.random.default_rng(0)
n_train = LIMIT or 4000
x_train, y_train = make_reviews(n_train, rng)
x_test, y_test = make_reviews(1000, rng)

model = Sequential([
    Embedding(VOCAB, 16, mask_zero=True, input_length=MAXLEN),
    LSTM(32),
    Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=8 if LIMIT else 10, verbose=2)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print("test loss:", round(float(loss), 4))
print("test accuracy:", round(float(acc), 4))
