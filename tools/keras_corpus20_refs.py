"""Keras 2's (tf_keras') figures the tests in tests/test_corpus20.py hold, printed by running
the same computations under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's
oracle):

    /work/keras-venv/bin/python tools/keras_corpus20_refs.py

It writes nothing; the printed values were copied into the tests. Generative Deep Learning's
VAE and WGAN-GP compile losses over the model's own graph tensors (Keras 2.2 graph mode), which
tf_keras 2.21 refuses; the figures are printed for what Keras 2.2 computed: the VAE's KL term
as add_loss (the same total loss and gradient), the gradient penalty with a GradientTape over
the interpolated images.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import backend as K

np.set_printoptions(precision=7, suppress=True)
rng = np.random.RandomState(20)
X = rng.uniform(0, 1, (6, 4)).astype("float32")
W_H = rng.normal(0, 0.5, (4, 3)).astype("float32")
W_MU = rng.normal(0, 0.5, (3, 2)).astype("float32")
W_LV = rng.normal(0, 0.5, (3, 2)).astype("float32")
W_OUT = rng.normal(0, 0.5, (2, 4)).astype("float32")
ZERO = [np.zeros(3, "float32"), np.zeros(2, "float32"), np.zeros(2, "float32"),
        np.zeros(4, "float32")]

# 1. a VAE whose KL term is a loss over mu / log_var (03_03's vae_loss), without the sampling
#    noise (z = mu + exp(log_var / 2)): one SGD(0.1) step. Keras 2.2's compile-time loss equals
#    r_loss + kl per sample, i.e. loss=r_loss plus add_loss(mean(kl)).
inp = keras.Input((4,))
h = keras.layers.Dense(3, name="h")(inp)
mu = keras.layers.Dense(2, name="mu")(h)
log_var = keras.layers.Dense(2, name="log_var")(h)
z = keras.layers.Lambda(lambda a: a[0] + K.exp(a[1] / 2))([mu, log_var])
out = keras.layers.Dense(4, name="out")(z)
vae = keras.Model(inp, out)
for name, w, b in (("h", W_H, ZERO[0]), ("mu", W_MU, ZERO[1]), ("log_var", W_LV, ZERO[2]),
                   ("out", W_OUT, ZERO[3])):
    vae.get_layer(name).set_weights([w, b])
kl = -0.5 * K.sum(1 + log_var - K.square(mu) - K.exp(log_var), axis=1)
vae.add_loss(K.mean(kl))
vae.add_metric(kl, name="vae_kl_loss", aggregation="mean")
vae.compile(optimizer=keras.optimizers.legacy.SGD(0.1),
            loss=lambda t, p: K.mean(K.square(t - p), axis=1))
print("vae train_on_batch [loss, kl]:", vae.train_on_batch(X, X))
print("vae mu kernel after:", vae.get_layer("mu").get_weights()[0].tolist())
print("vae h kernel after:", vae.get_layer("h").get_weights()[0].tolist())

# 2. a WGAN-GP critic step: critic Dense(1) on images (2, 2, 1); interpolated = 0.3 real +
#    0.7 fake; loss = -mean(valid) + 10 * mean((1 - ||d critic(interp) / d interp||)^2), one
#    SGD(0.05) step; the penalty term alone and the critic kernel after
real = rng.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
fake = rng.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
Wc = rng.normal(0, 0.5, (4, 3)).astype("float32")
Wd = rng.normal(0, 0.5, (3, 1)).astype("float32")
cin = keras.Input((2, 2, 1))
c = keras.layers.Flatten()(cin)
c = keras.layers.Dense(3, activation="tanh", name="c1")(c)
c = keras.layers.Dense(1, name="c2")(c)
critic = keras.Model(cin, c)
critic.get_layer("c1").set_weights([Wc, np.zeros(3, "float32")])
critic.get_layer("c2").set_weights([Wd, np.zeros(1, "float32")])
interp = tf.constant(0.3 * real + 0.7 * fake)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        inner.watch(interp)
        v_int = critic(interp)
    g = inner.gradient(v_int, interp)
    norm = K.sqrt(K.sum(K.square(g), axis=np.arange(1, 4)))
    gp = K.mean(K.square(1 - norm))
    valid = critic(tf.constant(real))
    total = -K.mean(valid) + 10.0 * gp
grads = outer.gradient(total, critic.trainable_weights)
print("wgan-gp penalty:", float(gp), "total:", float(total))
print("wgan-gp c1 kernel after:", (Wc - 0.05 * grads[0].numpy()).tolist())
print("wgan-gp c2 kernel after:", (Wd - 0.05 * grads[2].numpy()).tolist())

# 3. a KerasTensor's trainable attribute (06_02's decoder_emb.trainable = False)
t = keras.layers.Embedding(10, 4)(keras.Input((3,)))
print("KerasTensor has trainable before:", hasattr(t, "trainable"))
t.trainable = False
print("KerasTensor trainable after set:", t.trainable)

# 4. K.sum over axis=np.arange(1, 4)
a = np.arange(24, dtype="float32").reshape(2, 3, 2, 2)
print("K.sum(axis=np.arange(1, 4)):", K.sum(a, axis=np.arange(1, 4)).numpy().tolist())
