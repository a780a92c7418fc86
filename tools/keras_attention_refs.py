"""Generate the Keras 2 figures that tests/test_attention.py checks tensorforge against.

Run once with real Keras 2 (tf_keras), never from the tests:

    /work/keras-venv/bin/python tools/keras_attention_refs.py

For each case (MultiHeadAttention, Attention, AdditiveAttention, Conv1DTranspose with various
arguments) it records, from tf_keras: the inputs, the layer's initial weights (get_weights()
order), the output, and the gradients of sum(output * r) (r a fixed random array) with
respect to every input and every weight. It also records output shapes and count_params() of
the keras-io Transformer text classifier and of small models using each layer. Arrays go to
tests/data/keras_attention_refs.npz, shapes/counts to tests/data/keras_attention_refs.json.
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data")


def mha_cases():
    # name, kwargs, query shape, value shape, key shape or None, call kwargs
    return [
        ("mha_self", dict(num_heads=2, key_dim=4), (2, 5, 6), (2, 5, 6), None, {}),
        ("mha_cross_vdim", dict(num_heads=3, key_dim=2, value_dim=5, output_shape=7),
         (2, 4, 6), (2, 3, 5), (2, 3, 4), {}),
        ("mha_mask", dict(num_heads=2, key_dim=3), (3, 4, 5), (3, 6, 5), None, {"mask": True}),
        ("mha_causal", dict(num_heads=2, key_dim=3, use_bias=False), (2, 5, 4), (2, 5, 4), None,
         {"use_causal_mask": True}),
    ]


def dense_attention_cases():
    # name, class, kwargs, query shape, value shape, key shape or None, masks?
    return [
        ("att_dot", "Attention", {}, (2, 4, 3), (2, 5, 3), None, False),
        ("att_scale_key", "Attention", dict(use_scale=True), (2, 4, 3), (2, 5, 3), (2, 5, 3), False),
        ("att_concat_mask", "Attention", dict(score_mode="concat"), (2, 4, 3), (2, 5, 3), None, True),
        ("add_att", "AdditiveAttention", {}, (2, 4, 3), (2, 5, 3), None, False),
        ("add_att_noscale_mask", "AdditiveAttention", dict(use_scale=False), (2, 3, 4), (2, 6, 4),
         None, True),
    ]


def conv1dt_cases():
    return [
        ("c1t_valid", dict(filters=4, kernel_size=3), (2, 6, 3)),
        ("c1t_same_s2", dict(filters=3, kernel_size=7, strides=2, padding="same",
                              activation="relu"), (2, 9, 2)),
        ("c1t_op1", dict(filters=2, kernel_size=3, strides=2, output_padding=1), (2, 5, 3)),
    ]


def grads(layer, inputs, call):
    """output, d sum(out * r)/d inputs, d/d weights."""
    xs = [tf.constant(x) for x in inputs]
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        y = call(xs)
    r = np.random.default_rng(7).normal(size=y.shape).astype("float32")
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        y = call(xs)
        s = tf.reduce_sum(y * r)
    gx = tape.gradient(s, xs)
    gw = tape.gradient(s, layer.trainable_weights)
    return y.numpy(), r, [g.numpy() for g in gx], [g.numpy() for g in gw]


def main():
    rng = np.random.default_rng(0)
    arrays, meta = {}, {}
    for name, kw, qs, vs, ks, ck in mha_cases():
        layer = layers.MultiHeadAttention(**kw)
        q = rng.normal(size=qs).astype("float32")
        v = rng.normal(size=vs).astype("float32")
        k = None if ks is None else rng.normal(size=ks).astype("float32")
        mask = None
        if ck.get("mask"):
            mask = rng.random((qs[0], qs[1], vs[1])) > 0.3
            mask[..., 0] = True
            arrays[f"{name}/mask"] = mask
        inputs = [q, v] + ([k] if k is not None else [])
        causal = ck.get("use_causal_mask", False)

        def call(xs, layer=layer, mask=mask, causal=causal):
            return layer(xs[0], xs[1], key=xs[2] if len(xs) > 2 else None,
                         attention_mask=mask, use_causal_mask=causal)
        y, r, gx, gw = grads(layer, inputs, call)
        for i, x in enumerate(inputs):
            arrays[f"{name}/x{i}"] = x
        for i, w in enumerate(layer.get_weights()):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/y"], arrays[f"{name}/r"] = y, r
        for i, g in enumerate(gx):
            arrays[f"{name}/gx{i}"] = g
        for i, g in enumerate(gw):
            arrays[f"{name}/gw{i}"] = g
        _, scores = layer(*inputs[:2], key=inputs[2] if len(inputs) > 2 else None,
                          attention_mask=mask, use_causal_mask=causal,
                          return_attention_scores=True)
        arrays[f"{name}/scores"] = scores.numpy()
        meta[name] = {"kwargs": kw, "weight_shapes": [list(w.shape) for w in layer.get_weights()],
                      "weight_names": [w.name.split("/", 1)[1] for w in layer.weights],
                      "count_params": int(layer.count_params()), "output_shape": list(y.shape),
                      "n_inputs": len(inputs), "causal": causal}
    for name, cls, kw, qs, vs, ks, masked in dense_attention_cases():
        layer = getattr(layers, cls)(**kw)
        q = rng.normal(size=qs).astype("float32")
        v = rng.normal(size=vs).astype("float32")
        k = None if ks is None else rng.normal(size=ks).astype("float32")
        inputs = [q, v] + ([k] if k is not None else [])
        masks = None
        if masked:
            qm = rng.random(qs[:2]) > 0.3
            vm = rng.random(vs[:2]) > 0.3
            vm[:, 0] = True
            masks = [qm, vm]
            arrays[f"{name}/qmask"], arrays[f"{name}/vmask"] = qm, vm

        def call(xs, layer=layer, masks=masks):
            return layer(list(xs), mask=masks)
        y, r, gx, gw = grads(layer, inputs, call)
        for i, x in enumerate(inputs):
            arrays[f"{name}/x{i}"] = x
        for i, w in enumerate(layer.get_weights()):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/y"], arrays[f"{name}/r"] = y, r
        for i, g in enumerate(gx):
            arrays[f"{name}/gx{i}"] = g
        for i, g in enumerate(gw):
            arrays[f"{name}/gw{i}"] = g
        meta[name] = {"class": cls, "kwargs": kw,
                      "weight_shapes": [list(w.shape) for w in layer.get_weights()],
                      "count_params": int(layer.count_params()), "output_shape": list(y.shape),
                      "n_inputs": len(inputs), "masked": masked}
    for name, kw, xs in conv1dt_cases():
        layer = layers.Conv1DTranspose(**kw)
        x = rng.normal(size=xs).astype("float32")
        y, r, gx, gw = grads(layer, [x], lambda t, layer=layer: layer(t[0]))
        arrays[f"{name}/x0"] = x
        for i, w in enumerate(layer.get_weights()):
            arrays[f"{name}/w{i}"] = w
        arrays[f"{name}/y"], arrays[f"{name}/r"], arrays[f"{name}/gx0"] = y, r, gx[0]
        for i, g in enumerate(gw):
            arrays[f"{name}/gw{i}"] = g
        meta[name] = {"kwargs": kw, "weight_shapes": [list(w.shape) for w in layer.get_weights()],
                      "count_params": int(layer.count_params()), "output_shape": list(y.shape)}

    # whole models: the keras-io Transformer text classifier's transformer block, an
    # Attention / AdditiveAttention model and the NAB Conv1DTranspose autoencoder
    models = {}
    inp = keras.Input(shape=(200, 32))
    att = layers.MultiHeadAttention(num_heads=2, key_dim=32)(inp, inp)
    out1 = layers.LayerNormalization(epsilon=1e-6)(inp + att)
    ffn = layers.Dense(32)(layers.Dense(32, activation="relu")(out1))
    out = layers.LayerNormalization(epsilon=1e-6)(out1 + ffn)
    m = keras.Model(inp, layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(out)))
    models["transformer_block"] = m
    q_in, v_in = keras.Input(shape=(None, 16)), keras.Input(shape=(None, 16))
    a = layers.Attention(use_scale=True)([q_in, v_in])
    b = layers.AdditiveAttention()([q_in, v_in])
    models["dense_attention"] = keras.Model([q_in, v_in], layers.Concatenate()([a, b]))
    models["conv1d_transpose_ae"] = keras.Sequential([
        layers.Input(shape=(288, 1)),
        layers.Conv1D(32, 7, padding="same", strides=2, activation="relu"),
        layers.Conv1D(16, 7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(16, 7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(32, 7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(1, 7, padding="same")])
    meta["models"] = {n: {"count_params": int(m.count_params()),
                          "output_shape": [None if d is None else int(d) for d in m.output_shape],
                          "layer_params": [int(lay.count_params()) for lay in m.layers]}
                      for n, m in models.items()}
    np.savez_compressed(os.path.join(OUT, "keras_attention_refs.npz"), **arrays)
    with open(os.path.join(OUT, "keras_attention_refs.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print("wrote", len(arrays), "arrays,", len(meta), "cases")


if __name__ == "__main__":
    main()
