"""Keras 2's (tf_keras') figures the tests in tests/test_corpus32.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus32_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import base64
import marshal
import os
import tempfile

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. a Lambda layer holding a lambda expression: its config (the Udacity course's l08
#    forecasting notebooks, `keras.layers.Lambda(lambda x: x * 200.0)`)
fn = lambda x: x * 200.0  # noqa: E731
layer = keras.layers.Lambda(fn)
cfg = layer.get_config()
print("Lambda config keys:", sorted(cfg))
print("function_type:", cfg["function_type"], "module:", cfg["module"])
print("function: a", type(cfg["function"]).__name__, "of", len(cfg["function"]),
      "; defaults / closure:", cfg["function"][1], cfg["function"][2])
print("code decodes to the lambda's:",
      marshal.loads(base64.decodebytes(cfg["function"][0].encode())) == fn.__code__)


# a closure's values are written beside the code
def scaled(s):
    return keras.layers.Lambda(lambda x: x * s)


print("closure in the config:", scaled(3.0).get_config()["function"][2])

# 2. saved by ModelCheckpoint(save_best_only=True) to .h5 and loaded back in the same program,
#    as the notebooks do: Dense weights fixed, so the figure is worked out by hand too
model = keras.Sequential([keras.layers.Lambda(lambda x: tf.expand_dims(x, axis=-1),
                                              input_shape=[None]),
                          keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1),
                          keras.layers.Lambda(lambda x: x * 200.0)])
model.layers[2].set_weights([np.array([[0.5]], np.float32), np.array([0.25], np.float32)])
model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.SGD(learning_rate=0.0))
path = os.path.join(tempfile.mkdtemp(), "my_checkpoint.h5")
x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
model.fit(x, np.array([1.0, 2.0]), epochs=1, verbose=0, validation_data=(x, np.array([1.0, 2.0])),
          callbacks=[keras.callbacks.ModelCheckpoint(path, save_best_only=True)])
again = keras.models.load_model(path)
print("loaded model predicts:", again.predict(x, verbose=0).ravel())
