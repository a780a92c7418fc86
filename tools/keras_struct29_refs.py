"""tf_keras 2.21's figures that tests/test_keras_gaps29.py holds, printed by running the same
calls under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_struct29_refs.py            # print the figures
    /work/keras-venv/bin/python tools/keras_struct29_refs.py tests/data # and write the archives

1. the ``training`` a Lambda's function receives: at the symbolic call, in predict, in fit;
2. the key sets of the callbacks' params and logs in fit / evaluate / predict, and in a fit
   through a program's train_step;
3. .keras archives of small compiled models trained two steps (tests/data/gaps29_<name>.keras,
   the optimizer's variables inside), and the trainable weights after one more step on the
   same batch.
"""
import os
import sys

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=8, suppress=True)

# 1. Lambda's training
seen = []


def f(x, training=None):
    seen.append(training)
    return x * 2


inp = keras.Input((3,))
m = keras.Model(inp, keras.layers.Lambda(f)(inp))
print("lambda symbolic call:", seen)
seen.clear()
m.predict(np.ones((2, 3), "float32"), verbose=0)
print("lambda predict:", seen)
m.compile("sgd", "mse")
seen.clear()
m.fit(np.ones((2, 3), "float32"), np.ones((2, 3), "float32"), verbose=0)
print("lambda fit:", seen)


# 2. callbacks' params and logs
class Rec(keras.callbacks.Callback):
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


x = np.ones((10, 3), "float32")
y = np.ones((10, 1), "float32")
m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
m.compile("sgd", "mse", metrics=["mae"])
for what, run in (("fit", lambda r: m.fit(x, y, batch_size=4, epochs=2, verbose=0,
                                          validation_data=(x, y), callbacks=[r])),
                  ("evaluate", lambda r: m.evaluate(x, y, batch_size=4, verbose=0, callbacks=[r])),
                  ("predict", lambda r: m.predict(x, batch_size=4, verbose=0, callbacks=[r]))):
    r = Rec()
    run(r)
    print(f"{what} params:", dict(sorted(r.params.items())))
    print(f"{what} logs:", r.keys)



class StepModel(keras.Model):  # fit through a program's own train_step
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


m = StepModel()
m.compile("sgd")
r = Rec()
m.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[r])
print("train_step fit params:", dict(sorted(r.params.items())))
print("train_step fit logs:", r.keys)

# 3. archives with the optimizer's state
X = (np.arange(24, dtype="float32").reshape(8, 3) % 5 - 2) / 2
Y = np.stack([X.sum(1), X[:, 0] - X[:, 2]], 1).astype("float32")
OPTS = {"adam": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
        "rmsprop": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
        "sgd": lambda: keras.optimizers.SGD(0.05, momentum=0.9)}
out = sys.argv[1] if len(sys.argv) > 1 else None
for name, make in OPTS.items():
    keras.utils.set_random_seed(0)
    layers = [keras.layers.Dense(4, input_shape=(3,), use_bias=name != "adam")]
    if name == "adam":  # non-trainable weights between the trainable ones (a bias ahead of it
        layers.append(keras.layers.BatchNormalization())  # would have gradients of rounding size)
    m = keras.Sequential(layers + [keras.layers.Dense(2)])
    m.compile(make(), "mse")
    m.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    if out:
        m.save(os.path.join(out, f"gaps29_{name}.keras"))
    m.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    print(f"{name} iterations:", int(m.optimizer.iterations))
    print(f"{name} trainable weights after one more step:")
    for w in m.trainable_weights:
        print(repr(w.numpy().astype(np.float64).round(7).tolist()))
