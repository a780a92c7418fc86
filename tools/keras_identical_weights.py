"""Same model, same starting weights, no randomness: does tensorforge train as Keras 2 does?

    python3 tools/keras_identical_weights.py CASE [--keras-python ../keras-venv/bin/python]
    CASE: mlp_rmsprop | mlp_adam | cnn_adadelta | sigmoid_categorical | imdb_lstm_adam

The check behind a gap that tools/keras_parity.py finds between the two sides of a corpus
program: the program's model without its random parts (no dropout, no shuffling), started on
both sides from the same weights (drawn by tensorforge, loaded into tf_keras with
set_weights), trained 3 epochs on the first 2,048 bundled digits at 1 thread. Equal per-epoch
losses (to float32 rounding growing over the steps) mean the forward pass, the loss, the
gradients and the optimizer agree, so a gap between seeded runs of the program is seed noise
(its initial weights and dropout masks); unequal ones name a semantic difference to find.
The cases are the models of mnist_mlp (RMSprop), adl_ch1_mlp_mnist (Adam), mnist_cnn (Adadelta
at tf.keras's default lr) and the subclassing guide's sigmoid output under categorical
cross-entropy, and imdb_lstm's Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid) under
Adam and binary cross-entropy (on 512 synthetic reviews of 80 tokens, batch 32; its dropout and
recurrent_dropout left out). Optimizers: tf_keras's optimizers.legacy (Keras 2's update rules).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CASES = ("mlp_rmsprop", "mlp_adam", "cnn_adadelta", "sigmoid_categorical", "imdb_lstm_adam")


def reviews(n=512, T=80, vocab=20000):
    """Token sequences whose label shows in the words: 10% of a positive review's tokens come
    from ids 1-499, of a negative one's from 500-999, the rest uniformly from 1000-19999."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, n)
    x = rng.integers(1000, vocab, (n, T))
    hint = rng.random((n, T)) < 0.1
    x = np.where(hint, rng.integers(1, 500, (n, T)) + 500 * (1 - y)[:, None], x)
    return x.astype(np.float32), y.astype(np.float32)


def digits(n=2048):
    d = os.path.join(REPO, "python", "tensorforge", "datasets", "data")

    def idx(name):
        with gzip.open(os.path.join(d, name), "rb") as f:
            b = f.read()
        dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(b[3])]
        return np.frombuffer(b, np.uint8, offset=4 + 4 * b[3]).reshape(dims)
    x = idx("t10k-images-idx3-ubyte.gz")[:n].astype(np.float32) / 255
    return x, np.eye(10, dtype=np.float32)[idx("t10k-labels-idx1-ubyte.gz")[:n]]


def build(K, opts, case):
    L = K.layers
    if case == "mlp_rmsprop":
        layers, opt, bs = [L.Dense(512, activation="relu", input_shape=(784,)),
                           L.Dense(512, activation="relu"), L.Dense(10, activation="softmax")], \
            opts.RMSprop(), 128
    elif case == "mlp_adam":
        layers, opt, bs = [L.Dense(256, activation="relu", input_shape=(784,)),
                           L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")], \
            opts.Adam(), 128
    elif case == "cnn_adadelta":
        layers, opt, bs = [L.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                           L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
                           L.Flatten(), L.Dense(128, activation="relu"),
                           L.Dense(10, activation="softmax")], opts.Adadelta(), 128
    elif case == "imdb_lstm_adam":
        m = K.Sequential([L.Embedding(20000, 128, input_length=80), L.LSTM(128),
                          L.Dense(1, activation="sigmoid")])
        m.compile(loss="binary_crossentropy", optimizer=opts.Adam(), metrics=["accuracy"])
        return m, 32
    else:
        layers, opt, bs = [L.Dense(32, activation="relu", input_shape=(784,)),
                           L.Dense(32, activation="relu"), L.Dense(10, activation="sigmoid")], \
            opts.RMSprop(learning_rate=0.001), 32
    m = K.Sequential(layers)
    m.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    return m, bs


def side(name, case, weights_file):
    """Train on one side; returns {'loss': [...], 'accuracy': [...]}. The tensorforge side
    writes the starting weights, the Keras side reads them."""
    if name == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import tf_keras as K
        opts = K.optimizers.legacy
    else:
        sys.path.insert(0, os.path.join(REPO, "python"))
        import tensorforge as K
        K.set_num_threads(1)
        K.utils.set_random_seed(0)
        opts = K.optimizers
    x, y = digits()
    if case == "imdb_lstm_adam":
        x, y = reviews()
    elif case == "cnn_adadelta":
        x, y = x[:512].reshape(-1, 28, 28, 1), y[:512]
    else:
        x = x.reshape(len(x), -1)
    m, bs = build(K, opts, case)
    if name == "keras":
        z = np.load(weights_file)
        m.set_weights([z[f"w{i}"] for i in range(len(z.files))])
    else:
        np.savez(weights_file, **{f"w{i}": w for i, w in enumerate(m.get_weights())})
    h = m.fit(x, y, batch_size=bs, epochs=3, shuffle=False, verbose=0)
    return {k: [float(v) for v in vs] for k, vs in h.history.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=CASES)
    ap.add_argument("--keras-python", default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    ap.add_argument("--side", choices=["ours", "keras"], help=argparse.SUPPRESS)
    ap.add_argument("--weights", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.side:  # the child process of one side
        print(json.dumps(side(args.side, args.case, args.weights)))
        return 0
    with tempfile.TemporaryDirectory() as d:
        w = os.path.join(d, "w.npz")
        res = {}
        for name, py in (("ours", sys.executable), ("keras", args.keras_python)):
            env = dict(os.environ, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
            out = subprocess.run([py, os.path.abspath(__file__), args.case, "--side", name,
                                  "--weights", w], capture_output=True, text=True, env=env,
                                 check=True).stdout
            res[name] = json.loads(out.strip().splitlines()[-1])
    print(f"{args.case}: per-epoch loss, 3 epochs from identical weights")
    print(f"{'epoch':>5} {'tensorforge':>12} {'Keras 2':>12} {'rel. diff':>10}")
    for i, (a, b) in enumerate(zip(res["ours"]["loss"], res["keras"]["loss"])):
        print(f"{i + 1:5d} {a:12.6f} {b:12.6f} {abs(a - b) / abs(b):10.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
