"""keras-team examples/mnist_hierarchical_rnn.py: TimeDistributed(LSTM) over pixel rows, then an
LSTM over the encoded rows."""
import keras
from keras.datasets import mnist
from keras.layers import LSTM, Dense, Input, TimeDistributed
from keras.models import Model

batch_size, num_classes, epochs, row_hidden, col_hidden = 32, 10, 1, 32, 32
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train[:2000].reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test[:500].reshape(-1, 28, 28, 1).astype("float32") / 255
y_train = keras.utils.to_categorical(y_train[:2000], num_classes)
y_test = keras.utils.to_categorical(y_test[:500], num_classes)
x = Input(shape=(28, 28, 1))
encoded_rows = TimeDistributed(LSTM(row_hidden))(x)
encoded_columns = LSTM(col_hidden)(encoded_rows)
prediction = Dense(num_classes, activation="softmax")(encoded_columns)
model = Model(x, prediction)
model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_data=(x_test, y_test))
print("Test accuracy:", model.evaluate(x_test, y_test, verbose=0)[1])
