"""keras-team examples/mnist_denoising_autoencoder.py: Conv2D encoder, Conv2DTranspose decoder."""
import numpy as np
from keras.datasets import mnist
from keras.layers import Activation, Conv2D, Conv2DTranspose, Dense, Flatten, Input, Reshape
from keras.models import Model

np.random.seed(1337)
(x_train, _), (x_test, _) = mnist.load_data()
x_train = np.reshape(x_train, [-1, 28, 28, 1]).astype("float32") / 255
x_test = np.reshape(x_test, [-1, 28, 28, 1]).astype("float32") / 255
x_train_noisy = np.clip(x_train + np.random.normal(0.5, 0.5, x_train.shape), 0, 1)
x_test_noisy = np.clip(x_test + np.random.normal(0.5, 0.5, x_test.shape), 0, 1)
inputs = Input(shape=(28, 28, 1), name="encoder_input")
x = inputs
for filters in [32, 64]:
    x = Conv2D(filters=filters, kernel_size=3, strides=2, activation="relu", padding="same")(x)
shape = x.shape
x = Flatten()(x)
latent = Dense(16, name="latent_vector")(x)
x = Dense(shape[1] * shape[2] * shape[3])(latent)
x = Reshape((shape[1], shape[2], shape[3]))(x)
for filters in [64, 32]:
    x = Conv2DTranspose(filters=filters, kernel_size=3, strides=2, activation="relu", padding="same")(x)
x = Conv2DTranspose(filters=1, kernel_size=3, padding="same")(x)
outputs = Activation("sigmoid", name="decoder_output")(x)
autoencoder = Model(inputs, outputs, name="autoencoder")
autoencoder.summary()
autoencoder.compile(loss="mse", optimizer="adam")
autoencoder.fit(x_train_noisy, x_train, validation_data=(x_test_noisy, x_test), epochs=2, batch_size=128)
