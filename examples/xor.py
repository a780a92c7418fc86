"""A two-layer perceptron learns XOR, the classic problem a single linear layer cannot solve.

    python examples/xor.py
"""
import numpy as np

from tensorforge.layers import Dense
from tensorforge.models import Sequential
from tensorforge.optimizers import Adam
from tensorforge.utils import set_random_seed

set_random_seed(0)
x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
y = np.array([[0], [1], [1], [0]], dtype="float32")

model = Sequential([
    Dense(8, activation="tanh", input_dim=2),
    Dense(1, activation="sigmoid"),
])
model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size=4, epochs=300, verbose=0)

p = np.asarray(model.predict(x, verbose=0)).ravel()
for (a, b), pi in zip(x.astype(int), p):
    print(f"{a} xor {b} -> {pi:.3f}")
print("predictions:", " ".join(str(int(v > 0.5)) for v in p))
