"""tools/keras_parity.py, the Keras 2 program harness: the compared figure (metric specs), the
verdict (Welch's test over seeds, the test set's sampling noise for one run) and one real run
of a small program on our side (the records of fit / evaluate, caps, seeds, threads)."""
import os
import sys
import textwrap

import pytest

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


def _run(records, stdout=""):
    return {"ok": True, "records": records, "stdout": stdout}


RUN = _run([
    {"kind": "fit", "logs": {"loss": 0.5, "acc": 0.8, "val_loss": 0.6, "val_acc": 0.75}, "n": 400},
    {"kind": "evaluate", "logs": {"loss": 0.61, "accuracy": 0.74}, "n": 2000},
    {"kind": "fit", "logs": {"loss": 0.3, "accuracy": 0.9}, "n": None},
], stdout="Test accuracy: 0.5\nTest accuracy: 0.7312\n")


def test_metric_specs_pick_the_call_and_the_key():
    assert kp.metric_value("fit:loss", RUN) == (0.3, None)  # last fit, a training figure: no n
    assert kp.metric_value("fit[0]:val_accuracy", RUN) == (0.75, 400)  # acc == accuracy
    assert kp.metric_value("fit[0]:acc", RUN) == (0.8, None)
    assert kp.metric_value("evaluate:acc", RUN) == (0.74, 2000)
    assert kp.metric_value("evaluate[0]:loss", RUN) == (0.61, 2000)
    assert kp.metric_value(r"stdout:Test accuracy: ([0-9.]+)", RUN) == (0.7312, None)
    assert kp.metric_value("evaluate[3]:loss", RUN) == (None, None)
    assert kp.metric_value("fit:val_loss", RUN) == (None, None)
    with pytest.raises(ValueError, match="bad metric spec 'predict:loss'"):
        kp.metric_value("predict:loss", RUN)


def test_json_keeps_the_stdout_figure_for_from_json(tmp_path):
    # a `stdout:` figure (IIC's "Head 0 accuracy") must survive --json, or --from-json and an
    # --only run lose it; the output is kept as its tail
    run = dict(RUN, stdout="x" * 10000 + "Head 0 accuracy: 48.15%\n", seed=1)
    path = str(tmp_path / "runs.json")
    kp._write_json(path, {"iic": {"ours": [run], "oracle": [run]}})
    import json
    with open(path) as f:
        back = json.load(f)["iic"]["ours"][0]
    assert len(back["stdout"]) == kp.STDOUT_KEPT
    assert kp.metric_value(r"stdout:Head 0 accuracy: ([0-9.]+)%", back) == (48.15, None)


def test_auto_metric_is_the_first_every_run_reports():
    st = {"metric": None}
    assert kp.pick_metric(st, [RUN, RUN]) == "evaluate:accuracy"
    only_fit = _run([{"kind": "fit", "logs": {"loss": 1.0, "val_loss": 2.0}, "n": 10}])
    assert kp.pick_metric(st, [only_fit]) == "fit:val_loss"
    assert kp.pick_metric(st, [RUN, only_fit]) == "fit:loss"  # RUN's last fit has no val_loss
    assert kp.pick_metric({"metric": "fit:loss"}, [only_fit]) == "fit:loss"


def test_verdict_with_seeds_is_welchs_test():
    # means 0.92 and 0.82, both std 0.02, 3 + 3 seeds: t = 0.1 / sqrt(2 * 0.0004 / 3) = 6.12,
    # df = 4 (equal variances and sizes: 2 * (3 - 1)), 95% point 2.78
    v = kp.verdict("evaluate:accuracy", [0.90, 0.92, 0.94], [0.80, 0.82, 0.84], 2000)
    assert v.startswith("DIFFERS (Welch t = +6.12, df 4.0")
    # the same gap with std 0.1 a side: t = 0.1 / sqrt(2 * 0.01 / 3) = 1.22
    v = kp.verdict("evaluate:accuracy", [0.82, 0.92, 1.02], [0.72, 0.82, 0.92], 2000)
    assert v.startswith("within seed noise (Welch t = +1.22, df 4.0")
    assert kp.verdict("fit:loss", [1.0, 1.0], [1.0, 1.0], None) == "equal"
    # a fractional Welch df reads the table row below it (3.04 -> df 3, 3.18; not 4, 2.78)
    assert kp._t95(3.04) == 3.18 and kp._t95(4.0) == 2.78 and kp._t95(0.5) == 12.71
    assert kp._t95(100) == 1.96


def test_verdict_of_one_run():
    # accuracy: 2 SE of the difference of two binomial proportions measured on n samples
    # (0.90 vs 0.885: 2 SE = 1.99 pt; 0.90 vs 0.87: 2 SE = 2.02 pt)
    assert kp.verdict("evaluate:accuracy", [0.90], [0.885], 2000).startswith("agrees (1 run")
    assert kp.verdict("evaluate:accuracy", [0.90], [0.87], 2000).startswith("gap > 2 SE (2.0 pt")
    assert kp.verdict("fit:accuracy", [0.90], [0.89], None).startswith("agrees")
    assert kp.verdict("fit:val_loss", [1.04], [1.0], None).startswith("agrees (1 run; rel. diff 3.8%")
    assert kp.verdict("fit:val_loss", [1.2], [1.0], None).startswith("rel. diff 16.7% > 5%")


PROGRAM = textwrap.dedent("""
    import numpy as np
    import keras
    from keras import layers
    np.random.seed(0)
    x = np.random.random((300, 4)).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")
    xt = np.repeat(x[:50], 3, axis=0)  # 150 rows, 50 distinct
    yt = np.repeat(y[:50], 3, axis=0)
    m = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                          layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    class EvalInside(keras.callbacks.Callback):  # as tf_keras's fit validates: not recorded
        ran = 0
        def on_epoch_end(self, epoch, logs=None):
            EvalInside.ran += 1
            self.model.evaluate(x[:10], y[:10], verbose=0)
    h = m.fit(x, y, epochs=5, batch_size=32, validation_split=0.25, verbose=0,
              callbacks=[EvalInside()])
    print("epochs run", EvalInside.ran, "epoch list", len(h.epoch), "history",
          len(h.history["loss"]))
    print("evaluate", m.evaluate(xt, yt, verbose=0))
""")


def test_a_program_runs_on_our_side_with_caps_seed_and_threads(tmp_path):
    prog = tmp_path / "tiny.py"
    prog.write_text(PROGRAM)
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=2, samples=200, max_steps=20, max_predict=300, metric=None, note="")
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    runs = [kp.run_side("ours", str(prog), sys.executable, args, st, 7, root) for _ in range(2)]
    r = runs[0]
    assert r["ok"], r.get("error")
    # epochs capped to 2; the History padded to the 5 asked (programs plot range(epochs)),
    # its epoch list too (the TF regression tutorial's hist['epoch'] = history.epoch)
    assert "epochs run 2 epoch list 5 history 5" in r["stdout"]
    fit, ev = r["records"]
    assert fit["kind"] == "fit" and ev["kind"] == "evaluate"
    assert fit["n"] == 50  # validation_split 0.25 of the 200 capped samples
    assert ev["n"] == 50  # 150 rows, 50 distinct
    assert set(ev["logs"]) == {"loss", "acc"}
    v, n = kp.metric_value("evaluate:accuracy", r)
    assert n == 50 and 0.0 <= v <= 1.0
    # the same seed on the same side repeats the run exactly (weights, shuffles)
    assert runs[1]["records"] == r["records"]


def _run_ours(tmp_path, progs, caps):
    """One run on our side of each program (a path or a list of them), unseeded, 1 thread."""
    progs = progs if isinstance(progs, list) else [progs]
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(caps, metric=None, note="")
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    return [kp.run_side("ours", str(p), sys.executable, args, st, None, root) for p in progs]


HANDSON_DATA = textwrap.dedent("""
    import numpy as np
    from tensorflow import keras
    from sklearn.datasets import fetch_california_housing
    (x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()
    print("fashion", x.shape, x.dtype, xt.shape, "min pixel std", float(x[5000:].std(axis=0).min()) > 0)
    h = fetch_california_housing()
    print("housing", h.data.shape, h.target.shape, h.feature_names[0], h.feature_names[-1],
          float(h.target.min()) >= 0.14999, float(h.target.max()) <= 5.00001)
    X, t = fetch_california_housing(return_X_y=True)
    print("return_X_y", X.shape, t.shape)
""")


def test_handson_ml_data_offline(tmp_path):
    # the Hands-On ML 2 programs' data (tools/keras_corpus.md, "Fifteenth corpus"): no
    # constant Fashion MNIST pixel (ch. 11 divides by each pixel's std), California housing
    # in scikit-learn's shapes and names, without a download
    prog = tmp_path / "handson_data.py"
    prog.write_text(HANDSON_DATA)
    r = _run_ours(tmp_path, prog, dict(epochs=1, samples=200, max_steps=20, max_predict=300))[0]
    assert r["ok"], r.get("error")
    assert "fashion (60000, 28, 28) uint8 (10000, 28, 28) min pixel std True" in r["stdout"]
    assert "housing (20640, 8) (20640,) MedInc Longitude True True" in r["stdout"]
    assert "return_X_y (20640, 8) (20640,)" in r["stdout"]


def test_a_program_gets_the_arguments_of_its_args_file(tmp_path):
    # the book's chapter 12-13 programs train only when given -t / --train: a PROG.args file
    # beside the program holds its command line (shell words, # comments); no file, no arguments
    with_args = tmp_path / "with_args.py"
    with_args.write_text("import sys\nprint('argv', sys.argv[1:])\n")
    (tmp_path / "with_args.py.args").write_text("-t -b=2 --data-path='data/my drinks'  # 96x128\n")
    bare = tmp_path / "bare.py"
    bare.write_text(with_args.read_text())
    r, r_bare = _run_ours(tmp_path, [with_args, bare],
                          dict(epochs=1, samples=10, max_steps=1, max_predict=1))
    assert r["ok"], r.get("error")
    assert "argv ['-t', '-b=2', '--data-path=data/my drinks']" in r["stdout"]
    r = r_bare
    assert r["ok"], r.get("error")
    assert "argv []" in r["stdout"]


SEQUENCE_STEPS = textwrap.dedent("""
    import numpy as np
    from tensorflow import keras
    class Siamese(keras.utils.Sequence):  # IIC's DataGenerator: no batch_size attribute,
        def __init__(self, n):            # 8 images a batch, each with its augmented copy
            self.n = n
        def __len__(self):
            return self.n // 8
        def __getitem__(self, i):
            x = np.full((8, 3), float(i), np.float32)
            return np.concatenate([x, x + 0.5]), [np.zeros((16, 1), np.float32)]
    class Count(keras.callbacks.Callback):
        steps = 0
        def on_train_batch_end(self, batch, logs=None):
            Count.steps += 1
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    m.compile("sgd", "mse")
    m.fit(Siamese(1000), epochs=1, verbose=0, callbacks=[Count()])
    print("steps", Count.steps)
""")


def test_a_sequence_is_capped_at_its_own_batch_rows(tmp_path):
    # the sample cap of a keras.utils.Sequence without a batch_size attribute counts the rows
    # of its batch (16: 8 + 8 Siamese rows), not a batch of 32 assumed: 64 samples, 4 steps
    # (IIC's plan capped 1,024 samples to ceil(1,024 / 32) = 32 steps of 1,024 rows)
    prog = tmp_path / "sequence_steps.py"
    prog.write_text(SEQUENCE_STEPS)
    r = _run_ours(tmp_path, prog, dict(epochs=1, samples=64, max_steps=20, max_predict=10))[0]
    assert r["ok"], r.get("error")
    assert "steps 4" in r["stdout"], r["stdout"][-500:]
