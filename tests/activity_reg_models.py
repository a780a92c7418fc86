"""The small models of tests/test_activity_regularizer.py, written once for both sides: the
test builds them with tensorforge, tools/gen_activity_reg_refs.py with tf_keras 2.21 (each
function takes the Keras module, its ``layers`` and its ``regularizers``)."""


def dense_softmax(keras, layers, regularizers):
    # a relu Dense and a softmax output both regularized: the output one reads probabilities
    return keras.Sequential([
        keras.Input((5,)),
        layers.Dense(4, activation="relu", activity_regularizer=regularizers.l1(0.01)),
        layers.Dense(3, activation="softmax", activity_regularizer=regularizers.l2(0.02))])


def lstm_states(keras, layers, regularizers):
    # an RNN's activity regularizer covers every output, the returned states included
    inp = keras.Input((4, 3))
    seq, h, c = layers.LSTM(2, return_sequences=True, return_state=True,
                            activity_regularizer=regularizers.l2(0.1))(inp)
    out = layers.Dense(1)(layers.Concatenate()([h, c, layers.GlobalAveragePooling1D()(seq)]))
    return keras.Model(inp, out)


def conv_l1l2(keras, layers, regularizers):
    return keras.Sequential([
        keras.Input((6, 6, 2)),
        layers.Conv2D(3, 3, activation="tanh",
                      activity_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02)),
        layers.Flatten(), layers.Dense(1)])


def embedding_l1(keras, layers, regularizers):
    return keras.Sequential([
        keras.Input((5,), dtype="int32"),
        layers.Embedding(10, 3, activity_regularizer=regularizers.l1(0.5)),
        layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])


def wrapped(layers, regularizers):
    """A TimeDistributed Dense and a Bidirectional LSTM, each with an L1 activity penalty:
    the wrapped layer's terms (over batch x time rows; one per direction)."""
    td = layers.TimeDistributed(layers.Dense(2, activity_regularizer=regularizers.l1(1.0),
                                             kernel_initializer="ones"))
    bi = layers.Bidirectional(layers.LSTM(2, activity_regularizer=regularizers.l1(1.0),
                                          kernel_initializer="ones",
                                          recurrent_initializer="zeros"))
    return td, bi


# case -> (builder, loss)
CASES = {"dense_softmax": (dense_softmax, "categorical_crossentropy"),
         "lstm_states": (lstm_states, "mse"), "conv_l1l2": (conv_l1l2, "mse"),
         "embedding_l1": (embedding_l1, "binary_crossentropy")}
