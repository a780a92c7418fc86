"""Small files in the formats of Keras 2's downloadable data sets (tests/data/datasets/) and what
Keras 2's own loaders return for them (tests/data/dataset_refs.npz), for tests/test_datasets_keras.py.

tf_keras's loaders are pointed at the files by replacing their ``get_file`` (no download).
Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_dataset_refs.py
"""
import json
import os
import pickle

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "datasets")
REFS = os.path.join(HERE, "..", "tests", "data", "dataset_refs")

# (name, keyword arguments) per loader call compared
IMDB_CALLS = {"default": {}, "num_words": {"num_words": 12}, "maxlen": {"maxlen": 6},
              "skip_oov_none": {"skip_top": 4, "num_words": 15, "oov_char": None},
              "no_start": {"start_char": None, "index_from": 1, "seed": 7}}
REUTERS_CALLS = {"default": {}, "split": {"test_split": 0.5, "maxlen": 7, "num_words": 10}}
BOSTON_CALLS = {"default": {}, "split": {"test_split": 0.3, "seed": 1}}


def _ragged(rng, n, vocab):
    a = np.empty(n, dtype=object)
    for i in range(n):
        a[i] = [int(v) for v in rng.integers(1, vocab, size=int(rng.integers(1, 10)))]
    return a


def write_files(rng):
    os.makedirs(DATA, exist_ok=True)
    np.savez(os.path.join(DATA, "imdb.npz"), x_train=_ragged(rng, 14, 20),
             y_train=rng.integers(0, 2, 14), x_test=_ragged(rng, 9, 20), y_test=rng.integers(0, 2, 9))
    np.savez(os.path.join(DATA, "reuters.npz"), x=_ragged(rng, 15, 18), y=rng.integers(0, 46, 15))
    np.savez(os.path.join(DATA, "boston_housing.npz"), x=rng.normal(size=(11, 13)),
             y=rng.uniform(5, 50, size=11))
    with open(os.path.join(DATA, "imdb_word_index.json"), "w") as f:
        json.dump({"the": 1, "and": 2, "film": 19}, f)
    c10 = os.path.join(DATA, "cifar-10-batches-py")
    os.makedirs(c10, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        d = {b"data": rng.integers(0, 256, size=(2, 3072)).astype(np.uint8),
             b"labels": [int(v) for v in rng.integers(0, 10, 2)]}
        with open(os.path.join(c10, name), "wb") as f:
            pickle.dump(d, f, protocol=2)
    c100 = os.path.join(DATA, "cifar-100-python")
    os.makedirs(c100, exist_ok=True)
    for name, n in (("train", 3), ("test", 2)):
        d = {b"data": rng.integers(0, 256, size=(n, 3072)).astype(np.uint8),
             b"fine_labels": [int(v) for v in rng.integers(0, 100, n)],
             b"coarse_labels": [int(v) for v in rng.integers(0, 20, n)]}
        with open(os.path.join(c100, name), "wb") as f:
            pickle.dump(d, f, protocol=2)


def _put(out, key, split):
    (xa, ya), (xb, yb) = split
    for k, v in (("x_train", xa), ("y_train", ya), ("x_test", xb), ("y_test", yb)):
        if v.dtype == object:  # ragged: lengths and the concatenated words
            out[f"{key}/{k}/len"] = np.array([len(s) for s in v])
            out[f"{key}/{k}/words"] = np.array([w for s in v for w in s], dtype=np.int64)
        else:
            out[f"{key}/{k}"] = v


def main():
    write_files(np.random.default_rng(5))
    from tf_keras.src.datasets import boston_housing, imdb, reuters

    def at(name):
        return lambda *a, **k: os.path.join(DATA, name)
    out = {}
    imdb.get_file = at("imdb.npz")
    for k, kw in IMDB_CALLS.items():
        _put(out, f"imdb/{k}", imdb.load_data(**kw))
    reuters.get_file = at("reuters.npz")
    for k, kw in REUTERS_CALLS.items():
        _put(out, f"reuters/{k}", reuters.load_data(**kw))
    boston_housing.get_file = at("boston_housing.npz")
    for k, kw in BOSTON_CALLS.items():
        _put(out, f"boston/{k}", boston_housing.load_data(**kw))
    # Keras 2's cifar loaders assume 10,000-image batches: its load_batch reads each small
    # file, assembled as load_data documents (batches in order, y (N, 1) uint8, channels_last)
    from tf_keras.src.datasets.cifar import load_batch

    def cifar(folder, train, test, key):
        def read(names):
            parts = [load_batch(os.path.join(DATA, folder, n), label_key=key) for n in names]
            x = np.concatenate([p[0] for p in parts]).transpose(0, 2, 3, 1)
            return x, np.concatenate([p[1] for p in parts]).reshape(-1, 1).astype(np.uint8)
        return read(train), read([test])
    _put(out, "cifar10/default", cifar("cifar-10-batches-py",
                                       [f"data_batch_{i}" for i in range(1, 6)], "test_batch",
                                       "labels"))
    _put(out, "cifar100/fine", cifar("cifar-100-python", ["train"], "test", "fine_labels"))
    _put(out, "cifar100/coarse", cifar("cifar-100-python", ["train"], "test", "coarse_labels"))
    imdb.get_file = at("imdb_word_index.json")
    out["imdb/word_index"] = np.array(json.dumps(imdb.get_word_index(), sort_keys=True))
    np.savez_compressed(REFS + ".npz", **out)
    with open(REFS + ".json", "w") as f:
        json.dump({"imdb": IMDB_CALLS, "reuters": REUTERS_CALLS, "boston": BOSTON_CALLS}, f,
                  indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
