"""A variational autoencoder: a custom Sampling layer (the reparameterization trick) and the KL
term added with add_loss, so compile() needs no loss.

    python examples/vae_mnist.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/vae_mnist.py   # a quick slice (tests)
"""
import os

import numpy as np

from tensorforge import backend as K
from tensorforge.datasets import mnist
from tensorforge.layers import Dense, Input, Layer
from tensorforge.losses import binary_crossentropy
from tensorforge.models import Model
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))
epochs = 8 if LIMIT else 10
original_dim, intermediate_dim, latent_dim = 784, 256, 2


class Sampling(Layer):
    """z = mean + exp(log_var / 2) * eps, eps ~ N(0, 1): differentiable in mean and log_var."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = K.random_normal(shape=(K.shape(z_mean)[0], K.int_shape(z_mean)[1]))
        return z_mean + K.exp(0.5 * z_log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]


set_random_seed(3)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if LIMIT:
    x_train, x_test = x_train[:LIMIT], x_test[:LIMIT]
x_train = x_train.reshape(-1, original_dim).astype("float32") / 255
x_test = x_test.reshape(-1, original_dim).astype("float32") / 255

inputs = Input(shape=(original_dim,), name="encoder_input")
h = Dense(intermediate_dim, activation="relu")(inputs)
z_mean = Dense(latent_dim, name="z_mean")(h)
z_log_var = Dense(latent_dim, name="z_log_var")(h)
z = Sampling(name="z")([z_mean, z_log_var])
encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")

latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
h = Dense(intermediate_dim, activation="relu")(latent_inputs)
outputs = Dense(original_dim, activation="sigmoid")(h)
decoder = Model(latent_inputs, outputs, name="decoder")

outputs = decoder(encoder(inputs)[2])
vae = Model(inputs, outputs, name="vae")
reconstruction = binary_crossentropy(inputs, outputs) * original_dim
kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
vae.add_loss(K.mean(reconstruction + kl))
vae.compile(optimizer="adam")
vae.summary()
before = float(vae.evaluate(x_test, None, verbose=0))
vae.fit(x_train, epochs=epochs, batch_size=128, verbose=2, validation_data=(x_test, None))
after = float(vae.evaluate(x_test, None, verbose=0))
z_test = encoder.predict(x_test)[0]
print(f"vae loss before training: {before:.2f}")
print(f"vae loss after training: {after:.2f}")
print(f"latent means: {z_test.shape}, spread {float(z_test.std()):.3f}")
