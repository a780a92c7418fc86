"""tensorforge.GradientTape: gradients against finite differences and against the model's own
backward, structure of the result, no .grad side effects, persistence, watch()."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import enable_grad
from tensorforge import keras


def _f(x, w):
    return tf.reduce_mean(tf.tanh(tf.matmul(x, w)) ** 2.0) + tf.reduce_sum(tf.exp(w) * 0.1)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    xv = rng.standard_normal((4, 3))
    wv = rng.standard_normal((3, 2))
    x = tf.Variable(xv.astype(np.float32))
    w = tf.Variable(wv.astype(np.float32))
    with tf.GradientTape() as tape:
        y = _f(x, w)
    gx, gw = tape.gradient(y, [x, w])

    def f64(xa, wa):
        return np.mean(np.tanh(xa @ wa) ** 2) + np.sum(np.exp(wa) * 0.1)
    eps = 1e-6
    for g, v, which in ((gx, xv, 0), (gw, wv, 1)):
        num = np.zeros_like(v)
        for i in np.ndindex(*v.shape):
            p, m = v.copy(), v.copy()
            p[i] += eps
            m[i] -= eps
            args_p = (p, wv) if which == 0 else (xv, p)
            args_m = (m, wv) if which == 0 else (xv, m)
            num[i] = (f64(*args_p) - f64(*args_m)) / (2 * eps)
        np.testing.assert_allclose(g.numpy(), num, rtol=2e-3, atol=1e-5)


def test_gradient_matches_model_backward_without_side_effects():
    rng = np.random.default_rng(2)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    x = rng.random((6, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 6)]
    loss_fn = keras.losses.CategoricalCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    assert all(p.grad is None for p in model.trainable_weights)  # the tape leaves no .grad
    with enable_grad():  # outside a tape a Keras call records only in grad mode asked for
        loss2 = loss_fn(y, model(x, training=True))  # (Note [eager calls record nothing])
    loss2.backward()
    for g, p in zip(grads, model.trainable_weights):
        assert g.shape == p.shape
        np.testing.assert_allclose(g.numpy(), p.grad, rtol=1e-5, atol=1e-7)
        p.grad = None


def test_structure_unconnected_and_watch():
    a = tf.Variable(np.float32(2.0))
    b = tf.Variable(np.float32(3.0))
    c = tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = a * a * c
    g = tape.gradient(y, {"a": a, "pair": (b, c)})
    assert g["pair"][0] is None  # b does not reach y
    assert float(g["a"]) == pytest.approx(20.0) and float(g["pair"][1]) == pytest.approx(4.0)
    assert not c.requires_grad  # watch() lasted as long as the tape
    with tf.GradientTape() as tape:
        y = b * 2.0
    z = tape.gradient(y, [a, b], unconnected_gradients="zero")
    assert float(z[0]) == 0.0 and float(z[1]) == 2.0


def test_persistent_and_intermediate_sources():
    x = tf.Variable(np.array([1.0, 2.0], np.float32))
    with tf.GradientTape() as tape:
        h = x * 3.0
        y = tf.reduce_sum(h * h)
    np.testing.assert_allclose(tape.gradient(y, h).numpy(), [6.0, 12.0])
    with pytest.raises(RuntimeError, match="once"):
        tape.gradient(y, x)
    with tf.GradientTape(persistent=True) as tape:
        h = x * 3.0
        y = tf.reduce_sum(h * h)
        z = tf.reduce_sum(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [18.0, 36.0])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [18.0, 36.0])
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), [1.0, 1.0])


def test_apply_gradients_with_tape_matches_sgd_by_hand():
    w0 = np.array([[0.5], [-0.25]], np.float32)
    w = tf.Variable(w0.copy())
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    opt = keras.optimizers.SGD(learning_rate=0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    expected = w0 - 0.1 * (2.0 / 2) * x.T @ (x @ w0)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-5, atol=1e-7)


def test_bad_arguments():
    with tf.GradientTape() as tape:
        with pytest.raises(TypeError, match="watch"):
            tape.watch(np.ones(3))
        y = tf.Variable(np.float32(1.0)) * 2.0
    with pytest.raises(TypeError, match="sources"):
        tape.gradient(y, [np.ones(1)])


def test_subclassed_model_add_loss_under_the_tape():
    """keras-io's VAE pattern: a loss added in call() joins the tape's target."""
    class WithKL(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, inputs):
            h = self.dense(inputs)
            self.add_loss(0.5 * tf.reduce_mean(tf.square(h)))
            return h

    m = WithKL()
    x = np.random.default_rng(4).random((5, 2)).astype(np.float32)
    with tf.GradientTape() as tape:
        out = m(x)
        loss = keras.losses.MeanSquaredError()(np.tile(x[:, :1], 3), out) + sum(m.losses)
    assert len(m.losses) == 1
    grads = tape.gradient(loss, m.trainable_weights)
    with enable_grad():  # Note [eager calls record nothing]
        out2 = m(x)
        total = keras.losses.MeanSquaredError()(np.tile(x[:, :1], 3), out2) + sum(m.losses)
    total.backward()
    for g, p in zip(grads, m.trainable_weights):
        np.testing.assert_allclose(g.numpy(), p.grad, rtol=1e-5, atol=1e-7)
        p.grad = None


def test_eager_keras_calls_outside_a_tape_record_nothing():
    # Note [eager calls record nothing]: MC Dropout (Hands-On ML 2 ch. 11) calls the model a
    # hundred times with training=True and stacks the outputs; TensorFlow records nothing
    # there, and neither may we (each output's graph held the call's activations)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="elu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(5).random((6, 4)).astype(np.float32)
    ys = [model(x, training=True) for _ in range(3)]
    assert all(y._node is None and not y.requires_grad for y in ys)
    assert not np.allclose(ys[0].numpy(), ys[1].numpy())  # dropout drew a new mask each call
    assert model(x)._node is None
    # inside a tape, in grad mode asked for, or on an input that requires grad: recorded
    with tf.GradientTape() as tape:
        y = model(x, training=True)
        total = tf.reduce_sum(y)
    assert y._node is not None and tape.gradient(total, model.trainable_weights)[0] is not None
    with enable_grad():
        assert model(x)._node is not None
    from tensorforge.autograd import Tensor
    assert model(Tensor(x, requires_grad=True))._node is not None
    # a layer called inside another's call follows the outer call
    assert keras.layers.Dense(2)(x)._node is None
