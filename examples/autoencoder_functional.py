"""A dense autoencoder written with the functional API: the encoder and the decoder are models of
their own, and the autoencoder is the decoder called on the encoder called on the input.

    python examples/autoencoder_functional.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/autoencoder_functional.py   # a quick slice (tests)
"""
import os

import numpy as np

from tensorforge.datasets import mnist
from tensorforge.layers import Dense, Input
from tensorforge.models import Model
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))  # 0: all samples
epochs = 5 if LIMIT else 10
latent_dim = 32

set_random_seed(1)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, x_test, y_test = x_train[:LIMIT], x_test[:LIMIT], y_test[:LIMIT]
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

inputs = Input(shape=(784,), name="encoder_input")
h = Dense(128, activation="relu")(inputs)
code = Dense(latent_dim, activation="relu", name="code")(h)
encoder = Model(inputs, code, name="encoder")

latent_inputs = Input(shape=(latent_dim,), name="decoder_input")
h = Dense(128, activation="relu")(latent_inputs)
outputs = Dense(784, activation="sigmoid")(h)
decoder = Model(latent_inputs, outputs, name="decoder")

autoencoder = Model(inputs, decoder(encoder(inputs)), name="autoencoder")
autoencoder.summary()
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
before = float(autoencoder.evaluate(x_test, x_test, verbose=0))
autoencoder.fit(x_train, x_train, batch_size=64, epochs=epochs, shuffle=True, verbose=2,
                validation_data=(x_test, x_test))
after = float(autoencoder.evaluate(x_test, x_test, verbose=0))

# The encoder shares its weights with the trained autoencoder: its codes now separate digits.
codes = encoder.predict(x_test)
centroids = np.stack([codes[y_test == d].mean(axis=0) for d in range(10)])
nearest = np.argmin(((codes[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
print(f"reconstruction loss before training: {before:.4f}")
print(f"reconstruction loss after training: {after:.4f}")
print(f"code shape: {codes.shape}")
print(f"nearest-centroid accuracy of the codes: {np.mean(nearest == y_test):.4f}")
