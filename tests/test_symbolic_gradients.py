"""K.gradients of Keras tensors evaluated by K.function (Note [K.gradients in K.function]) and
the symbolic shapes of reductions and fixed batches (Note [stand-in batch]). The gradients'
oracle is a GradientTape over the same model; the shapes are tf_keras 2.21's (printed by it:
K.mean(x) (), K.mean(x, axis=0) (4, 4, 3), K.sum(x, axis=(0, 1, 2)) (3,), a Lambda after
Input(batch_shape=(32, 3)) + Dense(4) (32, 4), a stateful LSTM(5) after it (32, 5))."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K
from tensorforge.keras import layers


def _cnn():
    tf.keras.utils.set_random_seed(0)
    return keras.Sequential([
        layers.Conv2D(8, 3, activation="relu", input_shape=(12, 12, 3), name="c1"),
        layers.Conv2D(6, 3, activation="relu", name="c2"), layers.GlobalAveragePooling2D(),
        layers.Dense(4, activation="softmax")])


X = np.random.default_rng(0).random((2, 12, 12, 3)).astype(np.float32)


def test_filter_visualization_gradient_ascent_step():
    # Deep Learning with Python 5.4: the input gradient of a filter's mean activation
    model = _cnn()
    loss = K.mean(model.get_layer("c2").output[:, :, :, 2])
    grads = K.gradients(loss, model.input)[0]
    grads /= (K.sqrt(K.mean(K.square(grads))) + 1e-5)
    iterate = K.function([model.input], [loss, grads])
    loss_value, grads_value = iterate([X])
    xv = tf.constant(X)
    sub = keras.Model(model.input, model.get_layer("c2").output)
    with tf.GradientTape() as tape:
        tape.watch(xv)
        want = tf.reduce_mean(sub(xv)[:, :, :, 2])
    g = tape.gradient(want, xv).numpy()
    np.testing.assert_allclose(loss_value, float(want), rtol=1e-6)
    np.testing.assert_allclose(grads_value, g / (np.sqrt(np.mean(g ** 2)) + 1e-5), rtol=1e-5,
                               atol=1e-7)


def test_grad_cam_gradient_of_a_class_score_at_the_last_conv():
    model = _cnn()
    conv = model.get_layer("c2")
    grads = K.gradients(model.output[:, 1], conv.output)[0]
    pooled = K.mean(grads, axis=(0, 1, 2))
    assert tuple(pooled.shape) == (6,)
    pooled_value, conv_value = K.function([model.input], [pooled, conv.output[0]])([X])
    full = keras.Model(model.input, [model.output, conv.output])
    with tf.GradientTape() as tape:
        out, co = full(tf.constant(X))
        score = out[:, 1]
    np.testing.assert_allclose(pooled_value, tape.gradient(score, co).numpy().mean(axis=(0, 1, 2)),
                               rtol=1e-5, atol=1e-8)
    assert conv_value.shape == (8, 8, 6)


def test_several_variables_one_unconnected_and_eager_tensors():
    a, b = keras.Input((3,)), keras.Input((2,))
    y = K.sum(K.square(a), axis=1)
    ga, gb = K.gradients(y, [a, b])
    f = K.function([a, b], [ga, gb])
    xa, xb = np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 2), np.float32)
    got_a, got_b = f([xa, xb])
    np.testing.assert_allclose(got_a, 2 * xa)
    np.testing.assert_array_equal(got_b, np.zeros((2, 2)))  # y does not depend on b
    with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager"):
        K.gradients(K.sum(K.variable(xa)), [K.variable(xa)])


def test_symbolic_shapes_of_reductions_and_fixed_batches():
    x = keras.Input((4, 4, 3))
    assert tuple(K.mean(x).shape) == ()
    assert tuple(K.mean(x, axis=0).shape) == (4, 4, 3)
    assert tuple(K.sum(x, axis=(0, 1, 2)).shape) == (3,)
    assert tuple((x / (K.sqrt(K.mean(K.square(x))) + 1e-5)).shape) == (None, 4, 4, 3)
    i = keras.Input(batch_shape=(32, 3))
    d = layers.Lambda(lambda t: t * 2)(layers.Dense(4)(i))
    assert tuple(d.shape) == (32, 4)
    w = layers.LSTM(5, stateful=True)(layers.Reshape((4, 1))(d))
    assert tuple(w.shape) == (32, 5)


def test_deep_dream_loss_with_symbolic_shapes():
    # Deep Learning with Python 8.2: K.variable(0.) += scaled activation sums, the scaling from
    # K.shape of a Keras tensor (tf_keras: K.shape(x) of a (None, None, 3) input is (3,),
    # K.prod(K.cast(K.shape(x), 'float32')) is ())
    x = keras.Input((None, 3))
    assert tuple(K.shape(x).shape) == (3,)
    assert tuple(K.prod(K.cast(K.shape(x), "float32")).shape) == ()
    model = _cnn()
    loss = K.variable(0.)
    for name, coeff in (("c1", 0.5), ("c2", 2.0)):
        activation = model.get_layer(name).output
        scaling = K.prod(K.cast(K.shape(activation), "float32"))
        loss += coeff * K.sum(K.square(activation[:, 2:-2, 2:-2, :])) / scaling
    grads = K.gradients(loss, model.input)[0]
    grads /= K.maximum(K.mean(K.abs(grads)), 1e-7)
    loss_value, grads_value = K.function([model.input], [loss, grads])([X[:1]])
    sub = keras.Model(model.input, [model.get_layer("c1").output, model.get_layer("c2").output])
    xv = tf.constant(X[:1])
    with tf.GradientTape() as tape:
        tape.watch(xv)
        a1, a2 = sub(xv)
        want = sum(c * tf.reduce_sum(tf.square(a[:, 2:-2, 2:-2, :])) / float(np.prod(a.shape))
                   for c, a in ((0.5, a1), (2.0, a2)))
    g = tape.gradient(want, xv).numpy()
    np.testing.assert_allclose(loss_value, float(want), rtol=1e-5)
    np.testing.assert_allclose(grads_value, g / max(np.abs(g).mean(), 1e-7), rtol=1e-4, atol=1e-6)


def test_gradient_penalty_trains_through_k_function_updates():
    # a 2017 WGAN-GP notebook's critic step: the penalty is made of K.gradients and trained by
    # K.function(..., updates=Adam().get_updates(...)); the oracle is nested GradientTapes
    def critic():
        tf.keras.utils.set_random_seed(3)
        return keras.Sequential([layers.Dense(8, activation="tanh", input_shape=(2,)),
                                 layers.Dense(1)])
    d1, d2 = critic(), critic()
    real, fake = keras.Input((2,)), keras.Input((2,))
    eps = K.placeholder(shape=(None, 1))
    mixed = eps * real + (1 - eps) * fake
    grad_mixed = K.gradients(d1(mixed), [mixed])[0]
    penalty = K.mean(K.square(K.sqrt(K.sum(K.square(grad_mixed), axis=1)) - 1))
    loss = K.mean(d1(fake)) - K.mean(d1(real)) + 10.0 * penalty
    train = K.function([real, fake, eps], [loss],
                       keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.9).get_updates(
                           d1.trainable_weights, [], loss))
    rng = np.random.default_rng(0)
    r, f = rng.standard_normal((16, 2)).astype(np.float32), rng.standard_normal((16, 2)).astype(
        np.float32)
    e = rng.random((16, 1)).astype(np.float32)
    opt = keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.9)
    for _ in range(3):
        got, = train([r, f, e])
        m = tf.constant(e * r + (1 - e) * f)
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(m)
                dm = d2(m)
            g = inner.gradient(dm, m)
            pen = tf.reduce_mean(tf.square(tf.sqrt(tf.reduce_sum(tf.square(g), axis=1)) - 1))
            want = tf.reduce_mean(d2(f)) - tf.reduce_mean(d2(r)) + 10.0 * pen
        grads = outer.gradient(want, d2.trainable_weights)
        opt.apply_gradients(zip(grads, d2.trainable_weights))
        np.testing.assert_allclose(got, float(want), rtol=1e-5)
    for u, v in zip(d1.get_weights(), d2.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-6)
