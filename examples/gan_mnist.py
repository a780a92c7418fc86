"""A small GAN on digits, trained with train_on_batch: the discriminator is compiled on its own;
then, with discriminator.trainable = False, the stacked generator -> discriminator model is
compiled, so its train_on_batch moves only the generator (the Keras 2 pattern).

    python examples/gan_mnist.py
    TENSORFORGE_EXAMPLE_LIMIT=1000 python examples/gan_mnist.py   # a quick slice (tests)
"""
import os

import numpy as np

from tensorforge.datasets import mnist
from tensorforge.layers import Dense, Input, LeakyReLU
from tensorforge.models import Model, Sequential
from tensorforge.optimizers import Adam
from tensorforge.utils import set_random_seed

LIMIT = int(os.environ.get("TENSORFORGE_EXAMPLE_LIMIT", "0"))
steps = 300 if LIMIT else 3000
latent_dim, batch = 32, 64

set_random_seed(4)
rng = np.random.default_rng(4)
(x_train, _), _ = mnist.load_data()
if LIMIT:
    x_train = x_train[:LIMIT]
x_train = x_train.reshape(-1, 784).astype("float32") / 127.5 - 1.0   # [-1, 1], as tanh outputs

generator = Sequential([Dense(128, input_dim=latent_dim), LeakyReLU(0.2),
                        Dense(784, activation="tanh")], name="generator")
discriminator = Sequential([Dense(128, input_dim=784), LeakyReLU(0.2),
                            Dense(1, activation="sigmoid")], name="discriminator")
discriminator.compile(optimizer=Adam(lr=2e-4, beta_1=0.5), loss="binary_crossentropy",
                      metrics=["accuracy"])

discriminator.trainable = False
z = Input(shape=(latent_dim,))
gan = Model(z, discriminator(generator(z)), name="gan")
gan.compile(optimizer=Adam(lr=2e-4, beta_1=0.5), loss="binary_crossentropy")
gan.summary()

d_before = [w.copy() for w in discriminator.get_weights()]
for step in range(steps):
    real = x_train[rng.integers(0, len(x_train), batch)]
    # (verbose=0: predict prints a progress bar per call by default, as tf.keras 2 does)
    fake = generator.predict(rng.normal(size=(batch, latent_dim)).astype("float32"), verbose=0)
    d_loss, d_acc = discriminator.train_on_batch(np.concatenate([real, fake]),
                                                 np.r_[np.ones(batch), np.zeros(batch)])
    g_before = discriminator.get_weights()
    g_loss = gan.train_on_batch(rng.normal(size=(batch, latent_dim)).astype("float32"),
                                np.ones(batch))
    frozen = all(np.array_equal(a, b) for a, b in zip(g_before, discriminator.get_weights()))
    if step % 100 == 0:
        print(f"step {step}: d_loss {d_loss:.3f} d_acc {d_acc:.3f} g_loss {float(g_loss):.3f}")

samples = generator.predict(rng.normal(size=(256, latent_dim)).astype("float32"))
real = x_train[:256]
print(f"discriminator frozen inside the gan step: {frozen}")
print(f"discriminator trained on its own: {not all(np.array_equal(a, b) for a, b in zip(d_before, discriminator.get_weights()))}")
print(f"sample mean: {samples.mean():.3f} (real {real.mean():.3f})")
print(f"sample std: {samples.std():.3f} (real {real.std():.3f})")
