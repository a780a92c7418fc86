"""The optimizers whose saved state tests/test_keras_gaps31.py checks against tf_keras', and the
model and data both sides train, written against a Keras module argument: tensorforge's in the
test, tf_keras in tools/keras_gaps31_refs.py. Imports nothing of either."""
import numpy as np

OPTIMIZERS = {  # name: (class, kwargs); the same names in both libraries
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_momentum_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5,
                                              "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamw": ("AdamW", {"learning_rate": 0.01}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1}),
    "lion": ("Lion", {"learning_rate": 0.01}),
    "legacy_nadam": ("legacy.Nadam", {"learning_rate": 0.01}),
    "legacy_adam": ("legacy.Adam", {"learning_rate": 0.01}),
    "legacy_rmsprop_momentum_centered": ("legacy.RMSprop", {"learning_rate": 0.01,
                                                            "momentum": 0.5, "centered": True}),
}
STEPS = 3
# the steps before tf_keras' arrays are kept: Nadam one (tf_keras' fit steps it off its own
# formula from the first step on: tools/gen_optimizer_epsilon_refs.py; its m and v after one
# step are the formula's)
STEPS_OF = {"nadam": 1}


def data():
    r = np.random.default_rng(31)
    return r.normal(size=(16, 5)).astype("float32"), r.normal(size=(16, 2)).astype("float32")


def optimizer(keras, name):
    cls, kw = OPTIMIZERS[name]
    mod = keras.optimizers
    for part in cls.split(".")[:-1]:
        mod = getattr(mod, part)
    return getattr(mod, cls.split(".")[-1])(**kw)


def model(keras, name=None, steps=0):
    """Dense(4, tanh) -> Dense(2) with fixed weights; compiled with optimizer ``name`` and
    trained ``steps`` train_on_batch steps on data() when a name is given."""
    r = np.random.default_rng(7)
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.Dense(2)])
    m.set_weights([r.normal(size=w.shape).astype("float32") * 0.5 for w in m.get_weights()])
    if name is not None:
        m.compile(optimizer(keras, name), "mse")
        x, y = data()
        for _ in range(steps):
            m.train_on_batch(x, y)
    return m
