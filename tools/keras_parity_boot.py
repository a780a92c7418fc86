"""The bootstrap of tools/keras_parity.py: it runs inside each child process before the program
(copied there as kp_boot.py; argv: side, program, output json). It installs the import hook, the
offline datasets and the fit cap, then executes the program as __main__, and writes the record
of the last fit's logs and the program's status to the output file."""
import importlib, importlib.abc, importlib.util, json, os, runpy, sys
import numpy as np
SIDE, PROG, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
MAX_EPOCHS, MAX_SAMPLES = int(os.environ["KP_MAX_EPOCHS"]), int(os.environ["KP_MAX_SAMPLES"])
TARGET = "tensorforge" if SIDE == "ours" else "tf_keras"

class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """keras.X / tensorflow.keras.X / tensorflow.compat.v1.keras.X -> TARGET.X (the same module
    object under both names); on our side tensorflow.X -> tensorforge.X (tensorflow.compat)."""
    PREFIXES = ("keras", "tensorflow.keras", "tensorflow.python.keras", "tensorflow.compat.v1.keras")
    specs = {}
    def _target(self, name):
        if name == "tensorforge" or name.startswith("tensorforge."):
            return TARGET + name[len("tensorforge"):]
        for p in self.PREFIXES:
            if name == p or name.startswith(p + "."):
                return TARGET + name[len(p):]
        if SIDE == "ours" and name.startswith("tensorflow."):  # (tensorflow.python.X too:
            # tensorforge.python holds tensorflow.python's keras alias and device_lib)
            return "tensorforge" + name[len("tensorflow"):]
        return None
    def find_spec(self, name, path=None, target=None):
        if SIDE != "ours" and (name == "tensorforge" or name.startswith("tensorforge.")):
            # our own examples (tensorforge imports) run on the oracle too
            return importlib.util.spec_from_loader(name, self, is_package=True)
        if SIDE == "ours" and (name == "tensorforge" or name.startswith("tensorforge.")):
            return None  # the real package (mapping it onto itself would recurse)
        t = self._target(name)
        if t is None:
            return None
        if SIDE == "ours" and name == "tensorflow":
            return None
        return importlib.util.spec_from_loader(name, self, is_package=True)
    def create_module(self, spec):
        mod = importlib.import_module(self._target(spec.name))
        self.specs[id(mod)] = mod.__spec__  # importlib overwrites __spec__; put it back below
        return mod
    def exec_module(self, module):
        module.__spec__ = self.specs.get(id(module), module.__spec__)

THREADS = int(os.environ.get("KP_THREADS", "0"))
if SIDE != "ours":
    import tensorflow as _tf  # imports Keras 3 as `keras`: drop it, so `keras` means tf_keras
    if THREADS:  # before the first op creates TensorFlow's thread pools
        _tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        _tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    import tf_keras
    for _k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
        del sys.modules[_k]
    # ... and TensorFlow's own leftover tensorflow.python.keras (a broken copy of the old Keras
    # that TF 2.21 still imports): the alias hook maps it to tf_keras, as it was Keras 2 itself
    for _k in [k for k in sys.modules if k == "tensorflow.python.keras"
               or k.startswith("tensorflow.python.keras.")]:
        del sys.modules[_k]
sys.meta_path.insert(0, _Alias())


class _OracleDropped(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The oracle only: Keras 2.2's module paths that tf_keras dropped (keras.utils.np_utils,
    keras.layers.convolutional, ...) resolve to their parent package; consulted last."""
    def find_spec(self, name, path=None, target=None):
        if name.startswith("tf_keras.") and name.count(".") >= 2:
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None
    def create_module(self, spec):
        mod = importlib.import_module(spec.name.rsplit(".", 1)[0])
        _Alias.specs[id(mod)] = mod.__spec__
        return mod
    def exec_module(self, module):
        module.__spec__ = _Alias.specs.get(id(module), module.__spec__)


if SIDE != "ours":
    sys.meta_path.append(_OracleDropped())
if SIDE == "ours":
    # `import tensorflow as tf; tf.keras...`, `from tensorflow import keras` and the TF 2 names
    # (tf.GradientTape, tf.data, tf.reduce_mean: tensorforge/tf_compat.py) -- the import swap
    sys.modules["tensorflow"] = importlib.import_module("tensorforge")
else:
    _tf.keras = tf_keras
    # ... and TensorFlow 2's own aliases of tf.keras' modules (tf.losses, tf.optimizers,
    # tf.metrics, tf.initializers: TF 2.0-2.15 bound them to tf.keras.*; TF 2.16+ to Keras 3):
    # the twenty-ninth corpus's book calls tf.optimizers.Adam and tf.losses.* on tf_keras models
    for _n in ("losses", "optimizers", "metrics", "initializers"):
        setattr(_tf, _n, getattr(tf_keras, _n))
    # Keras 2.2 names that tf_keras 2.21 dropped, given their Keras 2.2 meaning on the oracle:
    # optimizers taking lr= and decay= (the legacy classes), their lowercase aliases, and
    # Sequential.predict_classes.
    _opt = tf_keras.optimizers
    for _n in ("SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam"):
        setattr(_opt, _n, getattr(_opt.legacy, _n))
        setattr(_opt, _n.lower(), getattr(_opt.legacy, _n))
    def _predict_classes(self, x, batch_size=32, verbose=0):
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        return p.argmax(axis=-1) if p.shape[-1] > 1 else (p > 0.5).astype("int32")
    if not hasattr(tf_keras.Sequential, "predict_classes"):
        tf_keras.Sequential.predict_classes = _predict_classes
    # keras.constraints' Keras 2.0-2.2 aliases (`from keras.constraints import maxnorm`)
    for _n, _c in (("maxnorm", "MaxNorm"), ("nonneg", "NonNeg"), ("unitnorm", "UnitNorm")):
        setattr(tf_keras.constraints, _n, getattr(tf_keras.constraints, _c))
    # keras.backend's legacy image_dim_ordering / set_image_dim_ordering ('th' / 'tf') and
    # keras.engine.topology's Layer and InputSpec (Deep Learning with Keras, ch. 3 and 7)
    _kb = tf_keras.backend
    _kb.image_dim_ordering = lambda: "th" if _kb.image_data_format() == "channels_first" else "tf"
    _kb.set_image_dim_ordering = lambda o: _kb.set_image_data_format(
        {"th": "channels_first", "tf": "channels_last"}[o])
    import types as _types
    _topo = _types.ModuleType("tf_keras.engine.topology")
    _topo.Layer, _topo.InputSpec = tf_keras.layers.Layer, tf_keras.layers.InputSpec
    _eng = _types.ModuleType("tf_keras.engine")
    _eng.__path__, _eng.topology = [], _topo
    sys.modules.setdefault("tf_keras.engine", _eng)
    sys.modules.setdefault("tf_keras.engine.topology", _topo)
    # keras.layers.merge (Keras 2.0-2.3's module of the merge layers, with the _Merge base that
    # GDL's RandomWeightedAverage subclasses): tf_keras keeps them under layers/merging/
    import types as _types
    from tf_keras.src.layers.merging import base_merge as _base_merge
    _merge = _types.ModuleType("tf_keras.layers.merge")
    for _n in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
               "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
               "concatenate", "dot"):
        setattr(_merge, _n, getattr(tf_keras.layers, _n))
    _merge._Merge = _base_merge._Merge
    sys.modules["tf_keras.layers.merge"] = _merge
    # keras.wrappers.scikit_learn (KerasClassifier / KerasRegressor), which tf_keras dropped
    # (TF 2.12): scikit-learn glue around build_fn's model, fit, predict and evaluate. The
    # oracle gets tensorforge's copy of Keras 2's wrapper with its two imports pointed at
    # tf_keras, so the models, fits and scores under it are tf_keras's own.
    _wsrc = open(os.path.join(os.environ["KP_REPO_PYTHON"], "tensorforge", "wrappers",
                              "scikit_learn.py")).read()
    _wsrc = _wsrc.replace("from ..engine.sequential import Sequential",
                          "from tf_keras import Sequential")
    _wsrc = _wsrc.replace("from ..utils import to_categorical",
                          "from tf_keras.utils import to_categorical")
    _wmod = _types.ModuleType("tf_keras.wrappers.scikit_learn")
    exec(compile(_wsrc, "tf_keras/wrappers/scikit_learn.py (tensorforge's)", "exec"),
         _wmod.__dict__)
    _wpkg = _types.ModuleType("tf_keras.wrappers")
    _wpkg.__path__, _wpkg.scikit_learn = [], _wmod
    sys.modules["tf_keras.wrappers"], sys.modules["tf_keras.wrappers.scikit_learn"] = _wpkg, _wmod
    tf_keras.wrappers = _wpkg
    # An optimizer given by name (compile(optimizer='adam')) is the legacy class too, as the
    # classes above: Keras 2's update rules for every program (tf_keras 2.11+ would otherwise
    # build its new optimizers, whose RMSprop divides by sqrt(v + eps), not sqrt(v) + eps).
    import tf_keras.src.optimizers as _src_opt
    _opt_get = _src_opt.get
    def _get_legacy(identifier, **kw):
        if isinstance(identifier, str):
            kw.setdefault("use_legacy_optimizer", True)
        return _opt_get(identifier, **kw)
    _src_opt.get = _opt.get = _get_legacy

# ---- offline datasets, the same on both sides ----
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

def _mnist(path=None, **kw):
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
    (xtr, ytr), (xte, yte) = _mnist()
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

_DATA = {"mnist": {"load_data": _mnist}, "fashion_mnist": {"load_data": _fashion},
         "imdb": {"load_data": _imdb, "get_word_index": _imdb_word_index},
         "reuters": {"load_data": _reuters, "get_word_index": _imdb_word_index},
         "cifar10": {"load_data": _cifar10}, "cifar100": {"load_data": _cifar100},
         "boston_housing": {"load_data": _boston}}
import types
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

# ---- offline copies of the files keras-io examples download (synthetic, of the real shapes) ----
def _words_text(n_words=12000, seed=3):
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

def _babi_tar(path):
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

sys.path.insert(0, os.environ["KP_TOOLS"])
import keras_offline_data as _kod  # the fifth corpus's files (tools/keras_offline_data.py)
import keras_offline_more as _kom  # the fourteenth corpus's (tools/keras_offline_more.py)
import keras_offline_mlm as _kom18  # Machine Learning Mastery's CSVs (the eighteenth corpus's)
del sys.path[0]

def _offline_file(fname, origin):
    """A local path for a download the program asks for, or None (then the real get_file runs)."""
    d = os.path.join(os.getcwd(), "kp_offline")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, os.path.basename(fname))
    key = (str(fname) + " " + str(origin)).lower()
    # a file the program folder brings itself, synthetic data of the real layout (the
    # twenty-fourth corpus's data/downloads/moving_mnist.npy)
    own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(fname))
    if os.path.isfile(own):
        return own
    if "babi" in key:
        _babi_tar(path)
        return path
    if "pemsd7_full.zip" in key:  # get_file(origin=..., extract=True): the CSVs beside it
        _kom.pemsd7_zip(path)
        return path
    if "aclimdb_v1" in key:  # get_file('aclImdb_v1.tar.gz', ..., untar=True, cache_dir='.')
        _kod.aclimdb_tree(os.getcwd())  # the tree beside the working folder's untar target
        _kom.aclimdb_v1_extras(os.getcwd())
        return os.path.join(os.getcwd(), "aclImdb_v1")
    if "petfinder" in key:  # get_file('petfinder_mini.zip', ..., extract=True, cache_dir='.')
        _kom.petfinder_zip(path)
        return path
    if "cora.tgz" in key:  # get_file('cora.tgz', ..., extract=True): cora/ beside it
        _kom.cora_tgz(path)
        return path
    if "auto-mpg.data" in key:  # the older regression tutorial's get_file('auto-mpg.data', ...)
        _kom.auto_mpg_data(path)
        return path
    if "iris_training.csv" in key or "iris_test.csv" in key:
        _kom.iris_csv(path, test="iris_test" in key)
        return path
    if "jena_climate" in key:  # the CSV beside the zip too: get_file(..., extract=True)
        _kod.jena_zip(path)
        import zipfile
        with zipfile.ZipFile(path) as z:
            z.extractall(d)
        return path
    if "ml-latest-small" in key:
        _kod.movielens_zip(path)
        return path
    if "flower_photos" in key:  # get_file('flower_photos', ..., untar=True): the folder
        return _kod.flower_photos_tree(d)
    if "bsds500" in key:  # get_file(origin=.../BSR_bsds500.tgz, fname="BSR", untar=True)
        return _kod.bsds500_tree(d)
    if "sunflower" in key:
        _kod.sunflower_jpg(path)
        return path
    if "spa-eng" in key:  # get_file(..., extract=True): the program opens spa-eng/spa.txt beside
        _kod.spa_eng_zip(path)
        return path
    if "news20" in key:  # get_file(..., untar=True): the untarred folder beside 20_newsgroup/
        _kod.news20_tree(d)
        return os.path.join(d, "news20")
    if "heart.csv" in key:  # the TF pandas tutorial's get_file('heart.csv', ...); keras-io reads the URL
        _kod.heart_frame().to_csv(path, index=False)
        return path
    if "shakespeare" in key:  # the TF text generation tutorial's get_file('shakespeare.txt', ...)
        # the TF word2vec tutorial subsamples frequent words and batches 1,024 skip-grams
        # (drop_remainder): it needs a file of the real one's size (~1 MB, 40,000 lines)
        big = "make_sampling_table" in _prog_text
        _kod.shakespeare_txt(path, **({"speeches": 12000} if big else {}))
        return path
    if "mnist.npz" in key:  # the TF load-NumPy tutorial's get_file('mnist.npz', ...): datasets.mnist's arrays
        (xtr, ytr), (xte, yte) = _mnist()
        np.savez(path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
        return path
    if "sentiment%20labelled" in key or "sentiment labelled" in key:  # Gulli et al. ch. 8
        return _kom.uci_sentiment_tree(os.getcwd())  # get_file(..., extract=True, cache_dir='.')
    if "gutenberg.org" in key:  # Gulli et al. ch. 8's Alice books: its prompt is "Alice "
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join("Alice " + s for s in _words_text().split("\n")))
        return path
    if "nietzsche" in key or key.endswith(".txt "):
        with open(path, "w", encoding="utf-8") as f:
            f.write(_words_text())
        return path
    return None

for _mod in (TARGET + ".utils", TARGET + ".utils.data_utils"):
    try:
        _m = importlib.import_module(_mod)
    except ImportError:
        continue
    if hasattr(_m, "get_file") and not getattr(_m.get_file, "_kp", False):
        def _make(orig):
            def get_file(fname=None, origin=None, *a, **kw):
                p = _offline_file(fname or os.path.basename(str(origin)), origin)
                return p if p is not None else orig(fname, origin, *a, **kw)
            get_file._kp = True
            return get_file
        _m.get_file = _make(_m.get_file)

_np_loadtxt = np.loadtxt
def _loadtxt(fname, *a, **kw):
    if isinstance(fname, str) and fname.startswith("http") and "FordA" in fname:
        n = 3601 if "TRAIN" in fname else 1320
        rng = np.random.default_rng(11 if "TRAIN" in fname else 12)
        y = rng.choice([-1.0, 1.0], n)
        t = np.linspace(0, 8 * np.pi, 500)
        x = np.sin(t[None, :] * (1.0 + 0.25 * (y[:, None] > 0)) + rng.uniform(0, 6.3, (n, 1)))
        x = x + 0.5 * rng.normal(size=(n, 500))
        x = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
        return np.concatenate([y[:, None], x], axis=1)
    return _np_loadtxt(fname, *a, **kw)
np.loadtxt = _loadtxt

import urllib.request as _urlreq
_urlretrieve = _urlreq.urlretrieve
def _urlretrieve_offline(url, filename=None, *a, **kw):
    """urlretrieve(url, filename) answered like get_file: from the program folder's
    data/downloads/<name> or the harness's synthetic files (the twenty-sixth corpus's
    movielens.zip downloads); anything else goes to the real urlretrieve."""
    import shutil
    p = _offline_file(os.path.basename(str(url).split("?")[0]), url)
    if p is None:
        return _urlretrieve(url, filename, *a, **kw)
    if filename is None:
        return p, None
    shutil.copyfile(p, filename)
    return filename, None
_urlreq.urlretrieve = _urlretrieve_offline

# ~/... paths: a home/ folder beside the program is copied (hard links) into the working folder
# and HOME points there (the twenty-sixth corpus's ~/Downloads/16000_pcm_speeches, which the
# program reorganises in place: each run gets its own tree)
if os.path.isdir(os.path.join(os.path.dirname(os.path.abspath(PROG)), "home")):
    import shutil as _sh
    _home = os.path.join(os.getcwd(), "kp_home")
    if not os.path.exists(_home):
        _sh.copytree(os.path.join(os.path.dirname(os.path.abspath(PROG)), "home"), _home,
                     copy_function=os.link, symlinks=True)
    os.environ["HOME"] = _home

import builtins
_open = builtins.open
_OPENED = {"/creditcard.csv": _kod.creditcard_csv,  # imbalanced_classification's Kaggle file
           "/.keras/datasets/glove.6B.100d.txt": _kod.glove_txt,  # pretrained_word_embeddings
           "/jena_climate_2009_2016.csv": _kod.jena_csv}  # Deep Learning with Python 6.3
_PROG_DIR = os.path.dirname(os.path.abspath(PROG))
def _open_offline(file, *a, **kw):
    """The files programs read at hard-coded paths (their own download steps left out); a
    relative path read that the working folder lacks is read from beside the program (books'
    programs are run from their chapter's folder: `data/x.csv`, `../data/x.txt`)."""
    mode = a[0] if a else kw.get("mode", "r")
    if isinstance(file, str) and not os.path.isabs(file) and not os.path.exists(file) \
            and not set("wax+") & set(mode) and os.path.exists(os.path.join(_PROG_DIR, file)):
        file = os.path.join(_PROG_DIR, file)
    for tail, make in _OPENED.items():
        local = os.path.join(os.getcwd(), "kp_offline", os.path.basename(tail))
        if isinstance(file, str) and file.endswith(tail) and file != local \
                and not os.path.exists(file):
            if not os.path.exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                make(local)
            file = local
    return _open(file, *a, **kw)
builtins.open = _open_offline

# the aclImdb/ tree the text-classification examples' shell cells leave in the working folder,
# and the PetImages/ tree of the cats-vs-dogs example's (curl + unzip)
with _open(PROG, encoding="utf-8") as _f:
    _prog_text = _f.read()
    if "aclImdb" in _prog_text:
        _kod.aclimdb_tree(os.getcwd())
    # Machine Learning Mastery's posts read files the reader downloads beside the script
    for _name, _make in _kom18.FILES.items():
        if ("'%s'" % _name in _prog_text or '"%s"' % _name in _prog_text) \
                and not os.path.exists(_name):
            _make(os.path.join(os.getcwd(), _name))
    if "'wonderland.txt'" in _prog_text or '"wonderland.txt"' in _prog_text:
        with _open(os.path.join(os.getcwd(), "wonderland.txt"), "w", encoding="utf-8") as _w:
            _w.write(_words_text(n_words=6000, seed=18))  # Gutenberg's Alice: ~144,000 chars
    if 'path_to_glove_file = "glove.6B.100d.txt"' in _prog_text:  # DLwP 2nd ed. ch. 11's wget
        _kod.glove_txt(os.path.join(os.getcwd(), "glove.6B.100d.txt"), reviews=True)
    if "captcha_images_v2" in _prog_text:  # captcha_ocr.py's curl/unzip cell, left out
        _kod.captcha_tree(os.getcwd())
    if 'data_path = "fra.txt"' in _prog_text:  # lstm_seq2seq.py's curl/unzip cells, left out
        _kod.fra_txt(os.path.join(os.getcwd(), "fra.txt"))
    if "data_path = 'fra-eng/fra.txt'" in _prog_text:  # keras-team 2.x cnn_seq2seq.py
        os.makedirs(os.path.join(os.getcwd(), "fra-eng"), exist_ok=True)
        _kod.fra_txt(os.path.join(os.getcwd(), "fra-eng", "fra.txt"), attribution=False)
    if 'text_file = "spa-eng/spa.txt"' in _prog_text:  # DLwP 2nd ed. ch. 11 part 4's wget/unzip
        _kod.spa_eng_zip(os.path.join(os.getcwd(), "spa-eng.zip"))
    if 'fname = os.path.join("jena_climate_2009_2016.csv")' in _prog_text:  # DLwP 2nd ed. ch. 10
        builtins.open = _open  # written here, not through the hard-coded path redirect above
        try:
            _kod.jena_csv(os.path.join(os.getcwd(), "jena_climate_2009_2016.csv"))
        finally:
            builtins.open = _open_offline
    if "PetImages" in _prog_text:
        _kod.petimages_tree(os.getcwd())
    if 'original_dir = pathlib.Path("train")' in _prog_text:  # DLwP 2nd ed. ch. 8's kaggle/unzip
        _kom.dogs_vs_cats_train(os.getcwd())
    # DLwP 2nd ed. ch. 12's gdown + unzip cell (left out); keras-io's DCGAN keeps its own cell
    # (os.makedirs("celeba_gan"), gdown.download, ZipFile) and the program folder's lib/gdown.py
    if '"celeba_gan",' in _prog_text and "gdown.download(" not in _prog_text:
        _kom.celeba_tree(os.getcwd())
    if 'target_dir = "annotations/trimaps/"' in _prog_text:  # oxford_pets_image_segmentation.py
        _kod.oxford_pets_tree(os.getcwd())
    if "fetch_california_housing" in _prog_text:  # Hands-On ML 2 ch. 10-12: scikit-learn's download
        import sklearn.datasets as _skd
        def _california(*a, return_X_y=False, **kw):
            b = _kom.california_housing()
            return (b.data, b.target) if return_X_y else b
        _skd.fetch_california_housing = _california

try:
    import pandas as _pd
    _pd_read_csv = _pd.read_csv
    def _read_csv(src, *a, **kw):
        if isinstance(src, str) and src.startswith("http") and "numenta/NAB" in src:
            rng = np.random.default_rng(13)
            idx = _pd.date_range("2014-04-01", periods=4032, freq="5min", name="timestamp")
            t = np.arange(4032)
            v = 20 + 60 * (np.sin(2 * np.pi * t / 288) > 0) + rng.normal(0, 2, 4032)
            if "jumpsup" in src:
                v[2990:3100] += 60
            return _pd.DataFrame({"value": v}, index=idx)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/heart.csv"):
            return _kod.heart_frame()
        if isinstance(src, str) and src.startswith("http") and "covtype.data" in src:
            return _kod.covtype_frame()
        if isinstance(src, str) and src.startswith("http") and src.endswith("/arxiv_data.csv"):
            return _kod.arxiv_frame()
        if isinstance(src, str) and src.startswith("http") and src.endswith("/creditcard.csv"):
            local = os.path.join(os.getcwd(), "kp_offline", "creditcard.csv")  # the TF tutorial's
            if not os.path.exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                _kod.creditcard_csv(local)
            return _pd_read_csv(local, *a, **kw)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/auto-mpg.data"):
            local = os.path.join(os.getcwd(), "kp_offline", "auto-mpg.data")
            if not os.path.exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                _kom.auto_mpg_data(local)
            return _pd_read_csv(local, *a, **kw)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/data/ecg.csv"):
            return _kod.ecg_frame()
        if isinstance(src, str) and src.startswith("http"):
            own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(src.split("?")[0]))
            if os.path.isfile(own):  # a synthetic file of the real layout the folder brings
                return _pd_read_csv(own, *a, **kw)
        return _pd_read_csv(src, *a, **kw)
    _pd.read_csv = _read_csv
except ImportError:
    pass

# ---- the fit cap and the record of the last fit's logs ----
import math
_last = {}
MAX_STEPS = int(os.environ.get("KP_MAX_STEPS", "20"))
_steps = {"n": 0}

class _KPCapReached(BaseException):
    """Raised by train_on_batch after KP_MAX_STEPS calls: a hand-written training loop (GANs)
    has run its capped number of steps; the run counts as completed."""

def _cap(x):
    if x is None:
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_cap(a) for a in x)
    if isinstance(x, dict):
        return {k: _cap(v) for k, v in x.items()}
    if hasattr(x, "shape") and len(getattr(x, "shape", ())) > 0:
        return x[:MAX_SAMPLES]
    return x

def _cap_steps(x, steps, batch_size):
    """steps_per_epoch for data that is not an array (generators, Sequences, iterators)."""
    bs = getattr(x, "batch_size", None) or batch_size or 32
    limit = max(1, math.ceil(MAX_SAMPLES / bs))
    if steps is None and hasattr(x, "__len__") and not hasattr(x, "shape") \
            and not isinstance(x, (list, tuple, dict)):
        try:
            steps = len(x)
        except TypeError:  # a tf.data pipeline of unknown length (make_csv_dataset): the cap
            steps = limit
    return None if steps is None else min(int(steps), limit)

_records = []  # every fit / evaluate, in program order: {"kind", "logs", "n"}

def _first_array(x):
    while isinstance(x, (list, tuple, dict)) and len(x):
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    return x if hasattr(x, "shape") and len(getattr(x, "shape", ())) > 0 else None

def _distinct(x):
    """How many distinct samples x holds (the bundled digits are repeated to the 60,000 /
    10,000 sizes, so the test set of n rows may hold n / 5 different ones): the n of the
    sampling noise of an accuracy measured on x. None for data that is not an array."""
    a = _first_array(x)
    if a is None:
        return None
    a = np.asarray(a)
    return len({r.tobytes() for r in np.ascontiguousarray(a).reshape(len(a), -1)})

def _record(h, n_val=None):
    logs = getattr(h, "history", {}) or {}
    _last.clear()
    _last.update({k: float(v[-1]) for k, v in logs.items() if len(v)})
    _records.append({"kind": "fit", "logs": dict(_last), "n": n_val})

def _n_val(x, kw):
    """Distinct validation samples of a fit call (validation_data, or validation_split's tail)."""
    try:
        vd = kw.get("validation_data")
        if isinstance(vd, (tuple, list)) and vd:
            return _distinct(vd[0])
        split = kw.get("validation_split") or 0
        a = _first_array(x)
        if split and a is not None:
            k = int(len(a) * float(split))
            return _distinct(a[len(a) - k:]) if k else None
    except Exception:
        pass
    return None

def _float_targets(y):
    """The oracle only: integer target arrays as float32. Keras 2.2 fed every target through a
    float32 placeholder, so a 2.2 program's own loss may multiply labels with predictions
    (mnist_siamese's contrastive loss); tf_keras keeps int64 labels and TensorFlow refuses the
    mixed product. The built-in losses and metrics take float labels alike."""
    if SIDE == "ours" or y is None:
        return y
    if isinstance(y, (list, tuple)):
        return type(y)(_float_targets(a) for a in y)
    if isinstance(y, dict):
        return {k: _float_targets(v) for k, v in y.items()}
    if isinstance(y, np.ndarray) and y.dtype.kind in "iub":
        return y.astype(np.float32)
    return y

_inside = {"fit": 0}  # > 0 while a fit runs: its validation passes (tf_keras's fit calls
                     # self.evaluate) are not the program's own evaluate calls

def _wrap_fit(cls):
    orig = cls.fit
    def fit(self, x=None, y=None, *args, **kw):
        if _inside["fit"]:
            return orig(self, x, y, *args, **kw)
        y = _float_targets(y)
        if isinstance(kw.get("validation_data"), (tuple, list)) and len(kw["validation_data"]) > 1:
            vd = list(kw["validation_data"])
            vd[1] = _float_targets(vd[1])
            kw["validation_data"] = type(kw["validation_data"])(vd)
        if "epochs" in kw:
            asked = kw["epochs"]
            kw["epochs"] = min(kw["epochs"], MAX_EPOCHS + kw.get("initial_epoch", 0))
        elif len(args) >= 2:
            args = list(args)
            asked = args[1]
            args[1] = min(args[1], MAX_EPOCHS)
        else:
            asked = kw["epochs"] = 1
        if "validation_data" in kw and isinstance(kw["validation_data"], (tuple, list)):
            kw["validation_data"] = tuple(_cap(v) for v in kw["validation_data"])
        if not hasattr(x, "shape") and not isinstance(x, (list, tuple, dict)) and x is not None:
            kw["steps_per_epoch"] = _cap_steps(x, kw.get("steps_per_epoch"), kw.get("batch_size"))
        elif kw.get("steps_per_epoch") is not None:
            kw["steps_per_epoch"] = _cap_steps(x, kw["steps_per_epoch"], kw.get("batch_size"))
        if kw.get("validation_steps") is not None:
            kw["validation_steps"] = _cap_steps(None, kw["validation_steps"], kw.get("batch_size"))
        if kw.get("sample_weight") is not None:
            kw["sample_weight"] = _cap(kw["sample_weight"])
        x, y = _cap(x), _cap(y)
        _inside["fit"] += 1
        try:
            h = orig(self, x, y, *args, **kw)
        finally:
            _inside["fit"] -= 1
        _record(h, _n_val(x, kw))
        _pad_history(h, asked - kw.get("initial_epoch", 0))
        return h
    cls.fit = fit

def _pad_history(h, epochs):
    """A capped fit's History as long as the epochs the program asked for, each log's last
    value repeated (tutorials plot ``history.history[...]`` against ``range(epochs)``), and
    ``history.epoch`` counted on to the same length; the
    figures compared are the last values, which this leaves as they are."""
    logs = getattr(h, "history", None)
    if not isinstance(logs, dict):
        return
    for v in logs.values():
        if isinstance(v, list) and v and len(v) < epochs:
            v.extend([v[-1]] * (epochs - len(v)))
    ep = getattr(h, "epoch", None)  # hist['epoch'] = history.epoch beside the padded logs
    if isinstance(ep, list) and ep and len(ep) < epochs:
        ep.extend(range(ep[-1] + 1, ep[-1] + 1 + epochs - len(ep)))

def _wrap_fit_generator(cls):
    orig = cls.fit_generator
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, *args, **kw):
        epochs = min(epochs, MAX_EPOCHS + kw.get("initial_epoch", 0))
        steps_per_epoch = _cap_steps(generator, steps_per_epoch, None)
        if isinstance(kw.get("validation_data"), (tuple, list)):
            kw["validation_data"] = tuple(_cap(v) for v in kw["validation_data"])
        if kw.get("validation_steps") is not None:
            kw["validation_steps"] = _cap_steps(None, kw["validation_steps"], None)
        _inside["fit"] += 1
        try:
            h = orig(self, generator, steps_per_epoch, epochs, *args, **kw)
        finally:
            _inside["fit"] -= 1
        _record(h, _n_val(None, kw))
        return h
    cls.fit_generator = fit_generator

def _wrap_evaluate(cls):
    orig = cls.evaluate
    def evaluate(self, x=None, y=None, *args, **kw):
        if _inside["fit"]:
            return orig(self, x, y, *args, **kw)
        x, y = _cap(x), _float_targets(_cap(y))
        r = orig(self, x, y, *args, **kw)
        vals = r if isinstance(r, (list, tuple)) else [r]
        if isinstance(r, dict):  # return_dict=True
            names, vals = list(r), list(r.values())
        else:
            names = list(getattr(self, "metrics_names", []) or [])
        if len(names) != len(vals):
            names = [f"m{i}" for i in range(len(vals))]
        try:
            logs = {n: float(v) for n, v in zip(names, vals)}
            _last.update({"eval_" + n: v for n, v in logs.items()})
            _records.append({"kind": "evaluate", "logs": logs, "n": _distinct(x)})
        except (TypeError, ValueError):
            pass
        return r
    cls.evaluate = evaluate

MAX_PREDICT = int(os.environ.get("KP_MAX_PREDICT", "300"))
_predicts = {"n": 0}

def _count_calls(cls, name, count, limit):
    """cls.name stops the program (_KPCapReached) once it has been called ``limit`` times."""
    orig = getattr(cls, name)
    def method(self, *args, **kw):
        if count["n"] >= limit:
            raise _KPCapReached()
        count["n"] += 1
        return orig(self, *args, **kw)
    method.__wrapped__ = orig
    setattr(cls, name, method)

def _wrap_predict(cls):
    _count_calls(cls, "predict", _predicts, MAX_PREDICT)

def _wrap_train_on_batch(cls):
    orig = cls.train_on_batch
    def train_on_batch(self, *args, **kw):
        if _steps["n"] >= MAX_STEPS:
            raise _KPCapReached()
        _steps["n"] += 1
        r = orig(self, *args, **kw)
        vals = r if isinstance(r, (list, tuple)) else [r]
        try:
            _last["train_on_batch_steps"] = float(_steps["n"])
            _last["train_on_batch_loss"] = float(vals[0])
        except (TypeError, ValueError):
            pass
        return r
    cls.train_on_batch = train_on_batch

# hand-written GradientTape loops (the twenty-ninth corpus's book: epochs over a tf.data
# pipeline with optimizer.apply_gradients, no fit to cap) stop after KP_MAX_APPLY updates
# (0: no cap) and count as complete; the last loss is not known here, so plans compare the
# figure the program prints (stdout:REGEX)
MAX_APPLY = int(os.environ.get("KP_MAX_APPLY", "0"))
_applies = {"n": 0}

if MAX_APPLY:
    if SIDE == "ours":
        _opt_bases = [importlib.import_module("tensorforge.optimizers").Optimizer]
    else:
        _opt_bases = [tf_keras.optimizers.legacy.Optimizer, tf_keras.optimizers.Optimizer]
    for _ob in _opt_bases:
        _count_calls(_ob, "apply_gradients", _applies, MAX_APPLY)

models = importlib.import_module(TARGET + ".models")
seen = set()
for cls in (getattr(models, "Model", None), getattr(models, "Sequential", None)):
    if cls is not None and cls not in seen:
        seen.add(cls)
        for name, wrap in (("fit", _wrap_fit), ("fit_generator", _wrap_fit_generator),
                           ("evaluate", _wrap_evaluate), ("train_on_batch", _wrap_train_on_batch),
                           ("predict", _wrap_predict)):
            if name in cls.__dict__:
                _orig = cls.__dict__[name]
                wrap(cls)
                # the wrapper keeps the method's signature (inspect.signature follows
                # __wrapped__): code that reads it (Keras 2's scikit-learn wrapper checks its
                # sk_params against fit's arguments) sees fit's own arguments
                getattr(cls, name).__wrapped__ = _orig

# threads and seed, the same on both sides (after the program's imports' own set-up, before it)
if SIDE == "ours" and THREADS:
    importlib.import_module("tensorforge").set_num_threads(THREADS)
if os.environ.get("KP_SEED", "") != "":
    # Python's, NumPy's and the framework's random state (weights, shuffles, dropout). The
    # same integer on both sides does not give the same weights (each library draws its own
    # way): seeds make each side's run repeatable and give the seed-to-seed spread.
    importlib.import_module(TARGET + ".utils").set_random_seed(int(os.environ["KP_SEED"]))
    # A program that seeds itself (np.random.seed(7), tf.random.set_seed(42)) would undo that:
    # its own seeds are shifted by the run's (seed 0: the program's seeds as written), so
    # --seeds 0 1 2 gives three different runs of it too.
    _shift = 7919 * int(os.environ["KP_SEED"])

    def _shifted(f):
        def seed(s=None, *a, **k):
            if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
                s = (int(s) + _shift) % 2 ** 31
            return f(s, *a, **k)
        seed.__wrapped__ = f
        return seed

    if _shift:
        import random as _random_mod
        _random_mod.seed = _shifted(_random_mod.seed)
        np.random.seed = _shifted(np.random.seed)
        _fw = [TARGET + ".utils", TARGET + ".keras.utils"] if SIDE == "ours" else \
            [TARGET + ".utils", "tensorflow.keras.utils"]
        for _mname in _fw:
            try:
                _m = importlib.import_module(_mname)
            except ImportError:
                continue
            if hasattr(_m, "set_random_seed"):
                _m.set_random_seed = _shifted(_m.set_random_seed)
        _tfm = importlib.import_module("tensorforge" if SIDE == "ours" else "tensorflow")
        for _path in ("random.set_seed", "compat.v1.set_random_seed", "compat.v1.random.set_random_seed",
                      "set_random_seed"):
            _obj = _tfm
            *_parents, _leaf = _path.split(".")
            for _pn in _parents:
                _obj = getattr(_obj, _pn, None)
            if _obj is not None and hasattr(_obj, _leaf):
                try:
                    setattr(_obj, _leaf, _shifted(getattr(_obj, _leaf)))
                except (AttributeError, TypeError):
                    pass

# helper modules of a program (the book's gan.py, model_builder.py) live beside it or in lib/
sys.path[:0] = [os.path.dirname(PROG), os.path.join(os.path.dirname(PROG), "lib")]
# NLTK's data (a tokenizer model) in an nltk_data/ folder beside the program or one above
for _d in (_PROG_DIR, os.path.dirname(_PROG_DIR)):
    if os.path.isdir(os.path.join(_d, "nltk_data")) and "NLTK_DATA" not in os.environ:
        os.environ["NLTK_DATA"] = os.path.join(_d, "nltk_data")
# a repository's layout the programs read and write relative to their working folder (the
# twentieth corpus's GDL_code notebooks: ./data/<name>/ read-only, ./run/<section>/ made into
# per-run folders): data/ beside the program is linked, run/'s empty folder tree is copied
_here = os.path.dirname(PROG)
if os.path.isdir(os.path.join(_here, "data")) and not os.path.exists("data"):
    os.symlink(os.path.join(_here, "data"), "data")
# ... and the entries of cwd/ beside it are linked too: folders a program reads from its
# working folder under their own names (the twenty-fourth corpus's ./lol_dataset/); an empty
# folder there is made afresh instead (the twenty-seventh corpus's ./_save/, where programs
# write models: linked, both sides run at once would write the same files)
if os.path.isdir(os.path.join(_here, "cwd")):
    for _e in os.listdir(os.path.join(_here, "cwd")):
        _src = os.path.join(_here, "cwd", _e)
        if os.path.exists(_e):
            continue
        if os.path.isdir(_src) and not os.listdir(_src):
            os.makedirs(_e)
        else:
            os.symlink(_src, _e)
if os.path.isdir(os.path.join(_here, "run")) and not os.path.exists("run"):
    for _dir, _, _ in os.walk(os.path.join(_here, "run")):
        os.makedirs(os.path.relpath(_dir, _here), exist_ok=True)



def _prog_args():
    """The command-line arguments a program is run with: none, or the words of a PROG.args file
    beside it (the book's chapter 12-13 programs train only when given -t / --train)."""
    import shlex
    path = PROG + ".args"
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return shlex.split(f.read(), comments=True)


status = {"ok": False}
try:
    sys.argv = [PROG] + _prog_args()
    runpy.run_path(PROG, run_name="__main__")
    status["ok"] = True
except _KPCapReached:
    status["ok"] = True
    status["capped"] = (f"hand-written loop stopped after {_steps['n']} train_on_batch / "
                        f"{_predicts['n']} predict / {_applies['n']} apply_gradients calls")
except SystemExit as e:
    status["ok"] = e.code in (None, 0)
    if not status["ok"]:
        status["error"] = f"SystemExit({e.code})"
except BaseException as e:
    import traceback
    traceback.print_exc()  # the whole trace in the run's stdout record (the summary is one line)
    tb = traceback.extract_tb(e.__traceback__)
    where = next((f"{os.path.basename(f.filename)}:{f.lineno}" for f in reversed(tb)
                  if f.filename == PROG), "")
    lines = [l.strip() for l in str(e).strip().splitlines() if l.strip()]
    status["error"] = f"{type(e).__name__}: {(lines[-1] if lines else '')[:300]} [{where}]"
status["logs"] = dict(_last)
status["records"] = _records
with open(OUT, "w") as f:
    json.dump(status, f)
