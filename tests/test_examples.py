"""Every example in examples/ runs as a script on a small slice and achieves its real outcome."""
import os
import re
import subprocess
import sys

import pytest
from tfhelpers import subprocess_env


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def run_example(name, *args, limit=None, timeout=240):
    env = subprocess_env()
    if limit:
        env["TENSORFORGE_EXAMPLE_LIMIT"] = str(limit)
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], capture_output=True,
                       text=True, timeout=timeout, env=env, cwd=ROOT)
    assert r.returncode == 0, f"{name} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def value(out, label):
    m = re.search(re.escape(label) + r"\s*([-0-9.]+)", out)
    assert m, f"{label!r} not in output:\n{out}"
    return float(m.group(1))


def test_xor():
    out = run_example("xor.py")
    assert "predictions: 0 1 1 0" in out


def test_linear_regression_recovers_coefficients():
    out = run_example("linear_regression.py", limit=512)
    w = [float(v) for v in re.search(r"learned weights: (.*)", out).group(1).split()]
    b = value(out, "learned bias:")
    assert w == pytest.approx([3.0, -2.0, 0.5], abs=0.05)
    assert b == pytest.approx(1.0, abs=0.05)
    assert value(out, "final mse:") < 0.01                   # noise variance is 0.0025


def test_mlp_mnist():
    out = run_example("mlp_mnist.py", limit=2000)
    assert value(out, "test accuracy:") > 0.85


def test_lenet_mnist():
    out = run_example("lenet_mnist.py", limit=1000)
    assert value(out, "test accuracy:") > 0.85


def test_cnn_mnist():
    out = run_example("cnn_mnist.py", limit=1000)
    assert value(out, "test accuracy:") > 0.7


@pytest.mark.parametrize("cell,floor", [("simple_rnn", 0.4), ("lstm", 0.3), ("gru", 0.3)])
def test_rnn_mnist(cell, floor):
    out = run_example("rnn_mnist.py", cell, limit=1000)
    assert value(out, f"{cell} test accuracy:") > floor


def test_autoencoder_loss_falls():
    out = run_example("autoencoder_mnist.py", limit=1000)
    before = value(out, "reconstruction loss before training:")
    after = value(out, "reconstruction loss after training:")
    assert after < 0.6 * before


def test_sentiment_lstm():
    out = run_example("sentiment_lstm.py", limit=1500)
    assert value(out, "test accuracy:") > 0.8


def test_autoencoder_functional():
    out = run_example("autoencoder_functional.py", limit=1000)
    assert value(out, "reconstruction loss after training:") < \
        0.6 * value(out, "reconstruction loss before training:")
    assert "code shape: (1000, 32)" in out
    # the encoder model shares the trained weights: its codes separate digits far above chance
    assert value(out, "nearest-centroid accuracy of the codes:") > 0.35


def test_two_input_model():
    out = run_example("two_input_model.py", limit=1000)
    final = dict(re.findall(r"^(\w+): ([-0-9.]+)$", out, flags=re.M))   # evaluate's lines
    assert list(final) == ["loss", "digit_loss", "even_loss", "digit_accuracy", "even_accuracy"]
    v = {k: float(x) for k, x in final.items()}
    # total = digit + 0.5 * even (loss_weights)
    assert v["loss"] == pytest.approx(v["digit_loss"] + 0.5 * v["even_loss"], abs=2e-4)
    assert v["digit_accuracy"] > 0.8 and v["even_accuracy"] > 0.75


def test_vae_add_loss():
    out = run_example("vae_mnist.py", limit=1000)
    assert value(out, "vae loss after training:") < 0.6 * value(out, "vae loss before training:")


def test_gan_train_on_batch_trainable_toggle():
    out = run_example("gan_mnist.py", limit=1000)
    assert "discriminator frozen inside the gan step: True" in out
    assert "discriminator trained on its own: True" in out
    assert value(out, "sample std:") > 0.05          # the generator did not collapse to a constant
