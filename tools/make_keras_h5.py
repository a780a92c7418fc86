"""Generate the Keras 2 .h5 fixtures under tests/data/keras_h5/ (run once, results committed).

    /work/keras-venv/bin/python tools/make_keras_h5.py [OUT_DIR]

Needs tensorflow-cpu and tf-keras (Keras 2.x: ``import tf_keras as keras``); the tests never import
them. Each model is built, compiled, trained for a few steps on seeded random data (so the
optimizer has state and BatchNormalization has moving statistics), saved with
``model.save('<name>.h5')`` (whole model: model_config, training_config, model_weights,
optimizer_weights), and Keras' own predictions on seeded inputs are stored beside it as
``<name>.npz`` (arrays x, or x0/x1/...; and y). ``<name>_weights.h5`` files come from
``save_weights``. The cuDNN fixtures hold CuDNNLSTM / CuDNNGRU-layout weights (built without a GPU:
only their weights are saved) and the predictions of plain LSTM / GRU after Keras converts them.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import tf_keras as keras
from tf_keras import layers as L

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests",
                                                         "data", "keras_h5")


def _fit(model, x, y, epochs=1):
    model.fit(x, y, batch_size=16, epochs=epochs, verbose=0)


def _save(name, model, x, batch=8):
    path = os.path.join(OUT, name + ".h5")
    model.save(path, save_format="h5")
    y = model.predict(x, batch_size=batch, verbose=0)
    xs = {"x": x} if not isinstance(x, list) else {f"x{i}": a for i, a in enumerate(x)}
    np.savez(os.path.join(OUT, name + ".npz"), y=y, **xs)
    print(f"{name}: {os.path.getsize(path)} bytes, y {y.shape}")


def onehot(r, n, k):
    return np.eye(k, dtype=np.float32)[r.integers(0, k, n)]


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(1234)
    r = np.random.default_rng(0)

    # MLP (Adam, the new-style optimizer of tf.keras 2.11+)
    m = keras.Sequential([L.Dense(32, activation="relu", input_shape=(20,)), L.Dropout(0.2),
                          L.Dense(16, activation="tanh"), L.Dense(5, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    _fit(m, r.normal(size=(64, 20)).astype("float32"), onehot(r, 64, 5))
    _save("mlp", m, r.normal(size=(10, 20)).astype("float32"))
    m.save_weights(os.path.join(OUT, "mlp_weights.h5"))

    # LeNet (legacy RMSprop: Keras 2.x's optimizer state layout)
    m = keras.Sequential([
        L.Conv2D(6, (5, 5), activation="relu", input_shape=(16, 16, 1)),
        L.MaxPooling2D((2, 2), strides=(2, 2), padding="same"),
        L.Conv2D(8, (3, 3), padding="same", activation="relu"),
        L.AveragePooling2D((2, 2)),
        L.Flatten(), L.Dense(24, activation="relu"), L.Dense(4, activation="softmax")])
    m.compile(optimizer=keras.optimizers.legacy.RMSprop(), loss="categorical_crossentropy",
              metrics=["accuracy"])
    _fit(m, r.random((32, 16, 16, 1)).astype("float32"), onehot(r, 32, 4))
    _save("lenet", m, r.random((6, 16, 16, 1)).astype("float32"))

    # the zoo's CNN, narrower (legacy Adam)
    m = keras.Sequential([
        L.Conv2D(8, (3, 3), padding="same", activation="relu", input_shape=(12, 12, 1)),
        L.MaxPooling2D((2, 2)), L.Dropout(0.25),
        L.Conv2D(8, (3, 3), padding="same", activation="relu"), L.MaxPooling2D((2, 2)),
        L.Dropout(0.25), L.Flatten(), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.legacy.Adam(), loss="categorical_crossentropy",
              metrics=["accuracy"])
    _fit(m, r.random((32, 12, 12, 1)).astype("float32"), onehot(r, 32, 3))
    _save("cnn", m, r.random((6, 12, 12, 1)).astype("float32"))

    # recurrent layers
    xs = r.normal(size=(32, 7, 5)).astype("float32")
    xt = r.normal(size=(6, 7, 5)).astype("float32")
    for name, rnn in (("simple_rnn", L.SimpleRNN(9)),
                      ("lstm", L.LSTM(9)),
                      ("lstm_seq", L.LSTM(6, return_sequences=True, go_backwards=True)),
                      ("gru_reset_after", L.GRU(9, reset_after=True)),
                      ("gru_reset_before", L.GRU(9, reset_after=False))):
        m = keras.Sequential([L.InputLayer(input_shape=(7, 5)), rnn,
                              L.Dense(3, activation="softmax")])
        m.compile(optimizer="sgd", loss="categorical_crossentropy")
        y = onehot(r, 32 * 7, 3).reshape(32, 7, 3) if rnn.return_sequences else onehot(r, 32, 3)
        _fit(m, xs, y)
        _save(name, m, xt)

    # functional, two branches merged (Add and Concatenate)
    inp = keras.Input(shape=(12,), name="features")
    a = L.Dense(8, activation="relu", name="branch_a")(inp)
    b = L.Dense(8, activation="tanh", name="branch_b")(inp)
    s = L.Add(name="add")([a, b])
    c = L.Concatenate(name="concat")([s, a])
    out = L.Dense(3, activation="softmax", name="head")(c)
    m = keras.Model(inp, out, name="two_branch")
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    _fit(m, r.normal(size=(32, 12)).astype("float32"), onehot(r, 32, 3))
    _save("functional_two_branch", m, r.normal(size=(6, 12)).astype("float32"))

    # functional, two inputs
    i1 = keras.Input(shape=(6,), name="left")
    i2 = keras.Input(shape=(4,), name="right")
    h = L.Concatenate()([L.Dense(5, activation="relu")(i1), L.Dense(5, activation="relu")(i2)])
    out = L.Dense(2, activation="sigmoid")(h)
    m = keras.Model([i1, i2], out, name="two_inputs")
    m.compile(optimizer="rmsprop", loss="binary_crossentropy")
    _fit(m, [r.normal(size=(32, 6)).astype("float32"), r.normal(size=(32, 4)).astype("float32")],
         (r.random((32, 2)) > 0.5).astype("float32"))
    _save("functional_two_inputs", m, [r.normal(size=(6, 6)).astype("float32"),
                                       r.normal(size=(6, 4)).astype("float32")])

    # Embedding(mask_zero) -> LSTM -> BatchNormalization -> Dense
    m = keras.Sequential([
        L.Embedding(30, 8, mask_zero=True, input_length=9), L.LSTM(10),
        L.BatchNormalization(), L.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ids = r.integers(1, 30, size=(64, 9))
    ids[:, 6:] *= (r.random((64, 3)) > 0.5)  # trailing padding zeros
    _fit(m, ids.astype("float32"), r.integers(0, 4, 64).astype("float32"), epochs=3)
    ti = r.integers(1, 30, size=(6, 9))
    ti[:3, 5:] = 0
    _save("embedding_mask_bn", m, ti.astype("float32"))

    # Conv2D -> BatchNormalization -> GlobalAveragePooling2D (BN over channels of an image)
    m = keras.Sequential([
        L.Conv2D(4, (3, 3), input_shape=(8, 8, 2)), L.BatchNormalization(momentum=0.5),
        L.Activation("relu"), L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    _fit(m, r.normal(size=(32, 8, 8, 2)).astype("float32"), onehot(r, 32, 2), epochs=2)
    _save("conv_bn", m, r.normal(size=(6, 8, 8, 2)).astype("float32"))

    # regularizers, other initializers, LeakyReLU, a separate softmax Activation, SGD with
    # Nesterov momentum (legacy slots "momentum"), mse loss with an mae metric
    m = keras.Sequential([
        L.Dense(16, kernel_regularizer=keras.regularizers.l2(0.01),
                bias_regularizer=keras.regularizers.l1(0.001), kernel_initializer="he_normal",
                input_shape=(10,)),
        L.LeakyReLU(0.2), L.Dense(8, kernel_initializer=keras.initializers.TruncatedNormal(0, 0.1),
                                  bias_initializer=keras.initializers.Constant(0.1)),
        L.Activation("softmax")])
    m.compile(optimizer=keras.optimizers.legacy.SGD(0.05, momentum=0.9, nesterov=True),
              loss="mse", metrics=["mae"])
    _fit(m, r.normal(size=(32, 10)).astype("float32"), r.random((32, 8)).astype("float32"))
    _save("regularized_mlp", m, r.normal(size=(6, 10)).astype("float32"))

    # Bidirectional recurrent stack over an Embedding (legacy Adagrad)
    m = keras.Sequential([
        L.Embedding(25, 6, input_length=8),
        L.Bidirectional(L.LSTM(5, return_sequences=True)),
        L.Bidirectional(L.GRU(4), merge_mode="sum"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.legacy.Adagrad(), loss="categorical_crossentropy")
    _fit(m, r.integers(0, 25, (32, 8)).astype("float32"), onehot(r, 32, 3))
    _save("bidirectional", m, r.integers(0, 25, (6, 8)).astype("float32"))

    # a Sequential model nested in a functional one, with Reshape / Flatten and a stacked RNN
    inner = keras.Sequential([L.Dense(6, activation="relu", input_shape=(8,)),
                              L.BatchNormalization(), L.Dense(4)], name="inner")
    inp = keras.Input(shape=(24,))
    h = L.Reshape((3, 8))(inp)
    h = L.SimpleRNN(8, return_sequences=True)(h)
    h = L.Flatten()(h)
    h = L.Dense(8, activation="tanh")(h)
    out = L.Dense(2, activation="softmax")(inner(h))
    m = keras.Model(inp, out, name="nested")
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    _fit(m, r.normal(size=(32, 24)).astype("float32"), onehot(r, 32, 2), epochs=2)
    _save("nested_model", m, r.normal(size=(6, 24)).astype("float32"))

    # cuDNN-layout weights (tf.compat.v1 CuDNNLSTM / CuDNNGRU): build, set random weights, save
    # the weights; Keras converts them when loading into plain LSTM / GRU(reset_after=True).
    from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU
    from tf_keras.src.layers.rnn.cudnn_lstm import CuDNNLSTM
    for name, cud, plain in (("cudnn_lstm", CuDNNLSTM, L.LSTM), ("cudnn_gru", CuDNNGRU, L.GRU)):
        src = keras.Sequential([L.InputLayer(input_shape=(7, 5)), cud(6), L.Dense(3)])
        src.set_weights([r.normal(scale=0.4, size=w.shape).astype("float32")
                         for w in src.get_weights()])
        wpath = os.path.join(OUT, name + "_weights.h5")
        src.save_weights(wpath)
        src.save(os.path.join(OUT, name + "_model.h5"), save_format="h5")  # whole model, too
        dst = keras.Sequential([L.InputLayer(input_shape=(7, 5)), plain(6), L.Dense(3)])
        dst.load_weights(wpath)
        y = dst.predict(xt, verbose=0)
        np.savez(os.path.join(OUT, name + ".npz"), x=xt, y=y)
        print(f"{name}: weights {[w.shape for w in src.get_weights()]}")

    # two outputs with a loss per output (dict) and per-output metrics; int32 ids on the Input
    ids_in = keras.Input(shape=(6,), dtype="int32", name="ids")
    num_in = keras.Input(shape=(3,), name="num")
    e = L.Flatten()(L.Embedding(12, 4)(ids_in))
    h = L.Concatenate()([e, num_in])
    h = L.Dropout(0.1)(L.Dense(10, activation="relu")(h))
    cls = L.Dense(3, activation="softmax", name="cls")(h)
    reg = L.Dense(1, name="reg")(h)
    m = keras.Model([ids_in, num_in], [cls, reg], name="two_outputs")
    m.compile(optimizer="adam", loss={"cls": "categorical_crossentropy", "reg": "mse"},
              loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"]})
    xi, xn = r.integers(0, 12, (32, 6)).astype("int32"), r.normal(size=(32, 3)).astype("float32")
    m.fit([xi, xn], {"cls": onehot(r, 32, 3), "reg": r.normal(size=(32, 1)).astype("float32")},
          batch_size=16, epochs=1, verbose=0)
    xs = [r.integers(0, 12, (6, 6)).astype("int32"), r.normal(size=(6, 3)).astype("float32")]
    path = os.path.join(OUT, "functional_two_outputs.h5")
    m.save(path, save_format="h5")
    y0, y1 = m.predict(xs, verbose=0)
    np.savez(os.path.join(OUT, "functional_two_outputs.npz"), x0=xs[0], x1=xs[1], y=y0, y1=y1)
    print(f"functional_two_outputs: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
