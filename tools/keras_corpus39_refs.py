"""Keras 2's (tf_keras') figures the tests in tests/test_corpus39.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21, and the small model file they load. Run with
the Keras 2 venv (the oracle of tools/keras_parity.py) from the repository root:

    /work/keras-venv/bin/python tools/keras_corpus39_refs.py

It writes tests/data/corpus39_lstm_initial_state.h5 (a 3-unit encoder-decoder whose decoder
LSTM takes the encoder's states as initial_state, saved by tf_keras: Keras 2's HDF5 layout
records that call as one node with inputs [x, h, c]); the printed values were copied into the
tests.
"""
import json

import h5py
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
FILE = "tests/data/corpus39_lstm_initial_state.h5"

# Deep Learning Quick Reference's Chapter11/train_char_seq2seq.py, at 3 units
enc_in = keras.Input((None, 4), name="encoder_input")
_, h, c = keras.layers.LSTM(3, return_state=True, name="encoder_lstm")(enc_in)
dec_in = keras.Input((None, 5), name="decoder_input")
dec_lstm = keras.layers.LSTM(3, return_sequences=True, return_state=True, name="decoder_lstm")
seq, _, _ = dec_lstm(dec_in, initial_state=[h, c])
out = keras.layers.Dense(5, activation="softmax", name="softmax_output")(seq)
model = keras.Model([enc_in, dec_in], out)
for i, w in enumerate(model.weights):
    w.assign(np.cos(np.arange(np.prod(w.shape), dtype="float32") * (0.3 + 0.1 * i))
             .reshape(w.shape) * 0.5)
model.compile("rmsprop", "categorical_crossentropy")
model.save(FILE)
with h5py.File(FILE, "r") as f:
    cfg = json.loads(f.attrs["model_config"])
print("1. decoder_lstm inbound_nodes:",
      [l["inbound_nodes"] for l in cfg["config"]["layers"] if l["name"] == "decoder_lstm"])
XE = np.sin(np.arange(24, dtype="float32")).reshape(2, 3, 4)
XD = np.cos(np.arange(20, dtype="float32")).reshape(2, 2, 5)
print("1. predict[1]:", model.predict([XE, XD], verbose=0)[1])

# 2. the call itself: layer([x, h0, c0]) is layer(x, initial_state=[h0, c0])
lstm = keras.layers.LSTM(3, return_state=True)
H0 = np.full((2, 3), 0.25, "float32")
C0 = np.full((2, 3), -0.5, "float32")
lstm(XE)
lstm.set_weights([np.cos(np.arange(w.size, dtype="float32") * (0.3 + 0.1 * i)).reshape(w.shape)
                  * 0.5 for i, w in enumerate(lstm.get_weights())])
o, hh, cc = lstm([tf.constant(XE), tf.constant(H0), tf.constant(C0)])  # (numpy: refused)
print("2. list call  o[1]:", o.numpy()[1], "c[1]:", cc.numpy()[1])
o2, _, _ = lstm(tf.constant(XE), initial_state=[tf.constant(H0), tf.constant(C0)])
print("2. same as initial_state=:", np.abs(o.numpy() - o2.numpy()).max())
o3, _, _ = lstm([tf.constant(XE)])
print("2. one-element list = no states:", np.abs(o3.numpy() - lstm(XE)[0].numpy()).max())
