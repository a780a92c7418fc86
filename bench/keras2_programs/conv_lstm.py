"""keras-team examples/conv_lstm.py (smaller): stacked ConvLSTM2D with BatchNormalization, a
Conv3D output layer predicting the next frame of moving squares."""
import numpy as np
from keras.layers import BatchNormalization, Conv3D, ConvLSTM2D
from keras.models import Sequential

seq = Sequential()
seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), input_shape=(None, 20, 20, 1), padding="same",
                   return_sequences=True))
seq.add(BatchNormalization())
seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same", return_sequences=True))
seq.add(BatchNormalization())
seq.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same",
               data_format="channels_last"))
seq.compile(loss="binary_crossentropy", optimizer="adadelta")


def generate_movies(n_samples=100, n_frames=6):
    rng = np.random.default_rng(0)
    row = col = 40
    noisy = np.zeros((n_samples, n_frames, row, col, 1), dtype=np.float32)
    shifted = np.zeros_like(noisy)
    for i in range(n_samples):
        for _ in range(rng.integers(2, 4)):
            xs, ys = rng.integers(10, 30), rng.integers(10, 30)
            dx, dy = rng.integers(-1, 2), rng.integers(-1, 2)
            w = rng.integers(2, 4)
            for t in range(n_frames):
                x, y = xs + dx * t, ys + dy * t
                noisy[i, t, x - w:x + w, y - w:y + w, 0] += 1
                shifted[i, t, x + dx - w:x + dx + w, y + dy - w:y + dy + w, 0] += 1
    noisy, shifted = noisy[:, :, 10:30, 10:30], shifted[:, :, 10:30, 10:30]
    return np.clip(noisy, 0, 1), np.clip(shifted, 0, 1)


noisy_movies, shifted_movies = generate_movies()
seq.fit(noisy_movies[:80], shifted_movies[:80], batch_size=10, epochs=2, validation_split=0.05)
