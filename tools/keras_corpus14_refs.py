"""Keras 2's (tf_keras') and TensorFlow's figures the tests in tests/test_corpus14.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus14_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import collections
import os
import tempfile

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. optimizer.iterations: an int64 variable (the TF 2 custom-training walkthrough prints
#    optimizer.iterations.numpy() before and after apply_gradients)
opt = keras.optimizers.SGD(learning_rate=0.1)
v = tf.Variable([1.0, 2.0])
print("iterations before:", repr(opt.iterations.numpy()), opt.iterations.dtype.name)
opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
print("iterations after 2 steps:", repr(opt.iterations.numpy()), int(opt.iterations))
opt.iterations.assign(7)
print("after assign(7):", int(opt.iterations))

# 2. make_csv_dataset's features: an OrderedDict, kept through map and batch
path = os.path.join(tempfile.mkdtemp(), "t.csv")
with open(path, "w") as f:
    f.write("a,b,y\n1,2,0\n3,4,1\n5,6,0\n")
ds = tf.data.experimental.make_csv_dataset(path, 2, label_name="y", num_epochs=1, shuffle=False)
feats, _ = next(iter(ds))
print("make_csv_dataset features:", type(feats).__name__, list(feats))
od = tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3]}).map(
    lambda f: collections.OrderedDict(f)).batch(2)
print("map -> OrderedDict, batch:", type(next(iter(od))).__name__)
print("plain dict stays:", type(next(iter(tf.data.Dataset.from_tensor_slices({"a": [1, 2]}).batch(2)))).__name__)

# 3. a target per sequence against a per-step output (intro to Keras for engineers: labels
#    [[0], [1]] for Embedding -> Dense(1) over 5 tokens): Keras 2's mse / mae broadcast it
inp = keras.Input((5,))
x = keras.layers.Embedding(10, 3, embeddings_initializer=keras.initializers.Constant(
    np.linspace(-1, 1, 30).reshape(10, 3)))(inp)
out = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(x)
m = keras.Model(inp, out)
X = np.arange(10).reshape(2, 5)
Y = np.array([[0.0], [1.0]])
for loss in ("mse", "mae", "binary_crossentropy"):
    m.compile("sgd", loss)
    print(loss, "evaluate:", m.evaluate(X, Y, verbose=0))
m.compile(keras.optimizers.SGD(0.1), "mse")
m.fit(X, Y, epochs=1, batch_size=2, verbose=0)
print("kernel after one SGD(0.1) step on mse:", m.layers[-1].kernel.numpy().ravel())
try:
    m.compile("sgd", "categorical_crossentropy")
    m.fit(X, Y, verbose=0)
except Exception as e:
    print("categorical_crossentropy:", type(e).__name__)

# 4. tf.data.experimental.cardinality
r = tf.data.Dataset.range(10)
print("cardinality:", tf.data.experimental.cardinality(r.skip(3)).numpy(),
      tf.data.experimental.cardinality(r.repeat()).numpy(),
      tf.data.experimental.cardinality(r.filter(lambda z: z > 2)).numpy(),
      tf.data.experimental.INFINITE_CARDINALITY, tf.data.experimental.UNKNOWN_CARDINALITY)

# 5. == of a tf.string tensor and a NumPy array of str (the image-loading tutorial's get_label)
class_names = np.array(["daisy", "roses", "tulips"])
parts = tf.strings.split(tf.constant("flower_photos/roses/1.jpg"), "/")
hot = parts[-2] == class_names
print("parts[-2] == class_names:", hot.numpy(), hot.dtype.name, tf.argmax(hot).numpy())
print("!=:", (tf.constant(["a", "roses"]) != class_names[:2]).numpy())
print("scalar == str:", (tf.constant("roses") == "roses").numpy())

# 6. Tensor.set_shape on an eager tensor: a compatibility check (the time-series tutorial)
t = tf.zeros((3, 6, 19))
t.set_shape([None, 6, None])
print("set_shape compatible: ok", t.shape)
for bad in ([None, 5, None], [None, 5]):
    try:
        t.set_shape(bad)
    except ValueError as e:
        print("set_shape", bad, "->", type(e).__name__, e)

# 7. initializers.get(None) is None; Dense(bias_initializer=None) draws the bias from
#    glorot_uniform (uniform in +-sqrt(6 / (n + n)) for a bias of n)
print("initializers.get(None):", keras.initializers.get(None))
draws = []
for i in range(200):
    d = keras.layers.Dense(3, bias_initializer=None)
    d.build((None, 4))
    draws.append(d.bias.numpy())
draws = np.array(draws)
print("bias_initializer=None: min %.3f max %.3f std %.3f; config %r" % (
    draws.min(), draws.max(), draws.std(), d.get_config()["bias_initializer"]))

# 8. an LSTM / GRU / SimpleRNN trained on a strided window of its input (split_window's slice)
x = tf.constant(np.random.default_rng(0).random((8, 30, 5), dtype=np.float32))[:, :24, :]
y = np.ones((8, 24, 1), "float32")
for L in (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN):
    m = keras.Sequential([L(4, return_sequences=True), keras.layers.Dense(1)])
    m.compile("adam", "mse")
    print(L.__name__, "trains on a sliced window:", np.isfinite(m.train_on_batch(x, y)))

# 9. a Sequential opening with an adapted Normalization is built at once (summary works)
norm = keras.layers.Normalization()
norm.adapt(np.random.default_rng(1).random((50, 9)))
m = keras.Sequential([norm, keras.layers.Dense(4), keras.layers.Dense(1)])
print("adapted Normalization first: built", m.built, "params", m.count_params(),
      "output_shape", m.output_shape, "input_shape", m.input_shape)

# 10. compile(metrics=<one metric>): a list of one
x = np.random.default_rng(2).random((20, 3)).astype("float32")
y = (x.sum(1) > 1.5).astype("float32")
for met in ["accuracy", keras.metrics.BinaryAccuracy(threshold=0.0), "mae",
            keras.metrics.mean_absolute_error]:
    m = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones", input_shape=(3,))])
    m.compile("sgd", "binary_crossentropy", metrics=met)
    h = m.fit(x, y, verbose=0)
    print("metrics=%s:" % getattr(met, "__name__", type(met).__name__ if not isinstance(met, str) else met),
          list(h.history), ["%.6f" % v[0] for v in h.history.values()])

# 11. EarlyStopping(restore_best_weights=True): the best epoch's weights come back at the end of
#     training, stopped early or not (the GNN example under a capped fit)
def run_es(values, **kw):
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(1,), use_bias=False)])
    es = keras.callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True, **kw)
    es.set_model(m)
    es.on_train_begin()
    for epoch, v in enumerate(values):
        m.set_weights([np.full((1, 1), float(epoch), "float32")])
        es.on_epoch_end(epoch, {"val_loss": v})
        if m.stop_training:
            break
    es.on_train_end()
    return float(m.get_weights()[0][0, 0]), es.stopped_epoch, es.best_epoch, es.wait
print("no stop:", run_es([3.0, 2.0, 2.5, 2.4], patience=10))
print("stop:", run_es([3.0, 2.0, 2.5, 2.4], patience=1))
print("never better than baseline:", run_es([3.0, 2.9, 2.8], patience=1, baseline=1.0))
print("min_delta:", run_es([3.0, 2.95, 2.0, 1.99], patience=5, min_delta=0.1))
x = np.linspace(-1, 1, 32, dtype="float32")[:, None]
m = keras.Sequential([keras.layers.Dense(1, input_shape=(1,))])
m.compile(keras.optimizers.SGD(5.0), "mse")
es = keras.callbacks.EarlyStopping(monitor="loss", patience=1, verbose=1, restore_best_weights=True)
m.fit(x, 3 * x, epochs=6, batch_size=32, verbose=0, callbacks=[es])  # prints the two messages
