"""Run Keras 2 programs unchanged under tensorforge and under real Keras 2 (tf_keras), and compare.

    python3 tools/keras_parity.py DIR_OR_FILES... [--keras-python PATH] [--max-epochs 2]
                                  [--max-samples 2000] [--timeout 600] [--json out.json]

Each program is written for Keras 2 (`import keras`, `from keras.layers import ...`, or
`from tensorflow.keras ...`). It runs twice, each time in a fresh process:
  * ours:   `keras.*` and `tensorflow.keras.*` resolve to `tensorforge.*` (the import-swap a user
            makes by hand, done by an import hook so the file itself is not edited);
  * oracle: the same names resolve to `tf_keras.*` (Keras 2.x), in the interpreter given by
            --keras-python (a venv with `pip install tensorflow-cpu tf-keras`).
Both sides get the same offline data: `keras.datasets.mnist` serves the 10,000 real digits the
package ships (repeated up to the 60,000/10,000 sizes some programs hard-code), `fashion_mnist`
reads /usr/share/datasets/fashion-mnist when present, and `imdb`, `reuters`, `cifar10`,
`cifar100`, `boston_housing` serve seeded synthetic data of the real shapes and dtypes with a
learnable signal. `fit` is capped to --max-epochs epochs and --max-samples samples on both sides
(the same cap), so a run takes seconds to minutes; accuracy is then compared between the two
sides, not with the paper figure.

Reported per program: whether each side ran to completion (exit status, the last error line),
wall time, and the final logs of the last `fit` (loss, accuracy, val_*) on each side.
The programs themselves are not part of this repository: point the tool at a folder of Keras 2
programs (the keras-team 2.x examples, the Keras 2 guides, book chapters).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The bootstrap that runs inside each child process before the program. It installs the import
# hook, the offline datasets and the fit cap, then executes the program as __main__.
BOOT = r'''
import importlib, importlib.abc, importlib.util, json, os, runpy, sys
import numpy as np
SIDE, PROG, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
MAX_EPOCHS, MAX_SAMPLES = int(os.environ["KP_MAX_EPOCHS"]), int(os.environ["KP_MAX_SAMPLES"])
TARGET = "tensorforge" if SIDE == "ours" else "tf_keras"

class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """keras.X / tensorflow.keras.X -> TARGET.X (the same module object under both names)."""
    PREFIXES = ("keras", "tensorflow.keras", "tensorflow.python.keras")
    specs = {}
    def _target(self, name):
        if name == "tensorforge" or name.startswith("tensorforge."):
            return TARGET + name[len("tensorforge"):]
        for p in self.PREFIXES:
            if name == p or name.startswith(p + "."):
                return TARGET + name[len(p):]
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

if SIDE != "ours":
    import tensorflow as _tf  # imports Keras 3 as `keras`: drop it, so `keras` means tf_keras
    import tf_keras
    for _k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
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
    # `import tensorflow as tf; tf.keras...` and `from tensorflow import keras`
    import types
    tfmod = types.ModuleType("tensorflow")
    tfmod.__path__ = []
    tfmod.keras = importlib.import_module("tensorforge")
    sys.modules["tensorflow"] = tfmod
else:
    _tf.keras = tf_keras
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
    return (255 - xtr, ytr), (255 - xte, yte)

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

def _offline_file(fname, origin):
    """A local path for a download the program asks for, or None (then the real get_file runs)."""
    d = os.path.join(os.getcwd(), "kp_offline")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, os.path.basename(fname))
    key = (str(fname) + " " + str(origin)).lower()
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
        steps = len(x)
    return None if steps is None else min(int(steps), limit)

def _record(h):
    logs = getattr(h, "history", {}) or {}
    _last.clear()
    _last.update({k: float(v[-1]) for k, v in logs.items() if len(v)})

def _wrap_fit(cls):
    orig = cls.fit
    def fit(self, x=None, y=None, *args, **kw):
        if "epochs" in kw:
            kw["epochs"] = min(kw["epochs"], MAX_EPOCHS + kw.get("initial_epoch", 0))
        elif len(args) >= 2:
            args = list(args)
            args[1] = min(args[1], MAX_EPOCHS)
        else:
            kw["epochs"] = 1
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
        h = orig(self, _cap(x), _cap(y), *args, **kw)
        _record(h)
        return h
    cls.fit = fit

def _wrap_fit_generator(cls):
    orig = cls.fit_generator
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, *args, **kw):
        epochs = min(epochs, MAX_EPOCHS + kw.get("initial_epoch", 0))
        steps_per_epoch = _cap_steps(generator, steps_per_epoch, None)
        if isinstance(kw.get("validation_data"), (tuple, list)):
            kw["validation_data"] = tuple(_cap(v) for v in kw["validation_data"])
        if kw.get("validation_steps") is not None:
            kw["validation_steps"] = _cap_steps(None, kw["validation_steps"], None)
        h = orig(self, generator, steps_per_epoch, epochs, *args, **kw)
        _record(h)
        return h
    cls.fit_generator = fit_generator

def _wrap_evaluate(cls):
    orig = cls.evaluate
    def evaluate(self, x=None, y=None, *args, **kw):
        r = orig(self, _cap(x), _cap(y), *args, **kw)
        vals = r if isinstance(r, (list, tuple)) else [r]
        names = list(getattr(self, "metrics_names", []) or [])
        if len(names) != len(vals):
            names = [f"m{i}" for i in range(len(vals))]
        try:
            _last.update({"eval_" + n: float(v) for n, v in zip(names, vals)})
        except (TypeError, ValueError):
            pass
        return r
    cls.evaluate = evaluate

MAX_PREDICT = int(os.environ.get("KP_MAX_PREDICT", "300"))
_predicts = {"n": 0}

def _wrap_predict(cls):
    orig = cls.predict
    def predict(self, *args, **kw):
        if _predicts["n"] >= MAX_PREDICT:
            raise _KPCapReached()
        _predicts["n"] += 1
        return orig(self, *args, **kw)
    cls.predict = predict

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

models = importlib.import_module(TARGET + ".models")
seen = set()
for cls in (getattr(models, "Model", None), getattr(models, "Sequential", None)):
    if cls is not None and cls not in seen:
        seen.add(cls)
        for name, wrap in (("fit", _wrap_fit), ("fit_generator", _wrap_fit_generator),
                           ("evaluate", _wrap_evaluate), ("train_on_batch", _wrap_train_on_batch),
                           ("predict", _wrap_predict)):
            if name in cls.__dict__:
                wrap(cls)

# helper modules of a program (the book's gan.py, model_builder.py) live beside it or in lib/
sys.path[:0] = [os.path.dirname(PROG), os.path.join(os.path.dirname(PROG), "lib")]

status = {"ok": False}
try:
    sys.argv = [PROG]
    runpy.run_path(PROG, run_name="__main__")
    status["ok"] = True
except _KPCapReached:
    status["ok"] = True
    status["capped"] = (f"hand-written loop stopped after {_steps['n']} train_on_batch / "
                        f"{_predicts['n']} predict calls")
except SystemExit as e:
    status["ok"] = e.code in (None, 0)
    if not status["ok"]:
        status["error"] = f"SystemExit({e.code})"
except BaseException as e:
    import traceback
    tb = traceback.extract_tb(e.__traceback__)
    where = next((f"{os.path.basename(f.filename)}:{f.lineno}" for f in reversed(tb)
                  if f.filename == PROG), "")
    status["error"] = f"{type(e).__name__}: {str(e)[:300]} [{where}]"
status["logs"] = dict(_last)
with open(OUT, "w") as f:
    json.dump(status, f)
'''


def run_side(side, prog, python, args, workdir):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    boot = os.path.join(workdir, "kp_boot.py")
    env = dict(os.environ, KP_MAX_EPOCHS=str(args.max_epochs), KP_MAX_SAMPLES=str(args.max_samples),
               KP_MAX_STEPS=str(args.max_steps),
               KP_REPO_PYTHON=os.path.join(REPO, "python"), TF_CPP_MIN_LOG_LEVEL="3",
               MPLBACKEND="Agg", CUDA_VISIBLE_DEVICES="")
    if side == "ours":
        env["PYTHONPATH"] = os.path.join(REPO, "python") + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.time()
    try:
        p = subprocess.run([python, boot, side, os.path.abspath(prog), out], cwd=workdir, env=env,
                           capture_output=True, text=True, timeout=args.timeout)
        rc, tail = p.returncode, (p.stdout + p.stderr)[-2000:]
    except subprocess.TimeoutExpired:
        rc, tail = "timeout", ""
    dt = time.time() - t0
    try:
        with open(out) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = {"ok": False, "error": f"crashed (exit status {rc}): {tail[-300:]}"}
    os.unlink(out) if os.path.exists(out) else None
    res["seconds"] = round(dt, 1)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("programs", nargs="+")
    ap.add_argument("--keras-python", default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    ap.add_argument("--ours-python", default=sys.executable)
    ap.add_argument("--max-epochs", type=int, default=2)
    ap.add_argument("--max-samples", type=int, default=2000)
    ap.add_argument("--max-steps", type=int, default=20,
                    help="train_on_batch calls before a hand-written loop is stopped")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--only", choices=["ours", "oracle"], default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    progs = []
    for p in args.programs:
        if os.path.isdir(p):
            progs += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if f.endswith(".py") and os.path.isfile(os.path.join(p, f)))
        else:
            progs.append(p)
    results = {}
    with tempfile.TemporaryDirectory() as wd:
        with open(os.path.join(wd, "kp_boot.py"), "w") as f:
            f.write(BOOT)
        for prog in progs:
            r = {}
            for side, py in (("ours", args.ours_python), ("oracle", args.keras_python)):
                if args.only and side != args.only:
                    continue
                r[side] = run_side(side, prog, py, args, wd)
            results[os.path.basename(prog)] = r
            line = f"{os.path.basename(prog):40s}"
            for side in ("ours", "oracle"):
                if side in r:
                    s = r[side]
                    acc = {k: round(v, 4) for k, v in s.get("logs", {}).items()
                           if "acc" in k or k in ("loss", "val_loss", "train_on_batch_loss") or k.startswith("eval_")}
                    line += f" | {side}: {'OK ' if s['ok'] else 'FAIL'} {s['seconds']:6.1f}s {acc}"
                    if not s["ok"]:
                        line += f" {s.get('error', '')[:200]}"
            print(line, flush=True)
    ok = sum(1 for r in results.values() if r.get("ours", {}).get("ok"))
    print(f"\nours: {ok} of {len(results)} programs ran to completion")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
