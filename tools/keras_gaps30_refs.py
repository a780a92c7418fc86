"""tf_keras 2.21's figures that tests/test_legacy_optimizer_files.py and
tests/test_keras_gaps30.py hold, printed by running the same calls under tf_keras 2.21. Run with
the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_gaps30_refs.py            # print the figures
    /work/keras-venv/bin/python tools/keras_gaps30_refs.py tests/data # and write the files

A Dense(2) on 3 inputs, compiled with each optimizer below and trained two steps on one batch,
saved as HDF5 and as a .keras archive (tests/data/gaps30_<name>.h5 / .keras, a few KB each);
then the kernel and bias after one more step, in the model and in each file reloaded (a legacy
class's .keras archive holds no optimizer state: tf_keras continues with a fresh optimizer). RMSprop's epsilon is 0.5 so that its place (inside
the root: the default class; outside: the legacy one) moves the weights at the 1e-3 level;
Nadam's two momentum schedules differ from the first step.

Then (test_keras_gaps30.py) the ``training`` a call receives when nobody gives one (an eager
layer call, a Lambda's function, model(x) of each kind), Dense(0), and the names of
Bidirectional's layers and config.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

X = (np.arange(24, dtype="float32").reshape(8, 3) % 5 - 2) / 2
Y = np.stack([X.sum(1), X[:, 0] - X[:, 2]], 1).astype("float32")
KERNEL = np.array([[0.5, -0.25], [0.125, 0.75], [-0.5, 0.25]], "float32")
OPTS = {"legacy_rmsprop": lambda: keras.optimizers.legacy.RMSprop(0.01, epsilon=0.5),
        "rmsprop": lambda: keras.optimizers.RMSprop(0.01, epsilon=0.5),
        "legacy_nadam": lambda: keras.optimizers.legacy.Nadam(0.01)}
out = sys.argv[1] if len(sys.argv) > 1 else None
for name, make in OPTS.items():
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    m.layers[0].set_weights([KERNEL, np.array([0.1, -0.1], "float32")])
    m.compile(make(), "mse")
    m.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    print(f"{name} config:", json.dumps(keras.optimizers.serialize(m.optimizer)))
    if out:
        for ext in ("h5", "keras"):
            m.save(os.path.join(out, f"gaps30_{name}.{ext}"))
    m.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    print(f"{name} after one more step:")
    for w in m.trainable_weights:
        print(repr(w.numpy().astype(np.float64).round(7).tolist()))
    if out:  # each file reloaded in tf_keras (its own class), then one more step
        for ext in ("h5", "keras"):
            r = keras.models.load_model(os.path.join(out, f"gaps30_{name}.{ext}"))
            o = r.optimizer
            print(f"  {ext} reloads as {type(o).__module__}, iterations {int(o.iterations)}; "
                  "after one more step:")
            r.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
            for w in r.trainable_weights:
                print("  ", repr(w.numpy().astype(np.float64).round(7).tolist()))

# ---- tests/test_keras_gaps30.py ----------------------------------------------------------------
L = keras.layers
seen = []


def f(x, training=None):
    seen.append(training)
    return x * 2


class Rec(L.Layer):
    def call(self, x, training=None):
        seen.append(("rec", training))
        return x


class RecFalse(L.Layer):
    def call(self, x, training=False):
        seen.append(("rec_false", training))
        return x


class Sub(keras.Model):
    def __init__(self):
        super().__init__()
        self.r = Rec()

    def call(self, x, training=None):
        seen.append(("sub", training))
        return self.r(x)


ones = np.ones((2, 3), "float32")
L.Lambda(f)(ones)
print("eager Lambda(f)(x):", seen[-1])
L.Lambda(f)(ones, training=True)
print("eager Lambda(f)(x, training=True):", seen[-1])
Rec()(ones)
RecFalse()(ones)
print("eager layer(x):", seen[-2:])
inp = keras.Input((3,))
m = keras.Model(inp, RecFalse()(Rec()(inp)))
seen.clear()
m(ones)
print("functional model(x):", seen)
seen.clear()
m(ones, training=False)
print("functional model(x, training=False):", seen)
s = keras.Sequential([Rec()])
s(ones)
seen.clear()
s(ones)
print("Sequential model(x):", seen)
seen.clear()
Sub()(ones)
print("subclassed model(x):", seen)
m2 = keras.Model(inp, L.Lambda(f)(inp))
seen.clear()
m2(ones)
print("functional model with a Lambda (x):", seen)

d = L.Dense(0)
y = d(ones)
print("Dense(0) call:", tuple(y.shape), [tuple(w.shape) for w in d.weights],
      "units in config:", d.get_config()["units"])
m0 = keras.Model(inp, L.Dense(0)(inp))
print("Dense(0) model predict:", m0.predict(ones, verbose=0).shape, "params:", m0.count_params())
try:
    L.Dense(-1)
except ValueError as e:
    print("Dense(-1):", type(e).__name__, e)

seq = keras.Input((4, 3))
lstm = L.LSTM(2, name="mylstm")
b = L.Bidirectional(lstm)
b(seq)
print("Bidirectional(mylstm):", b.forward_layer.name, b.backward_layer.name,
      "given layer:", lstm.name, lstm.built, "config:", b.get_config()["layer"]["config"]["name"])
print("weights:", [w.name for w in b.weights][::3])
fw, bw = L.LSTM(2, name="fw"), L.LSTM(2, go_backwards=True, name="bw")
b3 = L.Bidirectional(fw, backward_layer=bw)
b3(seq)
print("given backward:", b3.forward_layer.name, b3.backward_layer.name, bw.name,
      "config:", b3.get_config()["layer"]["config"]["name"],
      b3.get_config()["backward_layer"]["config"]["name"])
b4 = L.Bidirectional.from_config(b3.get_config())
b4(seq)
print("from_config:", b4.forward_layer.name, b4.backward_layer.name)
