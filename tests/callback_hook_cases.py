"""The scenarios of tests/test_callback_hooks.py, written once for the test (tensorforge) and
tools/gen_callback_hook_refs.py (tf_keras 2.21): which hooks a callback sees, with which log
keys, during evaluate / predict (arrays and generators) and fit's validation."""
import numpy as np

HOOKS = ["on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
         "on_predict_batch_end", "on_epoch_end"]


def data():
    x = np.random.RandomState(0).randn(40, 4).astype("float32")
    return x, x[:, :1] * 2.0


def recorder(keras):
    """A callback class recording (hook, batch, sorted log keys, loss in the logs or None)."""
    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.events = []

    def make(hook):
        def fn(self, *args):
            batch = args[0] if hook.endswith(("batch_begin", "batch_end", "epoch_end")) else None
            logs = args[-1] if args else None
            logs = logs or {}
            loss = logs.get("loss")
            self.events.append([hook, batch, sorted(logs),
                                None if loss is None else float(loss)])
        return fn
    for h in HOOKS:
        setattr(Recorder, h, make(h))
    return Recorder


def model(keras, weights=None):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    if weights is not None:
        m.set_weights(weights)
    m.compile(keras.optimizers.SGD(learning_rate=0.01), "mse", metrics=["mae"])
    return m


def generator(x, y):
    while True:
        for i in range(0, 40, 10):
            yield x[i:i + 10], y[i:i + 10]


def run(keras, name, weights):
    """The events of scenario ``name``."""
    x, y = data()
    m = model(keras, weights)
    cb = recorder(keras)()
    if name == "evaluate":
        m.evaluate(x, y, batch_size=10, verbose=0, callbacks=[cb])
    elif name == "predict":
        m.predict(x, batch_size=10, verbose=0, callbacks=[cb])
    elif name == "evaluate_generator":
        m.evaluate(generator(x, y), steps=4, verbose=0, callbacks=[cb])
    elif name == "predict_generator":
        m.predict(generator(x, y), steps=4, verbose=0, callbacks=[cb])
    elif name == "fit_validation":
        m.fit(x, y, batch_size=20, epochs=1, verbose=0, shuffle=False,
              validation_data=(x, y), validation_batch_size=10, callbacks=[cb])
    return cb.events


SCENARIOS = ["evaluate", "predict", "evaluate_generator", "predict_generator", "fit_validation"]
