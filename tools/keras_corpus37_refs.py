"""Keras 2's (tf_keras') figures the tests in tests/test_corpus37.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus37_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

X = np.sin(np.arange(16, dtype="float32")).reshape(2, 4, 2)  # (batch, time, features)


def fixed(layer):
    """Every weight of a built layer set from a formula, the same on both sides."""
    layer.set_weights([np.cos(np.arange(w.size, dtype="float32") * (0.3 + 0.1 * i)).reshape(w.shape)
                       * 0.5 for i, w in enumerate(layer.get_weights())])
    return layer


# 1. Bidirectional(LSTM(return_state=True)): output, then forward h, c, then backward h, c
#    (the Advanced NLP course's bilstm_test.py)
inp = keras.Input((4, 2))
bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
m = keras.Model(inp, bi(inp))
fixed(bi)
outs = m.predict(X, verbose=0)
print("1. output shapes:", m.output_shape)
for name, o in zip(["o", "h_fwd", "c_fwd", "h_bwd", "c_bwd"], outs):
    print("1.", name, o[1])

# 2. GRU, return_sequences, merge_mode=None: [out_fwd, out_bwd, h_fwd, h_bwd]
inp = keras.Input((4, 2))
bi = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True, return_state=True),
                                merge_mode=None)
m = keras.Model(inp, bi(inp))
fixed(bi)
outs = m.predict(X, verbose=0)
print("2. output shapes:", m.output_shape)
for name, o in zip(["y_fwd", "y_bwd", "h_fwd", "h_bwd"], outs):
    print("2.", name, "[1, 0]" if o.ndim == 3 else "[1]", o[1, 0] if o.ndim == 3 else o[1])

# 3. initial_state: the first half to the forward layer, the second half to the backward layer
inp = keras.Input((4, 2))
st = [keras.Input((3,)) for _ in range(4)]
bi = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True), merge_mode="sum")
m = keras.Model([inp] + st, bi(inp, initial_state=st))
fixed(bi)
S = [np.full((2, 3), v, "float32") for v in (0.1, -0.2, 0.3, -0.4)]
outs = m.predict([X] + S, verbose=0)
print("3. output shapes:", m.output_shape)
for name, o in zip(["o", "h_fwd", "c_fwd", "h_bwd", "c_bwd"], outs):
    print("3.", name, o[0])
