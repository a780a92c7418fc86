"""Is tensorforge's LSTM / GRU training the same as Keras 2's? Identical weights, then many seeds.

    python3 tools/keras_rnn_parity.py identical [--cell lstm|gru] [--epochs 3]
    python3 tools/keras_rnn_parity.py seeds [--cell lstm|gru] [--seeds 10] [--epochs 20]
           [--keras-python ../keras-venv/bin/python]

The program under study is the seed-004 pair: MNIST rows as 28 steps of 28 features,
RNN(256, dropout=0.2) -> Dense(10, softmax), SGD (Keras' defaults: lr 0.01, no momentum),
categorical cross-entropy, batch 128, on the package's bundled split (8,000 / 2,000).

* `identical`: both sides start from the same weights (drawn here, written to a file the other
  side reads), train without dropout and without shuffling (the only randomness two libraries
  cannot share), and print the loss after every epoch and the final test accuracy on each side.
  Equal figures (to float32 rounding growing over the epochs) mean equal semantics: forward
  pass, gradients, gate layout, initial state, SGD update.
* `seeds`: the real program (dropout 0.2, shuffled batches), each side with its own random
  initialization from seeds 0..N-1, test accuracy after --epochs epochs; prints each run and the
  mean and standard deviation per side, so a gap can be compared with the seed-to-seed spread.
The Keras side runs in --keras-python (a venv with tensorflow-cpu and tf-keras), as a subprocess
of this script; tensorforge runs in this interpreter.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load_digits():
    """The package's bundled split (first 8,000 / last 2,000 of the official test set), read
    without importing tensorforge, so the Keras side reads the same bytes."""
    import gzip
    d = os.path.join(REPO, "python", "tensorforge", "datasets", "data")

    def idx(name):
        with gzip.open(os.path.join(d, name), "rb") as f:
            data = f.read()
        dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
        return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)

    img, lab = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
    x, y, xt, yt = img[:8000], lab[:8000], img[8000:], lab[8000:]
    eye = np.eye(10, dtype=np.float32)
    return (x.astype(np.float32) / 255, eye[y]), (xt.astype(np.float32) / 255, eye[yt])


def build(lib, cell, units, dropout):
    L = lib.layers
    rnn = {"lstm": L.LSTM, "gru": L.GRU}[cell]
    m = lib.models.Sequential([rnn(units, dropout=dropout, input_shape=(28, 28)),
                               L.Dense(10, activation="softmax")])
    opt = (lib.optimizers.legacy.SGD if hasattr(lib.optimizers, "legacy") else lib.optimizers.SGD)
    m.compile(optimizer=opt(learning_rate=0.01), loss="categorical_crossentropy",
              metrics=["accuracy"])
    return m


def run_side(side, spec):
    """Train one model as `spec` says; return the per-epoch losses and the test accuracy."""
    if side == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tf_keras as lib
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(spec["threads"])
        tf.config.threading.set_inter_op_parallelism_threads(1)
        seed = lambda s: lib.utils.set_random_seed(s)  # noqa: E731
    else:
        import tensorforge as lib
        lib.set_num_threads(spec["threads"])
        seed = lib.utils.set_random_seed
    (x, y), (xt, yt) = load_digits()
    seed(spec["seed"])
    m = build(lib, spec["cell"], 256, spec["dropout"])
    if spec.get("weights"):
        with np.load(spec["weights"]) as z:
            m.set_weights([z[f"w{i}"] for i in range(len(z.files))])
    t0 = time.time()
    # one line per epoch on stderr, so a long run shows (and keeps) its progress
    tell = lib.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: print(
        f"[{side}] epoch {e + 1} loss {logs['loss']:.6f} ({time.time() - t0:.0f} s)",
        file=sys.stderr, flush=True))
    h = m.fit(x, y, batch_size=128, epochs=spec["epochs"], shuffle=spec["shuffle"], verbose=0,
              callbacks=[tell])
    dt = time.time() - t0
    loss, acc = m.evaluate(xt, yt, batch_size=512, verbose=0)
    return {"losses": [float(v) for v in h.history["loss"]], "test_loss": float(loss),
            "test_acc": float(acc), "seconds": dt}


def keras_start(spec, python):
    """Start the Keras side as a subprocess (its per-epoch lines go to this stderr)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    proc = subprocess.Popen([python, os.path.abspath(__file__), "_keras", f.name],
                            stdout=subprocess.PIPE, text=True)
    return proc, f.name


def keras_finish(started):
    proc, spec_file = started
    out, _ = proc.communicate()
    os.unlink(spec_file)
    if proc.returncode != 0:
        raise RuntimeError(f"the Keras side failed (exit {proc.returncode}; its stderr is above)")
    return json.loads(out.strip().splitlines()[-1])


def keras_run(spec, python):
    return keras_finish(keras_start(spec, python))


def identical(args):
    import tensorforge as tf
    tf.utils.set_random_seed(args.seed)
    m = build(tf, args.cell, 256, 0.0)
    m.build((None, 28, 28))
    wfile = os.path.join(tempfile.mkdtemp(), "w.npz")
    np.savez(wfile, **{f"w{i}": w for i, w in enumerate(m.get_weights())})
    spec = {"cell": args.cell, "dropout": 0.0, "epochs": args.epochs, "shuffle": False,
            "seed": args.seed, "weights": wfile, "threads": args.threads}
    # the two sides run at the same time (one thread each by default): halves the wall time
    started = keras_start(spec, args.keras_python)
    ours = run_side("ours", spec)
    theirs = keras_finish(started)
    print(f"# {args.cell.upper()}(256) -> Dense(10), SGD(0.01), batch 128, no dropout, no shuffle, "
          f"identical initial weights")
    print("epoch | tensorforge loss | Keras 2 loss | relative difference")
    for e, (a, b) in enumerate(zip(ours["losses"], theirs["losses"]), 1):
        print(f"{e:5d} | {a:.6f} | {b:.6f} | {abs(a - b) / abs(b):.2e}")
    print(f"test accuracy: tensorforge {ours['test_acc']:.4f}, Keras 2 {theirs['test_acc']:.4f}")


def seeds(args):
    rows = {"tensorforge": [], "Keras 2": []}
    print(f"# {args.cell.upper()}(256, dropout=0.2) -> Dense(10), SGD(0.01), batch 128, "
          f"{args.epochs} epochs, shuffled; test accuracy per seed", flush=True)
    for s in range(args.seeds):
        spec = {"cell": args.cell, "dropout": 0.2, "epochs": args.epochs, "shuffle": True,
                "seed": s, "weights": None, "threads": args.threads}
        a = run_side("ours", spec)
        b = keras_run(spec, args.keras_python)
        rows["tensorforge"].append(a["test_acc"])
        rows["Keras 2"].append(b["test_acc"])
        print(f"seed {s}: tensorforge {a['test_acc']:.4f} ({a['seconds']:.0f} s), "
              f"Keras 2 {b['test_acc']:.4f} ({b['seconds']:.0f} s)", flush=True)
    for k, v in rows.items():
        v = np.array(v)
        print(f"{k}: mean {v.mean():.4f}, std {v.std(ddof=1) if len(v) > 1 else 0:.4f}, "
              f"min {v.min():.4f}, max {v.max():.4f} over {len(v)} seeds")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_keras":
        with open(argv[1]) as f:
            spec = json.load(f)
        print(json.dumps(run_side("keras", spec)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["identical", "seeds"])
    ap.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--keras-python", default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    args = ap.parse_args(argv)
    if args.epochs is None:
        args.epochs = 3 if args.mode == "identical" else 20
    identical(args) if args.mode == "identical" else seeds(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
