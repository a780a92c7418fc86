"""WGAN-GP discriminator step on an LSTM critic (LSTM(32) on (16, 20, 8) sequences, then Dense(1)):
CPU time of the step without and with the nested-tape gradient penalty, whose second derivative
through the recurrent op is recomputed step by step in Tensor ops (ops/double_backward_rnn.py).
Checks first: the penalized loss's gradient along a random direction of the LSTM kernel against a
central difference. Run: PYTHONPATH=python python3 bench/wgan_gp_rnn_cputime.py
"""
import time

import numpy as np

import tensorforge as tf
from tensorforge import layers

tf.set_num_threads(2)
tf.random.set_seed(0)
model = tf.keras.Sequential([layers.LSTM(32, input_shape=(20, 8)), layers.Dense(1)])
rng = np.random.default_rng(0)
real, fake = (tf.convert_to_tensor(rng.uniform(-1, 1, (16, 20, 8)).astype("float32"))
              for _ in range(2))
alpha = tf.convert_to_tensor(rng.uniform(0, 1, (16, 1, 1)).astype("float32"))


def step(gp_on):
    """(loss, gradients of the weights) of one discriminator step."""
    with tf.GradientTape() as tape:
        d = tf.reduce_mean(model(fake, training=True)) - tf.reduce_mean(model(real, training=True))
        if gp_on:
            inter = real + alpha * (fake - real)
            with tf.GradientTape() as gt:
                gt.watch(inter)
                p = model(inter, training=True)
            g = gt.gradient(p, [inter])[0]
            norm = tf.sqrt(tf.reduce_sum(tf.square(g), axis=[1, 2]))
            d = d + 10.0 * tf.reduce_mean((norm - 1.0) ** 2)
    return float(d), tape.gradient(d, model.trainable_variables)


# check: d(loss)/d(kernel) . v against a central difference along v
kernel = model.trainable_variables[0]
v = rng.standard_normal(kernel.shape).astype(np.float32)
_, grads = step(True)
orig = kernel.numpy().copy()
vals = []
for s in (1, -1):
    kernel.assign(orig + s * 1e-3 * v)
    vals.append(step(True)[0])
kernel.assign(orig)
ours, num = float((grads[0].numpy().astype(np.float64) * v).sum()), (vals[0] - vals[1]) / 2e-3
assert abs(ours - num) <= 2e-2 * max(1.0, abs(num)), (ours, num)
print(f"check: gradient . v {ours:.5f}, central difference {num:.5f}")

for gp_on in (False, True):
    step(gp_on)  # warm-up
    ts = []
    for _ in range(5):
        t0 = time.process_time()
        step(gp_on)
        ts.append(time.process_time() - t0)
    print("with gradient penalty" if gp_on else "no penalty", f"median CPU {1000 * sorted(ts)[2]:.1f} ms")
