"""Keras 2 gaps closed in session 29: a Lambda's training at its symbolic call, the callbacks'
params and logs, a tf_keras .keras archive's optimizer state. The figures were printed by
tools/keras_struct29_refs.py under tf_keras 2.21, which also wrote tests/data/gaps29_*.keras."""
import os
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

DATA = os.path.join(os.path.dirname(__file__), "data")


def test_lambda_function_sees_training_none_at_the_symbolic_call():
    """tf_keras traces a Lambda with its call's default training (None), once; fit and predict
    then pass True / False (See Note [training of a symbolic call])."""
    seen = []

    def f(x, training=None):
        seen.append(training)
        return x * 2

    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Lambda(f)(inp))
    assert seen == [None]  # tf_keras: [None]
    seen.clear()
    m.predict(np.ones((2, 3), "float32"), verbose=0)
    assert seen == [False]
    m.compile("sgd", "mse")
    seen.clear()
    m.fit(np.ones((2, 3), "float32"), np.ones((2, 3), "float32"), verbose=0)
    assert seen == [True]


def test_lambda_given_training_at_the_symbolic_call_runs_the_stand_ins_in_inference():
    seen = []
    inp = keras.Input((3,))
    keras.layers.Lambda(lambda x, training=None: seen.append(training) or x)(inp, training=True)
    assert seen == [False]  # stand-in values are not trained on (Note [training of a symbolic call])


class _Rec(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.keys = {}

    def _rec(self, hook, logs):
        self.keys.setdefault(hook, sorted(logs) if logs is not None else None)

    def on_train_batch_begin(self, b, logs=None):
        self._rec("train_batch_begin", logs)

    def on_train_batch_end(self, b, logs=None):
        self._rec("train_batch_end", logs)

    def on_epoch_end(self, e, logs=None):
        self._rec("epoch_end", logs)

    def on_train_end(self, logs=None):
        self._rec("train_end", logs)

    def on_test_batch_end(self, b, logs=None):
        self._rec("test_batch_end", logs)

    def on_predict_batch_end(self, b, logs=None):
        self._rec("predict_batch_end", logs)


def test_callbacks_params_and_logs_hold_tf_keras_keys():
    x, y = np.ones((10, 3), "float32"), np.ones((10, 1), "float32")
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    m.compile("sgd", "mse", metrics=["mae"])
    r = _Rec()
    m.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x, y), callbacks=[r])
    assert r.params == {"epochs": 2, "steps": 3, "verbose": 0}
    assert r.keys == {"train_batch_begin": [], "train_batch_end": ["loss", "mae"],
                      "test_batch_end": ["loss", "mae"],
                      "epoch_end": ["loss", "mae", "val_loss", "val_mae"],
                      "train_end": ["loss", "mae", "val_loss", "val_mae"]}
    r = _Rec()
    m.evaluate(x, y, batch_size=4, verbose=0, callbacks=[r])
    assert r.params == {"epochs": 1, "steps": 3, "verbose": 0}
    assert r.keys == {"test_batch_end": ["loss", "mae"]}
    r = _Rec()
    m.predict(x, batch_size=4, verbose=0, callbacks=[r])
    assert r.params == {"epochs": 1, "steps": 3, "verbose": 0}
    assert r.keys == {"predict_batch_end": ["outputs"]}


class _StepModel(keras.Model):  # fit through a program's own train_step
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(1)

    def call(self, x):
        return self.d(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((self(x, training=True) - y) ** 2)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"myloss": loss}


def test_train_step_fit_ends_with_the_last_epochs_logs():
    m = _StepModel()
    m.compile("sgd")
    r = _Rec()
    m.fit(np.ones((10, 3), "float32"), np.ones((10, 1), "float32"), batch_size=4, epochs=2,
          verbose=0, callbacks=[r])
    assert r.params == {"epochs": 2, "steps": 3, "verbose": 0}
    assert r.keys == {"train_batch_begin": [], "train_batch_end": ["myloss"],
                      "epoch_end": ["myloss"], "train_end": ["myloss"]}


# the trainable weights after a third step of tf_keras 2.21 on X, Y (tools/keras_struct29_refs.py)
AFTER = {
    "adam": [
        [[-0.0007362, -0.3235843, 0.5975633, -0.7584521], [-0.2099649, -0.6099064, -0.0091351, 0.8712068], [0.1298967, -0.1457584, 0.5501423, 0.1152922]],
        [1.0300415, 0.9703221, 0.9702604, 0.9703153],
        [0.0295522, 0.0296142, -0.0296718, 0.029501],
        [[-0.3248262, -0.6369992], [-0.4700207, 0.3369178], [0.3520081, -0.288246], [-0.3152232, -0.1191978]],
        [-0.0295251, -0.0296218],
    ],
    "rmsprop": [
        [[-0.0888474, -0.2443289, 0.518918, -0.851503], [-0.3132299, -0.7031236, 0.1282013, 0.7870809], [0.2191552, -0.230448, 0.6345276, 0.1719494]],
        [0.054051, -0.0365662, 0.0408087, 0.0594875],
        [[-0.4735629, -0.7375805], [-0.5565305, 0.2552862], [0.4424021, -0.2202507], [-0.2348237, -0.2067685]],
        [-0.0697381, -0.0511823],
    ],
    "sgd": [
        [[-0.1213705, -0.2869304, 0.5661768, -0.7625249], [-0.2892683, -0.5981597, 0.0062973, 0.8550084], [0.1957606, -0.2036425, 0.594573, 0.1479151]],
        [0.0200318, -0.0040073, 0.0043676, 0.0065241],
        [[-0.3714378, -0.6456029], [-0.520892, 0.2595078], [0.3672992, -0.2753789], [-0.2611229, -0.2027128]],
        [-0.0114861, -0.02608],
    ],
}


@pytest.mark.parametrize("name", sorted(AFTER))
def test_tf_keras_archive_optimizer_state_continues_training(name):
    """Adam(amsgrad, with BatchNormalization's non-trainable weights among the trainable ones),
    RMSprop(momentum, centered) and SGD(momentum) saved by tf_keras after two steps: the third
    step here is tf_keras' third (a fresh optimizer's would be its first: 1e-2 to 5e-2 away)."""
    X = (np.arange(24, dtype="float32").reshape(8, 3) % 5 - 2) / 2
    Y = np.stack([X.sum(1), X[:, 0] - X[:, 2]], 1).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the state is read: nothing to warn about
        m = keras.models.load_model(os.path.join(DATA, f"gaps29_{name}.keras"))
    assert int(m.optimizer.iterations) == 2
    m.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert int(m.optimizer.iterations) == 3
    got = [w.numpy() for w in m.trainable_weights]
    assert [g.shape for g in got] == [np.shape(a) for a in AFTER[name]]
    for g, want in zip(got, AFTER[name]):
        np.testing.assert_allclose(g, want, rtol=0, atol=2e-6)


def test_tf_keras_optimizer_variables_that_do_not_fit_warn_and_leave_the_optimizer():
    from tensorforge.saving import keras_optimizer_vars
    m = keras.models.load_model(os.path.join(DATA, "gaps29_sgd.keras"))
    n = len(m.trainable_weights)
    before = m.optimizer.get_state(m.trainable_weights)
    arrays = [np.int64(7)] + [np.zeros(w.shape, "float32") for w in m.trainable_weights][:n - 1]
    with pytest.warns(UserWarning, match=r"optimizer's state is not restored \(4 variables where "
                                         r"SGD over 4 trainable weights has 5\)"):
        keras_optimizer_vars.restore(m, arrays, "x.keras")
    assert int(m.optimizer.iterations) == 2
    after = m.optimizer.get_state(m.trainable_weights)
    assert all(np.array_equal(a, b) for s, t in zip(before, after) for a, b in zip(s, t))
