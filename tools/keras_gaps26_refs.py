"""tf_keras 2.21's output for the Keras 2 gaps tests/test_keras_gaps26.py closes, printed by
running the same calls under TensorFlow 2.21 / tf_keras 2.21 (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_gaps26_refs.py

It writes nothing; the printed values were copied into the tests. Times in the verbose=2 lines
are printed as T (they differ from run to run); the rest of each line is compared as it is.
"""
import contextlib
import io
import re

import numpy as np
import tensorflow as tf
import tf_keras as keras

layers = keras.layers


def masked_times(text):
    return re.sub(r"\b\d+(s|ms|us)\b", "T", text)


# 1. fit / evaluate / predict with verbose=2: one line per epoch (and per evaluate / predict),
#    counting steps; a model whose output stays 0.5 (zero weights, learning rate 0)
x = np.arange(64 * 4, dtype="float32").reshape(64, 4) / 256
y = (np.arange(64) % 2).astype("float32").reshape(64, 1)
m = keras.Sequential([layers.Dense(1, activation="sigmoid", kernel_initializer="zeros",
                                   input_shape=(4,))])
m.compile(keras.optimizers.SGD(learning_rate=0.0), "binary_crossentropy", metrics=["accuracy"])
for label, call in (("fit 2 epochs", lambda: m.fit(x, y, epochs=2, batch_size=8, verbose=2)),
                    ("fit 1 epoch, validation", lambda: m.fit(x, y, epochs=1, batch_size=8,
                                                             verbose=2, validation_split=0.25)),
                    ("evaluate", lambda: m.evaluate(x, y, batch_size=16, verbose=2)),
                    ("predict", lambda: m.predict(x, batch_size=32, verbose=2))):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    print(label, repr(masked_times(out.getvalue())))

# 2. a mask from outside a nested model reaches its layers (an LSTM after a masked Embedding;
#    a SimpleRNN in a Sequential after Masking)
inner_in = keras.Input((None, 3))
inner = keras.Model(inner_in, layers.LSTM(2, kernel_initializer="ones",
                                          recurrent_initializer="zeros",
                                          bias_initializer="zeros")(inner_in))
ids = keras.Input((None,), dtype="int32")
emb = layers.Embedding(5, 3, mask_zero=True,
                       embeddings_initializer=keras.initializers.Constant(0.1))(ids)
outer = keras.Model(ids, inner(emb))
print("nested LSTM:", np.round(outer.predict(np.array([[1, 2, 0, 0], [3, 0, 0, 0], [1, 2, 3, 4]]),
                                             verbose=0), 6).tolist())
seq = keras.Sequential([layers.Masking(0.0, input_shape=(4, 2)),
                        keras.Sequential([layers.SimpleRNN(2, kernel_initializer="ones",
                                                           recurrent_initializer="identity",
                                                           bias_initializer="zeros")])])
x2 = np.array([[[1, 1], [1, 0], [0, 0], [0, 0]], [[1, 1], [1, 1], [1, 1], [1, 1]]], "float32")
print("nested SimpleRNN:", np.round(seq.predict(x2, verbose=0), 6).tolist())

# 3. convert_to_tensor of a list of string scalars
for value in ([tf.constant("a"), tf.constant("b")], [[tf.constant("a")], [tf.constant("bc")]],
              [tf.constant(b"a"), "b"]):
    t = tf.convert_to_tensor(value)
    print("convert_to_tensor:", t.dtype.name, t.shape.as_list(), t.numpy().tolist())
try:
    tf.convert_to_tensor([tf.constant("a"), tf.constant(1)])
except Exception as e:  # noqa: BLE001
    print("convert_to_tensor mixed:", type(e).__name__)

# 4. keras.activations on a KerasTensor: a TFOpLambda layer named after the TF op
keras.backend.clear_session()  # (the layer names count from here)
inp = keras.Input((3,), name="x")
h = layers.Dense(2, name="dense")(inp)
for f in (keras.activations.sigmoid, keras.activations.relu, keras.activations.tanh,
          keras.activations.softmax):
    h = f(h)
mm = keras.Model(inp, h, name="acts")
print("layers:", [(l.name, type(l).__name__) for l in mm.layers])
lines = []
mm.summary(print_fn=lines.append)
print("summary:", lines)
for n in ("elu", "selu", "softplus", "softsign", "exponential", "swish", "gelu"):
    i = keras.Input((3,))
    mm = keras.Model(i, getattr(keras.activations, n)(i))
    print(n, [(l.name.rsplit("_", 1)[0] if l.name[-1].isdigit() else l.name,
               l.get_config()["function"]) for l in mm.layers[1:]])


# 5. a generator's fit with verbose=2 counts its steps; a zero loss prints as 0.0000e+00 (the
#    bar's rule: values above 1e-3 with four decimals, the rest in exponent form)
def batches():
    while True:
        yield np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")


g = keras.Sequential([layers.Dense(1, kernel_initializer="zeros", input_shape=(2,))])
g.compile("sgd", "mse")
out = io.StringIO()
with contextlib.redirect_stdout(out):
    g.fit(batches(), steps_per_epoch=3, epochs=1, verbose=2)
print("generator fit", repr(masked_times(out.getvalue())))
out = io.StringIO()
with contextlib.redirect_stdout(out):
    bar = keras.utils.Progbar(2, verbose=2)
    bar.update(2, [("a", -0.5), ("b", 0.0), ("c", 0.0005)])
print("progbar values", repr(masked_times(out.getvalue())))
