"""The model and data of tests/test_optimizer_ema.py, written once for the test (tensorforge)
and tools/gen_optimizer_ema_refs.py (tf_keras 2.21)."""
import numpy as np


def data():
    r = np.random.RandomState(7)
    x = r.randn(32, 5).astype("float32")
    y = (x @ r.randn(5, 1) + 0.1 * r.randn(32, 1)).astype("float32")
    return x, y


def model(keras, weights=None):
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.Dense(1)])
    if weights is not None:
        m.set_weights(weights)
    return m


def hand_loop(tf, keras, name, weights, steps=5):
    """A custom loop: ``steps`` apply_gradients on the mse of the data; (model, optimizer)."""
    cls, kw = CASES[name]
    x, y = data()
    m = model(keras, weights)
    opt = getattr(keras.optimizers, cls)(**kw)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(m(x) - y))
        opt.apply_gradients(zip(tape.gradient(loss, m.trainable_variables),
                                m.trainable_variables))
    return m, opt


# case -> (optimizer class name, arguments)
CASES = {"adam_overwrite3": ("Adam", {"learning_rate": 0.05, "use_ema": True,
                                      "ema_momentum": 0.9, "ema_overwrite_frequency": 3}),
         "sgd_end_only": ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "use_ema": True,
                                  "ema_momentum": 0.8})}
