"""Keras 2 gaps closed in session 29: a Lambda's training at its symbolic call, the callbacks'
params and logs, a tf_keras .keras archive's optimizer state. The figures were printed by
tools/keras_struct29_refs.py under tf_keras 2.21, which also wrote tests/data/gaps29_*.keras."""

import numpy as np
from tensorforge import keras

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
