"""Run Keras 2 programs unchanged under tensorforge and under real Keras 2 (tf_keras), and compare.

    python3 tools/keras_parity.py DIR_OR_FILES... [--keras-python PATH] [--max-epochs 2]
                                  [--max-samples 2000] [--timeout 600] [--json out.json]
    python3 tools/keras_parity.py DIR... --plan --threads 1 --nice 5 [--seeds 0 1 2]
                                  [--jobs 2] [--table table.md]       # the accuracy comparison

Each program is written for Keras 2 (`import keras`, `from keras.layers import ...`, or
`from tensorflow.keras ...`). It runs twice, each time in a fresh process:
  * ours:   `keras.*` and `tensorflow.keras.*` resolve to `tensorforge.*` (the import-swap a user
            makes by hand, done by an import hook so the file itself is not edited);
  * oracle: the same names resolve to `tf_keras.*` (Keras 2.x), in the interpreter given by
            --keras-python (a venv with `pip install tensorflow-cpu tf-keras`). Optimizers,
            by class or by name, are tf_keras's `optimizers.legacy` ones (Keras 2's update
            rules, and the Keras 2.2 arguments lr= and decay=), but RMSprop and Nadam, whose
            updates tf_keras 2.11 changed: tf_keras 2.21's own classes, lr= read as
            learning_rate= (decay= / schedule_decay= / epsilon=None: the legacy class).
Both sides get the same offline data: `keras.datasets.mnist` serves the 10,000 real digits the
package ships (repeated up to the 60,000/10,000 sizes some programs hard-code), `fashion_mnist`
reads /usr/share/datasets/fashion-mnist when present, and `imdb`, `reuters`, `cifar10`,
`cifar100`, `boston_housing` serve seeded synthetic data of the real shapes and dtypes with a
learnable signal. `fit` is capped to --max-epochs epochs and --max-samples samples on both sides
(the same cap), so a run takes seconds to minutes; accuracy is then compared between the two
sides, not with the paper figure.

Reported per program: whether each side ran to completion (exit status, the last error line),
wall time, and the final logs of the last `fit` (loss, accuracy, val_*) on each side.

The accuracy comparison (--plan): each program gets its own cap and compared figure from
tools/keras_parity_plan.py (the final evaluate accuracy, a validation accuracy, an
autoencoder's loss), the same on both sides; --threads 1 pins OpenMP, tensorforge and
TensorFlow's intra/inter-op pools to one thread, --seeds runs each side once per seed (Python,
NumPy and the library's random state seeded with it; the program's own np.random.seed calls
still run), --nice lowers the runs' priority. The table gives per program the figure on each
side (mean +- std over seeds), the difference and a verdict: with several seeds a side,
Welch's t-test at 95% against the seed-to-seed spread; with one run, agreement within 2
standard errors of the test set's sampling noise (accuracies; n = distinct evaluation samples)
or within 5% (losses), else "run seeds". Programs the plan marks not comparable (GAN loops,
random targets) are listed with the reason.
The programs themselves are not part of this repository: point the tool at a folder of Keras 2
programs (the keras-team 2.x examples, the Keras 2 guides, book chapters; tools/keras_corpus.md).
"""
import argparse
import concurrent.futures
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_parity_plan import NOT_COMPARABLE, PLAN  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The bootstrap that runs inside each child process before the program (keras_parity_boot.py,
# its pieces in parity_boot/, imported from this folder: KP_TOOLS): it installs the import hook,
# the offline datasets and the fit cap, then executes the program as __main__. run_side runs the
# copy that install_boot puts in the runs' root folder.
BOOT = os.path.join(HERE, "keras_parity_boot.py")


def install_boot(root):
    shutil.copyfile(BOOT, os.path.join(root, "kp_boot.py"))


def settings(prog, args):
    """The caps and the compared figure for one program: the plan's (--plan), else the flags'."""
    name = os.path.splitext(os.path.basename(prog))[0]
    st = dict(epochs=args.max_epochs, samples=args.max_samples, max_steps=args.max_steps,
              max_predict=args.max_predict, max_apply=args.max_apply, metric=None, note="")
    if args.plan and name in PLAN:
        st.update(PLAN[name])
    return st


def run_side(side, prog, python, args, st, seed, root):
    """One run of one program on one side, in a fresh process and a folder of its own (runs
    in parallel must not share the files a program writes). Returns the bootstrap's record."""
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    workdir = tempfile.mkdtemp(dir=root)
    env = dict(os.environ, KP_MAX_EPOCHS=str(st["epochs"]), KP_MAX_SAMPLES=str(st["samples"]),
               KP_MAX_STEPS=str(st["max_steps"]), KP_MAX_PREDICT=str(st["max_predict"]),
               KP_MAX_APPLY=str(st.get("max_apply", 0)),
               KP_REPO_PYTHON=os.path.join(REPO, "python"), KP_TOOLS=HERE,
               TF_CPP_MIN_LOG_LEVEL="3",
               MPLBACKEND="Agg", CUDA_VISIBLE_DEVICES="", PYTHONHASHSEED="0",
               KP_SEED="" if seed is None else str(seed), KP_THREADS=str(args.threads or 0))
    if args.threads:
        for k in ("OMP_NUM_THREADS", "TENSORFORGE_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                  "TF_NUM_INTEROP_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[k] = str(args.threads)
    if side == "ours":
        env["PYTHONPATH"] = os.path.join(REPO, "python") + os.pathsep + env.get("PYTHONPATH", "")
    nice = (lambda: os.nice(args.nice)) if args.nice else None
    t0 = time.time()
    try:
        p = subprocess.run([python, os.path.join(root, "kp_boot.py"), side, os.path.abspath(prog),
                            out], cwd=workdir, env=env, capture_output=True, text=True,
                           timeout=args.timeout, preexec_fn=nice)
        rc, text = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, text = "timeout", ""
    dt = time.time() - t0
    try:
        with open(out) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = {"ok": False, "error": f"crashed (exit status {rc}): {text[-300:]}"}
    if rc == "timeout":
        res = {"ok": False, "error": f"over the {args.timeout} s limit"}
    os.unlink(out) if os.path.exists(out) else None
    shutil.rmtree(workdir, ignore_errors=True)
    res["seconds"] = round(dt, 1)
    res["stdout"] = text[-20000:]
    return res


# ---- the compared figure ----

def _canon(key):
    """Keras 2.2 writes `acc`, tf.keras 2 `accuracy` (and `val_acc` / `val_accuracy`)."""
    return re.sub(r"(^|_)acc$", r"\1accuracy", key)


AUTO_METRICS = ("evaluate:accuracy", "fit:val_accuracy", "fit:accuracy", "evaluate:loss",
                "fit:val_loss", "fit:loss")


def metric_value(spec, res):
    """(value, n) of a metric spec (see tools/keras_parity_plan.py) in one run's record; n is
    the number of distinct samples an evaluation figure was measured on (else None)."""
    if spec.startswith("stdout:"):
        found = re.findall(spec[len("stdout:"):], res.get("stdout", ""))
        return (float(found[-1]), None) if found else (None, None)
    kind, _, key = spec.partition(":")
    m = re.fullmatch(r"(fit|evaluate)(?:\[(-?\d+)\])?", kind)
    if m is None:
        raise ValueError(f"keras_parity: bad metric spec {spec!r} (expected fit[i]:NAME, "
                         "evaluate[i]:NAME or stdout:REGEX)")
    recs = [r for r in res.get("records", []) if r["kind"] == m.group(1)]
    try:
        rec = recs[int(m.group(2) or -1)]
    except IndexError:
        return None, None
    logs = {_canon(k): v for k, v in rec["logs"].items()}
    v = logs.get(_canon(key))
    held_out = m.group(1) == "evaluate" or key.startswith("val_")
    return v, (rec.get("n") if held_out else None)


def pick_metric(st, runs):
    """The plan's metric, else the first of AUTO_METRICS every run reports."""
    if st["metric"]:
        return st["metric"]
    for spec in AUTO_METRICS:
        if runs and all(metric_value(spec, r)[0] is not None for r in runs):
            return spec
    return None


# two-sided 95% points of Student's t (Welch's test below), by degrees of freedom
_T95 = [(1, 12.71), (2, 4.30), (3, 3.18), (4, 2.78), (5, 2.57), (6, 2.45), (7, 2.36), (8, 2.31),
        (9, 2.26), (10, 2.23), (12, 2.18), (15, 2.13), (20, 2.09), (30, 2.04)]


def _t95(df):
    """The 95% point at the degrees of freedom rounded down (a fractional Welch df falls
    between two table rows: the lower row's larger point, as printed tables are read)."""
    df = max(1, math.floor(df + 1e-9))
    for d, t in _T95:
        if df <= d:
            return t
    return 1.96


def _mean_std(v):
    m = sum(v) / len(v)
    return m, (math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0)


def verdict(spec, ours, keras, n):
    """Is the gap between the two sides' figures within noise?

    With two or more seeds a side: Welch's t-test at 95% on the seed means (the seed-to-seed
    spread is the noise). With one run a side, the only noise that can be named is the test
    set's sampling noise of an accuracy (binomial, n distinct samples): within 2 standard
    errors "agrees"; a loss within 5% "agrees"; anything else wants seeds to decide."""
    accuracy = "accuracy" in _canon(spec.rpartition(":")[2])
    m1, s1 = _mean_std(ours)
    m2, s2 = _mean_std(keras)
    d = m1 - m2
    if len(ours) >= 2 and len(keras) >= 2:
        se2 = s1 ** 2 / len(ours) + s2 ** 2 / len(keras)
        if se2 == 0:
            return "equal" if d == 0 else "DIFFERS (no seed spread)"
        df = se2 ** 2 / ((s1 ** 2 / len(ours)) ** 2 / (len(ours) - 1) +
                         (s2 ** 2 / len(keras)) ** 2 / (len(keras) - 1))
        t = d / math.sqrt(se2)
        within = abs(t) <= _t95(df)
        return (f"{'within seed noise' if within else 'DIFFERS'} (Welch t = {t:+.2f}, "
                f"df {df:.1f}, {len(ours)}+{len(keras)} seeds)")
    if accuracy and n:
        se = math.sqrt(max(m1 * (1 - m1), 0) / n + max(m2 * (1 - m2), 0) / n)
        if abs(d) <= 2 * se:
            return f"agrees (1 run; abs. diff <= 2 SE = {200 * se:.1f} pt, n = {n})"
        return f"gap > 2 SE ({200 * se:.1f} pt, n = {n}): run seeds"
    if accuracy:
        return "agrees (1 run; abs. diff <= 2 pt)" if abs(d) <= 0.02 else "gap > 2 pt: run seeds"
    rel = abs(d) / max(abs(m1), abs(m2), 1e-12)
    return (f"agrees (1 run; rel. diff {100 * rel:.1f}% <= 5%)" if rel <= 0.05 else
            f"rel. diff {100 * rel:.1f}% > 5%: run seeds")


def _fmt(spec, vals):
    pct = "accuracy" in _canon(spec.rpartition(":")[2])
    f = (lambda v: f"{100 * v:.2f}%") if pct else (lambda v: f"{v:.4g}")
    if len(vals) == 1:
        return f(vals[0])
    m, s = _mean_std(vals)
    return (f"{100 * m:.2f} +- {100 * s:.2f}%" if pct else f"{m:.4g} +- {s:.2g}") + \
        f" ({len(vals)})"


def compare_row(name, st, runs):
    """One table row (a list of cells) from the runs of both sides."""
    ours, keras = runs.get("ours", []), runs.get("oracle", [])
    spec = pick_metric(st, ours + keras)
    fails = [f"{'tensorforge' if side == 'ours' else 'Keras 2'} failed: "
             f"{r.get('error', '')[:120]}" for side in ("ours", "oracle")
             for r in runs.get(side, []) if not r.get("ok")]
    if spec is None:
        return [name, "-", "-", "-", "-", "no figure reported" + ("; " + fails[0] if fails else "")]
    vo = [v for v in (metric_value(spec, r)[0] for r in ours) if v is not None]
    vk = [v for v in (metric_value(spec, r)[0] for r in keras) if v is not None]
    ns = [metric_value(spec, r)[1] for r in ours + keras]
    n = min((x for x in ns if x), default=None)
    if not vo or not vk:
        return [name, spec, _fmt(spec, vo) if vo else "-", _fmt(spec, vk) if vk else "-", "-",
                "; ".join(fails) or "figure missing on one side"]
    pct = "accuracy" in _canon(spec.rpartition(":")[2])
    d = _mean_std(vo)[0] - _mean_std(vk)[0]
    diff = f"{100 * d:+.2f} pt" if pct else f"{d:+.4g} ({100 * d / max(abs(_mean_std(vk)[0]), 1e-12):+.1f}%)"
    v = verdict(spec, vo, vk, n)
    if fails:
        v += "; after the fit: " + fails[0]
    return [name, spec, _fmt(spec, vo), _fmt(spec, vk), diff, v]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("programs", nargs="+")
    ap.add_argument("--keras-python", default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    ap.add_argument("--ours-python", default=sys.executable)
    ap.add_argument("--max-epochs", type=int, default=2)
    ap.add_argument("--max-samples", type=int, default=2000)
    ap.add_argument("--max-steps", type=int, default=20,
                    help="train_on_batch calls before a hand-written loop is stopped")
    ap.add_argument("--max-predict", type=int, default=300,
                    help="predict calls before a hand-written loop is stopped")
    ap.add_argument("--max-apply", type=int, default=0,
                    help="optimizer.apply_gradients calls before a hand-written GradientTape "
                         "loop is stopped (0: no cap)")
    ap.add_argument("--plan", action="store_true",
                    help="per-program caps and compared figure from tools/keras_parity_plan.py; "
                         "programs it marks not comparable are listed, not run")
    ap.add_argument("--seeds", type=int, nargs="+", default=None,
                    help="run each side once per seed (each library seeded with the integer)")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads of each side (OMP / tensorforge / TF intra- and inter-op)")
    ap.add_argument("--nice", type=int, default=0, help="run the programs under nice -n N")
    ap.add_argument("--jobs", type=int, default=1, help="runs at once")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--only", choices=["ours", "oracle"], default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--from-json", default=None,
                    help="run nothing: the comparison table of the runs a (possibly stopped) "
                         "--json file holds, for the programs named that have both sides")
    ap.add_argument("--table", default=None, help="write the comparison table (Markdown) here")
    args = ap.parse_args(argv)
    progs = []
    for p in args.programs:
        if os.path.isdir(p):
            progs += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if f.endswith(".py") and os.path.isfile(os.path.join(p, f)))
        else:
            progs.append(p)
    name_of = lambda p: os.path.splitext(os.path.basename(p))[0]  # noqa: E731
    skipped = [p for p in progs if args.plan and name_of(p) in NOT_COMPARABLE]
    progs = [p for p in progs if p not in skipped]
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
        done = [p for p in progs if saved.get(name_of(p), {}).get("ours")
                and saved[name_of(p)].get("oracle")]
        _print_table(args, done, skipped, saved, name_of)
        return 0
    seeds = args.seeds or [None]
    sides = [(s, py) for s, py in (("ours", args.ours_python), ("oracle", args.keras_python))
             if not args.only or s == args.only]
    results = {name_of(p): {s: [] for s, _ in sides} for p in progs}
    with tempfile.TemporaryDirectory() as root:
        install_boot(root)
        tasks = [(p, s, py, seed) for p in progs for seed in seeds for s, py in sides]

        def one(task):
            p, s, py, seed = task
            return task, run_side(s, p, py, args, settings(p, args), seed, root)

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for (p, s, py, seed), r in pool.map(one, tasks):
                results[name_of(p)][s].append(dict(r, seed=seed))
                acc = {k: round(v, 4) for k, v in r.get("logs", {}).items()
                       if "acc" in k or k in ("loss", "val_loss", "train_on_batch_loss")
                       or k.startswith("eval_")}
                line = (f"{name_of(p):44s} {s:6s} seed {seed}: {'OK ' if r['ok'] else 'FAIL'} "
                        f"{r['seconds']:6.1f}s {acc}")
                spec = settings(p, args)["metric"] or ""
                if r["ok"] and spec.startswith("stdout:"):  # in no log: shown per run here
                    line += f" {spec}: {metric_value(spec, r)[0]}"
                if not r["ok"]:
                    line += f" {r.get('error', '')[:200]}"
                print(line, flush=True)
                if args.json:  # after every run: a stopped comparison keeps what it measured
                    _write_json(args.json, results)
    for side, _ in sides:  # (--only oracle: the oracle's count, not an "ours: 0")
        ok = sum(1 for r in results.values() if r.get(side) and all(x["ok"] for x in r[side]))
        print(f"\n{side}: {ok} of {len(results)} programs ran to completion")
    if len(sides) == 2:
        _print_table(args, progs, skipped, results, name_of)
    if args.json:
        _write_json(args.json, results)
    return 0


def _print_table(args, progs, skipped, results, name_of):
    """The Markdown comparison table (printed, and written to --table)."""
    rows = [compare_row(name_of(p), settings(p, args), results[name_of(p)]) for p in progs]
    rows += [[name_of(p), "not comparable", "-", "-", "-", NOT_COMPARABLE[name_of(p)]]
             for p in skipped]
    head = ["program", "metric", "tensorforge", "Keras 2", "difference", "verdict"]
    cell = lambda c: " ".join(str(c).split()).replace("|", "/")  # noqa: E731
    table = "\n".join("| " + " | ".join(cell(c) for c in r) + " |" for r in
                      [head, ["---"] * len(head)] + rows)
    print("\n" + table)
    if args.table:
        with open(args.table, "w") as f:
            f.write(table + "\n")


STDOUT_KEPT = 3000


def _write_json(path, results):
    # the output's tail only (a `stdout:` figure is near the end), so --from-json can
    # compare it; the whole output made the file large
    slim = {p: {s: [{k: (v[-STDOUT_KEPT:] if k == "stdout" else v) for k, v in x.items()}
                    for x in runs]
                for s, runs in r.items()} for p, r in results.items()}
    with open(path, "w") as f:
        json.dump(slim, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
