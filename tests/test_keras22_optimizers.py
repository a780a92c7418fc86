"""Keras 2.0-2.2 optimizers written as get_updates(loss, params) (Note [get_updates optimizers],
optimizers/legacy_updates.py). tf_keras 2.21 never calls get_updates, so the oracle is the
built-in optimizer with the same update rule (Keras 2.2's Adam and SGD are tf.keras 2's) and
hand-worked steps."""
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K
from tensorforge.keras.optimizers import Optimizer


class Adam22(Optimizer):
    """Keras 2.2's Adam as its source writes it (slots made in get_updates, iterations read
    after its update_add)."""

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0., **kwargs):
        super().__init__(**kwargs)
        with K.name_scope(self.__class__.__name__):
            self.iterations = K.variable(0, dtype="int64", name="iterations")
            self.lr = K.variable(lr, name="lr")
            self.beta_1 = K.variable(beta_1, name="beta_1")
            self.beta_2 = K.variable(beta_2, name="beta_2")
            self.decay = K.variable(decay, name="decay")
        self.epsilon = K.epsilon() if epsilon is None else epsilon
        self.initial_decay = decay

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self.lr
        if self.initial_decay > 0:
            lr = lr * (1. / (1. + self.decay * K.cast(self.iterations, K.dtype(self.decay))))
        t = K.cast(self.iterations, K.floatx()) + 1
        lr_t = lr * (K.sqrt(1. - K.pow(self.beta_2, t)) / (1. - K.pow(self.beta_1, t)))
        ms = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        vs = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + ms + vs
        for p, g, m, v in zip(params, grads, ms, vs):
            m_t = (self.beta_1 * m) + (1. - self.beta_1) * g
            v_t = (self.beta_2 * v) + (1. - self.beta_2) * K.square(g)
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            self.updates.append(K.update(p, p - lr_t * m_t / (K.sqrt(v_t) + self.epsilon)))
        return self.updates

    def get_config(self):
        config = {"lr": float(K.get_value(self.lr)), "beta_1": float(K.get_value(self.beta_1)),
                  "beta_2": float(K.get_value(self.beta_2)),
                  "decay": float(K.get_value(self.decay)), "epsilon": self.epsilon}
        return dict(super().get_config(), **config)


class SGD22(Optimizer):
    """Keras 2.2's SGD (momentum, nesterov, time-based decay)."""

    def __init__(self, lr=0.01, momentum=0., decay=0., nesterov=False, **kwargs):
        super().__init__(**kwargs)
        self.iterations = K.variable(0, dtype="int64", name="iterations")
        self.lr = K.variable(lr, name="lr")
        self.momentum = K.variable(momentum, name="momentum")
        self.decay = K.variable(decay, name="decay")
        self.initial_decay, self.nesterov = decay, nesterov

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self.lr
        if self.initial_decay > 0:
            lr = lr * (1. / (1. + self.decay * K.cast(self.iterations, K.dtype(self.decay))))
        moments = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - lr * g
            self.updates.append(K.update(m, v))
            new_p = p + self.momentum * v - lr * g if self.nesterov else p + v
            self.updates.append(K.update(p, new_p))
        return self.updates


DATA = np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32)
TARGET = DATA.sum(axis=1, keepdims=True)


def _model(opt, constraint=None):
    tf.keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,),
                                             kernel_constraint=constraint),
                          keras.layers.Dense(1)])
    m.compile(opt, "mse")
    return m


@pytest.mark.parametrize("ours,builtin,n_weights", [
    (lambda: Adam22(lr=0.01), lambda: keras.optimizers.Adam(0.01, epsilon=1e-7), 9),
    (lambda: Adam22(lr=0.01, decay=0.1), lambda: keras.optimizers.Adam(0.01, epsilon=1e-7,
                                                                       decay=0.1), 9),
    (lambda: SGD22(lr=0.05, momentum=0.9, nesterov=True, decay=0.01),
     lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True, decay=0.01), 5),
])
def test_get_updates_optimizer_trains_as_the_builtin_rule(ours, builtin, n_weights):
    m1, m2 = _model(ours()), _model(builtin())
    h1 = m1.fit(DATA, TARGET, epochs=3, batch_size=16, verbose=0, shuffle=False)
    h2 = m2.fit(DATA, TARGET, epochs=3, batch_size=16, verbose=0, shuffle=False)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(m1.optimizer.iterations) == 12  # the subclass' update_add counted the steps
    # its slots were made once: iterations and one or two per weight (4 weights)
    assert len(m1.optimizer.weights) == n_weights == 1 + len(m1.optimizer._legacy_slots)


def test_clipnorm_is_keras_2_2s_global_norm():
    # one SGD step of lr 1 with clipnorm 0.1: the update is -g * 0.1 / ||all gradients||
    m = _model(SGD22(lr=1.0, clipnorm=0.1))
    before = [w.copy() for w in m.get_weights()]
    x, y = DATA[:16], TARGET[:16]
    with tf.GradientTape() as tape:
        loss = K.mean(keras.losses.mean_squared_error(y, m(x)))
    grads = [np.asarray(g) for g in tape.gradient(loss, m.trainable_weights)]
    norm = np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads))
    assert norm > 0.1
    m.train_on_batch(x, y)
    for w0, w1, g in zip(before, m.get_weights(), grads):
        np.testing.assert_allclose(w1 - w0, -g * 0.1 / norm, rtol=1e-4, atol=1e-7)


def test_learning_rate_set_by_a_callback_reaches_get_updates_and_constraints_apply():
    m = _model(Adam22(lr=0.01), constraint=keras.constraints.NonNeg())
    m.fit(DATA, TARGET, epochs=1, batch_size=16, verbose=0)
    assert (m.layers[0].get_weights()[0] >= 0).all()  # the kernel constraint after each step
    K.set_value(m.optimizer.lr, 0.0)
    assert float(K.get_value(m.optimizer.lr)) == 0.0
    frozen = [w.copy() for w in m.get_weights()]
    m.fit(DATA, TARGET, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(frozen, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_get_gradients_outside_a_step_and_base_get_updates():
    opt = Adam22()
    w = K.variable(np.ones(3, np.float32))
    with pytest.raises(RuntimeError, match="Adam22.get_gradients: called outside a training"):
        opt.get_gradients(None, [w])
    with pytest.raises(NotImplementedError, match="Adam.get_updates"):
        keras.optimizers.Adam().get_updates(None, [w])


def test_update_add_of_iterations_outside_a_step():
    opt = keras.optimizers.SGD()
    K.update_add(opt.iterations, 3)
    assert int(opt.iterations) == 3


@pytest.mark.parametrize("name", ["m.h5", "m.tfm"])
def test_a_saved_model_keeps_the_slots_its_get_updates_made(tmp_path, name):
    m = _model(Adam22(lr=0.01))
    m.fit(DATA, TARGET, epochs=1, batch_size=32, verbose=0, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left out of the file to warn about
        m.save(str(tmp_path / name))
    again = keras.models.load_model(str(tmp_path / name), custom_objects={"Adam22": Adam22})
    assert int(again.optimizer.iterations) == 2
    assert len(again.optimizer._legacy_slots) == len(m.optimizer._legacy_slots) == 8
    for a, b in zip(again.optimizer._legacy_slots, m.optimizer._legacy_slots):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # both train on from the same state: the same weights after another epoch (with new
    # slots Adam's first steps would differ)
    m.fit(DATA, TARGET, epochs=1, batch_size=32, verbose=0, shuffle=False)
    again.fit(DATA, TARGET, epochs=1, batch_size=32, verbose=0, shuffle=False)
    assert int(again.optimizer.iterations) == 4
    for a, b in zip(again.get_weights(), m.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_h5_holds_the_slots_under_keras_2_2s_names(tmp_path):
    h5py = pytest.importorskip("h5py")
    m = _model(SGD22(lr=0.05, momentum=0.9))
    m.fit(DATA, TARGET, epochs=1, batch_size=32, verbose=0, shuffle=False)
    m.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as f:
        g = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        assert names == ["SGD22/iterations:0", "training/SGD22/Variable:0"] + [
            f"training/SGD22/Variable_{k}:0" for k in range(1, 4)]
        assert int(np.asarray(g[names[0]])) == 2
        for n, slot in zip(names[1:], m.optimizer._legacy_slots):
            np.testing.assert_array_equal(np.asarray(g[n]), np.asarray(slot))


def test_keras_2_0_signature_and_the_legacy_decorator():
    from tensorforge.keras.legacy import interfaces

    class SGD20(Optimizer):  # Keras 2.0: get_updates(params, constraints, loss)
        def get_updates(self, params, constraints, loss):
            grads = self.get_gradients(loss, params)
            self.updates = [K.update(p, p - 0.1 * g) for p, g in zip(params, grads)]
            return self.updates

    class SGD21(SGD20):  # Keras 2.1-2.2: (loss, params), decorated
        @interfaces.legacy_get_updates_support
        def get_updates(self, loss, params):
            return super().get_updates(params, {}, loss)

    m1, m2, m3 = _model(SGD20()), _model(SGD21()), _model(keras.optimizers.SGD(0.1))
    for m in (m1, m2, m3):
        m.fit(DATA, TARGET, epochs=1, batch_size=16, verbose=0, shuffle=False)
    for a, b, c in zip(m1.get_weights(), m2.get_weights(), m3.get_weights()):
        np.testing.assert_allclose(a, c, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(b, c, rtol=1e-6, atol=1e-7)
    # the decorator also takes Keras 2.0's positional call
    w = K.variable(np.zeros(2, np.float32))
    calls = []

    class Probe(Optimizer):
        @interfaces.legacy_get_updates_support
        def get_updates(self, loss, params):
            calls.append((loss, params))
            return []

    Probe().get_updates([w], {}, "the loss")
    assert calls == [("the loss", [w])]


def test_get_updates_may_update_its_learning_rate():
    class DecayingSGD(Optimizer):  # lr *= 0.5 each step, as an update op
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.lr = K.variable(0.1)

        def get_updates(self, loss, params):
            grads = self.get_gradients(loss, params)
            self.updates = [K.update(self.lr, self.lr * 0.5), K.update_add(self.iterations, 1)]
            self.updates += [K.update(p, p - self.lr * g) for p, g in zip(params, grads)]
            return self.updates

    w = K.variable(np.ones(2, np.float32))
    opt = DecayingSGD()
    for _ in range(3):  # each step reads the rate before its own update (0.1, 0.05, 0.025)
        opt.apply_gradients([(np.ones(2, np.float32), w)])
    np.testing.assert_allclose(K.get_value(w), 1 - (0.1 + 0.05 + 0.025), rtol=1e-6)
    assert float(K.get_value(opt.lr)) == pytest.approx(0.0125)
    assert int(opt.iterations) == 3


def test_k_function_with_optimizer_updates_trains_as_a_tape_step():
    # Keras 2.0-2.2 GAN notebooks: train = K.function(inputs, [loss], opt.get_updates(...))
    def net():
        tf.keras.utils.set_random_seed(0)
        return keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                 keras.layers.Dense(1)])
    a, b = net(), net()
    x_in, y_in = keras.Input((4,)), keras.Input((1,))
    loss = K.mean(K.square(a(x_in) - y_in))
    train = K.function([x_in, y_in], [loss],
                       keras.optimizers.Adam(0.01).get_updates(a.trainable_weights, [], loss))
    train22 = K.function([x_in, y_in], [loss], keras.optimizers.Adam(0.01).get_updates(
        loss=loss, params=a.trainable_weights))
    assert callable(train22)
    opt = keras.optimizers.Adam(0.01)
    for _ in range(4):
        got, = train([DATA, TARGET])
        with tf.GradientTape() as tape:
            want = tf.reduce_mean(tf.square(b(DATA) - TARGET))
        opt.apply_gradients(zip(tape.gradient(want, b.trainable_weights), b.trainable_weights))
        np.testing.assert_allclose(got, float(want), rtol=1e-6)  # the loss before the step
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-7)


def test_k_function_variable_updates_and_errors():
    counter = K.variable(np.zeros(1, np.float32))
    x_in = keras.Input((2,))
    total = K.sum(x_in) + counter
    f = K.function([x_in], [total], updates=[(counter, total)])
    assert np.asarray(f([np.ones((1, 2), np.float32)])[0]).item() == 2.0
    assert np.asarray(f([np.ones((1, 2), np.float32)])[0]).item() == 4.0  # counter took 2
    with pytest.raises(TypeError, match="updates must be what an optimizer's get_updates"):
        K.function([x_in], [total], updates=["step"])
    with pytest.raises(NotImplementedError, match="takes the Keras-tensor loss of a graph"):
        keras.optimizers.SGD().get_updates(K.variable(1.0), [counter])


def test_k_function_updates_of_a_keras_2_2_optimizer():
    # a get_updates optimizer given a Keras-tensor loss outside a step: K.function's step, which
    # runs its get_updates inside the step (the same numbers as Keras 2.2's Adam there)
    def net():
        tf.keras.utils.set_random_seed(0)
        return keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    a, b = net(), net()
    x_in, y_in = keras.Input((4,)), keras.Input((1,))
    loss = K.mean(K.square(a(x_in) - y_in))
    train = K.function([x_in, y_in], [loss], Adam22(lr=0.01).get_updates(loss, a.trainable_weights))
    b.compile(keras.optimizers.Adam(0.01, epsilon=1e-7), "mse")
    for _ in range(3):
        train([DATA, TARGET])
        b.train_on_batch(DATA, TARGET)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-7)
