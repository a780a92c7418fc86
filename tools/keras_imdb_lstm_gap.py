"""imdb_lstm under tensorforge and Keras 2: where does the seed-mean accuracy gap come from?

    python3 tools/keras_imdb_lstm_gap.py run --seeds 0 1 2 [--cross] [--dropout 0.2 0.2]
                                         [--no-shuffle] [--permute SEED] [--json runs.jsonl]
    python3 tools/keras_imdb_lstm_gap.py stats --seeds 0 1 2

The keras-team example imdb_lstm (Embedding(20000, 128) -> LSTM(128, dropout=0.2,
recurrent_dropout=0.2) -> Dense(1, sigmoid), Adam, binary cross-entropy, batch 32) as
tools/keras_parity.py runs it under its plan: the harness's synthetic IMDB (the same generator),
the first 2,000 training reviews pre-padded to 80 tokens, one epoch (shuffled), validation and
evaluate on the first 2,000 test reviews. Each side runs in its own process at one thread
(tensorforge from this checkout, tf_keras 2.21 with optimizers.legacy.Adam in --keras-python).
A tensorforge run with the defaults is the harness's run of the same seed to the last digit.

`run` trains each side once per seed from its own initial weights; with --cross also each side
from the other's initial weights of the same seed (tensorforge's weights in tf_keras and tf_keras's
in tensorforge): a gap that follows the weights is the initializers', one that stays with the
framework is the training's (dropout masks, shuffling). --dropout 0 0 --no-shuffle --cross
removes every random part but the weights (both sides then train identically from the same
weights); --permute SEED --no-shuffle gives both sides one training order drawn outside either
framework. `stats` prints per-matrix statistics of the initial weights on both sides (std,
min / max, singular values of the recurrent kernel and of its per-gate blocks, the forget bias).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
KERAS_PY = os.path.join(REPO, "..", "keras-venv", "bin", "python")


def seq_data(n, num_words, classes, maxlen, seed, keep):
    """tools/parity_boot/datasets.py's _seq_data (the same draws), only the first `keep` reviews."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    out = []
    for i in range(keep):
        L = int(rng.integers(maxlen // 4, maxlen))
        base = rng.integers(4, num_words, L)
        sig = 4 + (y[i] * 7 + rng.integers(0, 7, L)) % max(num_words - 4, 1)
        take = rng.random(L) < 0.3
        out.append([1] + list(np.where(take, sig, base)))
    return out, y[:keep]


def pad(seqs, maxlen=80):
    """Keras pad_sequences(maxlen): pre-padding with 0, pre-truncation."""
    x = np.zeros((len(seqs), maxlen), dtype=np.int32)
    for i, s in enumerate(seqs):
        s = s[-maxlen:]
        x[i, maxlen - len(s):] = s
    return x


def data(n=2000):
    xtr, ytr = seq_data(25000, 20000, 2, 400, 1, n)
    xte, yte = seq_data(25000, 20000, 2, 400, 2, n)
    return pad(xtr), ytr, pad(xte), yte


def shared_masks(seed):
    """A source of dropout masks both sides draw from in the same order: per training batch,
    the LSTM's 4 input masks, then its 4 recurrent masks (Keras 2's implementation 1 order)."""
    rng = np.random.default_rng(seed)

    def masks(shape, rate, count):
        return [(rng.random(shape) >= rate).astype(np.float32) / np.float32(1 - rate)
                for _ in range(count)]
    return masks


def use_shared_masks(name, seed):
    """Replace each side's LSTM dropout-mask draw by shared_masks(seed) (the Keras side then
    runs eagerly, so the Python draw happens at every batch)."""
    masks = shared_masks(seed)
    if name == "keras":
        import tensorflow as tf
        from tf_keras.src.layers.rnn import dropout_rnn_cell_mixin as mix

        def gen(generator, ones, rate, training=None, count=1):
            if not training:
                return [ones] * count if count > 1 else ones
            out = [tf.constant(m) for m in masks(tuple(ones.shape), rate, count)]
            return out if count > 1 else out[0]
        mix._generate_dropout_mask = gen
        return
    import types
    from tensorforge.layers import recurrent
    real = recurrent._ops

    def dropout(x, rate, training=True, seed=None):  # called with ones: the mask itself
        return masks(tuple(x.shape), rate, 1)[0]
    recurrent._ops = types.SimpleNamespace(**{k: getattr(real, k) for k in dir(real)
                                              if not k.startswith("__")})
    recurrent._ops.dropout = dropout


def side(name, seed, dropout, rdropout, init_in, init_out, shuffle, init_only=False,
         permute=None, mask_seed=None):
    if name == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import tf_keras as K
        K.utils.set_random_seed(seed)
        opt = K.optimizers.legacy.Adam()
    else:
        sys.path.insert(0, os.path.join(REPO, "python"))
        import tensorforge as K
        K.set_num_threads(1)
        K.utils.set_random_seed(seed)
        opt = "adam"
    xtr, ytr, xte, yte = data()
    if permute is not None:  # a training order drawn outside both frameworks
        order = np.random.default_rng(permute).permutation(len(xtr))
        xtr, ytr = xtr[order], ytr[order]
    m = K.Sequential([K.layers.Embedding(20000, 128),
                      K.layers.LSTM(128, dropout=dropout, recurrent_dropout=rdropout),
                      K.layers.Dense(1, activation="sigmoid")])
    if mask_seed is not None:
        use_shared_masks(name, mask_seed)
    m.compile(loss="binary_crossentropy", optimizer=opt, metrics=["accuracy"],
              **({"run_eagerly": True} if mask_seed is not None and name == "keras" else {}))
    m.build((None, 80))
    if init_in:
        z = np.load(init_in)
        m.set_weights([z[f"w{i}"] for i in range(len(z.files))])
    w0 = m.get_weights()
    if init_out:
        np.savez(init_out, **{f"w{i}": w for i, w in enumerate(w0)})
    if init_only:
        return {}
    h = m.fit(xtr, ytr, batch_size=32, epochs=1, validation_data=(xte, yte), shuffle=shuffle,
              verbose=0)
    loss, acc = m.evaluate(xte, yte, batch_size=32, verbose=0)
    return {"train_loss": float(h.history["loss"][-1]),
            "train_acc": float(h.history["accuracy"][-1]), "eval_loss": float(loss),
            "eval_acc": float(acc)}


def stats(path):
    z = np.load(path)
    names = ["embeddings", "lstm kernel", "lstm recurrent", "lstm bias", "dense kernel",
             "dense bias"]
    out = {}
    for i, nm in enumerate(names):
        w = z[f"w{i}"]
        d = {"shape": list(w.shape), "mean": float(w.mean()), "std": float(w.std()),
             "min": float(w.min()), "max": float(w.max())}
        if nm == "lstm recurrent":
            s = np.linalg.svd(w, compute_uv=False)
            d["sv whole"] = [float(s.min()), float(s.max())]
            d["|W W^T - I|"] = float(np.abs(w @ w.T - np.eye(w.shape[0])).max())
            for g, gn in enumerate("ifco"):
                sg = np.linalg.svd(w[:, g * 128:(g + 1) * 128], compute_uv=False)
                d[f"sv {gn}"] = [round(float(sg.min()), 4), round(float(sg.max()), 4)]
        if nm == "lstm bias":
            d["per gate mean"] = [float(w[g * 128:(g + 1) * 128].mean()) for g in range(4)]
        out[nm] = d
    return out


def child(args_list, python):
    env = dict(os.environ, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([python, os.path.abspath(__file__)] + args_list, capture_output=True,
                       text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["run", "stats", "side"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--dropout", type=float, nargs=2, default=[0.2, 0.2],
                    metavar=("DROPOUT", "RECURRENT_DROPOUT"))
    ap.add_argument("--cross", action="store_true", help="also each side from the other's weights")
    ap.add_argument("--no-shuffle", action="store_true")
    ap.add_argument("--permute", type=int, metavar="SEED",
                    help="train on the data in the order np.random.default_rng(SEED).permutation "
                         "gives (with --no-shuffle: the same order on both sides)")
    ap.add_argument("--shared-masks", type=int, metavar="SEED",
                    help="both sides draw the LSTM's dropout masks from one NumPy generator "
                         "(seeded SEED) in the same order (use with --no-shuffle --cross)")
    ap.add_argument("--sides", nargs="+", default=["ours", "keras"])
    ap.add_argument("--keras-python", default=KERAS_PY)
    ap.add_argument("--json", help="append one JSON line per run to this file")
    ap.add_argument("--name", help=argparse.SUPPRESS)
    ap.add_argument("--init-in", help=argparse.SUPPRESS)
    ap.add_argument("--init-out", help=argparse.SUPPRESS)
    ap.add_argument("--init-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.mode == "side":
        print(json.dumps(side(a.name, a.seeds[0], a.dropout[0], a.dropout[1], a.init_in,
                              a.init_out, not a.no_shuffle, a.init_only, a.permute,
                              a.shared_masks)))
        return 0
    py = {"ours": sys.executable, "keras": a.keras_python}
    with tempfile.TemporaryDirectory() as d:
        for seed in a.seeds:
            w = {s: os.path.join(d, f"{s}{seed}.npz") for s in ("ours", "keras")}
            common = ["side", "--seeds", str(seed), "--dropout", *map(str, a.dropout)]
            if a.no_shuffle:
                common.append("--no-shuffle")
            if a.permute is not None:
                common += ["--permute", str(a.permute)]
            if a.shared_masks is not None:
                common += ["--shared-masks", str(a.shared_masks)]
            if a.mode == "stats":  # only draw each side's initial weights
                for s in ("ours", "keras"):
                    child(common + ["--name", s, "--init-out", w[s], "--init-only"], py[s])
                    print(s, seed, json.dumps(stats(w[s])), flush=True)
                continue
            runs = [(s, s, []) for s in a.sides]
            if a.cross:
                for s in a.sides:
                    o = "keras" if s == "ours" else "ours"
                    runs.append((s, o, ["--init-in", w[o]]))
            for s, init, extra in runs:
                r = child(common + ["--name", s] + extra +
                          ([] if extra else ["--init-out", w[s]]), py[s])
                rec = dict(framework=s, init=init, seed=seed, dropout=a.dropout,
                           shuffle=not a.no_shuffle, permute=a.permute,
                           shared_masks=a.shared_masks, **r)
                print(json.dumps(rec), flush=True)
                if a.json:
                    with open(a.json, "a") as f:
                        f.write(json.dumps(rec) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
