"""Generate the Keras 2 figures that tests/test_corpus2.py checks tensorforge against.

Run once with real Keras 2 (tf_keras), never from the tests:

    /work/keras-venv/bin/python tools/keras_corpus2_refs.py

The figures cover what the second corpus of Keras 2 programs needed (issue 12):
  * rnn_*: the generic RNN layer over SimpleRNNCell / LSTMCell / GRUCell, a stacked list of cells
    and a user-written cell (Keras 2's MinimalRNNCell docstring example): get_weights() shapes,
    count_params(), the output(s) for Keras' own weights (with and without a padding mask), and
    the gradients of sum(output * r) with respect to the input and every weight;
  * rff_*: RandomFourierFeatures's weights (shapes, trainable flags, the initial kernel_scale),
    its output for given weights and a model's trainable / non-trainable parameter counts;
  * mha_auto_*: MultiHeadAttention after Embedding(mask_zero=True) (Keras 2 combines the query,
    value and key padding masks into the attention mask), for given weights;
  * batch_*: the values train_on_batch / test_on_batch return over a sequence of calls with
    reset_metrics=False and True (the losses and compiled metrics, weighted ones included);
  * kconv*: the backend's K.conv1d / K.conv2d (the capsule network example calls K.conv1d).
Arrays go to tests/data/keras_corpus2_refs.npz, the rest to tests/data/keras_corpus2_refs.json.
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import backend as K
from tf_keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data")


class MinimalRNNCell(keras.layers.Layer):
    """Keras 2's RNN docstring example cell (the same class is defined in the test)."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super(MinimalRNNCell, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer='uniform', name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = K.dot(inputs, self.kernel)
        output = h + K.dot(prev_output, self.recurrent_kernel)
        return output, [output]


def rnn_cases():
    # name, cell factory, RNN kwargs, masked?
    return [
        ("rnn_lstm", lambda: layers.LSTMCell(4), {}, False),
        ("rnn_lstm_seq_mask", lambda: layers.LSTMCell(3), dict(return_sequences=True), True),
        ("rnn_gru_state", lambda: layers.GRUCell(3), dict(return_state=True), False),
        ("rnn_gru_v1_back", lambda: layers.GRUCell(2, reset_after=False),
         dict(go_backwards=True, return_sequences=True), False),
        ("rnn_simple_relu", lambda: layers.SimpleRNNCell(5, activation="relu"), {}, True),
        ("rnn_stacked", lambda: [layers.LSTMCell(3), layers.GRUCell(2)],
         dict(return_sequences=True), False),
        ("rnn_minimal", lambda: MinimalRNNCell(4), dict(return_sequences=True), True),
    ]


def run_rnn(arrays, meta):
    rng = np.random.default_rng(1)
    for name, make, kw, masked in rnn_cases():
        layer = layers.RNN(make(), **kw)
        x = rng.normal(size=(3, 5, 4)).astype("float32")
        mask = None
        if masked:
            mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
        xt = tf.constant(x)
        layer(xt)  # builds
        ws = layer.get_weights()
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(xt)
            out = layer(xt, mask=None if mask is None else tf.constant(mask))
            outs = out if isinstance(out, list) else [out]
            r = np.random.default_rng(7).normal(size=outs[0].shape).astype("float32")
            s = tf.reduce_sum(outs[0] * r)
        arrays[f"{name}/x"] = x
        if mask is not None:
            arrays[f"{name}/mask"] = mask
        arrays[f"{name}/r"] = r
        for i, w in enumerate(ws):
            arrays[f"{name}/w{i}"] = w
        for i, o in enumerate(outs):
            arrays[f"{name}/y{i}"] = o.numpy()
        arrays[f"{name}/gx"] = tape.gradient(s, xt).numpy()
        for i, g in enumerate(tape.gradient(s, layer.trainable_weights)):
            arrays[f"{name}/gw{i}"] = g.numpy()
        meta[name] = {"weight_shapes": [list(w.shape) for w in ws],
                      "count_params": int(layer.count_params()),
                      "output_shapes": [list(o.shape) for o in outs],
                      "rnn_kwargs": kw, "masked": masked}


def run_rff(arrays, meta):
    rng = np.random.default_rng(2)
    from tf_keras.layers.experimental import RandomFourierFeatures
    for name, kw in (("rff_gaussian", dict(output_dim=6, kernel_initializer="gaussian")),
                     ("rff_laplacian_scale", dict(output_dim=5, kernel_initializer="laplacian",
                                                  scale=2.5))):
        layer = RandomFourierFeatures(**kw)
        x = rng.normal(size=(3, 4)).astype("float32")
        layer(x)
        ws = layer.get_weights()
        names = [w.name.split("/")[-1].split(":")[0] for w in layer.weights]
        ks = names.index("kernel_scale")
        meta[name] = {
            "weight_names": names,
            "weight_shapes": [list(w.shape) for w in ws],
            "trainable": [any(w is t for t in layer.trainable_weights) for w in layer.weights],
            "kernel_scale": float(ws[ks][0]), "layer_trainable": bool(layer.trainable),
            "config": {k: v for k, v in layer.get_config().items()
                       if k in ("output_dim", "kernel_initializer", "scale", "trainable")}}
        new_ws = [rng.normal(size=w.shape).astype("float32") for w in ws]
        new_ws[ks] = np.abs(new_ws[ks]) + 0.5
        layer.set_weights(new_ws)
        arrays[f"{name}/x"] = x
        for i, w in enumerate(new_ws):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/y"] = layer(x).numpy()
    # the keras-io quasi-SVM model: trainable / non-trainable parameter counts
    model = keras.Sequential([keras.Input(shape=(784,)),
                              RandomFourierFeatures(output_dim=4096, scale=10.0,
                                                    kernel_initializer="gaussian"),
                              layers.Dense(units=10)])
    meta["rff_quasi_svm"] = {
        "count_params": int(model.count_params()),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights))}


def run_mha_auto(arrays, meta):
    rng = np.random.default_rng(3)
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2], [5, 0, 0, 0, 0]], dtype="int32")
    ids_v = np.array([[1, 2, 0, 0], [3, 0, 0, 0], [4, 5, 6, 7]], dtype="int32")
    for name, cross in (("mha_auto_self", False), ("mha_auto_cross", True)):
        q_in = keras.Input(shape=(None,), dtype="int32")
        emb = layers.Embedding(10, 6, mask_zero=True)
        mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
        q = emb(q_in)
        if cross:
            v_in = keras.Input(shape=(None,), dtype="int32")
            v = layers.Embedding(10, 6, mask_zero=True)(v_in)
            y = mha(q, v)
            model = keras.Model([q_in, v_in], y)
            feeds = [ids, ids_v]
        else:
            y = mha(q, q)
            model = keras.Model(q_in, y)
            feeds = [ids]
        model.predict(feeds, verbose=0)
        ws = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in model.get_weights()]
        model.set_weights(ws)
        out = model.predict(feeds, verbose=0)
        for i, f in enumerate(feeds):
            arrays[f"{name}/ids{i}"] = f
        for i, w in enumerate(ws):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/y"] = out
        meta[name] = {"cross": cross, "weight_shapes": [list(w.shape) for w in ws],
                      "supports_masking": bool(mha.supports_masking),
                      "output_mask_is_query_mask": bool(np.array_equal(
                          mha.compute_mask(None, tf.constant(ids != 0)).numpy(), ids != 0))}


def run_batch(meta, arrays):
    rng = np.random.default_rng(4)
    xs = [rng.normal(size=(n, 4)).astype("float32") for n in (5, 3, 6, 4)]
    ys = [rng.integers(0, 3, n) for n in (5, 3, 6, 4)]
    sws = [rng.uniform(0.5, 2.0, n).astype("float32") for n in (5, 3, 6, 4)]
    inp = keras.Input(shape=(4,))
    h = layers.Dense(5, activation="tanh")(inp)
    out1 = layers.Dense(3, activation="softmax", name="cls")(h)
    out2 = layers.Dense(1, name="reg")(h)
    full = keras.Model(inp, [out1, out2])  # its weights: the hidden layer's, cls's, then reg's
    ws = [rng.normal(size=w.shape).astype("float32") for w in full.get_weights()]
    for i, w in enumerate(ws):
        arrays[f"batch/w{i}"] = w
    for name, two in (("batch_one", False), ("batch_two", True)):
        model = keras.Model(inp, [out1, out2] if two else out1)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0),
                      loss=(["sparse_categorical_crossentropy", "mse"] if two
                            else "sparse_categorical_crossentropy"),
                      metrics=(["accuracy"] if not two else {"cls": ["accuracy"]}),
                      weighted_metrics=(["accuracy"] if not two else None))
        model.set_weights(ws[:len(model.get_weights())])
        seq = []
        resets = [False, False, True, True]
        for kind in ("train", "test"):
            model.reset_metrics()
            for i, rs in enumerate(resets):
                y = [ys[i], ys[i].astype("float32")[:, None]] if two else ys[i]
                sw = None if two else sws[i]
                fn = model.train_on_batch if kind == "train" else model.test_on_batch
                r = fn(xs[i], y, sample_weight=sw, reset_metrics=rs)
                r = [float(v) for v in (r if isinstance(r, list) else [r])]
                seq.append({"call": kind, "batch": i, "reset_metrics": rs, "values": r})
        meta[name] = {"metrics_names": list(model.metrics_names), "calls": seq}
    for i in range(4):
        arrays[f"batch/x{i}"], arrays[f"batch/y{i}"], arrays[f"batch/sw{i}"] = xs[i], ys[i], sws[i]


def conv_cases():
    # name, function, x shape, kernel shape, kwargs
    return [
        ("kconv1d_valid", "conv1d", (2, 7, 3), (3, 3, 4), {}),
        ("kconv1d_same_s2", "conv1d", (2, 8, 3), (3, 3, 2), dict(strides=2, padding="same")),
        ("kconv1d_causal_d2", "conv1d", (2, 9, 2), (3, 2, 3),
         dict(padding="causal", dilation_rate=2)),
        ("kconv2d_same_s2", "conv2d", (2, 7, 6, 3), (3, 3, 3, 4),
         dict(strides=(2, 2), padding="same")),
        ("kconv2d_valid_d2", "conv2d", (1, 8, 8, 2), (3, 3, 2, 3), dict(dilation_rate=(2, 2))),
    ]


def run_conv(arrays, meta):
    rng = np.random.default_rng(5)
    for name, fn, xs, ks, kw in conv_cases():
        x = rng.normal(size=xs).astype("float32")
        k = rng.normal(size=ks).astype("float32")
        arrays[f"{name}/x"], arrays[f"{name}/k"] = x, k
        arrays[f"{name}/y"] = getattr(K, fn)(tf.constant(x), tf.constant(k), **kw).numpy()
        meta[name] = {"fn": fn, "kwargs": kw}


def main():
    arrays, meta = {}, {}
    run_conv(arrays, meta)
    run_rnn(arrays, meta)
    run_rff(arrays, meta)
    run_mha_auto(arrays, meta)
    run_batch(meta, arrays)
    np.savez_compressed(os.path.join(OUT, "keras_corpus2_refs.npz"), **arrays)
    with open(os.path.join(OUT, "keras_corpus2_refs.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print("wrote", len(arrays), "arrays,", len(meta), "cases")


if __name__ == "__main__":
    main()
