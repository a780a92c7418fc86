"""The gaps the twentieth corpus's programs (David Foster's Generative Deep Learning, the Keras
2.2 GDL_code notebooks; tools/keras_corpus.md, "Twentieth corpus") revealed. Figures marked
Keras 2's were printed by tools/keras_corpus20_refs.py under tf_keras 2.21 (for the VAE's and
WGAN-GP's losses on graph tensors, which tf_keras 2.21 refuses, what Keras 2.2 computed: see
that script); the others are worked out in the test."""
import gc
import pickle
import weakref
from functools import partial

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import backend as K
from tensorforge.keras.layers.merge import _Merge

rng = np.random.RandomState(20)  # the draws of tools/keras_corpus20_refs.py, in its order
X = rng.uniform(0, 1, (6, 4)).astype("float32")
W_H = rng.normal(0, 0.5, (4, 3)).astype("float32")
W_MU = rng.normal(0, 0.5, (3, 2)).astype("float32")
W_LV = rng.normal(0, 0.5, (3, 2)).astype("float32")
W_OUT = rng.normal(0, 0.5, (2, 4)).astype("float32")
REAL = rng.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
FAKE = rng.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
W_C1 = rng.normal(0, 0.5, (4, 3)).astype("float32")
W_C2 = rng.normal(0, 0.5, (3, 1)).astype("float32")


# ---- losses over the model's own graph tensors (03_03 / 03_05's VAE) ----

def _vae():
    inp = keras.Input((4,))
    h = keras.layers.Dense(3, name="h")(inp)
    mu = keras.layers.Dense(2, name="mu")(h)
    log_var = keras.layers.Dense(2, name="log_var")(h)
    z = keras.layers.Lambda(lambda a: a[0] + K.exp(a[1] / 2))([mu, log_var])
    out = keras.layers.Dense(4, name="out")(z)
    model = keras.Model(inp, out)
    for name, w in (("h", W_H), ("mu", W_MU), ("log_var", W_LV), ("out", W_OUT)):
        model.get_layer(name).set_weights([w, np.zeros(w.shape[1], "float32")])
    return model, mu, log_var


def test_vae_loss_closing_over_mu_and_log_var_trains_as_keras_2():
    model, mu, log_var = _vae()

    def vae_r_loss(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=1)

    def vae_kl_loss(y_true, y_pred):  # GDL models/VAE.py's, over the graph's mu and log_var
        return -0.5 * K.sum(1 + log_var - K.square(mu) - K.exp(log_var), axis=1)

    def vae_loss(y_true, y_pred):
        return vae_r_loss(y_true, y_pred) + vae_kl_loss(y_true, y_pred)

    model.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss=vae_loss, metrics=[vae_kl_loss])
    loss, kl = model.train_on_batch(X, X)
    # Keras 2's loss and KL term of the batch (before the step), and the kernels after it: the
    # KL term's gradient reaches mu, log_var and h
    np.testing.assert_allclose([loss, kl], [2.390960216522217, 1.5864152908325195], rtol=1e-5)
    np.testing.assert_allclose(model.get_layer("mu").get_weights()[0],
                               [[0.09871931374073029, -0.9377950429916382],
                                [-0.39016515016555786, -0.401947021484375],
                                [0.4012719690799713, 0.8574065566062927]], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        model.get_layer("h").get_weights()[0],
        [[-0.15485988557338715, 0.688622236251831, 0.6439724564552307],
         [0.0070384591817855835, -0.2217322736978531, -1.4095295667648315],
         [0.41437065601348877, 0.5635196566581726, 0.01242096722126007],
         [-0.14294862747192383, -0.10975174605846405, 0.8457351326942444]], rtol=1e-5, atol=1e-6)
    # evaluate sees the same graph tensors (the weights have changed: the KL is the batch's)
    ev_loss, ev_kl = model.evaluate(X, X, verbose=0)
    m = model.get_layer("mu").output
    probe = keras.Model(model.input, [m, model.get_layer("log_var").output, model.output])
    mu_v, lv_v, out_v = probe.predict(X, verbose=0)
    kl_np = -0.5 * np.sum(1 + lv_v - mu_v ** 2 - np.exp(lv_v), axis=1)
    np.testing.assert_allclose(ev_kl, kl_np.mean(), rtol=1e-5)
    np.testing.assert_allclose(ev_loss, (np.mean((X - out_v) ** 2, axis=1) + kl_np).mean(),
                               rtol=1e-5)


def test_loss_on_a_graph_tensor_of_another_model_names_it():
    model, _, _ = _vae()
    other = keras.layers.Dense(2, name="elsewhere")(keras.Input((4,)))
    model.compile(optimizer="sgd", loss=lambda t, p: K.mean(K.square(t - p)) + K.mean(other))
    with pytest.raises(ValueError, match="elsewhere"):
        model.train_on_batch(X, X)


def test_a_trained_model_still_pickles():
    # the run's values kept for the loss are no attribute of the model (GDL pickles its GAN)
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(4)(keras.layers.Dense(3)(inp)))
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(X, X)
    assert len(pickle.dumps(model)) > 1000  # (GDL's save_model: pickle.dump(self, ...))



class _WatchOutputs(keras.layers.Layer):
    """Identity that keeps a weak reference to each output it makes."""
    seen = []

    def call(self, x):
        y = x * 1.0
        _WatchOutputs.seen.append(weakref.ref(y))
        return y


@pytest.mark.parametrize("entry", ["fit", "evaluate", "predict", "train_on_batch",
                                   "test_on_batch", "predict_on_batch"])
def test_no_batch_values_outlive_the_call(entry):
    # the values a graph model keeps for its loss and metrics go when fit / evaluate / ...
    # return: a batch of activations and their graph stays alive on the model otherwise
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(4)(_WatchOutputs()(keras.layers.Dense(3)(inp))))
    model.compile(optimizer="sgd", loss="mse")
    _WatchOutputs.seen.clear()
    if entry in ("fit", "evaluate"):
        getattr(model, entry)(X, X, batch_size=2, verbose=0)
    elif entry in ("predict", "predict_on_batch"):
        getattr(model, entry)(X)
    else:
        getattr(model, entry)(X, X)
    gc.collect()
    assert _WatchOutputs.seen and all(r() is None for r in _WatchOutputs.seen)

# ---- K.gradients in a loss, and keras.layers.merge._Merge subclasses (04_03's WGAN-GP) ----

class FixedWeightedAverage(_Merge):  # GDL's RandomWeightedAverage, with alpha = 0.3
    def _merge_function(self, inputs):
        return 0.3 * inputs[0] + 0.7 * inputs[1]


def gradient_penalty_loss(y_true, y_pred, interpolated_samples):  # GDL models/WGANGP.py's
    gradients = K.gradients(y_pred, interpolated_samples)[0]
    gradients_sqr = K.square(gradients)
    gradients_sqr_sum = K.sum(gradients_sqr, axis=np.arange(1, len(gradients_sqr.shape)))
    gradient_l2_norm = K.sqrt(gradients_sqr_sum)
    gradient_penalty = K.square(1 - gradient_l2_norm)
    return K.mean(gradient_penalty)


def wasserstein(y_true, y_pred):
    return -K.mean(y_true * y_pred)


def test_merge_subclass_runs_its_merge_function():
    a, b = keras.Input((2, 2, 1)), keras.Input((2, 2, 1))
    model = keras.Model([a, b], FixedWeightedAverage()([a, b]))
    np.testing.assert_allclose(model.predict([REAL, FAKE], verbose=0), 0.3 * REAL + 0.7 * FAKE,
                               rtol=1e-6)


def test_merge_without_merge_function_names_the_class():
    class Half(_Merge):
        pass
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([a, b], Half()([a, b]))
    with pytest.raises(NotImplementedError, match="Half.*_merge_function"):
        model.predict([X[:, :2], X[:, 2:]], verbose=0)


def test_wgan_gp_critic_step_matches_keras_2():
    cin = keras.Input((2, 2, 1))
    c = keras.layers.Flatten()(cin)
    c = keras.layers.Dense(3, activation="tanh", name="c1")(c)
    critic = keras.Model(cin, keras.layers.Dense(1, name="c2")(c))
    critic.get_layer("c1").set_weights([W_C1, np.zeros(3, "float32")])
    critic.get_layer("c2").set_weights([W_C2, np.zeros(1, "float32")])
    real_img, fake_img = keras.Input((2, 2, 1)), keras.Input((2, 2, 1))
    interpolated_img = FixedWeightedAverage()([real_img, fake_img])
    partial_gp_loss = partial(gradient_penalty_loss, interpolated_samples=interpolated_img)
    partial_gp_loss.__name__ = "gradient_penalty"
    critic_model = keras.Model([real_img, fake_img],
                               [critic(real_img), critic(interpolated_img)])
    critic_model.compile(loss=[wasserstein, partial_gp_loss], loss_weights=[1, 10],
                         optimizer=keras.optimizers.SGD(lr=0.05))
    ones = np.ones((3, 1), "float32")
    total, w_loss, gp = critic_model.train_on_batch([REAL, FAKE], [ones, ones * 0])
    # Keras 2's penalty and total loss of the batch and the critic's kernels after the step
    np.testing.assert_allclose([gp, total], [0.6948645710945129, 6.901341915130615], rtol=1e-5)
    np.testing.assert_allclose(
        critic.get_layer("c1").get_weights()[0],
        [[0.0653737261891365, -0.022995799779891968, -0.47021621465682983],
         [-0.30729010701179504, -0.7243807315826416, -0.10109955072402954],
         [-0.11550562083721161, 0.2410699725151062, 0.31009459495544434],
         [0.21809886395931244, -0.11419285088777542, 0.5609796643257141]], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(critic.get_layer("c2").get_weights()[0],
                               [[0.175405353307724], [0.6921379566192627],
                                [-0.2766835391521454]], rtol=1e-5, atol=1e-6)


def test_gradient_penalty_rerun_leaves_batch_norm_statistics_alone():
    # the penalty re-runs the critic on the interpolated images (their forward recorded no
    # gradient): its BatchNormalization's moving mean moves once per critic call of the step,
    # as without the penalty
    def step(with_gp):
        cin = keras.Input((2, 2, 1))
        c = keras.layers.Flatten()(cin)
        c = keras.layers.BatchNormalization(momentum=0.5, name="bn")(c)
        critic = keras.Model(cin, keras.layers.Dense(1, name="c2")(c))
        real_img, fake_img = keras.Input((2, 2, 1)), keras.Input((2, 2, 1))
        interp = FixedWeightedAverage()([real_img, fake_img])
        gp = partial(gradient_penalty_loss, interpolated_samples=interp)
        gp.__name__ = "gradient_penalty"
        m = keras.Model([real_img, fake_img], [critic(real_img), critic(interp)])
        m.compile(loss=[wasserstein, gp if with_gp else wasserstein], optimizer="sgd")
        m.train_on_batch([REAL, FAKE], [np.ones((3, 1), "f"), np.ones((3, 1), "f")])
        return critic.get_layer("bn").get_weights()[2]
    mean_r, mean_i = REAL.reshape(3, 4).mean(0), (0.3 * REAL + 0.7 * FAKE).reshape(3, 4).mean(0)
    # two updates from 0 with momentum 0.5, in either order of the two critic calls
    orders = [0.5 * (0.5 * a) + 0.5 * b for a, b in ((mean_r, mean_i), (mean_i, mean_r))]
    plain, penalized = step(False), step(True)
    assert any(np.allclose(plain, o, rtol=1e-5, atol=1e-7) for o in orders)
    np.testing.assert_allclose(penalized, plain, rtol=1e-6, atol=1e-7)


def test_k_gradients_outside_a_loss():
    # of Keras tensors: a node K.function evaluates (Note [K.gradients in K.function]); of eager
    # tensors it raises, as tf.gradients does in eager TensorFlow 2
    x = keras.Input((2,))
    d = keras.layers.Dense(1, kernel_initializer="ones")
    g = K.gradients(K.sum(d(x)), x)[0]
    np.testing.assert_array_equal(K.function([x], [g])([np.zeros((3, 2), "f")])[0],
                                  np.ones((3, 2)))
    with pytest.raises(RuntimeError, match="tf.gradients is not supported"):
        K.gradients(K.sum(K.variable(np.ones(2))), [K.variable(np.ones(2))])


# ---- smaller Keras 2 behaviours ----

def test_sum_over_an_array_of_axes():
    a = np.arange(24, dtype="float32").reshape(2, 3, 2, 2)
    np.testing.assert_allclose(K.sum(a, axis=np.arange(1, 4)), [66.0, 210.0])  # Keras 2's
    with pytest.raises(TypeError, match="axis"):
        K.sum(a, axis=np.array([1.0, 2.0]))


def test_keras_tensor_trainable_is_a_plain_attribute():
    t = keras.layers.Embedding(10, 4, name="emb")(keras.Input((3,)))
    assert not hasattr(t, "trainable")  # Keras 2's: no attribute before it is set
    t.trainable = False  # 06_02: decoder_emb.trainable = False
    assert t.trainable is False
    layer = t._keras_history[0]
    assert layer.trainable and len(layer.trainable_weights) == 1  # the layer is untouched
