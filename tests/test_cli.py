"""The `tensorforge` command: exit codes and output for info, each error path (one line on stderr,
no traceback) and a tiny real `train` run."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tensorforge import cli
from tfhelpers import subprocess_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, env=None, timeout=240):
    """`python -m tensorforge.cli ARGS` in a fresh process, as the console script runs it."""
    e = subprocess_env(env)
    return subprocess.run([sys.executable, "-m", "tensorforge.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=e, cwd=ROOT)


def one_line_error(err, *needles):
    lines = [ln for ln in err.splitlines() if ln.strip() and "Warning" not in ln and "_init_backend" not in ln]
    assert len(lines) == 1, f"expected one error line, got:\n{err}"
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], f"{n!r} not in {lines[0]!r}"
    return lines[0]


def call(capsys, *argv):
    """main() in this process (fast path for the error cases) -> (rc, stdout, stderr)."""
    try:
        rc = cli.main(list(argv))
    except SystemExit as e:  # argparse usage errors
        rc = e.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    monkeypatch.delenv("TENSORFORGE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    from tensorforge.datasets import fashion_mnist
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", str(tmp_path / "no-debian-package"))


def test_console_script_declared():
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        text = f.read()
    assert 'tensorforge = "tensorforge.cli:main"' in text


def test_info():
    r = run_cli("info", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "isa" in r.stdout and "backend" in r.stdout and "threads" in r.stdout


def test_no_command_prints_help(capsys):
    rc, out, _ = call(capsys)
    assert rc == 2 and "train" in out and "bench" in out and "info" in out


def test_unknown_model(capsys):
    rc, _, err = call(capsys, "train", "resnet")
    assert rc == 2
    one_line_error(err, "invalid choice", "resnet", "lenet")


def test_unknown_option(capsys):
    rc, _, err = call(capsys, "train", "lenet", "--epoch-count", "3")
    assert rc == 2
    one_line_error(err, "--epoch-count")


def test_bad_data_path(capsys, tmp_path):
    rc, _, err = call(capsys, "train", "mlp", "--data", str(tmp_path / "missing"))
    assert rc == 1
    one_line_error(err, "does not exist", "missing")


def test_corrupt_data(capsys, tmp_path):
    import gzip
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(str(tmp_path / (name + ".gz")), "wb") as f:
            f.write(bytes([0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28]) + b"\0" * 100)
    rc, _, err = call(capsys, "train", "mlp", "--data", str(tmp_path))
    assert rc == 1
    one_line_error(err, "truncated", "train-images-idx3-ubyte.gz")


def test_fashion_missing_names_package(capsys, no_data):
    rc, _, err = call(capsys, "train", "mlp", "--dataset", "fashion-mnist")
    assert rc == 1
    one_line_error(err, "dataset-fashion-mnist")


def test_missing_matplotlib(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    rc, _, err = call(capsys, "train", "lenet", "--plot", str(tmp_path / "curves.png"))
    assert rc == 1
    one_line_error(err, "matplotlib", "pip install")


@pytest.mark.parametrize("argv,needle", [
    (["--epochs", "0"], "--epochs"), (["--batch-size", "-4"], "--batch-size"),
    (["--threads", "0"], "--threads"), (["--save", "/no/such/dir/m.tfm"], "/no/such/dir"),
])
def test_bad_numbers_and_paths(capsys, argv, needle):
    rc, _, err = call(capsys, "train", "lenet", *argv)
    assert rc == 1
    one_line_error(err, needle)


def test_cuda_without_gpu(capsys):
    import tensorforge as tf
    if tf.backend.cuda_available():
        pytest.skip("a GPU is available: the cuda backend is not an error here")
    prev = tf.get_backend()
    try:
        rc, _, err = call(capsys, "train", "mlp", "--backend", "cuda", "--limit", "10")
    finally:
        tf.set_backend(prev)
    assert rc == 1
    one_line_error(err, "set_backend")


def test_bench_unknown_suite():
    r = run_cli("bench", "nosuch", timeout=60)
    assert r.returncode == 2
    one_line_error(r.stderr, "nosuch", "gemm")


def test_confusion_matrix_counts():
    y_true = np.array([0, 1, 2, 2, 1, 0, 9])
    y_pred = np.array([0, 2, 2, 2, 1, 1, 9])
    cm = cli.confusion_matrix(y_true, y_pred)
    want = np.zeros((10, 10), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        want[t, p] += 1
    np.testing.assert_array_equal(cm, want)
    assert cm.sum() == 7 and np.trace(cm) == 5


def test_train_lenet_small_run(tmp_path):
    """A real, small training run: prints accuracy, confusion matrix, throughput; saves the model."""
    save = tmp_path / "lenet.tfm"
    r = run_cli("train", "lenet", "--epochs", "1", "--limit", "1500", "--threads", "2",
                "--save", str(save), "--verbose", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    acc_line = next(ln for ln in out.splitlines() if ln.startswith("test loss:"))
    acc = float(acc_line.split("test accuracy:")[1].split("%")[0])
    assert acc > 70.0, out                                  # far above chance (10%) on real digits
    assert "confusion matrix" in out
    rows = [ln.split() for ln in out.splitlines() if ln.startswith("  ") and len(ln.split()) == 11]
    assert len(rows) == 10
    assert [int(r[0]) for r in rows] == list(range(10))     # one row per true label
    total = sum(sum(int(v) for v in r[1:]) for r in rows)
    assert total == 1500                                     # every test image counted once
    tp = next(ln for ln in out.splitlines() if ln.startswith("training throughput:"))
    assert float(tp.split()[2].replace(",", "")) > 0 and "images/s" in tp
    assert save.is_file() and save.stat().st_size > 400_000  # LeNet has ~1 M float32 weights
    assert r.stderr.count("bundled") == 1                     # said once where the data came from
    # the saved file is the trained model: reloaded, it scores exactly what was printed
    from tensorforge.datasets import mnist
    from tensorforge.models import load_model
    from tensorforge.utils import to_categorical
    _, (x_test, y_test) = mnist.load_data()
    x = (x_test[:1500].astype(np.float32) / 255).reshape(-1, 28, 28, 1)
    res = load_model(str(save)).evaluate(x, to_categorical(y_test[:1500], 10), verbose=0)
    assert 100 * float(res[1]) == pytest.approx(acc, abs=0.006)


def test_train_plot_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (optional extra 'plot') is not installed")
    png = tmp_path / "curves.png"
    r = run_cli("train", "mlp", "--epochs", "2", "--limit", "300", "--verbose", "0", "--plot", str(png))
    assert r.returncode == 0, r.stdout + r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
