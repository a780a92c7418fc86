"""Training speed of the classic Keras 2 programs' models: tensorforge vs tf_keras (TensorFlow 2.21
CPU, oneDNN; fit and train_on_batch run tf.functions), each side in its own process.

The models are those of the keras-team 2.x examples our users start from (mnist_mlp, mnist_cnn,
imdb_lstm, a GAN's train_on_batch loop, a GradientTape loop under tf.function, a GRU reading image
rows); the data are random arrays of the programs' shapes. Per model: one warm-up call (fit of the
same size, or --steps train steps), then --rounds timed calls of --steps steps; prints the median
wall ms and process CPU ms per step as JSON lines, and the final loss (finite: checked).

    PYTHONPATH=python OMP_NUM_THREADS=2 python3 bench/keras_fit_speed.py --side ours --threads 2
    OMP_NUM_THREADS=2 /work/keras-venv/bin/python bench/keras_fit_speed.py --side keras --threads 2
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np


def _modules(side, threads):
    if side == "ours":
        import tensorforge as tf
        from tensorforge import keras
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        import tf_keras as keras
    return tf, keras


def _mlp(keras):
    L = keras.layers
    m = keras.Sequential([L.Dense(512, activation="relu", input_shape=(784,)), L.Dropout(0.2),
                          L.Dense(512, activation="relu"), L.Dropout(0.2),
                          L.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
              metrics=["accuracy"])
    return m, (784,), 10, 128


def _cnn(keras):
    L = keras.layers
    m = keras.Sequential([L.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                          L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
                          L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
                          L.Dropout(0.5), L.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(),
              metrics=["accuracy"])
    return m, (28, 28, 1), 10, 128


def _imdb_lstm(keras):
    L = keras.layers
    m = keras.Sequential([L.Embedding(20000, 128, input_length=80),
                          L.LSTM(128, dropout=0.2, recurrent_dropout=0.2),
                          L.Dense(1, activation="sigmoid")])
    m.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m, "tokens", 1, 32


def _gru_rows(keras):
    L = keras.layers
    m = keras.Sequential([L.GRU(128, input_shape=(28, 28)), L.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m, (28, 28), 10, 64


FIT_MODELS = {"mlp": _mlp, "cnn": _cnn, "imdb_lstm": _imdb_lstm, "gru_rows": _gru_rows}


def _data(rng, shape, classes, n):
    x = (rng.integers(1, 20000, size=(n, 80)).astype("int32") if shape == "tokens"
         else rng.random((n,) + shape, dtype=np.float32))
    if classes == 1:
        y = rng.integers(0, 2, size=(n, 1)).astype("float32")
    else:
        y = np.eye(classes, dtype="float32")[rng.integers(0, classes, size=n)]
    return x, y


def _timed(call, rounds):
    walls, cpus, out = [], [], None
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        out = call()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def bench_fit(name, keras, steps, rounds, rng):
    model, shape, classes, batch = FIT_MODELS[name](keras)
    x, y = _data(rng, shape, classes, batch * steps)

    def call():
        h = model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        return h.history["loss"][-1]
    call()
    wall, cpu, loss = _timed(call, rounds)
    return {"model": name, "batch": batch, "wall_ms_step": 1e3 * wall / steps,
            "cpu_ms_step": 1e3 * cpu / steps, "loss": float(loss)}


def bench_gan(keras, steps, rounds, rng):
    """The keras GAN examples' loop: d.train_on_batch on real and fake, then the stacked model."""
    L, batch, latent = keras.layers, 64, 100
    g = keras.Sequential([L.Dense(256, input_dim=latent), L.LeakyReLU(0.2),
                          L.BatchNormalization(momentum=0.8), L.Dense(512), L.LeakyReLU(0.2),
                          L.BatchNormalization(momentum=0.8), L.Dense(784, activation="tanh")])
    d = keras.Sequential([L.Dense(512, input_dim=784), L.LeakyReLU(0.2), L.Dense(256),
                          L.LeakyReLU(0.2), L.Dense(1, activation="sigmoid")])
    d.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.0002, 0.5),
              metrics=["accuracy"])
    d.trainable = False
    z = keras.Input((latent,))
    combined = keras.Model(z, d(g(z)))
    combined.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.0002, 0.5))
    real = rng.random((batch * 8, 784), dtype=np.float32) * 2 - 1
    ones, zeros = np.ones((batch, 1), "float32"), np.zeros((batch, 1), "float32")

    def call():
        for s in range(steps):
            noise = rng.standard_normal((batch, latent)).astype("float32")
            fake = g.predict(noise, verbose=0)
            i = (s % 8) * batch
            d.train_on_batch(real[i:i + batch], ones)
            d.train_on_batch(fake, zeros)
            loss = combined.train_on_batch(noise, ones)
        return loss
    call()
    wall, cpu, loss = _timed(call, rounds)
    return {"model": "gan_train_on_batch", "batch": batch, "wall_ms_step": 1e3 * wall / steps,
            "cpu_ms_step": 1e3 * cpu / steps, "loss": float(np.ravel(loss)[0])}


def bench_tape(tf, keras, steps, rounds, rng):
    """A TensorFlow 2 guide's custom loop: GradientTape inside a tf.function, an MLP, Adam."""
    L, batch = keras.layers, 64
    model = keras.Sequential([L.Dense(256, activation="relu", input_shape=(784,)),
                              L.Dense(256, activation="relu"), L.Dense(10)])
    opt = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = rng.random((batch * steps, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=batch * steps).astype("int32")

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
        return loss

    def call():
        for s in range(steps):
            loss = step(x[s * batch:(s + 1) * batch], y[s * batch:(s + 1) * batch])
        return float(loss)
    call()
    wall, cpu, loss = _timed(call, rounds)
    return {"model": "tape_tf_function", "batch": batch, "wall_ms_step": 1e3 * wall / steps,
            "cpu_ms_step": 1e3 * cpu / steps, "loss": loss}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", choices=["ours", "keras"], required=True)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", 1)))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    tf, keras = _modules(a.side, a.threads)
    names = a.only or list(FIT_MODELS) + ["gan_train_on_batch", "tape_tf_function"]
    for name in names:
        rng = np.random.default_rng(0)
        if name in FIT_MODELS:
            r = bench_fit(name, keras, a.steps, a.rounds, rng)
        elif name == "gan_train_on_batch":
            r = bench_gan(keras, a.steps, a.rounds, rng)
        else:
            r = bench_tape(tf, keras, a.steps, a.rounds, rng)
        if not math.isfinite(r["loss"]):
            raise SystemExit(f"{name}: loss {r['loss']} is not finite")
        r.update(side=a.side, threads=a.threads)
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                          for k, v in r.items()}), flush=True)


if __name__ == "__main__":
    main()
