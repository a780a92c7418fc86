"""The gaps the twenty-ninth corpus's programs revealed (dragen1860's Deep Learning with
TensorFlow book and the 3rd edition of Deep Learning with TensorFlow and Keras,
tools/keras_corpus.md "Twenty-ninth corpus"). Figures marked Keras 2's were printed by
tools/keras_corpus29_refs.py under tf_keras 2.21; the others are worked out in the test."""
import os
import sys
import textwrap

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

losses, metrics = keras.losses, keras.metrics

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


# ---- a loss function called directly broadcasts (N,) targets against an (N, 1) output (the
#      book's auto-MPG loop, ch. 6: ``tf.reduce_mean(losses.MSE(y, out))`` with y (32,) and
#      out (32, 1) averages all 32 x 32 differences in Keras 2); the wrappers squeeze ----

YT, YP = [1.0, 2.0], [[1.5], [2.5]]


@pytest.mark.parametrize("fn,y,p,want", [   # Keras 2's
    (losses.MSE, YT, YP, [0.25, 1.25]),
    (losses.MAE, YT, YP, [0.5, 1.0]),
    (losses.mean_squared_error, [[1.0], [2.0]], [1.5, 2.5], [1.25, 0.25]),
    (losses.huber, YT, [[1.5], [3.5]], [0.125, 1.5]),
    (losses.log_cosh, YT, [[1.5], [3.5]], [0.1201145, 1.3345041]),
    (losses.hinge, [0.0, 1.0], [[0.3], [0.6]], [1.0, 1.0]),
    (losses.binary_crossentropy, [0.0, 1.0], [[0.3], [0.6]], [0.7803236, 0.713558]),
    (metrics.mean_squared_error, YT, YP, [0.25, 1.25]),
])
def test_loss_functions_broadcast_unit_axis_targets(fn, y, p, want):
    r = fn(tf.constant(y), tf.constant(p))
    np.testing.assert_allclose(r.numpy(), want, rtol=1e-5)


def test_mse_broadcast_matches_the_pairwise_mean():
    # worked out: row i of the (N, N) differences p_i - y_j, squared and averaged over j
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=5).astype(np.float32), rng.normal(size=(5, 1)).astype(np.float32)
    want = ((p - y[None, :]) ** 2).mean(axis=1)
    np.testing.assert_allclose(losses.MSE(tf.constant(y), tf.constant(p)).numpy(), want,
                               rtol=1e-5)


def test_binary_crossentropy_from_logits_refuses_unit_axis_apart():
    with pytest.raises(ValueError, match="binary_crossentropy.*same shape"):   # Keras 2: ValueError
        losses.binary_crossentropy(tf.constant([0.0, 1.0]), tf.constant([[0.3], [0.6]]),
                                   from_logits=True)


def test_gradient_of_the_broadcast_loss():
    # d/dp_i mean_j (p_i - y_j)^2, averaged over i: 2 * (p_i - mean(y)) / N
    y = tf.constant([1.0, 2.0, 4.0])
    p = tf.Variable([[1.0], [3.0], [0.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(losses.MSE(y, p))
    want = 2 * (np.array([[1.0], [3.0], [0.0]]) - 7.0 / 3) / 3
    np.testing.assert_allclose(tape.gradient(loss, p).numpy(), want, rtol=1e-5)


def test_loss_class_squeezes_tensors_only():
    yp = tf.constant(YP)
    assert float(losses.MeanSquaredError()(tf.constant(YT), yp)) == pytest.approx(0.25)  # Keras 2's
    # Keras 2 squeezes only when both are tensors: a NumPy y_true broadcasts
    assert float(losses.MeanSquaredError()(np.array(YT), yp)) == pytest.approx(0.75)


def test_metric_classes_squeeze():
    m = metrics.MeanSquaredError()
    m.update_state(np.array(YT), tf.constant(YP))
    assert float(m.result()) == pytest.approx(0.25)   # Keras 2's
    m = metrics.MeanAbsoluteError()
    m.update_state(tf.constant(YT), tf.constant(YP))
    assert float(m.result()) == pytest.approx(0.5)


def test_compiled_loss_and_metric_squeeze_targets():
    x = np.array([[0.0], [1.0], [2.0], [3.0]], np.float32)
    y = np.array([1.0, 2.0, 4.0, 3.0], np.float32)
    model = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones",
                                                 bias_initializer="zeros", input_shape=(1,))])
    model.compile(loss="mse", metrics=["mae"])
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), [1.5, 1.0], rtol=1e-6)  # Keras 2's
    model.compile(loss=losses.MeanSquaredError(), metrics=[metrics.MeanAbsoluteError()])
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), [1.5, 1.0], rtol=1e-6)


# ---- the harness: --max-apply stops a hand-written GradientTape loop (the book's 30-1,000
#      epoch loops over tf.data) after N apply_gradients calls, and the run counts as complete ----

TAPE_LOOP = textwrap.dedent("""\
    import tensorflow as tf
    w = tf.Variable([1.0])
    opt = tf.optimizers.SGD(learning_rate=0.1)
    for step in range(100000):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w)
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
        print('step', step)
    print('finished')
""")


@pytest.mark.parametrize("max_apply,capped", [(3, True), (0, False)])
def test_harness_max_apply_stops_tape_loops(tmp_path, max_apply, capped):
    prog = tmp_path / "loop.py"
    prog.write_text(TAPE_LOOP.replace("100000", "100000" if capped else "5"))
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=100, max_steps=5, max_predict=5, max_apply=max_apply,
              metric=None, note="")
    (tmp_path / "root").mkdir()
    kp.install_boot(str(tmp_path / "root"))
    r = kp.run_side("ours", str(prog), sys.executable, args, st, None, str(tmp_path / "root"))
    assert r["ok"], r.get("error")
    if capped:
        assert "3 apply_gradients calls" in r["capped"]
        assert "step 2" in r["stdout"] and "step 3" not in r["stdout"]
    else:
        assert "capped" not in r and "finished" in r["stdout"]
