"""Keras 2's (tf_keras') figures the tests in tests/test_corpus27.py hold, printed by running
the same calls under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus27_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tf_keras as keras

x = np.arange(12, dtype="float32").reshape(6, 2)
y = np.arange(6, dtype="float32").reshape(6, 1)


def model():
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
    m.compile(loss="mse", optimizer=keras.optimizers.SGD(0.0))
    return m


class Count(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(("epoch", epoch))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test_batch", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("predict_batch", batch))


# 1. callbacks=<one callback> (keras41_split2_LSTM.py: callbacks=early_stopping), fit
es = keras.callbacks.EarlyStopping(monitor="loss", patience=0)
h = model().fit(x, y, epochs=5, batch_size=3, callbacks=es, verbose=0)
print("fit callbacks=es, lr 0, patience 0: epochs run", len(h.history["loss"]),
      "stopped_epoch", es.stopped_epoch)
es = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
h = model().fit(x, y, epochs=10, batch_size=3, callbacks=es, verbose=0)
print("fit callbacks=es, lr 0, patience 2: epochs run", len(h.history["loss"]),
      "stopped_epoch", es.stopped_epoch)
c = Count()
model().fit(x, y, epochs=3, batch_size=3, callbacks=c, verbose=0)
print("fit callbacks=Count():", c.seen)
c = Count()
model().evaluate(x, y, batch_size=4, callbacks=c, verbose=0)
print("evaluate callbacks=Count():", c.seen)
c = Count()
model().predict(x, batch_size=4, callbacks=c, verbose=0)
print("predict callbacks=Count():", c.seen)
# nested lists are flattened (tf.nest.flatten)
c1, c2 = Count(), Count()
model().fit(x, y, epochs=2, batch_size=3, callbacks=[[c1], (c2,)], verbose=0)
print("fit callbacks=[[c1], (c2,)]:", c1.seen, c2.seen)

# 2. fit(shuffle=0.2) (keras18_ensembleC.py): any true value shuffles, 0 / 0.0 do not
for sh in (0.2, 1, 0, 0.0):
    h = model().fit(x, y, epochs=1, batch_size=3, shuffle=sh, verbose=0)
    print(f"fit shuffle={sh!r}: loss", round(h.history["loss"][0], 4))
try:
    model().fit(x, y, epochs=1, shuffle="rows", verbose=0)
    print("fit shuffle='rows': accepted")
except Exception as e:  # noqa: BLE001
    print("fit shuffle='rows':", type(e).__name__, e)
