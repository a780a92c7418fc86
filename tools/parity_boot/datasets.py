"""Offline stand-ins, the same on both sides: keras.datasets' loaders (the bundled digits,
synthetic sequences and images of the real shapes) and synthetic texts of the files programs
download (tools/keras_offline_*.py hold the rest)."""
import importlib
import os
import sys
import types

import numpy as np

from .config import TARGET


def _read_idx(path):
    import gzip
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

def _bundled_mnist():
    d = os.path.join(os.environ["KP_REPO_PYTHON"], "tensorforge", "datasets", "data")
    return (_read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")),
            _read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")))

def mnist(path=None, **kw):
    x, y = _bundled_mnist()
    xtr, ytr = np.resize(x[:8000], (60000, 28, 28)), np.resize(y[:8000], (60000,))
    xte, yte = np.resize(x[8000:], (10000, 28, 28)), np.resize(y[8000:], (10000,))
    return (xtr, ytr), (xte, yte)

def _fashion(path=None, **kw):
    d = "/usr/share/datasets/fashion-mnist"
    if os.path.isdir(d):
        f = lambda n: _read_idx(os.path.join(d, n))
        return ((f("train-images-idx3-ubyte.gz"), f("train-labels-idx1-ubyte.gz")),
                (f("t10k-images-idx3-ubyte.gz"), f("t10k-labels-idx1-ubyte.gz")))
    (xtr, ytr), (xte, yte) = mnist()
    xtr, xte = 255 - xtr, 255 - xte
    # every pixel varies across the training images, as in the real Fashion MNIST (Hands-On
    # ML 2 ch. 11 standardizes each pixel by its std: a constant border pixel gave 0 / 0):
    # three images a pixel get a darker speck there, the same on both sides
    rng = np.random.default_rng(17)
    rows = rng.integers(0, len(xtr), (3, 28 * 28))
    cols = np.arange(28 * 28)
    for r in rows:
        xtr.reshape(len(xtr), -1)[r, cols] = rng.integers(0, 200, 28 * 28)
    return (xtr, ytr), (xte, yte)

def _seq_data(n, num_words, classes, maxlen, seed):
    rng = np.random.default_rng(seed)
    num_words = num_words or 20000
    y = rng.integers(0, classes, n)
    out = []
    for i in range(n):
        L = int(rng.integers(maxlen // 4, maxlen))
        base = rng.integers(4, num_words, L)
        sig = 4 + (y[i] * 7 + rng.integers(0, 7, L)) % max(num_words - 4, 1)
        take = rng.random(L) < 0.3
        out.append([1] + list(np.where(take, sig, base)))
    x = np.empty(n, dtype=object)
    x[:] = out
    return x, y

def _imdb(path=None, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
          index_from=3, **kw):
    xtr, ytr = _seq_data(25000, num_words, 2, 400, 1)
    xte, yte = _seq_data(25000, num_words, 2, 400, 2)
    return (xtr, ytr), (xte, yte)

def _imdb_word_index(path=None):
    return {f"w{i}": i for i in range(1, 20000)}

def _reuters(path=None, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, **kw):
    x, y = _seq_data(11228, num_words, 46, 300, 4)
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])

def _images(n, shape, classes, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, (n, 1))
    proto = np.random.default_rng(99).integers(0, 256, (classes,) + shape)
    x = (0.5 * proto[y[:, 0]] + 0.5 * rng.integers(0, 256, (n,) + shape)).astype(np.uint8)
    return x, y

def _cifar10(**kw):
    return _images(50000, (32, 32, 3), 10, 5), _images(10000, (32, 32, 3), 10, 6)

def _cifar100(label_mode="fine", **kw):
    return _images(50000, (32, 32, 3), 100, 7), _images(10000, (32, 32, 3), 100, 8)

def _boston(path=None, test_split=0.2, seed=113, **kw):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(506, 13))
    y = x @ rng.normal(size=13) + 22
    n = int(506 * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])

_DATA = {"mnist": {"load_data": mnist}, "fashion_mnist": {"load_data": _fashion},
         "imdb": {"load_data": _imdb, "get_word_index": _imdb_word_index},
         "reuters": {"load_data": _reuters, "get_word_index": _imdb_word_index},
         "cifar10": {"load_data": _cifar10}, "cifar100": {"load_data": _cifar100},
         "boston_housing": {"load_data": _boston}}


class _DataSet:
    """One split of TensorFlow 1's tutorials.mnist DataSet: images flattened to 784 float32
    values in [0, 1], labels (one-hot or class numbers), num_examples and next_batch."""

    def __init__(self, images, labels, one_hot):
        self.images = (images.reshape(len(images), -1) / 255.0).astype(np.float32)
        self.labels = np.eye(10, dtype=np.float64)[labels] if one_hot else labels
        self.num_examples = len(images)
        self._at = 0

    def next_batch(self, batch_size):
        if self._at + batch_size > self.num_examples:
            self._at = 0
        lo, self._at = self._at, self._at + batch_size
        return self.images[lo:self._at], self.labels[lo:self._at]


def read_data_sets(train_dir=None, one_hot=False, validation_size=5000, **kw):
    """tensorflow.examples.tutorials.mnist.input_data.read_data_sets (TensorFlow 1; gone from
    TensorFlow 2 and tensorforge) over the harness's digits: train / validation / test splits
    of 55,000 / 5,000 / 10,000 (Hvass-Labs' 03C Keras tutorial loads MNIST through it)."""
    (xtr, ytr), (xte, yte) = mnist()
    n = len(xtr) - validation_size
    return types.SimpleNamespace(train=_DataSet(xtr[:n], ytr[:n], one_hot),
                                 validation=_DataSet(xtr[n:], ytr[n:], one_hot),
                                 test=_DataSet(xte, yte, one_hot))


def _install_tf1_input_data():
    names = ["tensorflow.examples", "tensorflow.examples.tutorials",
             "tensorflow.examples.tutorials.mnist"]
    mods = [types.ModuleType(n) for n in names]
    for m in mods:
        m.__path__ = []
    data = types.ModuleType(names[-1] + ".input_data")
    data.read_data_sets = read_data_sets
    for parent, child, attr in zip(mods, mods[1:] + [data], ("tutorials", "mnist", "input_data")):
        setattr(parent, attr, child)
    for m in mods + [data]:
        sys.modules.setdefault(m.__name__, m)


def install():
    """TARGET.datasets replaced by the stand-ins."""
    _install_tf1_input_data()
    ds = types.ModuleType(TARGET + ".datasets")
    ds.__path__ = []
    for name, fns in _DATA.items():
        m = types.ModuleType(f"{TARGET}.datasets.{name}")
        for k, f in fns.items():
            setattr(m, k, f)
        setattr(ds, name, m)
        sys.modules[f"{TARGET}.datasets.{name}"] = m
    sys.modules[TARGET + ".datasets"] = ds
    importlib.import_module(TARGET)
    setattr(sys.modules[TARGET], "datasets", ds)


def words_text(n_words=12000, seed=3):
    words = ("the of and to in that is a it as for with was his be by not he this are or on "
             "which from but have an we they what one all so its their who has had will more "
             "truth life will power man men free spirit good evil must itself himself").split()
    rng = np.random.default_rng(seed)
    out, line = [], []
    for w in rng.choice(words, n_words):
        line.append(str(w))
        if len(line) >= 12:
            out.append(" ".join(line) + ".")
            line = []
    return "\n".join(out)

def _babi_task(n_questions, two_facts, seed):
    """Stories in the bAbI format (QA1 single / QA2 two supporting facts): people move between
    places, pick up and drop objects; "Where is X?" asks for the last place of a person (QA1)
    or of the object (QA2), with the supporting line numbers, as the real files have them."""
    rng = np.random.default_rng(seed)
    people = ["Mary", "John", "Daniel", "Sandra"]
    places = ["bathroom", "hallway", "garden", "office", "bedroom", "kitchen"]
    verbs = ["moved to", "went to", "journeyed to", "travelled to", "went back to"]
    things = ["football", "apple", "milk"]
    lines, asked = [], 0
    while asked < n_questions:
        where, holder, nid, made = {}, {}, 0, 0
        last = {}
        for _ in range(5):  # five questions a story, as in the real tasks
            for _ in range(2):
                nid += 1
                p = str(rng.choice(people))
                if two_facts and where.get(p) and rng.random() < 0.3:
                    t = str(rng.choice(things))
                    holder[t] = p
                    last[t] = nid
                    lines.append("%d %s got the %s there." % (nid, p, t))
                else:
                    where[p] = str(rng.choice(places))
                    last[p] = nid
                    lines.append("%d %s %s the %s." % (nid, p, str(rng.choice(verbs)), where[p]))
            nid += 1
            if two_facts and holder:
                t = str(rng.choice(sorted(holder)))
                p = holder[t]
                lines.append("%d Where is the %s? \t%s\t%d %d" % (nid, t, where[p], last[t], last[p]))
            else:
                p = str(rng.choice(sorted(where)))
                lines.append("%d Where is %s? \t%s\t%d" % (nid, p, where[p], last[p]))
            asked += 1
    return "\n".join(lines) + "\n"

def babi_tar(path):
    import io, tarfile
    files = {}
    for sub, n in (("en", 1000), ("en-10k", 10000)):
        for i, (task, two) in enumerate((("qa1_single-supporting-fact", False),
                                         ("qa2_two-supporting-facts", True))):
            for split, m, seed in (("train", n, 0), ("test", 1000, 1)):
                name = "tasks_1-20_v1-2/%s/%s_%s.txt" % (sub, task, split)
                files[name] = _babi_task(m, two, 100 * i + 10 * seed + len(sub))
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
