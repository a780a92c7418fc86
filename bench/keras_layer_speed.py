"""One training step of a small model around each Keras 2 layer: tensorforge vs tf_keras, each
side in its own process (a scan for layers whose path is slow, as recurrent_dropout's was).

Each case is Input -> the layer (+ what it needs around it) -> Flatten / pooling -> Dense(1),
MSE, Adam(1e-4), trained with fit on random data; per case one warm-up fit, then --rounds fits
of --steps steps and --rounds of 3 x --steps: a step's cost is the difference of the medians per
extra step (what one fit call costs besides its steps is printed apart); JSON lines.

    PYTHONPATH=python OMP_NUM_THREADS=2 python3 bench/keras_layer_speed.py --side ours
    OMP_NUM_THREADS=2 /work/keras-venv/bin/python bench/keras_layer_speed.py --side keras
    python3 bench/keras_layer_speed.py --compare ours.jsonl keras.jsonl
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

from keras_fit_speed import _modules  # (bench/ is the script's folder)

# name: (input shape without batch, batch, a function (keras.layers) -> list of layers)
CASES = {
    "dense_relu": ((512,), 128, lambda L: [L.Dense(512, activation="relu")]),
    "conv2d_3x3": ((32, 32, 16), 32, lambda L: [L.Conv2D(32, 3, padding="same", activation="relu")]),
    "conv2d_5x5_valid": ((28, 28, 1), 64, lambda L: [L.Conv2D(32, 5, activation="relu")]),
    "conv2d_stride2": ((32, 32, 16), 32, lambda L: [L.Conv2D(32, 3, strides=2, padding="same")]),
    "conv2d_dilated": ((32, 32, 16), 32, lambda L: [L.Conv2D(16, 3, dilation_rate=2, padding="same")]),
    "separable_conv2d": ((32, 32, 16), 32, lambda L: [L.SeparableConv2D(32, 3, padding="same")]),
    "depthwise_conv2d": ((32, 32, 32), 32, lambda L: [L.DepthwiseConv2D(3, padding="same")]),
    "conv2d_transpose": ((16, 16, 32), 32, lambda L: [L.Conv2DTranspose(16, 3, strides=2, padding="same")]),
    "conv1d_causal_dilated": ((128, 32), 32, lambda L: [L.Conv1D(32, 3, padding="causal", dilation_rate=4)]),
    "conv3d": ((8, 16, 16, 4), 8, lambda L: [L.Conv3D(8, 3, padding="same")]),
    "maxpool_then_upsample": ((32, 32, 16), 32, lambda L: [L.MaxPooling2D(), L.UpSampling2D()]),
    "avgpool_3x3_s2": ((32, 32, 16), 32, lambda L: [L.AveragePooling2D(3, 2, padding="same")]),
    "batchnorm_conv": ((32, 32, 16), 32, lambda L: [L.BatchNormalization()]),
    "layernorm": ((64, 128), 32, lambda L: [L.LayerNormalization()]),
    "dropout_spatial": ((32, 32, 16), 32, lambda L: [L.SpatialDropout2D(0.2), L.GaussianNoise(0.1)]),
    "lstm": ((50, 32), 32, lambda L: [L.LSTM(64)]),
    "gru_return_seq": ((50, 32), 32, lambda L: [L.GRU(64, return_sequences=True)]),
    "bidirectional_lstm": ((50, 32), 32, lambda L: [L.Bidirectional(L.LSTM(32))]),
    "lstm_recurrent_dropout": ((50, 32), 32, lambda L: [L.LSTM(64, recurrent_dropout=0.2)]),
    "simple_rnn": ((50, 32), 32, lambda L: [L.SimpleRNN(64)]),
    "conv_lstm2d": ((5, 16, 16, 4), 8, lambda L: [L.ConvLSTM2D(8, 3, padding="same")]),
    "time_distributed_dense": ((50, 32), 32, lambda L: [L.TimeDistributed(L.Dense(64))]),
    "attention_mha": ((32, 64), 32, lambda L: [L.MultiHeadAttention(4, 16)]),
    "embedding_flatten": ("tokens", 32, lambda L: [L.Embedding(5000, 32), L.Flatten()]),
    "global_avg_pool": ((32, 32, 16), 32, lambda L: [L.GlobalAveragePooling2D()]),
    "leaky_prelu": ((512,), 128, lambda L: [L.Dense(256), L.LeakyReLU(0.2), L.Dense(256), L.PReLU()]),
    "cropping_zeropad": ((32, 32, 16), 32, lambda L: [L.ZeroPadding2D(2), L.Cropping2D(1)]),
    "reshape_permute": ((64, 32), 32, lambda L: [L.Reshape((32, 64)), L.Permute((2, 1))]),
    # session 30: more of what the corpora's programs train with
    "conv1d_maxpool1d": ((100, 64), 32, lambda L: [L.Conv1D(64, 5, activation="relu"),
                                                   L.MaxPooling1D(2)]),
    "global_max_pool1d": ((100, 64), 32, lambda L: [L.GlobalMaxPooling1D()]),
    "embedding_avgpool1d": ("tokens", 32, lambda L: [L.Embedding(5000, 64),
                                                     L.GlobalAveragePooling1D()]),
    "embedding_lstm_mask": ("tokens", 32, lambda L: [L.Embedding(5000, 32, mask_zero=True),
                                                     L.LSTM(32)]),
    "stacked_lstm": ((50, 32), 32, lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(64)]),
    "bidirectional_gru_seq": ((50, 32), 32, lambda L: [L.Bidirectional(
        L.GRU(32, return_sequences=True))]),
    "attention_dot": ((32, 64), 32, lambda L: [L.Attention()]),
    "batchnorm_dense": ((512,), 128, lambda L: [L.Dense(256), L.BatchNormalization(),
                                                L.Activation("relu")]),
    "dense_dropout_wide": ((784,), 128, lambda L: [L.Dense(1024, activation="relu"),
                                                   L.Dropout(0.5),
                                                   L.Dense(1024, activation="relu")]),
    "gelu_softmax": ((512,), 128, lambda L: [L.Dense(256, activation="gelu"), L.Dense(64),
                                             L.Softmax()]),
    "regularized_dense": ((512,), 128, lambda L: [L.Dense(256, kernel_regularizer="l2",
                                                          activity_regularizer="l1")]),
    "maxpool_3x3_s2": ((32, 32, 16), 32, lambda L: [L.MaxPooling2D(3, 2, padding="same")]),
    "conv2d_1x1": ((16, 16, 128), 32, lambda L: [L.Conv2D(128, 1, activation="relu")]),
    "group_norm": ((32, 32, 16), 32, lambda L: [L.GroupNormalization(4)]),
    "rescale_resize": ((32, 32, 3), 32, lambda L: [L.Rescaling(1 / 255.0), L.Resizing(16, 16)]),
    "random_flip_rotation": ((32, 32, 3), 32, lambda L: [L.RandomFlip("horizontal"),
                                                         L.RandomRotation(0.1)]),
    "upsample1d_zeropad1d": ((50, 32), 32, lambda L: [L.UpSampling1D(2), L.ZeroPadding1D(1)]),
}


def _model(keras, name):
    shape, batch, make = CASES[name]
    L = keras.layers
    inp = keras.Input((20,) if shape == "tokens" else shape)
    y = inp
    for layer in make(L):
        y = (layer(y, y) if isinstance(layer, L.MultiHeadAttention)
             else layer([y, y]) if isinstance(layer, L.Attention) else layer(y))
    if len(y.shape) > 2:
        y = L.Flatten()(y)
    model = keras.Model(inp, L.Dense(1)(y))
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(1e-4))
    return model, shape, batch


def run(side, threads, steps, rounds, only):
    keras = _modules(side, threads)[1]
    for name in only or CASES:
        model, shape, batch = _model(keras, name)
        rng = np.random.default_rng(0)
        n = batch * 3 * steps
        x = (rng.integers(1, 5000, (n, 20)) if shape == "tokens"
             else rng.standard_normal((n,) + shape).astype("float32"))
        y = rng.standard_normal((n, 1)).astype("float32")
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        cost = {}
        for k in (1, 3):  # a fit of `steps` and of 3 x `steps` steps: the difference per step
            walls, cpus = [], []
            for _ in range(rounds):
                w0, c0 = time.perf_counter(), time.process_time()
                h = model.fit(x[:batch * k * steps], y[:batch * k * steps], batch_size=batch,
                              epochs=1, verbose=0, shuffle=False)
                walls.append(time.perf_counter() - w0)
                cpus.append(time.process_time() - c0)
            cost[k] = (statistics.median(cpus), statistics.median(walls))
        loss = h.history["loss"][-1]
        if not np.isfinite(loss):
            raise SystemExit(f"{name}: loss {loss} is not finite")
        cpu, wall = ((cost[3][i] - cost[1][i]) / (2 * steps) for i in (0, 1))
        print(json.dumps({"case": name, "side": side, "threads": threads,
                          "cpu_ms_step": round(1e3 * cpu, 3), "wall_ms_step": round(1e3 * wall, 3),
                          "fit_overhead_cpu_ms": round(1e3 * (cost[1][0] - cpu * steps), 2)}),
              flush=True)


def compare(ours_path, keras_path):
    def load(p):
        with open(p) as f:
            return {r["case"]: r for r in map(json.loads, (ln for ln in f if ln.startswith("{")))}
    ours, kr = load(ours_path), load(keras_path)
    print("| case | ours CPU / wall ms | tf_keras CPU / wall ms | ours / tf_keras (CPU) |")
    print("|---|---|---|---|")
    for name in CASES:
        if name in ours and name in kr:
            o, k = ours[name], kr[name]
            print(f"| {name} | {o['cpu_ms_step']:.2f} / {o['wall_ms_step']:.2f} | "
                  f"{k['cpu_ms_step']:.2f} / {k['wall_ms_step']:.2f} | "
                  f"{o['cpu_ms_step'] / k['cpu_ms_step']:.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", choices=["ours", "keras"])
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", 1)))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--compare", nargs=2, metavar=("OURS_JSONL", "KERAS_JSONL"))
    a = ap.parse_args()
    if a.compare:
        compare(*a.compare)
    elif a.side:
        run(a.side, a.threads, a.steps, a.rounds, a.only)
    else:
        ap.error("--side or --compare")


if __name__ == "__main__":
    main()
