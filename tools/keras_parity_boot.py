"""The bootstrap of tools/keras_parity.py: it runs inside each child process before the program
(copied there as kp_boot.py; argv: side, program, output json). It installs the import hook, the
offline datasets and the fit cap, then executes the program as __main__, and writes the record
of the last fit's logs and the program's status to the output file. Its pieces live in
tools/parity_boot/ (imported from KP_TOOLS, the harness's tools folder); what stays here is the
order they install in, the threads and seeds, the program's folders, and the run itself."""
import importlib, json, os, runpy, sys
import numpy as np

sys.path.insert(0, os.environ["KP_TOOLS"])
from parity_boot import aliases, caps, datasets, display, era, paths  # noqa: E402
from parity_boot.config import OUT, PROG, PROG_DIR as _PROG_DIR, SIDE, TARGET, THREADS  # noqa: E402
del sys.path[0]

aliases.install()
datasets.install()
paths.install()
era.install()
display.install()
caps.install()

# a program's prompts (input("Continue? [Y/n]"), "Hit enter to continue") are answered with Enter,
# as a user at the terminal would; a loop that only stops on "n" ends at the predict cap
def _enter(prompt=""):
    print(prompt)
    return ""


import builtins as _builtins  # noqa: E402
_builtins.input = _enter

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
except caps.CapReached:
    status["ok"] = True
    status["capped"] = (f"hand-written loop stopped after {caps.steps['n']} train_on_batch / "
                        f"{caps.predicts['n']} predict / {caps.applies['n']} apply_gradients "
                        "calls")
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
status["logs"] = dict(caps.last)
status["records"] = caps.records
with open(OUT, "w") as f:
    json.dump(status, f)
