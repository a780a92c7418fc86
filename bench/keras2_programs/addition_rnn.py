"""keras-team examples/addition_rnn.py: LSTM encoder, RepeatVector, LSTM decoder,
TimeDistributed(Dense) softmax over characters."""
import numpy as np
from keras import layers
from keras.models import Sequential

TRAINING_SIZE, DIGITS = 4000, 3
chars = "0123456789+ "
ctable = {c: i for i, c in enumerate(chars)}
MAXLEN = DIGITS + 1 + DIGITS
rng = np.random.default_rng(0)


def encode(s, n):
    x = np.zeros((n, len(chars)), dtype=bool)
    for i, c in enumerate(s):
        x[i, ctable[c]] = 1
    return x


qs, ans = [], []
while len(qs) < TRAINING_SIZE:
    a, b = (int("".join(rng.choice(list("0123456789"), rng.integers(1, DIGITS + 1)))) for _ in range(2))
    q = f"{a}+{b}"
    qs.append((q + " " * (MAXLEN - len(q)))[::-1])
    ans.append(str(a + b) + " " * (DIGITS + 1 - len(str(a + b))))
x = np.stack([encode(q, MAXLEN) for q in qs])
y = np.stack([encode(a, DIGITS + 1) for a in ans])
split = len(x) - len(x) // 10
model = Sequential()
model.add(layers.LSTM(128, input_shape=(MAXLEN, len(chars))))
model.add(layers.RepeatVector(DIGITS + 1))
model.add(layers.LSTM(128, return_sequences=True))
model.add(layers.TimeDistributed(layers.Dense(len(chars), activation="softmax")))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
model.fit(x[:split], y[:split], batch_size=128, epochs=3, validation_data=(x[split:], y[split:]))
