"""keras-team examples/lstm_stateful.py: a stateful LSTM with a fixed batch size, trained
epoch by epoch with shuffle=False and reset_states() between epochs."""
import numpy as np
from keras.layers import LSTM, Dense
from keras.models import Sequential

input_len, tsteps, lahead, batch_size, epochs = 1000, 2, 2, 1, 2
rng = np.random.default_rng(0)
data = rng.uniform(-0.1, 0.1, input_len + lahead)
x = np.stack([data[i:i + tsteps] for i in range(input_len - tsteps)])[..., None].astype("float32")
y = np.array([data[i + tsteps - lahead:i + tsteps].mean() for i in range(input_len - tsteps)],
             dtype="float32")[:, None]
model = Sequential()
model.add(LSTM(20, input_shape=(tsteps, 1), batch_size=batch_size, return_sequences=False,
               stateful=True))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")
for i in range(epochs):
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=1, shuffle=False)
    model.reset_states()
print("predicted", model.predict(x[:4], batch_size=batch_size).ravel())
